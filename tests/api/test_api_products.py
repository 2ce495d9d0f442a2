"""GET /v1/products and /v1/products/{id} (public)."""

from __future__ import annotations

from api_helpers import PRODUCT, problem


def test_list_products_is_public(api, product_ids):
    resp = api.get("/v1/products")
    assert resp.status_code == 200
    products = resp.get_json()["products"]
    assert [p["id"] for p in products] == product_ids
    for p in products:
        names = {param["name"] for param in p["parameters"]}
        assert {"recycled_content", "renewable_electricity_share"} <= names
        assert {"virgin", "recycled"} <= set(p["variants"])


def test_get_product_with_parameters_and_variants(api):
    resp = api.get(f"/v1/products/{PRODUCT}")
    assert resp.status_code == 200
    product = resp.get_json()
    assert product["id"] == PRODUCT
    assert product["declared_unit"] == "kg"
    rc = next(p for p in product["parameters"] if p["name"] == "recycled_content")
    assert rc["min"] == 0 and rc["max"] == 1 and rc["type"] == "number"
    assert product["variants"]["recycled"]["recycled_content"] == 1


def test_unknown_product_is_404_with_allowed_ids(api, product_ids):
    body = problem(api.get("/v1/products/unobtainium"), 404)
    assert "unobtainium" in body["detail"]
    assert body["allowed"]["product"] == product_ids


def test_products_ignore_bad_keys(api):
    # a wrong key does not matter on public routes
    resp = api.get("/v1/products", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 200
