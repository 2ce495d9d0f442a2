"""``POST /v1/footprints``: the Footprint of one product, variant, parameter set, quantity."""

from __future__ import annotations

import contextlib

from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import FootprintRequestSchema, FootprintSchema
from pcf.errors import InvalidInput, UnknownResource

blp = Blueprint("footprints", __name__, url_prefix="/v1/footprints",
                description="Cradle-to-gate product carbon footprints.")


@blp.route("", methods=["POST"])
@blp.arguments(FootprintRequestSchema, example={
    "product": "aluminium-coil", "variant": "recycled",
    "parameters": {"renewable_electricity_share": 0.5}, "quantity": 20, "unit": "t"})
@blp.response(200, FootprintSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_footprint(args: dict):
    """Compute a footprint.

    Returns the Footprint (kg CO2e per declared unit and for `quantity`, by stage and by input).
    Without `quantity` the footprint is for one declared unit. With `company` and `year` it
    is that company's footprint of that reporting year: its settings of the year and the
    stored supplier footprints (covered share on the supplier's figure, the rest on the
    average; `supplier_footprints`, contributions marked `supplier_specific`,
    `primary_data`). With `uncertainty: {draws, seed}` it adds the Monte Carlo `uncertainty`
    (mean, median, 2.5/97.5 percentiles, sd, GSD of the total, parts and stages; the same
    seed gives the same draws). With `contributions: false` the `contributions` list (about
    70 % of a cell's response) is left out of the answer; every other figure is the same,
    since the ratings that rest on the contributions are computed before. Any role may call
    it.
    """
    from pcf import service

    with product_field_errors():
        if args.get("company") and args.get("uncertainty"):
            raise InvalidInput("uncertainty is not available with company and year yet",
                               field="uncertainty")
        if args.get("company"):
            from flask import current_app

            from pcf.service.suppliers import company_footprint

            fp = company_footprint(
                current_app.extensions["pcf"].store, args["product"], args["company"],
                args["year"], variant=args.get("variant"),
                parameters=args.get("parameters") or None, quantity=args.get("quantity"),
                unit=args.get("unit"),
                recycled_content_method=args.get("recycled_content_method") or "cut-off")
        else:
            fp = service.compute_footprint(
                args["product"], variant=args.get("variant"),
                parameters=args.get("parameters") or None,
                quantity=args.get("quantity"), unit=args.get("unit"),
                recycled_content_method=args.get("recycled_content_method") or "cut-off",
                uncertainty=args.get("uncertainty"))
    if not args.get("contributions", True):
        del fp["contributions"]
    return json_response(fp)


@contextlib.contextmanager
def product_field_errors(field: str = "product"):
    """Answer an unknown product named in a request body with 422 (invalid field), not 404.

    The service raises UnknownResource for an unknown product id; in a body it is a bad value.
    """
    try:
        yield
    except UnknownResource as exc:
        if exc.field == "product":
            raise InvalidInput(exc.message, field=field, allowed=exc.allowed) from None
        raise
