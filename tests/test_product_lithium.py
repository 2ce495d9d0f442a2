"""lithium-hydroxide and lithium-carbonate (issue 14): brine, spodumene and recycled results
by independent arithmetic and beside Istrate et al. 2024, lithium mass balances, settings.

Published figures (shared/reference/lca-data.md, Istrate 2024, ecoinvent 3.10 background):
LiOH.H2O brine 7.70 / spodumene 17.24; Li2CO3 brine 3.62 / spodumene 24.11 kg CO2e/kg. The
factors below are the ones written in databases/ (and AR6 GWPs), not the engine's output.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pcf import service

LIOH, LI2CO3 = "lithium-hydroxide", "lithium-carbonate"
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

GRID = {"cn-national": 0.5306 + 0.051400, "cn-sichuan": 0.1404 + 0.013601,
        "cn-jiangsu": 0.55 + 0.053279, "cn-east": 0.55 + 0.053279,
        "cn-ets-0581": 0.5810 + 0.056299, "cn-southwest": 0.2472 + 0.023947,
        "cn-central": 0.5271 + 0.051061, "cn-north": 0.6361 + 0.061620,
        "cn-south": 0.4042 + 0.039155, "world": 0.481}
# T&D losses to medium voltage on every grid mix (premise: CN 3.1405 %, GLO 4.6081 %); the ETS
# reporting factor is the company's accounting basis, no grid mix, and carries none
GRID = {k: v * (1.046081 if k == "world" else 1.0 if k == "cn-ets-0581" else 1.031405)
        for k, v in GRID.items()}
SUPPLY = {"pv": 0.045, "wind": 0.011, "hydro": 0.024}
GAS = (56.1 + 0.001 * 29.8 + 0.0001 * 273 + 9.2972) / 1000
COAL = (94.6 + 0.010 * 29.8 + 0.0015 * 273 + 16.4583) / 1000
DIESEL = (74.1 + 0.003 * 29.8 + 0.0006 * 273 + 17.475) / 1000
H2SO4, NAOH, SODA, LIME = 0.04338, 2.0092, 11.0 * GAS, 1.2683
CONCENTRATE, BRINE = 0.150736, 0.033983
# hydrometallurgical recycling, per kg of recovered salts (materials-battery.yaml)
RECYCLED_LI2CO3 = 1.2087 * H2SO4 + 0.07441 * 1.0813 + 0.6171 * SODA + 0.9074 * GRID["cn-national"]
ATACAMA_LI2CO3 = 21.795062 * BRINE + 0.41453 * GRID["world"] + 22.8678 * GAS + 2.0488 * SODA
# molar masses (IUPAC 2021)
LI, LIOH_H2O, LI2CO3_M, LI2O = 6.94, 41.96, 73.89, 29.88
ISTRATE = {(LIOH, "brine"): 7.7022, (LIOH, "spodumene"): 17.2373,
           (LI2CO3, "brine"): 3.6201, (LI2CO3, "spodumene"): 24.1051}
ECOINVENT_CN_GRID, ECOINVENT_COAL_HEAT = 0.95161, 0.138423   # implied by Istrate's breakdown


def total(product, variant=None, **params) -> float:
    return service.compute_footprint(product, variant=variant,
                                     parameters=params or None)["per_declared_unit"]["total"]


def stages(product, **params) -> dict[str, float]:
    fp = service.compute_footprint(product, parameters=params or None)
    return {s["stage"]: s["kg_co2e_per_declared_unit"] for s in fp["stages"]}


def lioh_spodumene_conversion(grid="cn-national") -> float:
    return (3.5 * GRID[grid] + 71.343 * COAL + 1.52 * H2SO4 + 1.18 * NAOH + 0.025 * SODA
            + 0.6 * LIME)


def causticization(grid="cn-national") -> float:
    return 1.3889 * GRID[grid] + 18.9 * GAS + 3.0 * DIESEL + 1.15 * LIME


def li2co3_spodumene_conversion(grid="cn-national") -> float:
    return (1.8 * GRID[grid] + 135.89 * COAL + 1.71 * H2SO4 + 2.05 * SODA + 0.05 * NAOH
            + 0.7 * LIME)


# --- stage splits by independent arithmetic-------------------------------------------------------

def test_lithium_hydroxide_routes_and_stages(built_home):
    spod = stages(LIOH, route="spodumene")
    assert spod["raw-materials"] == pytest.approx(6.42 * CONCENTRATE, rel=1e-6)
    assert spod["conversion"] == pytest.approx(lioh_spodumene_conversion(), rel=1e-6)
    brine = stages(LIOH, route="brine")
    assert brine["raw-materials"] == pytest.approx(1.05 * ATACAMA_LI2CO3, rel=1e-6)
    assert brine["conversion"] == pytest.approx(causticization(), rel=1e-6)
    recycled = stages(LIOH, recycled_content=1)
    assert recycled["raw-materials"] == pytest.approx(1.05 * RECYCLED_LI2CO3, rel=1e-6)
    assert recycled["conversion"] == pytest.approx(causticization(), rel=1e-6)


def test_lithium_carbonate_routes_and_stages(built_home):
    spod = stages(LI2CO3, route="spodumene")
    assert spod["raw-materials"] == pytest.approx(7.3 * CONCENTRATE, rel=1e-6)
    assert spod["conversion"] == pytest.approx(li2co3_spodumene_conversion(), rel=1e-6)
    assert total(LI2CO3, route="brine") == pytest.approx(ATACAMA_LI2CO3, rel=1e-6)
    assert total(LI2CO3, "recycled") == pytest.approx(RECYCLED_LI2CO3, rel=1e-6)


# --- beside the published figures-----------------------------------------------------------------

@pytest.mark.parametrize("product", [LIOH, LI2CO3])
def test_within_published_ranges(built_home, product):
    """lca-data.md section 4: LiOH brine ~8, spodumene ~17; Li2CO3 brine 3.6, spodumene 24.1.
    Brine within 10 %; spodumene 15-20 % below Istrate, which is explained next."""
    brine, spod = total(product, route="brine"), total(product, route="spodumene")
    assert brine == pytest.approx(ISTRATE[(product, "brine")], rel=0.10)
    assert 0.75 * ISTRATE[(product, "spodumene")] <= spod <= ISTRATE[(product, "spodumene")]
    assert spod > 1.5 * brine  # ore converted with coal heat is the carbon-heavy route


@pytest.mark.parametrize("product, kwh, coal", [(LIOH, 3.5, 71.343), (LI2CO3, 1.8, 135.89)])
def test_spodumene_gap_to_istrate_is_grid_and_coal_heat(built_home, product, kwh, coal):
    """Istrate's conversion runs on ecoinvent 3.10's Chinese grid (0.952 kg/kWh) and hard-coal
    furnace (0.138 kg/MJ, with Chinese coal-mine methane); pcf uses the MEE/NBS national grid
    with its life-cycle remainder (0.582) and IPCC Tier 1 coal with UK well-to-tank (0.112).
    Swapping those two factors reproduces Istrate's total to 2 %."""
    ours = total(product, route="spodumene")
    swapped = ours + kwh * (ECOINVENT_CN_GRID - GRID["cn-national"]) \
        + coal * (ECOINVENT_COAL_HEAT - COAL)
    assert swapped == pytest.approx(ISTRATE[(product, "spodumene")], rel=0.02)


# --- lithium mass balances -----------------------------------------------------------------------

def test_lithium_units_balance():
    """Lithium per kg: LiOH.H2O 0.1654, Li2CO3 0.1878. The carbonate-to-hydroxide step (1.05 kg
    Li2CO3 per kg) keeps 84 % of the lithium; both spodumene routes imply the same concentrate
    grade, 5.5 % Li2O at full recovery (SC6 concentrate at 6 % would mean 92 % recovery)."""
    li_in_lioh = LI / LIOH_H2O
    li_in_li2co3 = 2 * LI / LI2CO3_M
    assert li_in_lioh == pytest.approx(0.16540, rel=1e-4)
    assert li_in_li2co3 == pytest.approx(0.18785, rel=1e-4)
    causticization_yield = li_in_lioh / (1.05 * li_in_li2co3)
    assert 0.8 < causticization_yield < 1.0
    li2o_per_li = LI2O / (2 * LI)
    grade_lioh = li_in_lioh / 6.42 * li2o_per_li
    grade_li2co3 = li_in_li2co3 / 7.3 * li2o_per_li
    assert grade_lioh == pytest.approx(grade_li2co3, rel=0.005)
    assert 0.05 < grade_lioh < 0.06


def test_engine_rows_carry_the_lithium_feed(built_home):
    for product, route, feed, amount in [
            (LIOH, "spodumene", "spodumene concentrate", 6.42),
            (LIOH, "brine", "lithium carbonate, battery grade, from Salar", 1.05),
            (LI2CO3, "spodumene", "spodumene concentrate", 7.3),
            (LI2CO3, "brine", "lithium carbonate, battery grade, from Salar", 1.0)]:
        fp = service.compute_footprint(product, parameters={"route": route})
        rows = [c for c in fp["contributions"] if c["input"].startswith(feed)]
        assert sum(c["amount"] for c in rows) == pytest.approx(amount, rel=1e-6), (product, route)


# --- settings-------------------------------------------------------------------------------------

@pytest.mark.parametrize("product, kwh", [(LIOH, 3.5), (LI2CO3, 1.8)])
def test_conversion_grid_moves_by_the_arithmetic(built_home, product, kwh):
    base = total(product, conversion_grid="cn-national")
    for grid in ("cn-sichuan", "cn-jiangsu", "cn-ets-0581"):
        # absolute tolerance: amounts are float32 in Brightway's matrices (~1e-7 relative)
        assert total(product, conversion_grid=grid) - base == pytest.approx(
            kwh * (GRID[grid] - GRID["cn-national"]), abs=2e-5)
    # Tianqi's 0.581 accounting factor (+ life-cycle remainder) vs location-based Jiangsu
    assert total(product, conversion_grid="cn-ets-0581") > total(product,
                                                                  conversion_grid="cn-jiangsu")


@SETTINGS
@given(product=st.sampled_from([LIOH, LI2CO3]), a=st.floats(0, 1), b=st.floats(0, 1),
       route=st.sampled_from(["brine", "spodumene"]), rc=st.floats(0, 1),
       grid=st.sampled_from(sorted(GRID)), supply=st.sampled_from(sorted(SUPPLY)))
def test_non_increasing_in_renewable_share(built_home, product, a, b, route, rc, grid, supply):
    low, high = sorted((a, b))
    common = {"route": route, "recycled_content": rc, "conversion_grid": grid,
              "renewable_supply": supply}
    assert total(product, renewable_electricity_share=high, **common) <= \
        total(product, renewable_electricity_share=low, **common) * (1 + 1e-6)  # float32 amounts


@SETTINGS
@given(product=st.sampled_from([LIOH, LI2CO3]), a=st.floats(0, 1), b=st.floats(0, 1),
       route=st.sampled_from(["brine", "spodumene"]), grid=st.sampled_from(sorted(GRID)))
def test_non_increasing_in_recycled_content(built_home, product, a, b, route, grid):
    """Recycled lithium (hydrometallurgy, cut-off) is cleaner than both virgin routes."""
    low, high = sorted((a, b))
    common = {"route": route, "conversion_grid": grid}
    assert total(product, recycled_content=high, **common) <= \
        total(product, recycled_content=low, **common) * (1 + 1e-6)  # float32 amounts


@pytest.mark.parametrize("product", [LIOH, LI2CO3])
def test_variants_and_parameters(built_home, product):
    model = service.model(product)
    assert {"virgin", "recycled", "brine", "spodumene"} <= set(model.variants)
    params = {p["name"]: p for p in service.get_product(product)["parameters"]}
    assert {"route", "conversion_grid", "renewable_electricity_share", "recycled_content"} \
        <= set(params)
    assert {"cn-sichuan", "cn-jiangsu", "cn-ets-0581"} <= set(params["conversion_grid"]["choices"])
    fp = service.compute_footprint(product, parameters={"renewable_electricity_share": 1})
    assert fp["electricity_accounting"] != service.compute_footprint(
        product)["electricity_accounting"]
