"""Persistence of scored orders.

An order is stored whole or not at all: the order row and all its lines are written in one
transaction (:func:`pcf.store.db.write_connection`). Order ids are scoped per tenant (the
unique key is ``(tenant_id, order_id)``), so two tenants may both have an order ``"PO-1"``
and neither can see the other's.

Idempotency: each order keeps the SHA-256 of its canonical request (see
:func:`pcf.service.orders.request_digest`). :func:`save_order` with an existing
``(tenant, order_id)`` returns the stored order unchanged when the digest matches
(``created=False``) and raises
:class:`~pcf.errors.OrderConflict` when it differs. Two concurrent first submissions are
serialised by the unique constraint: the loser re-reads and answers like a resubmission.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from pcf.errors import OrderConflict, UnknownOrder
from pcf.store.db import write_connection
from pcf.store.models import Order, OrderLine, table, utcnow

_orders = table(Order)
_lines = table(OrderLine)


@dataclass
class LineRecord:
    """One scored line to store: identification, request values and the Footprint dict."""

    line_id: str
    product: str
    variant: str | None
    quantity: float
    unit: str
    footprint: dict[str, Any]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _iso(dt: datetime) -> str:
    # SQLite gives back naive datetimes; every stored time is UTC.
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def _order_document(order_id: str, created_at: datetime, database_version: str,
                    total: dict, lines: list[dict]) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "created_at": _iso(created_at),
        "database": {"version": database_version},
        "line_count": len(lines),
        "total": total,
        "lines": lines,
    }


def _find(conn, tenant_id: int, order_id: str):
    return conn.execute(
        select(_orders.c.id, _orders.c.request_sha256, _orders.c.created_at,
               _orders.c.database_version, _orders.c.total_json)
        .where(_orders.c.tenant_id == tenant_id, _orders.c.order_id == order_id)
    ).first()


def _load(conn, order_id: str, row) -> dict[str, Any]:
    lines = conn.execute(
        select(_lines.c.line_id, _lines.c.footprint_json)
        .where(_lines.c.order_pk == row.id)
        .order_by(_lines.c.position)
    ).all()
    docs = [{"line_id": r.line_id, "footprint": json.loads(r.footprint_json)} for r in lines]
    return _order_document(order_id, row.created_at, row.database_version,
                           json.loads(row.total_json), docs)


def save_order(engine: Engine, tenant_id: int, order_id: str, request_sha256: str,
               request: dict[str, Any], total: dict[str, float], database_version: str,
               lines: list[LineRecord]) -> tuple[dict[str, Any], bool]:
    """Store a scored order atomically, or return the stored one for a resubmission.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    tenant_id : int
        Owner; order ids are unique per tenant.
    order_id : str
        The client's order id.
    request_sha256 : str
        Digest of the canonical request (idempotency key together with ``order_id``).
    request : dict
        The normalised request, stored for audit.
    total : dict
        Order total ``{"total", "fossil", "biogenic", "land_use"}`` in kg CO2e.
    database_version : str
        ``database.version`` of the footprints.
    lines : list of LineRecord

    Returns
    -------
    (dict, bool)
        The order document (``order_id, created_at, database, line_count, total, lines``)
        and ``True`` if it was created now, ``False`` if an identical order was stored before.

    Raises
    ------
    StateConflict
        An order with this id exists for the tenant with a different request.
    """
    try:
        with write_connection(engine) as conn:
            existing = _find(conn, tenant_id, order_id)
            if existing is not None:
                return _replay(conn, order_id, request_sha256, existing), False
            created_at = utcnow()
            order_pk = conn.execute(
                _orders.insert().values(
                    tenant_id=tenant_id, order_id=order_id, request_sha256=request_sha256,
                    request_json=_dumps(request), total_json=_dumps(total),
                    line_count=len(lines), database_version=database_version,
                    created_at=created_at,
                ).returning(_orders.c.id)
            ).scalar_one()
            rows = []
            docs = []
            for position, line in enumerate(lines):
                rows.append({
                    "order_pk": order_pk, "position": position, "line_id": line.line_id,
                    "product": line.product, "variant": line.variant,
                    "quantity": line.quantity, "unit": line.unit,
                    "kg_co2e_total": line.footprint["total"]["total"],
                    "database_version": line.footprint["database"]["version"],
                    "footprint_json": _dumps(line.footprint),
                })
                docs.append({"line_id": line.line_id, "footprint": line.footprint})
            if rows:
                conn.execute(_lines.insert(), rows)
    except IntegrityError:
        # A concurrent request stored the same order id first (PostgreSQL READ COMMITTED).
        with engine.connect() as conn:
            existing = _find(conn, tenant_id, order_id)
            if existing is None:
                raise
            return _replay(conn, order_id, request_sha256, existing), False
    return _order_document(order_id, created_at, database_version, total, docs), True


def _replay(conn, order_id: str, request_sha256: str, existing) -> dict[str, Any]:
    if existing.request_sha256 != request_sha256:
        raise OrderConflict(
            f"order {order_id!r} exists with a different body; resubmit the identical body "
            "to read it back, or use a new order_id",
            field="order_id",
        )
    return _load(conn, order_id, existing)


def get_order(engine: Engine, tenant_id: int, order_id: str) -> dict[str, Any]:
    """Return the stored order document of ``tenant_id`` with id ``order_id``.

    Raises
    ------
    UnknownResource
        The tenant has no order with this id (another tenant's order is not visible).
    """
    with engine.connect() as conn:
        row = _find(conn, tenant_id, order_id)
        if row is None:
            raise UnknownOrder(f"no order {order_id!r}", field="order_id")
        return _load(conn, order_id, row)


def replay_order(engine: Engine, tenant_id: int, order_id: str,
                 request_sha256: str) -> dict[str, Any] | None:
    """Return the stored order document if the tenant already stored ``order_id`` with this
    request digest, None if it has no such order (a new order).

    Raises
    ------
    StateConflict
        The order id exists with another request digest (a different body).
    """
    with engine.connect() as conn:
        row = _find(conn, tenant_id, order_id)
        return None if row is None else _replay(conn, order_id, request_sha256, row)


def count_orders(engine: Engine, tenant_id: int | None = None) -> tuple[int, int]:
    """Return ``(orders, order_lines)`` stored (for one tenant or all); used by tests."""
    from sqlalchemy import func

    with engine.connect() as conn:
        q_orders = select(func.count()).select_from(_orders)
        q_lines = select(func.count()).select_from(_lines)
        if tenant_id is not None:
            q_orders = q_orders.where(_orders.c.tenant_id == tenant_id)
            q_lines = q_lines.join(_orders, _orders.c.id == _lines.c.order_pk).where(
                _orders.c.tenant_id == tenant_id)
        return conn.execute(q_orders).scalar_one(), conn.execute(q_lines).scalar_one()


def get_order_request(engine: Engine, tenant_id: int, order_id: str) -> dict[str, Any]:
    """Return the stored canonical request of an order (the parameters as given, for the
    spreadsheet download).

    Raises
    ------
    UnknownResource
        The tenant has no order with this id.
    """
    with engine.connect() as conn:
        row = conn.execute(
            select(_orders.c.request_json)
            .where(_orders.c.tenant_id == tenant_id, _orders.c.order_id == order_id)
        ).first()
    if row is None:
        raise UnknownOrder(f"no order {order_id!r}", field="order_id")
    return json.loads(row.request_json)


def list_orders(engine: Engine, tenant_id: int, limit: int,
                before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """Return one page of a tenant's orders, newest first, and the cursor of the next page.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    tenant_id : int
    limit : int
        Page size (> 0).
    before : int, optional
        Cursor from the previous page: only orders stored before that one.

    Returns
    -------
    (list of dict, int or None)
        Summaries ``{order_id, created_at, line_count, total, database}`` and the cursor of
        the next page (None on the last page).
    """
    query = (select(_orders.c.id, _orders.c.order_id, _orders.c.created_at,
                    _orders.c.line_count, _orders.c.total_json, _orders.c.database_version)
             .where(_orders.c.tenant_id == tenant_id))
    if before is not None:
        query = query.where(_orders.c.id < before)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(_orders.c.id.desc()).limit(limit + 1)).all()
    page = [{"order_id": r.order_id, "created_at": _iso(r.created_at),
             "line_count": r.line_count, "total": json.loads(r.total_json),
             "database": {"version": r.database_version}} for r in rows[:limit]]
    return page, (rows[limit - 1].id if len(rows) > limit else None)
