"""GWP basis of a footprint: how much of the total pcf characterized with IPCC AR6, and how
much rests on CO2e figures that sources computed with other GWP sets (issue 16).

pcf characterizes every elementary flow with the IPCC 2021 (AR6) GWP100 factors. A figure
given by its source only as CO2e (written on ``co2-fossil``, databases/README.md rule 2) keeps
the GWP set its source used, though: the method label alone would overstate how much of a
result is AR6. Each biosphere figure in ``databases/`` therefore resolves a GWP basis
(:data:`pcf.inventory.schema.GWP_BASES`): ``gas`` (a mass of the named gas, characterized by
pcf with AR6) or the set of the source's CO2e (``AR6``, ``AR5``, ``AR4``, ``SAR``,
``unstated``). The provenance of each contribution (:mod:`pcf.engine.provenance`) carries that
basis for a direct emission, and for a background input the split of the input's cumulative
kg CO2e by basis (``gwp_split``).

Pure functions over a Footprint computed with ``provenance=True``.
"""

from __future__ import annotations

import math
from typing import Any

from pcf.accounting.data_quality import metas

AR6_BASES = ("gas", "AR6")
"""Bases counted as characterized with AR6: gases characterized by pcf, and CO2e figures whose
source used AR6."""

ORDER = ("gas", "AR6", "AR5", "AR4", "SAR", "unstated")
"""Reporting order of the bases."""

NAMES = {"gas": "gases characterized by pcf with AR6", "AR6": "CO2e from sources on AR6",
         "AR5": "AR5", "AR4": "AR4", "SAR": "SAR", "unstated": "GWP set not stated"}


def split_contribution(contribution: dict[str, Any]) -> dict[str, float]:
    """kg CO2e of one contribution by GWP basis.

    Formula, for a contribution ``c`` (kg CO2e per declared unit):

    - a direct emission: all of ``c`` to the basis of its exchange (if several exchanges with
      different bases fall in one contribution, to ``unstated``: the worst case);
    - a background input with cumulative kg CO2e per unit ``s_b`` by basis ``b``:
      ``c_b = c * s_b / sum_b s_b``.

    A contribution without provenance goes to ``unstated``. The shares are those of
    :func:`basis_shares`.
    """
    return split_value(float(contribution["kg_co2e_per_declared_unit"]),
                       basis_shares(contribution))


def basis_shares(contribution: dict[str, Any]) -> tuple[tuple[str, float, float], ...]:
    """How :func:`split_contribution` splits a contribution, without its value.

    Depends only on the contribution's ``kind`` and ``provenance``, so a caller that scores
    many footprints of one product can compute it once per contribution row (issue 21).

    Returns
    -------
    tuple of (basis, part, total)
        ``c_b = c * part / total`` for each basis ``b`` in that order (:func:`split_value`);
        a direct emission or an unknown row has one item with ``part = total = 1.0``
        (``c * 1.0 / 1.0`` is ``c`` exactly).
    """
    found = metas(contribution)
    if not found:
        return (("unstated", 1.0, 1.0),)
    if contribution.get("kind") == "biosphere":
        bases = {m.get("gwp") or "unstated" for m in found}
        return ((bases.pop() if len(bases) == 1 else "unstated", 1.0, 1.0),)
    shares = found[0].get("gwp_split") or {}
    total = math.fsum(shares.values())
    if not shares or total == 0.0:
        return (("unstated", 1.0, 1.0),)
    return tuple((basis, part, total) for basis, part in shares.items())


def split_value(value: float, shares: tuple[tuple[str, float, float], ...]) -> dict[str, float]:
    """``{basis: value * part / total}`` for the ``shares`` of :func:`basis_shares` (value in
    kg CO2e per declared unit)."""
    return {basis: value * part / total for basis, part, total in shares}


def gwp_basis_mix(footprint: dict) -> dict[str, Any]:
    """Share of a footprint's total by GWP basis, and the label that says so.

    Formula::

        k_b = sum_i c_ib                 (kg CO2e per declared unit, :func:`split_contribution`)
        p_b = 100 * k_b / sum_b k_b      (percent of the total)
        AR6 share = p_gas + p_AR6

    Parameters
    ----------
    footprint : dict
        A Footprint with provenance on its contributions.

    Returns
    -------
    dict
        ``{"kgCO2ePerDeclaredUnit": {basis: kg}, "percent": {basis: %},
        "ar6_percent": float, "other_percent": float, "label": str}``, bases in
        :data:`ORDER`, only those present.
    """
    contributions = footprint.get("contributions") or []
    return gwp_basis_mix_of(contributions, [basis_shares(c) for c in contributions])


def gwp_basis_mix_of(contributions: list[dict[str, Any]],
                     shares: list[tuple[tuple[str, float, float], ...]]) -> dict[str, Any]:
    """:func:`gwp_basis_mix` with the :func:`basis_shares` of each contribution given.

    Parameters
    ----------
    contributions : list of dict
        Footprint contributions (``kg_co2e_per_declared_unit`` is read; no provenance needed).
    shares : list
        ``basis_shares`` of each contribution, in the same order (e.g. computed once per
        contribution row of the product).

    Returns
    -------
    dict
        As :func:`gwp_basis_mix`; the same floats, summed in the same order.
    """
    kg: dict[str, float] = {}
    for c, rule in zip(contributions, shares, strict=True):
        value = float(c["kg_co2e_per_declared_unit"])
        for basis, part, total in rule:
            kg[basis] = kg.get(basis, 0.0) + value * part / total
    return basis_of_kg(kg)


def basis_of_kg(kg: dict[str, float]) -> dict[str, Any]:
    """The GWP-basis block of :func:`gwp_basis_mix` from its kg CO2e per basis.

    Formula: ``p_b = 100 * k_b / sum_b k_b``; AR6 share ``= p_gas + p_AR6``; the label is
    :func:`label`. Used directly where the kg are known already (a supply mix's kg are the
    share-weighted kg of its lines, :func:`pcf.accounting.supply_mix.mix_footprints`).

    Parameters
    ----------
    kg : dict
        Basis -> kg CO2e per declared unit.

    Returns
    -------
    dict
        As :func:`gwp_basis_mix`.
    """
    total = math.fsum(kg.values())
    ordered = sorted(kg, key=lambda b: ORDER.index(b) if b in ORDER else len(ORDER))
    percent = {b: (100.0 * kg[b] / total if total else 0.0) for b in ordered}
    ar6 = math.fsum(percent.get(b, 0.0) for b in AR6_BASES)
    other = 100.0 - ar6 if total else 0.0
    return {"kgCO2ePerDeclaredUnit": {b: kg[b] for b in ordered},
            "percent": {b: round(p, 2) for b, p in percent.items()},
            "ar6_percent": round(ar6, 2), "other_percent": round(other, 2),
            "label": label(percent)}


def label(percent: dict[str, float]) -> str:
    """One line that says which share of a result is AR6 and which rests on other GWP sets.

    E.g. ``"IPCC 2021 GWP100 (AR6) on 41.0 % of the total (gases characterized by pcf
    35.0 %, CO2e from sources on AR6 6.0 %); 59.0 % rests on CO2e from sources on other GWP
    sets (AR5 9.0 %, GWP set not stated 50.0 %)"``.
    """
    ar6 = [(b, percent[b]) for b in AR6_BASES if percent.get(b)]
    other = [(b, percent[b]) for b in ORDER if b not in AR6_BASES and percent.get(b)]
    ar6_total = sum(p for _, p in ar6)
    text = f"IPCC 2021 GWP100 (AR6) on {ar6_total:.1f} % of the total"
    if ar6:
        text += " (" + ", ".join(f"{NAMES[b]} {p:.1f} %" for b, p in ar6) + ")"
    if other:
        text += (f"; {sum(p for _, p in other):.1f} % rests on CO2e from sources on other GWP "
                 "sets (" + ", ".join(f"{NAMES[b]} {p:.1f} %" for b, p in other) + ")")
    return text
