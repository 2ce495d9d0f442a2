"""Persistence of scored orders, stored in proportion to what they hold.

An order is stored whole or not at all: the order row, its distinct footprints and all its
lines are written in one transaction (:func:`pcf.store.db.write_connection`). Order ids are
scoped per tenant (the unique key is ``(tenant_id, order_id)``), so two tenants may both have
an order ``"PO-1"`` and neither can see the other's.

Storage (since revision 0201). A line's Footprint is the footprint per declared unit of its
(product, variant, parameters) with the line's quantity applied::

    Footprint(line) = footprint_per_declared_unit(product, variant, parameters)
                      + {quantity, quantity_unit, quantity_in_declared_unit,
                         total_k = per_declared_unit_k * quantity_in_declared_unit}

so each distinct footprint per declared unit is stored once per order (``order_footprints``:
resolved parameters, per-unit parts, stages, contributions, method, database version) and a
line stores only its own values (``order_lines``: ids, inputs, requested parameters, quantity
in the declared unit, line totals, the footprint number). A 5,000-line order of 21 distinct
settings stores 21 footprints and 5,000 short rows instead of 5,000 Footprints (~32 MB). The
full Footprint of any line is rebuilt exactly (same numbers, same key order) from those rows.
Orders stored before 0201 keep a Footprint per line in ``order_lines.footprint_json``.

Documents are answered a page of lines at a time (:data:`DEFAULT_PAGE_LINES` by default), so
the answer to a 5,000-line order stays under 2 MB; ``line_count`` is always the whole order.

Idempotency: each order keeps the SHA-256 of its canonical request (see
:func:`pcf.service.orders.request_digest`). :func:`save_order` with an existing
``(tenant, order_id)`` returns the stored order unchanged when the digest matches
(``created=False``) and raises :class:`~pcf.errors.OrderConflict` when it differs. Two
concurrent first submissions are serialised by the unique constraint: the loser re-reads and
answers like a resubmission.

Daily quota: the lines an order adds are counted in ``order_line_usage`` (tenant, UTC day)
inside the same transaction, so a refused order stores nothing and counts nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from pcf.errors import OrderConflict, QuotaExceeded, UnknownOrder, UnknownOrderLine
from pcf.store.db import upsert_add, write_connection
from pcf.store.models import (
    Order,
    OrderFootprint,
    OrderLine,
    OrderLineUsage,
    table,
    utcnow,
)

_orders = table(Order)
_lines = table(OrderLine)
_footprints = table(OrderFootprint)
_usage = table(OrderLineUsage)

DEFAULT_PAGE_LINES = 100
"""Lines in one page of an order document unless the caller asks for another page size
(100 Footprints of the largest product, ~11 KB each, stay near 1 MB)."""
MAX_PAGE_LINES = 1000
"""Largest page size a caller may ask for."""
PARTS = ("total", "fossil", "biogenic", "land_use")


@dataclass
class LineRecord:
    """One scored line to store: the line's own values; its footprint per declared unit is
    ``footprints[footprint_number]`` of the order.

    Attributes
    ----------
    line_id, product : str
    variant : str or None
    quantity : float
        In ``unit``.
    unit : str
    footprint_number : int
        Index into the order's distinct footprints.
    quantity_in_declared_unit : float
    totals : dict
        Line total by part, kg CO2e.
    parameters : dict
        The parameters requested for this line (canonical values; may be empty).
    """

    line_id: str
    product: str
    variant: str | None
    quantity: float
    unit: str
    footprint_number: int
    quantity_in_declared_unit: float
    totals: dict[str, float]
    parameters: dict[str, Any] = field(default_factory=dict)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _iso(dt: datetime) -> str:
    # SQLite gives back naive datetimes; every stored time is UTC.
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat()


def line_footprint(base: dict[str, Any], quantity: float, unit: str,
                   quantity_in_declared_unit: float, totals: dict[str, float]) -> dict[str, Any]:
    """Return the Footprint of a line from its footprint per declared unit (``base``).

    The same construction as when the order was scored (same key order), so a stored line
    reads back exactly as it was answered.
    """
    fp = dict(base)
    fp["quantity"] = quantity
    fp["quantity_unit"] = unit
    fp["quantity_in_declared_unit"] = quantity_in_declared_unit
    fp["total"] = totals
    return fp


def check_page(offset: int, limit: int | None) -> tuple[int, int]:
    """Return ``(offset, limit)`` of a page of lines, the limit clamped to 1..MAX."""
    limit = DEFAULT_PAGE_LINES if limit is None else max(1, min(int(limit), MAX_PAGE_LINES))
    return max(0, int(offset)), limit


def _document(order_id: str, created_at: datetime, database_version: str, total: dict,
              line_count: int, lines: list[dict], offset: int, limit: int) -> dict[str, Any]:
    next_offset = offset + limit if offset + limit < line_count else None
    return {
        "order_id": order_id,
        "created_at": _iso(created_at),
        "database": {"version": database_version},
        "line_count": line_count,
        "total": total,
        "lines": lines,
        "lines_page": {"offset": offset, "limit": limit, "returned": len(lines),
                       "next_offset": next_offset},
    }


def _find(conn, tenant_id: int, order_id: str):
    return conn.execute(
        select(_orders.c.id, _orders.c.request_sha256, _orders.c.created_at,
               _orders.c.database_version, _orders.c.total_json, _orders.c.line_count)
        .where(_orders.c.tenant_id == tenant_id, _orders.c.order_id == order_id)
    ).first()


_LINE_COLUMNS = (_lines.c.line_id, _lines.c.quantity, _lines.c.unit, _lines.c.footprint_json,
                 _lines.c.footprint_number, _lines.c.quantity_in_declared_unit,
                 _lines.c.kg_co2e_total, _lines.c.kg_co2e_fossil, _lines.c.kg_co2e_biogenic,
                 _lines.c.kg_co2e_land_use)


def _footprints_of(conn, order_pk: int, numbers: set[int]) -> dict[int, dict]:
    if not numbers:
        return {}
    rows = conn.execute(
        select(_footprints.c.number, _footprints.c.footprint_json)
        .where(_footprints.c.order_pk == order_pk, _footprints.c.number.in_(sorted(numbers)))
    ).all()
    return {r.number: json.loads(r.footprint_json) for r in rows}


def _line_footprints(conn, order_pk: int, rows: Sequence[Any]) -> list[dict[str, Any]]:
    bases = _footprints_of(conn, order_pk, {r.footprint_number for r in rows
                                            if not r.footprint_json})
    out = []
    for r in rows:
        if r.footprint_json:  # stored before revision 0201: a whole Footprint per line
            out.append(json.loads(r.footprint_json))
            continue
        totals = {"total": r.kg_co2e_total, "fossil": r.kg_co2e_fossil,
                  "biogenic": r.kg_co2e_biogenic, "land_use": r.kg_co2e_land_use}
        out.append(line_footprint(bases[r.footprint_number], r.quantity, r.unit,
                                  r.quantity_in_declared_unit, totals))
    return out


def _load(conn, order_id: str, row, offset: int = 0, limit: int | None = None) -> dict[str, Any]:
    offset, limit = check_page(offset, limit)
    rows = conn.execute(
        select(*_LINE_COLUMNS)
        .where(_lines.c.order_pk == row.id, _lines.c.position >= offset,
               _lines.c.position < offset + limit)
        .order_by(_lines.c.position)
    ).all()
    fps = _line_footprints(conn, row.id, rows)
    docs = [{"line_id": r.line_id, "footprint": fp} for r, fp in zip(rows, fps, strict=True)]
    return _document(order_id, row.created_at, row.database_version,
                     json.loads(row.total_json), row.line_count, docs, offset, limit)


def order_document(order_id: str, created_at: datetime, database_version: str, total: dict,
                   footprints: Sequence[dict], lines: Sequence[LineRecord], offset: int = 0,
                   limit: int | None = None) -> dict[str, Any]:
    """Return the order document (one page of lines) from in-memory records, exactly as
    :func:`get_order` reads it back from the database."""
    offset, limit = check_page(offset, limit)
    docs = [{"line_id": line.line_id,
             "footprint": line_footprint(footprints[line.footprint_number], line.quantity,
                                         line.unit, line.quantity_in_declared_unit,
                                         line.totals)}
            for line in lines[offset:offset + limit]]
    return _document(order_id, created_at, database_version, total, len(lines), docs, offset,
                     limit)


# --------------------------------------------------------------------------- quota


def utc_day(now: datetime | None = None) -> date:
    """The UTC calendar day of ``now`` (default: the current time)."""
    return (now or utcnow()).astimezone(UTC).date()


def seconds_to_next_day(now: datetime | None = None) -> int:
    """Whole seconds (>= 1) until the next UTC midnight, when a daily quota resets."""
    now = (now or utcnow()).astimezone(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return max(1, int((midnight - now).total_seconds()) + 1)


def consume_order_lines(conn: Connection, tenant_id: int, lines: int, quota: int | None) -> int:
    """Count ``lines`` against the tenant's daily quota inside the caller's transaction.

    Parameters
    ----------
    conn : Connection
        Inside a write transaction (the order's or the job's).
    tenant_id : int
    lines : int
        Lines to add (negative: give back lines that were not stored).
    quota : int or None
        Lines allowed per UTC day; None: no limit.

    Returns
    -------
    int
        Lines used today, this request included.

    Raises
    ------
    QuotaExceeded
        The quota would be exceeded (``retry_after``: seconds to the next UTC day). The
        caller's transaction must then roll back (nothing is counted or stored).
    """
    used = upsert_add(conn, _usage, {"tenant_id": tenant_id, "day": utc_day()}, "lines", lines)
    if quota is not None and lines > 0 and used > quota:
        raise QuotaExceeded(
            f"the daily quota of {quota} order lines is used up ({used - lines} used today, "
            f"{lines} in this order); it resets at 00:00 UTC",
            field="lines", allowed=f"<= {max(0, quota - (used - lines))} more lines today",
            retry_after=seconds_to_next_day())
    return used


def order_lines_used(engine: Engine, tenant_id: int) -> int:
    """Order lines the tenant had accepted today (UTC)."""
    with engine.connect() as conn:
        used = conn.execute(select(_usage.c.lines).where(
            _usage.c.tenant_id == tenant_id, _usage.c.day == utc_day())).scalar()
    return int(used or 0)


# --------------------------------------------------------------------------- save and read


def insert_order(conn: Connection, tenant_id: int, order_id: str, request_sha256: str,
                 total: dict[str, float], database_version: str, footprints: Sequence[dict],
                 lines: Sequence[LineRecord]) -> datetime:
    """Insert an order, its footprints and lines in the caller's transaction; return its
    creation time. Raises IntegrityError when the id is taken (a concurrent first
    submission)."""
    created_at = utcnow()
    order_pk = conn.execute(
        _orders.insert().values(
            tenant_id=tenant_id, order_id=order_id, request_sha256=request_sha256,
            request_json="", total_json=_dumps(total), line_count=len(lines),
            database_version=database_version, created_at=created_at,
        ).returning(_orders.c.id)
    ).scalar_one()
    conn.execute(_footprints.insert(), [
        {"order_pk": order_pk, "number": number, "footprint_json": _dumps(fp)}
        for number, fp in enumerate(footprints)])
    versions = [fp["database"]["version"] for fp in footprints]
    rows = []
    for position, line in enumerate(lines):
        t = line.totals
        rows.append({
            "order_pk": order_pk, "position": position, "line_id": line.line_id,
            "product": line.product, "variant": line.variant, "quantity": line.quantity,
            "unit": line.unit, "kg_co2e_total": t["total"],
            "database_version": versions[line.footprint_number], "footprint_json": "",
            "footprint_number": line.footprint_number,
            "parameters_json": _dumps(line.parameters) if line.parameters else None,
            "quantity_in_declared_unit": line.quantity_in_declared_unit,
            "kg_co2e_fossil": t["fossil"], "kg_co2e_biogenic": t["biogenic"],
            "kg_co2e_land_use": t["land_use"],
        })
    if rows:
        conn.execute(_lines.insert(), rows)
    return created_at


def save_order(engine: Engine, tenant_id: int, order_id: str, request_sha256: str,
               total: dict[str, float], database_version: str, footprints: Sequence[dict],
               lines: Sequence[LineRecord], *, quota: int | None = None,
               limit: int | None = None) -> tuple[dict[str, Any], bool]:
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
    total : dict
        Order total ``{"total", "fossil", "biogenic", "land_use"}`` in kg CO2e.
    database_version : str
        ``database.version`` of the footprints (comma-joined when several).
    footprints : sequence of dict
        The distinct footprints per declared unit the lines refer to.
    lines : sequence of LineRecord
    quota : int, optional
        The tenant's daily order-line quota (None: unlimited).
    limit : int, optional
        Lines in the returned page (default :data:`DEFAULT_PAGE_LINES`).

    Returns
    -------
    (dict, bool)
        The order document (first page of lines) and ``True`` if it was created now,
        ``False`` if an identical order was stored before.

    Raises
    ------
    OrderConflict
        An order with this id exists for the tenant with a different request.
    QuotaExceeded
        The order would exceed the tenant's daily quota (nothing stored).
    """
    try:
        with write_connection(engine) as conn:
            existing = _find(conn, tenant_id, order_id)
            if existing is not None:
                return _replay(conn, order_id, request_sha256, existing, limit), False
            consume_order_lines(conn, tenant_id, len(lines), quota)
            created_at = insert_order(conn, tenant_id, order_id, request_sha256, total,
                                      database_version, footprints, lines)
    except IntegrityError:
        # A concurrent request stored the same order id first (PostgreSQL READ COMMITTED).
        with engine.connect() as conn:
            existing = _find(conn, tenant_id, order_id)
            if existing is None:
                raise
            return _replay(conn, order_id, request_sha256, existing, limit), False
    return order_document(order_id, created_at, database_version, total, footprints, lines,
                          0, limit), True


def insert_or_replay(conn: Connection, tenant_id: int, order_id: str, request_sha256: str,
                     total: dict[str, float], database_version: str,
                     footprints: Sequence[dict], lines: Sequence[LineRecord]) -> bool:
    """In the caller's transaction: insert the order, or recognise it as stored already.

    Returns
    -------
    bool
        True if inserted, False if the same request was stored before.

    Raises
    ------
    OrderConflict
        Stored before with a different request.
    """
    existing = _find(conn, tenant_id, order_id)
    if existing is not None:
        if existing.request_sha256 != request_sha256:
            raise conflict(order_id)
        return False
    insert_order(conn, tenant_id, order_id, request_sha256, total, database_version,
                 footprints, lines)
    return True


def conflict(order_id: str) -> OrderConflict:
    """The error for an order id reused with a different body."""
    return OrderConflict(
        f"order {order_id!r} exists with a different body; resubmit the identical body "
        "to read it back, or use a new order_id", field="order_id")


def _replay(conn, order_id: str, request_sha256: str, existing,
            limit: int | None = None) -> dict[str, Any]:
    if existing.request_sha256 != request_sha256:
        raise conflict(order_id)
    return _load(conn, order_id, existing, 0, limit)


def get_order(engine: Engine, tenant_id: int, order_id: str, offset: int = 0,
              limit: int | None = None) -> dict[str, Any]:
    """Return a page of the stored order document of ``tenant_id`` with id ``order_id``.

    Raises
    ------
    UnknownOrder
        The tenant has no order with this id (another tenant's order is not visible).
    """
    with engine.connect() as conn:
        row = _find(conn, tenant_id, order_id)
        if row is None:
            raise UnknownOrder(f"no order {order_id!r}", field="order_id")
        return _load(conn, order_id, row, offset, limit)


def get_order_line(engine: Engine, tenant_id: int, order_id: str,
                   line_id: str) -> dict[str, Any]:
    """Return ``{"line_id", "footprint"}``: the full Footprint of one stored line.

    Raises
    ------
    UnknownOrder, UnknownOrderLine
    """
    with engine.connect() as conn:
        row = _find(conn, tenant_id, order_id)
        if row is None:
            raise UnknownOrder(f"no order {order_id!r}", field="order_id")
        line = conn.execute(select(*_LINE_COLUMNS).where(
            _lines.c.order_pk == row.id, _lines.c.line_id == line_id)).first()
        if line is None:
            raise UnknownOrderLine(f"order {order_id!r} has no line {line_id!r}",
                                   field="line_id")
        return {"line_id": line.line_id, "footprint": _line_footprints(conn, row.id, [line])[0]}


def stored_line_footprint(conn: Connection, order_pk: int, line_row: Any) -> dict[str, Any]:
    """The Footprint of a stored ``order_lines`` row (for certificates)."""
    return _line_footprints(conn, order_pk, [line_row])[0]


def replay_order(engine: Engine, tenant_id: int, order_id: str, request_sha256: str,
                 limit: int | None = None) -> dict[str, Any] | None:
    """Return the stored order document if the tenant already stored ``order_id`` with this
    request digest, None if it has no such order (a new order).

    Raises
    ------
    OrderConflict
        The order id exists with another request digest (a different body).
    """
    with engine.connect() as conn:
        row = _find(conn, tenant_id, order_id)
        return None if row is None else _replay(conn, order_id, request_sha256, row, limit)


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


def _order_row(conn, tenant_id: int, order_id: str):
    row = conn.execute(
        select(_orders.c.id, _orders.c.request_json)
        .where(_orders.c.tenant_id == tenant_id, _orders.c.order_id == order_id)
    ).first()
    if row is None:
        raise UnknownOrder(f"no order {order_id!r}", field="order_id")
    return row


_REQUEST_COLUMNS = (_lines.c.line_id, _lines.c.product, _lines.c.variant, _lines.c.quantity,
                    _lines.c.unit, _lines.c.parameters_json)


def _requested(order_id: str, row, lines: Sequence[Any]) -> dict[str, Any]:
    """The canonical request of an order: stored whole before revision 0201, rebuilt from
    its lines after (``orders.request_json`` is ``""``; each line keeps its parameters)."""
    if row.request_json:
        return json.loads(row.request_json)
    out = []
    for r in lines:
        item: dict[str, Any] = {"line_id": r.line_id, "product": r.product}
        if r.variant:
            item["variant"] = r.variant
        item["quantity"] = r.quantity
        item["unit"] = r.unit
        if r.parameters_json:
            item["parameters"] = json.loads(r.parameters_json)
        out.append(item)
    return {"order_id": order_id, "lines": out}


def get_order_request(engine: Engine, tenant_id: int, order_id: str) -> dict[str, Any]:
    """Return the canonical request of an order (the parameters as given, for the
    spreadsheet download): stored whole before revision 0201, rebuilt from the lines after.

    Raises
    ------
    UnknownResource
        The tenant has no order with this id.
    """
    with engine.connect() as conn:
        row = _order_row(conn, tenant_id, order_id)
        lines = [] if row.request_json else conn.execute(
            select(*_REQUEST_COLUMNS).where(_lines.c.order_pk == row.id)
            .order_by(_lines.c.position)).all()
    return _requested(order_id, row, lines)


def get_order_table(engine: Engine, tenant_id: int, order_id: str) -> dict[str, Any]:
    """Return EVERY line of a stored order in short form (not a page, and no stages or
    contributions), for the spreadsheet download.

    Returns
    -------
    dict
        ``{"order_id", "lines": [{line_id, product, variant, quantity, unit, parameters,
        declared_unit, per_declared_unit_total, total, database_version}]}`` in line order;
        ``parameters`` are those given in the request.

    Raises
    ------
    UnknownOrder
        The tenant has no order with this id.
    """
    with engine.connect() as conn:
        row = _order_row(conn, tenant_id, order_id)
        lines = conn.execute(
            select(*_REQUEST_COLUMNS, _lines.c.footprint_json, _lines.c.footprint_number,
                   _lines.c.kg_co2e_total)
            .where(_lines.c.order_pk == row.id).order_by(_lines.c.position)).all()
        bases = _footprints_of(conn, row.id, {r.footprint_number for r in lines
                                              if not r.footprint_json})
    requested = _requested(order_id, row, lines)["lines"]
    out = []
    for i, r in enumerate(lines):
        if r.footprint_json:  # stored before revision 0201: a whole Footprint per line
            fp = json.loads(r.footprint_json)
            quantity, unit, total = fp["quantity"], fp["quantity_unit"], fp["total"]["total"]
        else:
            fp = bases[r.footprint_number]
            quantity, unit, total = r.quantity, r.unit, r.kg_co2e_total
        params = requested[i].get("parameters") if i < len(requested) else None
        out.append({"line_id": r.line_id, "product": fp.get("product", r.product),
                    "variant": fp.get("variant", r.variant), "quantity": quantity,
                    "unit": unit, "parameters": dict(params or {}),
                    "declared_unit": fp["declared_unit"],
                    "per_declared_unit_total": fp["per_declared_unit"]["total"],
                    "total": total, "database_version": fp["database"]["version"]})
    return {"order_id": order_id, "lines": out}


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
