"""The Circular Footprint Formula (pcf.accounting.cff) on constructed cases; no Brightway."""

from __future__ import annotations

import pytest

from pcf.accounting.cff import (
    cutoff_material_term,
    eol_material_term,
    material_term,
    recycled_content_adjustment,
)


@pytest.mark.parametrize("r1", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("ev, erec", [(16.5, 0.5), (2.0, 3.0)])
def test_a_equal_1_reduces_to_cut_off(r1, ev, erec):
    # methods.md section 1.1: cut-off is the CFF with A = 1
    assert material_term(r1, ev, erec, a=1.0) == pytest.approx(cutoff_material_term(r1, ev, erec))
    assert recycled_content_adjustment(r1, ev, erec, a=1.0) == 0.0


def test_constructed_case_by_hand():
    # R1 = 0.4, Ev = 10, Erecycled = 1, A = 0.2, Qsin/Qp = 0.9:
    # 0.6*10 + 0.4*(0.2*1 + 0.8*10*0.9) = 6 + 0.4*(0.2 + 7.2) = 8.96
    assert material_term(0.4, 10.0, 1.0, 0.2, 0.9) == pytest.approx(8.96)
    # cut-off: 0.6*10 + 0.4*1 = 6.4; difference 2.56 = 0.4*0.8*(9 - 1)
    assert cutoff_material_term(0.4, 10.0, 1.0) == pytest.approx(6.4)
    assert recycled_content_adjustment(0.4, 10.0, 1.0, 0.2, 0.9) == pytest.approx(2.56)
    # A = 0 (avoided burden, 0:100): recycled input charged as virgin when Q = 1
    assert material_term(0.4, 10.0, 1.0, 0.0) == pytest.approx(10.0)


def test_end_of_life_term():
    # (1 - 0.2) * 0.9 * (0.5 - 16 * 1) = -11.16: a credit
    assert eol_material_term(0.9, 0.2, 0.5, 16.0) == pytest.approx(-11.16)
    assert eol_material_term(0.9, 1.0, 0.5, 16.0) == 0.0


@pytest.mark.parametrize("call", [
    lambda: material_term(1.2, 1, 1, 0.2), lambda: material_term(0.5, 1, 1, -0.1),
    lambda: material_term(0.5, 1, 1, 0.2, 1.5), lambda: recycled_content_adjustment(-1, 1, 1, .2),
    lambda: eol_material_term(2, 0.2, 1, 1), lambda: cutoff_material_term(-0.1, 1, 1)])
def test_out_of_range_inputs_refused(call):
    with pytest.raises(ValueError):
        call()
