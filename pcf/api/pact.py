"""The PACT v3 host endpoints: ``POST /auth/token``, ``GET /3/footprints``,
``GET /3/footprints/{id}``, ``POST /3/events``, ``GET /.well-known/openid-configuration``.

Thin views over :mod:`pcf.service.pact`. These endpoints follow the PACT Technical
Specifications v3 rather than pcf's own conventions:

- errors are PACT's ``{"code", "message"}`` (``application/json``): 400 ``BadRequest``,
  401 ``BadRequest`` (invalid token) or ``TokenExpired``, 403 ``AccessDenied``, 404
  ``NotFound``, 500 ``InternalError``; the token endpoint answers OAuth 2.0 errors
  (``{"error": "invalid_client", "error_description"}``, RFC 6749 section 5.2);
- they are served over HTTPS only (``pcf serve --certfile --keyfile``, or a reverse proxy
  that terminates TLS and says so with ``X-Forwarded-Proto: https`` from an address gunicorn
  trusts): a plain HTTP request is refused with 403 ``AccessDenied``, except under
  ``pcf serve --dev``;
- they are not in ``/openapi.json`` (that document describes pcf's own API): the PACT OpenAPI
  (``spec/v3/openapi.yaml`` of the PACT Technical Specifications) is their reference.

Client credentials: the client id is a tenant name, the secret one of its API keys.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from urllib.parse import unquote_plus

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException

from pcf import errors
from pcf.api.urls import dev_mode, public_base_url

blp = Blueprint("pact", __name__)

log = logging.getLogger("pcf.api")

PACT_ERRORS: tuple[tuple[type[errors.PcfError], int, str], ...] = (
    (errors.TokenExpired, 401, "TokenExpired"),
    (errors.AuthenticationFailed, 401, "BadRequest"),
    (errors.NotPermitted, 403, "AccessDenied"),
    (errors.UnknownResource, 404, "NotFound"),
    (errors.InvalidInput, 400, "BadRequest"),
    (errors.StateConflict, 400, "BadRequest"),
    (errors.NotConfigured, 500, "InternalError"),
    (errors.ProjectNotReady, 500, "InternalError"),
    (errors.StoreUnavailable, 500, "InternalError"),
    (errors.PcfError, 400, "BadRequest"),
)
"""Domain error -> (HTTP status, PACT error code); the first match wins."""

EVENT_MEDIA_TYPES = ("application/cloudevents+json", "application/json")


class PactProblem(Exception):
    """Raise in a PACT view to answer ``{"code", "message"}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def pact_error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    """A PACT error response."""
    resp = Response(json.dumps({"code": code, "message": message}, ensure_ascii=False),
                    status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _oauth_error(status: int, error: str, description: str) -> Response:
    resp = Response(json.dumps({"error": error, "error_description": description}),
                    status=status, mimetype="application/json")
    resp.headers["Cache-Control"] = "no-store"
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Basic realm="pcf"'
    return resp


def _json(obj, status: int = 200, headers: dict | None = None) -> Response:
    resp = Response(json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
                    status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def _store():
    return current_app.extensions["pcf"].store


# --------------------------------------------------------------------------- errors


@blp.errorhandler(PactProblem)
def _handle_problem(error: PactProblem) -> Response:
    return pact_error(error.status, error.code, error.message, error.headers)


@blp.errorhandler(errors.PcfError)
def _handle_pcf_error(error: errors.PcfError) -> Response:
    for cls, status, code in PACT_ERRORS:
        if isinstance(error, cls):
            if status >= 500:
                log.error("PACT %s %s: %s", request.method, request.path, error)
            headers = {}
            if status == 401:
                headers["WWW-Authenticate"] = 'Bearer realm="pcf", error="invalid_token"'
            return pact_error(status, code, str(error), headers)
    return pact_error(400, "BadRequest", str(error))  # pragma: no cover - PcfError row


@blp.errorhandler(HTTPException)
def _handle_http(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return pact_error(500, "InternalError", "An internal error occurred.")
    code = {401: "BadRequest", 403: "AccessDenied", 404: "NotFound"}.get(status, "BadRequest")
    return pact_error(status, code, error.description or error.name)


@blp.errorhandler(Exception)
def _handle_unexpected(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return _handle_http(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return pact_error(500, "InternalError", "An internal error occurred; it has been logged.")


# --------------------------------------------------------------------------- TLS and tokens


@blp.before_request
def _require_tls():
    if request.is_secure or dev_mode():
        return None
    message = ("PACT endpoints are served over HTTPS only (run 'pcf serve --certfile F "
               "--keyfile F', or behind a TLS reverse proxy)")
    if request.path == "/auth/token":
        return _oauth_error(400, "invalid_request", message)
    return pact_error(403, "AccessDenied", message)


def _tenant():
    from pcf.service.pact import authenticate

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise PactProblem(401, "BadRequest", "send 'Authorization: Bearer <access token>' "
                                             "(POST /auth/token gives one)",
                          {"WWW-Authenticate": 'Bearer realm="pcf"'})
    return authenticate(_store(), token.strip())


# --------------------------------------------------------------------------- routes


def _client_credentials() -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, sep, secret = decoded.partition(":")
        if not sep:
            return None, None
        # RFC 6749 section 2.3.1: both parts are form-urlencoded before Basic encoding
        return unquote_plus(client_id), unquote_plus(secret)
    return request.form.get("client_id"), request.form.get("client_secret")


@blp.route("/auth/token", methods=["POST"])
def token():
    """OAuth 2.0 client credentials grant (RFC 6749 section 4.4): an access token."""
    from pcf.service.pact import issue_token

    if request.mimetype != "application/x-www-form-urlencoded":
        return _oauth_error(400, "invalid_request", "send the body as "
                                                    "application/x-www-form-urlencoded")
    grant = request.form.get("grant_type")
    if grant != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type" if grant else "invalid_request",
                            "grant_type must be client_credentials")
    client_id, secret = _client_credentials()
    if not client_id or not secret:
        return _oauth_error(401, "invalid_client", "client authentication failed")
    try:
        answer = issue_token(_store(), client_id, secret)
    except errors.AuthenticationFailed:
        return _oauth_error(401, "invalid_client", "client authentication failed")
    return _json(answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@blp.route("/.well-known/openid-configuration", methods=["GET"])
def openid_configuration():
    """OpenID Provider metadata naming the token endpoint (PACT 2.1+ discovery)."""
    base = public_base_url()
    return _json({"issuer": base, "token_endpoint": f"{base}/auth/token",
                  "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                            "client_secret_post"],
                  "grant_types_supported": ["client_credentials"],
                  "response_types_supported": ["token"],
                  "subject_types_supported": ["public"],
                  "id_token_signing_alg_values_supported": ["none"],
                  "jwks_uri": f"{base}/.well-known/jwks.json"})


@blp.route("/.well-known/jwks.json", methods=["GET"])
def jwks():
    """No public keys: access tokens are checked by this host only (HS256)."""
    return _json({"keys": []})


@blp.route("/3/footprints", methods=["GET"])
def list_footprints():
    """ListFootprints: the footprints shared with the caller, filtered, one page."""
    from pcf.pact.host import next_link
    from pcf.service.pact import list_footprints as service_list

    tenant = _tenant()
    query = {name: request.args.getlist(name) for name in request.args}
    page, criteria, limit, following = service_list(_store(), tenant, query)
    headers = {}
    if following is not None:
        headers["Link"] = next_link(public_base_url(), criteria.raw, limit, following)
    return _json({"data": page}, headers=headers)


@blp.route("/3/footprints/<pf_id>", methods=["GET"])
def get_footprint(pf_id: str):
    """GetFootprint."""
    from pcf.service.pact import get_footprint as service_get

    return _json({"data": service_get(_store(), _tenant(), pf_id)})


@blp.route("/3/events", methods=["POST"])
def receive_event():
    """Action Events: a CloudEvent; 200 with an empty body when accepted."""
    from pcf.service.pact import receive_event as service_receive

    tenant = _tenant()
    if request.mimetype not in EVENT_MEDIA_TYPES:
        raise PactProblem(400, "BadRequest", "send the event as application/cloudevents+json")
    try:
        body = json.loads(request.get_data(cache=False).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PactProblem(400, "BadRequest", "the body is not JSON") from None
    result = service_receive(_store(), tenant, body)
    if result["new"] and result["type"] == "RequestCreatedEvent":
        worker = getattr(current_app.extensions["pcf"], "pact_worker", None)
        if worker is not None:
            worker.wake()
    return Response(b"", status=200)


__all__ = ["blp", "pact_error", "PACT_ERRORS"]
