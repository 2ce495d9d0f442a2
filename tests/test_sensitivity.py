"""Sensitivity (issue 17): variance shares by input and SRC of parameters."""

from __future__ import annotations

import numpy as np
import pytest

from pcf.errors import InvalidInput


def test_variance_shares_add_up_and_parameters_have_the_expected_signs(built_home):
    from pcf.service.sensitivity import sensitivity

    doc = sensitivity("aluminium-coil", draws=3000, seed=4)
    shares = [r["variance_share"] for r in doc["inputs"]]
    assert sum(shares) + doc["inputs_other_share"] == pytest.approx(1.0, abs=1e-9)
    assert shares == sorted(shares, key=lambda s: -abs(s))
    src = {r["parameter"]: r["src"] for r in doc["parameters_src"]}
    # a better casting yield needs less metal per kg of coil; more melt loss needs more
    assert src["yield"] < 0 < src["melt_loss"]
    assert 0 < doc["r_squared"] <= 1
    assert sum(s * s for s in src.values()) == pytest.approx(doc["r_squared"], abs=0.1)
    assert doc == sensitivity("aluminium-coil", draws=3000, seed=4)


def test_a_set_parameter_is_not_drawn(built_home):
    from pcf.service.sensitivity import sensitivity

    doc = sensitivity("aluminium-coil", parameters={"yield": 0.9}, draws=500, seed=1)
    assert "yield" not in {r["parameter"] for r in doc["parameters_src"]}
    assert doc["parameters"]["yield"] == 0.9


def test_covariance_shares_by_hand():
    # T = X1 + X2 with independent X1 (sd 3) and X2 (sd 1): shares 0.9 and 0.1
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(0, 3, 400_000), rng.normal(0, 1, 400_000)])
    t = x.sum(axis=1)
    share = ((x - x.mean(0)) * (t - t.mean())[:, None]).mean(0) / t.var()
    assert share == pytest.approx([0.9, 0.1], abs=0.005)


@pytest.mark.parametrize(("draws", "seed", "field"), [(0, 0, "draws"), (10, -2, "seed")])
def test_bad_draws_or_seed(built_home, draws, seed, field):
    from pcf.service.sensitivity import sensitivity

    with pytest.raises(InvalidInput) as info:
        sensitivity("aluminium-coil", draws=draws, seed=seed)
    assert info.value.field == field
