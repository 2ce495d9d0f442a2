"""A year's footprint from a purchased-material mix (stored supplier data): pure functions.

A company year may store its purchases as a ``supply_mix`` (databases/companies/): lines with a
share of the purchased material and the product parameters that describe that line (e.g.
primary ingot from a modelled chain, post-consumer scrap, a supplier's declared ingot
footprint). pcf's product models are linear in their material-mix shares, so the year's
footprint is the share-weighted sum of one footprint per line (each computed with the line's
parameters over the year's site settings).
"""

from __future__ import annotations

import math
from typing import Any


def mix(parts: list[tuple[float, dict[str, float]]]) -> dict[str, float]:
    """Share-weighted sum of per-line values.

    Formula: ``v_k = sum_i s_i * v_ik`` for every key ``k`` (a stage, ``total``, ...), with
    ``sum_i s_i = 1``.

    Parameters
    ----------
    parts : list of (share, {key: kg CO2e per declared unit})

    Raises
    ------
    ValueError
        If the shares do not sum to 1 (within 1e-6) or the lines have different keys.
    """
    if abs(math.fsum(s for s, _ in parts) - 1.0) > 1e-6:
        raise ValueError("supply mix shares must sum to 1")
    keys = set(parts[0][1]) if parts else set()
    if any(set(values) != keys for _, values in parts):
        raise ValueError("every supply line needs the same keys")
    return {k: math.fsum(s * values[k] for s, values in parts) for k in sorted(keys)}


def implied_share(target: float, value_a: float, value_b: float) -> float | None:
    """Share ``x`` of line ``a`` for which ``x * a + (1 - x) * b`` equals ``target``.

    Formula: ``x = (target - b) / (a - b)``; None when ``a == b``. A diagnostic (what a
    reported figure would imply), never a model input.
    """
    if value_a == value_b:
        return None
    return (target - value_b) / (value_a - value_b)


def implied_value(target: float, fixed_share: float, fixed_value: float) -> float | None:
    """Value ``v`` of the rest of a mix for which ``s * f + (1 - s) * v`` equals ``target``.

    Formula: ``v = (target - s * f) / (1 - s)``; None when ``s == 1``. A diagnostic, never a
    model input.
    """
    if fixed_share >= 1.0:
        return None
    return (target - fixed_share * fixed_value) / (1.0 - fixed_share)


def describe_line(line: dict[str, Any]) -> str:
    """``"0.792 primary ingot, ..."`` for messages."""
    return f"{line['share']['value']:.3f} {line['label']}"
