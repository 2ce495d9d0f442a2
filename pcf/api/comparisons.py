"""``POST /v1/comparisons``: cases of one product side by side, plus an optional sweep.

For each case the full Footprint (per declared unit) and its difference to the reference case::

    absolute = F(case) - F(reference)                     [kg CO2e / declared unit]
    relative = (F(case) - F(reference)) / F(reference)    [-], null if F(reference) = 0

where F is the total footprint per declared unit. A sweep varies one parameter of one case
(default: the reference) over a list of values and reports F and its difference for each.
Roles: engineer, admin.
"""

from __future__ import annotations

from typing import Any

from pcf.api.auth import require_roles
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import ComparisonRequestSchema, ComparisonSchema
from pcf.errors import PcfError

blp = Blueprint("comparisons", __name__, url_prefix="/v1/comparisons",
                description="Compare variants and parameter settings of one product.")


def difference(value: float, reference: float) -> dict[str, float | None]:
    """Return ``{"absolute": value - reference, "relative": (value - reference) / reference}``.

    ``relative`` is None when ``reference`` is 0. Units: those of the inputs (absolute),
    dimensionless (relative).
    """
    absolute = value - reference
    return {"absolute": absolute, "relative": absolute / reference if reference != 0 else None}


def _relocate(exc: PcfError, prefix: str, field: str | None = None) -> PcfError:
    new = type(exc)(exc.message, field=field or (f"{prefix}.{exc.field}" if exc.field
                                                 else prefix), allowed=exc.allowed)
    return new


def compare(product: str, cases: list[dict[str, Any]], reference: str | None = None,
            sweep: dict[str, Any] | None = None) -> dict[str, Any]:
    """Compute the comparison document (no Flask; see the module docstring for the formulas).

    Parameters
    ----------
    product : str
    cases : list of dict
        ``{"label", "variant"?, "parameters"?}``; labels unique.
    reference : str, optional
        Label of the reference case; default the first case.
    sweep : dict, optional
        ``{"parameter", "values", "case"?}``.

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
    from pcf import service

    reference = reference or cases[0]["label"]
    footprints = []
    for i, case in enumerate(cases):
        try:
            footprints.append(service.compute_footprint(
                product, variant=case.get("variant"),
                parameters=case.get("parameters") or None))
        except PcfError as exc:
            if exc.field == "product":
                raise
            raise _relocate(exc, f"cases[{i}]") from None
    by_label = dict(zip((c["label"] for c in cases), footprints))
    ref_total = by_label[reference]["per_declared_unit"]["total"]
    out_cases = [
        {"label": case["label"], "is_reference": case["label"] == reference, "footprint": fp,
         "difference": difference(fp["per_declared_unit"]["total"], ref_total)}
        for case, fp in zip(cases, footprints)
    ]
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
                fp = service.compute_footprint(product, variant=base.get("variant"),
                                               parameters=params)
            except PcfError as exc:
                if exc.field and exc.field.startswith(f"parameters.{name}"):
                    # unknown parameter name or out-of-range value
                    known = _known_parameter(service, product, name)
                    raise _relocate(exc, "sweep", "sweep.values[%d]" % j if known
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


def _known_parameter(service, product: str, name: str) -> bool:
    try:
        return any(p["name"] == name for p in service.get_product(product)["parameters"])
    except PcfError:
        return False


@blp.route("", methods=["POST"])
@require_roles("engineer", "admin")
@blp.arguments(ComparisonRequestSchema, example={
    "product": "battery-cell-nmc811",
    "cases": [{"label": "virgin", "variant": "virgin"},
              {"label": "recycled", "variant": "recycled"},
              {"label": "recycled + renewable", "variant": "recycled",
               "parameters": {"renewable_electricity_share": 1}}],
    "reference": "virgin",
    "sweep": {"parameter": "renewable_electricity_share", "values": [0, 0.5, 1]}})
@blp.response(200, ComparisonSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_comparison(args: dict):
    """Compare cases of one product.

    Returns each case's Footprint per declared unit with its absolute (kg CO2e per declared
    unit) and relative difference to the reference case, and the optional sweep. Roles:
    engineer, admin.
    """
    from pcf.api.footprints import product_field_errors

    with product_field_errors():
        doc = compare(args["product"], args["cases"], args.get("reference"), args.get("sweep"))
    return json_response(doc)
