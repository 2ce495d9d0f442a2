"""EU battery carbon footprint declaration of a cell (issue 20; Regulation (EU) 2023/1542
Article 7 and Annex II, calculated under the draft delegated act's rules).

:func:`declaration` computes, from the same cell model as the cradle-to-gate footprint (so it
follows when the cell data change), under ``databases/rules/battery-declaration.yaml``:

* the functional unit: total energy over the service life per kWh of rated cell energy,
  ``E = usable_share x cycles_per_year x service_years`` (kWh per kWh), cycles by vehicle
  category from the draft rule, years from the warranty;
* electricity of the cell plant under the draft rule: the national average mix of the plant's
  country (``cell_factory_grid`` set from ``plant_country``); contractual instruments
  (``renewable_electricity_share``) are refused unless the generation is directly connected
  (``direct_connection``);
* recycled content under the CFF (:func:`pcf.service.cff.apply_cff`);
* four life-cycle stages: raw material acquisition and pre-processing and main product
  production (the model's stages), distribution (``background/battery-declaration.yaml``, per
  kg of cell x kg per kWh) and end of life and recycling (the recycling process and the CFF's
  end-of-life credits for the materials recovered, :func:`pcf.accounting.cff.
  eol_material_term` on the cell's own inputs x recovery rates);
* the performance class, empty until its act exists; the rule set's id and version.
"""

from __future__ import annotations

import math
from typing import Any

from pcf.engine import get_engine
from pcf.errors import InvalidInput, InventoryInvalid
from pcf.service.footprints import compute_footprint, database_info, model

DECLARATION_PARAMETERS = ("vehicle_category", "cycles_per_year", "service_years",
                          "usable_share", "plant_country", "direct_connection")
"""Settings of the declaration itself (``--set`` names), not of the cell model."""

ENERGY_DENSITY = "energy_density"
"""Cell parameter giving Wh per kg: kg of cell per kWh = 1000 / energy_density."""

PARTS = ("total", "fossil", "biogenic", "land_use")


def _rules() -> dict[str, Any]:
    from pcf.inventory.regulatory import load_battery_rules

    return load_battery_rules()


def _positive(value: Any, field: str, high: float) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number, not {value!r}", field=field,
                           allowed=f"0 < x <= {high:g}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a number", field=field,
                           allowed=f"0 < x <= {high:g}") from None
    if not (math.isfinite(number) and 0.0 < number <= high):
        raise InvalidInput(f"{field} = {value!r} is out of range", field=field,
                           allowed=f"0 < x <= {high:g}")
    return number


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.lower() in ("true", "1", "yes")
    raise InvalidInput(f"{field} must be true or false", field=field, allowed=[True, False])


def functional_unit(usable_share: float, cycles_per_year: float,
                    service_years: float) -> float:
    """Total energy over the service life per kWh of rated energy (kWh/kWh).

    Formula (draft delegated act, methods.md section 2.4): ``usable_share x cycles_per_year x
    service_years``. Raises ValueError unless all three are > 0.
    """
    if not (usable_share > 0 and cycles_per_year > 0 and service_years > 0):
        raise ValueError("usable_share, cycles_per_year and service_years must be > 0")
    return usable_share * cycles_per_year * service_years


def _settings(rules: dict, given: dict[str, Any]) -> dict[str, Any]:
    fu = rules["functional_unit"]
    category = str(given.get("vehicle_category", fu["default_vehicle_category"]))
    if category not in fu["cycles_per_year"]:
        raise InvalidInput(f"unknown vehicle_category {category!r}", field="vehicle_category",
                           allowed=sorted(fu["cycles_per_year"]))
    cycles_given = "cycles_per_year" in given
    cycles = (_positive(given["cycles_per_year"], "cycles_per_year", 10000) if cycles_given
              else float(fu["cycles_per_year"][category]))
    years = (_positive(given["service_years"], "service_years", 50)
             if "service_years" in given else float(fu["default_service_years"]))
    usable = (_positive(given["usable_share"], "usable_share", 1.0)
              if "usable_share" in given else float(fu["default_usable_share"]))
    country = str(given.get("plant_country", "CN")).upper()
    grids = rules["electricity"]["national_grids"]
    if country not in grids:
        raise InvalidInput(f"no national grid for plant_country {country!r}",
                           field="plant_country", allowed=sorted(grids))
    return {"vehicle_category": category, "cycles_per_year": cycles,
            "cycles_source": "given (the manufacturer's justification)" if cycles_given else
            f"draft rule default for {category}",
            "service_years": years,
            "service_years_source": "given (the warranty)" if "service_years" in given else
            fu["service_years_basis"],
            "usable_share": usable, "plant_country": country,
            "direct_connection": _flag(given.get("direct_connection", False),
                                       "direct_connection")}


def _company(product: str, company: Any, year: Any, store: Any) -> tuple[dict, dict | None]:
    """Parameters of a company's reporting year (settings, stored supplier figures) and the
    company's identity; ``({}, None)`` without a company."""
    if company in (None, ""):
        if year not in (None, ""):
            raise InvalidInput("year needs company", field="year")
        return {}, None
    from pcf.service.company_data import company_record, year_parameters

    info, record = company_record(product, company)
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput("company needs a reporting year", field="year",
                           allowed=sorted(record["years"])) from None
    if year not in record["years"]:
        raise InvalidInput(f"no data for year {year}", field="year",
                           allowed=sorted(record["years"]))
    params = year_parameters(record, year)
    if store is not None:
        from pcf.service.suppliers import company_parameters

        supplier, sinfo = company_parameters(store, product, info["id"], year)
        params.update({k: supplier[k] for k in sinfo["supplier_parameters"]})
    return params, {"id": info["id"], "name": info["name"], "year": year}


def declaration(product: str, *, variant: str | None = None,
                parameters: dict | None = None, company: Any = None, year: Any = None,
                store: Any = None) -> dict[str, Any]:
    """The carbon footprint declaration of a cell (module docstring).

    Parameters
    ----------
    product : str
        A cell with a declaration mapping (``battery-cell-nmc811``, ``battery-cell-lfp``).
    variant : str, optional
        Cell variant.
    parameters : dict, optional
        Cell parameters, plus the declaration settings :data:`DECLARATION_PARAMETERS`:
        ``vehicle_category`` (M1, N1, L, M2, M3, N2, N3; default M1), ``cycles_per_year``
        (overrides the category's), ``service_years`` (the warranty; default 8),
        ``usable_share`` (0..1, default 1), ``plant_country`` (default CN),
        ``direct_connection`` (true when the plant's renewable supply is a direct line).
    company, year : optional
        A cell maker of ``databases/companies/`` and its reporting year: its settings of the
        year (and, with ``store``, its stored supplier figures) under ``parameters``; its name
        fills the manufacturer. The company's own plant grid stays in the cradle-to-gate
        footprint; the declaration uses the draft rule's national average.
    store : pcf.store.Store, optional
        The application database, for stored supplier figures.

    Returns
    -------
    dict
        ``{"declaration", "rule_set", "battery_model", "manufacturing_plant",
        "functional_unit", "carbon_footprint", "life_cycle_stages" (four),
        "electricity_modelling", "recycled_content_method", "cff", "distribution",
        "end_of_life", "performance_class", "cradle_to_gate", "differences",
        "administrative", "warnings", "database"}``; kg CO2e per kWh of total energy over
        the service life (``per_kwh_total_energy``) and per kWh of rated energy
        (``per_kwh_capacity``).

    Raises
    ------
    UnknownResource
        Unknown product.
    InvalidInput
        A product that is not a declared cell; a bad declaration setting (naming it and the
        allowed values); ``renewable_electricity_share`` > 0 without ``direct_connection``;
        the plant grid set apart from ``plant_country``; bad cell parameters.
    InventoryInvalid
        The rules name a flow the cell model does not have (the model changed under them).
    """
    product_model = model(product)
    rules = _rules()
    mapping = next((p for p in rules["products"] if p["product"] == product), None)
    if mapping is None:
        raise InvalidInput(f"no battery declaration mapping for {product!r}", field="product",
                           allowed=sorted(p["product"] for p in rules["products"]))
    company_params, maker = _company(product, company, year, store)
    given = dict(parameters or {})
    decl = _settings(rules, {k: given.pop(k) for k in DECLARATION_PARAMETERS if k in given})
    # the cell's own parameters checked by its model first (names, types, ranges), so a bad
    # value is named as such rather than failing in the electricity-rule checks below
    product_model.resolve(variant, given)
    el = rules["electricity"]
    own_grid = company_params.pop(el["grid_parameter"], None)
    grid = el["national_grids"][decl["plant_country"]]
    if given.get(el["grid_parameter"], grid) != grid:
        raise InvalidInput(f"{el['grid_parameter']} is set by the draft rule (national average "
                           f"of plant_country {decl['plant_country']}: {grid}); set "
                           "plant_country instead", field=f"parameters.{el['grid_parameter']}",
                           allowed=[grid])
    if not decl["direct_connection"] and float(given.get(el["renewable_parameter"], 0) or 0):
        raise InvalidInput("contractual instruments (guarantees of origin, PPAs) may not lower "
                           "the figure under the draft rule; a directly connected generator "
                           "may: set direct_connection=true",
                           field=f"parameters.{el['renewable_parameter']}", allowed=[0])
    given = {**company_params, **given}
    if not decl["direct_connection"] and float(given.get(el["renewable_parameter"], 0) or 0):
        raise InvalidInput("the company's renewable_electricity_share is a contractual "
                           "instrument under the draft rule unless directly connected: set "
                           "direct_connection=true",
                           field=f"parameters.{el['renewable_parameter']}", allowed=[0])
    cradle_params = {**given, **({el["grid_parameter"]: own_grid} if own_grid else {})}
    cradle = compute_footprint(product, variant=variant, parameters=cradle_params or None)
    decl_params = {**given, el["grid_parameter"]: grid}
    fp = compute_footprint(product, variant=variant, parameters=decl_params,
                           recycled_content_method="cff")
    settings = product_model.resolve(variant, decl_params)
    values = settings.values
    if ENERGY_DENSITY not in values:  # pragma: no cover - both cells define it
        raise InvalidInput(f"{product} has no {ENERGY_DENSITY}", field="product")
    kg_cell = 1000.0 / float(values[ENERGY_DENSITY])
    engine = get_engine()
    system = engine.system(product)

    dist_unit = engine.background_impact(rules["distribution"]["activity"])
    distribution = {k: kg_cell * dist_unit[k] for k in PARTS}

    from pcf.accounting.cff import eol_material_term

    eol = rules["end_of_life"]
    a = eol["A"]
    # The cell's own recycling process where the rules name one (LFP: Mohr et al. 2020),
    # else the end-of-life default (NMC hydrometallurgy).
    recycling_activity = mapping.get("recycling_activity") or eol["recycling_activity"]
    rec_unit = engine.background_impact(recycling_activity)
    collected = kg_cell * eol["collection_rate"]
    recycling = {k: collected * rec_unit[k] for k in PARTS}
    flows = system.flows(settings.encoded)
    cff_materials = {m["material"]: m for m in fp["cff"]["materials"]}
    from pcf.inventory.regulatory import load_cff_rules

    qs = {m["material"]: m["qsout_qp"] for m in load_cff_rules()["materials"]}
    credits = []
    credit_parts = dict.fromkeys(PARTS, 0.0)
    for item in mapping["materials"]:
        name = item["material"]
        missing = [f for f in item["inputs"] if (f["input"], f["consumer"]) not in flows]
        if missing:
            raise InventoryInvalid(
                f"databases/rules/battery-declaration.yaml: {product}: no flow "
                f"{missing[0]['input']} -> {missing[0]['consumer']} in the cell model (the "
                "model changed: update the mapping)")
        kg_in = item["factor"] * math.fsum(flows[(f["input"], f["consumer"])]
                                           for f in item["inputs"])
        rate = eol["recovery_rates"][name]
        recovered = kg_in * eol["collection_rate"] * rate
        ev = system.cumulative(settings.encoded, cff_materials[name]["virgin_activity"])
        parts = {k: recovered * eol_material_term(1.0, a, 0.0, ev[k], qs[name])
                 for k in PARTS}
        for k in PARTS:
            credit_parts[k] += parts[k]
        credits.append({"material": name, "input_kg": kg_in, "recovery_rate": rate,
                        "recovered_kg": recovered, "virgin_activity":
                        cff_materials[name]["virgin_activity"], "e_star_v": ev["total"],
                        "credit_kg_co2e": parts["total"], "basis": item["factor_basis"]})
    recycling_share = {k: (1 - a) * recycling[k] for k in PARTS}
    end_of_life = {k: recycling_share[k] + credit_parts[k] for k in PARTS}

    e_total = functional_unit(decl["usable_share"], decl["cycles_per_year"],
                              decl["service_years"])
    model_stages = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in fp["stages"]}
    per_capacity = {
        "raw-material-acquisition": model_stages.get("raw-material-acquisition", 0.0),
        "main-product-production": model_stages.get("main-product-production", 0.0),
        "distribution": distribution["total"], "end-of-life": end_of_life["total"]}
    if set(model_stages) - set(per_capacity):  # pragma: no cover - guarded by the mapping
        raise InvalidInput(f"{product}'s stages do not map onto the declaration's",
                           field="product")
    total_capacity = math.fsum(per_capacity.values())
    stages = [{"stage": s["id"], "label": s["label"],
               "kg_co2e_per_kwh_total_energy": per_capacity[s["id"]] / e_total,
               "kg_co2e_per_kwh_capacity": per_capacity[s["id"]]} for s in rules["stages"]]
    cradle_total = cradle["per_declared_unit"]["total"]
    warnings = list(fp.get("warnings") or [])
    warnings.append("the draft delegated act's text was not reachable: functional-unit cycles "
                    "and the electricity rule come from secondary summaries (status "
                    "secondary); end-of-life A and recovery rates are unverified")
    rs = rules["rule_set"]
    return {
        "declaration": "eu-battery-carbon-footprint",
        "rule_set": {"id": rs["id"], "version": rs["version"], "title": rs["title"],
                     "legal_acts": rs["legal_acts"]},
        "administrative": {"manufacturer": maker["name"] if maker else None,
                           "company": maker, "eu_declaration_of_conformity_id": None,
                           "supporting_study_link": None,
                           "note": "to be filled by the manufacturer (Article 7(1) points a, "
                                   "f, g)"},
        "battery_model": {"product": product, "name": product_model.describe()["name"],
                          "variant": fp["variant"], "parameters": fp["parameters"]},
        "manufacturing_plant": {"country": decl["plant_country"], "grid": grid},
        "functional_unit": {
            "definition": "total energy provided over the service life",
            "usable_share": decl["usable_share"], "cycles_per_year": decl["cycles_per_year"],
            "cycles_source": decl["cycles_source"], "vehicle_category": decl["vehicle_category"],
            "service_years": decl["service_years"],
            "service_years_source": decl["service_years_source"],
            "kwh_total_energy_per_kwh_capacity": e_total,
            "formula": "usable_share x cycles_per_year x service_years"},
        "carbon_footprint": {"per_kwh_total_energy": total_capacity / e_total,
                             "per_kwh_capacity": total_capacity, "unit": "kg CO2e"},
        "life_cycle_stages": stages,
        "electricity_modelling": {"rule": el["rule"], "status": el["status"],
                                  "grid_parameter": el["grid_parameter"], "grid": grid,
                                  "direct_connection": decl["direct_connection"],
                                  "contractual_instruments": "not used"},
        "recycled_content_method": "cff",
        "cff": fp["cff"],
        "distribution": {"kg_cell_per_kwh": kg_cell, "activity": rules["distribution"]["activity"],
                         "kg_co2e_per_kg_cell": dist_unit["total"],
                         "kg_co2e_per_kwh_capacity": distribution["total"],
                         "basis": rules["distribution"]["basis"]},
        "end_of_life": {"A": a, "A_status": eol["A_status"],
                        "collection_rate": eol["collection_rate"],
                        "recycling_activity": recycling_activity,
                        "recycling_kg_co2e_per_kg_cell": rec_unit["total"],
                        "recycling_kg_co2e_per_kwh_capacity": recycling["total"],
                        "recycling_after_A": recycling_share["total"],
                        "credits": credits, "credits_kg_co2e": credit_parts["total"],
                        "kg_co2e_per_kwh_capacity": end_of_life["total"],
                        "recovery_status": eol["recovery_status"],
                        "formula": "(1 - A) x recycling burden - sum over materials of "
                                   "(1 - A) x recovered kg x E*v x Qsout/Qp"},
        "performance_class": rules["performance_class"],
        "performance_class_basis": rules["performance_class_basis"],
        "cradle_to_gate": {"kg_co2e_per_kwh_capacity": cradle_total,
                           "boundary": "cradle-to-gate",
                           "recycled_content_method": "cut-off",
                           "electricity_accounting": cradle["electricity_accounting"],
                           "cell_factory_grid": cradle["parameters"].get(el["grid_parameter"])},
        "differences": {
            "electricity_rule": fp["per_declared_unit"]["total"] - fp["cff"]["adjustment"]
            ["total"] - cradle_total,
            "cff": fp["cff"]["adjustment"]["total"],
            "distribution": distribution["total"], "end_of_life": end_of_life["total"],
            "note": "per kWh of capacity: declaration (before the functional unit) = "
                    "cradle-to-gate + electricity rule + CFF + distribution + end of life"},
        "warnings": warnings,
        "database": database_info(),
    }


__all__ = ["declaration", "functional_unit", "DECLARATION_PARAMETERS"]
