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

    Formula::

        C = sum_i m_i * f_i

    over first-tier material inputs ``i`` in kg per declared unit whose background activity
    has a carbon content of fossil origin (mass fraction ``f_i``, kg C per kg). Metals count as
    carbon-free; trace carbon below ~1 wt% is not counted.

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
    counted: dict[str, float] = {}
    content: dict[str, dict] = {}
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
