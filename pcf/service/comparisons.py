"""Use case: cases of one product side by side, plus an optional sweep of one parameter
(``POST /v1/comparisons``, ``pcf compare``, ``pcf sweep``).

For each case the full Footprint (per declared unit) and its difference to the reference case::

    absolute = F(case) - F(reference)                     [kg CO2e / declared unit]
    relative = (F(case) - F(reference)) / F(reference)    [-], null if F(reference) = 0

where F is the total footprint per declared unit. A sweep varies one parameter of one case
(default: the reference) over a list of values and reports F and its difference for each.
"""

from __future__ import annotations

from typing import Any

from pcf.errors import InvalidInput, PcfError
from pcf.service.footprints import compute_footprint, get_product


def difference(value: float, reference: float) -> dict[str, float | None]:
    """Return ``{"absolute": value - reference, "relative": (value - reference) / reference}``.

    ``relative`` is None when ``reference`` is 0. Units: those of the inputs (absolute),
    dimensionless (relative).
    """
    absolute = value - reference
    return {"absolute": absolute, "relative": absolute / reference if reference != 0 else None}


def _check_draw_budget(uncertainty: Any, cases: int) -> None:
    """Refuse more than :data:`pcf.config.MC_MAX_COMPARISON_DRAWS` draws x cases.

    Raises
    ------
    InvalidInput
        ``uncertainty.draws`` too large for the number of cases (the allowed maximum named).
    """
    from pcf.config import MC_MAX_COMPARISON_DRAWS

    draws = uncertainty.get("draws") if isinstance(uncertainty, dict) else None
    if isinstance(draws, int) and not isinstance(draws, bool) and \
            draws * cases > MC_MAX_COMPARISON_DRAWS:
        most = MC_MAX_COMPARISON_DRAWS // cases
        raise InvalidInput(f"{draws} draws x {cases} cases is more than "
                           f"{MC_MAX_COMPARISON_DRAWS}: at most {most} draws for {cases} cases",
                           field="uncertainty.draws", allowed=f"1..{most}")


def _relocate(exc: PcfError, prefix: str, field: str | None = None) -> PcfError:
    return exc.relocated(field or (f"{prefix}.{exc.field}" if exc.field else prefix))


def compare(product: str, cases: list[dict[str, Any]], reference: str | None = None,
            sweep: dict[str, Any] | None = None,
            uncertainty: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compute the comparison document (see the module docstring for the formulas).

    Parameters
    ----------
    product : str
    cases : list of dict
        ``{"label", "variant"?, "parameters"?, "recycled_content_method"?}`` (``cut-off`` or
        ``cff``, issue 20: the two rules side by side); labels unique.
    reference : str, optional
        Label of the reference case; default the first case.
    sweep : dict, optional
        ``{"parameter", "values", "case"?}``.
    uncertainty : dict, optional
        ``{"draws": N, "seed": S}``: every case's footprint gets its Monte Carlo
        ``uncertainty``, and every case ``"uncertainty": {"probability_below_reference",
        "difference"}``: the share of the common draws in which the case's total is below the
        reference's (null for the reference) and the statistics of case - reference in kg CO2e
        per declared unit. All cases share the same draws (:mod:`pcf.engine.montecarlo`).

    Returns
    -------
    dict
        ``{"product", "declared_unit", "reference", "cases": [...], "sweep": {...} | None}``.

    Raises
    ------
    InvalidInput
        Unknown product, variant or parameter, or a value out of range; the field is located
        as ``cases[i].<field>`` or ``sweep.values[j]``.
    """
    _check_cases(cases, reference, sweep)
    if uncertainty is not None:
        _check_draw_budget(uncertainty, len(cases))
    reference = reference or cases[0]["label"]
    footprints = []
    for i, case in enumerate(cases):
        try:
            footprints.append(compute_footprint(
                product, variant=case.get("variant"),
                parameters=case.get("parameters") or None,
                recycled_content_method=case.get("recycled_content_method") or "cut-off",
                uncertainty=uncertainty))
        except PcfError as exc:
            if exc.field == "product":
                raise
            raise _relocate(exc, f"cases[{i}]") from None
    by_label = dict(zip((c["label"] for c in cases), footprints, strict=True))
    ref_total = by_label[reference]["per_declared_unit"]["total"]
    out_cases = [
        {"label": case["label"], "is_reference": case["label"] == reference, "footprint": fp,
         "difference": difference(fp["per_declared_unit"]["total"], ref_total)}
        for case, fp in zip(cases, footprints, strict=True)
    ]
    if uncertainty is not None:
        _probabilities(product, cases, reference, out_cases, uncertainty)
    sweep_out = None
    if sweep:
        label = sweep.get("case") or reference
        base = next(c for c in cases if c["label"] == label)
        name = sweep["parameter"]
        points = []
        for j, value in enumerate(sweep["values"]):
            params = dict(base.get("parameters") or {})
            params[name] = value
            try:
                fp = compute_footprint(product, variant=base.get("variant"),
                                       parameters=params,
                                       recycled_content_method=base.get(
                                           "recycled_content_method") or "cut-off")
            except PcfError as exc:
                if exc.field and exc.field.startswith(f"parameters.{name}"):
                    # unknown parameter name or out-of-range value
                    known = _known_parameter(product, name)
                    raise _relocate(exc, "sweep", f"sweep.values[{j}]" if known
                                    else "sweep.parameter") from None
                raise _relocate(exc, f"sweep.values[{j}]") from None
            points.append({
                "value": value,
                "per_declared_unit": fp["per_declared_unit"],
                "stages": fp["stages"],
                "difference": difference(fp["per_declared_unit"]["total"], ref_total),
            })
        sweep_out = {"parameter": name, "case": label, "points": points}
    return {
        "product": product,
        "declared_unit": footprints[0]["declared_unit"],
        "reference": reference,
        "cases": out_cases,
        "sweep": sweep_out,
    }


def _probabilities(product: str, cases: list[dict[str, Any]], reference: str,
                   out_cases: list[dict[str, Any]], uncertainty: dict[str, Any]) -> None:
    """Add each case's probability of being below the reference (common draws)."""
    from pcf.service import uncertainty as mc
    from pcf.service.footprints import model

    draws, seed = mc.parse_request(uncertainty)
    product_model = model(product)
    by_label = {}
    for case in cases:
        encoded = product_model.resolve(case.get("variant"),
                                        case.get("parameters") or None).encoded
        by_label[case["label"]] = mc.draws_of(product, encoded, draws, seed)
    ref = by_label[reference]
    for item in out_cases:
        own = by_label[item["label"]]
        item["uncertainty"] = {
            "probability_below_reference": None if item["is_reference"]
            else mc.probability_below(own, ref),
            "difference": mc.difference_interval(own, ref),
        }


def _check_cases(cases: list[dict[str, Any]], reference: str | None,
                 sweep: dict[str, Any] | None) -> None:
    """Labels present and unique, the reference and the swept case among them.

    The API's schema checks the same before the call; this keeps the CLI and library callers
    to the same rules.

    Raises
    ------
    InvalidInput
        Naming ``cases``, ``cases[i].label``, ``reference``, ``sweep.case`` or ``sweep.values``.
    """
    if not cases:
        raise InvalidInput("give at least one case", field="cases")
    labels: list[str] = []
    for i, case in enumerate(cases):
        label = case.get("label") if isinstance(case, dict) else None
        if not isinstance(label, str) or not label.strip():
            raise InvalidInput("every case needs a label", field=f"cases[{i}].label")
        if label in labels:
            raise InvalidInput(f"duplicate label {label!r}", field=f"cases[{i}].label")
        labels.append(label)
    if reference is not None and reference not in labels:
        raise InvalidInput(f"no case labelled {reference!r}", field="reference", allowed=labels)
    if sweep:
        if sweep.get("case") is not None and sweep["case"] not in labels:
            raise InvalidInput(f"no case labelled {sweep['case']!r}", field="sweep.case",
                               allowed=labels)
        if not sweep.get("values"):
            raise InvalidInput("a sweep needs at least one value", field="sweep.values")
        if not isinstance(sweep.get("parameter"), str):
            raise InvalidInput("a sweep needs the name of a parameter", field="sweep.parameter")


def _known_parameter(product: str, name: str) -> bool:
    try:
        return any(p["name"] == name for p in get_product(product)["parameters"])
    except PcfError:
        return False
