"""``GET /v1/products/{product_id}/sensitivity``: what drives the variance of a footprint
(issue 17).

Query: ``variant``, repeated ``set=NAME=VALUE``, ``draws`` (1..20,000, default 5,000) and
``seed`` (default 0). Any authenticated role. The document is
:func:`pcf.service.sensitivity.sensitivity`.
"""

from __future__ import annotations

from marshmallow import fields, validate

from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import RequestSchema, ResponseSchema
from pcf.config import SENSITIVITY_MAX_DRAWS

blp = Blueprint("sensitivity", __name__, url_prefix="/v1/products",
                description="Which inputs and parameters drive the uncertainty of a footprint.")


class SensitivityQuerySchema(RequestSchema):
    """Query of ``GET /v1/products/{id}/sensitivity``."""

    variant = fields.String(validate=validate.Length(min=1, max=100),
                            metadata={"description": "Variant (named parameter set)",
                                      "example": "recycled"})
    set = fields.List(fields.String(validate=validate.Length(min=3, max=200)), metadata={
        "description": "Parameter value NAME=VALUE over the variant's (not drawn); repeat for "
                       "several", "example": ["renewable_electricity_share=0.5"]})
    draws = fields.Integer(validate=validate.Range(min=1, max=SENSITIVITY_MAX_DRAWS), metadata={
        "description": f"Monte Carlo draws, 1 to {SENSITIVITY_MAX_DRAWS} (default 5000)"})
    seed = fields.Integer(validate=validate.Range(min=0, max=2**63 - 1), metadata={
        "description": "Seed of the draws (default 0)"})


class SensitivitySchema(ResponseSchema):
    """Sensitivity document (:func:`pcf.service.sensitivity.sensitivity`); kg CO2e per
    declared unit."""

    product = fields.String(required=True)
    variant = fields.String(allow_none=True)
    parameters = fields.Dict(required=True)
    declared_unit = fields.String(required=True)
    draws = fields.Integer(required=True)
    seed = fields.Integer(required=True)
    total = fields.Dict(required=True, metadata={
        "description": "{mean, median, p2_5, p97_5, sd, gsd} of the total"})
    inputs = fields.List(fields.Dict(), required=True, metadata={
        "description": "Largest shares of Var(total) by first-tier contribution: {input, "
                       "activity, kind, stage, variance_share, "
                       "mean_kg_co2e_per_declared_unit}"})
    inputs_other_share = fields.Float(required=True)
    parameters_src = fields.List(fields.Dict(), required=True, metadata={
        "description": "Standardized regression coefficients: {parameter, src, default, gsd}"})
    r_squared = fields.Float(allow_none=True)
    parameter_draws = fields.Integer(required=True)
    method = fields.Dict(required=True)


@blp.route("/<product_id>/sensitivity", methods=["GET"])
@blp.arguments(SensitivityQuerySchema, location="query")
@blp.response(200, SensitivitySchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_sensitivity(query: dict, product_id: str):
    """Shares of the footprint's variance by input, and parameters' regression coefficients.

    Monte Carlo over every exchange's distribution (pedigree of its source) splits the
    variance of the total over the first-tier contributions (shares sum to 1); the product's
    number parameters drawn from their defaults' distributions give standardized regression
    coefficients. The same seed gives the same document.
    """
    from pcf.api.audit import query_parameters
    from pcf.service.sensitivity import sensitivity

    return json_response(sensitivity(product_id, variant=query.get("variant"),
                                     parameters=query_parameters(query),
                                     draws=query.get("draws", 5000), seed=query.get("seed", 0)))
