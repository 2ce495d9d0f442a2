"""Persistence of the PACT exchange: callback hosts, received events, requests to answer.

Tables (on :class:`pcf.store.models.Base`; created by migration ``0113_pact``)
------
``pact_callback_hosts``
    Per tenant, the origins (``scheme://host:port``) pcf may send PACT callbacks to, each
    with the client credentials registered for it (the secret encrypted by the caller,
    :mod:`pcf.pact.secrets`).
``pact_events``
    Every event a tenant sent to ``POST /3/events`` (type, id, source, body), once per
    ``(tenant, source, id)``: a repeated event is recognised, not processed twice.
``pact_requests``
    The RequestCreatedEvents to answer: their state (``received`` -> ``fulfilled`` or
    ``rejected`` once the answer is built -> ``delivered``, or ``abandoned`` after 72 h of
    failed deliveries), the answer event, the certificates issued for it, attempts, the next
    attempt time, the last error, and a claim so that one server process works on a request
    at a time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from pcf.errors import UnknownResource
from pcf.store.db import write_connection
from pcf.store.models import ApiKey, Base, BigIntPK, Tenant, aware_utc, table, utcnow
from pcf.store.tenants import TenantInfo, hash_key

REQUEST_STATES = ("received", "fulfilled", "rejected", "delivered", "abandoned")
"""States of a request: answer not built yet; answer built (fulfilled or rejected) and being
delivered; delivered; given up."""


class PactCallbackHost(Base):
    """An origin a tenant's PACT callbacks may go to, with the credentials to use there."""

    __tablename__ = "pact_callback_hosts"
    __table_args__ = (UniqueConstraint("tenant_id", "origin", name="uq_pact_callback_origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE", name="fk_pact_callback_hosts_tenant"),
        nullable=False)
    origin: Mapped[str] = mapped_column(String(300), nullable=False)
    client_id: Mapped[str] = mapped_column(String(300), nullable=False)
    client_secret_enc: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class PactEvent(Base):
    """An event received at ``POST /3/events``."""

    __tablename__ = "pact_events"
    __table_args__ = (UniqueConstraint("tenant_id", "source", "event_id",
                                       name="uq_pact_events_source_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE", name="fk_pact_events_tenant"),
        nullable=False)
    event_id: Mapped[str] = mapped_column(String(300), nullable=False)
    source: Mapped[str] = mapped_column(String(1000), nullable=False)
    type: Mapped[str] = mapped_column(String(120), nullable=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    body_json: Mapped[str] = mapped_column(Text, nullable=False)


class PactRequest(Base):
    """A RequestCreatedEvent to answer, and the delivery of its answer."""

    __tablename__ = "pact_requests"
    __table_args__ = (Index("ix_pact_requests_due", "state", "next_attempt_at"),
                      Index("ix_pact_requests_tenant", "tenant_id"))

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE", name="fk_pact_requests_tenant"),
        nullable=False)
    event_pk: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("pact_events.id", ondelete="CASCADE",
                             name="fk_pact_requests_event"), unique=True, nullable=False)
    request_event_id: Mapped[str] = mapped_column(String(300), nullable=False)
    callback_url: Mapped[str] = mapped_column(String(1100), nullable=False)
    origin: Mapped[str] = mapped_column(String(300), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False)
    response_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    certificate_ids: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)


_hosts = table(PactCallbackHost)
_events = table(PactEvent)
_requests = table(PactRequest)
_keys = table(ApiKey)
_tenants = table(Tenant)


# --------------------------------------------------------------------------- clients


def authenticate_client(engine, name: str, secret: str) -> tuple[TenantInfo, int] | None:
    """The tenant called ``name`` whose unrevoked API key is ``secret``, and the key's id.

    Returns
    -------
    (TenantInfo, int) or None
        None when the name and key do not belong together (or the key is revoked or
        expired).
    """
    if not name or not secret or len(secret) > 200 or len(name) > 200:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(_tenants.c.id, _tenants.c.name, _tenants.c.role, _tenants.c.created_at,
                   _keys.c.id.label("key_id"))
            .join(_keys, _keys.c.tenant_id == _tenants.c.id)
            .where(_keys.c.key_hash == hash_key(secret), _keys.c.revoked_at.is_(None),
                   or_(_keys.c.expires_at.is_(None), _keys.c.expires_at > utcnow()),
                   _tenants.c.name == name)
        ).first()
    if row is None:
        return None
    return TenantInfo(row.id, row.name, row.role, row.created_at), int(row.key_id)


# --------------------------------------------------------------------------- callback hosts


def set_callback_host(engine, tenant_id: int, origin: str, client_id: str,
                      client_secret_enc: str) -> None:
    """Allow ``origin`` for the tenant's callbacks with these credentials (replacing any
    registered for the same origin)."""
    with write_connection(engine) as conn:
        conn.execute(_hosts.delete().where(_hosts.c.tenant_id == tenant_id,
                                           _hosts.c.origin == origin))
        conn.execute(_hosts.insert().values(tenant_id=tenant_id, origin=origin,
                                            client_id=client_id,
                                            client_secret_enc=client_secret_enc,
                                            created_at=utcnow()))


def remove_callback_host(engine, tenant_id: int, origin: str) -> bool:
    """Disallow ``origin``; True if it was allowed."""
    with write_connection(engine) as conn:
        result = conn.execute(_hosts.delete().where(_hosts.c.tenant_id == tenant_id,
                                                    _hosts.c.origin == origin))
    return bool(result.rowcount)


def callback_hosts(engine, tenant_id: int) -> list[dict[str, Any]]:
    """The tenant's allowed origins: ``[{"origin", "client_id", "created_at"}]`` (no
    secrets), by origin."""
    with engine.connect() as conn:
        rows = conn.execute(select(_hosts.c.origin, _hosts.c.client_id, _hosts.c.created_at)
                            .where(_hosts.c.tenant_id == tenant_id)
                            .order_by(_hosts.c.origin)).all()
    return [{"origin": r.origin, "client_id": r.client_id,
             "created_at": aware_utc(r.created_at)} for r in rows]


def callback_credentials(engine, tenant_id: int, origin: str) -> tuple[str, str] | None:
    """``(client_id, encrypted secret)`` registered for the tenant's ``origin``, or None
    (not allowed)."""
    with engine.connect() as conn:
        row = conn.execute(select(_hosts.c.client_id, _hosts.c.client_secret_enc)
                           .where(_hosts.c.tenant_id == tenant_id,
                                  _hosts.c.origin == origin)).first()
    return None if row is None else (row.client_id, row.client_secret_enc)


# --------------------------------------------------------------------------- events


def record_event(engine, tenant_id: int, event_id: str, source: str, kind: str,
                 body: dict, request: dict[str, str] | None = None) -> tuple[int, bool]:
    """Store a received event (and, for a request, the request to answer) in one
    transaction.

    Parameters
    ----------
    request : dict, optional
        ``{"callback_url", "origin"}`` for a RequestCreatedEvent.

    Returns
    -------
    (int, bool)
        The event's row id and True if it is new (False: the same tenant already sent an
        event with this source and id; nothing is stored).
    """
    now = utcnow()
    try:
        with write_connection(engine) as conn:
            pk = conn.execute(_events.insert().values(
                tenant_id=tenant_id, event_id=event_id, source=source, type=kind,
                received_at=now, body_json=json.dumps(body, ensure_ascii=False)
            ).returning(_events.c.id)).scalar_one()
            if request is not None:
                conn.execute(_requests.insert().values(
                    tenant_id=tenant_id, event_pk=pk, request_event_id=event_id,
                    callback_url=request["callback_url"], origin=request["origin"],
                    state="received", attempts=0, next_attempt_at=now, received_at=now,
                    updated_at=now))
    except IntegrityError:
        with engine.connect() as conn:
            pk = conn.execute(select(_events.c.id).where(
                _events.c.tenant_id == tenant_id, _events.c.source == source,
                _events.c.event_id == event_id)).scalar_one()
        return int(pk), False
    return int(pk), True


def list_events(engine, tenant_id: int | None, limit: int = 100) -> list[dict[str, Any]]:
    """Received events, newest first: ``[{"id", "tenant", "type", "event_id", "source",
    "received_at", "body"}]``."""
    query = (select(_events, _tenants.c.name.label("tenant"))
             .join(_tenants, _tenants.c.id == _events.c.tenant_id)
             .order_by(_events.c.id.desc()).limit(limit))
    if tenant_id is not None:
        query = query.where(_events.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [{"id": r.id, "tenant": r.tenant, "type": r.type, "event_id": r.event_id,
             "source": r.source, "received_at": aware_utc(r.received_at),
             "body": json.loads(r.body_json)} for r in rows]


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class RequestRecord:
    """A request to answer (see the module docstring for ``state``)."""

    id: int
    tenant_id: int
    tenant: str
    request_event_id: str
    callback_url: str
    origin: str
    state: str
    request: dict
    response: dict | None
    certificate_ids: list[str]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    received_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


def _request_query():
    return (select(_requests, _tenants.c.name.label("tenant"),
                   _events.c.body_json.label("request_json"))
            .join(_tenants, _tenants.c.id == _requests.c.tenant_id)
            .join(_events, _events.c.id == _requests.c.event_pk))


def _request(row) -> RequestRecord:
    return RequestRecord(
        id=int(row.id), tenant_id=row.tenant_id, tenant=row.tenant,
        request_event_id=row.request_event_id, callback_url=row.callback_url,
        origin=row.origin, state=row.state, request=json.loads(row.request_json),
        response=json.loads(row.response_json) if row.response_json else None,
        certificate_ids=json.loads(row.certificate_ids) if row.certificate_ids else [],
        attempts=row.attempts, next_attempt_at=aware_utc(row.next_attempt_at),
        last_error=row.last_error, received_at=aware_utc(row.received_at),
        updated_at=aware_utc(row.updated_at), delivered_at=aware_utc(row.delivered_at))


MAX_ROW_ID = 2**63 - 1
"""Largest integer primary key SQLite and PostgreSQL (BIGINT) hold."""


def get_request(engine, request_id: int, tenant_id: int | None = None) -> RequestRecord:
    """Request ``request_id`` (of ``tenant_id`` when given).

    Raises
    ------
    UnknownResource
        ``field="request_id"``.
    """
    if not 0 < request_id <= MAX_ROW_ID:  # a larger id is no row (and overflows SQLite)
        raise UnknownResource(f"no PACT request {request_id}", field="request_id")
    query = _request_query().where(_requests.c.id == request_id)
    if tenant_id is not None:
        query = query.where(_requests.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise UnknownResource(f"no PACT request {request_id}", field="request_id")
    return _request(row)


def list_requests(engine, tenant_id: int | None, limit: int = 100) -> list[RequestRecord]:
    """Requests, newest first (of one tenant, or all)."""
    query = _request_query().order_by(_requests.c.id.desc()).limit(limit)
    if tenant_id is not None:
        query = query.where(_requests.c.tenant_id == tenant_id)
    with engine.connect() as conn:
        return [_request(r) for r in conn.execute(query).all()]


def claim_due(engine, now: datetime, lease_seconds: float = 300.0,
              limit: int = 20) -> list[int]:
    """Claim requests whose work is due (state ``received``, ``fulfilled`` or ``rejected``
    and ``next_attempt_at <= now``) and not claimed by another process; the claim lasts
    ``lease_seconds``.

    Returns
    -------
    list of int
        Ids of the requests this caller now holds.
    """
    until = now + timedelta(seconds=lease_seconds)
    with engine.connect() as conn:
        ids = conn.execute(
            select(_requests.c.id)
            .where(_requests.c.state.in_(("received", "fulfilled", "rejected")),
                   _requests.c.next_attempt_at <= now,
                   or_(_requests.c.claimed_until.is_(None), _requests.c.claimed_until < now))
            .order_by(_requests.c.next_attempt_at).limit(limit)).scalars().all()
    claimed = []
    for request_id in ids:
        with write_connection(engine) as conn:
            result = conn.execute(
                update(_requests)
                .where(_requests.c.id == request_id,
                       or_(_requests.c.claimed_until.is_(None),
                           _requests.c.claimed_until < now))
                .values(claimed_until=until))
        if result.rowcount == 1:
            claimed.append(int(request_id))
    return claimed


def next_due(engine) -> datetime | None:
    """Earliest ``next_attempt_at`` of unfinished requests (None if there are none)."""
    with engine.connect() as conn:
        value = conn.execute(
            select(_requests.c.next_attempt_at)
            .where(_requests.c.state.in_(("received", "fulfilled", "rejected")))
            .order_by(_requests.c.next_attempt_at).limit(1)).scalar()
    return aware_utc(value)


def update_request(engine, request_id: int, *, release: bool = True, **values: Any) -> None:
    """Update a request's state fields (``state``, ``response``, ``certificate_ids``,
    ``attempts``, ``next_attempt_at``, ``last_error``, ``delivered_at``); ``release`` ends
    the claim."""
    if "response" in values:
        response = values.pop("response")
        values["response_json"] = None if response is None else json.dumps(response,
                                                                            ensure_ascii=False)
    if "certificate_ids" in values:
        values["certificate_ids"] = json.dumps(values["certificate_ids"])
    values["updated_at"] = utcnow()
    if release:
        values["claimed_until"] = None
    with write_connection(engine) as conn:
        conn.execute(update(_requests).where(_requests.c.id == request_id).values(**values))


__all__ = ["PactCallbackHost", "PactEvent", "PactRequest", "RequestRecord", "REQUEST_STATES",
           "authenticate_client", "set_callback_host",
           "remove_callback_host", "callback_hosts", "callback_credentials", "record_event",
           "list_events", "get_request", "list_requests", "claim_due", "next_due",
           "update_request"]
