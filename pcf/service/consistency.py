"""Use case: consistency checks on a company's own figures, against each other, against physics
and against pcf's model computed from stored data (issue 16).

Every check says what was compared, with which numbers, and whether they agree (``ok``),
disagree beyond a tolerance (``disagree``) or cannot both be true (``impossible``). Reported
intensities are compared with, never used as model inputs; where a reported figure is far from
pcf's, the check adds what the figure would imply about the purchased-material mix
(diagnostics). Product-specific checks (the physics of melting aluminium, the sign of a fuel
switch) live in hooks keyed by product id.

The rules are in :mod:`pcf.accounting.consistency`, :mod:`pcf.accounting.supply_mix` and
:mod:`pcf.accounting.fuel_switch`. Values in kg CO2e per declared unit (= t per t) and t CO2e.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pcf.accounting import consistency as rules
from pcf.accounting.fuel_switch import break_even_factor, measure_effect
from pcf.accounting.reductions import reduction
from pcf.accounting.supply_mix import describe_line, implied_share, implied_value
from pcf.service.company_data import (
    companies_for,
    company_record,
    year_footprint,
    year_parameters,
)
from pcf.service.footprints import compute_footprint, model
from pcf.service.supply_mix import stage_values


def company_checks(product: str, company: str) -> dict[str, Any]:
    """All consistency checks of one company's data for ``product``.

    Returns
    -------
    dict
        ``{"company": {"id", "name"}, "base_year", "checks": [check, ...],
        "measures": [...]}``; each check ``{"id", "year", "stage"?, "status", "message",
        ...numbers}``, status ``ok``, ``disagree`` or ``impossible``.

    Raises
    ------
    UnknownResource
        Unknown product or company, or no data of the company for the product.
    """
    info, record = company_record(product, company)
    checks: list[dict] = []
    years = record["years"]
    footprints = {y: year_footprint(product, record, y) for y, data in years.items()
                  if data["status"] == "actual"}
    checks += _inventory_checks(record)
    checks += _stage_checks(record, footprints)
    checks += _reduction_checks(record, footprints)
    measures: list[dict] = []
    hook = _HOOKS.get(product)
    if hook is not None:
        extra_checks, measures = hook(product, record, footprints)
        checks += extra_checks
    return {"company": {"id": info["id"], "name": info["name"]},
            "base_year": record["base_year"], "checks": checks, "measures": measures}


def all_company_checks(product: str) -> list[dict[str, Any]]:
    """:func:`company_checks` for every company with data for ``product``."""
    return [company_checks(product, c) for c in companies_for(product)]


def _stage_of_scope(record: dict, scope: str) -> str | None:
    return next((s for s, sc in record.get("stage_scopes", {}).items() if sc == scope), None)


def _inventory_checks(record: dict) -> list[dict]:
    out = []
    s12, s3 = _stage_of_scope(record, "scope12"), _stage_of_scope(record, "scope3")
    for year, data in sorted(record["years"].items()):
        inventory, reported = data.get("inventory") or {}, data.get("reported") or {}
        if not (s12 and s3 and {"scope1", "scope2", "scope3"} <= set(inventory)
                and s12 in reported and s3 in reported):
            continue
        check = rules.inventory_vs_intensities(
            inventory["scope1"]["value"], inventory["scope2"]["value"],
            inventory["scope3"]["value"], reported[s12]["value"], reported[s3]["value"],
            scope3_label=record["stage_labels"].get(s3, s3))
        out.append({"id": "inventory-vs-intensities", "year": year, **check})
    return out


def _stage_checks(record: dict, footprints: dict[int, dict]) -> list[dict]:
    out = []
    for year, fp in sorted(footprints.items()):
        values = stage_values(fp)
        lines = record["years"][year].get("supply_mix") or []
        for stage, reported in record["years"][year].get("reported", {}).items():
            label = record["stage_labels"].get(stage, stage)
            check = rules.modelled_vs_reported(values[stage], reported["value"],
                                               f"{year} {label}")
            check = {"id": "modelled-vs-reported", "year": year, "stage": stage, **check}
            if check["status"] != "ok" and len(lines) == 2 and len(fp["supply_mix"]) == 2:
                implies = _implied_mix(lines, fp, stage, reported["value"])
                if implies["message"]:       # the lines differ in this stage
                    check["implies"] = implies
            out.append(check)
    return out


def _implied_mix(lines: list[dict], fp: dict, stage: str, target: float) -> dict[str, Any]:
    """What a reported stage value would imply about a two-line supply mix (diagnostic)."""
    (a, b), parts = lines, fp.get("supply_mix") or []
    va, vb = parts[0]["stages"][stage], parts[1]["stages"][stage]
    share_a = implied_share(target, va, vb)
    value_a = implied_value(target, b["share"]["value"], vb)
    text = (f"with the stored lines ({describe_line(a)}: {va:.3f}; {describe_line(b)}: "
            f"{vb:.3f}) the reported {target:g} needs a share of {share_a:.3f} for "
            f"'{a['label']}' instead of {a['share']['value']:.3f}, or, at the stored shares, "
            f"{value_a:.3f} for that line instead of {va:.3f} (a diagnostic, not a model "
            "input)") if share_a is not None and value_a is not None else ""
    return {"lines": [a["label"], b["label"]], "line_values": [va, vb],
            "share_of_first_line": share_a, "value_of_first_line": value_a, "message": text}


def _reduction_checks(record: dict, footprints: dict[int, dict]) -> list[dict]:
    out: list[dict] = []
    base = record["base_year"]
    if base not in footprints:
        return out
    base_values = stage_values(footprints[base])
    for year, fp in sorted(footprints.items()):
        if year == base:
            continue
        values = stage_values(fp)
        for stage, reported in record["years"][year].get("reported", {}).items():
            reported_base = record["years"][base].get("reported", {}).get(stage)
            if reported_base is None or not base_values.get(stage):
                continue
            modelled = reduction(base_values[stage], values[stage])
            as_reported = reduction(reported_base["value"], reported["value"])
            label = record["stage_labels"].get(stage, stage)
            check = rules.reduction_vs_reported(modelled, as_reported,
                                                f"{base} -> {year} {label}")
            out.append({"id": "reduction-vs-reported", "year": year, "stage": stage, **check})
    return out


# -- product hooks --------------------------------------------------------------------------

def _gas_contribution(fp: dict) -> dict | None:
    return next((c for c in fp["contributions"]
                 if any(m.get("input_code") == "heat-natural-gas"
                        for m in c.get("provenance") or [])), None)


def _combustion_per_mj(contribution: dict) -> float:
    """kg CO2e per MJ of the gas burned (gas-basis part of the heat dataset: the combustion
    gases, without the well-to-tank CO2e)."""
    split = (contribution["provenance"][0].get("gwp_split") or {})
    total = math.fsum(split.values())
    per_mj = contribution["kg_co2e_per_declared_unit"] / contribution["amount"]
    return per_mj * split.get("gas", 0.0) / total if total else 0.0


def _kwh(fp: dict) -> float:
    return math.fsum(c["amount"] for c in fp["contributions"] if c["unit"] == "kWh"
                     and c["stage"] != "raw-materials")


def _aluminium(product: str, record: dict,
               footprints: dict[int, dict]) -> tuple[list[dict], list[dict]]:
    """Aluminium coil: Scope 1 against the physics of melting, the smelter routes that the
    reported raw-material intensity would need, and the sign of the furnace switch."""
    base = record["base_year"]
    checks: list[dict] = []
    params = year_parameters(record, base)
    site = compute_footprint(product, parameters={**params, "furnace": "gas"}, provenance=True)
    gas = _gas_contribution(site)
    resolved = site["parameters"]
    inventory = record["years"][base].get("inventory") or {}
    production = next((c["production_t"] for c in _inventory_checks(record)
                       if c["year"] == base), None)
    if gas is not None and production and "scope1" in inventory:
        per_mj = _combustion_per_mj(gas)
        minimum = resolved["melt_enthalpy"] * 1.0 * per_mj
        reported = inventory["scope1"]["value"] / production
        check = rules.below_physical_minimum(
            reported, minimum, f"{base} Scope 1 per kg of product (t/t)")
        check["message"] += (
            f"; melting at least 1 kg of metal per kg of coil from 25 C needs "
            f"{resolved['melt_enthalpy']:.4f} MJ/kg of heat (NIST-JANAF), = {minimum:.4f} kg "
            f"CO2 of gas at 100 % furnace efficiency ({per_mj * 1000:.2f} g CO2e/MJ); pcf "
            f"models {gas['amount']:.3f} MJ of gas per kg of coil = "
            f"{gas['amount'] * per_mj:.4f} kg. Below the minimum, part of the metal must "
            "arrive molten or melt electrically (then in Scope 2), or the production behind "
            "the intensities is larger than the metal melted")
        checks.append({"id": "scope1-vs-physics", "year": base, **check,
                       "modelled": gas["amount"] * per_mj})
    routes = _smelter_routes(product, record, footprints)
    if routes:
        checks.append(routes)
    return checks, [_measure(product, record, m, params, gas) for m in record["measures"]]


def _smelter_routes(product: str, record: dict, footprints: dict[int, dict]) -> dict | None:
    """Raw-material stage of the stored mix with the primary line on each smelter grid."""
    base = record["base_year"]
    lines = record["years"][base].get("supply_mix") or []
    reported = record["years"][base].get("reported", {}).get("raw-materials")
    if len(lines) != 2 or reported is None:
        return None
    primary, other = lines
    spec = model(product).specs["smelter_grid"]
    other_value = footprints[base]["supply_mix"][1]["stages"]["raw-materials"]
    rows = []
    for choice in spec.choices:
        fp = year_footprint(product, {"years": {base: {"settings": record["years"][base][
            "settings"], "supply_mix": None}}}, base,
            extra={**primary["parameters"], "smelter_grid": choice})
        value = stage_values(fp)["raw-materials"]
        mixed = primary["share"]["value"] * value + other["share"]["value"] * other_value
        rows.append({"smelter_grid": choice, "primary_line": value, "mix": mixed})
    near = [r["smelter_grid"] for r in rows
            if abs(r["mix"] / reported["value"] - 1.0) <= rules.TOLERANCE]
    text = (f"{base} raw material: the stored mix gives "
            + ", ".join(f"{r['smelter_grid']} {r['mix']:.2f}" for r in rows)
            + f" with its primary line on each smelter grid; the reported {reported['value']:g} "
            + (f"is matched (within 10 %) only by {', '.join(near)}" if near else
               "is matched by none")
            + " (a diagnostic of what the figure implies, not a model input)")
    return {"id": "raw-material-routes", "year": base, "stage": "raw-materials",
            "status": "ok", "routes": rows, "matching": near, "message": text}


def _measure(product: str, record: dict, measure: dict, params: dict,
             gas: dict | None) -> dict[str, Any]:
    """Modelled effect of a fuel-switch measure, location- and market-based, scaled to the
    company's claim."""
    before = compute_footprint(product, parameters={**params, **measure["from"]})
    after = compute_footprint(product, parameters={**params, **measure["to"]})
    green = {"renewable_electricity_share": 1.0}
    market_before = compute_footprint(product, parameters={**params, **measure["from"], **green})
    market = compute_footprint(product, parameters={**params, **measure["to"], **green})
    delta_location = after["per_declared_unit"]["total"] - before["per_declared_unit"]["total"]
    delta_market = (market["per_declared_unit"]["total"]
                    - market_before["per_declared_unit"]["total"])
    out: dict[str, Any] = {"id": measure["id"], "description": measure["description"],
                           "claimed_t_per_year": measure["claimed_change"]["value"]
                           if measure["claimed_change"] else None,
                           "claim_counts": measure["claim_counts"],
                           "claim_counts_basis": measure["claim_counts_basis"],
                           "delta_location_kg_per_unit": delta_location,
                           "delta_market_kg_per_unit": delta_market}
    if gas is None or not measure["claimed_change"]:
        return out
    per_mj = _combustion_per_mj(gas)
    added_kwh = _kwh(after) - _kwh(before)
    gas_kg = gas["kg_co2e_per_declared_unit"]
    grid = after["parameters"].get("site_grid")
    supply = market["parameters"].get("renewable_supply")
    effect = measure_effect(measure["claimed_change"]["value"], measure["claim_counts"],
                            gas["amount"] * per_mj, delta_location, delta_market)
    factor = break_even_factor(gas_kg, added_kwh) if added_kwh > 0 else None
    out.update(effect)
    out.update({"electricity_added_kwh_per_unit": added_kwh,
                "gas_removed_kg_co2e_per_unit": gas_kg, "break_even_kg_per_kwh": factor})
    units_t = effect["units_per_year"] / 1000
    out["message"] = (
        f"{measure['description']}: the company claims {effect['claimed_t']:+,.0f} t CO2e/yr, "
        f"read as the avoided gas combustion of {units_t:,.0f} t of product a year (at pcf's "
        f"gas use per kg). Per kg, the electric furnace adds {added_kwh:.3f} kWh and removes "
        f"{gas_kg:.4f} kg CO2e of gas (incl. supply): location-based on {grid} "
        f"{delta_location:+.4f} kg/kg = {effect['location_based_t']:+,.0f} t/yr, with "
        f"the furnace on {supply} supply {delta_market:+.4f} kg/kg = "
        f"{effect['market_based_t']:+,.0f} t/yr. "
        + (f"Electricity must be below {factor:.3f} kg CO2e/kWh for the switch to lower "
           "emissions; the grid's factor is above it, so the sign flips location-based"
           if factor is not None and delta_location > 0 else
           f"Break-even electricity factor {factor:.3f} kg CO2e/kWh" if factor else ""))
    return out


_HOOKS: dict[str, Callable[[str, dict, dict[int, dict]], tuple[list[dict], list[dict]]]] = {
    "aluminium-coil": _aluminium,
}
"""Product-specific checks: product id -> f(product, record, footprints by year) ->
(checks, measures)."""
