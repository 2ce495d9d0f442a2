"""pcf.engine.linalg against hand-solved textbook systems (no Brightway, no I/O).

In the style of pymrio's tests/test_math.py: every expected number below was worked out by
hand (the arithmetic is in the comments), not copied from what the code prints.

Main case: the two-process example of Heijungs & Suh, *The Computational Structure of Life
Cycle Assessment* (Kluwer, 2002), chapter 2 "The basic model for inventory analysis":

    "The production of 10 kWh electricity requires 2 litres of fuel and emits 1 kg CO2 and
    0.1 kg SO2. The production of 100 litres of fuel requires 50 litres of crude oil and emits
    10 kg CO2 and 2 kg SO2." Demand: 1000 kWh of electricity.

Rows/columns in the order (electricity, fuel); biosphere rows (CO2 kg, SO2 kg, crude oil l).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from scipy.sparse import csc_matrix, csr_matrix

from pcf.engine.linalg import cumulative_impacts, supply

# --- Heijungs & Suh (2002), ch. 2 ------------------------------------------------------------
#                 electricity  fuel
HS_A = np.array([[10.0,        0.0],     # kWh electricity
                 [-2.0,      100.0]])    # litre fuel
HS_B = np.array([[1.0,        10.0],     # kg CO2
                 [0.1,         2.0],     # kg SO2
                 [0.0,       -50.0]])    # litre crude oil (extraction: negative)
# Two "methods": a GWP-like one (CO2 = 1) and an acidification-like one (SO2 = 1 kg SO2-eq).
HS_C = np.array([[1.0, 0.0],
                 [0.0, 1.0],
                 [0.0, 0.0]])


def test_heijungs_suh_scaling_inventory_and_impact():
    # s = A^-1 f with f = (1000 kWh, 0 l):
    #   electricity row: 10 s_e            = 1000  -> s_e = 100
    #   fuel row:        -2 s_e + 100 s_f  = 0     -> s_f = 200 / 100 = 2
    s = 1000.0 * supply(HS_A, 0)  # f = 1000 * e_electricity
    np.testing.assert_allclose(s, [100.0, 2.0], rtol=1e-12)
    # g = B s: CO2 = 1*100 + 10*2 = 120 kg; SO2 = 0.1*100 + 2*2 = 14 kg; crude = -50*2 = -100 l
    g = HS_B @ s
    np.testing.assert_allclose(g, [120.0, 14.0, -100.0], rtol=1e-12)
    # h = C^T g: 120 kg CO2-eq and 14 kg SO2-eq (the textbook's answer)
    np.testing.assert_allclose(HS_C.T @ g, [120.0, 14.0], rtol=1e-12)


def test_heijungs_suh_supply_per_unit_of_reference():
    # supply(A, 0) = A^-1 e_electricity, per 1 kWh: s_e = 1/10 = 0.1 runs of the 10-kWh
    # process; fuel: -2*0.1 + 100 s_f = 0 -> s_f = 0.2/100 = 0.002 runs of the 100-l process.
    np.testing.assert_allclose(supply(HS_A, 0), [0.1, 0.002], rtol=1e-12)
    # reference = fuel: 10 s_e = 0 -> s_e = 0; 100 s_f = 1 -> s_f = 0.01
    np.testing.assert_allclose(supply(HS_A, 1), [0.0, 0.01], atol=1e-15)


def test_heijungs_suh_cumulative_impacts():
    # lambda solves A^T lambda = B^T c, per unit of each activity's output:
    #   A^T = |10  -2|   B^T c (GWP)  = (1, 10)     B^T c (acid.) = (0.1, 2)
    #         | 0 100|
    #   fuel:         100 l_f = 10           -> 0.1 kg CO2/l;    100 l_f = 2 -> 0.02 kg SO2/l
    #   electricity:  10 l_e - 2*0.1 = 1     -> 1.2/10 = 0.12 kg CO2/kWh
    #                 10 l_e - 2*0.02 = 0.1  -> 0.14/10 = 0.014 kg SO2/kWh
    # Check against the inventory: 1000 kWh * 0.12 = 120 kg CO2, 1000 * 0.014 = 14 kg SO2.
    lam = cumulative_impacts(csc_matrix(HS_A), csc_matrix(HS_B), HS_C)
    assert lam.shape == (2, 2)
    np.testing.assert_allclose(lam, [[0.12, 0.014],
                                     [0.1, 0.02]], rtol=1e-12)


def test_cumulative_impacts_accepts_csr_technosphere_and_one_method():
    # bw2calc hands over CSR matrices; one method as a 1-D vector gives one value per activity.
    lam = cumulative_impacts(csr_matrix(HS_A), csr_matrix(HS_B), HS_C[:, 0])
    np.testing.assert_allclose(lam, [0.12, 0.1], rtol=1e-12)


# --- the same system with a loop: the fuel refinery also uses electricity ---------------------
# Our own variant of the textbook case (not in the book): 100 l fuel also take 20 kWh.
LOOP_A = np.array([[10.0, -20.0],
                   [-2.0, 100.0]])


def test_loop_scaling_and_inventory():
    # det A = 10*100 - (-20)(-2) = 1000 - 40 = 960; f = (1000, 0) (Cramer's rule):
    #   s_e = (1000*100 - (-20)*0) / 960 = 100000/960 = 625/6  (= 104.1666...)
    #   s_f = (10*0 - (-2)*1000) / 960  = 2000/960   = 25/12  (= 2.08333...)
    # g = B s: CO2 = 625/6 + 10*25/12 = 1250/12 + 250/12 = 1500/12 = 125 kg
    #          SO2 = 0.1*625/6 + 2*25/12 = 125/12 + 50/12 = 175/12 kg
    #          crude = -50*25/12 = -1250/12 l
    s = 1000.0 * supply(LOOP_A, 0)
    np.testing.assert_allclose(s, [625 / 6, 25 / 12], rtol=1e-12)
    np.testing.assert_allclose(HS_B @ s, [125.0, 175 / 12, -1250 / 12], rtol=1e-12)


def test_loop_cumulative_impacts():
    # A^T lambda = B^T c (GWP): 10 l_e - 2 l_f = 1;  -20 l_e + 100 l_f = 10
    #   l_e = (1 + 2 l_f)/10 -> -2 - 4 l_f + 100 l_f = 10 -> 96 l_f = 12 -> l_f = 0.125
    #   l_e = (1 + 0.25)/10 = 0.125 kg CO2 per kWh; 1000 kWh -> 125 kg, as the inventory above.
    lam = cumulative_impacts(csc_matrix(LOOP_A), csc_matrix(HS_B), HS_C[:, :1])
    np.testing.assert_allclose(lam[:, 0], [0.125, 0.125], rtol=1e-12)


# --- the foreground/background split of the module docstring ---------------------------------

def test_partitioned_score_equals_full_system():
    # Electricity is the foreground F, fuel the background G (G never consumes F, so A is block
    # lower-triangular). Per 1 kWh:
    #   s_F = A_FF^-1 e = 1/10 = 0.1
    #   lambda_G = A_GG^-T B_G^T c = 10/100 = 0.1 kg CO2 per litre of fuel
    #   h = c^T B_F s_F + lambda_G (-A_GF s_F) = 1*0.1 + 0.1*(2*0.1) = 0.1 + 0.02 = 0.12 kg CO2,
    # equal to the full system's cumulative impact of electricity (0.12, test above).
    a_ff, a_gf, a_gg = HS_A[:1, :1], HS_A[1:, :1], HS_A[1:, 1:]
    b_f, b_g = HS_B[:, :1], HS_B[:, 1:]
    s_f = supply(a_ff, 0)
    lam_g = cumulative_impacts(csc_matrix(a_gg), csc_matrix(b_g), HS_C[:, :1])
    h = (HS_C[:, 0] @ b_f @ s_f) + (lam_g[:, 0] @ (-a_gf @ s_f))
    assert h == pytest.approx(0.12, rel=1e-12)


# --- a three-process foreground with the reference activity last ---------------------------

def test_three_process_chain_reference_not_first():
    # Columns (electricity kWh, metal kg, product kg), each producing 1 unit:
    #   product: 1.1 kg metal + 2 kWh;  metal: 15 kWh;  electricity: nothing from the foreground
    # Per 1 kg product: s_product = 1; s_metal = 1.1; s_el = 2 + 1.1*15 = 18.5
    # Direct CO2: electricity 0.8 kg/kWh, metal 1.5 kg/kg (anode), product 0:
    #   h = 18.5*0.8 + 1.1*1.5 = 14.8 + 1.65 = 16.45 kg CO2
    a = np.array([[1.0, -15.0, -2.0],
                  [0.0, 1.0, -1.1],
                  [0.0, 0.0, 1.0]])
    b = np.array([[0.8, 1.5, 0.0]])
    s = supply(a, 2)
    np.testing.assert_allclose(s, [18.5, 1.1, 1.0], rtol=1e-12)
    assert (b @ s)[0] == pytest.approx(16.45, rel=1e-12)
    # cumulative per unit: el 0.8; metal 1.5 + 15*0.8 = 13.5; product 2*0.8 + 1.1*13.5 = 16.45
    lam = cumulative_impacts(csc_matrix(a), csc_matrix(b), np.array([[1.0]]))
    np.testing.assert_allclose(lam[:, 0], [0.8, 13.5, 16.45], rtol=1e-12)


def test_supply_of_a_singular_foreground_raises():
    # Two activities that only feed each other and produce nothing net (1 - 1*1 = 0).
    with pytest.raises(np.linalg.LinAlgError):
        supply(np.array([[1.0, -1.0], [-1.0, 1.0]]), 0)


# --- properties -----------------------------------------------------------------------------

def _technosphere(n: int, off: np.ndarray, diag: np.ndarray) -> np.ndarray:
    """Production on the diagonal, inputs <= 0 off it; column sums of inputs below half the
    output keep A strictly diagonally dominant (non-singular, well-conditioned)."""
    a = -np.abs(off[:n, :n]) / n * 0.5 * diag[None, :n]  # inputs of column j < diag[j] / 2
    np.fill_diagonal(a, diag[:n])
    return a


_dims = st.integers(1, 6)
_off = arrays(np.float64, (6, 6), elements=st.floats(0.0, 1.0))
_diag = arrays(np.float64, (6,), elements=st.floats(0.1, 100.0))


@settings(max_examples=60, deadline=None)
@given(n=_dims, off=_off, diag=_diag, data=st.data())
def test_supply_solves_a_s_equals_demand(n, off, diag, data):
    a = _technosphere(n, off, diag)
    ref = data.draw(st.integers(0, n - 1))
    s = supply(a, ref)
    expected = np.zeros(n)
    expected[ref] = 1.0
    np.testing.assert_allclose(a @ s, expected, atol=1e-9)
    # inputs are never negative production: a well-formed system needs s >= 0
    assert (s >= -1e-12).all()


@settings(max_examples=60, deadline=None)
@given(n=_dims, off=_off, diag=_diag,
       b=arrays(np.float64, (3, 6), elements=st.floats(-10.0, 10.0)),
       c=arrays(np.float64, (3, 2), elements=st.floats(0.0, 5.0)),
       f=arrays(np.float64, (6,), elements=st.floats(0.0, 10.0)))
def test_cumulative_impacts_dual_of_supply(n, off, diag, b, c, f):
    # lambda^T f == c^T B A^-1 f for any demand f (the score two ways round)
    a = _technosphere(n, off, diag)
    b, f = b[:, :n], f[:n]
    lam = cumulative_impacts(csc_matrix(a), csc_matrix(b), c)
    np.testing.assert_allclose(a.T @ lam, b.T @ c, atol=1e-8)
    score_via_lambda = lam.T @ f
    score_via_supply = c.T @ (b @ np.linalg.solve(a, f))
    np.testing.assert_allclose(score_via_lambda, score_via_supply, rtol=1e-9, atol=1e-8)
