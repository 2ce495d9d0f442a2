"""POST /v1/footprints: results, auth and every input error."""

from __future__ import annotations

import json

import pytest

from api_helpers import PRODUCT, problem
from pcf import service


def test_footprint_equals_service(api, keys):
    body = {"product": PRODUCT, "variant": "recycled",
            "parameters": {"renewable_electricity_share": 0.5}, "quantity": 20, "unit": "t"}
    resp = api.post("/v1/footprints", json=body, headers=keys["alice"])
    assert resp.status_code == 200
    fp = resp.get_json()
    expected = service.compute_footprint(PRODUCT, variant="recycled",
                                         parameters={"renewable_electricity_share": 0.5},
                                         quantity=20, unit="t")
    assert fp == json.loads(json.dumps(expected))
    assert fp["quantity"] == 20 and fp["quantity_unit"] == "t"
    assert fp["total"]["total"] == pytest.approx(fp["per_declared_unit"]["total"] * 20000,
                                                 rel=1e-12)
    assert fp["parameters"]["renewable_electricity_share"] == 0.5


def test_contributions_can_be_left_out(api, keys):
    """contributions: false answers everything but the contributions list, unchanged; a
    non-boolean is refused naming the field."""
    body = {"product": "battery-cell-nmc811", "variant": "recycled"}
    full = api.post("/v1/footprints", json=body, headers=keys["alice"])
    lean = api.post("/v1/footprints", json={**body, "contributions": False},
                    headers=keys["alice"])
    assert full.status_code == lean.status_code == 200
    without = full.get_json()
    assert without.pop("contributions")
    assert lean.get_json() == without
    assert len(lean.data) < 0.5 * len(full.data)
    bad = api.post("/v1/footprints", json={**body, "contributions": "some"},
                   headers=keys["alice"])
    assert "contributions" in json.dumps(problem(bad, 422))


def test_footprint_defaults_to_one_declared_unit(api, keys):
    fp = api.post("/v1/footprints", json={"product": PRODUCT},
                  headers=keys["erin"]).get_json()
    assert fp["quantity"] == 1 and fp["quantity_unit"] == "kg"
    assert fp["total"] == fp["per_declared_unit"]
    assert fp["variant"] is None


def test_units_convert(api, keys):
    in_t = api.post("/v1/footprints", json={"product": PRODUCT, "quantity": 2.5, "unit": "t"},
                    headers=keys["alice"]).get_json()
    in_kg = api.post("/v1/footprints", json={"product": PRODUCT, "quantity": 2500,
                                             "unit": "kg"}, headers=keys["alice"]).get_json()
    assert in_t["total"]["total"] == pytest.approx(in_kg["total"]["total"], rel=1e-12)


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    {"Authorization": "Bearer pcf_not-a-real-key"},
    {"Authorization": "Bearer something-else"},
])
def test_needs_a_valid_key(api, keys, headers):
    resp = api.post("/v1/footprints", json={"product": PRODUCT}, headers=headers)
    body = problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert "key" in body["detail"].lower()


def _post(api, keys, body, **kwargs):
    return api.post("/v1/footprints", json=body, headers=keys["alice"], **kwargs)


def test_unknown_field_names_allowed_fields(api, keys):
    body = problem(_post(api, keys, {"product": PRODUCT, "qty": 3}), 422)
    assert list(body["errors"]) == ["qty"]
    assert "quantity" in body["errors"]["qty"][0] and "variant" in body["errors"]["qty"][0]


def test_missing_product(api, keys):
    body = problem(_post(api, keys, {"variant": "virgin"}), 422)
    assert "product" in body["errors"]


@pytest.mark.parametrize("value", [1.5, -0.1])
def test_parameter_out_of_range(api, keys, value):
    body = problem(_post(api, keys, {"product": PRODUCT,
                                     "parameters": {"recycled_content": value}}), 422)
    assert body["errors"]["parameters.recycled_content"]
    assert "recycled_content" in body["allowed"]["parameters.recycled_content"]


def test_unknown_parameter(api, keys):
    body = problem(_post(api, keys, {"product": PRODUCT, "parameters": {"wizardry": 1}}), 422)
    (field,) = body["errors"]
    assert "wizardry" in field or "wizardry" in body["detail"]


def test_parameter_value_must_be_scalar(api, keys):
    body = problem(_post(api, keys, {"product": PRODUCT,
                                     "parameters": {"recycled_content": [0.5]}}), 422)
    assert "parameters.recycled_content.value" in body["errors"] or \
        "parameters.recycled_content" in body["errors"]


def test_unknown_variant_lists_variants(api, keys):
    body = problem(_post(api, keys, {"product": PRODUCT, "variant": "unicorn"}), 422)
    assert "variant" in body["errors"]
    assert {"virgin", "recycled"} <= set(body["allowed"]["variant"])


def test_unknown_product_in_body_is_422(api, keys, product_ids):
    body = problem(_post(api, keys, {"product": "unobtainium"}), 422)
    assert body["allowed"]["product"] == product_ids


@pytest.mark.parametrize("quantity", [0, -5, 1e16, "abc", True])
def test_bad_quantities(api, keys, quantity):
    body = problem(_post(api, keys, {"product": PRODUCT, "quantity": quantity, "unit": "kg"}),
                   422)
    assert "quantity" in body["errors"]


@pytest.mark.parametrize("raw", ['{"product": "%s", "quantity": 1e999}',
                                 '{"product": "%s", "quantity": "Infinity"}',
                                 '{"product": "%s", "quantity": "nan"}'])
def test_non_finite_quantities_are_422(api, keys, raw):
    resp = api.post("/v1/footprints", data=raw % PRODUCT, content_type="application/json",
                    headers=keys["alice"])
    body = problem(resp, 422)
    assert "quantity" in body["errors"]


@pytest.mark.parametrize("raw", ['{"product": "%s", "quantity": NaN}',
                                 '{"product": "%s", "quantity": Infinity}',
                                 '{"product": "%s", "quantity": -Infinity}'])
def test_non_finite_literals_are_malformed_json(api, keys, raw):
    resp = api.post("/v1/footprints", data=raw % PRODUCT, content_type="application/json",
                    headers=keys["alice"])
    body = problem(resp, 400)
    assert body["type"].endswith("malformed-json")


@pytest.mark.parametrize("unit", ["kWh", "furlong", "m**2", "kg/s"])
def test_unit_not_convertible(api, keys, unit):
    body = problem(_post(api, keys, {"product": PRODUCT, "quantity": 1, "unit": unit}), 422)
    assert "unit" in body["errors"]
    assert "kg" in str(body["allowed"]["unit"])


@pytest.mark.parametrize("raw", ['{"product": ', "[1, 2", "not json", '{"a": 1}}', "\xff\xfe"])
def test_malformed_json(api, keys, raw):
    resp = api.post("/v1/footprints", data=raw.encode("latin-1"),
                    content_type="application/json", headers=keys["alice"])
    body = problem(resp, 400)
    assert body["title"] == "Malformed JSON"
    assert "Malformed JSON" in body["detail"]


def test_body_must_be_an_object(api, keys):
    resp = api.post("/v1/footprints", json=[PRODUCT], headers=keys["alice"])
    problem(resp, 422)


def test_non_json_content_type_is_415(api, keys):
    resp = api.post("/v1/footprints", data=f"product={PRODUCT}",
                    content_type="application/x-www-form-urlencoded", headers=keys["alice"])
    problem(resp, 415)


def test_oversize_body_is_413(api, keys):
    big = json.dumps({"product": PRODUCT, "parameters": {"x" * 10: "y" * (1024 * 1024)}})
    resp = api.post("/v1/footprints", data=big, content_type="application/json",
                    headers=keys["alice"])
    body = problem(resp, 413)
    assert "1048576" in body["detail"]
