"""The service layer: what the CLI and the HTTP API both call, so they cannot drift apart.

Every function returns plain JSON-ready dicts in the shapes of ``DESIGN.md`` and raises
:class:`pcf.errors.PcfError` subclasses for bad input.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from pcf.accounting.electricity import electricity_accounting
from pcf.engine import get_engine
from pcf.errors import InvalidInput, UnknownCompany, UnknownProduct
from pcf.inventory.methods import METHODS
from pcf.models import ProductModel
from pcf.units import MAX_QUANTITY, check_quantity, conversion_factor

BOUNDARY = "cradle-to-gate"
METHOD = {
    "name": "IPCC 2021 GWP100 (AR6)",
    "ids": {part: list(ident) for part, ident in METHODS.items()},
    "characterization_factors": "bw2io 0.9.17 bundled lcia_39_ecoinvent.zip (IPCC AR6 WGI "
                                "Table 7.SM.7)",
    "unit": "kg CO2e",
}

_MODELS: dict[str, ProductModel] = {}
_MODELS_VERSION: str | None = None
_LOCK = threading.Lock()


def _models() -> dict[str, ProductModel]:
    global _MODELS_VERSION, _MODELS
    engine = get_engine()
    if _MODELS_VERSION != engine.version:
        with _LOCK:
            _MODELS = {pid: ProductModel(system.definition)
                       for pid, system in sorted(engine.products.items())}
            _MODELS_VERSION = engine.version
    return _MODELS


def model(product_id: str) -> ProductModel:
    """Return the :class:`ProductModel` of ``product_id``.

    Raises
    ------
    UnknownResource
        Naming field ``product`` and the product ids available.
    """
    models = _models()
    if not isinstance(product_id, str) or product_id not in models:
        raise UnknownProduct(f"unknown product {product_id!r}", field="product",
                            allowed=sorted(models))
    return models[product_id]


def database_info() -> dict[str, Any]:
    """Return ``{"version", "built_at"}`` of the Brightway project in use."""
    engine = get_engine()
    return {"version": engine.version, "built_at": engine.stamp.get("built_at")}


def list_products() -> list[dict]:
    """Return every product's description (see :meth:`ProductModel.describe`)."""
    return [m.describe() for m in _models().values()]


def get_product(product_id: str) -> dict:
    """Return one product's description. Raises UnknownResource for an unknown id."""
    return model(product_id).describe()


def compute_footprint(product: str, variant: str | None = None,
                      parameters: dict | None = None, quantity: Any = None,
                      unit: str | None = None, contributions: bool = True) -> dict:
    """Compute a Footprint (DESIGN.md, "Footprint").

    Parameters
    ----------
    product : str
        Product id, e.g. ``"aluminium-coil"``.
    variant : str, optional
        Named parameter set, e.g. ``"recycled"``; ``parameters`` override it.
    parameters : dict, optional
        Parameter name -> value.
    quantity : float, optional
        Quantity of product (default 1 declared unit); finite and > 0.
    unit : str, optional
        Unit of ``quantity`` (default the declared unit); must convert to it (t -> kg,
        MWh -> kWh).
    contributions : bool
        Include the contribution list (bulk scoring may skip it).

    Returns
    -------
    dict
        The Footprint: ``per_declared_unit`` and ``total`` in kg CO2e (total, fossil,
        biogenic, land_use), ``stages``, ``contributions`` (kg CO2e per declared unit),
        resolved ``parameters``, ``database.version`` and the method labels.

    Raises
    ------
    UnknownResource
        Unknown product.
    InvalidInput
        Unknown variant or parameter, invalid value, bad quantity or unit.
    """
    product_model = model(product)
    settings = product_model.resolve(variant, parameters)
    declared = product_model.declared_unit
    if quantity is None:
        quantity_value, quantity_unit = 1.0, unit or declared
    else:
        quantity_value, quantity_unit = check_quantity(quantity), unit or declared
    if not isinstance(quantity_unit, str):
        raise InvalidInput("unit must be a string", field="unit", allowed=f"units of {declared}")
    factor = conversion_factor(quantity_unit, declared, field="unit")
    declared_units = quantity_value * factor
    if not math.isfinite(declared_units) or declared_units > MAX_QUANTITY * 1e3:
        raise InvalidInput(f"{quantity_value:g} {quantity_unit} is too large", field="quantity",
                         allowed=f"at most {MAX_QUANTITY:g} {declared} (after conversion)")
    system = get_engine().system(product)
    result = system.evaluate(settings.encoded, contributions=contributions)
    per_unit = result.per_declared_unit
    footprint = {
        "product": product,
        "variant": settings.variant,
        "parameters": settings.values,
        "declared_unit": declared,
        "quantity": quantity_value,
        "quantity_unit": quantity_unit,
        "quantity_in_declared_unit": declared_units,
        "per_declared_unit": dict(per_unit),
        "total": {k: v * declared_units for k, v in per_unit.items()},
        "stages": [{"stage": s, "kg_co2e_per_declared_unit": v}
                   for s, v in result.stages.items()],
        "contributions": [
            {"input": c.input, "activity": c.activity, "kind": c.kind, "stage": c.stage,
             "amount": c.amount, "unit": c.unit,
             "kg_co2e_per_declared_unit": c.kg_co2e["total"]}
            for c in result.contributions],
        "method": METHOD,
        "database": database_info(),
        "boundary": BOUNDARY,
        "recycled_content_method": product_model.recycled_content_method,
        "electricity_accounting": electricity_accounting(settings.values),
        "warnings": list(result.notes),
    }
    return footprint


# --- base years, reporting years and targets (reductions) -------------------------------

_COMPANIES: tuple[str | None, dict] = (None, {})


def _companies() -> dict:
    """The companies snapshot of the project in use, read once per database version."""
    global _COMPANIES
    from pcf.inventory.companies import read_snapshot

    version = get_engine().version
    if _COMPANIES[0] != version:
        _COMPANIES = (version, read_snapshot())
    return _COMPANIES[1]


def _company_record(product: str, company: str | None) -> tuple[dict, dict]:
    model(product)  # unknown product -> UnknownResource
    companies = _companies()
    if company in (None, ""):
        having = sorted(c for c, data in companies.items() if product in data["products"])
        if len(having) != 1:
            raise InvalidInput(f"{len(having)} companies have data for {product!r}: name one",
                             field="company", allowed=having)
        company = having[0]
    if company not in companies:
        raise UnknownCompany(f"unknown company {company!r}", field="company",
                            allowed=sorted(companies))
    record = companies[company]["products"].get(product)
    if record is None:
        raise UnknownCompany(f"company {company!r} has no data for product {product!r}",
                            field="product", allowed=sorted(companies[company]["products"]))
    return companies[company], record


def _year_footprint(product: str, record: dict, year: int, field: str) -> dict:
    if year not in record["years"]:
        raise InvalidInput(f"no data for year {year}", field=field,
                         allowed=sorted(record["years"]))
    settings = record["years"][year]["settings"]
    return compute_footprint(product, parameters={k: v["value"] for k, v in settings.items()},
                             contributions=False)


def _stage_values(footprint: dict) -> dict[str, float]:
    values = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in footprint["stages"]}
    values["total"] = footprint["per_declared_unit"]["total"]
    return values


def reductions(product: str, company: str | None, year: Any, base_year: Any = None) -> dict:
    """Reduction of a company's product footprint from its base year to ``year``.

    Both years are recomputed like-for-like with today's data, method and recycled-content
    rule (the company's year settings as parameters); the values as originally reported are
    kept beside them. Per stage and in total: absolute change and reduction (kg CO2e per
    declared unit; reduction = (base - year) / base), whether a base-year recalculation is due
    (recomputed vs reported base differ by >= 5 %, SBTi C27), and each target for that stage:
    a pathway (on track if the recomputed reduction reaches the pathway's reduction from its
    base-year value; the as-reported comparison is shown too) or a reduction by a target year
    (straight line from the base year). A ``projection`` year (future settings) is marked so.

    Parameters
    ----------
    product : str
    company : str or None
        Company id; may be omitted when exactly one company has data for the product.
    year : int
        Reporting (or projection) year.
    base_year : int, optional
        Default: the company's base year for the product.

    Returns
    -------
    dict
        See the README ("Reductions") for the shape.

    Raises
    ------
    UnknownResource
        Unknown product or company, or no company data for the product.
    InvalidInput
        A year without data (field ``year`` or ``base_year``) or not an integer.
    """
    from pcf.accounting import reductions as rules
    info, record = _company_record(product, company)
    base = record["base_year"] if base_year in (None, "") else base_year
    try:
        base, year = int(base), int(year)
    except (TypeError, ValueError):
        raise InvalidInput("base_year and year must be integers", field="year",
                         allowed=sorted(record["years"])) from None
    base_fp = _year_footprint(product, record, base, "base_year")
    year_fp = _year_footprint(product, record, year, "year")
    base_values, year_values = _stage_values(base_fp), _stage_values(year_fp)
    base_reported = record["years"][base]["reported"]
    year_reported = record["years"][year]["reported"]
    rows = []
    for stage in [*model(product).stages, "total"]:
        b, y = base_values[stage], year_values[stage]
        row: dict[str, Any] = {
            "stage": stage,
            "label": record["stage_labels"].get(stage, stage),
            "base_year_value": b,
            "year_value": y,
            "absolute_change": y - b,
            "reduction": rules.reduction(b, y) if b else None,
            "base_year_as_reported": base_reported.get(stage, {}).get("value"),
            "year_as_reported": year_reported.get(stage, {}).get("value"),
        }
        if row["base_year_as_reported"] is not None and row["year_as_reported"] is not None:
            row["reduction_as_reported"] = rules.reduction(row["base_year_as_reported"],
                                                           row["year_as_reported"])
        row["recalculation_due"] = (
            rules.recalculation_due(b, row["base_year_as_reported"])
            if row["base_year_as_reported"] else None)
        # targets are set against the company's base year: judged only when that is the base
        row["targets"] = [_target_status(t, row, base, year, rules)
                          for t in record["targets"]
                          if t["stage"] == stage and base == record["base_year"]]
        rows.append(row)
    changed = [r for r in rows if r["stage"] != "total"]
    warnings = []
    if base != record["base_year"]:
        warnings.append(f"targets are set against the base year {record['base_year']}; they "
                        f"are not judged against {base}")
    if base_fp["electricity_accounting"] != year_fp["electricity_accounting"]:
        warnings.append(
            f"electricity accounting differs: {base} is {base_fp['electricity_accounting']}, "
            f"{year} is {year_fp['electricity_accounting']} (renewable_electricity_share "
            f"{base_fp['parameters'].get('renewable_electricity_share')} -> "
            f"{year_fp['parameters'].get('renewable_electricity_share')}); the reduction "
            "includes the contractual/on-site renewable supply")
    return {
        "product": product,
        "company": {"id": info["id"], "name": info["name"]},
        "declared_unit": base_fp["declared_unit"],
        "unit": f"kg CO2e per {base_fp['declared_unit']}",
        "base_year": base,
        "year": year,
        "year_status": record["years"][year]["status"],
        "like_for_like": {
            "database": base_fp["database"], "method": base_fp["method"]["name"],
            "boundary": base_fp["boundary"],
            "recycled_content_method": base_fp["recycled_content_method"],
            "electricity_accounting": {"base_year": base_fp["electricity_accounting"],
                                       "year": year_fp["electricity_accounting"]},
        },
        "stages": rows,
        "recalculation_due": any(r["recalculation_due"] for r in rows),
        "stage_that_moves_most": max(changed, key=lambda r: abs(r["absolute_change"]))["stage"],
        "warnings": warnings,
        "settings": {"base_year": record["years"][base]["settings"],
                     "year": record["years"][year]["settings"]},
    }


def _target_status(target: dict, row: dict, base: int, year: int, rules) -> dict:
    out = {k: target[k] for k in ("type", "origin", "basis", "source")}
    achieved = row["reduction"]
    if target["type"] == "pathway":
        values = target["values"]
        required = rules.pathway_reduction(values, base, year)
        out.update({
            "pathway_value": values.get(year),
            "pathway_base_value": values.get(base),
            "required_reduction": required,
            "pathway_value_like_for_like": (row["base_year_value"] * values[year] / values[base]
                                            if required is not None else None),
            "on_track": rules.on_track(achieved, required) if required is not None else None,
            "on_track_as_reported": (row["year_as_reported"] <= values[year] + 1e-12
                                     if row["year_as_reported"] is not None
                                     and year in values else None),
        })
    else:
        required = rules.straight_line(base, target["year"], target["reduction"], year)
        out.update({
            "target_year": target["year"], "target_reduction": target["reduction"],
            "required_reduction": required,
            "on_track": rules.on_track(achieved, required),
            "rule": "straight line from the base year to the target year",
        })
    return out


def pathway(product: str, company: str | None) -> dict:
    """Every year of a company's product: recomputed and reported values per stage and total,
    the pathway values and whether each year with data is on track.

    Returns
    -------
    dict
        ``{"product", "company", "base_year", "years": [{"year", "status", "stages": {stage:
        {"value", "as_reported", "pathway_value", "reduction", "on_track"}}}]}``; kg CO2e per
        declared unit.

    Raises
    ------
    UnknownResource
        Unknown product or company.
    """
    info, record = _company_record(product, company)
    base = record["base_year"]
    years = set(record["years"])
    for target in record["targets"]:
        years |= set(target.get("values", {}))
    out_years = []
    for year in sorted(years):
        entry: dict[str, Any] = {"year": year,
                                 "status": record["years"].get(year, {}).get("status")}
        stages: dict[str, dict] = {}
        if year in record["years"]:
            detail = reductions(product, info["id"], year, base)
            for row in detail["stages"]:
                stages[row["stage"]] = {
                    "value": row["year_value"], "as_reported": row["year_as_reported"],
                    "reduction": row["reduction"],
                    "targets": row["targets"],
                }
        for target in record["targets"]:
            if target["type"] == "pathway" and year in target["values"]:
                stages.setdefault(target["stage"], {})["pathway_value"] = target["values"][year]
        entry["stages"] = stages
        out_years.append(entry)
    return {"product": product, "company": {"id": info["id"], "name": info["name"]},
            "base_year": base, "years": out_years}
