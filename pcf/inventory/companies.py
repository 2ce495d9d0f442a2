"""Company data in ``databases/companies/``: site data by reporting year, as-reported values and
targets, validated against the products' parameters and written as a snapshot next to the
Brightway project (``$PCF_HOME/brightway/pcf-companies.json``) by ``pcf setup``.

File format (one YAML file per company; see the seeded files)::

    company: {id, name, description}
    defaults: {source, geography}            # inherited by every figure below
    products:
      - product: aluminium-coil
        base_year: 2024
        stage_labels: {stage: label}         # optional, the company's names for stages
        stage_scopes: {stage: scope12 | scope3}   # optional, the inventory scope a stage's
                                             # reported intensity belongs to (checks)
        years:
          - year: 2024
            status: actual | projection
            settings:                        # product parameter values for that year
              <parameter>: {value, origin, basis, [source]}
            reported:                        # as originally reported, kg CO2e / declared unit
              <stage or "total">: {value, origin, basis, [source]}
            supply_mix:                      # optional: the purchased-material mix (supplier
              - label: text                  # data); the year's footprint is the share-weighted
                share: {value, origin, basis, [source]}     # sum of one footprint per line,
                parameters: {name: value}    # each with the line's parameters over `settings`
            inventory:                       # optional: the company's own GHG inventory, t CO2e
              scope1|scope2|scope3: {value, origin, basis, [source]}
        measures:                            # optional: the company's reduction measures
          - {id, description, claimed_change: {value (t CO2e/yr), origin, basis},
             claim_counts: avoided-combustion | net, claim_counts_basis, from: {...}, to: {...}}
        targets:
          - {type: pathway, stage, values: {year: intensity}, origin, basis}
          - {type: reduction, stage, year, reduction (0..1), origin, basis,
             [denominator: declared-unit | output-value, comparison]}

A reduction target per output value (``denominator: output-value``, e.g. "carbon per 10,000
yuan of output") is kept as the company states it, with ``comparison`` saying what a per
declared unit comparison would need (the output value per unit in both years); it is not judged
against per-unit footprints.

``origin`` is ``company`` (the company's own figure), ``derived`` (arithmetic on company
figures, shown in ``basis``) or ``assumption`` (pcf's modelling choice).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pcf.config import brightway_dir
from pcf.errors import InvalidInput, InventoryInvalid
from pcf.inventory.yamlio import YAMLError, describe, line_of, load_yaml, plain

ORIGINS = ("company", "derived", "assumption")
SCOPES = ("scope1", "scope2", "scope3")
STAGE_SCOPES = ("scope12", "scope3")
CLAIM_KINDS = ("avoided-combustion", "net")
SHARE_TOLERANCE = 1e-6
"""The shares of a supply mix must sum to 1 within this."""
STATUSES = ("actual", "projection")
TARGET_TYPES = ("pathway", "reduction")
DENOMINATORS = ("declared-unit", "output-value")
SNAPSHOT = "pcf-companies.json"


def load_companies(root: Path, products: dict, sources: dict) -> dict[str, dict]:
    """Read and validate ``root/companies/*.yaml``.

    Parameters
    ----------
    root : Path
        The ``databases/`` folder.
    products : dict[str, pcf.inventory.loader.Product]
        Validated products (parameters and stages are checked against them).
    sources : dict[str, dict]
        The bibliography (every figure's source must be in it).

    Returns
    -------
    dict
        ``{company id: {"id", "name", "description", "products": {product id: {...}}}}``
        with settings as canonical parameter values.

    Raises
    ------
    InventoryInvalid
        Listing every problem as ``file:line: message``.
    """
    problems: list[str] = []
    out: dict[str, dict] = {}
    for path in sorted((Path(root) / "companies").glob("*.yaml")):
        fname = str(Path("databases") / "companies" / path.name)
        try:
            doc = load_yaml(path)
            plain(doc)                                  # refuses values of unknown types
        except YAMLError as exc:
            problems.append(f"{fname}: YAML error: {describe(exc)}")
            continue
        company = _company(fname, doc, products, sources, problems)
        if company is not None:
            company = plain(company)                    # no ruamel types in the snapshot
            if company["id"] in out:
                problems.append(f"{fname}: duplicate company id {company['id']!r}")
            out[company["id"]] = company
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise InventoryInvalid(f"databases/companies has {len(problems)} problem(s):\n{listing}")
    return out


def _figure(fname, key, data, defaults, sources, problems, where_line) -> dict | None:
    where = f"{fname}:{where_line}"
    if not isinstance(data, dict) or "value" not in data:
        problems.append(f"{where}: {key!r} needs a mapping with 'value'")
        return None
    origin = data.get("origin")
    if origin not in ORIGINS:
        problems.append(f"{where}: {key!r} origin {origin!r} (allowed: {', '.join(ORIGINS)})")
    if not data.get("basis"):
        problems.append(f"{where}: {key!r} needs a basis")
    source = data.get("source", defaults.get("source"))
    if source not in sources:
        problems.append(f"{where}: source {source!r} is not in databases/sources.yaml")
    return {"value": data["value"], "origin": origin, "basis": data.get("basis"),
            "source": source, "geography": data.get("geography", defaults.get("geography"))}


def _number(fig: dict | None, where: str, what: str, problems: list, positive: bool = True,
            at_most: float | None = None) -> dict | None:
    """Check that a figure's value is a number (> 0 if ``positive``, <= ``at_most``)."""
    if fig is None:
        return None
    value = fig["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or (positive and value <= 0) or (at_most is not None and value > at_most):
        bound = f" in (0, {at_most}]" if at_most is not None else (" > 0" if positive else "")
        problems.append(f"{where}: {what} must be a number{bound}")
        return None
    fig["value"] = float(value)
    return fig


def _parameters(values: Any, product, where: str, problems: list) -> dict:
    """Check a mapping of parameter values against the product; return it canonical."""
    out: dict[str, Any] = {}
    if not isinstance(values, dict):
        problems.append(f"{where}: parameters must be a mapping of name -> value")
        return out
    for name, value in values.items():
        spec = product.parameters.get(name)
        if spec is None:
            problems.append(f"{where}: product {product.id!r} has no parameter {name!r}")
            continue
        try:
            out[name] = spec.coerce(value, name)
        except InvalidInput as exc:
            problems.append(f"{where}: {exc}")
    return out


def _supply_mix(fname, lines, product, defaults, sources, problems, yline) -> list[dict]:
    out: list[dict[str, Any]] = []
    if not isinstance(lines, list) or not lines:
        problems.append(f"{fname}:{yline}: supply_mix must be a non-empty list of lines")
        return out
    for line in lines:
        where = f"{fname}:{line_of(line) or yline}"
        if not isinstance(line, dict) or not line.get("label"):
            problems.append(f"{where}: a supply_mix line needs a label, a share and parameters")
            continue
        share = _number(_figure(fname, "share", line.get("share"), defaults, sources, problems,
                                line_of(line, ["share"]) or yline),
                        where, "share", problems, at_most=1.0)
        params = _parameters(line.get("parameters") or {}, product, where, problems)
        if share is not None:
            out.append({"label": str(line["label"]), "share": share, "parameters": params})
    total = sum(float(line["share"]["value"]) for line in out)
    if out and len(out) == len(lines) and abs(total - 1.0) > SHARE_TOLERANCE:
        problems.append(f"{fname}:{yline}: supply_mix shares sum to {total:g}, not 1")
    return out


def _measure(fname, item, product, defaults, sources, problems, line) -> dict | None:
    where = f"{fname}:{line_of(item) or line}"
    if not isinstance(item, dict) or not item.get("id"):
        problems.append(f"{where}: a measure needs an id")
        return None
    claimed = _number(_figure(fname, "claimed_change", item.get("claimed_change"), defaults,
                              sources, problems, line_of(item, ["claimed_change"]) or line),
                      where, "claimed_change", problems, positive=False)
    kind = item.get("claim_counts", "net")
    if kind not in CLAIM_KINDS:
        problems.append(f"{where}: claim_counts {kind!r} (allowed: {', '.join(CLAIM_KINDS)})")
    if not item.get("claim_counts_basis") and kind != "net":
        problems.append(f"{where}: claim_counts needs claim_counts_basis")
    return {"id": str(item["id"]), "description": str(item.get("description") or ""),
            "claimed_change": claimed, "claim_counts": kind,
            "claim_counts_basis": item.get("claim_counts_basis"),
            "from": _parameters(item.get("from") or {}, product, where, problems),
            "to": _parameters(item.get("to") or {}, product, where, problems)}


def _company(fname, doc, products, sources, problems) -> dict | None:
    if not isinstance(doc, dict) or not isinstance(doc.get("company"), dict) \
            or not doc["company"].get("id"):
        problems.append(f"{fname}: needs 'company' with an 'id'")
        return None
    defaults = doc.get("defaults") or {}
    info = doc["company"]
    company: dict[str, Any] = {
        "id": str(info["id"]), "name": str(info.get("name") or info["id"]),
        "description": str(info.get("description") or ""), "products": {}}
    for entry in doc.get("products") or []:
        line = line_of(entry)
        pid = entry.get("product") if isinstance(entry, dict) else None
        product = products.get(pid)
        if product is None:
            problems.append(f"{fname}:{line}: unknown product {pid!r} "
                            f"(allowed: {', '.join(sorted(products))})")
            continue
        stages = set(product.stages) | {"total"}
        record = {"product": pid, "base_year": entry.get("base_year"),
                  "stage_labels": dict(entry.get("stage_labels") or {}),
                  "years": {}, "targets": [], "measures": []}
        for raw_measure in entry.get("measures") or []:
            measure = _measure(fname, raw_measure, product, defaults, sources, problems, line)
            if measure is not None:
                record["measures"].append(measure)
        for stage in record["stage_labels"]:
            if stage not in stages:
                problems.append(f"{fname}:{line}: stage label for unknown stage {stage!r}")
        record["stage_scopes"] = dict(entry.get("stage_scopes") or {})
        for stage, scope in record["stage_scopes"].items():
            if stage not in stages or scope not in STAGE_SCOPES:
                problems.append(f"{fname}:{line}: stage_scopes {stage!r}: {scope!r} (stages: "
                                f"{', '.join(sorted(stages))}; scopes: "
                                f"{', '.join(STAGE_SCOPES)})")
        for year_entry in entry.get("years") or []:
            yline = line_of(year_entry) or line
            year = year_entry.get("year")
            if not isinstance(year, int):
                problems.append(f"{fname}:{yline}: year must be an integer")
                continue
            status = year_entry.get("status", "actual")
            if status not in STATUSES:
                problems.append(f"{fname}:{yline}: status {status!r} "
                                f"(allowed: {', '.join(STATUSES)})")
            settings = {}
            raw_settings = year_entry.get("settings") or {}
            for name, data in raw_settings.items():
                sline = line_of(raw_settings, [name])
                fig = _figure(fname, name, data, defaults, sources, problems, sline)
                spec = product.parameters.get(name)
                if spec is None:
                    problems.append(f"{fname}:{sline}: product {pid!r} "
                                    f"has no parameter {name!r}")
                    continue
                if fig is not None:
                    try:
                        fig["value"] = spec.coerce(fig["value"], name)
                    except InvalidInput as exc:
                        problems.append(f"{fname}:{sline}: {exc}")
                    settings[name] = fig
            reported = {}
            raw_reported = year_entry.get("reported") or {}
            for stage, data in raw_reported.items():
                rline = line_of(raw_reported, [stage])
                if stage not in stages:
                    problems.append(f"{fname}:{rline}: reported stage "
                                    f"{stage!r} (allowed: {', '.join(sorted(stages))})")
                    continue
                fig = _figure(fname, stage, data, defaults, sources, problems, rline)
                if fig is not None and (isinstance(fig["value"], bool)
                                        or not isinstance(fig["value"], (int, float))
                                        or fig["value"] <= 0):
                    problems.append(f"{fname}:{rline}: reported {stage!r} "
                                    "must be a positive number (kg CO2e per declared unit)")
                    fig = None
                if fig is not None:
                    fig["value"] = float(fig["value"])
                    reported[stage] = fig
            if year in record["years"]:
                problems.append(f"{fname}:{yline}: year {year} given twice")
            entry_year = {"year": year, "status": status, "settings": settings,
                          "reported": reported}
            if year_entry.get("supply_mix") is not None:
                entry_year["supply_mix"] = _supply_mix(fname, year_entry["supply_mix"], product,
                                                       defaults, sources, problems, yline)
            raw_inventory = year_entry.get("inventory")
            if raw_inventory is not None:
                inventory = {}
                for scope, data in (raw_inventory.items() if isinstance(raw_inventory, dict)
                                    else []):
                    iline = line_of(raw_inventory, [scope]) or yline
                    if scope not in SCOPES:
                        problems.append(f"{fname}:{iline}: inventory {scope!r} (allowed: "
                                        f"{', '.join(SCOPES)})")
                        continue
                    fig = _number(_figure(fname, scope, data, defaults, sources, problems,
                                          iline), f"{fname}:{iline}", scope, problems)
                    if fig is not None:
                        inventory[scope] = fig
                entry_year["inventory"] = inventory
            record["years"][year] = entry_year
        if record["base_year"] not in record["years"]:
            problems.append(f"{fname}:{line}: base_year {record['base_year']!r} has no entry in "
                            "years")
        elif record["years"][record["base_year"]]["status"] != "actual":
            problems.append(f"{fname}:{line}: the base year must be an actual year")
        for target in entry.get("targets") or []:
            tline = line_of(target) or line
            ttype = target.get("type")
            if ttype not in TARGET_TYPES:
                problems.append(f"{fname}:{tline}: target type {ttype!r} "
                                f"(allowed: {', '.join(TARGET_TYPES)})")
                continue
            if target.get("stage") not in stages:
                problems.append(f"{fname}:{tline}: target stage {target.get('stage')!r} "
                                f"(allowed: {', '.join(sorted(stages))})")
                continue
            if target.get("origin") not in ORIGINS or not target.get("basis"):
                problems.append(f"{fname}:{tline}: a target needs origin and basis")
            item: dict[str, Any] = {
                "type": ttype, "stage": target["stage"], "origin": target.get("origin"),
                "basis": target.get("basis"),
                "source": target.get("source", defaults.get("source"))}
            if ttype == "pathway":
                values = target.get("values")
                if not isinstance(values, dict) or not values or \
                        not all(isinstance(k, int) and isinstance(v, (int, float))
                                and not isinstance(v, bool) and v > 0
                                for k, v in values.items()):
                    problems.append(f"{fname}:{tline}: a pathway needs values {{year: number}}")
                    continue
                item["values"] = {int(k): float(v) for k, v in values.items()}
            else:
                year, reduction = target.get("year"), target.get("reduction")
                if not isinstance(year, int) or not isinstance(reduction, (int, float)) \
                        or isinstance(reduction, bool) or not 0 < reduction <= 1 \
                        or (isinstance(record["base_year"], int) and year <= record["base_year"]):
                    problems.append(f"{fname}:{tline}: a reduction target needs an integer "
                                    "year after the base year and a reduction in (0, 1]")
                    continue
                item["year"], item["reduction"] = year, float(reduction)
                denominator = target.get("denominator", "declared-unit")
                if denominator not in DENOMINATORS:
                    problems.append(f"{fname}:{tline}: denominator {denominator!r} "
                                    f"(allowed: {', '.join(DENOMINATORS)})")
                    continue
                if denominator == "output-value" and not target.get("comparison"):
                    problems.append(f"{fname}:{tline}: a target per output value needs "
                                    "'comparison': what a per-unit comparison would need")
                    continue
                item["denominator"] = denominator
                if target.get("comparison"):
                    item["comparison"] = str(target["comparison"])
            record["targets"].append(item)
        company["products"][pid] = record
    return company


def write_snapshot(companies: dict) -> Path:
    """Write the validated companies next to the Brightway project; return the path."""
    path = brightway_dir() / SNAPSHOT
    serial = {cid: {**c, "products": {pid: {**p, "years": {str(y): v for y, v in
                                                           p["years"].items()}}
                                      for pid, p in c["products"].items()}}
              for cid, c in companies.items()}
    path.write_text(json.dumps(serial, indent=2, sort_keys=True))
    return path


def read_snapshot() -> dict:
    """Read the companies written by the last ``pcf setup`` (years as int keys).

    Raises
    ------
    InventoryInvalid
        If the snapshot is missing (run ``pcf setup``).
    """
    path = brightway_dir() / SNAPSHOT
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        raise InventoryInvalid("company data not built; run `pcf setup`") from None
    for company in data.values():
        for record in company["products"].values():
            record["years"] = {int(y): v for y, v in record["years"].items()}
            for target in record["targets"]:
                if "values" in target:
                    target["values"] = {int(y): v for y, v in target["values"].items()}
    return data
