"""CBAM embedded emissions of a good, as the operator communicates them (issue 20).

``communication(product, ...)`` computes, for one order line or a company's reporting period,
the specific embedded emissions (SEE) of a CBAM good under the definitive-period rule set in
``databases/rules/cbam-aluminium.yaml``:

* the direct emissions attributed to the installation: fuel combusted per tonne of good (from
  the product model's flows) times the combustion emission factor;
* the precursors bought in (unwrought aluminium, primary or secondary) with their mass per
  tonne of good and their SEE: a supplier's CBAM SEE given with the request, else a stored
  supplier figure (issue 15; a cradle-to-gate PCF, which overstates a direct-only SEE - said
  so), else the default value of the country of production (said which);
* scrap with the scrap rule's embedded emissions (zero, Annex II point F);
* indirect emissions (electricity) for information only;
* the qualifying parameters (t scrap per t, pre-consumer share, alloying elements > 1 %);
* the rule set's id and version, and every figure's source and status (``secondary`` where
  the official table was not reachable).

Masses and emissions come from the same product model as the footprint
(:meth:`pcf.engine.engine.ProductSystem.flows`), so they follow the model when its data change.
"""

from __future__ import annotations

import math
from typing import Any

from pcf.accounting.cbam import markup_for, qualifying_parameters, specific_embedded_emissions
from pcf.engine import get_engine
from pcf.errors import InvalidInput, InventoryInvalid
from pcf.service.footprints import database_info, model

COUNTRY_DEFAULT = "CN"
"""Country of production when none is given: pcf's products are modelled in China."""


def _rules() -> dict[str, Any]:
    from pcf.inventory.regulatory import load_cbam_rules

    return load_cbam_rules()


def _good(rules: dict, product: str) -> dict:
    for good in rules["goods"]:
        if good["product"] == product:
            return good
    raise InvalidInput(f"{product!r} is not mapped as a CBAM good in "
                       "databases/rules/cbam-aluminium.yaml", field="product",
                       allowed=sorted(g["product"] for g in rules["goods"]))


def _default(rules: dict, country: str, cn_code: str, field: str) -> dict:
    for dv in rules["default_values"]:
        if dv["country"] == country and dv["cn_code"] == cn_code:
            return dv
    have = sorted({dv["country"] for dv in rules["default_values"] if dv["cn_code"] == cn_code})
    raise InvalidInput(f"no default value for CN {cn_code} from {country!r} in the rule set "
                       "(pcf holds only the values it could source; see "
                       "databases/rules/cbam-aluminium.yaml)", field=field, allowed=have)


def _number(value: Any, field: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field} must be a number", field=field,
                           allowed=f"{low:g} <= x <= {high:g}") from None
    if not (math.isfinite(number) and low <= number <= high):
        raise InvalidInput(f"{field} = {value!r} is out of range", field=field,
                           allowed=f"{low:g} <= x <= {high:g}")
    return number


def _lines(product: str, company: Any, year: Any, variant: str | None,
           parameters: dict | None, store: Any) -> tuple[list[tuple[float, dict, str]], dict]:
    """Parameter sets to mix: ``[(share, parameters, label)]`` and the company context."""
    explicit = dict(parameters or {})
    if company in (None, ""):
        if year not in (None, ""):
            raise InvalidInput("year needs company (a reporting period of a company)",
                               field="year")
        return [(1.0, explicit, "as given")], {"company": None, "notes": []}
    from pcf.service.company_data import company_record, year_parameters

    info, record = company_record(product, company)
    if year in (None, ""):
        raise InvalidInput("company needs year (the reporting period)", field="year",
                           allowed=sorted(record["years"]))
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput("year must be an integer", field="year",
                           allowed=sorted(record["years"])) from None
    if year not in record["years"]:
        raise InvalidInput(f"no data for year {year}", field="year",
                           allowed=sorted(record["years"]))
    base = year_parameters(record, year)
    context: dict[str, Any] = {"company": {"id": info["id"], "name": info["name"],
                                           "year": year}, "notes": [], "supplier_footprints": []}
    if store is not None:
        from pcf.service.suppliers import company_parameters

        params, sinfo = company_parameters(store, product, info["id"], year)
        base.update({k: params[k] for k in sinfo["supplier_parameters"]})
        context["notes"] += sinfo["notes"]
        context["supplier_footprints"] = sinfo["supplier_footprints"]
    mix = record["years"][year].get("supply_mix")
    if not mix:
        return [(1.0, {**base, **explicit}, "company settings")], context
    return [(line["share"]["value"], {**base, **line["parameters"], **explicit}, line["label"])
            for line in mix], context


def communication(product: str, *, company: Any = None, year: Any = None,
                  variant: str | None = None, parameters: dict | None = None,
                  quantity: Any = None, unit: str | None = None, store: Any = None,
                  country: str | None = None, import_year: Any = None,
                  precursor_see: Any = None, alloying_share: Any = None,
                  defaults_only: bool = False) -> dict[str, Any]:
    """The CBAM embedded emissions of one order line or a company's reporting period.

    Parameters
    ----------
    product : str
        A product mapped as a CBAM good (``aluminium-coil``, CN 7606).
    company, year : str, int, optional
        A company of ``databases/companies/`` and its reporting year: its site settings and
        supply mix (share-weighted, exact since the model is linear in the mix), and with
        ``store`` its stored supplier figures. Both or neither.
    variant, parameters : optional
        Product variant and parameter values (over the company's, when given).
    quantity, unit : optional
        Quantity of the good (default 1 t); any mass unit.
    store : pcf.store.Store, optional
        The application database, for stored supplier figures.
    country : str, optional
        ISO code of the country of production, for default values (default ``CN``).
    import_year : int, optional
        Year of import, for the default values' mark-up (default the reporting year, at least
        2026, the first year of the definitive period).
    precursor_see : float, optional
        The SEE (t CO2e/t, direct) a supplier communicated for its primary unwrought
        aluminium; replaces the stored figure and the default for the supplier-specific share.
    alloying_share : float, optional
        Mass share (0..1) of elements other than aluminium (a qualifying parameter pcf's model
        does not carry); unknown when omitted.
    defaults_only : bool
        Use default values for every precursor (ignore supplier figures): the comparison the
        issue asks for.

    Returns
    -------
    dict
        ``{"declaration": "cbam", "rule_set", "good", "installation", "reporting_period",
        "country_of_production", "activity_level", "direct_emissions", "precursors",
        "scrap", "specific_embedded_emissions", "embedded_emissions",
        "indirect_emissions_for_information", "qualifying_parameters", "default_value_of_good",
        "cradle_to_gate", "secondary_figures", "warnings", "database"}``; emissions in
        t CO2e per t of good (= kg CO2e per kg) unless named ``*_t_co2e``.

    Raises
    ------
    UnknownResource
        Unknown product or company.
    InvalidInput
        A product that is not a CBAM good, bad parameters, quantity or unit, year without
        company (or the reverse), a year without data, a country without a default value
        for a precursor that needs one, a precursor SEE, alloying share or import year out of
        range.
    InventoryInvalid
        The rules name a flow the product model does not have (the model changed).
    """
    from pcf.units import check_quantity, conversion_factor

    product_model = model(product)
    rules = _rules()
    good = _good(rules, product)
    country = (country or COUNTRY_DEFAULT).strip().upper() if isinstance(
        country, str) or country is None else country
    if not isinstance(country, str) or not country.isalpha() or len(country) != 2:
        raise InvalidInput("country must be a 2-letter ISO 3166 code", field="country",
                           allowed=sorted({d["country"] for d in rules["default_values"]}))
    given_see = None if precursor_see in (None, "") else _number(
        precursor_see, "precursor_see", 0.0, 40.0)
    alloy = None if alloying_share in (None, "") else _number(
        alloying_share, "alloying_share", 0.0, 1.0)
    q = 1.0 if quantity in (None, "") else check_quantity(quantity)
    q_unit = unit or "t"
    if not isinstance(q_unit, str):
        raise InvalidInput("unit must be a string", field="unit", allowed="units of mass")
    tonnes = q * conversion_factor(q_unit, "t", field="unit")
    lines, context = _lines(product, company, year, variant, parameters, store)
    if import_year in (None, ""):
        import_year = max(2026, context["company"]["year"]) if context["company"] else 2026
    imp_year = int(_number(import_year, "import_year", 2026, 2100))

    system = get_engine().system(product)
    flows: dict[tuple[str, str], float] = {}
    cradle = 0.0
    resolved: list[dict[str, Any]] = []
    for share, params, label in lines:
        settings = product_model.resolve(variant, params)
        resolved.append({"label": label, "share": share, "parameters": settings.values})
        for key, amount in system.flows(settings.encoded).items():
            flows[key] = flows.get(key, 0.0) + share * amount
        cradle += share * system.evaluate(settings.encoded, contributions=False
                                          ).per_declared_unit["total"]
    # kg per kg of coil == t per t of good (the declared unit is kg; checked below)
    if product_model.declared_unit != "kg":  # pragma: no cover - guarded by the rules' goods
        raise InvalidInput("CBAM goods must be declared per kg", field="product")

    def flow_of(flow: dict) -> float:
        key = (flow["input"], flow["consumer"])
        if key not in flows:
            raise InventoryInvalid(f"databases/rules/cbam-aluminium.yaml: {product}: no flow "
                                   f"{key[0]} -> {key[1]} in the product model (the model "
                                   "changed: update the mapping)")
        return flows[key]

    def inputs_of(code: str) -> float:
        if not any(i == code for i, _c in flows):
            raise InventoryInvalid(f"databases/rules/cbam-aluminium.yaml: {product}: no input "
                                   f"{code} in the product model (the model changed: update "
                                   "the mapping)")
        return math.fsum(v for (i, _c), v in flows.items() if i == code)

    secondary: list[dict[str, Any]] = []
    fuels = []
    for fuel in good["fuels"]:
        amount = inputs_of(fuel["input"])
        fuels.append({"fuel": fuel["fuel"], "amount_per_t": amount * 1000.0,
                      "unit": f"{fuel['unit']}/t", "emission_factor": fuel["emission_factor"],
                      "emission_factor_unit": fuel["emission_factor_unit"],
                      "t_co2e_per_t": amount * fuel["emission_factor"],
                      "source": fuel["source"], "status": fuel["status"],
                      "basis": fuel["basis"]})
    attributed = math.fsum(f["t_co2e_per_t"] for f in fuels)

    stored_value = None
    precursors = []
    for pre in good["precursors"]:
        mass = math.fsum(flow_of(f) for f in pre["inputs"])
        entry: dict[str, Any] = {"name": pre["name"], "cn_code": pre["cn_code"],
                                 "route": pre["route"], "t_per_t": mass}
        if pre["value"] == "supplier" and not defaults_only and given_see is not None:
            entry.update(see=given_see, value_source="supplier CBAM SEE (given)",
                         basis="the supplier's communicated SEE of its unwrought aluminium")
        elif pre["value"] == "supplier" and not defaults_only and mass > 0.0:
            values = {r["parameters"][pre["supplier_parameter"]] for r in resolved
                      if r["parameters"].get(pre["supplier_parameter"]) is not None}
            stored_value = max(values) if values else None
            entry.update(see=stored_value, value_source="supplier figure (cradle-to-gate PCF)",
                         basis=pre["supplier_basis"])
        else:
            dv = _default(rules, country, pre["cn_code"], "country") if (
                mass > 0.0 or pre["value"] == "default") else None
            if dv is None:
                entry.update(see=None, value_source="not used (no mass)")
            else:
                entry.update(see=dv["direct"], value_source=f"default value ({country})",
                             source=dv["source"], status=dv["status"], basis=dv["basis"])
                if dv["status"] == "secondary":
                    secondary.append({"figure": f"default value ({country}) CN {dv['cn_code']}",
                                      "value": dv["direct"], "source": dv["source"]})
        entry["t_co2e_per_t"] = mass * (entry["see"] or 0.0)
        precursors.append(entry)

    scrap_rule = rules["scrap"]
    scrap = []
    for s in good["scrap_inputs"]:
        if s["kind"] not in scrap_rule["applies_to"]:  # pragma: no cover - schema-bound
            raise InvalidInput(f"the scrap rule does not cover {s['kind']} scrap",
                               field="scrap")
        mass = flow_of(s)
        scrap.append({"kind": s["kind"], "t_per_t": mass,
                      "see": scrap_rule["embedded_emissions"],
                      "t_co2e_per_t": mass * scrap_rule["embedded_emissions"],
                      "rule": "IR (EU) 2025/2547 Annex II point F", "basis": s["basis"]})

    see = specific_embedded_emissions(
        attributed, [(p["t_per_t"], p["see"] or 0.0) for p in precursors]
        + [(s["t_per_t"], s["see"]) for s in scrap], 1.0)

    el = good["electricity"]
    kwh = inputs_of(el["activity"])
    indirect = {"electricity_mwh_per_t": kwh, "emission_factor": el["emission_factor"],
                "emission_factor_unit": el["emission_factor_unit"],
                "t_co2e_per_t": kwh * el["emission_factor"], "source": el["source"],
                "status": el["status"], "basis": el["basis"],
                "note": "for information: not part of the embedded emissions of an Annex II "
                        "good; precursors' indirect emissions are not included"}

    qp = qualifying_parameters(
        1.0, math.fsum(s["t_per_t"] for s in scrap if s["kind"] == "post-consumer"),
        math.fsum(s["t_per_t"] for s in scrap if s["kind"] == "pre-consumer"), alloy)
    qp["home_scrap_basis"] = good["home_scrap_basis"]
    if alloy is None:
        qp["alloying_elements_basis"] = ("not in pcf's product model: give alloying_share "
                                         "(mass share of elements other than aluminium)")

    markup = markup_for(rules["markups"], imp_year)
    try:
        dv_good = _default(rules, country, good["cn_code"], "country")
        default_good: dict[str, Any] | None = {
            "cn_code": good["cn_code"], "country": country, "direct": dv_good["direct"],
            "import_year": imp_year, "markup": markup,
            "direct_with_markup": dv_good["direct"] * (1.0 + markup),
            "source": dv_good["source"], "status": dv_good["status"],
            "markup_source": rules["markups_source"], "markup_status": rules["markups_status"],
            "note": "what a declarant would use without the operator's actual data"}
        if dv_good["status"] == "secondary":
            secondary.append({"figure": f"default value ({country}) CN {good['cn_code']}",
                              "value": dv_good["direct"], "source": dv_good["source"]})
        if rules["markups_status"] == "secondary":
            secondary.append({"figure": f"mark-up {imp_year}", "value": markup,
                              "source": rules["markups_source"]})
    except InvalidInput:
        default_good = None

    warnings = list(context["notes"])
    if any(p["value_source"].startswith("supplier figure") for p in precursors):
        warnings.append("a stored supplier figure is a cradle-to-gate PCF, not a CBAM SEE: it "
                        "includes indirect and upstream emissions, so the precursor's SEE is "
                        "overstated; ask the supplier for its CBAM communication")
    if secondary:
        warnings.append("figures marked secondary come from secondary sources quoting the "
                        "official tables (not reachable offline): check them against the "
                        "Official Journal before filing")
    rule_set = rules["rule_set"]
    return {
        "declaration": "cbam",
        "rule_set": {"id": rule_set["id"], "version": rule_set["version"],
                     "title": rule_set["title"], "legal_acts": rule_set["legal_acts"],
                     "emissions_counted": rule_set["emissions_counted"],
                     "emissions_counted_basis": rule_set["emissions_counted_basis"]},
        "good": {"product": product, "cn_code": good["cn_code"],
                 "description": good["description"],
                 "goods_category": good["goods_category"],
                 "production_route": good["production_route"],
                 "route_basis": good["route_basis"]},
        "installation": context["company"],
        "reporting_period": ({"year": context["company"]["year"]} if context["company"]
                             else None),
        "country_of_production": country,
        "defaults_only": bool(defaults_only),
        "supply_lines": resolved,
        "activity_level": {"quantity": q, "unit": q_unit, "t": tonnes},
        "direct_emissions": {"attributed_t_co2e_per_t": attributed, "fuels": fuels},
        "precursors": precursors,
        "scrap": scrap,
        "scrap_rule": {"embedded_emissions": scrap_rule["embedded_emissions"],
                       "source": scrap_rule["source"], "status": scrap_rule["status"],
                       "basis": scrap_rule["basis"]},
        "specific_embedded_emissions": {"direct": see, "unit": "t CO2e/t"},
        "embedded_emissions": {"direct_t_co2e": see * tonnes},
        "indirect_emissions_for_information": indirect,
        "qualifying_parameters": qp,
        "default_value_of_good": default_good,
        "benchmarks_for_information": rules["benchmarks"],
        "cradle_to_gate": {"kg_co2e_per_kg": cradle, "boundary": "cradle-to-gate",
                           "recycled_content_method": product_model.recycled_content_method,
                           "note": "the ISO 14067 footprint of the same good: all life-cycle "
                                   "emissions (indirect, upstream, transport of materials), "
                                   "cut-off for scrap; not comparable one to one"},
        "supplier_footprints": context.get("supplier_footprints", []),
        "secondary_figures": secondary,
        "warnings": warnings,
        "database": database_info(),
    }


__all__ = ["communication", "COUNTRY_DEFAULT"]
