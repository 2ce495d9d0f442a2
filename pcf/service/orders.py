"""Use case: order lines scored, and API orders scored and stored (idempotently).

:func:`score_lines` is the one scoring function behind ``POST /v1/orders`` and
``pcf orders score`` (CSV files: :mod:`pcf.service.order_files`); :func:`submit_order` is the
replay -> score -> store flow of an API order.

An order line is ``(line_id, product, variant?, parameters?, quantity, unit)``. Its footprint is
the product's footprint per declared unit (from :func:`pcf.service.compute_footprint`) times
the quantity converted to the declared unit::

    total_k(line) = per_declared_unit_k(product, variant, parameters) * quantity * f(unit)

for each part k in ``total, fossil, biogenic, land_use`` (kg CO2e), where ``f(unit)`` is the
conversion factor of ``unit`` to the declared unit (``t`` -> ``kg``: 1000). Because the
footprint is linear in the quantity, lines are grouped by ``(product, variant, parameters)``
and each distinct footprint is computed once, however many lines share it: 100,000 lines of a
few dozen distinct products cost a few dozen engine solves.

Both the API and the CLI call :func:`score_lines`; the CLI reads and writes CSV around it
(:func:`pcf.service.order_files.score_csv`), the API stores the result (:mod:`pcf.store`).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pcf.errors import InvalidInput, PcfError
from pcf.inventory.methods import SPLIT
from pcf.text import check_text
from pcf.units import check_quantity, conversion_factor

PARTS = SPLIT
"""The parts of a footprint (kg CO2e); ``total`` is their sum."""

ON_ERROR = ("fail", "skip")
MAX_ID_LENGTH = 128


def _service():
    from pcf.service import footprints  # the engine loads Brightway on first use

    return footprints


# --------------------------------------------------------------------------- data types


@dataclass(slots=True)
class OrderLineInput:
    """One order line as given by a client.

    Attributes
    ----------
    line_id : str
        Unique within its order.
    product : str
        Product id, e.g. ``"aluminium-coil"``.
    quantity : float or str
        Amount bought, in ``unit``; strings (CSV cells) are parsed. Must be finite and > 0.
    unit : str
        Unit of ``quantity``; must convert to the product's declared unit (``t`` for a kg
        product, ``MWh`` for a kWh product).
    variant : str or None
        Named parameter set (``virgin``, ``recycled``, ...).
    parameters : dict
        Parameter overrides, ``name -> value``; override the variant's values.
    order_id : str or None
        Order the line belongs to (CSV files may mix orders); None in an API order.
    location : str
        Where the line came from, for error messages, e.g. ``"lines[3]"``; default
        ``"line <line_number>"`` or ``"lines[<index>]"``.
    line_number : int
        Physical line number in a CSV file (0: not from a file).
    company : str or None
        Company id: the line is that company's product of reporting ``year``, with its
        settings and stored supplier footprints (:func:`pcf.service.suppliers.company_footprint`).
    year : int or None
        Reporting year (with ``company``).
    """

    line_id: str
    product: str
    quantity: Any
    unit: str
    variant: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    order_id: str | None = None
    location: str = ""
    line_number: int = 0
    company: str | None = None
    year: int | None = None


@dataclass(slots=True)
class LineError:
    """A line that could not be scored.

    Attributes
    ----------
    index : int
        Position of the line in the input (0-based).
    location : str
        ``"line 17"`` or ``"lines[3]"``.
    field : str or None
        Offending field (``"quantity"``, ``"parameters.recycled_content"``...).
    message : str
    allowed : list, str or None
        Allowed values or range.
    """

    index: int
    location: str
    field: str | None
    message: str
    allowed: Any = None

    def __str__(self) -> str:
        text = f"{self.location}: " + (f"{self.field}: " if self.field else "") + self.message
        if self.allowed is not None:
            allowed = self.allowed
            if isinstance(allowed, (list, tuple)):
                allowed = ", ".join(str(a) for a in allowed)
            text += f" (allowed: {allowed})"
        return text


class _Group:
    """The footprint per declared unit shared by the lines of one (product, variant, params)."""

    __slots__ = ("base", "declared_unit", "version", "per", "per_total_text")

    def __init__(self, base: dict[str, Any]):
        self.base = base
        self.declared_unit: str = base["declared_unit"]
        self.version: str = base["database"]["version"]
        self.per: dict[str, float] = base["per_declared_unit"]
        self.per_total_text = repr(float(self.per["total"]))


@dataclass(slots=True)
class ScoredLine:
    """A scored line: the input plus its group's footprint and the quantity in declared units.

    Attributes
    ----------
    index : int
        Position in the input (0-based).
    line : OrderLineInput
    quantity : float
        The line quantity as a number, in ``line.unit``.
    quantity_declared : float
        ``quantity`` converted to the declared unit.
    """

    index: int
    line: OrderLineInput
    quantity: float
    quantity_declared: float
    group: _Group

    @property
    def declared_unit(self) -> str:
        """Declared unit of the product (``kg``, ``kWh``)."""
        return self.group.declared_unit

    @property
    def database_version(self) -> str:
        """``database.version`` the footprint was computed with."""
        return self.group.version

    @property
    def kg_co2e_per_declared_unit(self) -> float:
        """Total footprint per declared unit, kg CO2e / declared unit."""
        return self.group.per["total"]

    @property
    def kg_co2e_total(self) -> float:
        """Total footprint of the line, kg CO2e."""
        return self.group.per["total"] * self.quantity_declared

    def totals(self) -> dict[str, float]:
        """Footprint of the line by part (``total, fossil, biogenic, land_use``), kg CO2e."""
        per = self.group.per
        qd = self.quantity_declared
        return {k: per[k] * qd for k in PARTS if k in per}

    def footprint(self) -> dict[str, Any]:
        """Return the full Footprint JSON of the line (DESIGN.md, "Footprint").

        Same as ``pcf.service.compute_footprint(product, variant, parameters, quantity, unit)``
        (to rounding of the last bit): the group's footprint with ``quantity``,
        ``quantity_unit`` and ``total`` set for this line.
        """
        fp = dict(self.group.base)
        fp["quantity"] = self.quantity
        fp["quantity_unit"] = self.line.unit
        fp["quantity_in_declared_unit"] = self.quantity_declared
        fp["total"] = self.totals()
        return fp


@dataclass
class ScoreResult:
    """Result of :func:`score_lines`: the scored lines (input order) and the bad lines."""

    scored: list[ScoredLine]
    errors: list[LineError]
    groups: int = 0

    def total(self) -> dict[str, float]:
        """Sum of the scored lines' footprints by part, kg CO2e (``math.fsum``)."""
        parts: dict[str, list[float]] = {k: [] for k in PARTS}
        for s in self.scored:
            for k, v in s.totals().items():
                parts[k].append(v)
        return {k: math.fsum(v) for k, v in parts.items()}


class OrderLinesError(InvalidInput):
    """One or more order lines are invalid; ``errors`` lists them (:class:`LineError`)."""

    def __init__(self, errors: list[LineError]):
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{len(errors)} invalid order line(s): {first}{more}",
                         field=first.field, allowed=first.allowed)
        self.errors = errors


# --------------------------------------------------------------------------- scoring


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _group_key(line: OrderLineInput) -> tuple:
    """Key of the lines that share one footprint per declared unit.

    The value's class is part of the key so that ``True``, ``1`` and ``"1"`` (equal or not in
    Python) never share a group; parameter order is kept (a different order only costs one
    more computation, never a wrong result).
    """
    params = line.parameters
    who = () if line.company is None else (("company", line.company, line.year),)
    if not params:
        return (line.product, line.variant, *who)
    return (line.product, line.variant,
            tuple([(k, v.__class__, v if v.__class__ in _SCALARS else repr(v))
                   for k, v in params.items()]), *who)


def _check_id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} must be a non-empty string", field=name)
    if len(value) > MAX_ID_LENGTH:
        raise InvalidInput(f"{name} is longer than {MAX_ID_LENGTH} characters", field=name)
    check_text(value, name)
    return value


def score_lines(lines: Iterable[OrderLineInput], *, on_error: str = "fail",
                progress: Callable[[int], None] | None = None,
                contributions: bool = True, store: Any = None) -> ScoreResult:
    """Score order lines, computing each distinct footprint once.

    Parameters
    ----------
    lines : iterable of OrderLineInput
    on_error : {"fail", "skip"}
        ``fail`` (default): raise :class:`OrderLinesError` listing every bad line, nothing is
        returned. ``skip``: return the good lines scored and the bad ones in ``errors``.
    progress : callable, optional
        Called with the number of lines handled since the previous call (for a progress bar).
    contributions : bool
        Compute the contribution lists (needed for full Footprints; the CSV output does not
        need them).
    store : pcf.store.Store, optional
        The application database, for lines with a ``company`` (their stored supplier
        footprints); such a line without a store is an error.

    Returns
    -------
    ScoreResult

    Raises
    ------
    OrderLinesError
        With ``on_error="fail"``, if any line is invalid: unknown product, variant or
        parameter, parameter out of range, quantity not finite or not > 0, unit not
        convertible to the declared unit, missing or duplicate line id.
    InvalidInput
        ``on_error`` is not ``fail`` or ``skip``.
    """
    if on_error not in ON_ERROR:
        raise InvalidInput(f"unknown on_error {on_error!r}", field="on_error",
                           allowed=list(ON_ERROR))
    service = _service()
    groups: dict[tuple, _Group | PcfError] = {}
    factors: dict[tuple[str, str], float | PcfError] = {}
    seen_ids: set[tuple[Any, str]] = set()
    scored: list[ScoredLine] = []
    errors: list[LineError] = []
    pending = 0
    max_len = MAX_ID_LENGTH
    for index, line in enumerate(lines):
        pending += 1
        if progress is not None and pending >= 1000:
            progress(pending)
            pending = 0
        try:
            line_id = line.line_id
            if line_id.__class__ is not str or not line_id or len(line_id) > max_len \
                    or line_id.isspace():
                _check_id(line_id, "line_id")
            key_id = (line.order_id, line_id)
            if key_id in seen_ids:
                where = f"order {line.order_id!r}" if line.order_id is not None else "the order"
                raise InvalidInput(f"duplicate line_id {line_id!r} in {where}", field="line_id")
            seen_ids.add(key_id)  # claimed even if the line turns out bad: ids must be unique
            product = line.product
            if product.__class__ is not str or not product or len(product) > max_len:
                _check_id(product, "product")
            quantity = check_quantity(line.quantity, "quantity")  # finite, > 0, <= MAX_QUANTITY
            unit = line.unit
            if unit.__class__ is not str or not unit or unit.isspace():
                raise InvalidInput("unit must be given", field="unit")
            key = _group_key(line)
            group = groups.get(key)
            if group is None:
                try:
                    if line.company is not None:
                        group = _Group(_company_footprint(store, line, contributions))
                    else:
                        group = _Group(service.compute_footprint(
                            line.product, variant=line.variant,
                            parameters=dict(line.parameters) if line.parameters else None,
                            contributions=contributions))
                except PcfError as exc:
                    group = exc
                groups[key] = group
            if isinstance(group, PcfError):
                raise group
            fkey = (unit, group.declared_unit)
            factor = factors.get(fkey)
            if factor is None:
                try:
                    factor = conversion_factor(unit, group.declared_unit, "unit")
                except PcfError as exc:
                    factor = exc
                factors[fkey] = factor
            if isinstance(factor, PcfError):
                raise factor
            scored.append(ScoredLine(index, line, quantity, quantity * factor, group))
        except PcfError as exc:
            where = line.location or (f"line {line.line_number}" if line.line_number
                                      else f"lines[{index}]")
            errors.append(LineError(index, where, exc.field, exc.message, exc.allowed))
    if progress is not None and pending:
        progress(pending)
    if errors and on_error == "fail":
        raise OrderLinesError(errors)
    return ScoreResult(scored, errors, sum(1 for g in groups.values() if isinstance(g, _Group)))


def _company_footprint(store: Any, line: OrderLineInput, contributions: bool) -> dict:
    if store is None:
        raise InvalidInput("a line for a company and year needs the application database "
                           "(its stored supplier footprints)", field="company")
    from pcf.service.suppliers import company_footprint

    return company_footprint(store, line.product, line.company, line.year,
                             variant=line.variant,
                             parameters=dict(line.parameters) if line.parameters else None,
                             contributions=contributions)


# --------------------------------------------------------------------------- API orders


def canonical_request(order_id: str, lines: Sequence[OrderLineInput]) -> dict[str, Any]:
    """Return the normalised form of an order request (used for the idempotency digest).

    Numbers are floats, parameter values are compared as the values they resolve to (``1``,
    ``1.0`` and ``"1"`` are one value; see :meth:`pcf.paramspec.ParameterSpec.coerce`), absent or
    empty ``variant`` and ``parameters`` are dropped, keys sorted at serialisation. Two requests
    are "the same order" when their canonical forms are equal.
    """
    out = []
    for line in lines:
        item: dict[str, Any] = {"line_id": line.line_id, "product": line.product,
                                "quantity": float(line.quantity), "unit": line.unit}
        if line.variant is not None:
            item["variant"] = line.variant
        if line.parameters:
            item["parameters"] = {name: _canonical_value(line.product, name, value)
                                  for name, value in line.parameters.items()}
        if line.company is not None:
            item["company"], item["year"] = line.company, line.year
        out.append(item)
    return {"order_id": order_id, "lines": out}


def _canonical_value(product: str, name: str, value: Any) -> Any:
    """A parameter value as the product resolves it; the raw value when it does not resolve
    (the request is then rejected anyway)."""
    try:
        return _service().model(product).specs[name].coerce(value)
    except (PcfError, KeyError):
        return value


def request_digest(canonical: dict[str, Any]) -> str:
    """Return the SHA-256 hex digest of a canonical request (sorted keys, compact JSON)."""
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ScoredOrder:
    """An order scored by :func:`score_order`.

    Attributes
    ----------
    order_id : str
    lines : list of ScoredLine
        In request order.
    total : dict
        Order total by part, kg CO2e.
    database_version : str
        ``database.version`` of the line footprints.
    """

    order_id: str
    lines: list[ScoredLine]
    total: dict[str, float]
    database_version: str


def score_order(order_id: str, lines: Sequence[OrderLineInput],
                store: Any = None) -> ScoredOrder:
    """Score a whole order (all lines valid or nothing): the service behind ``POST /v1/orders``.

    Parameters
    ----------
    order_id : str
    lines : sequence of OrderLineInput
        At least one line; line ids unique.
    store : pcf.store.Store, optional
        Needed by lines with a ``company`` (see :func:`score_lines`).

    Returns
    -------
    ScoredOrder

    Raises
    ------
    OrderLinesError
        Any line invalid (all bad lines are listed, located as ``lines[i]``).
    InvalidInput
        Bad ``order_id`` or no lines.
    """
    _check_id(order_id, "order_id")
    if not lines:
        raise InvalidInput("an order needs at least one line", field="lines")
    result = score_lines(lines, on_error="fail", store=store)
    versions = {s.database_version for s in result.scored}
    return ScoredOrder(order_id, result.scored, result.total(), ",".join(sorted(versions)))


def order_records(scored: ScoredOrder,
                  canonical: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Return what the store keeps of a scored order: the distinct footprints per declared
    unit (each once, in order of first use) and one :class:`pcf.store.LineRecord` per line.

    Parameters
    ----------
    scored : ScoredOrder
    canonical : dict
        :func:`canonical_request` of the same order (the requested parameters per line).
    """
    from pcf.store import LineRecord

    numbers: dict[int, int] = {}
    footprints: list[dict[str, Any]] = []
    records = []
    for s, requested in zip(scored.lines, canonical["lines"], strict=True):
        number = numbers.get(id(s.group))
        if number is None:
            number = numbers[id(s.group)] = len(footprints)
            footprints.append(s.group.base)
        records.append(LineRecord(s.line.line_id, s.line.product, s.line.variant, s.quantity,
                                  s.line.unit, number, s.quantity_declared, s.totals(),
                                  requested.get("parameters") or {}))
    return footprints, records


def daily_order_lines(tenant: Any) -> int | None:
    """The tenant's daily order-line quota: its own (set by an admin) or the server default
    (:func:`pcf.config.default_daily_order_lines`); None or 0 means no quota."""
    from pcf.config import default_daily_order_lines

    quota = getattr(tenant, "daily_order_lines", None)
    if quota is None:
        quota = default_daily_order_lines()
    return quota or None


def submit_order(store: Any, tenant: Any, order_id: str, lines: Sequence[OrderLineInput],
                 limit: int | None = None) -> tuple[dict[str, Any], bool]:
    """Score and store an order, or replay the stored one (``POST /v1/orders``).

    The same body again (same lines in the same order; numbers compared as numbers, absent and
    empty ``variant``/``parameters`` alike, see :func:`canonical_request`) returns the stored
    document, byte for byte, and computes nothing; a different body under the same id is an
    :class:`~pcf.errors.OrderConflict`. The order and its lines are stored in one transaction,
    and its lines counted against the tenant's daily quota in the same transaction.

    Parameters
    ----------
    store : pcf.store.Store
        The application database.
    tenant : pcf.store.TenantInfo or int
        Owner of the order (order ids are scoped per tenant); its quota applies. A tenant
        id is looked up (the PACT host, :mod:`pcf.service.pact`).
    order_id : str
    lines : sequence of OrderLineInput
    limit : int, optional
        Lines in the returned page (default ``pcf.store.orders.DEFAULT_PAGE_LINES``).

    Returns
    -------
    (dict, bool)
        The order document (a Footprint per line of the first page, ``line_count`` and
        ``total`` in kg CO2e of the whole order) and whether it was created now (False: a
        replay).

    Raises
    ------
    OrderLinesError
        Any line invalid (every bad line listed).
    OrderConflict
        The id is taken by a different body.
    QuotaExceeded
        The order would exceed the tenant's daily order-line quota.
    InvalidInput
        Bad ``order_id`` or no lines.
    """
    if isinstance(tenant, int):  # a tenant id (the PACT host scores for a stored request)
        tenant = store.get_tenant_by_id(tenant)
    _check_id(order_id, "order_id")
    canonical = canonical_request(order_id, lines)
    digest = request_digest(canonical)
    existing = store.replay_order(tenant.id, order_id, digest, limit=limit)
    if existing is not None:
        return existing, False
    scored = score_order(order_id, lines, store)
    footprints, records = order_records(scored, canonical)
    return store.save_order(tenant.id, order_id, digest, scored.total,
                            scored.database_version, footprints, records,
                            quota=daily_order_lines(tenant), limit=limit)
