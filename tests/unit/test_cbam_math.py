"""CBAM arithmetic (pcf.accounting.cbam) against hand-computed cases; no Brightway."""

from __future__ import annotations

import pytest

from pcf.accounting.cbam import markup_for, qualifying_parameters, specific_embedded_emissions


def test_see_of_a_complex_good_by_hand():
    # 1000 t of coil, 150 t CO2 attributed, 800 t ingot at 3.0, 230 t scrap at 0:
    # (150 + 2400 + 0) / 1000 = 2.55
    assert specific_embedded_emissions(150.0, [(800.0, 3.0), (230.0, 0.0)], 1000.0) == \
        pytest.approx(2.55, rel=1e-12)
    # no precursors: the attributed emissions per tonne
    assert specific_embedded_emissions(40.0, [], 20.0) == pytest.approx(2.0)


@pytest.mark.parametrize("args", [(1.0, [], 0.0), (-1.0, [], 1.0), (1.0, [(-1.0, 2.0)], 1.0),
                                  (1.0, [(1.0, -2.0)], 1.0)])
def test_see_refuses_nonsense(args):
    with pytest.raises(ValueError):
        specific_embedded_emissions(*args)


def test_qualifying_parameters_by_hand():
    qp = qualifying_parameters(2.0, 0.3, 0.1, 0.025)
    assert qp["scrap_t_per_t"] == pytest.approx(0.2)
    assert qp["pre_consumer_scrap_percent"] == pytest.approx(25.0)
    assert qp["alloying_elements_above_1_percent"] is True
    assert qp["alloying_elements_percent"] == pytest.approx(2.5)
    none = qualifying_parameters(1.0, 0.0, 0.0, None)
    assert none["pre_consumer_scrap_percent"] is None
    assert none["alloying_elements_above_1_percent"] is None
    low = qualifying_parameters(1.0, 0.0, 0.0, 0.005)
    assert low["alloying_elements_above_1_percent"] is False
    assert low["alloying_elements_percent"] is None
    with pytest.raises(ValueError):
        qualifying_parameters(1.0, 0.0, 0.0, 1.5)
    with pytest.raises(ValueError):
        qualifying_parameters(0.0, 0.0, 0.0, None)


def test_markup_by_year():
    table = [{"year": 2027, "markup": 0.2}, {"year": 2026, "markup": 0.1},
             {"year": 2028, "markup": 0.3}]
    assert markup_for(table, 2025) == 0.0
    assert markup_for(table, 2026) == 0.1
    assert markup_for(table, 2027) == 0.2
    assert markup_for(table, 2031) == 0.3
