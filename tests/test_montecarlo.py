"""Monte Carlo on the partitioned engine (pcf.engine.montecarlo), against hand arithmetic."""

from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np
import pytest

from pcf.engine.montecarlo import Background, Factors, simulate, summary
from pcf.errors import InvalidInput


def _no_uncertainty(factors: Factors) -> Factors:
    return dataclasses.replace(factors, kind=np.zeros_like(factors.kind))


def test_factors_follow_their_distributions():
    specs = [{"distribution": "lognormal", "sigma": 0.2}, {"distribution": "normal",
                                                          "sigma": 0.1},
             {"distribution": "uniform", "low": 0.5, "high": 1.5},
             {"distribution": "triangular", "low": 0.6, "mode": 1.0, "high": 2.0}, None]
    x = Factors.from_specs(specs).draw(np.random.default_rng(7), 200_000)
    assert np.median(x[:, 0]) == pytest.approx(1.0, abs=0.005)
    assert np.std(np.log(x[:, 0])) == pytest.approx(0.2, rel=0.01)
    assert np.std(x[:, 1]) == pytest.approx(0.1, rel=0.01)
    assert (x[:, 2].min() >= 0.5, x[:, 2].max() <= 1.5) == (True, True)
    assert np.mean(x[:, 2]) == pytest.approx(1.0, abs=0.005)
    assert np.mean(x[:, 3]) == pytest.approx((0.6 + 1.0 + 2.0) / 3, abs=0.005)  # (a+c+b)/3
    assert np.all(x[:, 4] == 1.0)


def _two_activity_background(loop: bool) -> Background:
    # A uses 2 B and emits 1 kg CO2; B emits 0.5 kg CO2 (and, with a loop, uses 0.1 A):
    # no loop: lambda_B = 0.5, lambda_A = 1 + 2 * 0.5 = 2
    # loop:    lambda_B = 0.5 + 0.1 lambda_A, lambda_A = 1 + 2 lambda_B -> lambda_A = 2/0.8
    cf = np.array([1.0, 1.0, 0.0, 0.0])
    tech = [(0, 1, 2.0, None)] + ([(1, 0, 0.1, None)] if loop else [])
    bio = [(0, cf, 1.0, None), (1, cf, 0.5, None)]
    return Background(2, tech, bio, np.ones(2))


def test_background_by_hand_with_and_without_loop():
    plain = _two_activity_background(loop=False)
    assert plain.order is not None
    assert plain.deterministic()[:, 0] == pytest.approx([2.0, 0.5])
    looped = _two_activity_background(loop=True)
    assert looped.order is None  # solved as a system
    assert looped.deterministic()[:, 0] == pytest.approx([2.0 / 0.8, 0.5 + 0.1 * 2.0 / 0.8])


def test_background_draws_equal_the_engine_lambda(engine):
    background = engine.background()
    rows = list(engine._act_index.values())
    lam = background.deterministic()[rows]
    # the engine's lambda comes from bw2calc's float32 matrices
    assert np.abs(lam - engine._lam[rows]).max() <= 1e-6 * np.abs(engine._lam[rows]).max()


def test_without_uncertainty_every_draw_is_the_footprint(engine):
    system = copy.copy(engine.system("aluminium-coil"))
    system.mc_factors = _no_uncertainty(system.mc_factors)
    background = copy.copy(engine.background())
    background.t_factors = _no_uncertainty(background.t_factors)
    background.b_factors = _no_uncertainty(background.b_factors)
    values = {"recycled_content": 0.4}
    draws = simulate(system, background, values, 50, seed=3)
    result = system.evaluate(values)
    assert draws.parts["total"] == pytest.approx(np.full(50, result.per_declared_unit["total"]),
                                                 rel=1e-6)
    for stage, value in result.stages.items():
        assert draws.stages[stage] == pytest.approx(np.full(50, value), rel=1e-6, abs=1e-12)


def test_seeded_and_reproducible(engine):
    system, background = engine.system("ndfeb-magnet"), engine.background()
    a = simulate(system, background, {}, 3000, seed=11)
    b = simulate(system, background, {}, 3000, seed=11)
    c = simulate(system, background, {}, 500, seed=11)
    d = simulate(system, background, {}, 500, seed=12)
    assert np.array_equal(a.parts["total"], b.parts["total"])
    assert np.array_equal(a.parts["total"][:500], c.parts["total"])  # prefix-stable
    assert not np.array_equal(c.parts["total"], d.parts["total"])


def test_stages_and_parts_sum_to_the_total_in_every_draw(engine):
    draws = simulate(engine.system("battery-cell-nmc811"), engine.background(), {}, 400, 5)
    total = draws.parts["total"]
    assert sum(draws.stages.values()) == pytest.approx(total, rel=1e-9)
    parts = draws.parts["fossil"] + draws.parts["biogenic"] + draws.parts["land_use"]
    assert parts == pytest.approx(total, rel=1e-9)


def test_summary_by_hand():
    x = np.exp(np.array([-1.0, 0.0, 1.0, 2.0]))
    s = summary(x)
    assert s["median"] == pytest.approx((1.0 + math.e) / 2)  # midway between the middle two
    assert s["gsd"] == pytest.approx(math.exp(np.std([-1.0, 0.0, 1.0, 2.0], ddof=1)))
    assert summary(np.array([-1.0, 1.0, 2.0]))["gsd"] is None


@pytest.mark.parametrize(("draws", "seed", "field"), [
    (0, 1, "uncertainty.draws"), (-5, 1, "uncertainty.draws"), (100_001, 1, "uncertainty.draws"),
    (2.5, 1, "uncertainty.draws"), (True, 1, "uncertainty.draws"), ("10", 1, "uncertainty.draws"),
    (10, -1, "uncertainty.seed"), (10, 2**63, "uncertainty.seed"), (10, 1.5, "uncertainty.seed"),
    (10, "x", "uncertainty.seed")])
def test_bad_requests_name_the_field(draws, seed, field):
    from pcf.engine.montecarlo import check_request

    with pytest.raises(InvalidInput) as info:
        check_request(draws, seed)
    assert info.value.field == field


def test_every_exchange_has_its_uncertainty_in_brightway_fields(built_home):
    from pcf.bw import bw2data

    bd = bw2data()
    bd.projects.set_current("pcf")
    seen = 0
    for database in ("pcf-background", "pcf-products"):
        for node in bd.Database(database):
            for ex in node.exchanges():
                if ex["type"] == "production":
                    continue
                spec = ex["pcf_uncertainty"]
                seen += 1
                if spec["distribution"] == "lognormal" and ex["amount"] != 0:
                    assert ex["uncertainty type"] == 2
                    assert ex["loc"] == pytest.approx(math.log(abs(ex["amount"])))
                    assert ex["scale"] == pytest.approx(spec["sigma"])
                    assert math.exp(ex["scale"]) == pytest.approx(spec["gsd"])
                elif spec["distribution"] == "none":
                    assert ex["uncertainty type"] == 1
    assert seen > 300
