"""Carbon content of a product (PACT v3 ``fossilCarbonContent``), kg C per declared unit.

The carbon mass fractions are data (``databases/rules/carbon-content.yaml``, each with its
source); ``pcf setup`` writes them onto the background activities and the engine's provenance
carries them on each contribution (``provenance[i]["carbon_content"]``).
"""

from __future__ import annotations

import math

from pcf.accounting.data_quality import metas


def fossil_carbon_content(footprint: dict) -> dict:
    """Fossil carbon content of the product, kg C per declared unit.

    A product that is itself a carbon-bearing material (its reference activity has a carbon
    content, e.g. graphite anode material) contains ``f`` kg C per kg: ``C = f`` for a product
    declared per kg. Otherwise::

        C = sum_i m_i * f_i  +  sum_j q_j * f_j

    over first-tier material inputs ``i`` in kg per declared unit whose background activity
    has a carbon content of fossil origin (mass fraction ``f_i``, kg C per kg), and over the
    products ``j`` it uses as linked sub-systems (``q_j`` kg per declared unit, their own
    carbon content ``f_j``), the kilograms of ``j`` covered by a supplier-specific figure
    (``supplier_specific_inputs``) included. Metals count as carbon-free; trace carbon below
    ~1 wt% is not counted.

    Parameters
    ----------
    footprint : dict
        A Footprint with provenance on its contributions.

    Returns
    -------
    dict
        ``{"kgCPerDeclaredUnit": float, "counted": [{"input", "kgPerDeclaredUnit",
        "kgCPerKg", "basis"}], "basis": str}``.
    """
    own = (footprint.get("site") or {}).get("carbon_content")
    if own and own.get("origin") == "fossil" and footprint.get("declared_unit") == "kg":
        return {"kgCPerDeclaredUnit": float(own["kg_c_per_kg"]),
                "counted": [{"input": footprint["product"], "kgPerDeclaredUnit": 1.0,
                             "kgCPerKg": float(own["kg_c_per_kg"]), "basis": own["basis"]}],
                "basis": "the product is a carbon-bearing material: its own carbon mass "
                         "fraction"}
    counted: dict[str, float] = {}
    content: dict[str, dict] = {}
    for link in footprint.get("linked_products") or []:
        carbon = link.get("carbon_content")
        if carbon and carbon.get("origin") == "fossil" and link.get("unit") == "kg":
            counted[link["product"]] = counted.get(link["product"], 0.0) + float(link["amount"])
            content[link["product"]] = carbon
    for item in footprint.get("supplier_specific_inputs") or []:
        # the kilograms covered by a supplier's figure are the same material
        carbon = item.get("carbon_content")
        if carbon and carbon.get("origin") == "fossil" and item.get("unit") == "kg":
            key = item["input"]
            counted[key] = counted.get(key, 0.0) + float(item["kg_per_declared_unit"])
            content[key] = carbon
    for c in footprint.get("contributions") or []:
        if c.get("kind") != "technosphere" or c.get("unit") != "kg":
            continue
        for meta in metas(c)[:1]:
            carbon = meta.get("carbon_content")
            if carbon and carbon.get("origin") == "fossil":
                code = meta["input_code"]
                counted[code] = counted.get(code, 0.0) + float(c["amount"])
                content[code] = carbon
    items = [{"input": code, "kgPerDeclaredUnit": kg,
              "kgCPerKg": float(content[code]["kg_c_per_kg"]),
              "basis": content[code]["basis"]} for code, kg in sorted(counted.items())]
    total = math.fsum(i["kgPerDeclaredUnit"] * i["kgCPerKg"] for i in items)
    return {"kgCPerDeclaredUnit": total, "counted": items,
            "basis": "carbon-bearing first-tier materials times their carbon mass fraction; "
                     "metals counted as carbon-free, trace carbon (< ~1 wt%) not counted"}
