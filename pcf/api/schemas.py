"""Marshmallow schemas: the single description of every request and response payload.

Requests are loaded through these schemas (unknown fields are rejected, naming the allowed
ones); responses are the service's dicts, documented by these schemas in ``/openapi.json``,
and the test suite validates every response against that spec. Response schemas use
``unknown = INCLUDE`` so that the spec allows fields added later ("change only by adding").

Limits (also in the OpenAPI descriptions): request body 1 MiB (``MAX_CONTENT_LENGTH``),
5,000 lines per order, 20 cases and 50 sweep values per comparison, ids up to 128 characters,
quantities finite, > 0 and <= 1e15.
"""

from __future__ import annotations

import math

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

MAX_ORDER_LINES = 5000
"""Most lines in one ``POST /v1/orders`` (more is 422 on ``lines``)."""
MAX_CASES = 20
"""Most cases in one comparison."""
MAX_SWEEP_VALUES = 50
"""Most values in a comparison's parameter sweep."""
from pcf.config import MC_MAX_DRAWS as MAX_DRAWS  # noqa: E402 - one definition
from pcf.units import MAX_QUANTITY  # noqa: E402 - largest accepted quantity, one definition

ORDER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~:@+=-]{0,127}$"
"""Order ids: 1-128 characters, URL-safe without ``/`` (they appear in ``/v1/orders/{id}``);
matched against the whole string (:class:`FullMatch`), so a trailing newline is refused."""
from pcf.store.orders import DEFAULT_PAGE_LINES, MAX_PAGE_LINES  # noqa: E402


class FullMatch(validate.Regexp):
    r"""A :class:`marshmallow.validate.Regexp` that must match the whole value.

    ``re.match`` with ``$`` accepts a trailing newline (``"PO-1\n"``); ``fullmatch`` does
    not. The pattern (with its ``^...$``) is still what OpenAPI shows.
    """

    def __call__(self, value):
        """Return ``value`` if the whole of it matches, else raise ValidationError."""
        if self.regex.fullmatch(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


class Text(fields.String):
    """A string field that refuses lone surrogates, NUL and other control characters (an
    identifier, a name, a unit), with a message naming the field."""

    def _deserialize(self, value, attr, data, **kwargs):
        from pcf.text import text_problem

        out = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(out)
        if problem:
            raise ma.ValidationError(problem)
        return out


# --------------------------------------------------------------------------- base classes


class RequestSchema(ma.Schema):
    """Base of request schemas: unknown fields are an error that lists the allowed fields."""

    class Meta:
        unknown = ma.RAISE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ", ".join(f.data_key or name for name, f in self.load_fields.items())
        self.error_messages = {**self.error_messages,
                               "unknown": f"Unknown field. Allowed fields: {allowed}."}


class ResponseSchema(ma.Schema):
    """Base of response schemas (documentation; additional properties allowed)."""

    class Meta:
        unknown = ma.INCLUDE


class ParameterValue(fields.Field):
    """A product parameter value: a number, a string (choice), a boolean, or null (unset an
    optional number)."""

    default_error_messages = {
        "invalid": "Must be a number, a string or a boolean.",
        "non_finite": "Must be a finite number.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or isinstance(value, str):
            return value
        if isinstance(value, (int, float)):
            try:
                finite = math.isfinite(float(value))
            except OverflowError:  # an integer too large for a float
                finite = False
            if not finite:
                raise self.make_error("non_finite")
            return value
        raise self.make_error("invalid")

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def _parameters_field(**kwargs) -> fields.Dict:
    return fields.Dict(
        keys=Text(validate=validate.Length(min=1, max=100)),
        values=ParameterValue(allow_none=True, metadata={
            "type": ["number", "string", "boolean"]}),  # apispec adds "null"
        metadata={
            "description": "Parameter values by name (see GET /v1/products/{id}); they "
                           "override the variant's values. Out-of-range or unknown "
                           "parameters are 422 naming the allowed values.",
            "example": {"recycled_content": 0.5, "renewable_electricity_share": 0.2},
        },
        **kwargs,
    )


def _quantity_field(required: bool) -> fields.Float:
    return fields.Float(
        required=required,
        allow_nan=False,
        validate=validate.Range(min=0, min_inclusive=False, max=MAX_QUANTITY,
                                error="Must be a finite number > 0 and <= 1e15."),
        metadata={"description": "Amount in `unit`; finite, > 0, at most 1e15.",
                  "exclusiveMinimum": 0, "example": 20},
    )


def _unit_field(required: bool) -> fields.String:
    return Text(
        required=required,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "Unit of `quantity`; must convert to the product's declared "
                                 "unit (t, kg, g for kg products; kWh, MWh, Wh for cells).",
                  "example": "t"},
    )


_product_field_meta = {"description": "Product id (GET /v1/products).",
                       "example": "aluminium-coil"}
_variant_field_meta = {"description": "Variant name, e.g. `virgin` or `recycled`.",
                       "example": "recycled"}


# --------------------------------------------------------------------------- requests


def _company_field() -> fields.String:
    return Text(validate=validate.Length(min=1, max=100), metadata={
        "description": "Company id (databases/companies/): compute for this company and "
                       "`year`: its settings of that year and the stored supplier footprints "
                       "(POST /v1/supplier-footprints) replace the averages of the inputs they "
                       "cover. Needs `year`.", "example": "sunwoda"})


def _year_field() -> fields.Integer:
    return fields.Integer(validate=validate.Range(1990, 2100), metadata={
        "description": "Reporting year (with `company`).", "example": 2024})


class _CompanyYearMixin:
    @validates_schema
    def _company_and_year(self, data, **kwargs):
        if ("company" in data) != ("year" in data):
            missing = "year" if "company" in data else "company"
            raise ma.ValidationError({missing: ["company and year go together."]})


def _recycled_content_method_field() -> fields.Field:
    """``recycled_content_method``: cut-off (default) or cff (issue 20)."""
    from pcf.accounting.cff import RECYCLED_CONTENT_METHODS

    return Text(validate=validate.OneOf(list(RECYCLED_CONTENT_METHODS)), metadata={
        "description": "Recycled-content rule: cut-off (default) or the EU PEF Circular "
                       "Footprint Formula (cff)", "example": "cff"})


class UncertaintyRequestSchema(RequestSchema):
    """``uncertainty`` of a footprint or comparison request: Monte Carlo draws and seed."""

    draws = fields.Integer(required=True, strict=True,
                           validate=validate.Range(min=1, max=MAX_DRAWS),
                           metadata={"description": f"Monte Carlo draws, 1 to {MAX_DRAWS}.",
                                     "example": 10000})
    seed = fields.Integer(strict=True, validate=validate.Range(min=0, max=2**63 - 1),
                          metadata={"description": "Seed of the random numbers (default 0); "
                                                   "the same seed gives the same draws.",
                                    "example": 42})


def _uncertainty_field():
    return fields.Nested(UncertaintyRequestSchema, metadata={
        "description": "Monte Carlo uncertainty: {draws, seed}; adds `uncertainty` (mean, "
                       "median, 2.5/97.5 percentiles, sd, GSD of the total, parts and stages)."})


class FootprintRequestSchema(_CompanyYearMixin, RequestSchema):
    """Body of ``POST /v1/footprints``."""

    product = Text(required=True, validate=validate.Length(min=1, max=100),
                   metadata=_product_field_meta)
    variant = Text(allow_none=True, validate=validate.Length(min=1, max=100),
                   metadata=_variant_field_meta)
    parameters = _parameters_field()
    quantity = _quantity_field(required=False)
    unit = _unit_field(required=False)
    company = _company_field()
    year = _year_field()
    recycled_content_method = _recycled_content_method_field()
    uncertainty = _uncertainty_field()
    contributions = fields.Boolean(load_default=True, metadata={
        "description": "false: leave the `contributions` list out of the answer (a smaller "
                       "response; totals, stages and ratings unchanged). Default true.",
        "example": False})


class OrderLineRequestSchema(_CompanyYearMixin, RequestSchema):
    """One line of ``POST /v1/orders``."""

    line_id = Text(required=True, validate=validate.Length(min=1, max=128),
                   metadata={"description": "Unique within the order; no control "
                                            "characters.", "example": "10"})
    product = Text(required=True, validate=validate.Length(min=1, max=100),
                   metadata=_product_field_meta)
    variant = Text(allow_none=True, validate=validate.Length(min=1, max=100),
                   metadata=_variant_field_meta)
    parameters = _parameters_field()
    quantity = _quantity_field(required=True)
    unit = _unit_field(required=True)
    company = _company_field()
    year = _year_field()


class OrderRequestSchema(RequestSchema):
    """Body of ``POST /v1/orders``."""

    order_id = fields.String(
        required=True,
        validate=FullMatch(ORDER_ID_PATTERN,
                                 error="Must be 1-128 characters of A-Z a-z 0-9 . _ ~ : @ + = -"
                                       ", starting with a letter or digit."),
        metadata={"description": "Your order id; scoped to your tenant.",
                  "example": "PO-2025-0042"})
    lines = fields.List(
        fields.Nested(OrderLineRequestSchema), required=True,
        validate=validate.Length(min=1, max=MAX_ORDER_LINES,
                                 error=f"An order has 1 to {MAX_ORDER_LINES} lines."),
        metadata={"description": f"1 to {MAX_ORDER_LINES} lines with unique line_id."})

    def load(self, data, **kwargs):
        """Validate the order; a large one (more than 1,000 lines, ~90 ms for 5,000) on the
        worker's low-priority lane (:mod:`pcf.api.heavy`), not on the request thread."""
        from pcf.api.heavy import HEAVY_ORDER_LINES, run_heavy

        lines = data.get("lines") if isinstance(data, dict) else None
        if isinstance(lines, list) and len(lines) > HEAVY_ORDER_LINES:
            return run_heavy(super().load, data, **kwargs)
        return super().load(data, **kwargs)

    @validates_schema
    def _unique_line_ids(self, data, **kwargs):
        seen: dict[str, int] = {}
        errors: dict[int, dict] = {}
        for i, line in enumerate(data.get("lines") or []):
            lid = line.get("line_id")
            if lid in seen:
                errors[i] = {"line_id": [
                    f"Duplicate line_id {lid!r} (first at lines[{seen[lid]}])."]}
            else:
                seen[lid] = i
        if errors:
            raise ma.ValidationError({"lines": errors})


class OrderQuerySchema(RequestSchema):
    """Query of ``GET /v1/orders/{order_id}``."""

    tenant = Text(validate=validate.Length(min=1, max=200),
                  metadata={"description": "Admins only: read the order of this "
                                           "tenant instead of their own."})
    format = fields.String(validate=validate.OneOf(["json", "csv", "xlsx"]), metadata={
        "description": "json (default), csv or xlsx: the order as a scored spreadsheet, the "
                       "columns of `pcf orders score` (an Accept header of text/csv or the "
                       "xlsx media type does the same); a spreadsheet holds every line, "
                       "`offset` and `limit` page the lines of the json document only."})
    offset = fields.Integer(validate=validate.Range(min=0), load_default=0, metadata={
        "description": "First line of the page (0-based)."})
    limit = fields.Integer(validate=validate.Range(min=1, max=MAX_PAGE_LINES),
                           load_default=DEFAULT_PAGE_LINES, metadata={
                               "description": f"Lines per page (1-{MAX_PAGE_LINES}, default "
                                              f"{DEFAULT_PAGE_LINES})."})


class CaseSchema(RequestSchema):
    """One case of a comparison: a label and a variant and/or parameters."""

    label = Text(required=True, validate=validate.Length(min=1, max=100),
                 metadata={"example": "recycled, 50 % renewable"})
    variant = Text(allow_none=True, validate=validate.Length(min=1, max=100),
                   metadata=_variant_field_meta)
    parameters = _parameters_field()
    recycled_content_method = _recycled_content_method_field()


class SweepSchema(RequestSchema):
    """A sweep of one parameter over a list of values, applied to one case."""

    parameter = Text(required=True, validate=validate.Length(min=1, max=100),
                     metadata={"example": "recycled_content"})
    values = fields.List(ParameterValue(metadata={"type": ["number", "string", "boolean"]}),
                         required=True,
                         validate=validate.Length(min=1, max=MAX_SWEEP_VALUES),
                         metadata={"description": f"1 to {MAX_SWEEP_VALUES} values.",
                                   "example": [0, 0.25, 0.5, 0.75, 1]})
    case = Text(validate=validate.Length(min=1, max=100),
                metadata={"description": "Label of the case to sweep (default: the "
                                         "reference case)."})


class ComparisonRequestSchema(RequestSchema):
    """Body of ``POST /v1/comparisons``."""

    product = Text(required=True, validate=validate.Length(min=1, max=100),
                   metadata=_product_field_meta)
    cases = fields.List(fields.Nested(CaseSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_CASES),
                        metadata={"description": f"1 to {MAX_CASES} cases, unique labels."})
    uncertainty = _uncertainty_field()
    reference = Text(validate=validate.Length(min=1, max=100),
                     metadata={"description": "Label of the reference case "
                                              "(default: the first case)."})
    sweep = fields.Nested(SweepSchema)

    @validates_schema
    def _labels(self, data, **kwargs):
        labels = [c["label"] for c in data.get("cases") or []]
        dupes = sorted({lab for lab in labels if labels.count(lab) > 1})
        if dupes:
            raise ma.ValidationError({"cases": [f"Duplicate case label(s): {', '.join(dupes)}."]})
        ref = data.get("reference")
        if ref is not None and ref not in labels:
            raise ma.ValidationError(
                {"reference": [f"Not a case label. Allowed: {', '.join(labels)}."]})
        sweep = data.get("sweep")
        if sweep and sweep.get("case") is not None and sweep["case"] not in labels:
            raise ma.ValidationError(
                {"sweep": {"case": [f"Not a case label. Allowed: {', '.join(labels)}."]}})


# --------------------------------------------------------------------------- responses


class PartsSchema(ResponseSchema):
    """A footprint split by part, kg CO2e; ``total`` = fossil + biogenic + land_use."""

    total = fields.Float(required=True)
    fossil = fields.Float(required=True)
    biogenic = fields.Float(required=True)
    land_use = fields.Float(required=True)


class StageSchema(ResponseSchema):
    """Footprint of one life-cycle stage per declared unit."""

    stage = fields.String(required=True)
    kg_co2e_per_declared_unit = fields.Float(required=True)


class ContributionSchema(ResponseSchema):
    """Contribution of one input (exchange) to the footprint per declared unit."""

    input = fields.String(required=True)
    activity = fields.String(allow_none=True)
    kind = fields.String(allow_none=True, metadata={
        "enum": ["technosphere", "biosphere", "rule"],
        "description": "rule: an adjustment of the recycled-content rule (cff)"})
    stage = fields.String(allow_none=True)
    amount = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    kg_co2e_per_declared_unit = fields.Float(required=True)
    supplier_specific = fields.Boolean(metadata={
        "description": "Present (true) when the amount is a supplier-specific footprint "
                       "(primary data) entered through a parameter"})
    supplier_parameter = fields.String(metadata={
        "description": "That parameter, e.g. lithium_hydroxide_footprint"})
    supplier_input = fields.String(metadata={
        "description": "The replaceable input whose stored supplier figures it comes from"})


class DatabaseSchema(ResponseSchema):
    """Identity of the data and method a number was computed with."""

    version = fields.String(required=True, metadata={
        "description": "Changes when any input that can change a number changes."})
    built_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class FootprintSchema(ResponseSchema):
    """The Footprint (DESIGN.md): one JSON shape for CLI, API and certificates."""

    product = fields.String(required=True)
    variant = fields.String(allow_none=True, required=True)
    parameters = fields.Dict(required=True, metadata={
        "description": "Every parameter, resolved (defaults, variant, overrides)."})
    declared_unit = fields.String(required=True)
    quantity = fields.Float(required=True)
    quantity_unit = fields.String(required=True)
    quantity_in_declared_unit = fields.Float(metadata={
        "description": "`quantity` converted to the declared unit"})
    per_declared_unit = fields.Nested(PartsSchema, required=True,
                                      metadata={"description": "kg CO2e per declared unit"})
    total = fields.Nested(PartsSchema, required=True,
                          metadata={"description": "kg CO2e for `quantity`"})
    stages = fields.List(fields.Nested(StageSchema), required=True)
    contributions = fields.List(fields.Nested(ContributionSchema), metadata={
        "description": "kg CO2e per declared unit by first-tier input; left out when the "
                       "request sets `contributions: false`"})
    method = fields.Dict(required=True)
    database = fields.Nested(DatabaseSchema, required=True)
    boundary = fields.String(required=True, metadata={"example": "cradle-to-gate"})
    recycled_content_method = fields.String(required=True, metadata={"example": "cut-off"})
    electricity_accounting = fields.String(required=True,
                                           metadata={"example": "location-based"})
    warnings = fields.List(fields.String(), metadata={
        "description": "Caveats about the data used (e.g. a combustion-only grid factor)"})
    primary_data = fields.Dict(metadata={
        "description": "Primary data share (PACT primaryDataShare): {percent, "
                       "kgCO2ePerDeclaredUnit, parameters, basis}; supplier-specific figures "
                       "are primary data"})
    supplier_specific_inputs = fields.List(fields.Dict(), metadata={
        "description": "Replaceable inputs covered by a supplier figure: {input, "
                       "kg_per_declared_unit, unit, parameter, share_parameter}"})
    company = fields.Dict(metadata={
        "description": "With company and year: {id, name, year, settings, settings_year}"})
    supplier_footprints = fields.List(fields.Dict(), metadata={
        "description": "With company and year: per covered input {input, covered_share, "
                       "kg_co2e_per_kg, kg_per_declared_unit, kg_co2e_per_declared_unit, "
                       "parameters, records}"})
    supply_mix = fields.List(fields.Dict(), metadata={
        "description": "With company and year whose data store a purchased-material mix: "
                       "per line {label, share, origin, parameters (the line's own), "
                       "resolved_parameters, per_declared_unit (kg CO2e), stages}; every "
                       "linear figure of the footprint is the share-weighted mix of the lines'"})
    uncertainty = fields.Dict(metadata={
        "description": "With `uncertainty` in the request: {draws, seed, method, "
                       "per_declared_unit: {part: {mean, median, p2_5, p97_5, sd, gsd}}, "
                       "total: {...}, stages: [{stage, mean, ...}]} in kg CO2e"})


class ParameterSpecSchema(ResponseSchema):
    """A product parameter: type, unit, default, range or choices, source."""

    name = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["number", "choice", "boolean"]})
    unit = fields.String(allow_none=True)
    default = fields.Raw(allow_none=True)
    min = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    choices = fields.List(fields.String(), allow_none=True)
    optional = fields.Boolean()
    description = fields.String(allow_none=True)
    source = fields.String(allow_none=True)


class ProductSchema(ResponseSchema):
    """A product system with its parameters and variants."""

    id = fields.String(required=True)
    name = fields.String(required=True)
    declared_unit = fields.String(required=True)
    description = fields.String(allow_none=True)
    stages = fields.List(fields.String(), metadata={"description": "Life-cycle stages, in order."})
    recycled_content_method = fields.String(metadata={"example": "cut-off"})
    parameters = fields.List(fields.Nested(ParameterSpecSchema), required=True)
    variants = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)


class ProductListSchema(ResponseSchema):
    """``GET /v1/products``."""

    products = fields.List(fields.Nested(ProductSchema), required=True)


class OrderLineResultSchema(ResponseSchema):
    """A scored order line."""

    line_id = fields.String(required=True)
    footprint = fields.Nested(FootprintSchema, required=True)


class LinesPageSchema(ResponseSchema):
    """Which lines of the order this document holds."""

    offset = fields.Integer(required=True, metadata={"description": "First line (0-based)."})
    limit = fields.Integer(required=True)
    returned = fields.Integer(required=True, metadata={"description": "Lines in `lines`."})
    next_offset = fields.Integer(allow_none=True, required=True, metadata={
        "description": "Offset of the next page; null on the last page."})
    next = fields.String(allow_none=True, metadata={
        "description": "URL of the next page (also in the `Link` header, rel=next)."})


class OrderSchema(ResponseSchema):
    """A stored order: a Footprint per line (one page of lines) and the order total."""

    order_id = fields.String(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    database = fields.Nested(DatabaseSchema, required=True)
    line_count = fields.Integer(required=True, metadata={
        "description": "Lines of the whole order (`lines` holds one page of them)."})
    total = fields.Nested(PartsSchema, required=True, metadata={
        "description": "Sum of the lines' totals, kg CO2e (the whole order)."})
    lines = fields.List(fields.Nested(OrderLineResultSchema), required=True, metadata={
        "description": f"One page of lines, in order (at most {DEFAULT_PAGE_LINES} unless "
                       "`limit` says otherwise); see `lines_page`."})
    lines_page = fields.Nested(LinesPageSchema, metadata={
        "description": "Which lines `lines` holds; follow `next` for the rest."})


class OrderJobSchema(ResponseSchema):
    """An order being scored off the request path (``Prefer: respond-async``)."""

    job_id = fields.String(required=True)
    status = fields.String(required=True,
                           metadata={"enum": ["queued", "running", "done", "failed"]})
    order_id = fields.String(required=True)
    line_count = fields.Integer(required=True)
    attempts = fields.Integer(required=True)
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class KeySchema(ResponseSchema):
    """An API key as listed: its prefix (never the key), status and dates."""

    prefix = fields.String(required=True, metadata={"example": "pcf_AbCdEfGh"})
    status = fields.String(required=True, metadata={"enum": ["active", "expired", "revoked"]})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    expires_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    revoked_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    last_used_at = fields.String(allow_none=True, metadata={
        "format": "date-time", "description": "To the minute."})


class KeyListSchema(ResponseSchema):
    """``GET /v1/tenants/{name}/keys``."""

    tenant = fields.String(required=True)
    keys = fields.List(fields.Nested(KeySchema), required=True)


class NewKeyRequestSchema(RequestSchema):
    """Body of ``POST /v1/tenants/{name}/keys`` (optional expiry)."""

    expires_in_days = fields.Float(validate=validate.Range(min=0, min_inclusive=False,
                                                           max=36500),
                                   metadata={"description": "The key stops working after "
                                                            "this many days."})
    expires_at = fields.AwareDateTime(metadata={"description": "Or at this time."})


class NewKeySchema(ResponseSchema):
    """A new API key: shown once."""

    tenant = fields.String(required=True)
    api_key = fields.String(required=True, metadata={"description": "Shown once; store it."})
    prefix = fields.String(required=True)
    expires_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class TenantLimitsRequestSchema(RequestSchema):
    """Body of ``PATCH /v1/tenants/{name}``: limits set by an admin (null: server default)."""

    rate_limit = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={
        "description": "Requests per tenant, e.g. `120/minute` or `10/second;600/hour`; "
                       "`none` for no limit; null for the server default.",
        "example": "120/minute"})
    daily_order_lines = fields.Integer(allow_none=True, validate=validate.Range(min=0),
                                       metadata={"description": "Order lines per UTC day; 0 "
                                                                "for no quota; null for the "
                                                                "server default.",
                                                 "example": 100000})


class TenantSchema(ResponseSchema):
    """A tenant with the limits that apply to it and today's usage."""

    name = fields.String(required=True)
    role = fields.String(required=True)
    created_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    limits = fields.Dict(required=True, metadata={
        "description": "rate_limit, daily_order_lines (own or default), "
                       "order_lines_used_today, max_pending_jobs."})


class DifferenceSchema(ResponseSchema):
    """Difference of a case to the reference case, per declared unit."""

    absolute = fields.Float(required=True, metadata={
        "description": "case - reference, kg CO2e per declared unit"})
    relative = fields.Float(allow_none=True, required=True, metadata={
        "description": "(case - reference) / reference; null when the reference is 0"})


class CaseResultSchema(ResponseSchema):
    """One case of a comparison with its footprint and difference to the reference."""

    label = fields.String(required=True)
    is_reference = fields.Boolean(required=True)
    footprint = fields.Nested(FootprintSchema, required=True)
    difference = fields.Nested(DifferenceSchema, required=True)
    uncertainty = fields.Dict(metadata={
        "description": "With `uncertainty` in the request: {probability_below_reference "
                       "(share of the common draws in which this case is below the reference; "
                       "null for the reference), difference: {mean, median, p2_5, p97_5, sd}}"})


class SweepPointSchema(ResponseSchema):
    """One value of a sweep."""

    value = fields.Raw(required=True)
    per_declared_unit = fields.Nested(PartsSchema, required=True)
    stages = fields.List(fields.Nested(StageSchema), required=True)
    difference = fields.Nested(DifferenceSchema, required=True)


class SweepResultSchema(ResponseSchema):
    """Result of a parameter sweep."""

    parameter = fields.String(required=True)
    case = fields.String(required=True)
    points = fields.List(fields.Nested(SweepPointSchema), required=True)


class ComparisonSchema(ResponseSchema):
    """``POST /v1/comparisons``: cases side by side."""

    product = fields.String(required=True)
    declared_unit = fields.String(required=True)
    reference = fields.String(required=True)
    cases = fields.List(fields.Nested(CaseResultSchema), required=True)
    sweep = fields.Nested(SweepResultSchema, allow_none=True)


class HealthSchema(ResponseSchema):
    """``GET /health``."""

    status = fields.String(required=True, metadata={"enum": ["ok"]})
    version = fields.String(required=True)
    store = fields.String(required=True)


class ProblemSchema(ResponseSchema):
    """An RFC 9457 problem (``application/problem+json``)."""

    type = fields.String(required=True, metadata={"example": "urn:pcf:problem:invalid-input"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Messages per field path, e.g. "
                                                  "`lines[3].quantity`."})
    allowed = fields.Dict(keys=fields.String(), values=fields.Raw(),
                          metadata={"description": "Allowed values per field path."})
    check = fields.String(metadata={
        "description": "A rejected supplier footprint: the check it failed (format, unit, "
                       "boundary, expiry, gwp, status, share, signature, untrusted-key, "
                       "consistency, workbook)."})


class OrderListQuerySchema(RequestSchema):
    """Query of ``GET /v1/orders``."""

    limit = fields.Integer(validate=validate.Range(min=1, max=500), metadata={
        "description": "Page size, 1 to 500 (default 50).", "example": 50})
    cursor = Text(validate=validate.Length(min=1, max=200), metadata={
        "description": "`next_cursor` of the previous page (also in its `Link` header)."})
    tenant = Text(validate=validate.Length(min=1, max=200), metadata={
        "description": "Admins only: list this tenant's orders instead of their own."})


class OrderSummarySchema(ResponseSchema):
    """One stored order in a list (no lines)."""

    order_id = fields.String(required=True, metadata={"example": "PO-2025-0042"})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    line_count = fields.Integer(required=True, metadata={"example": 2})
    total = fields.Nested(PartsSchema, required=True, metadata={
        "description": "Sum of the lines' totals, kg CO2e."})
    database = fields.Nested(DatabaseSchema, required=True)


class OrderListSchema(ResponseSchema):
    """``GET /v1/orders``: one page of orders, newest first."""

    orders = fields.List(fields.Nested(OrderSummarySchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True, metadata={
        "description": "Cursor of the next page; null on the last page."})
