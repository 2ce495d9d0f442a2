"""Inputs found in review that used to answer 500 or be judged inconsistently."""

from __future__ import annotations

import json

import pytest

from api_helpers import PRODUCT, problem


def test_huge_integer_parameter_is_422(api, keys):
    body = {"product": PRODUCT, "parameters": {"recycled_content": int("9" * 400)}}
    assert "parameters" in str(problem(api.post("/v1/footprints", json=body,
                                                 headers=keys["alice"]), 422))


@pytest.mark.parametrize("unit", ["1/0", "kg/0", "(", "kg)", "\u0000"])
def test_unparseable_units_are_422(api, keys, unit):
    body = {"product": PRODUCT, "quantity": 1, "unit": unit}
    assert problem(api.post("/v1/footprints", json=body, headers=keys["alice"]), 422)
    order = {"order_id": "PO-U", "lines": [{"line_id": "1", "product": PRODUCT,
                                            "quantity": 1, "unit": unit}]}
    problem(api.post("/v1/orders", json=order, headers=keys["alice"]), 422)
    problem(api.get("/v1/orders/PO-U", headers=keys["alice"]), 404)   # nothing stored


def test_same_order_with_equal_parameter_values_is_a_replay(api, keys):
    first = {"order_id": "PO-EQ", "lines": [{"line_id": "1", "product": PRODUCT,
             "parameters": {"recycled_content": 1}, "quantity": 1, "unit": "t"}]}
    again = json.loads(json.dumps(first))
    again["lines"][0]["parameters"]["recycled_content"] = "1.0"
    assert api.post("/v1/orders", json=first, headers=keys["alice"]).status_code == 201
    assert api.post("/v1/orders", json=again, headers=keys["alice"]).status_code == 200
    other = json.loads(json.dumps(first))
    other["lines"][0]["parameters"]["recycled_content"] = 0.5
    problem(api.post("/v1/orders", json=other, headers=keys["alice"]), 409)


@pytest.mark.parametrize("mutate", [
    lambda d: d.__setitem__("productFootprint", []),
    lambda d: d.__setitem__("certificate", "x"),
    lambda d: d.__setitem__("productFootprint", {"extensions": [{"data": {
        "calculation": {"product": PRODUCT, "parameters": [1]}, "orderLine": "x"}}]}),
    lambda d: d.__setitem__("certificate", {"id": [1], "number": {"n": 1}}),
])
def test_malformed_certificate_files_verify_as_invalid_not_500(api, keys, mutate):
    document = {"certificate": {"id": "x"}, "productFootprint": {"extensions": []}}
    mutate(document)
    envelope = {"document": document, "sha256": "0" * 64, "signature": {"value": "AA=="}}
    resp = api.post("/v1/certificates/verification", json=envelope, headers=keys["erin"])
    assert resp.status_code in (200, 422), resp.data
    if resp.status_code == 200:
        assert resp.get_json()["valid"] is False


def test_non_utf8_csv_is_one_line_error(tmp_path, home):
    import os
    import subprocess
    import sys

    path = tmp_path / "orders.csv"
    path.write_bytes(b"order_id,line_id,product,quantity,unit\nA,1,aluminium-coil,1,\xff\xfe\n")
    out = subprocess.run([sys.executable, "-m", "pcf.cli", "orders", "score", str(path), "-o",
                          str(tmp_path / "out.csv")], capture_output=True, text=True,
                         env={**os.environ, "PCF_HOME": str(home)}, timeout=120)
    assert out.returncode == 2, out.stderr
    assert "not UTF-8" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "out.csv").exists()


def test_unknown_query_parameters_are_422(api, keys):
    body = {"order_id": "PO-Q", "lines": [{"line_id": "1", "product": PRODUCT, "quantity": 1,
                                           "unit": "kg"}]}
    assert api.post("/v1/orders", json=body, headers=keys["alice"]).status_code == 201
    assert api.get("/v1/orders/PO-Q", headers=keys["alice"]).status_code == 200
    problem(api.get("/v1/orders/PO-Q?tenantt=x", headers=keys["alice"]), 422)
    problem(api.get("/v1/certificates?statuss=active", headers=keys["erin"]), 422)
