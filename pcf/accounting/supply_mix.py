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


PARTS = ("total", "fossil", "biogenic", "land_use")
"""GWP parts of ``per_declared_unit``."""

_NOT_IDENTITY = frozenset({"amount", "kg_co2e_per_declared_unit", "provenance"})
"""Keys of a contribution that are values, not part of its identity."""


def contribution_identity(contribution: dict[str, Any]) -> tuple:
    """What makes two lines' contributions the same row of the mix.

    Every key except the values (``amount``, ``kg_co2e_per_declared_unit``) and
    ``provenance``: input, activity, kind, stage, unit, and any supplier marks
    (``supplier_specific``, ``supplier_parameter``, ``supplier_input``).
    """
    return tuple(sorted((k, v) for k, v in contribution.items() if k not in _NOT_IDENTITY))


def _weighted(parts: list[tuple[float, float]]) -> float:
    return math.fsum(s * v for s, v in parts)


def _mix_rows(parts: list[tuple[float, list[dict[str, Any]]]], key, values: tuple[str, ...]
              ) -> list[dict[str, Any]]:
    """Rows grouped by ``key(row)`` in order of first appearance; ``values`` share-weighted
    (a row missing from a line counts 0 there); other keys from the first row of the group."""
    order: list[Any] = []
    first: dict[Any, dict[str, Any]] = {}
    sums: dict[Any, dict[str, list[tuple[float, float]]]] = {}
    for share, rows in parts:
        for row in rows:
            k = key(row)
            if k not in first:
                order.append(k)
                first[k] = row
                sums[k] = {v: [] for v in values}
            for v in values:
                sums[k][v].append((share, float(row.get(v) or 0.0)))
    return [{**first[k], **{v: _weighted(sums[k][v]) for v in values}} for k in order]


def mix_footprints(parts: list[tuple[float, dict[str, Any]]]) -> dict[str, Any]:
    """The linear blocks of a Footprint mixed over supply-mix lines.

    Formula, for every linear value ``v`` (kg CO2e per declared unit, or kg, or an exchange
    amount): ``v = sum_i s_i * v_i`` with ``sum_i s_i = 1`` (:func:`mix`), the footprint of
    each line ``i`` computed with the line's parameters. Exact: pcf's product models are
    linear in their material-mix shares. Derived ratios are recomputed from the mixed values,
    never averaged:

    - ``per_declared_unit`` (total, fossil, biogenic, land_use) and ``stages`` mixed;
    - ``contributions`` grouped by :func:`contribution_identity`, ``amount`` and
      ``kg_co2e_per_declared_unit`` mixed (a row a line lacks counts 0 for it); the first
      line's ``provenance`` of a row is kept (the same identity has the same metadata);
    - ``supplier_specific_inputs`` by input: ``kg_per_declared_unit`` mixed;
    - ``supplier_footprints`` by input: ``kg_per_declared_unit`` and
      ``kg_co2e_per_declared_unit`` mixed;
    - ``primary_data``: ``kgCO2ePerDeclaredUnit`` mixed, ``percent = 100 * kg / total``
      (clipped to 0..100, 2 decimals; 0 when total <= 0), parameters the union;
    - ``gwp_basis``: kg per basis mixed, percents and label recomputed
      (:func:`pcf.accounting.gwp_basis.basis_of_kg`);
    - ``warnings``: every line's, each once, in order.

    Parameters
    ----------
    parts : list of (share, Footprint)
        One footprint per line, all of the same product, declared unit and quantity;
        shares sum to 1.

    Returns
    -------
    dict
        Only the keys above that the lines have (``stages``, ``per_declared_unit`` and
        ``warnings`` always). ``dqi`` is not here: it is a rating, recomputed by the caller
        from the mixed contributions (:func:`pcf.accounting.data_quality.pedigree_dqi`).

    Raises
    ------
    ValueError
        Shares that do not sum to 1, no lines, or lines with different stages or GWP parts.
    """
    from pcf.accounting.gwp_basis import basis_of_kg

    if not parts:
        raise ValueError("a supply mix needs at least one line")
    stage_parts = [(s, {**{st["stage"]: st["kg_co2e_per_declared_unit"]
                           for st in fp["stages"]},
                        **{f"part:{k}": v for k, v in fp["per_declared_unit"].items()}})
                   for s, fp in parts]
    mixed = mix(stage_parts)  # checks the shares and the keys
    first = parts[0][1]
    out: dict[str, Any] = {
        "per_declared_unit": {k: mixed[f"part:{k}"] for k in first["per_declared_unit"]},
        "stages": [{"stage": st["stage"], "kg_co2e_per_declared_unit": mixed[st["stage"]]}
                   for st in first["stages"]],
    }
    if all(fp.get("contributions") is not None for _, fp in parts):
        out["contributions"] = _mix_rows([(s, fp["contributions"]) for s, fp in parts],
                                         contribution_identity,
                                         ("amount", "kg_co2e_per_declared_unit"))
    if any(fp.get("supplier_specific_inputs") for _, fp in parts):
        out["supplier_specific_inputs"] = _mix_rows(
            [(s, fp.get("supplier_specific_inputs") or []) for s, fp in parts],
            lambda row: row["input"], ("kg_per_declared_unit",))
    if any("supplier_footprints" in fp for _, fp in parts):
        out["supplier_footprints"] = _mix_rows(
            [(s, fp.get("supplier_footprints") or []) for s, fp in parts],
            lambda row: row["input"], ("kg_per_declared_unit", "kg_co2e_per_declared_unit"))
    total = out["per_declared_unit"]["total"]
    if all("primary_data" in fp for _, fp in parts):
        kg = _weighted([(s, fp["primary_data"]["kgCO2ePerDeclaredUnit"]) for s, fp in parts])
        names = list(dict.fromkeys(n for _, fp in parts for n in fp["primary_data"]["parameters"]))
        basis = next((fp["primary_data"]["basis"] for _, fp in parts
                      if fp["primary_data"]["parameters"]), first["primary_data"]["basis"])
        percent = 100.0 * kg / total if total > 0 else 0.0
        out["primary_data"] = {"percent": round(min(max(percent, 0.0), 100.0), 2),
                               "kgCO2ePerDeclaredUnit": kg, "parameters": names,
                               "basis": basis}
    if all("gwp_basis" in fp for _, fp in parts):
        bases = list(dict.fromkeys(b for _, fp in parts
                                   for b in fp["gwp_basis"]["kgCO2ePerDeclaredUnit"]))
        out["gwp_basis"] = basis_of_kg({b: _weighted([
            (s, fp["gwp_basis"]["kgCO2ePerDeclaredUnit"].get(b, 0.0)) for s, fp in parts])
            for b in bases})
    out["warnings"] = list(dict.fromkeys(w for _, fp in parts for w in fp.get("warnings") or []))
    return out
