"""SQLAlchemy 2 ORM tables of the application database.

The schema is owned by the Alembic migrations in :mod:`pcf.store.migrations`; these classes
mirror it for queries. Any change here needs a new migration
(``alembic revision --autogenerate`` with ``script_location = pcf.store:migrations``).

Tables
------
``tenants``
    An API client (a customer company, an engineering team, an administrator) with one role.
``api_keys``
    Keys of a tenant, stored as the SHA-256 hex digest of the key (the key itself is shown
    once, at creation, and never stored).
``orders``
    One scored order per ``(tenant_id, order_id)``: order ids are scoped per tenant. Keeps the
    SHA-256 of the canonical request body (for idempotent replays and 409 conflicts), the
    order total and the database version used.
``order_lines``
    The lines of an order in submission order: inputs, requested parameters, quantity in the
    declared unit, line totals and the number of the order footprint they use (orders stored
    before revision 0201 carry a whole Footprint per line in ``footprint_json`` instead).
``order_footprints``
    The distinct footprints per declared unit of an order (product, variant, resolved
    parameters, per-unit parts, stages, contributions, database version), once each.
``order_line_usage``
    Order lines accepted per tenant and UTC day, checked against the daily quota.
``order_jobs``
    Orders scored off the request path: the request, state, lease and outcome.
``rate_limit_counters``
    Fixed-window request counters (the rate limits; see :mod:`pcf.store.ratelimit`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast, overload

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

"""Tenant roles, least to most privileged."""

BigIntPK = BigInteger().with_variant(Integer, "sqlite")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


@overload
def aware_utc(dt: datetime) -> datetime: ...
@overload
def aware_utc(dt: None) -> None: ...
def aware_utc(dt: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite returns naive datetimes; every time pcf
    stores is UTC); None stays None."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of pcf's application tables."""


def table(model: type[Base]) -> Table:
    """Return the Core :class:`~sqlalchemy.Table` of a mapped class.

    ``Model.__table__`` is typed as a ``FromClause`` (no ``insert()``/``update()``); every pcf
    model declares ``__tablename__``, so at run time it is this very ``Table``.
    """
    return cast(Table, model.__table__)


class Tenant(Base):
    """An API client with a role (``customer``, ``engineer`` or ``admin``)."""

    __tablename__ = "tenants"
    __table_args__ = (
        UniqueConstraint("name", name="uq_tenants_name"),
        CheckConstraint("role IN ('customer', 'engineer', 'admin')", name="ck_tenants_role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False)
    rate_limit: Mapped[str | None] = mapped_column(String(100), nullable=True)
    daily_order_lines: Mapped[int | None] = mapped_column(Integer, nullable=True)

    keys: Mapped[list[ApiKey]] = relationship(back_populates="tenant",
                                              cascade="all, delete-orphan")


class ApiKey(Base):
    """An API key of a tenant, stored as ``sha256(key)`` in hex; ``prefix`` identifies it."""

    __tablename__ = "api_keys"
    __table_args__ = (UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE", name="fk_api_keys_tenant"),
        nullable=False, index=True)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)

    tenant: Mapped[Tenant] = relationship(back_populates="keys")


class Order(Base):
    """A stored, scored order; unique per ``(tenant_id, order_id)``."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("tenant_id", "order_id", name="uq_orders_tenant_order"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE", name="fk_orders_tenant"), nullable=False)
    order_id: Mapped[str] = mapped_column(String(128), nullable=False)
    request_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    request_json: Mapped[str] = mapped_column(Text, nullable=False)
    total_json: Mapped[str] = mapped_column(Text, nullable=False)
    line_count: Mapped[int] = mapped_column(Integer, nullable=False)
    database_version: Mapped[str] = mapped_column(String(128), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 nullable=False)


class OrderLine(Base):
    """One line of a stored order (its own values; the footprint per declared unit is in
    :class:`OrderFootprint` number ``footprint_number``)."""

    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_pk", "line_id", name="uq_order_lines_order_line"),
        Index("ix_order_lines_order_position", "order_pk", "position"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    order_pk: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("orders.id", ondelete="CASCADE", name="fk_order_lines_order"),
        nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    line_id: Mapped[str] = mapped_column(String(128), nullable=False)
    product: Mapped[str] = mapped_column(String(100), nullable=False)
    variant: Mapped[str | None] = mapped_column(String(100), nullable=True)
    quantity: Mapped[float] = mapped_column(Float, nullable=False)
    unit: Mapped[str] = mapped_column(String(32), nullable=False)
    kg_co2e_total: Mapped[float] = mapped_column(Float, nullable=False)
    database_version: Mapped[str] = mapped_column(String(128), nullable=False)
    footprint_json: Mapped[str] = mapped_column(Text, nullable=False)  # "" since 0201
    footprint_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parameters_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    quantity_in_declared_unit: Mapped[float | None] = mapped_column(Float, nullable=True)
    kg_co2e_fossil: Mapped[float | None] = mapped_column(Float, nullable=True)
    kg_co2e_biogenic: Mapped[float | None] = mapped_column(Float, nullable=True)
    kg_co2e_land_use: Mapped[float | None] = mapped_column(Float, nullable=True)


class OrderFootprint(Base):
    """A distinct footprint per declared unit of an order, stored once."""

    __tablename__ = "order_footprints"

    order_pk: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("orders.id", ondelete="CASCADE", name="fk_order_footprints_order"),
        primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    footprint_json: Mapped[str] = mapped_column(Text, nullable=False)


class OrderLineUsage(Base):
    """Order lines a tenant had accepted on one UTC day (the daily quota)."""

    __tablename__ = "order_line_usage"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE", name="fk_order_line_usage_tenant"),
        primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    lines: Mapped[int] = mapped_column(Integer, nullable=False)


class OrderJob(Base):
    """An order scored off the request path (``Prefer: respond-async``)."""

    __tablename__ = "order_jobs"
    __table_args__ = (
        UniqueConstraint("job_id", name="uq_order_jobs_job_id"),
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')",
                        name="ck_order_jobs_state"),
        Index("ix_order_jobs_state", "state", "id"),
        Index("ix_order_jobs_tenant_state", "tenant_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(36), nullable=False)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE", name="fk_order_jobs_tenant"),
        nullable=False)
    order_id: Mapped[str] = mapped_column(String(128), nullable=False)
    request_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    request_json: Mapped[str] = mapped_column(Text, nullable=False)
    line_count: Mapped[int] = mapped_column(Integer, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class RateLimitCounter(Base):
    """A fixed-window request counter: ``key`` -> ``count`` until ``expires_at`` (epoch s)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False)
