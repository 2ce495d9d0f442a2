"""``/v1/supplier-footprints``: supplier-specific footprints that replace averages (issue 15).

- ``POST /v1/supplier-footprints {company, year, input, share?, document}``: ``document`` is a
  supplier's PACT v3 ``ProductFootprint`` or a pcf certificate file (its Ed25519 signature
  checked against the supplier keys registered with ``pcf suppliers trust``). 201 with the
  stored record; 200 with the stored one when the same document was stored before for the
  same company, year and input; 422 (``check`` names the failed check: ``unit``,
  ``boundary``, ``expiry``, ``gwp``, ``status``, ``share``, ``signature``, ``untrusted-key``,
  ``consistency``, ``format``) and 409 (shares over 1) store nothing.
- ``GET /v1/supplier-footprints[?company=&year=&input=]``, ``GET .../{id}``,
  ``DELETE .../{id}``.

Roles: engineer and admin (a company's purchasing data). Using them is open to every role:
``POST /v1/footprints`` and order lines with ``company`` and ``year``. The questionnaire and
pulls from a supplier's PACT host are in the CLI (``pcf suppliers``). The service is
:mod:`pcf.service.suppliers`.
"""

from __future__ import annotations

from flask import current_app
from marshmallow import fields, validate

from pcf.api.auth import current_tenant, require_roles
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import RequestSchema, ResponseSchema
from pcf.supplier_inputs import INPUTS

blp = Blueprint("supplier-footprints", __name__, url_prefix="/v1/supplier-footprints",
                description="Supplier-specific footprints (PACT v3 ProductFootprints or pcf "
                            "certificates) that replace average inputs for a company and "
                            "reporting year.")

ROLES = ("engineer", "admin")


def _store():
    return current_app.extensions["pcf"].store


class SupplierFootprintRequestSchema(RequestSchema):
    """Body of ``POST /v1/supplier-footprints``."""

    company = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "Company id (databases/companies/) whose footprints it is for",
        "example": "sunwoda"})
    year = fields.Integer(required=True, validate=validate.Range(1990, 2100), metadata={
        "description": "Reporting year it applies to", "example": 2024})
    input = fields.String(required=True, validate=validate.OneOf(sorted(INPUTS)), metadata={
        "description": "The input it replaces", "example": "lithium-hydroxide"})
    share = fields.Float(validate=validate.Range(min=0, max=1, min_inclusive=False),
                         metadata={"description": "Share of the company's purchases of the "
                                                  "input it covers (default 1); the shares "
                                                  "of one company, year and input add up to "
                                                  "at most 1", "example": 0.6})
    document = fields.Dict(required=True, metadata={
        "description": "A PACT v3 ProductFootprint, or a pcf certificate file {document, "
                       "sha256, signature}"})


class QuerySchema(RequestSchema):
    """Query of the list."""

    company = fields.String(validate=validate.Length(min=1, max=100))
    year = fields.Integer(validate=validate.Range(1990, 2100))
    input = fields.String(validate=validate.OneOf(sorted(INPUTS)))


class SupplierFootprintSchema(ResponseSchema):
    """A stored supplier figure."""

    id = fields.String(required=True)
    company = fields.String(required=True)
    year = fields.Integer(required=True)
    input = fields.String(required=True)
    supplier = fields.String(required=True)
    share = fields.Float(required=True)
    kg_co2e_per_kg = fields.Dict(required=True, metadata={
        "description": "{total, fossil, biogenic, land_use}, kg CO2e per kg"})
    boundary = fields.String(required=True)
    reference_period = fields.Dict(required=True)
    valid_until = fields.String(required=True)
    primary_data_share = fields.Float(allow_none=True, required=True)
    verification = fields.Dict(required=True, metadata={
        "description": "status: signature-verified (pcf certificate, trusted key), "
                       "third-party, pact-host (pulled over HTTPS), supplier-declared"})
    way_in = fields.String(required=True, metadata={
        "enum": ["pact-json", "pcf-certificate", "questionnaire", "pact-pull"]})
    origin = fields.Dict(allow_none=True)
    flags = fields.List(fields.String(), required=True)
    source_sha256 = fields.String(required=True)
    created_at = fields.String(required=True)
    created_by = fields.String(required=True)


class SupplierFootprintListSchema(ResponseSchema):
    """Stored supplier figures."""

    supplier_footprints = fields.List(fields.Nested(SupplierFootprintSchema), required=True)


@blp.route("", methods=["POST"])
@require_roles(*ROLES)
@blp.arguments(SupplierFootprintRequestSchema)
@blp.response(201, SupplierFootprintSchema, description="Stored.")
@blp.alt_response(200, schema=SupplierFootprintSchema, success=True,
                  description="The same document was stored before for this company, year "
                              "and input: the stored record.")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create(args: dict):
    """Store a supplier's footprint for a company and reporting year.

    Checked before anything is stored: per kg (the input's unit), cradle-to-gate, IPCC AR6,
    Active, not expired (validity, or reference period + 3 years) and not older than 3 years
    before the reporting year, a pcf certificate's signature against a trusted key. A refusal
    names the check (`check`) and the field.
    """
    from pcf.service.suppliers import import_document

    result = import_document(_store(), args["document"], company=args["company"],
                             year=args["year"], input_id=args["input"], share=args.get("share"),
                             source_name="POST /v1/supplier-footprints",
                             created_by=current_tenant().name)
    if result["stored"]:
        record = result["stored"][0]
        return json_response(record, 201,
                             {"Location": f"/v1/supplier-footprints/{record['id']}"})
    return json_response(result["already_stored"][0], 200)


@blp.route("", methods=["GET"])
@require_roles(*ROLES)
@blp.arguments(QuerySchema, location="query")
@blp.response(200, SupplierFootprintListSchema)
@blp.alt_response(403, response="FORBIDDEN")
def list_(query: dict):
    """Stored supplier footprints, optionally of one company, year and input."""
    from pcf.service.suppliers import list_footprints

    return json_response({"supplier_footprints": list_footprints(
        _store(), query.get("company"), query.get("year"), query.get("input"))})


@blp.route("/<string:record_id>", methods=["GET"])
@require_roles(*ROLES)
@blp.response(200, SupplierFootprintSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get(record_id: str):
    """One stored supplier footprint."""
    from pcf.service.suppliers import get_footprint

    return json_response(get_footprint(_store(), record_id))


@blp.route("/<string:record_id>", methods=["DELETE"])
@require_roles(*ROLES)
@blp.response(200, SupplierFootprintSchema, description="Removed: the record as it was.")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def delete(record_id: str):
    """Remove a stored supplier footprint (stored by mistake); footprints computed later no
    longer use it."""
    from pcf.service.suppliers import remove_footprint

    return json_response(remove_footprint(_store(), record_id))
