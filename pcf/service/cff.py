"""Recycled content under the EU PEF Circular Footprint Formula (issue 20).

:func:`apply_cff` turns a cut-off Footprint (the Brightway model's own rule) into the CFF's:
for every material of the product mapped in ``databases/rules/cff-parameters.yaml`` it takes
the recycled inputs' kg per declared unit from the model's flows, Ev and Erecycled (kg CO2e per
kg, by GWP part) from the model's cumulative results, and adds
``M_rec (1 - A) (Ev Qsin/Qp - Erecycled)`` (:func:`pcf.accounting.cff.
recycled_content_adjustment`) to the first (raw-material) stage, as one contribution row per
material, so stages and contributions still sum to the total. The result names its rule
(``recycled_content_method: "cff"``) and carries a ``cff`` block: rule set and version, each
material's A, Qsin/Qp, R1, masses, Ev, Erecycled, the adjustment and the figures' status.

Only the R1 (material input) terms are applied: a cradle-to-gate result has no end of life.
"""

from __future__ import annotations

import math
from typing import Any

from pcf.accounting.cff import RECYCLED_CONTENT_METHODS, recycled_content_adjustment
from pcf.engine import get_engine
from pcf.errors import InvalidInput, InventoryInvalid

METHODS = RECYCLED_CONTENT_METHODS
"""Recycled-content rules a result can be asked for."""


def _rules() -> dict[str, Any]:
    from pcf.inventory.regulatory import load_cff_rules

    return load_cff_rules()


def check_method(method: Any, field: str = "recycled_content_method") -> str:
    """Return ``method`` if it is one of :data:`METHODS`; else raise :class:`InvalidInput`."""
    if method not in METHODS:
        raise InvalidInput(f"unknown recycled_content_method {method!r}", field=field,
                           allowed=list(METHODS))
    return str(method)


def products() -> list[str]:
    """Products with a CFF mapping."""
    return sorted(p["product"] for p in _rules()["products"])


def cff_terms(product: str, encoded: dict[str, float],
              values: dict[str, Any]) -> dict[str, Any]:
    """The CFF's recycled-content terms of a product for one parameter set.

    Parameters
    ----------
    product : str
    encoded : dict
        Encoded parameters (:class:`pcf.models.product.Settings` ``.encoded``).
    values : dict
        Resolved parameter values (``.values``), for the virgin material's choice parameter.

    Returns
    -------
    dict
        ``{"rule_set": {...}, "materials": [{"material", "A", "qsin_qp", "recycled_kg",
        "material_kg", "R1", "ev", "e_recycled" (per recycled input), "adjustment":
        {part: kg CO2e}, "status", "source", "basis"}], "adjustment": {part: kg CO2e}}``,
        per declared unit.

    Raises
    ------
    InvalidInput
        The product has no CFF mapping (field ``recycled_content_method``, allowed products).
    InventoryInvalid
        The mapping names a flow or activity the product model does not have (the model
        changed under it).
    """
    rules = _rules()
    mapping = next((p for p in rules["products"] if p["product"] == product), None)
    if mapping is None:
        raise InvalidInput(f"no Circular Footprint Formula mapping for {product!r} in "
                           "databases/rules/cff-parameters.yaml",
                           field="recycled_content_method",
                           allowed=sorted(p["product"] for p in rules["products"]))
    params = {m["material"]: m for m in rules["materials"]}
    system = get_engine().system(product)
    flows = system.flows(encoded)
    parts = ("total", "fossil", "biogenic", "land_use")
    total = dict.fromkeys(parts, 0.0)
    materials = []
    for item in mapping["materials"]:
        p = params[item["material"]]
        virgin = item["virgin"]
        code = virgin.get("activity") or virgin["choices"].get(str(values.get(
            virgin.get("parameter"))))
        if code is None:
            raise InventoryInvalid(f"databases/rules/cff-parameters.yaml: {product}: no virgin "
                                   f"activity for {virgin.get('parameter')} = "
                                   f"{values.get(virgin.get('parameter'))!r}")
        try:
            ev = system.cumulative(encoded, code)
        except KeyError:
            raise InventoryInvalid(f"databases/rules/cff-parameters.yaml: {product}: virgin "
                                   f"activity {code!r} is not in the product model") from None
        adjustment = dict.fromkeys(parts, 0.0)
        inputs = []
        for flow in item["recycled"]:
            key = (flow["input"], flow["consumer"])
            if key not in flows:
                raise InventoryInvalid(f"databases/rules/cff-parameters.yaml: {product}: no "
                                       f"flow {flow['input']} -> {flow['consumer']} in the "
                                       "product model")
            kg = flows[key]
            erec = system.cumulative(encoded, flow["input"])
            for part in parts:
                adjustment[part] += recycled_content_adjustment(
                    kg, ev[part], erec[part], p["A"], p["qsin_qp"])
            inputs.append({"input": flow["input"], "kg_per_declared_unit": kg,
                           "e_recycled": erec["total"]})
        recycled_kg = math.fsum(i["kg_per_declared_unit"] for i in inputs)
        virgin_kg = math.fsum(v for (i, _c), v in flows.items() if i == code)
        material_kg = recycled_kg + virgin_kg
        materials.append({
            "material": item["material"], "A": p["A"], "qsin_qp": p["qsin_qp"],
            "virgin_activity": code, "ev": ev["total"], "virgin_kg": virgin_kg,
            "recycled": inputs, "recycled_kg": recycled_kg,
            "R1": (recycled_kg / material_kg) if material_kg > 0 else 0.0,
            "adjustment": adjustment, "status": p["status"], "source": p["source"],
            "basis": f"{p['basis']}; {item['basis']}"})
        for part in parts:
            total[part] += adjustment[part]
    rs = rules["rule_set"]
    return {"rule_set": {"id": rs["id"], "version": rs["version"], "title": rs["title"],
                         "legal_acts": rs["legal_acts"]},
            "materials": materials, "adjustment": total,
            "formula": "CFF - cut-off = M_rec (1 - A) (Ev Qsin/Qp - Erecycled) per material"}


def apply_cff(footprint: dict[str, Any], encoded: dict[str, float]) -> dict[str, Any]:
    """Turn a cut-off Footprint into the CFF's (module docstring); returns a new dict."""
    terms = cff_terms(footprint["product"], encoded, footprint["parameters"])
    out = dict(footprint)
    adj = terms["adjustment"]
    q = footprint.get("quantity_in_declared_unit", 1.0)
    out["per_declared_unit"] = {k: v + adj.get(k, 0.0)
                                for k, v in footprint["per_declared_unit"].items()}
    out["total"] = {k: v * q for k, v in out["per_declared_unit"].items()}
    stages = [dict(s) for s in footprint["stages"]]
    stages[0]["kg_co2e_per_declared_unit"] += adj["total"]
    out["stages"] = stages
    if footprint.get("contributions") is not None:
        rows = list(footprint["contributions"])
        for m in terms["materials"]:
            rows.append({"input": f"Circular Footprint Formula: recycled {m['material']} "
                                  f"(A = {m['A']:g})",
                         "activity": "recycled-content rule", "kind": "rule",
                         "stage": stages[0]["stage"], "amount": m["recycled_kg"],
                         "unit": "kg", "kg_co2e_per_declared_unit": m["adjustment"]["total"]})
        out["contributions"] = rows
    out["recycled_content_method"] = "cff"
    out["cff"] = terms
    warnings = list(footprint.get("warnings") or [])
    if any(m["status"] != "verified" for m in terms["materials"]):
        warnings.append("CFF parameters marked unverified: PEF Annex C was not reachable; A "
                        "and Qs/Qp are from knowledge of the standard")
    out["warnings"] = warnings
    return out


__all__ = ["apply_cff", "cff_terms", "check_method", "products", "METHODS"]
