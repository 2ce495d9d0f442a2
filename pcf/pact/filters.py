"""The PACT v3 filter criteria (ListFootprints query, RequestCreatedEvent ``data``).

PACT v3 (``rest-api.md`` "Filtering", ``openapi.yaml`` parameters): ``productId``,
``companyId``, ``geography``, ``classification`` (each one or more values: a footprint matches
when one of its values equals one of the given ones; repeated values are ORed),
``validOn``, ``validAfter``, ``validBefore`` (date-times) and ``status``; different criteria
are ANDed. Matches are case-insensitive.

- ``validOn``: ``validityPeriodStart <= validOn <= validityPeriodEnd``;
- ``validAfter``: ``validityPeriodStart > validAfter``;
- ``validBefore``: ``validityPeriodEnd < validBefore``;
- without a validity period a footprint is valid from ``referencePeriodEnd`` for 3 years
  (PACT "validity period").
- ``geography``: a value matches ``geographyCountrySubdivision``, ``geographyCountry`` or
  ``geographyRegionOrSubregion`` exactly (case-insensitive). A country does not match its
  subdivisions (``CN`` does not return a ``CN-HN`` footprint: ask ``geography=CN&geography=CN-HN``
  for both), because the official conformance suite (wbcsd/pact-conformance-service, V3.0 test
  22) requires every footprint returned for ``CN`` to state ``CN`` in one of the three
  properties; the specification's "within the specified geography" would allow more, but
  buyers' systems are checked against the suite. Nor is a country mapped to its UN region (no
  M49 table here): ``Eastern Asia`` matches only footprints that state that region.
- An unknown ``status`` or geography matches nothing (200 with ``[]``, as the conformance
  suite expects), but a value that is not a date where a date is required is a bad request.
- Vendor criteria ``x-<vendor>-<name>`` are ignored (pcf defines none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pcf.errors import InvalidInput

LIST_CRITERIA = ("productId", "companyId", "geography", "classification")
DATE_CRITERIA = ("validOn", "validAfter", "validBefore")
CRITERIA = (*LIST_CRITERIA, *DATE_CRITERIA, "status")
MAX_VALUES = 100
"""Most values of one criterion."""
MAX_VALUE_LENGTH = 500


def parse_datetime(value: Any, name: str) -> datetime:
    """An ISO 8601 date-time (``Z`` or an offset; a date alone means midnight UTC), in UTC.

    Raises
    ------
    InvalidInput
        Not a date-time (``field`` = the criterion).
    """
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise InvalidInput(f"{name} must be a date-time such as 2025-01-01T00:00:00Z",
                           field=name)
    text = value.strip().replace(" ", "+")  # '+' in an unencoded query string arrives as ' '
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a date-time such as 2025-01-01T00:00:00Z, not "
                           f"{value!r}", field=name) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Filters:
    """Parsed criteria; empty tuples and None mean "not given"."""

    productId: tuple[str, ...] = ()  # noqa: N815 - PACT's names
    companyId: tuple[str, ...] = ()  # noqa: N815
    geography: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()
    validOn: datetime | None = None  # noqa: N815
    validAfter: datetime | None = None  # noqa: N815
    validBefore: datetime | None = None  # noqa: N815
    status: tuple[str, ...] = ()
    raw: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def empty(self) -> bool:
        """True when no criterion is given."""
        return not any((self.productId, self.companyId, self.geography, self.classification,
                        self.validOn, self.validAfter, self.validBefore, self.status))


def _strings(values: Iterable[Any], name: str) -> tuple[str, ...]:
    out = []
    for value in values:
        if not isinstance(value, str):
            raise InvalidInput(f"{name} values must be strings", field=name)
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidInput(f"a {name} value has more than {MAX_VALUE_LENGTH} characters",
                               field=name)
        if value.strip():
            out.append(value.strip())
    if len(out) > MAX_VALUES:
        raise InvalidInput(f"more than {MAX_VALUES} {name} values", field=name)
    return tuple(out)


def from_query(args: Mapping[str, list[str]], *, allowed: Iterable[str] = ()) -> Filters:
    """Filters of a ListFootprints query.

    Parameters
    ----------
    args : mapping
        Query parameter -> list of values (a repeated parameter keeps every value; values
        are not split at commas, which URNs may contain).
    allowed : iterable of str
        Other parameters the caller handles (``limit``, ``offset``).

    Raises
    ------
    InvalidInput
        An unknown parameter (``x-`` vendor parameters are ignored), a date that is not a
        date-time, more than one value of a date criterion.
    """
    others = set(allowed)
    data: dict[str, Any] = {}
    raw: list[tuple[str, str]] = []
    for name, values in args.items():
        if name in others:
            continue
        if name.lower().startswith("x-"):
            continue
        if name not in CRITERIA:
            raise InvalidInput(f"unknown query parameter {name!r}", field=name,
                               allowed=[*CRITERIA, *sorted(others)])
        for value in values:
            raw.append((name, value))
        if name in DATE_CRITERIA:
            if len(values) != 1:
                raise InvalidInput(f"{name} takes one date-time", field=name)
            data[name] = values[0]
        else:
            data[name] = list(values)
    return from_data(data, raw=tuple(raw))


def from_data(data: Mapping[str, Any], raw: tuple[tuple[str, str], ...] = ()) -> Filters:
    """Filters of a RequestCreatedEvent's ``data`` (``comment`` and ``x-`` keys ignored).

    List criteria may be a string or a list of strings; ``status`` too.

    Raises
    ------
    InvalidInput
        A criterion of the wrong type, a date that is not a date-time.
    """
    kwargs: dict[str, Any] = {}
    for name in (*LIST_CRITERIA, "status"):
        value = data.get(name)
        if value is None:
            continue
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list):
            raise InvalidInput(f"{name} must be a string or a list of strings", field=name)
        kwargs[name] = _strings(values, name)
    for name in DATE_CRITERIA:
        value = data.get(name)
        if value is not None:
            kwargs[name] = parse_datetime(value, name)
    return Filters(raw=raw, **kwargs)


def _lower(values: Iterable[Any]) -> set[str]:
    return {str(v).lower() for v in values if isinstance(v, str)}


def _moment(value: Any) -> datetime | None:
    try:
        return parse_datetime(value, "date")
    except InvalidInput:
        return None


def validity(pf: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """``(start, end)`` of a footprint's validity (PACT: from ``referencePeriodEnd`` for
    3 years when ``validityPeriodStart``/``End`` are not given)."""
    start, end = _moment(pf.get("validityPeriodStart")), _moment(pf.get("validityPeriodEnd"))
    if start is None or end is None:
        ref_end = _moment((pf.get("pcf") or {}).get("referencePeriodEnd"))
        if ref_end is not None:
            start = start or ref_end
            try:
                end = end or ref_end.replace(year=ref_end.year + 3)
            except ValueError:  # 29 February
                end = end or ref_end.replace(year=ref_end.year + 3, day=28)
    return start, end


def _geographies(pf: Mapping[str, Any]) -> set[str]:
    pcf = pf.get("pcf") or {}
    out = set()
    for key in ("geographyCountrySubdivision", "geographyCountry",
                "geographyRegionOrSubregion"):
        value = pcf.get(key)
        if isinstance(value, str) and value:
            out.add(value.lower())
    return out


def matches(pf: Mapping[str, Any], filters: Filters) -> bool:
    """True when the ProductFootprint ``pf`` meets every given criterion."""
    if filters.productId and not _lower(filters.productId) & _lower(pf.get("productIds") or []):
        return False
    if filters.companyId and not _lower(filters.companyId) & _lower(pf.get("companyIds") or []):
        return False
    if filters.classification and not (_lower(filters.classification)
                                       & _lower(pf.get("productClassifications") or [])):
        return False
    if filters.geography and not _lower(filters.geography) & _geographies(pf):
        return False
    if filters.status and str(pf.get("status", "")).lower() not in _lower(filters.status):
        return False
    if filters.validOn or filters.validAfter or filters.validBefore:
        start, end = validity(pf)
        if filters.validOn and not (start and end and start <= filters.validOn <= end):
            return False
        if filters.validAfter and not (start and start > filters.validAfter):
            return False
        if filters.validBefore and not (end and end < filters.validBefore):
            return False
    return True
