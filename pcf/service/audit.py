"""Use case: the audit of a product's footprint, what a reviewer or a customer's auditor reads
(``pcf audit PRODUCT``, ``GET /v1/products/{id}/audit``; issue 16).

For one product and variant (and parameters) the audit gives:

- the result (total, stages) and its GWP basis: the share characterized with IPCC AR6 and the
  share resting on CO2e figures on other GWP sets (:mod:`pcf.accounting.gwp_basis`);
- the result beside every published range stored for it (``databases/rules/
  published-ranges.yaml``), with the publication's setting reproduced where a replica is stored
  (:mod:`pcf.accounting.ranges`);
- the mass balance and the share of the product mass itemised
  (:mod:`pcf.accounting.mass_balance`);
- the share of the total resting on ``pcf-assumption`` figures and the largest of them
  (:func:`pcf.accounting.data_quality.assumption_share`);
- the result under each other methodological rule the product declares (``alternatives``) and
  each reduction lever's effect under every rule (``levers``);
- the consistency checks of every company with data for the product
  (:mod:`pcf.service.consistency`);
- every flag raised, each with a code, a severity and a message.

Plain data in and out; :func:`render_markdown` turns the document into Markdown for the CLI
and the API.
"""

from __future__ import annotations

import math
from typing import Any

from pcf.accounting.data_quality import (
    ASSUMPTION_SOURCE,
    assumption_share,
    metas,
    supplier_parameters,
)
from pcf.accounting.gwp_basis import gwp_basis_mix
from pcf.accounting.mass_balance import ITEMISED_MIN, mass_balance
from pcf.accounting.ranges import check_range, measure_value, relative_reduction
from pcf.engine import get_engine
from pcf.formulas import compile_formulas
from pcf.service.consistency import all_company_checks
from pcf.service.footprints import compute_footprint, model

ASSUMPTION_LIMIT = 20.0
"""Above this share (%) of the total resting on pcf assumptions, the audit warns (judgement:
more than a fifth of a result should not rest on unsourced figures)."""

AR6_LIMIT = 95.0
"""Below this share (%) characterized with AR6, the audit warns that the 'AR6' label covers
CO2e from other GWP sets."""

ALTERNATIVE_LIMIT = 0.10
"""Relative difference above which a result is reported as sensitive to the rule."""


def audit(product: str, variant: str | None = None,
          parameters: dict | None = None) -> dict[str, Any]:
    """The audit document of one product setting.

    Parameters
    ----------
    product : str
    variant : str, optional
    parameters : dict, optional
        Parameter values over the variant's.

    Returns
    -------
    dict
        ``{"product", "variant", "parameters", "declared_unit", "unit", "result": {"total",
        "stages"}, "gwp_basis", "published_ranges", "mass_balance", "assumptions",
        "alternatives", "levers", "companies", "flags", "database", "method"}``; values in
        kg CO2e per declared unit. See README ("Audit").

    Raises
    ------
    UnknownResource
        Unknown product.
    InvalidInput
        Unknown variant or parameter, or a value out of range.
    """
    product_model = model(product)
    fp = compute_footprint(product, variant=variant, parameters=parameters, provenance=True)
    total = fp["per_declared_unit"]["total"]
    flags: list[dict] = []
    for warning in fp.get("warnings") or []:
        flags.append(_flag("data-caveat", "warning", warning))

    gwp = gwp_basis_mix(fp)
    if gwp["ar6_percent"] < AR6_LIMIT:
        flags.append(_flag("gwp-basis-mixed", "warning",
                           f"the 'AR6' method label covers CO2e computed by sources with other "
                           f"GWP sets: {gwp['label']}"))

    ranges = _ranges(product, product_model, fp)
    for r in ranges:
        if not r["within"]:
            text = (f"{r['label']}: pcf {r['value']:.3f} is {r['position']} the published "
                    f"{r['low']:g}-{r['high']:g} {r['unit']}"
                    + (f" ({r['gap']:+.1%})" if r["gap"] is not None else ""))
            if r.get("replica"):
                rep = r["replica"]
                text += (f"; with the publication's setting ({rep['label']}) pcf gives "
                         f"{rep['value']:.3f} ({rep['position']} the range)")
            flags.append(_flag("outside-published-range", "warning", text))
    if not ranges:
        flags.append(_flag("no-published-range", "info",
                           "no published range is stored for this setting"))

    balance = _mass_balance(product_model, variant, parameters)
    if balance is None:
        flags.append(_flag("mass-balance-missing", "warning",
                           "the product declares no mass balance: the itemised share of its "
                           "mass is unknown"))
    elif not balance["closed"]:
        flags.append(_flag(f"mass-balance-{balance['status'].replace(' ', '-')}", "warning",
                           f"inputs net of losses are {balance['itemised_share']:.1%} of the "
                           f"product mass ({balance['status']}; at least {ITEMISED_MIN:.0%} "
                           "must be itemised and no mass counted twice)"))

    assumptions = _assumptions(product_model, fp)
    if assumptions["percent"] > ASSUMPTION_LIMIT:
        flags.append(_flag("assumption-share-high", "warning",
                           f"{assumptions['percent']:.1f} % of the total rests on pcf "
                           f"assumptions (limit {ASSUMPTION_LIMIT:g} %)"))

    alternatives = _alternatives(product, product_model, fp)
    for alt in alternatives:
        if abs(alt["difference"]) > ALTERNATIVE_LIMIT:
            flags.append(_flag("rule-sensitive", "info",
                               f"under '{alt['label']}' the total is {alt['total']:.3f} "
                               f"({alt['difference']:+.1%} against the default rule)"))
    levers = _levers(product, product_model, fp, alternatives)
    for lever in levers:
        signs = {math.copysign(1.0, e["change"]) for e in lever["effects"]
                 if abs(e["change"]) > 1e-12}
        if len(signs) > 1:
            flags.append(_flag("lever-sign-depends-on-rule", "warning",
                               f"lever '{lever['label']}': "
                               + "; ".join(f"{e['rule']} {e['change']:+.3f}"
                                           for e in lever["effects"])))

    companies = all_company_checks(product)
    for company in companies:
        for check in company["checks"]:
            if check["status"] != "ok":
                flags.append(_flag(f"company-figures-{check['status']}", "warning",
                                   f"{company['company']['name']}: {check['message']}"))
        for measure in company["measures"]:
            if measure.get("sign_agrees_location_based") is False:
                flags.append(_flag("measure-sign-location-based", "warning",
                                   f"{company['company']['name']}: {measure['message']}"))
    return {
        "product": product, "variant": fp["variant"], "parameters": fp["parameters"],
        "declared_unit": fp["declared_unit"], "unit": f"kg CO2e per {fp['declared_unit']}",
        "result": {"total": total, "per_declared_unit": fp["per_declared_unit"],
                   "stages": fp["stages"]},
        "gwp_basis": gwp, "published_ranges": ranges, "mass_balance": balance,
        "assumptions": assumptions, "alternatives": alternatives, "levers": levers,
        "companies": companies, "flags": flags, "database": fp["database"],
        "method": {**fp["method"], "label": gwp["label"]},
        "boundary": fp["boundary"], "recycled_content_method": fp["recycled_content_method"],
        "electricity_accounting": fp["electricity_accounting"],
    }


def _flag(code: str, severity: str, message: str) -> dict[str, str]:
    return {"code": code, "severity": severity, "message": message}


def _applies(product_model, variant_name: str, values: dict) -> bool:
    """A range applies when the audited parameters agree with its variant's values."""
    wanted = product_model.variants.get(variant_name) or {}
    for name, value in wanted.items():
        spec = product_model.specs[name]
        if spec.coerce(value) != values.get(name):
            return False
    return True


def _ranges(product: str, product_model, fp: dict) -> list[dict]:
    out = []
    for r in get_engine().system(product).published_ranges:
        if not _applies(product_model, r["variant"], fp["parameters"]):
            continue
        value = _measure(product, product_model, fp, r["measure"])
        row = {k: r[k] for k in ("variant", "measure", "low", "high", "unit", "label",
                                 "sources", "citations", "year", "geography", "basis",
                                 "method")}
        row.update({"value": value, **check_range(value, r["low"], r["high"])})
        if r.get("replica"):
            rep = compute_footprint(product, parameters={**fp["parameters"],
                                                         **r["replica"]["parameters"]},
                                    contributions=False)
            rep_value = _measure(product, product_model, rep, r["measure"])
            row["replica"] = {**r["replica"], "value": rep_value,
                              **check_range(rep_value, r["low"], r["high"])}
        out.append(row)
    return out


def _measure(product: str, product_model, fp: dict, measure: str) -> float:
    """A range's measure of a footprint; ``reduction:<variant>`` is computed against that
    variant's values over the footprint's other parameters."""
    if not measure.startswith("reduction:"):
        return measure_value(fp, measure)
    reference = product_model.variants[measure.removeprefix("reduction:")] or {}
    ref = compute_footprint(product, parameters={**fp["parameters"], **reference},
                            contributions=False)
    return relative_reduction(fp["per_declared_unit"]["total"],
                              ref["per_declared_unit"]["total"])


def _mass_balance(product_model, variant: str | None, parameters: dict | None) -> dict | None:
    definition = product_model.definition.get("mass_balance")
    if not definition:
        return None
    settings = product_model.resolve(variant, parameters)
    items = [("product", definition["product"])]
    items += [(f"in:{i['name']}", i["formula"]) for i in definition["inputs"]]
    items += [(f"out:{i['name']}", i["formula"]) for i in definition.get("losses", [])]
    values = compile_formulas(product_model.definition.get("derived") or {},
                              [f for _, f in items], list(settings.encoded))(settings.encoded)
    by_name = dict(zip([n for n, _ in items], values, strict=True))
    result = mass_balance(
        by_name["product"],
        [(n.removeprefix("in:"), v) for n, v in by_name.items() if n.startswith("in:")],
        [(n.removeprefix("out:"), v) for n, v in by_name.items() if n.startswith("out:")])
    return result


def _assumptions(product_model, fp: dict) -> dict[str, Any]:
    primary = supplier_parameters(product_model.describe()["parameters"], fp["parameters"])
    rows = []
    for c in fp["contributions"]:
        found = metas(c)
        if any(m.get("source") == ASSUMPTION_SOURCE
               or ASSUMPTION_SOURCE in (m.get("ef_sources") or []) for m in found):
            rows.append({"input": c["input"], "activity": c["activity"],
                         "kg_co2e_per_declared_unit": c["kg_co2e_per_declared_unit"]})
    rows.sort(key=lambda r: -abs(r["kg_co2e_per_declared_unit"]))
    assumed = [p["name"] for p in product_model.describe()["parameters"]
               if p.get("source") == ASSUMPTION_SOURCE]
    return {"percent": assumption_share(fp, primary), "largest": rows[:8],
            "assumed_parameters": assumed,
            "rule": "first-tier contributions whose amount, or the own emission figures of "
                    "the background dataset they draw on, have source pcf-assumption; "
                    "parameters with source pcf-assumption (assumed_parameters) act through "
                    "the amounts they scale and are listed, not counted"}


def _alternatives(product: str, product_model, fp: dict) -> list[dict]:
    out = []
    total = fp["per_declared_unit"]["total"]
    for alt in product_model.definition.get("alternatives") or []:
        other = compute_footprint(product, parameters={**fp["parameters"],
                                                       **alt["parameters"]},
                                  contributions=False)
        value = other["per_declared_unit"]["total"]
        out.append({"name": alt["name"], "label": alt["label"], "basis": alt["basis"],
                    "parameters": alt["parameters"], "total": value,
                    "stages": other["stages"],
                    "difference": value / total - 1.0 if total else 0.0})
    return out


def _levers(product: str, product_model, fp: dict, alternatives: list[dict]) -> list[dict]:
    out = []
    rules = [("default", {})] + [(a["name"], a["parameters"]) for a in alternatives]
    for lever in product_model.definition.get("levers") or []:
        effects = []
        for rule, params in rules:
            base = {**fp["parameters"], **params}
            before = compute_footprint(product, parameters=base, contributions=False)
            after = compute_footprint(product, parameters={**base, **lever["parameters"]},
                                      contributions=False)
            b, a = before["per_declared_unit"]["total"], after["per_declared_unit"]["total"]
            effects.append({"rule": rule, "before": b, "after": a, "change": a - b,
                            "relative": (a - b) / b if b else 0.0})
        out.append({"name": lever["name"], "label": lever["label"], "basis": lever["basis"],
                    "parameters": lever["parameters"], "effects": effects})
    return out


# -- Markdown --------------------------------------------------------------------------------

def render_markdown(doc: dict[str, Any]) -> str:
    """The audit document as Markdown (the same content as the JSON, for people)."""
    u = doc["unit"]
    lines = [f"# Audit: {doc['product']}, variant {doc['variant'] or '(defaults)'}", "",
             f"Database {doc['database']['version']}; {doc['boundary']}; recycled content "
             f"{doc['recycled_content_method']}; electricity {doc['electricity_accounting']}.",
             "", f"**Result: {doc['result']['total']:.3f} {u}**", "",
             "| stage | " + u + " |", "|---|---:|"]
    lines += [f"| {s['stage']} | {s['kg_co2e_per_declared_unit']:.3f} |"
              for s in doc["result"]["stages"]]
    g = doc["gwp_basis"]
    lines += ["", "## GWP basis", "", g["label"] + ".", "", "| basis | % of total |",
              "|---|---:|"]
    lines += [f"| {b} | {p:.1f} |" for b, p in g["percent"].items()]
    lines += ["", "## Published ranges", ""]
    if doc["published_ranges"]:
        lines += ["| range | measure | published | pcf | position | with the publication's "
                  "setting |", "|---|---|---|---:|---|---|"]
        for r in doc["published_ranges"]:
            rep = r.get("replica")
            rep_text = (f"{rep['value']:.3f} ({rep['position']}): {rep['label']}" if rep
                        else "")
            lines.append(f"| {r['label']} ({', '.join(r['sources'])}, {r['year']}, "
                         f"{r['geography']}) | {r['measure']} | {r['low']:g}-{r['high']:g} "
                         f"| {r['value']:.3f} | {r['position']} | {rep_text} |")
    else:
        lines.append("None stored for this setting.")
    lines += ["", "## Mass balance", ""]
    mb = doc["mass_balance"]
    if mb is None:
        lines.append("Not declared by the product.")
    else:
        lines += [f"Product {mb['product_kg']:.4f} kg per declared unit; inputs "
                  f"{mb['inputs_kg']:.4f} kg, losses {mb['losses_kg']:.4f} kg, itemised "
                  f"{mb['itemised_share']:.1%} ({mb['status']}).", "", "| flow | kg |",
                  "|---|---:|"]
        lines += [f"| in: {i['name']} | {i['kg']:.4f} |" for i in mb["inputs"]]
        lines += [f"| loss: {i['name']} | {i['kg']:.4f} |" for i in mb["losses"]]
    a = doc["assumptions"]
    lines += ["", "## Assumptions", "", f"{a['percent']:.1f} % of the total rests on "
              "pcf-assumption figures. Assumed parameters: "
              f"{', '.join(a['assumed_parameters']) or 'none'}.", ""]
    if a["largest"]:
        lines += ["| contribution | in | " + u + " |", "|---|---|---:|"]
        lines += [f"| {r['input']} | {r['activity']} | {r['kg_co2e_per_declared_unit']:.3f} |"
                  for r in a["largest"]]
    if doc["alternatives"]:
        lines += ["", "## Other rules", "", "| rule | total | vs default |", "|---|---:|---:|"]
        lines += [f"| {r['label']} | {r['total']:.3f} | {r['difference']:+.1%} |"
                  for r in doc["alternatives"]]
    if doc["levers"]:
        lines += ["", "## Levers", "", "| lever | rule | before | after | change |",
                  "|---|---|---:|---:|---:|"]
        for lever in doc["levers"]:
            lines += [f"| {lever['label']} | {e['rule']} | {e['before']:.3f} | {e['after']:.3f} "
                      f"| {e['change']:+.3f} |" for e in lever["effects"]]
    for company in doc["companies"]:
        lines += ["", f"## Company data: {company['company']['name']}", ""]
        lines += [f"- **{c['status']}** ({c['id']}, {c.get('year')}): {c['message']}"
                  + (f" -- {c['implies']['message']}" if c.get("implies") else "")
                  for c in company["checks"]]
        lines += [f"- measure {m['id']}: {m.get('message', '')}" for m in company["measures"]]
        if not company["checks"] and not company["measures"]:
            lines.append("No check applies: the company stores no inventory, no reported "
                         "stage values and no measures for this product.")
    lines += ["", "## Flags", ""]
    lines += [f"- [{f['severity']}] {f['code']}: {f['message']}" for f in doc["flags"]] \
        or ["None."]
    return "\n".join(lines) + "\n"
