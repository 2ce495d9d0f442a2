"""The PACT dqi rule (pcf.accounting.data_quality.pedigree_dqi) on constructed footprints."""

from __future__ import annotations

import pytest

from pcf.accounting.data_quality import contribution_scores, pedigree_dqi

P = ("technological", "geographical", "temporal", "completeness", "reliability")


def ped(t, g, tm, c, r):
    return dict(zip(P, (t, g, tm, c, r), strict=True))


def contribution(kg, pedigree=None, ef=None):
    meta = {"pedigree": pedigree or {}, "ef_pedigree": ef or {}}
    return {"kg_co2e_per_declared_unit": kg, "provenance": [meta]}


def test_worse_of_amount_and_background_dataset():
    c = contribution(1.0, ped(1, 2, 3, 4, 5), ped(2, 1, 3, 5, 1))
    assert contribution_scores(c) == {"technological": 2, "geographical": 2, "temporal": 3,
                                      "completeness": 5, "reliability": 5}
    assert contribution_scores(contribution(1.0)) is None  # exact figures are not rated


def test_weighted_by_absolute_contribution_and_five_percent_cut():
    fp = {"contributions": [
        contribution(6.0, ped(1, 1, 1, 1, 1)),
        contribution(-3.0, ped(4, 2, 3, 3, 3)),      # a credit weighs by its size
        contribution(0.4, ped(5, 5, 5, 5, 5)),       # 0.4 / 10.4 < 5 %: not rated
        contribution(1.0),                           # exact: counts in coverage's denominator
    ]}
    out = pedigree_dqi(fp)
    # technological: (6*1 + 3*4) / 9 = 2.0; geographical (6 + 6) / 9 = 1.33 -> 1.3
    assert out["technologicalDQR"] == 2.0
    assert out["geographicalDQR"] == 1.3
    assert out["temporalDQR"] == pytest.approx(round((6 + 9) / 9, 1))
    assert out["coveragePercent"] == pytest.approx(round(100 * 9 / 10.4, 2))


def test_nothing_rated():
    out = pedigree_dqi({"contributions": [contribution(2.0)]})
    assert out["technologicalDQR"] is None and out["coveragePercent"] == 0.0
