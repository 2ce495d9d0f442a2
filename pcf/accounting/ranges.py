"""Results against published ranges (``databases/rules/published-ranges.yaml``): pure
functions."""

from __future__ import annotations

from typing import Any


def check_range(value: float, low: float, high: float) -> dict[str, Any]:
    """Where ``value`` lies against the published range ``[low, high]``.

    Formula: ``below`` if ``value < low`` (gap ``(value - low) / low``), ``above`` if
    ``value > high`` (gap ``(value - high) / high``), else ``inside`` (gap 0).

    Returns
    -------
    dict
        ``{"within": bool, "position": "below" | "inside" | "above", "gap": float}``; gap is
        the relative distance to the nearer bound (negative below, positive above; None
        against a bound of 0).
    """
    if value < low:
        return {"within": False, "position": "below",
                "gap": (value - low) / low if low else None}
    if value > high:
        return {"within": False, "position": "above",
                "gap": (value - high) / high if high else None}
    return {"within": True, "position": "inside", "gap": 0.0}


def measure_value(footprint: dict, measure: str) -> float:
    """The value a range's ``measure`` refers to: ``total`` or ``stage:<stage>`` (kg CO2e per
    declared unit).

    Raises
    ------
    KeyError
        For a stage the footprint does not have.
    """
    if measure == "total":
        return float(footprint["per_declared_unit"]["total"])
    stage = measure.removeprefix("stage:")
    for row in footprint["stages"]:
        if row["stage"] == stage:
            return float(row["kg_co2e_per_declared_unit"])
    raise KeyError(stage)


def relative_reduction(value: float, reference: float) -> float:
    """Reduction of ``value`` against ``reference`` as a fraction (measure
    ``reduction:<variant>`` of a published range).

    Formula: ``1 - value / reference``; positive when ``value`` is lower.

    Raises
    ------
    ValueError
        If ``reference`` is not > 0 (no reduction is defined against it).
    """
    if not reference > 0:
        raise ValueError("reference must be > 0")
    return 1.0 - value / reference
