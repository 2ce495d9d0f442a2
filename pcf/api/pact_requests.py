"""``/v1/pact``: the state of PACT requests and the events a tenant sent (with an API key).

``GET /v1/pact/requests`` lists the RequestCreatedEvents the caller's tenant sent to
``POST /3/events`` (admins: every tenant's), newest first, each with its answer
(``fulfilled`` with the footprint ids, or ``rejected`` with the PACT error) and the delivery
of that answer: ``state`` (``received``, ``fulfilled``/``rejected`` = answer built, not yet
delivered, ``delivered``, ``abandoned``), ``attempts``, ``next_attempt_at``, ``last_error``.
``GET /v1/pact/events`` lists every event received (PublishedEvent, answers to requests).
"""

from __future__ import annotations

from flask import current_app
from marshmallow import fields, validate

from pcf.api.auth import current_tenant
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import RequestSchema, ResponseSchema

blp = Blueprint("pact-status", __name__, url_prefix="/v1/pact",
                description="State of PACT requests and received PACT events (the PACT "
                            "endpoints themselves are /auth/token and /3/...).")


class ListQuerySchema(RequestSchema):
    """Query of the lists."""

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class PactRequestSchema(ResponseSchema):
    """A RequestCreatedEvent received, its answer and the answer's delivery."""

    id = fields.Integer(required=True)
    tenant = fields.String(required=True)
    request_event_id = fields.String(required=True)
    received_at = fields.String(required=True, metadata={"format": "date-time"})
    criteria = fields.Dict(required=True)
    state = fields.String(required=True, metadata={"enum": [
        "received", "fulfilled", "rejected", "delivered", "abandoned"]})
    answer = fields.Dict(allow_none=True, required=True, metadata={
        "description": "{type: RequestFulfilledEvent|RequestRejectedEvent, event_id, "
                       "footprints: [ids], error: {code, message}}"})
    certificate_ids = fields.List(fields.String(), required=True)
    callback_url = fields.String(required=True)
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.String(allow_none=True, required=True)
    last_error = fields.String(allow_none=True, required=True)
    delivered_at = fields.String(allow_none=True, required=True)


class PactRequestListSchema(ResponseSchema):
    """Requests, newest first."""

    requests = fields.List(fields.Nested(PactRequestSchema), required=True)


class PactEventSchema(ResponseSchema):
    """An event received at POST /3/events."""

    id = fields.Integer(required=True)
    tenant = fields.String(required=True)
    type = fields.String(required=True)
    event_id = fields.String(required=True)
    source = fields.String(required=True)
    received_at = fields.String(required=True)
    body = fields.Dict(required=True)


class PactEventListSchema(ResponseSchema):
    """Events, newest first."""

    events = fields.List(fields.Nested(PactEventSchema), required=True)


def _store():
    return current_app.extensions["pcf"].store


@blp.route("/requests", methods=["GET"])
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, PactRequestListSchema)
def list_requests(query: dict):
    """Your tenant's PACT requests (admins: all), newest first, with their delivery state."""
    from pcf.service.pact import list_requests as service_list

    return json_response({"requests": service_list(_store(), current_tenant(),
                                                   query["limit"])})


@blp.route("/requests/<int:request_id>", methods=["GET"])
@blp.response(200, PactRequestSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_request(request_id: int):
    """One PACT request (yours, or any for admins)."""
    from pcf.service.pact import get_request as service_get

    return json_response(service_get(_store(), current_tenant(), request_id))


@blp.route("/events", methods=["GET"])
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, PactEventListSchema)
def list_events(query: dict):
    """Events your tenant sent to POST /3/events (admins: all), newest first."""
    from pcf.service.pact import received_events

    return json_response({"events": received_events(_store(), current_tenant(),
                                                    query["limit"])})


__all__ = ["blp"]
