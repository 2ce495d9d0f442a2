"""graphite-anode (issue 14): published ranges, stage split and mass balance by independent
arithmetic, the coal-heavy-grid red flag, and the settings' directions.

Independent arithmetic uses the figures as written in databases/ (the product file, the
background factors) and the AR6 GWPs, never the engine's output. Published figures:
shared/reference/lca-data.md (Istrate et al. 2024: synthetic graphite 43.87 kg CO2e/kg with
graphitization electricity 24.6 on ecoinvent's Chinese grid; natural 10.56; the red flag
"synthetic graphite on a Chinese grid below about 8 kg CO2e/kg").
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pcf import service

P = "graphite-anode"
SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- factors, kg CO2e per unit (databases/background/*.yaml; AR6 CH4 29.8, N2O 273) ---
CN_TD = 1.031405  # T&D losses to medium voltage, premise CN: (1.023)(1.005)(1.0032)
GRID = {  # (combustion CO2 (MEE/NBS) + life-cycle remainder) x T&D, as in electricity.yaml
    "cn-national": 0.5306 + 0.051400, "cn-north": 0.6361 + 0.061620,
    "cn-inner-mongolia": 0.6361 + 0.061620, "cn-south": 0.4042 + 0.039155,
    "cn-guangdong": 0.4042 + 0.039155, "cn-sichuan": 0.1404 + 0.013601,
    "cn-yunnan": 0.1073 + 0.010394, "cn-east": 0.55 + 0.053279,
    "cn-central": 0.5271 + 0.051061, "cn-northwest": 0.5543 + 0.053696,
    "cn-northeast": 0.5122 + 0.049618, "cn-southwest": 0.2472 + 0.023947,
}
GRID = {k: v * CN_TD for k, v in GRID.items()}
GAS = (56.1 + 0.001 * 29.8 + 0.0001 * 273 + 9.2972) / 1000        # heat-natural-gas, per MJ
HFO = (77.4 + 0.003 * 29.8 + 0.0006 * 273 + 17.475) / 1000        # heat-heavy-fuel-oil, per MJ
GREEN_COKE, PITCH, LIME, PACKING, PACKAGING = 0.65494, 1.8516, 1.2683, 0.044637, 0.10171
NATURAL = 10.5605                                                  # Istrate 2024, natural graphite
HCL = 1.9683
# --- the chain, per kg of its own product (graphite-anode.yaml, Istrate 2024 inventory) ---
MICRONIZED_PER_KG = 0.97            # coating: kg micronized powder per kg coated graphite
POWDER_PER_MICRONIZED = 1 / 0.6     # micronizing yield 60 %
COKE_POWDER_PER_POWDER = 1.002004
BLOCK_PER_POWDER = 0.93
CALCINED_PER_COKE_POWDER = 1.2530864  # 2.03 kg calcined coke per 1.62 kg powder (80 % yield)
CALCINED_PER_BLOCK = 0.81992
GREEN_PER_CALCINED = 1.346019
KWH_GRAPHITIZATION = 16.0           # per kg graphitized powder (Carrere 2024)
ISTRATE_TOTAL, ISTRATE_ECOINVENT_CN_GRID = 43.8715, 24.61493577 / (1.6166667 * 16)


def total(variant=None, **params) -> float:
    return service.compute_footprint(P, variant=variant,
                                     parameters=params or None)["per_declared_unit"]["total"]


def stages(**params) -> dict[str, float]:
    fp = service.compute_footprint(P, parameters=params or None)
    return {s["stage"]: s["kg_co2e_per_declared_unit"] for s in fp["stages"]}


def powder() -> float:
    return MICRONIZED_PER_KG * POWDER_PER_MICRONIZED


def calcined_coke() -> float:
    """kg calcined petroleum coke per kg anode material: powder route + crucible blocks."""
    return powder() * (COKE_POWDER_PER_POWDER * CALCINED_PER_COKE_POWDER
                       + BLOCK_PER_POWDER * CALCINED_PER_BLOCK)


def expected_stages(graphitization_grid="cn-national", plant_grid="cn-national") -> dict:
    """Independent arithmetic of the synthetic route, kg CO2e per kg, by stage."""
    g, e, nat = GRID[graphitization_grid], GRID[plant_grid], GRID["cn-national"]
    calcination_rest = 0.042765 * HFO + 0.039650 * LIME + 0.72338
    p = powder()
    return {
        "raw-materials": calcined_coke() * GREEN_PER_CALCINED * GREEN_COKE,
        "coke-preparation": calcined_coke() * calcination_rest
        + p * COKE_POWDER_PER_POWDER * (1.88 * e + 0.756 * GAS),
        "graphitization": p * (14.014 * PACKING + KWH_GRAPHITIZATION * g + 0.72)
        + p * BLOCK_PER_POWDER * (0.205 * PITCH + 2.5 * nat + 7.39e-5 * 29.8),
        "finishing": MICRONIZED_PER_KG * (3.33 * e + 0.972 * GAS)
        + 0.05 * PITCH + 0.43 * e + 7.74 * GAS + PACKAGING + 0.068627,
    }


# --- results against the published figures ------------------------------------------------------

def test_virgin_stage_split_equals_independent_arithmetic(built_home):
    got, want = stages(), expected_stages()
    assert list(got) == ["raw-materials", "coke-preparation", "graphitization", "finishing"]
    for stage, value in want.items():
        assert got[stage] == pytest.approx(value, rel=1e-6), stage
    assert total("virgin") == pytest.approx(sum(want.values()), rel=1e-6)
    # graphitization is the electricity-intensive step (seed-facts.md, Kaijin): the largest stage
    assert max(got, key=got.get) == "graphitization"


def test_virgin_sits_below_istrate_by_the_grid_factor_only(built_home):
    """Istrate 2024: 43.87 kg CO2e/kg on ecoinvent 3.10's Chinese grid (0.952 kg/kWh implied by
    its graphitization row); pcf's national grid is 0.582. Swapping the grid factor on the
    36.3 kWh of the chain reproduces Istrate's total to 1 % (the rest: CO from block baking not
    counted, open gas factor below ecoinvent's)."""
    value = total("virgin")
    assert 20.0 <= value <= ISTRATE_TOTAL
    kwh = (powder() * KWH_GRAPHITIZATION + powder() * BLOCK_PER_POWDER * 2.5
           + powder() * COKE_POWDER_PER_POWDER * 1.88 + MICRONIZED_PER_KG * 3.33 + 0.43)
    assert kwh == pytest.approx(36.33, abs=0.01)
    on_istrate_grid = value + kwh * (ISTRATE_ECOINVENT_CN_GRID - GRID["cn-national"])
    assert on_istrate_grid == pytest.approx(ISTRATE_TOTAL, rel=0.01)


@pytest.mark.parametrize("grid", sorted(GRID))
def test_not_below_8_kg_on_any_chinese_grid(built_home, grid):
    """Red flag of lca-data.md section 4; graphitization electricity alone on a coal-heavy grid
    (16 kWh/kg powder x 1.6167 x 0.70 = 18 kg) is above it."""
    value = total(graphitization_grid=grid)
    assert value >= 8.0
    assert value == pytest.approx(sum(expected_stages(grid).values()), rel=1e-6)
    if grid in ("cn-north", "cn-inner-mongolia"):
        assert powder() * KWH_GRAPHITIZATION * GRID[grid] >= 8.0


def test_natural_graphite_share_blends_to_istrate_natural(built_home):
    assert total(natural_graphite_share=1) == pytest.approx(NATURAL, rel=1e-6)
    half = total(natural_graphite_share=0.5)
    assert half == pytest.approx(0.5 * NATURAL + 0.5 * total(), rel=1e-6)


def test_recycled_route_is_the_assumed_purification_and_coating(built_home):
    value = total("recycled")
    e = GRID["cn-national"]
    expected = 0.2 * HCL + 0.735 * e + 8.79 * GAS + 0.05 * PITCH + PACKAGING + 0.068627
    assert value == pytest.approx(expected, rel=1e-6)
    assert value < 0.1 * total("virgin")


# --- mass balance ---------------------------------------------------------------------------------

def test_coke_per_kg_graphite_mass_balance(built_home):
    """Coke per kg of anode material from the source's yields (Carrere 2024 / Iyer & Kelly 2022
    via Istrate): micronizing 60 %, coke milling 2.03 -> 1.62 kg, blocks 1.108 kg green coke
    per kg at 74 % -> 0.82 kg calcined coke; and the engine's green-coke row agrees."""
    assert CALCINED_PER_COKE_POWDER == pytest.approx(2.03 / 1.62, rel=0.002)
    assert CALCINED_PER_BLOCK == pytest.approx(1.108 * 0.74, rel=0.001)
    assert calcined_coke() == pytest.approx(3.2626, rel=1e-4)
    green = calcined_coke() * GREEN_PER_CALCINED
    assert green == pytest.approx(4.3916, rel=1e-4)
    # carbon: 1 kg graphite from 2.03 kg calcined coke in the powder route (60 % x 80 % yields)
    powder_route = powder() * COKE_POWDER_PER_POWDER * CALCINED_PER_COKE_POWDER
    assert MICRONIZED_PER_KG / powder_route == pytest.approx(0.6 * 0.798 / 1.002, rel=2e-3)
    fp = service.compute_footprint(P, variant="virgin")
    coke_rows = [c for c in fp["contributions"] if c["input"].startswith("petroleum coke, green")]
    assert sum(c["amount"] for c in coke_rows) == pytest.approx(green, rel=1e-6)
    kwh_rows = [c for c in fp["contributions"]
                if c["activity"].startswith("graphite powder, graphitization")
                and c["unit"] == "kWh"]
    assert sum(c["amount"] for c in kwh_rows) == pytest.approx(powder() * 16, rel=1e-6)


# --- settings-------------------------------------------------------------------------------------

def test_graphitization_electricity_is_linear(built_home):
    base = total()
    more = total(graphitization_electricity=20)
    assert more - base == pytest.approx(powder() * 4 * GRID["cn-national"], abs=2e-5)


def test_supplier_coke_footprint_replaces_the_calciner(built_home):
    modelled = (GREEN_PER_CALCINED * GREEN_COKE + 0.042765 * HFO + 0.039650 * LIME + 0.72338)
    for declared in (0.5, 2.0):
        diff = total(calcined_coke_footprint=declared) - total()
        assert diff == pytest.approx(calcined_coke() * (declared - modelled), abs=2e-5)


@SETTINGS
@given(a=st.floats(0, 1), b=st.floats(0, 1),
       grid=st.sampled_from(sorted(GRID)), supply=st.sampled_from(["pv", "wind", "hydro"]))
def test_non_increasing_in_renewable_share(built_home, a, b, grid, supply):
    low, high = sorted((a, b))
    common = {"graphitization_grid": grid, "plant_grid": "cn-national", "renewable_supply": supply}
    assert total(renewable_electricity_share=high, **common) <= \
        total(renewable_electricity_share=low, **common) * (1 + 1e-6)  # float32 amounts


@SETTINGS
@given(a=st.floats(0, 1), b=st.floats(0, 1), natural=st.floats(0, 1),
       grid=st.sampled_from(sorted(GRID)))
def test_non_increasing_in_recycled_content(built_home, a, b, natural, grid):
    """The recycled route (purification and coating only) is cleaner than both the synthetic
    route on any grid and natural graphite, so more recycled content never costs more."""
    low, high = sorted((a, b))
    common = {"natural_graphite_share": natural, "graphitization_grid": grid}
    assert total(recycled_content=high, **common) <= \
        total(recycled_content=low, **common) * (1 + 1e-6)  # float32 amounts


def test_variants_and_parameters(built_home):
    model = service.model(P)
    assert {"virgin", "recycled", "inner-mongolia", "sichuan-hydro"} <= set(model.variants)
    names = {p["name"] for p in service.get_product(P)["parameters"]}
    assert {"graphitization_electricity", "graphitization_grid", "renewable_electricity_share",
            "natural_graphite_share", "calcined_coke_footprint", "recycled_content"} <= names
    grids = next(p for p in service.get_product(P)["parameters"]
                 if p["name"] == "graphitization_grid")["choices"]
    assert {"cn-inner-mongolia", "cn-sichuan", "cn-guangdong", "cn-national"} <= set(grids)
    assert total("inner-mongolia") > total() > total("sichuan-hydro")
