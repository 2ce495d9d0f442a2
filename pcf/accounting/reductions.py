"""Reductions against a base year, targets and pathways: pure functions.

Rules (shared/reference/methods.md section 5.3):

- a reduction compares per-unit footprints (kg CO2e per declared unit) on the same declared
  unit, boundary, method, recycled-content rule and data version: the base year is recomputed
  with today's data and method (like-for-like), and the value as originally reported is kept
  for audit;
- reduction ``r = (base - current) / base`` (positive when the footprint fell);
- SBTi C27: a base-year recalculation is due when a change moves base-year emissions by 5 % or
  more (:data:`RECALCULATION_THRESHOLD`), here the recomputed against the reported base value.
"""

from __future__ import annotations

RECALCULATION_THRESHOLD = 0.05
"""SBTi criterion C27: recalculate the base year at a cumulative change of 5 % or more."""


def reduction(base: float, current: float) -> float:
    """Relative reduction ``(base - current) / base``; positive when ``current < base``.

    Raises
    ------
    ZeroDivisionError
        If ``base`` is 0 (no reduction is defined against a zero base).
    """
    return (base - current) / base


def recalculation_due(recomputed: float, reported: float,
                      threshold: float = RECALCULATION_THRESHOLD) -> bool:
    """True if the recomputed base-year value differs from the reported one by >= threshold.

    ``|recomputed / reported - 1| >= threshold`` (default 5 %, SBTi C27).
    """
    return abs(recomputed / reported - 1.0) >= threshold - 1e-12


def straight_line(base_year: int, target_year: int, target_reduction: float, year: int) -> float:
    """Reduction expected by ``year`` on a straight line from 0 at the base year to
    ``target_reduction`` at ``target_year``: ``target_reduction x (year - base_year) /
    (target_year - base_year)``, held at ``target_reduction`` after the target year."""
    if target_year == base_year:
        return target_reduction
    share = (year - base_year) / (target_year - base_year)
    return target_reduction * min(max(share, 0.0), 1.0)


def pathway_reduction(values: dict[int, float], base_year: int, year: int) -> float | None:
    """Reduction a pathway asks for by ``year`` relative to its base-year value:
    ``(P_base - P_year) / P_base``. None if either year is not on the pathway."""
    if base_year not in values or year not in values:
        return None
    return reduction(values[base_year], values[year])


def on_track(achieved_reduction: float, required_reduction: float) -> bool:
    """True if the achieved reduction is at least the required one (1e-12 tolerance)."""
    return achieved_reduction >= required_reduction - 1e-12


def per_unit_from_value_reduction(value_reduction: float, price_ratio: float) -> float:
    """Per-unit reduction equivalent to a reduction of intensity per output value.

    With ``I_value = E / (Q P)`` and ``I_unit = E / Q`` (``P`` output value per declared unit in
    constant prices), ``1 - r_unit = (1 - r_value) x P_year / P_base``.

    Parameters
    ----------
    value_reduction : float
        Reduction of emissions per output value, 0..1.
    price_ratio : float
        ``P_year / P_base``, output value per declared unit (deflated) in the target year over
        the base year.
    """
    return 1.0 - (1.0 - value_reduction) * price_ratio


def target_status(target: dict, row: dict, base: int, year: int) -> dict:
    """Status of one target for one stage row of a reductions document.

    Parameters
    ----------
    target : dict
        ``{"type": "pathway", "values": {year: kg CO2e per declared unit}, ...}`` or
        ``{"type": "reduction", "year": target year, "reduction": fraction, ...}``, both with
        ``origin``, ``basis`` and ``source`` (``databases/companies/``).
    row : dict
        The stage row: ``reduction`` (like-for-like), ``base_year_value``, ``year_as_reported``.
    base, year : int
        Base year and reporting year.

    Returns
    -------
    dict
        A pathway target: ``pathway_value``, ``pathway_base_value``, ``required_reduction``
        (:func:`pathway_reduction`), ``pathway_value_like_for_like`` (the pathway rebased on the
        recomputed base year), ``on_track`` and ``on_track_as_reported``. A reduction target:
        ``target_year``, ``target_reduction``, ``required_reduction`` (:func:`straight_line`)
        and ``on_track``.
    """
    out = {k: target[k] for k in ("type", "origin", "basis", "source")}
    achieved = row["reduction"]
    if target["type"] == "pathway":
        values = target["values"]
        required = pathway_reduction(values, base, year)
        out.update({
            "pathway_value": values.get(year),
            "pathway_base_value": values.get(base),
            "required_reduction": required,
            "pathway_value_like_for_like": (row["base_year_value"] * values[year] / values[base]
                                            if required is not None else None),
            "on_track": on_track(achieved, required) if required is not None else None,
            "on_track_as_reported": (row["year_as_reported"] <= values[year] + 1e-12
                                     if row["year_as_reported"] is not None
                                     and year in values else None),
        })
    elif target.get("denominator") == "output-value":
        out.update({
            "target_year": target["year"], "target_reduction": target["reduction"],
            "denominator": "output-value", "required_reduction": None, "on_track": None,
            "comparison": target.get("comparison"),
            "rule": "per output value, kept as stated: not comparable with a per-unit "
                    "footprint without the output value per unit in both years "
                    "(1 - r_unit = (1 - r_value) x P_year / P_base)",
        })
    else:
        required = straight_line(base, target["year"], target["reduction"], year)
        out.update({
            "target_year": target["year"], "target_reduction": target["reduction"],
            "required_reduction": required,
            "on_track": on_track(achieved, required),
            "rule": "straight line from the base year to the target year",
        })
    return out
