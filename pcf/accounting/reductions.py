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
