"""POST /v1/comparisons: cases side by side, differences, sweep, roles, errors."""

from __future__ import annotations

import pytest

from api_helpers import PRODUCT, problem
from pcf import service

CASES = [{"label": "virgin", "variant": "virgin"},
         {"label": "recycled", "variant": "recycled"},
         {"label": "half", "parameters": {"recycled_content": 0.5}}]


def _per_unit(**kwargs) -> float:
    return service.compute_footprint(PRODUCT, **kwargs)["per_declared_unit"]["total"]


def test_cases_side_by_side_with_difference_to_reference(api, keys):
    resp = api.post("/v1/comparisons", json={"product": PRODUCT, "cases": CASES,
                                             "reference": "virgin"}, headers=keys["erin"])
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["reference"] == "virgin" and doc["declared_unit"] == "kg"
    assert [c["label"] for c in doc["cases"]] == ["virgin", "recycled", "half"]
    ref = _per_unit(variant="virgin")
    rec = _per_unit(variant="recycled")
    by = {c["label"]: c for c in doc["cases"]}
    assert by["virgin"]["is_reference"] and not by["recycled"]["is_reference"]
    assert by["virgin"]["difference"] == {"absolute": 0.0, "relative": 0.0}
    assert by["recycled"]["footprint"]["per_declared_unit"]["total"] == rec
    assert by["recycled"]["difference"]["absolute"] == pytest.approx(rec - ref, rel=1e-12)
    assert by["recycled"]["difference"]["relative"] == pytest.approx((rec - ref) / ref,
                                                                     rel=1e-12)
    assert rec < ref  # recycled input lowers the footprint
    assert by["half"]["footprint"]["parameters"]["recycled_content"] == 0.5
    assert doc["sweep"] is None


def test_reference_defaults_to_first_case(api, keys):
    doc = api.post("/v1/comparisons", json={"product": PRODUCT, "cases": CASES[1:]},
                   headers=keys["ada"]).get_json()
    assert doc["reference"] == "recycled"


def test_sweep_of_one_parameter(api, keys):
    values = [0, 0.25, 0.5, 1]
    doc = api.post("/v1/comparisons", json={
        "product": PRODUCT, "cases": CASES, "reference": "virgin",
        "sweep": {"parameter": "recycled_content", "values": values, "case": "half"}},
        headers=keys["erin"]).get_json()
    sweep = doc["sweep"]
    assert sweep["parameter"] == "recycled_content" and sweep["case"] == "half"
    assert [p["value"] for p in sweep["points"]] == values
    ref = _per_unit(variant="virgin")
    totals = [p["per_declared_unit"]["total"] for p in sweep["points"]]
    for v, p in zip(values, sweep["points"], strict=True):
        expected = _per_unit(parameters={"recycled_content": v})
        assert p["per_declared_unit"]["total"] == pytest.approx(expected, rel=1e-12)
        assert p["difference"]["absolute"] == pytest.approx(expected - ref, rel=1e-9, abs=1e-12)
    assert totals == sorted(totals, reverse=True)  # more recycled content, lower footprint


def test_customers_may_not_compare(api, keys):
    body = problem(api.post("/v1/comparisons", json={"product": PRODUCT, "cases": CASES},
                            headers=keys["alice"]), 403)
    assert body["allowed"]["role"] == ["engineer", "admin"]


def test_comparison_needs_a_key(api):
    problem(api.post("/v1/comparisons", json={"product": PRODUCT, "cases": CASES}), 401)


@pytest.mark.parametrize("body, field", [
    ({"product": PRODUCT, "cases": []}, "cases"),
    ({"product": PRODUCT}, "cases"),
    ({"product": PRODUCT, "cases": [{"label": "a"}, {"label": "a"}]}, "cases"),
    ({"product": PRODUCT, "cases": [{"label": "a"}], "reference": "b"}, "reference"),
    ({"product": PRODUCT, "cases": [{"variant": "virgin"}]}, "cases[0].label"),
    ({"product": PRODUCT, "cases": [{"label": "a", "colour": "red"}]}, "cases[0].colour"),
    ({"product": PRODUCT, "cases": [{"label": "a", "variant": "nope"}]}, "cases[0].variant"),
    ({"product": PRODUCT, "cases": [{"label": "a", "parameters": {"recycled_content": 2}}]},
     "cases[0].parameters.recycled_content"),
    ({"product": PRODUCT, "cases": [{"label": "a"}],
      "sweep": {"parameter": "recycled_content", "values": [0, 3]}}, "sweep.values[1]"),
    ({"product": PRODUCT, "cases": [{"label": "a"}],
      "sweep": {"parameter": "no_such_thing", "values": [0]}}, "sweep.parameter"),
    ({"product": PRODUCT, "cases": [{"label": "a"}],
      "sweep": {"parameter": "recycled_content", "values": []}}, "sweep.values"),
    ({"product": PRODUCT, "cases": [{"label": "a"}],
      "sweep": {"parameter": "recycled_content", "values": [0], "case": "zz"}}, "sweep.case"),
    ({"product": "unobtainium", "cases": [{"label": "a"}]}, "product"),
    ({"product": PRODUCT, "cases": [{"label": str(i)} for i in range(21)]}, "cases"),
])
def test_invalid_comparisons(api, keys, body, field):
    out = problem(api.post("/v1/comparisons", json=body, headers=keys["erin"]), 422)
    assert field in out["errors"], out
