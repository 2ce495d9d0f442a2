"""Consistency checks on a company's own figures and against pcf's model (issue 16): pure
functions that say when figures disagree and by how much.

Each check returns a dict with ``status`` (``ok``, ``disagree`` or ``impossible``), the numbers
compared and a ``message`` a reviewer can read. Figures: t CO2e (inventory totals), t CO2e per
t product = kg CO2e per kg (intensities).
"""

from __future__ import annotations

from typing import Any

TOLERANCE = 0.10
"""Relative difference above which a modelled and a reported figure disagree."""


def inventory_vs_intensities(scope1: float, scope2: float, scope3: float,
                             scope12_intensity: float, scope3_intensity: float,
                             scope3_label: str = "raw material (Scope 3 category 1)"
                             ) -> dict[str, Any]:
    """Check that a company's inventory totals and product intensities fit together.

    Formula::

        P      = (scope1 + scope2) / scope12_intensity      (t product implied)
        S3_cat = scope3_intensity * P                        (t CO2e implied for the category)
        ratio  = S3_cat / scope3

    The category is part of Scope 3, so ``ratio`` above 1 (+ tolerance) is impossible: at
    least one of the four figures is wrong or on another boundary.
    """
    production = (scope1 + scope2) / scope12_intensity
    implied = scope3_intensity * production
    ratio = implied / scope3
    status = "impossible" if ratio > 1.0 + TOLERANCE else "ok"
    message = (f"Scope 1+2 {scope1 + scope2:,.0f} t / {scope12_intensity:g} t/t implies "
               f"{production:,.0f} t of product; x {scope3_intensity:g} t/t {scope3_label} = "
               f"{implied:,.0f} t, {ratio:.2f} x the reported Scope 3 total {scope3:,.0f} t")
    if status != "ok":
        message += (" (a part of Scope 3 cannot exceed all of it: the intensity, the inventory "
                    "or the production behind them is on another basis; at the reported "
                    f"Scope 3 the category could be at most {scope3 / production:.2f} t/t)")
    return {"status": status, "production_t": production, "implied_t": implied,
            "reported_scope3_t": scope3, "ratio": ratio,
            "max_intensity": scope3 / production, "message": message}


def below_physical_minimum(reported: float, minimum: float, what: str) -> dict[str, Any]:
    """Check that a reported figure is not below what physics allows.

    Formula: ``impossible`` if ``reported < minimum``; ``ratio = reported / minimum``.
    """
    ratio = reported / minimum if minimum else float("inf")
    status = "impossible" if reported < minimum else "ok"
    message = (f"{what}: reported {reported:.4f} vs physical minimum {minimum:.4f} "
               f"({ratio:.2f} x)")
    return {"status": status, "reported": reported, "minimum": minimum, "ratio": ratio,
            "message": message}


def modelled_vs_reported(modelled: float, reported: float, what: str,
                         tolerance: float = TOLERANCE) -> dict[str, Any]:
    """Compare pcf's figure with the company's.

    Formula: ``difference = modelled / reported - 1``; ``disagree`` if
    ``|difference| > tolerance``.
    """
    difference = modelled / reported - 1.0
    status = "disagree" if abs(difference) > tolerance else "ok"
    message = (f"{what}: pcf {modelled:.4f} vs reported {reported:.4f} "
               f"({difference:+.1%})")
    return {"status": status, "modelled": modelled, "reported": reported,
            "difference": difference, "message": message}


def reduction_vs_reported(modelled: float | None, reported: float | None, what: str,
                          tolerance_points: float = 0.02) -> dict[str, Any]:
    """Compare a reduction computed from stored data with the reported one.

    Reductions are fractions (positive when the footprint fell). Formula:
    ``gap = modelled - reported`` (fraction points); ``disagree`` if ``|gap| >
    tolerance_points``.
    """
    if modelled is None or reported is None:
        return {"status": "ok", "modelled": modelled, "reported": reported, "gap": None,
                "message": f"{what}: nothing to compare"}
    gap = modelled - reported
    status = "disagree" if abs(gap) > tolerance_points else "ok"
    message = (f"{what}: from stored data {0.0 - modelled:+.1%}, reported "
               f"{0.0 - reported:+.1%} (difference {0.0 - gap * 100:+.1f} points)")
    return {"status": status, "modelled": modelled, "reported": reported, "gap": gap,
            "message": message}
