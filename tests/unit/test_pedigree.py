"""Pedigree rules of pcf.inventory.uncertainty against the ecoinvent v3 tables, by hand."""

from __future__ import annotations

import math

import pytest

from pcf.inventory.uncertainty import (
    Uncertainty,
    brightway_fields,
    geographical_score,
    pedigree_sigma,
    temporal_score,
)

VARIANCES = {  # ecoinvent v3 data-quality guideline (shared/reference/methods.md 6.1)
    "reliability": [0, 0.0006, 0.002, 0.008, 0.04],
    "completeness": [0, 0.0001, 0.0006, 0.002, 0.008],
    "temporal": [0, 0.0002, 0.002, 0.008, 0.04],
    "geographical": [0, 0.000025, 0.0001, 0.0006, 0.002],
    "technological": [0, 0.0006, 0.008, 0.04, 0.12],
}
RULES = {"same": 1, "larger_area": 2, "part_of_area": 3, "other": 4}


def test_pedigree_sigma_adds_variances():
    scores = {"reliability": 4, "completeness": 4, "temporal": 3, "geographical": 2,
              "technological": 3}
    # 0.0006 + 0.008 + 0.002 + 0.002 + 0.000025 + 0.008 = 0.020625
    assert pedigree_sigma(scores, 0.0006, VARIANCES) == pytest.approx(math.sqrt(0.020625))
    ones = dict.fromkeys(VARIANCES, 1)
    assert pedigree_sigma(ones, 0.12, VARIANCES) == pytest.approx(math.sqrt(0.12))


@pytest.mark.parametrize(("year", "score"), [(2025, 1), (2023, 1), (2022, 2), (2020, 2),
                                             (2019, 3), (2016, 3), (2015, 4), (2011, 4),
                                             (2010, 5), (1998, 5)])
def test_temporal_score_by_age(year, score):
    assert temporal_score(year, 2025, [3, 6, 10, 15]) == score


@pytest.mark.parametrize(("figure", "location", "score"), [
    ("CN", "CN", 1), ("CN", "CN-EAST", 2), ("GLO", "CN", 2), ("AU-CN", "CN", 2),
    ("CN-JX", "CN", 3), ("EU", "CN", 4), ("GB", "US", 4)])
def test_geographical_score(figure, location, score):
    assert geographical_score(figure, location, RULES) == score


def test_brightway_fields_of_a_lognormal():
    u = Uncertainty("lognormal", sigma=0.2)
    assert brightway_fields(u, -2.5) == {"uncertainty type": 2, "loc": math.log(2.5),
                                         "scale": 0.2, "negative": True}
    assert brightway_fields(u, 0.0)["uncertainty type"] == 0
    assert brightway_fields(Uncertainty("none"), 3.0) == {"uncertainty type": 1}
    tri = brightway_fields(Uncertainty("triangular", low=0.5, mode=1.0, high=2.0), 4.0)
    assert (tri["minimum"], tri["loc"], tri["maximum"]) == (2.0, 4.0, 8.0)
