"""Use case: reductions of a company's product footprint against its base year, and the
pathway view (``pcf reductions``, ``GET /v1/products/{id}/reductions`` and ``/pathway``).

Both years are recomputed like-for-like with today's data, method and recycled-content rule;
the rules (reduction, straight line, pathway, recalculation threshold, target status) are in
:mod:`pcf.accounting.reductions`. Values are kg CO2e per declared unit.
"""

from __future__ import annotations

from typing import Any

from pcf.accounting import reductions as rules
from pcf.accounting.consistency import reduction_vs_reported
from pcf.errors import InvalidInput
from pcf.service.company_data import company_record, snapshot, year_footprint
from pcf.service.footprints import model
from pcf.service.supply_mix import stage_values
from pcf.supplier_inputs import replacements_of


def reductions(product: str, company: str | None, year: Any, base_year: Any = None,
               store: Any = None) -> dict:
    """Reduction of a company's product footprint from its base year to ``year``.

    Both years are recomputed like-for-like with today's data, method and recycled-content
    rule from the company's stored data (year settings as parameters, and the supply mix of
    purchased material where stored; :func:`pcf.service.company_data.year_footprint`); the
    values as originally reported are kept beside them, never typed back in, and a warning
    says where the two reductions differ by more than 2 points. Per stage and in total:
    absolute change and reduction (kg CO2e per
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
    store : pcf.store.Store, optional
        The application database: each year then uses the supplier footprints stored for
        it (``pcf suppliers``) instead of the company's settings for those inputs, and the
        document lists them (``supplier_footprints``) and says, in ``warnings``, where a
        footprint parameter is the company's own (reported or derived) figure instead.

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
    info, record = company_record(product, company)
    base = record["base_year"] if base_year in (None, "") else base_year
    try:
        base, year = int(base), int(year)
    except (TypeError, ValueError):
        raise InvalidInput("base_year and year must be integers", field="year",
                         allowed=sorted(record["years"])) from None
    base_fp = year_footprint(product, record, base, "base_year", store=store,
                             company=info["id"])
    year_fp = year_footprint(product, record, year, "year", store=store, company=info["id"])
    base_values, year_values = stage_values(base_fp), stage_values(year_fp)
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
        row["targets"] = [rules.target_status(t, row, base, year)
                          for t in record["targets"]
                          if t["stage"] == stage and base == record["base_year"]]
        rows.append(row)
    changed = [r for r in rows if r["stage"] != "total"]
    warnings = []
    for row in rows:
        if row.get("reduction_as_reported") is not None and row["reduction"] is not None:
            check = reduction_vs_reported(row["reduction"], row["reduction_as_reported"],
                                          f"{base} -> {year} {row['label']}")
            if check["status"] != "ok":
                warnings.append(check["message"] + " (pcf computes from stored supplier and "
                                "site data; see `pcf audit` for what the reported figures "
                                "imply)")
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
    if store is not None:
        for label, fp in ((base, base_fp), (year, year_fp)):
            warnings += [f"{label}: {w}" for w in fp["warnings"] if w.split(":")[0] in
                         {r.input for r in replacements_of(product)}]
    out = {
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
        "supply_mix": {"base_year": base_fp.get("supply_mix"),
                       "year": year_fp.get("supply_mix")},
    }
    if store is not None:
        out["supplier_footprints"] = {"base_year": base_fp["supplier_footprints"],
                                      "year": year_fp["supplier_footprints"]}
    return out


def pathway(product: str, company: str | None, store: Any = None) -> dict:
    """Every year of a company's product: recomputed and reported values per stage and total,
    the pathway values and whether each year with data is on track.

    Returns
    -------
    dict
        ``{"product", "company", "base_year", "years": [{"year", "status", "stages": {stage:
        {"value", "as_reported", "pathway_value", "reduction", "on_track"}}}]}``; kg CO2e per
        declared unit.

    ``store``: as :func:`reductions` (each year with its stored supplier figures).

    Raises
    ------
    UnknownResource
        Unknown product or company.
    """
    info, record = company_record(product, company)
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
            detail = reductions(product, info["id"], year, base, store)
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


def companies() -> list[dict[str, Any]]:
    """The companies with base-year data: ``[{"id", "name", "products": [product ids]}]``,
    sorted by id (the reductions page of the workbench offers them)."""
    return [{"id": cid, "name": data["name"], "products": sorted(data["products"])}
            for cid, data in sorted(snapshot().items())]
