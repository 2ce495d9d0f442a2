"""Sintered NdFeB magnet (product ndfeb-magnet, declared unit kg).

Checks the published sanity ranges (shared/reference/lca-data.md sections 1a and 4: Sprecher's
model via the REM repository, virgin 24.96-27.16 and hand-picked HD recycling 3.40-5.20 kg
CO2e/kg; accepted here 20-45 and 3-12), the structure the issue asks for (rare-earth supply the
largest stage for virgin magnets, electricity the largest share of the short-loop recycled
magnet), the direction of the settings (recycled content, renewable electricity, grain-boundary
diffusion), one sub-chain against hand arithmetic from the YAML figures, and the company's 2028
settings against its base year beside its -18 % target (seed-facts.md, Zhong Ke San Huan).
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from pcf import service
from pcf.config import databases_dir

PRODUCT = "ndfeb-magnet"
STAGES = ["rare-earth-supply", "other-materials", "magnet-production"]
GWP_CF4 = 7380.0    # IPCC AR6 GWP100 (lca-data.md section 3), independent of the engine's table
GWP_C2F6 = 12400.0


# --- helpers --------------------------------------------------------------------------------

def _yaml(relpath: str) -> dict:
    with open(databases_dir() / relpath, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _product_doc() -> dict:
    return _yaml(f"products/{PRODUCT}.yaml")


def _activity(doc: dict, code: str) -> dict:
    return next(a for a in doc["activities"] if a["code"] == code)


def _background(code: str) -> dict:
    for path in sorted((databases_dir() / "background").glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            for act in yaml.safe_load(fh).get("activities", []):
                if act["code"] == code:
                    return act
    raise KeyError(code)


def _direct_co2(act: dict) -> float:
    """Sum of the co2-fossil exchanges of a background activity (kg per unit)."""
    return sum(ex["amount"] for ex in act["exchanges"] if ex.get("flow") == "co2-fossil")


def _defaults() -> dict:
    return {name: p["default"] for name, p in _product_doc()["product"]["parameters"].items()}


def footprint(variant: str | None = None, **parameters) -> dict:
    return service.compute_footprint(PRODUCT, variant=variant, parameters=parameters or None)


def total(variant: str | None = None, **parameters) -> float:
    return footprint(variant, **parameters)["per_declared_unit"]["total"]


def _is_electricity(contribution: dict) -> bool:
    return str(contribution["input"]).lower().startswith("electricity")


# --- published ranges -----------------------------------------------------------------------

def test_virgin_within_published_range(built_home):
    # Sprecher model 24.96-27.16 (REM repo, ecoinvent 2.2-3.6); issue acceptance 20-45.
    assert 20.0 <= total("virgin") <= 45.0


def test_recycled_short_loop_within_published_range(built_home):
    # Hand-picked HDD magnets + hydrogen processing 3.40-5.20 (REM repo); issue acceptance 3-12.
    fp = footprint("recycled")
    assert fp["parameters"]["recycling_route"] == "short-loop"
    assert fp["parameters"]["recycled_content"] == 1
    assert 3.0 <= fp["per_declared_unit"]["total"] <= 12.0


def test_recycled_short_loop_well_below_virgin(built_home):
    # Jin 2018: magnet-to-magnet recycling -64 % to -96 %; lca-data red flag: recycled above
    # ~50 % of virgin means duplicated downstream steps.
    ratio = total("recycled") / total("virgin")
    assert ratio < 0.5


def test_long_loop_recycled_below_virgin_above_short_loop(built_home):
    virgin, long_loop, short_loop = total("virgin"), total("recycled-long-loop"), total("recycled")
    assert short_loop < long_loop < virgin


# --- structure ------------------------------------------------------------------------------

def test_variants_exist(built_home):
    variants = service.get_product(PRODUCT)["variants"]
    for name in ("virgin", "recycled", "recycled-30", "recycled-50"):
        assert name in variants
    assert variants["recycled-30"]["recycled_content"] == pytest.approx(0.3)
    assert variants["recycled-50"]["recycled_content"] == pytest.approx(0.5)


def test_parameters_the_issue_asks_for(built_home):
    names = {p["name"] for p in service.get_product(PRODUCT)["parameters"]}
    for name in ("recycled_content", "recycling_route", "dy_content", "tb_content",
                 "grain_boundary_diffusion", "electrolysis_grid", "site_grid",
                 "renewable_electricity_share", "machining_yield", "nd_content", "pr_content",
                 "fe_content", "b_content", "co_content", "cu_content", "al_content",
                 "ga_content"):
        assert name in names


@pytest.mark.parametrize("variant", ["virgin", "recycled", "recycled-long-loop"])
def test_stages_in_order_and_sums_match_total(built_home, variant):
    fp = footprint(variant)
    assert [s["stage"] for s in fp["stages"]] == STAGES
    tot = fp["per_declared_unit"]["total"]
    assert sum(s["kg_co2e_per_declared_unit"] for s in fp["stages"]) == pytest.approx(tot, rel=1e-9)
    assert sum(c["kg_co2e_per_declared_unit"] for c in fp["contributions"]) == \
        pytest.approx(tot, rel=1e-9)


def test_rare_earth_supply_is_largest_stage_for_virgin(built_home):
    stages = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in footprint("virgin")["stages"]}
    assert max(stages, key=stages.get) == "rare-earth-supply"


def test_electricity_dominates_recycled_short_loop(built_home):
    fp = footprint("recycled")
    electricity = sum(c["kg_co2e_per_declared_unit"] for c in fp["contributions"]
                      if _is_electricity(c))
    assert electricity > 0.5 * fp["per_declared_unit"]["total"]


def test_pfc_emissions_are_separate_contributions(built_home):
    fp = footprint("virgin")
    gases = {str(c["input"]) for c in fp["contributions"] if c["kind"] == "biosphere"}
    assert any("tetrafluoro" in g for g in gases)      # CF4
    assert any("hexafluoro" in g for g in gases)       # C2F6


# --- directions of the settings (property tests) --------------------------------------------

@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.floats(0, 1), b=st.floats(0, 1), route=st.sampled_from(["short-loop", "long-loop"]))
def test_non_increasing_in_recycled_content(built_home, a, b, route):
    low, high = sorted((a, b))
    # tolerance: exchange amounts are float32 as in bw2calc (relative 6e-8 each), so a share
    # of 1e-9 can move the total by float32 rounding alone (28.0131381487 vs 28.0131381407)
    assert total(recycled_content=high, recycling_route=route) <= \
        total(recycled_content=low, recycling_route=route) * (1 + 1e-6)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.floats(0, 1), b=st.floats(0, 1), r=st.floats(0, 1),
       supply=st.sampled_from(["pv", "wind", "hydro"]),
       grid=st.sampled_from(["cn-national", "cn-north", "cn-east", "cn-southwest", "eu27"]))
def test_non_increasing_in_renewable_electricity_share(built_home, a, b, r, supply, grid):
    low, high = sorted((a, b))
    common = dict(recycled_content=r, renewable_supply=supply, site_grid=grid)
    assert total(renewable_electricity_share=high, **common) <= \
        total(renewable_electricity_share=low, **common) * (1 + 1e-6)  # float32 amounts


def test_renewable_electricity_lowers_magnet_production_only(built_home):
    base, green = footprint("virgin"), footprint("virgin", renewable_electricity_share=1.0)

    def stage(fp, s):
        return next(x["kg_co2e_per_declared_unit"] for x in fp["stages"] if x["stage"] == s)

    assert stage(green, "magnet-production") < stage(base, "magnet-production")
    assert stage(green, "rare-earth-supply") == pytest.approx(stage(base, "rare-earth-supply"))


@pytest.mark.parametrize("extra", [{}, {"tb_content": 0.02}, {"site_grid": "cn-north"}])
def test_grain_boundary_diffusion_lowers_footprint(built_home, extra):
    off = total("virgin", grain_boundary_diffusion=False, **extra)
    on = total("virgin", grain_boundary_diffusion=True, **extra)
    assert on < off


def test_less_dysprosium_lowers_footprint(built_home):
    assert total("virgin", dy_content=0.03) < total("virgin", dy_content=0.068)


def test_cleaner_electrolysis_grid_lowers_footprint(built_home):
    assert total("virgin", electrolysis_grid="cn-yunnan") < \
        total("virgin", electrolysis_grid="cn-north")


# --- hand arithmetic from the YAML figures -----------------------------------------------------

def test_electrolysis_electricity_matches_hand_arithmetic(built_home):
    """Rare-earth electrolysis electricity on a grid used nowhere else (Yunnan), by hand:

    kg RE metal per kg magnet = (Nd + Pr + Dy + Tb per kg sintered block) / machining yield;
    kWh = 8.6 kWh per kg metal (Sprecher) x kg metal; kg CO2e = kWh x Yunnan factor
    (combustion CO2 + life-cycle remainder, electricity.yaml).
    """
    p = _defaults()
    doc = _product_doc()
    kwh_per_kg_metal = next(ex["amount"] for ex in _activity(doc, "ndfeb-ndpr-metal")["exchanges"]
                            if ex.get("select") == "electrolysis_grid")
    assert kwh_per_kg_metal == 8.6
    body = 1 - p["coating_mass"]             # issue 16: body + Ni coating = 1 kg of magnet
    metal = (p["nd_content"] + p["pr_content"] + p["dy_content"] + p["tb_content"]) \
        / p["machining_yield"] * body
    yunnan = _background("electricity-cn-yunnan")
    expected_kwh = kwh_per_kg_metal * metal            # 8.6 x 0.319 / 0.70 x 0.989 = 3.876
    expected_co2e = expected_kwh * _direct_co2(yunnan)  # x 0.117694 x 1.031405 (T&D) = 0.4705

    fp = footprint("virgin", electrolysis_grid="cn-yunnan")
    rows = [c for c in fp["contributions"] if c["input"] == yunnan["name"]]
    assert rows, "the Yunnan grid should appear as a contribution"
    assert sum(c["amount"] for c in rows) == pytest.approx(expected_kwh, rel=1e-6)
    assert sum(c["kg_co2e_per_declared_unit"] for c in rows) == \
        pytest.approx(expected_co2e, rel=1e-6)
    assert expected_co2e == pytest.approx(8.6 * 0.319 / 0.70 * 0.989 * 0.117694 * 1.031405,
                                          abs=5e-4)


def test_electrolysis_pfc_matches_hand_arithmetic(built_home):
    """CF4 and C2F6 of electrolysis: 0.238 g and 0.0265 g per kg metal (Sprecher) x kg metal x
    AR6 GWP100 (7,380 and 12,400); kg metal per kg magnet counts the body only (1 - coating)."""
    p = _defaults()
    metal = (p["nd_content"] + p["pr_content"] + p["dy_content"] + p["tb_content"]) \
        / p["machining_yield"] * (1 - p["coating_mass"])
    expected = metal * (0.000238 * GWP_CF4 + 0.0000265 * GWP_C2F6)   # 0.4507 x 2.0850 = 0.940
    fp = footprint("virgin")
    pfc = sum(c["kg_co2e_per_declared_unit"] for c in fp["contributions"]
              if c["kind"] == "biosphere"
              and ("tetrafluoro" in c["input"] or "hexafluoro" in c["input"]))
    assert pfc == pytest.approx(expected, rel=1e-3)


def test_magnet_plant_electricity_matches_hand_arithmetic(built_home):
    """Site electricity of a virgin magnet (Sprecher's steps), by hand:
    strip casting 0.8 kWh x alloy + (HD 0.1 + jet milling 1.8 + pressing 0.4 + sintering 2.4)
    per kg sintered block, / machining yield, + grinding 1.4, all per kg body (1 - coating
    mass, issue 16), + Ni plating 4 x coating mass + magnetising 0.01."""
    p = _defaults()
    alloy = sum(p[k] for k in ("nd_content", "pr_content", "dy_content", "tb_content", "fe_content",
                               "b_content", "co_content", "cu_content", "al_content", "ga_content"))
    body = 1 - p["coating_mass"]
    kwh = ((0.8 * alloy + 0.1 + 1.8 + 0.4 + 2.4) / p["machining_yield"] + 1.4) * body \
        + 4.0 * p["coating_mass"] + 0.01
    fp = footprint("virgin")
    site = sum(c["amount"] for c in fp["contributions"]
               if _is_electricity(c) and c["stage"] == "magnet-production")
    assert site == pytest.approx(kwh, rel=1e-6)          # 9.42 kWh


# --- the company's 2028 settings against its base year ----------------------------------------

def test_2028_settings_against_base_year_beside_target(built_home):
    """Zhong Ke San Huan (seed-facts.md): by 2028 recycled rare earths 30 %, renewable
    electricity 60 %, product footprint -18 % against an unnamed base year. Base year taken as
    0 % recycled and 0 % renewable (the plan gives no base-year shares)."""
    base = total(recycled_content=0.0, renewable_electricity_share=0.0)
    y2028 = total("target-2028")
    assert y2028 == pytest.approx(total(recycled_content=0.3, renewable_electricity_share=0.6))
    reduction = 1.0 - y2028 / base
    # The modelled levers alone (short loop, PV) reach the company's -18 % target.
    assert reduction >= 0.18, f"modelled 2028 reduction {reduction:.1%} is short of the 18 % target"
    long_loop = 1.0 - total("target-2028", recycling_route="long-loop") / base
    assert 0.0 < long_loop < reduction
