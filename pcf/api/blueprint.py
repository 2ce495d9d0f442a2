"""The Blueprint every pcf resource uses: strict JSON parsing, problem+json errors, auth doc.

Add a resource (reductions, certificates, ...) in three steps::

    from pcf.api.blueprint import Blueprint
    from pcf.api.auth import current_tenant, require_roles, public

    blp = Blueprint("certificates", __name__, url_prefix="/v1/certificates",
                    description="Signed footprint certificates")

    @blp.route("", methods=["POST"])
    @blp.arguments(CertificateRequestSchema)
    @blp.response(201, CertificateSchema)
    def create(args): ...

and list it in :data:`pcf.api.BLUEPRINTS`. Every
route under ``/v1`` then needs ``Authorization: Bearer <key>`` unless marked
:func:`~pcf.api.auth.public`; bad bodies, unknown fields, service errors become problem+json.
"""

from __future__ import annotations

import json
import math
import typing

import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser

from pcf.api.problems import ApiProblem
from pcf.text import find_invalid_text


def _reject_constant(name: str) -> typing.NoReturn:
    raise ValueError(f"{name} is not valid JSON (non-finite numbers are not allowed)")


class PcfParser(FlaskParser):
    r"""webargs parser with strict JSON bodies.

    - the body must be ``application/json`` (or ``+json``) when present, else 415;
    - malformed JSON, ``NaN``/``Infinity`` literals and invalid UTF-8 are 400 with the position;
    - a string that is not valid Unicode (a lone surrogate such as ``"\ud800"``) or holds a
      NUL is 422 naming the field (``lines[3].line_id``), nothing is stored;
    - an oversize body is 413 (Flask's ``MAX_CONTENT_LENGTH``; a chunked body is measured
      as it is read, see :mod:`pcf.api.middleware`).
    """

    # webargs ignores unknown query parameters by default; pcf's schemas say RAISE (Meta),
    # and None here lets the schema decide, so a misspelt query parameter is a 422 too.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
                                   "query": None, "querystring": None}

    _schemas: typing.ClassVar[dict[type, typing.Any]] = {}

    def _get_schema(self, argmap, req):
        """One instance per schema class for the life of the process (issue 21): webargs
        instantiates the class given to ``@blp.arguments`` on every request, which copies
        every declared field (~0.15 ms a request). A marshmallow 4 schema holds no
        per-request state, so the instance is shared by requests and threads."""
        if isinstance(argmap, type):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = super()._get_schema(argmap, req)
            return schema
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req):
        data = req.get_data(cache=True)  # raises RequestEntityTooLarge (413) over the limit
        if not data.strip():
            return core.missing
        mimetype = req.mimetype or ""
        if not (mimetype == "application/json" or mimetype.endswith("+json")):
            raise ApiProblem(415, f"The body must be JSON sent as application/json, "
                                  f"not {mimetype or 'without a Content-Type'}.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ApiProblem(400, f"Malformed JSON: the body is not UTF-8 ({exc.reason} at byte "
                                  f"{exc.start}).", title="Malformed JSON",
                             slug="malformed-json") from None
        try:
            document = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise ApiProblem(400, f"Malformed JSON: {exc.msg} at line {exc.lineno} column "
                                  f"{exc.colno}.", title="Malformed JSON",
                             slug="malformed-json") from None
        except (ValueError, RecursionError) as exc:
            raise ApiProblem(400, f"Malformed JSON: {exc}.", title="Malformed JSON",
                             slug="malformed-json") from None
        found = find_invalid_text(document)
        if found is not None:
            path, message = found
            raise ApiProblem(422, f"1 invalid field(s): {path}: {message}",
                             errors={path: [message]})
        return document


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest Blueprint using :class:`PcfParser` (strict JSON, problem+json errors)."""

    ARGUMENTS_PARSER = PcfParser()


def _orjson_default(obj: typing.Any) -> typing.Any:
    """Subclasses of float and int (NumPy scalars) as their plain values; anything else is
    not JSON (TypeError, as the stdlib encoder says)."""
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, int):
        return int(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def encode_json(obj: typing.Any) -> bytes:
    """``obj`` as compact UTF-8 JSON, keys in their order.

    orjson (issue 21: about 15x the stdlib encoder on a footprint, whose cost is mostly float
    formatting). The values are those of ``json.dumps(obj, separators=(",", ":"),
    ensure_ascii=False)``: floats are written shortest round-trip as Python's ``repr``, so
    they parse to the same doubles, though magnitudes below 1e-4 are written in decimals
    (``0.00007852540257496483``, stdlib ``7.852540257496483e-05``). Non-string keys are
    written as strings like the stdlib does; objects orjson does not take (integers beyond 64
    bits) fall back to the stdlib encoder.

    Raises
    ------
    ValueError
        A non-finite float (NaN, ±Infinity): a server bug, never written. orjson writes
        them as ``null``; a body with a ``null`` is read back and compared with ``obj``
        (NaN != None), about a third of the cost of walking ``obj`` in Python, which is done
        only when they differ.
    TypeError
        An object that is not JSON.
    """
    import orjson

    try:
        body = orjson.dumps(obj, default=_orjson_default, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    # orjson writes NaN and infinities as null: a body with a null that does not read back as
    # obj (NaN != None; also tuples, non-string keys) is searched for them
    if b"null" in body and orjson.loads(body) != obj and _non_finite(obj):
        raise ValueError("Out of range float values are not JSON compliant")
    return body


def _non_finite(obj: typing.Any) -> bool:
    """True when ``obj`` (JSON-like: dicts, lists, tuples, scalars) holds a NaN or infinity."""
    stack = [obj]
    isfinite = math.isfinite
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if not isfinite(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def json_response(obj: typing.Any, status: int = 200,
                  headers: dict[str, str] | None = None):
    """Return ``obj`` as a compact JSON response (:func:`encode_json`; no NaN/Infinity: those
    are server bugs, ValueError).

    Views return the service's dicts through this (pass-through), documented by the schema
    given to ``@blp.response``; tests validate every response against ``/openapi.json``.
    """
    from flask import Response

    resp = Response(encode_json(obj), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp
