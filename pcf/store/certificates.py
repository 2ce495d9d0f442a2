"""Persistence of footprint certificates: tables and repository functions.

Tables (on the shared declarative :class:`pcf.store.models.Base`; created by migration
``0101_certificates``)
------
``certificates``
    One signed certificate per row: public id (UUID, also the PACT ``id``), number, owner
    tenant (the tenant of the order), order line, issue time, end of validity, who issued it,
    the certificate it supersedes (at most one successor each: unique), the key id, the
    SHA-256 and Ed25519 signature of the canonical document and the canonical document itself.
``certificate_revocations``
    At most one per certificate: when, by whom, why.

Immutability: a row is inserted and, in the same transaction, completed with its number and
signed document (the number is derived from the row id). After that, database triggers refuse
any UPDATE or DELETE of ``certificates`` and of ``certificate_revocations`` (SQLite and
PostgreSQL). Supersession and revocation add rows; nothing is edited.

Concurrency: issuing locks the order line (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
write transactions are serialised by ``BEGIN IMMEDIATE``), so two requests cannot both create
an active certificate for the same line; two supersessions of one certificate collide on the
unique ``supersedes_pk``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, aliased, mapped_column

from pcf.errors import CertificateConflict, UnknownCertificate, UnknownOrder, UnknownOrderLine
from pcf.store.db import write_connection
from pcf.store.models import Base, BigIntPK, Order, OrderLine, Tenant, aware_utc, table, utcnow
from pcf.store.orders import stored_line_footprint


class Certificate(Base):
    """A signed footprint certificate for one order line (immutable once written)."""

    __tablename__ = "certificates"
    __table_args__ = (
        Index("ix_certificates_line", "order_pk", "line_id"),
        Index("ix_certificates_tenant", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    certificate_id: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    number: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", name="fk_certificates_tenant"), nullable=False)
    order_pk: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("orders.id", name="fk_certificates_order"), nullable=False)
    order_id: Mapped[str] = mapped_column(String(128), nullable=False)
    line_id: Mapped[str] = mapped_column(String(128), nullable=False)
    product: Mapped[str] = mapped_column(String(100), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    issued_by: Mapped[str] = mapped_column(String(200), nullable=False)
    supersedes_pk: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("certificates.id", name="fk_certificates_supersedes"),
        unique=True, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    database_version: Mapped[str] = mapped_column(String(128), nullable=False)
    kg_co2e_total: Mapped[float] = mapped_column(Float, nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    signature_json: Mapped[str] = mapped_column(Text, nullable=False)
    document_json: Mapped[str] = mapped_column(Text, nullable=False)


class CertificateRevocation(Base):
    """The revocation of a certificate (at most one per certificate)."""

    __tablename__ = "certificate_revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_pk: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("certificates.id", name="fk_certificate_revocations_certificate"),
        unique=True, nullable=False)
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_by: Mapped[str] = mapped_column(String(200), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)


_certs = table(Certificate)
_revs = table(CertificateRevocation)
_orders = table(Order)
_lines = table(OrderLine)
_tenants = table(Tenant)

STATUSES = ("active", "superseded", "revoked", "expired")
"""Derived status of a certificate, in order of precedence: revoked > superseded > expired >
active."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class OrderLineRecord:
    """A stored order line with what a certificate needs.

    Attributes
    ----------
    tenant_id, tenant : int, str
        Owner of the order.
    order_pk : int
        Row id of the order.
    order_id, line_id, product : str
    variant : str or None
    quantity : float
        In ``unit``.
    unit : str
    footprint : dict
        The stored Footprint (as scored when the order was submitted).
    requested_parameters : dict
        The parameters given in the order request for this line (may be empty).
    ordered_at : datetime
        When the order was stored (UTC).
    """

    tenant_id: int
    tenant: str
    order_pk: int
    order_id: str
    line_id: str
    product: str
    variant: str | None
    quantity: float
    unit: str
    footprint: dict
    requested_parameters: dict
    ordered_at: datetime


@dataclass(frozen=True)
class CertificateRecord:
    """A stored certificate with its derived status.

    Attributes
    ----------
    certificate_id : str
        UUID, also the PACT ``id``.
    number : str
    tenant_id, tenant : int, str
        Owner (the order's tenant).
    order_id, line_id, product : str
    issued_at, valid_until : datetime
    issued_by : str
    reason : str or None
        Why this certificate supersedes its predecessor.
    supersedes, superseded_by : dict or None
        ``{"id", "number"}`` of the predecessor / successor.
    revocation : dict or None
        ``{"revoked_at" (datetime), "revoked_by", "reason"}``.
    database_version : str
    kg_co2e_total : float
        Order-line total, kg CO2e.
    key_id, sha256 : str
    signature : dict
        ``{"algorithm", "keyId", "value", "publicKey"}``.
    document : dict
        The signed document.
    canonical : str
        The canonical JSON text that was signed.
    """

    pk: int
    certificate_id: str
    number: str
    tenant_id: int
    tenant: str
    order_id: str
    line_id: str
    product: str
    issued_at: datetime
    valid_until: datetime
    issued_by: str
    reason: str | None
    supersedes: dict | None
    superseded_by: dict | None
    revocation: dict | None
    database_version: str
    kg_co2e_total: float
    key_id: str
    sha256: str
    signature: dict
    document: dict
    canonical: str

    def status(self, now: datetime | None = None) -> str:
        """``revoked``, ``superseded``, ``expired`` or ``active`` (see :data:`STATUSES`)."""
        now = now or utcnow()
        if self.revocation is not None:
            return "revoked"
        if self.superseded_by is not None:
            return "superseded"
        if self.valid_until <= now:
            return "expired"
        return "active"

    def envelope(self) -> dict[str, Any]:
        """The certificate file: ``{"document", "sha256", "signature"}``."""
        return {"document": self.document, "sha256": self.sha256, "signature": self.signature}


@dataclass(frozen=True)
class SignedDocument:
    """What the caller of :func:`create_certificate` produces once the number is known."""

    document: dict
    canonical: str
    sha256: str
    signature: dict
    valid_until: datetime
    database_version: str
    kg_co2e_total: float


# --------------------------------------------------------------------------- queries


def find_order_line(engine, tenant_id: int, order_id: str, line_id: str) -> OrderLineRecord:
    """Return line ``line_id`` of the tenant's order ``order_id``.

    Raises
    ------
    UnknownResource
        ``field="order_id"`` if the tenant has no such order (another tenant's order is not
        visible), ``field="line_id"`` if the order has no such line.
    """
    with engine.connect() as conn:
        order = conn.execute(
            select(_orders.c.id, _orders.c.request_json, _orders.c.created_at,
                   _tenants.c.name)
            .join(_tenants, _tenants.c.id == _orders.c.tenant_id)
            .where(_orders.c.tenant_id == tenant_id, _orders.c.order_id == order_id)
        ).first()
        if order is None:
            raise UnknownOrder(f"no order {order_id!r}", field="order_id")
        line = conn.execute(
            select(_lines).where(_lines.c.order_pk == order.id, _lines.c.line_id == line_id)
        ).first()
        if line is None:
            known = conn.execute(select(_lines.c.line_id).where(_lines.c.order_pk == order.id)
                                 .order_by(_lines.c.position).limit(50)).scalars().all()
            raise UnknownOrderLine(f"order {order_id!r} has no line {line_id!r}", field="line_id",
                                allowed=list(known))
        footprint = stored_line_footprint(conn, order.id, line)
    requested: dict = {}
    if line.parameters_json:  # stored since revision 0201
        requested = dict(json.loads(line.parameters_json))
    elif order.request_json:  # before: the request of the whole order
        try:
            for item in json.loads(order.request_json).get("lines", []):
                if item.get("line_id") == line_id:
                    requested = dict(item.get("parameters") or {})
        except (ValueError, AttributeError):
            requested = {}
    return OrderLineRecord(
        tenant_id=tenant_id, tenant=order.name, order_pk=order.id, order_id=order_id,
        line_id=line_id, product=line.product, variant=line.variant,
        quantity=float(line.quantity), unit=line.unit,
        footprint=footprint, requested_parameters=requested,
        ordered_at=aware_utc(order.created_at))


def _select_records():
    succ = aliased(_certs, name="succ")
    pred = aliased(_certs, name="pred")
    return (
        select(_certs, _tenants.c.name.label("tenant_name"),
               succ.c.certificate_id.label("succ_id"), succ.c.number.label("succ_number"),
               pred.c.certificate_id.label("pred_id"), pred.c.number.label("pred_number"),
               _revs.c.revoked_at, _revs.c.revoked_by, _revs.c.reason.label("revocation_reason"))
        .join(_tenants, _tenants.c.id == _certs.c.tenant_id)
        .outerjoin(succ, succ.c.supersedes_pk == _certs.c.id)
        .outerjoin(pred, pred.c.id == _certs.c.supersedes_pk)
        .outerjoin(_revs, _revs.c.certificate_pk == _certs.c.id)
    )


def _record(row) -> CertificateRecord:
    revocation = None
    if row.revoked_at is not None:
        revocation = {"revoked_at": aware_utc(row.revoked_at), "revoked_by": row.revoked_by,
                      "reason": row.revocation_reason}
    return CertificateRecord(
        pk=row.id, certificate_id=row.certificate_id, number=row.number,
        tenant_id=row.tenant_id, tenant=row.tenant_name, order_id=row.order_id,
        line_id=row.line_id, product=row.product, issued_at=aware_utc(row.issued_at),
        valid_until=aware_utc(row.valid_until), issued_by=row.issued_by, reason=row.reason,
        supersedes=({"id": row.pred_id, "number": row.pred_number}
                    if row.pred_id is not None else None),
        superseded_by=({"id": row.succ_id, "number": row.succ_number}
                       if row.succ_id is not None else None),
        revocation=revocation, database_version=row.database_version,
        kg_co2e_total=row.kg_co2e_total, key_id=row.key_id, sha256=row.sha256,
        signature=json.loads(row.signature_json), document=json.loads(row.document_json),
        canonical=row.document_json)


def get_certificate(engine, certificate_id: str, tenant_id: int | None = None
                    ) -> CertificateRecord:
    """Return certificate ``certificate_id``; with ``tenant_id`` only if that tenant owns it.

    Raises
    ------
    UnknownResource
        ``field="certificate_id"``: no such certificate, or owned by another tenant.
    """
    query = _select_records().where(_certs.c.certificate_id == str(certificate_id),
                                    _certs.c.sha256 != "")
    if tenant_id is not None:
        query = query.where(_certs.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise UnknownCertificate(f"no certificate {certificate_id!r}", field="certificate_id")
    return _record(row)


def list_certificates(engine, tenant_id: int | None = None, order_id: str | None = None,
                      line_id: str | None = None,
                      limit: int | None = 500, before: int | None = None
                      ) -> list[CertificateRecord]:
    """Return certificates (of one tenant, or all with ``tenant_id=None``), newest first; at
    most ``limit`` (None: all); with ``before`` (a record's ``pk``, the page cursor) only
    those stored before it."""
    query = _select_records().where(_certs.c.sha256 != "")
    if before is not None:
        query = query.where(_certs.c.id < before)
    if tenant_id is not None:
        query = query.where(_certs.c.tenant_id == tenant_id)
    if order_id is not None:
        query = query.where(_certs.c.order_id == order_id)
    if line_id is not None:
        query = query.where(_certs.c.line_id == line_id)
    with engine.connect() as conn:
        query = query.order_by(_certs.c.id.desc())
        rows = conn.execute(query if limit is None else query.limit(limit)).all()
    return [_record(r) for r in rows]


def _active_for_line(conn, order_pk: int, line_id: str, now: datetime):
    succ = aliased(_certs, name="succ")
    return conn.execute(
        select(_certs.c.certificate_id, _certs.c.number)
        .outerjoin(succ, succ.c.supersedes_pk == _certs.c.id)
        .outerjoin(_revs, _revs.c.certificate_pk == _certs.c.id)
        .where(_certs.c.order_pk == order_pk, _certs.c.line_id == line_id,
               _certs.c.sha256 != "", succ.c.id.is_(None), _revs.c.id.is_(None),
               _certs.c.valid_until > now)
    ).first()


def certificate_number(pk: int, issued_at: datetime) -> str:
    """``PCF-<year>-<pk, 6 digits at least>``, e.g. ``PCF-2026-000042``."""
    return f"PCF-{issued_at.year}-{pk:06d}"


def create_certificate(engine, *, line: OrderLineRecord, certificate_id: str,
                       issued_at: datetime, issued_by: str,
                       sign: Callable[[str], SignedDocument],
                       supersedes_id: str | None = None, reason: str | None = None
                       ) -> CertificateRecord:
    """Store a new certificate in one transaction.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    line : OrderLineRecord
        The certified line.
    certificate_id : str
        UUID of the new certificate.
    issued_at : datetime
        Issue time (UTC).
    issued_by : str
        Tenant name (or ``cli``) that issued it.
    sign : callable
        ``sign(number) -> SignedDocument``: builds and signs the document once the number is
        known (called inside the transaction).
    supersedes_id : str, optional
        The certificate this one corrects; it must belong to the same line and be neither
        revoked nor already superseded.
    reason : str, optional
        Why (stored with a superseding certificate).

    Returns
    -------
    CertificateRecord

    Raises
    ------
    StateConflict
        ``field="line_id"``: the line already has an active certificate (supersede it);
        ``field="certificate_id"``: the certificate to supersede is revoked or superseded.
    UnknownResource
        ``field="certificate_id"``: the certificate to supersede does not exist for this line.
    """
    now = issued_at  # one clock for the whole issue: "active" is judged at the issue time
    try:
        with write_connection(engine) as conn:
            conn.execute(select(_lines.c.id).where(_lines.c.order_pk == line.order_pk,
                                                   _lines.c.line_id == line.line_id)
                         .with_for_update()).first()
            supersedes_pk = None
            if supersedes_id is None:
                active = _active_for_line(conn, line.order_pk, line.line_id, now)
                if active is not None:
                    raise CertificateConflict(
                        f"line {line.line_id!r} of order {line.order_id!r} already has the "
                        f"active certificate {active.number} ({active.certificate_id}); "
                        "supersede it to correct it, or revoke it first", field="line_id")
            else:
                old = conn.execute(
                    select(_certs.c.id, _certs.c.number, _certs.c.order_pk, _certs.c.line_id)
                    .where(_certs.c.certificate_id == supersedes_id, _certs.c.sha256 != "")
                ).first()
                if old is None or old.order_pk != line.order_pk or old.line_id != line.line_id:
                    raise UnknownCertificate(f"no certificate {supersedes_id!r} for this line",
                                        field="certificate_id")
                if conn.execute(select(_revs.c.id).where(_revs.c.certificate_pk == old.id)
                                ).first() is not None:
                    raise CertificateConflict(f"certificate {old.number} is revoked and cannot be "
                                        "superseded", field="certificate_id")
                if conn.execute(select(_certs.c.id).where(_certs.c.supersedes_pk == old.id)
                                ).first() is not None:
                    raise CertificateConflict(f"certificate {old.number} is already superseded",
                                        field="certificate_id")
                supersedes_pk = old.id
            pk = conn.execute(_certs.insert().values(
                certificate_id=certificate_id, number=f"pending-{certificate_id}",
                tenant_id=line.tenant_id, order_pk=line.order_pk, order_id=line.order_id,
                line_id=line.line_id, product=line.product, issued_at=issued_at,
                valid_until=issued_at, issued_by=issued_by, supersedes_pk=supersedes_pk,
                reason=reason, database_version="", kg_co2e_total=0.0, key_id="", sha256="",
                signature_json="", document_json="",
            ).returning(_certs.c.id)).scalar_one()
            number = certificate_number(pk, issued_at)
            signed = sign(number)
            conn.execute(_certs.update().where(_certs.c.id == pk).values(
                number=number, valid_until=signed.valid_until,
                database_version=signed.database_version, kg_co2e_total=signed.kg_co2e_total,
                key_id=signed.signature["keyId"], sha256=signed.sha256,
                signature_json=json.dumps(signed.signature, separators=(",", ":")),
                document_json=signed.canonical))
    except IntegrityError:
        raise CertificateConflict("another request superseded or certified this line at the same "
                            "time; read it back and retry", field="line_id") from None
    return get_certificate(engine, certificate_id)


def revoke_certificate(engine, certificate_id: str, tenant_id: int | None, revoked_by: str,
                       reason: str) -> CertificateRecord:
    """Record the revocation of a certificate (the certificate row is not changed).

    Parameters
    ----------
    tenant_id : int or None
        Owner the certificate must belong to (None: any, for admins).

    Raises
    ------
    UnknownResource
        ``field="certificate_id"``.
    StateConflict
        ``field="certificate_id"``: already revoked.
    """
    record = get_certificate(engine, certificate_id, tenant_id)
    try:
        with write_connection(engine) as conn:
            if conn.execute(select(_revs.c.id).where(_revs.c.certificate_pk == record.pk)
                            ).first() is not None:
                raise CertificateConflict(f"certificate {record.number} is already revoked",
                                    field="certificate_id")
            conn.execute(_revs.insert().values(certificate_pk=record.pk, revoked_at=utcnow(),
                                               revoked_by=revoked_by, reason=reason))
    except IntegrityError:
        raise CertificateConflict(f"certificate {record.number} is already revoked",
                            field="certificate_id") from None
    return get_certificate(engine, certificate_id)


def chain_ids(engine, certificate_id: str) -> list[str]:
    """PACT ids of ``certificate_id`` and all its predecessors, newest first."""
    out: list[str] = []
    with engine.connect() as conn:
        current = conn.execute(select(_certs.c.certificate_id, _certs.c.supersedes_pk)
                               .where(_certs.c.certificate_id == certificate_id)).first()
        while current is not None and len(out) < 1000:
            out.append(current.certificate_id)
            if current.supersedes_pk is None:
                break
            current = conn.execute(select(_certs.c.certificate_id, _certs.c.supersedes_pk)
                                   .where(_certs.c.id == current.supersedes_pk)).first()
    return out


__all__ = ["Certificate", "CertificateRevocation", "CertificateRecord", "OrderLineRecord",
           "SignedDocument", "STATUSES", "find_order_line", "get_certificate",
           "list_certificates", "create_certificate", "revoke_certificate", "chain_ids",
           "certificate_number"]
