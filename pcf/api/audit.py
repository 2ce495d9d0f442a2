"""``GET /v1/products/{product_id}/audit`` (JSON) and ``/audit.md`` (Markdown): the audit of a
footprint, what a reviewer or a customer's auditor reads (issue 16).

Query: ``variant`` and repeated ``set=NAME=VALUE`` (parameter values over the variant's). Any
authenticated role. The document is :func:`pcf.service.audit.audit`; the Markdown is
:func:`pcf.service.audit.render_markdown` of it.
"""

from __future__ import annotations

from flask import Response
from marshmallow import fields, validate

from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import RequestSchema, ResponseSchema
from pcf.errors import InvalidInput

blp = Blueprint("audit", __name__, url_prefix="/v1/products",
                description="The audit of a product footprint: published ranges, mass "
                            "balance, assumption share, GWP basis, other rules, levers, "
                            "company checks, flags.")


class AuditQuerySchema(RequestSchema):
    """Query of the audit endpoints."""

    variant = fields.String(validate=validate.Length(min=1, max=100),
                            metadata={"description": "Variant (named parameter set)",
                                      "example": "recycled"})
    set = fields.List(fields.String(validate=validate.Length(min=3, max=200)), metadata={
        "description": "Parameter value NAME=VALUE over the variant's; repeat for several",
        "example": ["coating_mass=0.02"]})


class FlagSchema(ResponseSchema):
    """One flag raised by the audit."""

    code = fields.String(required=True)
    severity = fields.String(required=True, metadata={"description": "info or warning"})
    message = fields.String(required=True)


class AuditSchema(ResponseSchema):
    """Audit document (see :func:`pcf.service.audit.audit`); kg CO2e per declared unit."""

    product = fields.String(required=True)
    variant = fields.String(allow_none=True)
    parameters = fields.Dict(required=True)
    declared_unit = fields.String(required=True)
    result = fields.Dict(required=True)
    gwp_basis = fields.Dict(required=True, metadata={
        "description": "Share of the total characterized with IPCC AR6 vs other GWP sets"})
    published_ranges = fields.List(fields.Dict(), required=True)
    mass_balance = fields.Dict(allow_none=True)
    assumptions = fields.Dict(required=True)
    alternatives = fields.List(fields.Dict())
    levers = fields.List(fields.Dict())
    companies = fields.List(fields.Dict())
    flags = fields.List(fields.Nested(FlagSchema), required=True)


def query_parameters(query: dict) -> dict[str, str] | None:
    """Parameters from a query's repeated ``set=NAME=VALUE`` (audit, sensitivity).

    Returns
    -------
    dict or None
        ``{name: value as text}`` (the product model converts and checks them), or None.

    Raises
    ------
    InvalidInput
        An item without ``=`` (field ``set``).
    """
    parameters = {}
    for item in query.get("set") or []:
        if "=" not in item:
            raise InvalidInput(f"set {item!r} must look like NAME=VALUE", field="set")
        name, value = item.split("=", 1)
        parameters[name.strip()] = value.strip()
    return parameters or None


def _document(product_id: str, query: dict) -> dict:
    from pcf.service.audit import audit

    return audit(product_id, variant=query.get("variant"), parameters=query_parameters(query))


@blp.route("/<product_id>/audit", methods=["GET"])
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_audit(query: dict, product_id: str):
    """Audit of a footprint as JSON: ranges, mass balance, assumptions, GWP basis, flags."""
    return json_response(_document(product_id, query))


@blp.route("/<product_id>/audit.md", methods=["GET"])
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, {"type": "string"}, content_type="text/markdown",
              description="The audit as Markdown (text/markdown).")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def get_audit_markdown(query: dict, product_id: str):
    """Audit of a footprint as Markdown, for people."""
    from pcf.service.audit import render_markdown

    body = render_markdown(_document(product_id, query))
    return Response(body, status=200, mimetype="text/markdown")
