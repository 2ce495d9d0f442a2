"""Errors as ``application/problem+json`` (RFC 9457).

Every 4xx/5xx answer of the API has the media type ``application/problem+json`` and the body::

    {"type": "urn:pcf:problem:invalid-input",   # stable identifier of the kind of problem
     "title": "Invalid input",                   # short, same for every problem of this type
     "status": 422,
     "detail": "2 invalid field(s): lines[3].quantity: Must be greater than 0. ...",
     "instance": "/v1/orders",                   # the request path
     "errors": {"lines[3].quantity": ["Must be greater than 0."]},   # per field, when known
     "allowed": {"variant": ["virgin", "recycled"]}}                  # when known

Field paths are dotted, with ``[i]`` for list items: ``lines[3].parameters.recycled_content``.
HTTP errors without a more specific type (404 of an unknown route, 405) use ``about:blank``.

Status codes: 400 malformed JSON, 401 missing/unknown/revoked/expired API key, 403 role not
allowed, 404 unknown route or resource, 405 method not allowed, 408 request not received in
time, 409 order id reused with a different body, 413 body larger than the limit, 414 URL longer
than 8,000 characters, 415 body not JSON, 422 invalid values (schema or service, lone
surrogates), 429 rate limit, daily quota or pending orders exceeded (with ``Retry-After``),
431 header fields too large, 500 unexpected server error (no details leak), 503 Brightway
project not ready. Errors of the HTTP server itself (malformed request line, header limits,
timeouts) are problem+json too (:mod:`pcf.api.worker`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

from pcf import errors

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:pcf:problem:"

log = logging.getLogger("pcf.api")

_TYPES = {
    400: ("malformed-request", "Malformed request"),
    401: ("unauthorized", "Missing or invalid API key"),
    403: ("forbidden", "Forbidden"),
    409: ("conflict", "Conflict"),
    408: ("request-timeout", "Request timeout"),
    413: ("payload-too-large", "Payload too large"),
    414: ("uri-too-long", "URI too long"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-input", "Invalid input"),
    429: ("too-many-requests", "Too many requests"),
    431: ("header-fields-too-large", "Request header fields too large"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


class ApiProblem(Exception):
    """Raise inside a view to answer with a problem.

    Parameters
    ----------
    status : int
        HTTP status.
    detail : str
        Human-readable explanation of this occurrence.
    title : str, optional
        Defaults to the title of the status's problem type.
    slug : str, optional
        Problem type, rendered as ``urn:pcf:problem:<slug>``.
    errors : dict, optional
        ``field -> [messages]``.
    allowed : dict, optional
        ``field -> allowed values``.
    headers : dict, optional
        Extra response headers (e.g. ``WWW-Authenticate``).
    """

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 slug: str | None = None, errors: dict | None = None,
                 allowed: dict | None = None, headers: dict | None = None):
        super().__init__(detail)
        default_slug, default_title = _TYPES.get(status, (None, None))
        self.status = status
        self.detail = detail
        self.title = title or default_title or "Error"
        self.slug = slug or default_slug
        self.errors = errors
        self.allowed = allowed
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str, *, slug: str | None = None,
                     errors: dict | None = None, allowed: dict | None = None,
                     headers: dict | None = None, extra: dict | None = None) -> Response:
    """Build an ``application/problem+json`` response.

    Parameters
    ----------
    status : int
    title, detail : str
    slug : str, optional
        Problem type slug; None gives ``about:blank``.
    errors, allowed : dict, optional
        Per-field messages and allowed values.
    headers : dict, optional
    extra : dict, optional
        Further members of the problem (RFC 9457 extension members), e.g. ``check``.

    Returns
    -------
    flask.Response
    """
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    try:
        body["instance"] = request.path
    except RuntimeError:  # outside a request
        pass
    if errors:
        body["errors"] = errors
    if allowed:
        body["allowed"] = allowed
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    resp = Response(json.dumps(body, ensure_ascii=False, default=str), status=status,
                    mimetype=PROBLEM_MEDIA_TYPE)
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested error messages to ``{"a.b[2].c": [messages]}``.

    ``_schema`` entries (errors of a whole object) are attached to the object's own path, or
    to ``body`` at the top level.
    """
    out: dict[str, list[str]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "_schema":
                    walk(value, path)
                elif isinstance(key, int):
                    walk(value, f"{path}[{key}]")
                else:
                    walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, (list, tuple)):
            for item in node:
                if isinstance(item, (dict, list, tuple)):
                    walk(item, path)
                else:
                    out.setdefault(path or "body", []).append(str(item))
        else:
            out.setdefault(path or "body", []).append(str(node))

    walk(messages, prefix)
    return out


def summarize(errors: dict[str, list[str]], limit: int = 3) -> str:
    """Return a one-line summary of per-field errors for ``detail``."""
    items = [f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()]
    text = "; ".join(items[:limit])
    if len(items) > limit:
        text += f"; and {len(items) - limit} more"
    return f"{len(items)} invalid field(s): {text}"


def handle_http_exception(error: HTTPException) -> Response:
    """Flask handler for werkzeug HTTP errors (404, 405, 413, webargs' 422, ...)."""
    status = error.code or 500
    ready = getattr(error, "response", None)
    if isinstance(ready, Response) and ready.mimetype == PROBLEM_MEDIA_TYPE:
        return ready  # built by pcf already (e.g. the rate limiter's 429 with Retry-After)
    data = getattr(error, "data", None) or {}
    headers = {}
    if status == 405:
        allow = dict(error.get_headers()).get("Allow")
        if allow:
            headers["Allow"] = allow
    if status >= 500:
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled error on %s %s", request.method, request.path,
                      exc_info=original)
        return problem_response(500, "Internal server error",
                                "The server failed to handle the request; it has been logged.",
                                slug="internal-error")
    messages = data.get("errors") or data.get("messages")
    if messages:
        # webargs nests messages under the location ("json", "query", "view_args")
        if isinstance(messages, dict) and len(messages) == 1:
            (loc, inner), = messages.items()
            if loc in ("json", "query", "querystring", "view_args", "path", "headers",
                       "form") and isinstance(inner, dict):
                messages = inner
        errors = flatten_messages(messages)
        if status == 400 and "json" in errors:
            return problem_response(400, "Malformed JSON", " ".join(errors["json"]),
                                    slug="malformed-json")
        return problem_response(status, _TYPES.get(status, (None, error.name))[1] or error.name,
                                data.get("message") or summarize(errors),
                                slug=_TYPES.get(status, (None, None))[0], errors=errors)
    slug = None
    title = error.name
    detail = error.description or error.name
    if status == 413:
        slug, title = _TYPES[413]
        try:
            from flask import current_app

            limit = current_app.config.get("MAX_CONTENT_LENGTH")
        except RuntimeError:
            limit = None
        detail = data.get("message") or (
            f"The request body is larger than the limit of {limit} bytes."
            if limit else "The request body is too large.")
    elif status == 404:
        detail = data.get("message") or f"No resource at {request.path}."
    elif status == 405:
        detail = f"Method {request.method} is not allowed on {request.path}; allowed: " \
                 f"{headers.get('Allow', '')}."
    elif data.get("message"):
        detail = data["message"]
    return problem_response(status, title, detail, slug=slug, headers=headers)


ERROR_STATUS: tuple[tuple[type[errors.PcfError], int, str, str], ...] = (
    (errors.SupplierFootprintRejected, 422, "supplier-footprint-rejected",
     "Supplier footprint rejected"),
    (errors.InvalidInput, 422, "invalid-input", "Invalid input"),
    (errors.UnknownResource, 404, "not-found", "Not found"),
    (errors.StateConflict, 409, "conflict", "Conflict"),
    (errors.NotPermitted, 403, "forbidden", "Forbidden"),
    (errors.AuthenticationFailed, 401, "unauthorized", "Not authenticated"),
    (errors.NotConfigured, 503, "not-configured", "Setting missing"),
    (errors.QuotaExceeded, 429, "quota-exceeded", "Quota exceeded"),
    (errors.LimitExceeded, 429, "too-many-requests", "Too many requests"),
    (errors.UpstreamFailed, 502, "upstream-failed", "Supplier host failed"),
    (errors.ProjectNotReady, 503, "project-not-ready", "Brightway project not ready"),
    (errors.StoreUnavailable, 503, "unavailable", "Service unavailable"),
    (errors.InventoryInvalid, 500, "data-error", "Inventory data error"),
    (errors.PcfError, 400, "bad-request", "Bad request"),
)
"""Domain error class -> (HTTP status, problem type slug, title); the first match wins, so
subclasses (``UnknownProduct``, ``OrderConflict``...) take their family's status. The one place
where a domain error becomes an HTTP status."""


def status_of(error: errors.PcfError) -> tuple[int, str, str]:
    """Return ``(status, slug, title)`` of a domain error (see :data:`ERROR_STATUS`)."""
    for cls, status, slug, title in ERROR_STATUS:
        if isinstance(error, cls):
            return status, slug, title
    return 400, "bad-request", "Bad request"  # pragma: no cover - PcfError is the last row


def handle_pcf_error(error: errors.PcfError) -> Response:
    """Flask handler for :class:`pcf.errors.PcfError` raised by the service layer.

    The status comes from :data:`ERROR_STATUS` (``InvalidInput`` -> 422, ``UnknownResource``
    -> 404, ``StateConflict`` -> 409, ``NotPermitted`` -> 403, ``ProjectNotReady`` -> 503).
    Order-line errors (``pcf.service.orders.OrderLinesError``) list every bad line under
    ``lines[i].<field>``.
    """
    status, slug, title = status_of(error)
    errors_by_field: dict[str, list[str]] = {}
    allowed: dict[str, Any] = {}
    line_errors = getattr(error, "errors", None)
    if line_errors:
        for le in line_errors:
            path = le.location + (f".{le.field}" if le.field else "")
            errors_by_field.setdefault(path, []).append(le.message)
            if le.allowed is not None:
                allowed[path] = le.allowed
        detail = summarize(errors_by_field)
    else:
        detail = error.message
        if error.field:
            errors_by_field[error.field] = [error.message]
            if error.allowed is not None:
                allowed[error.field] = error.allowed
        if error.allowed is not None:
            detail = str(error)
    if status >= 500:
        log.error("service error on %s %s: %s", request.method, request.path, error)
    headers = {}
    if isinstance(error, errors.LimitExceeded):
        headers["Retry-After"] = str(error.retry_after)
    check = getattr(error, "check", None)
    return problem_response(status, title, detail, slug=slug,
                            errors=errors_by_field or None, allowed=allowed or None,
                            headers=headers, extra={"check": check} if check else None)


def handle_api_problem(error: ApiProblem) -> Response:
    """Flask handler for :class:`ApiProblem`."""
    return problem_response(error.status, error.title, error.detail, slug=error.slug,
                            errors=error.errors, allowed=error.allowed, headers=error.headers)


def handle_unexpected(error: Exception) -> Response:
    """Flask handler of last resort: log, answer 500 without internals."""
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem_response(500, "Internal server error",
                            "The server failed to handle the request; it has been logged.",
                            slug="internal-error")


def register_error_handlers(app) -> None:
    """Install the problem+json handlers on a Flask app."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(errors.PcfError, handle_pcf_error)
    app.register_error_handler(ApiProblem, handle_api_problem)
    app.register_error_handler(Exception, handle_unexpected)
