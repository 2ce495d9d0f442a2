"""Finishing touches of ``/openapi.json``: an ``operationId`` and a response example on every
operation (Swagger UI's "Try it out" at ``/docs`` and generated clients use them).

- ``operationId``: ``<blueprint>_<view function>`` of the Flask endpoint serving the path and
  method (``orders_create_order``, ``certificates_list``), so it is stable and unique.
- Examples: a documented success response without an example gets one built from its schema
  (:func:`example_of`): a field's own ``example`` when it has one, else a value of its type.
  Problem responses (4xx/5xx) get a problem+json example. Binary answers (PDF, xlsx) get a
  short string naming what the bytes are.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from flask import Flask

_MAX_DEPTH = 20
_FORMATS = {"date-time": "2026-01-15T09:30:00+00:00", "date": "2026-01-15",
            "uuid": "3f1c2b9e-7a4d-4c1e-9b2f-5d6e7f8a9b0c", "uri": "https://pcf.example/verify",
            "binary": "(binary file)"}
_PROBLEM_EXAMPLES = {
    "BAD_REQUEST": (400, "malformed-json", "Malformed JSON",
                    "Malformed JSON: Expecting value at line 1 column 1."),
    "UNAUTHORIZED": (401, "unauthorized", "Missing or invalid API key",
                     "This endpoint needs an API key: send 'Authorization: Bearer <key>'."),
    "FORBIDDEN": (403, "forbidden", "Forbidden",
                  "Role 'customer' may not use this endpoint; allowed roles: engineer, admin."),
    "NOT_FOUND": (404, "not-found", "Not found", "no order 'PO-2025-0042'"),
    "CONFLICT": (409, "conflict", "Conflict",
                 "order 'PO-2025-0042' exists with a different body"),
    "REQUEST_ENTITY_TOO_LARGE": (413, "payload-too-large", "Payload too large",
                                 "The body is larger than 1 MiB."),
    "UNPROCESSABLE_ENTITY": (422, "invalid-input", "Invalid input",
                             "1 invalid field(s): lines[0].quantity: Must be a finite number "
                             "> 0 and <= 1e15."),
    "SERVICE_UNAVAILABLE": (503, "unavailable", "Service unavailable",
                            "the Brightway project is not built; run `pcf setup`"),
}


def _openapi_path(rule: str) -> str:
    """Flask rule -> OpenAPI path: ``/v1/orders/<string:order_id>`` -> ``/v1/orders/{order_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def operation_ids(app: Flask) -> dict[tuple[str, str], str]:
    """``(OpenAPI path, method) -> operationId`` for every route of ``app``."""
    out = {}
    for rule in app.url_map.iter_rules():
        name = rule.endpoint.replace(".", "_").rstrip("_")
        for method in rule.methods or ():
            out[(_openapi_path(rule.rule), method.lower())] = name
    return out


def example_of(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A plausible instance of a JSON schema (OpenAPI 3.1): the schema's ``example`` if any,
    else built from its type, properties and items; ``$ref`` resolved in ``components``."""
    if not isinstance(schema, dict):
        return None
    if "example" in schema:
        return schema["example"]
    if "examples" in schema and schema["examples"]:
        return schema["examples"][0]
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if depth > _MAX_DEPTH:
            return {}
        return example_of(components.get("schemas", {}).get(name, {}), components, depth + 1)
    for key in ("allOf", "anyOf", "oneOf"):
        if schema.get(key):
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return example_of(options[0], components, depth + 1)
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        if depth > _MAX_DEPTH:
            return {}
        return {name: example_of(sub, components, depth + 1)
                for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [] if depth > _MAX_DEPTH else [example_of(schema.get("items") or {}, components,
                                                         depth + 1)]
    if kind == "string":
        return _FORMATS.get(schema.get("format", ""), "string")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return None


def _problem_example(status: int, slug: str, title: str, detail: str) -> dict[str, Any]:
    body: dict[str, Any] = {"type": f"urn:pcf:problem:{slug}", "title": title,
                            "status": status, "detail": detail, "instance": "/v1/orders"}
    if status == 422:
        body["errors"] = {"lines[0].quantity": ["Must be a finite number > 0 and <= 1e15."]}
    return body


def complete_spec(spec: dict[str, Any], app: Flask) -> dict[str, Any]:
    """Return a copy of ``spec`` with an operationId on every operation and an example on every
    documented response content that has none (see the module doc)."""
    spec = copy.deepcopy(spec)
    components = spec.setdefault("components", {})
    ids = operation_ids(app)
    for path, operations in spec.get("paths", {}).items():
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            op.setdefault("operationId", ids.get((path, method),
                                                 f"{method}_{re.sub(r'[^A-Za-z0-9]+', '_', path)}"
                                                 .strip("_")))
            for response in op["responses"].values():
                if "$ref" in response:
                    continue
                for media, content in (response.get("content") or {}).items():
                    if "example" in content or "examples" in content:
                        continue
                    if media.endswith("json"):
                        content["example"] = example_of(content.get("schema") or {}, components)
                    else:
                        content["example"] = f"({media} file)"
    for name, response in (components.get("responses") or {}).items():
        for content in (response.get("content") or {}).values():
            if "example" in content or "examples" in content:
                continue
            if name in _PROBLEM_EXAMPLES:
                content["example"] = _problem_example(*_PROBLEM_EXAMPLES[name])
            elif name == "DEFAULT_ERROR":
                content["example"] = _problem_example(*_PROBLEM_EXAMPLES["UNPROCESSABLE_ENTITY"])
    return spec
