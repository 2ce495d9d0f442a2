"""Reductions against a base year, and the pathway view (issue: base years and targets).

- ``GET /v1/products/{product_id}/reductions?year=Y[&base_year=B][&company=C]``: base-year and
  reporting-year footprints recomputed like-for-like with today's data and method, the values
  as originally reported, absolute change and reduction per stage and in total, whether a
  base-year recalculation is due (>= 5 %, SBTi C27) and each target's status.
- ``GET /v1/products/{product_id}/pathway[?company=C]``: every year with data or a pathway value.

``company`` may be omitted when exactly one company has data for the product.

Roles: engineer, admin (company targets are internal data). Values in kg CO2e per declared
unit. The documents are :func:`pcf.service.targets.reductions` and
:func:`pcf.service.targets.pathway`.
"""

from __future__ import annotations

from marshmallow import fields, validate

from pcf.api.auth import require_roles
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import RequestSchema, ResponseSchema

blp = Blueprint("reductions", __name__, url_prefix="/v1/products",
                description="Reductions of a company's product footprint against its base "
                            "year, targets and pathways.")

_COMPANY = fields.String(validate=validate.Length(min=1, max=100), metadata={
    "description": "Company id (databases/companies/); may be omitted when exactly one "
                   "company has data for the product", "example": "shengtong"})


class ReductionsQuerySchema(RequestSchema):
    """Query of the reductions endpoint."""

    company = _COMPANY
    year = fields.Integer(required=True, validate=validate.Range(1900, 2200),
                          metadata={"description": "Reporting or projection year",
                                    "example": 2025})
    base_year = fields.Integer(validate=validate.Range(1900, 2200), metadata={
        "description": "Base year (default: the company's base year for the product)"})


class PathwayQuerySchema(RequestSchema):
    """Query of the pathway endpoint."""

    company = _COMPANY


class TargetStatusSchema(ResponseSchema):
    """One target of a stage and whether the reporting year is on track."""

    type = fields.String(metadata={"description": "pathway or reduction"})
    required_reduction = fields.Float(allow_none=True, metadata={
        "description": "Reduction from the base year the target asks for by this year"})
    on_track = fields.Boolean(allow_none=True, metadata={
        "description": "Like-for-like reduction >= required reduction"})
    pathway_value = fields.Float(allow_none=True)
    pathway_value_like_for_like = fields.Float(allow_none=True, metadata={
        "description": "Pathway value rebased on pcf's recomputed base year"})
    on_track_as_reported = fields.Boolean(allow_none=True)
    target_year = fields.Integer()
    target_reduction = fields.Float()
    denominator = fields.String(metadata={
        "description": "declared-unit, or output-value for a target per output value (e.g. "
                       "per 10,000 yuan), which is kept as stated and not judged per unit"})
    comparison = fields.String(metadata={
        "description": "What a per-unit comparison of an output-value target would need"})


class StageReductionSchema(ResponseSchema):
    """One stage (or ``total``) of a reductions document, kg CO2e per declared unit."""

    stage = fields.String(required=True)
    label = fields.String()
    base_year_value = fields.Float(required=True)
    year_value = fields.Float(required=True)
    absolute_change = fields.Float(required=True)
    reduction = fields.Float(allow_none=True, metadata={
        "description": "(base - year) / base; positive when the footprint fell"})
    base_year_as_reported = fields.Float(allow_none=True)
    year_as_reported = fields.Float(allow_none=True)
    reduction_as_reported = fields.Float(allow_none=True)
    recalculation_due = fields.Boolean(allow_none=True, metadata={
        "description": "Recomputed and reported base-year values differ by >= 5 %"})
    targets = fields.List(fields.Nested(TargetStatusSchema))


class ReductionsSchema(ResponseSchema):
    """Reductions document (see :func:`pcf.service.targets.reductions`)."""

    product = fields.String(required=True)
    company = fields.Dict(required=True)
    declared_unit = fields.String(required=True)
    base_year = fields.Integer(required=True)
    year = fields.Integer(required=True)
    year_status = fields.String(metadata={"description": "actual or projection"})
    like_for_like = fields.Dict(required=True)
    stages = fields.List(fields.Nested(StageReductionSchema), required=True)
    recalculation_due = fields.Boolean(required=True)
    stage_that_moves_most = fields.String()
    settings = fields.Dict()
    supplier_footprints = fields.Dict(metadata={
        "description": "{base_year: [...], year: [...]}: the stored supplier footprints each "
                       "year used (POST /v1/supplier-footprints), per covered input"})


class PathwaySchema(ResponseSchema):
    """Pathway view (see :func:`pcf.service.pathway`)."""

    product = fields.String(required=True)
    company = fields.Dict(required=True)
    base_year = fields.Integer(required=True)
    years = fields.List(fields.Dict(), required=True)


@blp.route("/<product_id>/reductions", methods=["GET"])
@require_roles("engineer", "admin")
@blp.arguments(ReductionsQuerySchema, location="query")
@blp.response(200, ReductionsSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_reductions(query: dict, product_id: str):
    """Reduction against the base year, per stage and total, with target status."""
    from flask import current_app

    from pcf import service

    return json_response(service.reductions(product_id, query.get("company"), query["year"],
                                            query.get("base_year"),
                                            store=current_app.extensions["pcf"].store))


@blp.route("/<product_id>/pathway", methods=["GET"])
@require_roles("engineer", "admin")
@blp.arguments(PathwayQuerySchema, location="query")
@blp.response(200, PathwaySchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_pathway(query: dict, product_id: str):
    """Every year: like-for-like and reported values, pathway values, on-track."""
    from flask import current_app

    from pcf import service

    return json_response(service.pathway(product_id, query.get("company"),
                                         store=current_app.extensions["pcf"].store))

