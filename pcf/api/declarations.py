"""Regulatory declarations (issue 20).

- ``POST /v1/declarations/cbam``: the CBAM embedded emissions of a good as its operator
  communicates them (JSON, :func:`pcf.service.cbam.communication`).
- ``POST /v1/declarations/cbam.xlsx``: the same in the sheets of the Commission's
  communication template (:func:`pcf.certificates.cbam_workbook.workbook`).
- ``POST /v1/declarations/battery`` (JSON) and ``/battery.pdf``: the EU battery carbon
  footprint declaration of a cell (:func:`pcf.service.battery_declaration.declaration`),
  body ``{product, variant?, parameters?, company?, year?}`` (parameters include the
  declaration settings).

Body: ``{product, company?, year?, variant?, parameters?, quantity?, unit?, country?,
import_year?, precursor_see?, alloying_share?, defaults_only?}``. Roles: engineer, admin
(company data and supplier figures are internal).
"""

from __future__ import annotations

from flask import Response
from marshmallow import fields, validate

from pcf.api.auth import require_roles
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import (
    RequestSchema,
    ResponseSchema,
    Text,
    _company_field,
    _CompanyYearMixin,
    _parameters_field,
    _quantity_field,
    _unit_field,
    _year_field,
)

blp = Blueprint("declarations", __name__, url_prefix="/v1/declarations",
                description="Regulatory declarations: CBAM embedded emissions, EU battery "
                            "carbon footprint declaration.")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CbamRequestSchema(_CompanyYearMixin, RequestSchema):
    """Request of the CBAM endpoints (the shared fields of POST /v1/footprints: product,
    company + year, variant, parameters, quantity, unit)."""

    product = Text(required=True, validate=validate.Length(min=1, max=100),
                   metadata={"example": "aluminium-coil"})
    company = _company_field()
    year = _year_field()
    variant = Text(validate=validate.Length(min=1, max=100))
    parameters = _parameters_field()
    quantity = _quantity_field(required=False)
    unit = _unit_field(required=False)
    country = fields.String(validate=validate.Length(equal=2), metadata={
        "description": "Country of production (ISO 3166 alpha-2), default CN"})
    import_year = fields.Integer(validate=validate.Range(2026, 2100))
    precursor_see = fields.Float(allow_nan=False, validate=validate.Range(0, 40), metadata={
        "description": "SEE (t CO2e/t, direct) a supplier communicated for its primary ingot"})
    alloying_share = fields.Float(allow_nan=False, validate=validate.Range(0, 1))
    defaults_only = fields.Boolean(metadata={
        "description": "Default values for every precursor (ignore supplier figures)"})


class CbamSchema(ResponseSchema):
    """CBAM communication (see :func:`pcf.service.cbam.communication`); t CO2e per t."""

    declaration = fields.String(required=True)
    rule_set = fields.Dict(required=True)
    good = fields.Dict(required=True)
    installation = fields.Dict(allow_none=True)
    country_of_production = fields.String(required=True)
    activity_level = fields.Dict(required=True)
    direct_emissions = fields.Dict(required=True)
    precursors = fields.List(fields.Dict(), required=True)
    scrap = fields.List(fields.Dict(), required=True)
    specific_embedded_emissions = fields.Dict(required=True)
    embedded_emissions = fields.Dict(required=True)
    indirect_emissions_for_information = fields.Dict(required=True)
    qualifying_parameters = fields.Dict(required=True)
    default_value_of_good = fields.Dict(allow_none=True)
    secondary_figures = fields.List(fields.Dict(), required=True)
    warnings = fields.List(fields.String(), required=True)


def _document(body: dict) -> dict:
    from flask import current_app

    from pcf.service.cbam import communication

    body = dict(body)
    product = body.pop("product")
    store = current_app.extensions["pcf"].store if body.get("company") else None
    return communication(product, store=store, **body)


@blp.route("/cbam", methods=["POST"])
@require_roles("engineer", "admin")
@blp.arguments(CbamRequestSchema)
@blp.response(200, CbamSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def post_cbam(body: dict):
    """CBAM specific embedded emissions of a good (definitive period), as JSON."""
    return json_response(_document(body))


@blp.route("/cbam.xlsx", methods=["POST"])
@require_roles("engineer", "admin")
@blp.arguments(CbamRequestSchema)
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX,
              description="The operator's communication as an Excel workbook.")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def post_cbam_xlsx(body: dict):
    """CBAM communication in the sheets of the Commission's template (.xlsx)."""
    from pcf.certificates.cbam_workbook import workbook

    return Response(workbook(_document(body)), status=200, mimetype=XLSX,
                    headers={"Content-Disposition": 'attachment; filename="cbam.xlsx"'})


PDF = "application/pdf"


class BatteryRequestSchema(_CompanyYearMixin, RequestSchema):
    """Request of the battery declaration endpoints. ``parameters`` holds the cell's
    parameters and the declaration settings vehicle_category, cycles_per_year, service_years,
    usable_share, plant_country and direct_connection."""

    product = Text(required=True, validate=validate.Length(min=1, max=100),
                   metadata={"example": "battery-cell-nmc811"})
    variant = Text(validate=validate.Length(min=1, max=100))
    parameters = _parameters_field()
    company = _company_field()
    year = _year_field()


class BatteryDeclarationSchema(ResponseSchema):
    """Battery carbon footprint declaration (see
    :func:`pcf.service.battery_declaration.declaration`)."""

    declaration = fields.String(required=True)
    rule_set = fields.Dict(required=True)
    battery_model = fields.Dict(required=True)
    manufacturing_plant = fields.Dict(required=True)
    functional_unit = fields.Dict(required=True)
    carbon_footprint = fields.Dict(required=True)
    life_cycle_stages = fields.List(fields.Dict(), required=True)
    electricity_modelling = fields.Dict(required=True)
    recycled_content_method = fields.String(required=True)
    performance_class = fields.String(allow_none=True)
    warnings = fields.List(fields.String(), required=True)


def _battery(body: dict) -> dict:
    from flask import current_app

    from pcf.service.battery_declaration import declaration

    store = current_app.extensions["pcf"].store if body.get("company") else None
    return declaration(body["product"], variant=body.get("variant"),
                       parameters=body.get("parameters") or None,
                       company=body.get("company"), year=body.get("year"), store=store)


@blp.route("/battery", methods=["POST"])
@require_roles("engineer", "admin")
@blp.arguments(BatteryRequestSchema)
@blp.response(200, BatteryDeclarationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def post_battery(body: dict):
    """EU battery carbon footprint declaration of a cell, as JSON."""
    return json_response(_battery(body))


@blp.route("/battery.pdf", methods=["POST"])
@require_roles("engineer", "admin")
@blp.arguments(BatteryRequestSchema)
@blp.response(200, {"type": "string", "format": "binary"}, content_type=PDF,
              description="The declaration as a PDF.")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def post_battery_pdf(body: dict):
    """EU battery carbon footprint declaration of a cell, as PDF."""
    from pcf.certificates.battery_declaration_pdf import pdf

    return Response(pdf(_battery(body)), status=200, mimetype=PDF,
                    headers={"Content-Disposition": 'attachment; filename="declaration.pdf"'})
