"""``POST /v1/comparisons``: cases of one product side by side, plus an optional sweep.

For each case the full Footprint (per declared unit) and its difference to the reference case::

    absolute = F(case) - F(reference)                     [kg CO2e / declared unit]
    relative = (F(case) - F(reference)) / F(reference)    [-], null if F(reference) = 0

where F is the total footprint per declared unit. A sweep varies one parameter of one case
(default: the reference) over a list of values and reports F and its difference for each.
Roles: engineer, admin.
"""

from __future__ import annotations

from pcf.api.auth import require_roles
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import ComparisonRequestSchema, ComparisonSchema
from pcf.service.comparisons import compare

blp = Blueprint("comparisons", __name__, url_prefix="/v1/comparisons",
                description="Compare variants and parameter settings of one product.")


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
    unit) and relative difference to the reference case, and the optional sweep. With
    `uncertainty: {draws, seed}` every case shares the same Monte Carlo draws and gets
    `uncertainty.probability_below_reference`. Roles: engineer, admin.
    """
    from pcf.api.footprints import product_field_errors

    with product_field_errors():
        doc = compare(args["product"], args["cases"], args.get("reference"), args.get("sweep"),
                      uncertainty=args.get("uncertainty"))
    return json_response(doc)
