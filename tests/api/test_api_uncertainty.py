"""Uncertainty on POST /v1/footprints and POST /v1/comparisons (issue 17)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from api_helpers import problem
from pcf import service
from pcf.engine import get_engine
from pcf.engine.montecarlo import simulate

PRODUCT = "aluminium-coil"


def test_footprint_interval_is_seeded_and_equals_the_engine(api, keys):
    body = {"product": PRODUCT, "variant": "recycled", "quantity": 2, "unit": "t",
            "uncertainty": {"draws": 3000, "seed": 42}}
    first = api.post("/v1/footprints", json=body, headers=keys["alice"]).get_json()
    again = api.post("/v1/footprints", json=body, headers=keys["alice"]).get_json()
    assert first["uncertainty"] == again["uncertainty"]
    mc = first["uncertainty"]
    assert (mc["draws"], mc["seed"]) == (3000, 42)
    # independent of the service: the engine's draws and numpy's percentiles
    encoded = service.footprints.model(PRODUCT).resolve("recycled", None).encoded
    engine = get_engine()
    x = simulate(engine.system(PRODUCT), engine.background(), encoded, 3000, 42).parts["total"]
    t = mc["per_declared_unit"]["total"]
    assert t["p2_5"] == pytest.approx(np.percentile(x, 2.5), rel=1e-12)
    assert t["p97_5"] == pytest.approx(np.percentile(x, 97.5), rel=1e-12)
    assert t["gsd"] == pytest.approx(np.exp(np.std(np.log(x), ddof=1)), rel=1e-12)
    assert mc["total"]["total"]["mean"] == pytest.approx(np.mean(x) * 2000, rel=1e-12)
    assert t["p2_5"] < first["per_declared_unit"]["total"] < t["p97_5"]
    assert [s["stage"] for s in mc["stages"]] == [s["stage"] for s in first["stages"]]
    other = api.post("/v1/footprints", json={**body, "uncertainty": {"draws": 3000, "seed": 43}},
                     headers=keys["alice"]).get_json()["uncertainty"]
    assert other["per_declared_unit"]["total"] != t


def test_without_uncertainty_the_footprint_is_unchanged(api, keys):
    fp = api.post("/v1/footprints", json={"product": PRODUCT}, headers=keys["alice"]).get_json()
    assert "uncertainty" not in fp
    assert fp == json.loads(json.dumps(service.compute_footprint(PRODUCT)))


@pytest.mark.parametrize(("uncertainty", "field"), [
    ({"draws": 0}, "uncertainty.draws"), ({"draws": 100_001}, "uncertainty.draws"),
    ({"draws": 2.5}, "uncertainty.draws"), ({"draws": "100"}, "uncertainty.draws"),
    ({"draws": 10, "seed": -1}, "uncertainty.seed"), ({"draws": 10, "seed": 1.5},
                                                      "uncertainty.seed"),
    ({}, "uncertainty.draws"), ({"draws": 10, "sead": 1}, "uncertainty.sead"),
    ("many", "uncertainty")])
def test_bad_uncertainty_is_422_naming_the_field(api, keys, uncertainty, field):
    resp = api.post("/v1/footprints", json={"product": PRODUCT, "uncertainty": uncertainty},
                    headers=keys["alice"])
    body = problem(resp, 422)
    assert field in body["errors"], body


def test_comparison_shares_draws_and_gives_probability(api, keys):
    body = {"product": PRODUCT, "reference": "virgin",
            "cases": [{"label": "virgin", "variant": "virgin"},
                      {"label": "recycled", "variant": "recycled"},
                      {"label": "virgin, 1 % more yield", "variant": "virgin",
                       "parameters": {"yield": 0.8585}}],
            "uncertainty": {"draws": 2000, "seed": 5}}
    resp = api.post("/v1/comparisons", json=body, headers=keys["erin"])
    assert resp.status_code == 200, resp.get_json()
    cases = {c["label"]: c for c in resp.get_json()["cases"]}
    assert cases["virgin"]["uncertainty"]["probability_below_reference"] is None
    assert cases["recycled"]["uncertainty"]["probability_below_reference"] == 1.0
    # a 1 % better yield lowers the footprint in every common draw: with independent draws
    # the two intervals overlap almost entirely and the probability would be near 0.5
    small = cases["virgin, 1 % more yield"]
    assert small["uncertainty"]["probability_below_reference"] == 1.0
    ref_mc = cases["virgin"]["footprint"]["uncertainty"]["per_declared_unit"]["total"]
    own_mc = small["footprint"]["uncertainty"]["per_declared_unit"]["total"]
    assert own_mc["p97_5"] > ref_mc["p2_5"]  # the intervals overlap ...
    encoded = service.footprints.model(PRODUCT).resolve
    engine = get_engine()
    a = simulate(engine.system(PRODUCT), engine.background(),
                 encoded("virgin", None).encoded, 2000, 5).parts["total"]
    b = simulate(engine.system(PRODUCT), engine.background(),
                 encoded("virgin", {"yield": 0.8585}).encoded, 2000, 5).parts["total"]
    rng = np.random.default_rng(0)
    independent = float(np.mean(b < rng.permutation(a)))
    assert 0.3 < independent < 0.7  # ... and unpaired draws could not tell them apart
    assert small["uncertainty"]["difference"]["p97_5"] < 0


def test_comparison_draw_budget(api, keys):
    """Found in review: 20 cases x 100,000 draws ran 166 s on a request thread. Draws x cases
    is bounded (pcf.config.MC_MAX_COMPARISON_DRAWS) and the answer names the most allowed."""
    cases = [{"label": f"c{i}", "variant": "recycled"} for i in range(4)]
    resp = api.post("/v1/comparisons", json={"product": PRODUCT, "cases": cases,
                                             "uncertainty": {"draws": 60000}},
                    headers=keys["erin"])
    body = problem(resp, 422)
    assert "uncertainty.draws" in json.dumps(body) and "50000" in json.dumps(body)
