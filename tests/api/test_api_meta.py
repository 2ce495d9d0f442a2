"""GET /health, /openapi.json, /docs, routing errors (404/405)."""

from __future__ import annotations

import re

from api_helpers import problem


def test_health(api):
    resp = api.get("/health")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "ok"
    assert resp.get_json()["store"] == "ok"


def test_openapi_documents_every_endpoint(api):
    spec = api.spec
    assert spec["openapi"].startswith("3.1")
    expected = {
        "/health": {"get"},
        "/v1/products": {"get"},
        "/v1/products/{product_id}": {"get"},
        "/v1/footprints": {"post"},
        "/v1/comparisons": {"post"},
        "/v1/orders": {"post"},
        "/v1/orders/{order_id}": {"get"},
    }
    for path, methods in expected.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), path
    schemas = spec["components"]["schemas"]
    for name in ("Footprint", "OrderRequest", "Order", "ComparisonRequest", "Comparison",
                 "Problem", "Product"):
        assert name in schemas, name
    # request schemas reject unknown fields, response schemas allow additions
    assert schemas["FootprintRequest"]["additionalProperties"] is False
    assert schemas["Footprint"]["additionalProperties"] is True
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    # products and health are public, everything else under /v1 needs a key
    assert spec["paths"]["/v1/products"]["get"]["security"] == []
    assert spec["paths"]["/health"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/v1/orders"]["post"]
    # errors are documented as problem+json
    r422 = spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]
    assert "application/problem+json" in r422["content"]
    # limits are documented
    lines = schemas["OrderRequest"]["properties"]["lines"]
    assert lines["maxItems"] == 5000 and lines["minItems"] == 1


def test_docs_page_is_self_contained(api):
    resp = api.client.get("/docs")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert "/openapi.json" in html
    # no external scripts, styles or fonts: the page works offline
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html)
    assert "cdn" not in html.lower()
    assert api.client.get("/").status_code in (301, 302)


def test_docs_page_assets_are_served_by_the_app(api):
    html = api.client.get("/docs").get_data(as_text=True)
    assert "swagger-ui" in html
    refs = re.findall(r"""<(?:script|link|img)[^>]+(?:src|href)=["']([^"']+)["']""", html)
    assert any(r.endswith("swagger-ui-bundle.js") for r in refs)
    assert any(r.endswith("swagger-ui.css") for r in refs)
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), ref  # same origin
        resp = api.client.get(ref)
        assert resp.status_code == 200, ref
        assert resp.data, ref
        resp.close()
    script = api.client.get("/docs/docs.js").get_data(as_text=True)
    assert "validatorUrl: null" in script  # no call to the online validator
    assert not re.search(r"https?://", script)
    assert api.client.get("/docs/assets/index.html").status_code == 404
    assert api.client.get("/docs/assets/..%2Fflask_swagger_ui.py").status_code == 404


def test_unknown_route_is_problem_404(api):
    body = problem(api.get("/v1/nothing-here"), 404)
    assert body["type"] == "about:blank"
    assert body["instance"] == "/v1/nothing-here"


def test_wrong_method_is_problem_405_with_allow(api, keys):
    resp = api.open("DELETE", "/v1/footprints", headers=keys["alice"])
    body = problem(resp, 405)
    assert "POST" in resp.headers["Allow"]
    assert "POST" in body["detail"]
    problem(api.open("PUT", "/v1/products"), 405)
    problem(api.get("/v1/footprints", headers=keys["alice"]), 405)
