"""/openapi.json: an operationId and a response example on every operation; /docs lets a
user try operations with their key (Swagger UI served locally)."""

from __future__ import annotations

from jsonschema import Draft202012Validator


def _operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if isinstance(op, dict) and "responses" in op:
                yield path, method, op


def test_every_operation_has_an_operation_id_and_an_example(api):
    spec = api.spec
    ids = [op.get("operationId") for _, _, op in _operations(spec)]
    assert all(ids) and len(ids) == len(set(ids)), ids
    assert ("/v1/orders", "post", "orders_create_order") in {
        (p, m, op["operationId"]) for p, m, op in _operations(spec)}
    for path, method, op in _operations(spec):
        examples = [c for status, r in op["responses"].items() if status.startswith("2")
                    for c in (r.get("content") or {}).values() if "example" in c]
        assert examples, f"{method.upper()} {path}: no success response example"


def test_json_examples_match_their_schemas(api):
    spec = api.spec
    for path, method, op in _operations(spec):
        for status, response in op["responses"].items():
            content = (response.get("content") or {}).get("application/json")
            if not content or "example" not in content:
                continue
            schema = {**content["schema"], "components": spec["components"]}
            errors = list(Draft202012Validator(schema).iter_errors(content["example"]))
            assert not errors, (method, path, status, errors[0].message)
    problems = spec["components"]["responses"]
    for name in ("UNPROCESSABLE_ENTITY", "NOT_FOUND", "CONFLICT", "DEFAULT_ERROR"):
        example = problems[name]["content"]["application/problem+json"]["example"]
        assert example["status"] >= 400 and example["type"].startswith("urn:pcf:problem:")


def test_docs_page_tries_operations_with_the_key(api):
    js = api.client.get("/docs/docs.js").get_data(as_text=True)
    assert "tryItOutEnabled: true" in js
    spec = api.spec
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    html = api.client.get("/docs").get_data(as_text=True)
    assert "https://" not in html and "http://" not in html
