"""Persistence of supplier-specific footprints and of the supplier keys pcf trusts (issue 15).

Tables (on :class:`pcf.store.models.Base`; created by migration ``0115_suppliers``)
------
``supplier_footprints``
    One supplier figure for one replaceable input (:mod:`pcf.supplier_inputs`), company and
    reporting year: the share of the input it covers, kg CO2e per kg with its fossil, biogenic
    and land-use parts, boundary, reference period and validity, primary data share, data
    quality, verification status, how it came in (``pact-json``, ``pcf-certificate``,
    ``questionnaire``, ``pact-pull``) and from where, the document as received and its
    SHA-256, and the flags the checks raised. The same document stored again for the same
    company, year and input is recognised (``source_sha256``), not stored twice.
``supplier_keys``
    Ed25519 public keys of suppliers whose pcf certificates are accepted (``pcf suppliers
    trust``), by name and key id.

The covered shares of one company, year and input never add up to more than 1: checked in the
write transaction that stores new records (:func:`save_records`).
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from pcf.errors import SupplierFootprintConflict, UnknownSupplierFootprint
from pcf.store.db import write_connection
from pcf.store.models import Base, BigIntPK, aware_utc, table, utcnow

SHARE_TOLERANCE = 1e-9
"""Covered shares may add up to 1 + this (float sums)."""


class SupplierFootprint(Base):
    """A stored supplier figure (see the module docstring)."""

    __tablename__ = "supplier_footprints"
    __table_args__ = (UniqueConstraint("company", "year", "input", "source_sha256",
                                       name="uq_supplier_footprints_document"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    company: Mapped[str] = mapped_column(String(100), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    input: Mapped[str] = mapped_column(String(40), nullable=False)
    supplier: Mapped[str] = mapped_column(String(300), nullable=False)
    share: Mapped[float] = mapped_column(Float, nullable=False)
    kg_co2e_total: Mapped[float] = mapped_column(Float, nullable=False)
    kg_co2e_fossil: Mapped[float] = mapped_column(Float, nullable=False)
    kg_co2e_biogenic: Mapped[float] = mapped_column(Float, nullable=False)
    kg_co2e_land_use: Mapped[float] = mapped_column(Float, nullable=False)
    declared_unit: Mapped[str] = mapped_column(String(40), nullable=False)
    boundary: Mapped[str] = mapped_column(String(40), nullable=False)
    reference_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reference_end: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    primary_data_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    verification: Mapped[str] = mapped_column(String(40), nullable=False)
    way_in: Mapped[str] = mapped_column(String(20), nullable=False)
    pf_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    detail_json: Mapped[str] = mapped_column(Text, nullable=False)
    source_document: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class SupplierKey(Base):
    """A supplier's Ed25519 public key whose certificates pcf accepts."""

    __tablename__ = "supplier_keys"
    __table_args__ = (UniqueConstraint("name", name="uq_supplier_keys_name"),
                      UniqueConstraint("key_id", name="uq_supplier_keys_key_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    public_key: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


_records = table(SupplierFootprint)
_keys = table(SupplierKey)

COLUMNS = ("company", "year", "input", "supplier", "share", "kg_co2e_total", "kg_co2e_fossil",
           "kg_co2e_biogenic", "kg_co2e_land_use", "declared_unit", "boundary",
           "reference_start", "reference_end", "valid_until", "primary_data_share",
           "verification", "way_in", "pf_id", "source_sha256", "detail", "source_document",
           "created_by")
"""Keys of a new record given to :func:`save_records` (``detail`` is any JSON object)."""


@dataclass(frozen=True)
class SupplierRecord:
    """A stored supplier figure as plain values (see :class:`SupplierFootprint`)."""

    record_id: str
    company: str
    year: int
    input: str
    supplier: str
    share: float
    kg_co2e: dict
    declared_unit: str
    boundary: str
    reference_start: datetime
    reference_end: datetime
    valid_until: datetime
    primary_data_share: float | None
    verification: str
    way_in: str
    pf_id: str | None
    source_sha256: str
    detail: dict
    source_document: str
    created_at: datetime
    created_by: str

    @classmethod
    def from_row(cls, row) -> SupplierRecord:
        """Build from a ``supplier_footprints`` row."""
        return cls(
            record_id=row.record_id, company=row.company, year=int(row.year), input=row.input,
            supplier=row.supplier, share=float(row.share),
            kg_co2e={"total": row.kg_co2e_total, "fossil": row.kg_co2e_fossil,
                     "biogenic": row.kg_co2e_biogenic, "land_use": row.kg_co2e_land_use},
            declared_unit=row.declared_unit, boundary=row.boundary,
            reference_start=aware_utc(row.reference_start),
            reference_end=aware_utc(row.reference_end),
            valid_until=aware_utc(row.valid_until), primary_data_share=row.primary_data_share,
            verification=row.verification, way_in=row.way_in, pf_id=row.pf_id,
            source_sha256=row.source_sha256, detail=json.loads(row.detail_json),
            source_document=row.source_document, created_at=aware_utc(row.created_at),
            created_by=row.created_by)


def _covered(conn, company: str, year: int, input_id: str) -> float:
    value = conn.execute(select(func.coalesce(func.sum(_records.c.share), 0.0)).where(
        _records.c.company == company, _records.c.year == year,
        _records.c.input == input_id)).scalar_one()
    return float(value)


def _existing(conn, record: dict) -> SupplierRecord | None:
    row = conn.execute(select(_records).where(
        _records.c.company == record["company"], _records.c.year == record["year"],
        _records.c.input == record["input"],
        _records.c.source_sha256 == record["source_sha256"])).first()
    return None if row is None else SupplierRecord.from_row(row)


def save_records(engine, records: list[dict[str, Any]]) -> list[tuple[SupplierRecord, bool]]:
    """Store new supplier figures, all or none.

    A record whose document (``source_sha256``) is already stored for the same company, year
    and input is not stored again: the stored one is returned with ``False``.

    Parameters
    ----------
    records : list of dict
        Each with the keys :data:`COLUMNS`.

    Returns
    -------
    list of (SupplierRecord, bool)
        In order; True when stored now.

    Raises
    ------
    SupplierFootprintConflict
        With the new records the covered shares of a company, year and input would add up to
        more than 1 (nothing is stored).
    """
    out: list[tuple[SupplierRecord, bool]] = []
    with write_connection(engine) as conn:
        added: dict[tuple[str, int, str], float] = {}
        for record in records:
            existing = _existing(conn, record)
            if existing is not None:
                out.append((existing, False))
                continue
            key = (record["company"], int(record["year"]), record["input"])
            if key not in added:
                added[key] = _covered(conn, *key)
            added[key] += float(record["share"])
            if added[key] > 1.0 + SHARE_TOLERANCE:
                raise SupplierFootprintConflict(
                    f"the supplier figures of {record['input']} for {record['company']} "
                    f"{record['year']} would cover {added[key]:.4g} of the input (more than "
                    "all of it): give smaller shares (--share) or remove a stored figure "
                    "(pcf suppliers remove ID)", field="share", allowed="sum of shares <= 1")
            values = {k: record[k] for k in COLUMNS if k not in ("detail",)}
            values["detail_json"] = json.dumps(record["detail"], sort_keys=True,
                                               ensure_ascii=False, default=str)
            values["record_id"] = str(uuid.uuid4())
            values["created_at"] = utcnow()
            conn.execute(_records.insert().values(**values))
            row = conn.execute(select(_records).where(
                _records.c.record_id == values["record_id"])).one()
            out.append((SupplierRecord.from_row(row), True))
    return out


def list_records(engine, company: str | None = None, year: int | None = None,
                 input_id: str | None = None) -> list[SupplierRecord]:
    """Stored records, filtered, by company, year, input and creation."""
    query = select(_records)
    if company is not None:
        query = query.where(_records.c.company == company)
    if year is not None:
        query = query.where(_records.c.year == year)
    if input_id is not None:
        query = query.where(_records.c.input == input_id)
    query = query.order_by(_records.c.company, _records.c.year, _records.c.input, _records.c.id)
    with engine.connect() as conn:
        return [SupplierRecord.from_row(r) for r in conn.execute(query)]


def get_record(engine, record_id: str) -> SupplierRecord:
    """One record by id.

    Raises
    ------
    UnknownSupplierFootprint
    """
    with engine.connect() as conn:
        row = conn.execute(select(_records).where(_records.c.record_id == record_id)).first()
    if row is None:
        raise UnknownSupplierFootprint(f"no supplier footprint {record_id!r}", field="id")
    return SupplierRecord.from_row(row)


def delete_record(engine, record_id: str) -> SupplierRecord:
    """Remove a record (a figure stored by mistake); returns what was removed.

    Raises
    ------
    UnknownSupplierFootprint
    """
    record = get_record(engine, record_id)
    with write_connection(engine) as conn:
        conn.execute(_records.delete().where(_records.c.record_id == record_id))
    return record


# --------------------------------------------------------------------------- keys


def add_key(engine, name: str, key_id: str, public_key: str, created_by: str) -> dict:
    """Register a trusted supplier key.

    Raises
    ------
    SupplierFootprintConflict
        The name or the key is registered already.
    """
    with write_connection(engine) as conn:
        taken = conn.execute(select(_keys.c.name, _keys.c.key_id).where(
            (_keys.c.name == name) | (_keys.c.key_id == key_id))).first()
        if taken is not None:
            raise SupplierFootprintConflict(
                f"key {taken.key_id} is registered as {taken.name!r}; remove it first "
                "(pcf suppliers trust --remove NAME)", field="name")
        conn.execute(_keys.insert().values(name=name, key_id=key_id, public_key=public_key,
                                           created_at=utcnow(), created_by=created_by))
    return {"name": name, "key_id": key_id, "public_key": public_key}


def remove_key(engine, name: str) -> bool:
    """Forget a trusted key; True if it was registered."""
    with write_connection(engine) as conn:
        result = conn.execute(_keys.delete().where(_keys.c.name == name))
    return bool(result.rowcount)


def list_keys(engine) -> list[dict[str, Any]]:
    """Trusted keys: ``[{"name", "key_id", "public_key", "created_at", "created_by"}]``."""
    with engine.connect() as conn:
        rows = conn.execute(select(_keys).order_by(_keys.c.name)).all()
    return [{"name": r.name, "key_id": r.key_id, "public_key": r.public_key,
             "created_at": aware_utc(r.created_at), "created_by": r.created_by} for r in rows]


def covered_share(engine, company: str, year: int, input_id: str) -> float:
    """Sum of the stored covered shares of one company, year and input (0..1)."""
    with engine.connect() as conn:
        value = _covered(conn, company, year, input_id)
    return value if math.isfinite(value) else 0.0
