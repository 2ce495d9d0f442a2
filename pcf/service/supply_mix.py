"""A purchased-material mix's footprint: the one implementation behind a company year's
footprint everywhere (reductions, CBAM's cradle-to-gate, consistency checks and the audit through
:func:`pcf.service.company_data.year_footprint`; the API, order lines, certificates and
``pcf footprint --company`` through :func:`pcf.service.suppliers.company_footprint`).

The arithmetic is pure (:func:`pcf.accounting.supply_mix.mix_footprints`); this module computes
one footprint per line and hands them to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pcf.accounting.data_quality import pedigree_dqi
from pcf.accounting.supply_mix import mix, mix_footprints
from pcf.service.footprints import compute_footprint, model, traced_contributions


def supply_mix_of(record: dict | None, year: int) -> list[dict] | None:
    """The stored ``supply_mix`` lines of a company year (None when the year has none)."""
    return ((record or {}).get("years", {}).get(year) or {}).get("supply_mix") or None


def _line_parameters(line: dict, under: dict, supplier: dict, explicit: dict,
                     warnings: list[str], variant: tuple[str, dict] | None = None) -> dict:
    """``{**under, **line, **supplier, **explicit}``; a line's parameter overridden, or a
    variant's value a line overrides, is noted in ``warnings``."""
    label = line["label"]
    for name, value in line["parameters"].items():
        if (variant is not None and name in variant[1] and name not in explicit
                and name not in supplier and variant[1][name] != value):
            warnings.append(f"variant {variant[0]!r} sets {name} = {variant[1][name]!r}; the "
                            f"supply-mix line {label!r} sets {value!r} and wins (company data "
                            "override a variant; give the parameter to override the lines)")
        if name in explicit and explicit[name] != value:
            warnings.append(f"{name} = {explicit[name]!r} given with the request overrides the "
                            f"supply-mix line {label!r} ({name} = {value!r}) on every line")
        elif name in supplier and supplier[name] != value:
            warnings.append(f"{name} = {supplier[name]!r} from the stored supplier footprints "
                            f"overrides the supply-mix line {label!r} ({name} = {value!r})")
    return {**under, **line["parameters"], **supplier, **explicit}


def _mixed_parameters(parts: list[tuple[float, dict]]) -> tuple[dict[str, Any], list[str]]:
    """Resolved parameters of a mix: a value all lines share as is; a numeric one that differs
    by line, its share-weighted mean (e.g. recycled_content 0.208 for 0.792 x 0 + 0.208 x 1);
    any other that differs, the first line's. Returns the parameters and the varying names."""
    out: dict[str, Any] = {}
    varying = []
    for name, value in parts[0][1].items():
        values = [p.get(name) for _, p in parts]
        if all(v == value for v in values):
            out[name] = value
            continue
        varying.append(name)
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        out[name] = math.fsum(s * p[name] for s, p in parts) if numeric else value
    return out, varying


def mixed_footprint(product: str, lines: list[dict], parameters: dict[str, Any], *,
                    explicit: dict[str, Any] | None = None, info: dict | None = None,
                    annotate: Callable[[dict, dict], dict] | None = None,
                    variant: str | None = None, quantity: Any = None, unit: str | None = None,
                    contributions: bool = True, provenance: bool = False,
                    recycled_content_method: str = "cut-off") -> dict[str, Any]:
    """Footprint of a purchased-material mix: one footprint per line, mixed share-weighted.

    The one implementation behind :func:`year_footprint` (reductions, CBAM, consistency,
    audit) and :func:`pcf.service.suppliers.company_footprint` (API, orders, certificates,
    ``pcf footprint --company``).

    Line ``i`` is computed (:func:`~pcf.service.footprints.compute_footprint`) with
    ``{**parameters, **line_i.parameters, **supplier, **explicit}``: the company's settings
    under the line's own parameters, over them the parameters the stored supplier footprints
    set (``info["supplier_parameters"]``, taken from ``parameters``) and those the caller gave
    (``explicit``, on every line; each line parameter so overridden is named in
    ``warnings``). A ``variant`` sits under all of these (as company settings override it);
    a variant value a line overrides is named in ``warnings`` too. With ``info`` and
    ``annotate`` each line is annotated (:func:`pcf.service.suppliers.annotate`). The lines
    are mixed by
    :func:`pcf.accounting.supply_mix.mix_footprints`; ``dqi`` is recomputed from the mixed
    contributions (:func:`pcf.accounting.data_quality.pedigree_dqi`, impact-weighted, so it
    is rated on the mix, not averaged); with ``recycled_content_method="cff"`` the ``cff``
    block holds the mixed ``adjustment`` and each line's terms under ``supply_mix``.

    Parameters
    ----------
    product : str
    lines : list of dict
        The stored ``supply_mix`` lines: ``{"label", "share": {"value", "origin", ...},
        "parameters": {...}}``, shares summing to 1 (checked when the data are read).
    parameters : dict
        Parameters under every line (the company's settings, and the supplier parameters).
    explicit : dict, optional
        The caller's parameters, over every line.
    info : dict, optional
        :func:`pcf.service.suppliers.company_parameters`' second value (its
        ``supplier_parameters`` are the names taken from ``parameters`` over the lines).
    annotate : callable, optional
        ``annotate(footprint, info) -> footprint`` applied to each line's footprint before
        mixing (:func:`pcf.service.suppliers.annotate`; passed in, so that this module does
        not import the suppliers' use case, which imports this one).
    variant, quantity, unit, contributions, provenance, recycled_content_method
        As :func:`~pcf.service.footprints.compute_footprint`.

    Returns
    -------
    dict
        A Footprint: ``per_declared_unit``, ``total`` (= per declared unit x
        ``quantity_in_declared_unit``), ``stages`` and, with contributions,
        ``contributions``, ``primary_data``, ``gwp_basis``, ``dqi``, ``method.label`` of the
        mix; ``parameters``: those all lines share, and for those that differ by line the
        share-weighted mean (numbers) or the first line's (others), named in ``warnings``;
        ``supply_mix``: per line ``{"label", "share", "origin", "parameters" (the line's
        own), "resolved_parameters" (every parameter it was computed with),
        "per_declared_unit" (kg CO2e total), "stages" ({stage: kg CO2e, "total": ..})}``.

    Raises
    ------
    InvalidInput, InvalidParameter, UnknownResource
        As :func:`~pcf.service.footprints.compute_footprint` (bad parameter, quantity...).
    """
    explicit = dict(explicit or {})
    names = (info or {}).get("supplier_parameters") or []
    supplier = {k: parameters[k] for k in names if k in parameters}
    notes: list[str] = []
    variants = model(product).variants
    named = (variant, variants[variant]) if variant in variants else None
    parts, per_line = [], []
    for line in lines:
        values = _line_parameters(line, parameters, supplier, explicit, notes, named)
        fp = compute_footprint(product, variant=variant, parameters=values, quantity=quantity,
                               unit=unit, contributions=contributions, provenance=provenance,
                               recycled_content_method=recycled_content_method)
        if info is not None and annotate is not None:
            fp = annotate(fp, info)
        parts.append((line["share"]["value"], fp))
        per_line.append((line, fp))
    mixed = mix_footprints(parts)
    out = {**parts[0][1], **mixed}
    out["total"] = {k: v * out["quantity_in_declared_unit"]
                    for k, v in out["per_declared_unit"].items()}
    out["parameters"], varying = _mixed_parameters(
        [(s, fp["parameters"]) for s, fp in parts])
    if varying:
        notes.append(f"supply mix: {', '.join(varying)} differ by line; each line's are "
                     "under supply_mix, the footprint is the share-weighted mix of the lines' "
                     "footprints")
    out["warnings"] = list(dict.fromkeys([*mixed["warnings"], *notes]))
    if "contributions" in mixed:
        out["dqi"] = pedigree_dqi({"contributions": mixed["contributions"] if provenance else
                                   traced_contributions(product, mixed["contributions"])})
    if "gwp_basis" in mixed:
        out["method"] = {**out["method"], "label": mixed["gwp_basis"]["label"]}
    if recycled_content_method == "cff":
        first = parts[0][1]["cff"]
        out["cff"] = {"rule_set": first["rule_set"], "formula": first["formula"],
                      "adjustment": mix([(s, fp["cff"]["adjustment"]) for s, fp in parts]),
                      "supply_mix": [{"label": line["label"], "share": line["share"]["value"],
                                      **fp["cff"]} for line, fp in per_line]}
    out["supply_mix"] = [{"label": line["label"], "share": line["share"]["value"],
                          "origin": line["share"]["origin"], "parameters": line["parameters"],
                          "resolved_parameters": fp["parameters"],
                          "per_declared_unit": fp["per_declared_unit"]["total"],
                          "stages": stage_values(fp)} for line, fp in per_line]
    return out


def stage_values(footprint: dict) -> dict[str, float]:
    """Stage -> kg CO2e per declared unit, plus ``total``."""
    values = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in footprint["stages"]}
    values["total"] = footprint["per_declared_unit"]["total"]
    return values


__all__ = ["mixed_footprint", "supply_mix_of", "stage_values"]
