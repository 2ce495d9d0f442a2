"""Supplier-specific footprints: the one validator and the blend (shared/reference/methods.md
sections 4.4 and 6.3; PACT v3 data model, shared/reference/pact.md section 2).

Pure functions. Every way a supplier figure comes in (a PACT v3 ``ProductFootprint``, a pcf
certificate, the Excel questionnaire, a pull from a supplier's PACT host) is first turned
into a :class:`SupplierFigure` by its reader, then checked here by :func:`check_figure`; only a
figure that passes is stored (:mod:`pcf.service.suppliers`).

Rules
-----
- **Unit**: the figure is per kilogram (PACT ``declaredUnitOfMeasurement`` ``kilogram``), the
  declared unit of every replaceable input (:mod:`pcf.supplier_inputs`); a per-kWh or
  per-piece figure cannot replace a per-kg input.
- **Boundary**: cradle-to-gate only (a gate-to-gate figure leaves out the upstream chain, a
  cradle-to-grave one adds use and end of life).
- **GWP set**: IPCC AR6, as pcf (methods.md 4.4: never sum values made with different GWP
  versions).
- **Status**: an ``Active`` footprint (a ``Deprecated`` one has a successor).
- **Expiry** (refused): the figure's validity has ended at import time (PACT
  ``validityPeriodEnd``, or ``referencePeriodEnd`` + 3 years when none is stated, the PACT
  default), or its reference period ended more than 3 years before the reporting year starts
  (too old for that year on the same PACT horizon).
- **Temporal fit** (stored, flagged): a reference period that does not overlap the reporting
  year; a validity that starts after the import.
- **Share**: the share of the input the figure covers is in (0, 1]; the shares of one company,
  year and input add up to at most 1 (checked by the store).

Blend (:func:`blend`)::

    S = sum_i s_i                (covered share, <= 1)
    F = sum_i s_i f_i / S        (kg CO2e per kg, share-weighted mean of the figures)

and the product's input then costs ``S F + (1 - S) a`` kg CO2e per kg, ``a`` being pcf's
average (modelled) figure: the covered share takes the suppliers' figures, the rest stays on
the average.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pcf.errors import SupplierFootprintRejected
from pcf.supplier_inputs import INPUTS

BOUNDARY = "cradle-to-gate"
BOUNDARIES = ("cradle-to-gate", "gate-to-gate", "cradle-to-grave")
GWP_SET = "AR6"
PACT_DEFAULT_VALIDITY_YEARS = 3
"""PACT: without ``validityPeriodEnd`` a footprint is valid for 3 years from
``referencePeriodEnd``; pcf uses the same horizon between a reference period and a reporting
year."""

PARTS = ("total", "fossil", "biogenic", "land_use")


@dataclass
class SupplierFigure:
    """A supplier's cradle-to-gate footprint of one material, as read from any way in.

    Attributes
    ----------
    supplier : str
        The supplier's company name.
    product_name : str
        The supplier's name for the product.
    declared_unit : str
        PACT ``declaredUnitOfMeasurement`` (``kilogram``, ``kilowatt hour``, ...).
    kg_co2e : dict[str, float]
        ``total``, ``fossil``, ``biogenic``, ``land_use``: kg CO2e per declared unit.
    boundary : str
        One of :data:`BOUNDARIES` (or what the document says).
    boundary_basis : str
        How the boundary was read.
    reference_start, reference_end : datetime
        Reference period, start inclusive, end exclusive (UTC).
    validity_start, validity_end : datetime or None
        PACT validity period, when stated.
    characterization : list of str
        IPCC assessment reports of the GWP values (``["AR6"]``).
    status : str
        ``Active`` or ``Deprecated``.
    primary_data_share : float or None
        The supplier's own primary data share, percent.
    data_quality : dict or None
        The supplier's data quality ratings (PACT ``dqi`` or the questionnaire's).
    verification : dict
        ``{"status": ...}`` plus details: ``third-party`` (PACT ``verification`` or the
        questionnaire), ``signature-verified`` (a pcf certificate checked against a trusted
        key), ``pact-host`` (pulled over authenticated TLS), ``supplier-declared``.
    pf_id : str or None
        PACT id of the footprint.
    supplier_ids, product_ids : list of str
        URNs, when given.
    fields : dict[str, str]
        Logical field -> where it is in the source (``pcf.declaredUnitOfMeasurement``, or a
        workbook cell), for error messages.
    """

    supplier: str
    product_name: str
    declared_unit: str
    kg_co2e: dict
    boundary: str
    boundary_basis: str
    reference_start: datetime
    reference_end: datetime
    validity_start: datetime | None = None
    validity_end: datetime | None = None
    characterization: list = field(default_factory=lambda: [GWP_SET])
    status: str = "Active"
    primary_data_share: float | None = None
    data_quality: dict | None = None
    verification: dict = field(default_factory=lambda: {"status": "supplier-declared"})
    pf_id: str | None = None
    supplier_ids: list = field(default_factory=list)
    product_ids: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)

    def where(self, name: str) -> str:
        """Where field ``name`` is in the source (the name itself when not mapped)."""
        return self.fields.get(name, name)

    def valid_until(self) -> datetime:
        """End of validity: ``validity_end``, else ``reference_end`` + 3 years (PACT)."""
        if self.validity_end is not None:
            return self.validity_end
        return add_years(self.reference_end, PACT_DEFAULT_VALIDITY_YEARS)


def add_years(moment: datetime, years: int) -> datetime:
    """``moment`` plus whole calendar years (29 February -> 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """``[1 January year, 1 January year+1)`` in UTC."""
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _reject(message: str, check: str, figure: SupplierFigure, name: str,
            allowed: Any = None) -> SupplierFootprintRejected:
    return SupplierFootprintRejected(message, field=figure.where(name), allowed=allowed,
                                     check=check)


def check_figure(figure: SupplierFigure, *, input_id: str, year: int, share: float,
                 now: datetime) -> list[str]:
    """Check a supplier figure against the rules of the module docstring.

    Parameters
    ----------
    figure : SupplierFigure
    input_id : str
        The replaceable input it is to replace (:data:`pcf.supplier_inputs.INPUTS`).
    year : int
        Reporting year it applies to.
    share : float
        Share of the input it covers, (0, 1].
    now : datetime
        Time of the import (aware).

    Returns
    -------
    list of str
        Flags: what is accepted but should be seen (temporal fit, validity not yet begun).

    Raises
    ------
    SupplierFootprintRejected
        Naming the check (``unit``, ``boundary``, ``gwp``, ``status``, ``expiry``, ``share``,
        ``format``) and where in the source the offending field is.
    """
    spec = INPUTS.get(input_id)
    if spec is None:
        raise SupplierFootprintRejected(f"unknown input {input_id!r}", field="input",
                                        allowed=sorted(INPUTS), check="format")
    if isinstance(share, bool) or not isinstance(share, (int, float)) \
            or not math.isfinite(share) or not 0.0 < share <= 1.0:
        raise SupplierFootprintRejected(f"share {share!r}: the share of {input_id} this "
                                        "figure covers must be in (0, 1]", field="share",
                                        allowed="0 < share <= 1", check="share")
    if figure.status != "Active":
        raise _reject(f"the footprint's status is {figure.status!r}: only Active footprints "
                      "are used (a Deprecated one has a successor)", "status", figure,
                      "status", allowed=["Active"])
    unit = figure.declared_unit
    if unit not in (spec.pact_unit, spec.unit):
        raise _reject(f"the footprint is per {unit!r}; {input_id} ({spec.name}) is per "
                      f"{spec.unit}: a per-{unit} figure cannot replace a per-{spec.unit} "
                      "input", "unit", figure, "declared_unit", allowed=[spec.pact_unit])
    if figure.boundary != BOUNDARY:
        raise _reject(f"the footprint's boundary is {figure.boundary!r} ({figure.boundary_basis});"
                      f" only {BOUNDARY} figures replace a cradle-to-gate input", "boundary",
                      figure, "boundary", allowed=[BOUNDARY])
    if GWP_SET not in figure.characterization:
        raise _reject(f"the footprint uses IPCC {', '.join(figure.characterization) or '?'} "
                      f"GWP values; pcf computes with {GWP_SET} and never sums footprints of "
                      "different GWP sets", "gwp", figure, "characterization",
                      allowed=[GWP_SET])
    for part in PARTS:
        value = figure.kg_co2e.get(part)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value < 0:
            raise _reject(f"kg CO2e {part} must be a number >= 0, not {value!r}", "format",
                          figure, f"kg_co2e.{part}", allowed=">= 0")
    if figure.reference_end <= figure.reference_start:
        raise _reject("the reference period ends before it starts", "format", figure,
                      "reference_end")
    until = figure.valid_until()
    if until <= now:
        stated = "validity period" if figure.validity_end is not None else \
            f"reference period + {PACT_DEFAULT_VALIDITY_YEARS} years (no validity stated)"
        raise _reject(f"the footprint expired on {until.date().isoformat()} ({stated})",
                      "expiry", figure,
                      "validity_end" if figure.validity_end is not None else "reference_end",
                      allowed=f"valid after {now.date().isoformat()}")
    start, end = year_bounds(year)
    if add_years(figure.reference_end, PACT_DEFAULT_VALIDITY_YEARS) < start:
        raise _reject(f"the reference period ended {figure.reference_end.date().isoformat()}, "
                      f"more than {PACT_DEFAULT_VALIDITY_YEARS} years before the reporting "
                      f"year {year}: too old for that year", "expiry", figure,
                      "reference_end",
                      allowed=f"reference period ending after {add_years(start, -3).date()}")
    flags = []
    if figure.reference_end <= start:
        flags.append(f"reference period {_period(figure)} precedes the reporting year {year}")
    elif figure.reference_start >= end:
        flags.append(f"reference period {_period(figure)} is after the reporting year {year}: "
                     "a later figure applied to an earlier year")
    if figure.validity_start is not None and figure.validity_start > now:
        flags.append(f"validity starts {figure.validity_start.date().isoformat()}, after the "
                     "import")
    return flags


def _period(figure: SupplierFigure) -> str:
    return (f"{figure.reference_start.date().isoformat()} to "
            f"{figure.reference_end.date().isoformat()}")


def blend(figures: list[tuple[float, float]]) -> tuple[float, float]:
    """Covered share and share-weighted mean figure of one input.

    Formula: ``S = sum s_i``, ``F = sum s_i f_i / S`` (module docstring).

    Parameters
    ----------
    figures : list of (share, kg CO2e per kg)

    Returns
    -------
    (float, float)
        ``(S, F)``; ``(0.0, 0.0)`` for no figures.

    Raises
    ------
    ValueError
        The shares add up to more than 1 (beyond float rounding) or one is not in (0, 1].
    """
    if not figures:
        return 0.0, 0.0
    for share, value in figures:
        if not 0.0 < share <= 1.0 or not math.isfinite(value) or value < 0:
            raise ValueError(f"bad supplier figure (share {share!r}, {value!r} kg CO2e/kg)")
    total_share = math.fsum(s for s, _ in figures)
    if total_share > 1.0 + 1e-9:
        raise ValueError(f"covered shares add up to {total_share!r} > 1")
    mean = math.fsum(s * f for s, f in figures) / total_share
    return min(total_share, 1.0), mean


def effective(average: float, share: float, figure: float) -> float:
    """kg CO2e per kg of an input whose share ``share`` takes ``figure`` and the rest
    ``average``: ``share * figure + (1 - share) * average``."""
    return share * figure + (1.0 - share) * average
