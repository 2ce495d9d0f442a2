"""CBAM specific embedded emissions of a complex good (issue 20): pure functions, no I/O.

The rules and their sources are data (``databases/rules/cbam-aluminium.yaml``,
:mod:`pcf.inventory.regulatory`); here is only the arithmetic.

Specific embedded emissions (SEE) of a complex good, definitive period (IR (EU) 2025/2547
Annex I section 3.1; Commission guidance, methods.md section 3.4)::

    SEE = (AttrEm + sum_p M_p * SEE_p) / AL

    AttrEm   direct emissions attributed to the production process of the good, t CO2e
    M_p      mass of precursor p consumed, t
    SEE_p    specific embedded emissions of precursor p, t CO2e/t
    AL       activity level: mass of the good produced, t

Scrap is not a precursor: it enters with the scrap rule's embedded emissions (zero under
Annex II point F), kept as data so a later rule (COM(2025)989) is a new rule-set version.
"""

from __future__ import annotations

import math
from typing import Any


def specific_embedded_emissions(attributed: float, precursors: list[tuple[float, float]],
                                activity_level: float) -> float:
    """SEE of a complex good.

    Formula: ``(attributed + sum(m * see for m, see in precursors)) / activity_level``.

    Parameters
    ----------
    attributed : float
        Attributed direct emissions of the process, t CO2e (>= 0).
    precursors : list of (float, float)
        ``(M_p in t, SEE_p in t CO2e/t)`` per precursor (or scrap line, with its rule's SEE).
    activity_level : float
        t of good produced (> 0).

    Returns
    -------
    float
        t CO2e per t of good.

    Raises
    ------
    ValueError
        ``activity_level`` not > 0, or a negative emission or mass.
    """
    if not activity_level > 0.0:
        raise ValueError("activity_level must be > 0")
    if attributed < 0.0 or any(m < 0.0 or see < 0.0 for m, see in precursors):
        raise ValueError("emissions and masses must be >= 0")
    embedded = math.fsum(m * see for m, see in precursors)
    return (attributed + embedded) / activity_level


def qualifying_parameters(product_t: float, post_consumer_t: float, pre_consumer_t: float,
                          alloying_share: float | None) -> dict[str, Any]:
    """Qualifying parameters of unwrought aluminium and aluminium products (IR 2025/2547
    Annex IV section 2).

    Formula::

        scrap_t_per_t     = (post + pre) / product
        pre_consumer_pct  = 100 * pre / (post + pre)       (None without scrap)
        alloying_pct      = 100 * alloying_share if alloying_share > 0.01, else reported as
                            not above 1 %

    Parameters
    ----------
    product_t : float
        t of good (> 0).
    post_consumer_t, pre_consumer_t : float
        t of scrap used, by kind (>= 0).
    alloying_share : float or None
        Mass share (0..1) of elements other than aluminium; None when unknown.

    Returns
    -------
    dict
        ``{"scrap_t_per_t", "pre_consumer_scrap_percent", "alloying_elements_above_1_percent"
        (bool or None), "alloying_elements_percent" (float or None)}``.

    Raises
    ------
    ValueError
        ``product_t`` not > 0, a negative mass, or ``alloying_share`` outside 0..1.
    """
    if not product_t > 0.0:
        raise ValueError("product_t must be > 0")
    if post_consumer_t < 0.0 or pre_consumer_t < 0.0:
        raise ValueError("scrap masses must be >= 0")
    scrap = post_consumer_t + pre_consumer_t
    above = None if alloying_share is None else alloying_share > 0.01
    if alloying_share is not None and not 0.0 <= alloying_share <= 1.0:
        raise ValueError("alloying_share must be within 0..1")
    return {
        "scrap_t_per_t": scrap / product_t,
        "pre_consumer_scrap_percent": (100.0 * pre_consumer_t / scrap) if scrap > 0 else None,
        "alloying_elements_above_1_percent": above,
        "alloying_elements_percent": (100.0 * alloying_share
                                      if alloying_share is not None and above else None),
    }


def markup_for(markups: list[dict[str, Any]], year: int) -> float:
    """Mark-up of default values for a year of import.

    The entry of ``year``; after the last listed year, the last one's value; before the first,
    0 (no definitive-period default applies).

    Parameters
    ----------
    markups : list of {"year": int, "markup": float}
    year : int

    Returns
    -------
    float
        Mark-up as a fraction (0.10 = 10 %).
    """
    ordered = sorted(markups, key=lambda m: m["year"])
    value = 0.0
    for entry in ordered:
        if entry["year"] <= year:
            value = float(entry["markup"])
    return value


__all__ = ["specific_embedded_emissions", "qualifying_parameters", "markup_for"]
