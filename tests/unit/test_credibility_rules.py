"""Issue 16: the methodology behind the audit, checked on purpose-made data without Brightway.

GWP-basis mix, mass balance, published-range checks, consistency checks on company figures,
supply mixes and the fuel-switch sign: each against hand arithmetic.
"""

from __future__ import annotations

import math

import pytest

from pcf.accounting import consistency
from pcf.accounting.fuel_switch import break_even_factor, measure_effect
from pcf.accounting.gwp_basis import gwp_basis_mix, label, split_contribution
from pcf.accounting.mass_balance import mass_balance
from pcf.accounting.ranges import check_range, measure_value
from pcf.accounting.supply_mix import implied_share, implied_value, mix


def contribution(kind, value, **meta):
    return {"kind": kind, "kg_co2e_per_declared_unit": value, "provenance": [meta]}


# --- GWP basis ------------------------------------------------------------------------------

def test_gwp_mix_splits_background_inputs_by_their_upstream_bases():
    fp = {"contributions": [
        contribution("biosphere", 2.0, gwp="gas"),                 # CF4 from a smelter
        contribution("biosphere", 1.0, gwp="unstated"),            # a CO2e-only figure
        # a grid kWh: 0.5 kg combustion CO2 (gas) + 0.05 life-cycle CO2e (unstated) per kWh,
        # 10 kWh -> 5.5 kg, split 5.0 / 0.5
        contribution("technosphere", 5.5, gwp_split={"gas": 0.5, "unstated": 0.05}),
        contribution("technosphere", 1.5, gwp_split={"AR5": 0.1, "AR6": 0.2}),
    ]}
    mix_ = gwp_basis_mix(fp)
    kg = mix_["kgCO2ePerDeclaredUnit"]
    assert kg["gas"] == pytest.approx(7.0)
    assert kg["unstated"] == pytest.approx(1.5)
    assert kg["AR5"] == pytest.approx(0.5) and kg["AR6"] == pytest.approx(1.0)
    assert sum(kg.values()) == pytest.approx(10.0)
    assert mix_["ar6_percent"] == pytest.approx(80.0)
    assert mix_["other_percent"] == pytest.approx(20.0)
    assert list(mix_["percent"]) == ["gas", "AR6", "AR5", "unstated"]
    assert mix_["label"].startswith("IPCC 2021 GWP100 (AR6) on 80.0 % of the total")
    assert "20.0 % rests on CO2e from sources on other GWP sets" in mix_["label"]


def test_gwp_mix_worst_case_when_unknown_or_mixed():
    assert split_contribution({"kind": "biosphere", "kg_co2e_per_declared_unit": 1.0}) == \
        {"unstated": 1.0}
    mixed = {"kind": "biosphere", "kg_co2e_per_declared_unit": 2.0,
             "provenance": [{"gwp": "gas"}, {"gwp": "AR5"}]}
    assert split_contribution(mixed) == {"unstated": 2.0}
    assert label({"gas": 100.0}) == "IPCC 2021 GWP100 (AR6) on 100.0 % of the total " \
                                    "(gases characterized by pcf with AR6 100.0 %)"


# --- mass balance ---------------------------------------------------------------------------

def test_mass_balance_closed_open_and_over_closed():
    closed = mass_balance(1.0, [("metal", 1.0235)], [("dross", 0.0235)])
    assert closed["status"] == "closed" and closed["itemised_share"] == pytest.approx(1.0)
    # the NdFeB bug issue 16 found: a full kg of body plus a 10 % coating on top
    over = mass_balance(1.0, [("body", 1.0), ("nickel", 0.10)], [])
    assert over["status"] == "over-closed" and over["itemised_share"] == pytest.approx(1.10)
    # a cell that itemises 84 % of its mass
    assert mass_balance(3.57, [("itemised", 0.84 * 3.57)], [])["status"] == "not itemised"
    assert mass_balance(1.0, [("x", 0.97)], [])["status"] == "incomplete"
    with pytest.raises(ValueError):
        mass_balance(0.0, [], [])


# --- published ranges -----------------------------------------------------------------------

def test_range_positions_and_gaps():
    assert check_range(26.0, 24.96, 27.16) == {"within": True, "position": "inside", "gap": 0.0}
    above = check_range(30.4, 24.96, 27.16)
    assert above["position"] == "above" and above["gap"] == pytest.approx(30.4 / 27.16 - 1)
    below = check_range(2.0, 3.4, 5.2)
    assert below["position"] == "below" and below["gap"] == pytest.approx(2.0 / 3.4 - 1)
    assert check_range(-1.0, 0.0, 1.0)["gap"] is None
    fp = {"per_declared_unit": {"total": 3.0},
          "stages": [{"stage": "a", "kg_co2e_per_declared_unit": 2.0}]}
    assert measure_value(fp, "total") == 3.0 and measure_value(fp, "stage:a") == 2.0
    with pytest.raises(KeyError):
        measure_value(fp, "stage:b")


# --- company figures --------------------------------------------------------------------------

def test_inventory_and_intensities_that_cannot_both_be_true():
    """The coil maker's 2024 figures (seed-facts.md): Scope 1+2 / 0.33 t/t x 5.9 t/t is 3.94 x
    its whole Scope 3."""
    check = consistency.inventory_vs_intensities(23583.69, 114239.98, 625666.59, 0.33, 5.9)
    production = (23583.69 + 114239.98) / 0.33
    assert check["production_t"] == pytest.approx(production)
    assert check["ratio"] == pytest.approx(5.9 * production / 625666.59)     # 3.94
    assert check["status"] == "impossible"
    assert check["max_intensity"] == pytest.approx(625666.59 / production)  # 1.50
    fine = consistency.inventory_vs_intensities(10, 20, 100, 0.3, 1.0)
    assert fine["status"] == "ok"


def test_physics_and_model_checks():
    low = consistency.below_physical_minimum(0.0565, 0.0637, "Scope 1")
    assert low["status"] == "impossible" and low["ratio"] == pytest.approx(0.0565 / 0.0637)
    assert consistency.below_physical_minimum(0.2, 0.0637, "x")["status"] == "ok"
    assert consistency.modelled_vs_reported(0.473, 0.33, "x")["status"] == "disagree"
    assert consistency.modelled_vs_reported(0.34, 0.33, "x")["status"] == "ok"
    red = consistency.reduction_vs_reported(0.0, (5.9 - 4.96) / 5.9, "raw")
    assert red["status"] == "disagree" and red["gap"] == pytest.approx(-(5.9 - 4.96) / 5.9)
    assert "reported -15.9%" in red["message"]
    assert consistency.reduction_vs_reported(None, 0.1, "x")["status"] == "ok"


def test_supply_mix_is_share_weighted_and_diagnostics_invert_it():
    mixed = mix([(0.792, {"raw": 16.941, "total": 17.4}), (0.208, {"raw": 0.512, "total": 1.0})])
    assert mixed["raw"] == pytest.approx(0.792 * 16.941 + 0.208 * 0.512)
    with pytest.raises(ValueError):
        mix([(0.5, {"raw": 1.0}), (0.4, {"raw": 2.0})])
    with pytest.raises(ValueError):
        mix([(0.5, {"raw": 1.0}), (0.5, {"total": 2.0})])
    share = implied_share(5.9, 16.941, 0.512)
    assert share * 16.941 + (1 - share) * 0.512 == pytest.approx(5.9)
    value = implied_value(5.9, 0.208, 0.512)
    assert 0.208 * 0.512 + 0.792 * value == pytest.approx(5.9)
    assert implied_share(1.0, 2.0, 2.0) is None and implied_value(1.0, 1.0, 2.0) is None


# --- fuel switch ----------------------------------------------------------------------------

def test_fuel_switch_sign_follows_the_break_even_factor():
    """Per kg: gas 2.858 MJ x 0.06545 = 0.1871 kg CO2e removed, 0.6176 kWh added: break-even
    0.303 kg/kWh; on a 0.596 grid the switch adds, on PV (0.045) it saves."""
    gas, kwh = 2.858 * 0.06545, 0.6176
    assert break_even_factor(gas, kwh) == pytest.approx(gas / kwh)
    delta_grid, delta_pv = kwh * 0.596 - gas, kwh * 0.045 - gas
    effect = measure_effect(-800.0, "avoided-combustion", 2.858 * 0.05616, delta_grid, delta_pv)
    units = 800.0 * 1000 / (2.858 * 0.05616)
    assert effect["units_per_year"] == pytest.approx(units)
    assert effect["location_based_t"] == pytest.approx(units * delta_grid / 1000)
    assert effect["location_based_t"] > 0 > effect["market_based_t"]
    assert effect["sign_agrees_location_based"] is False


def test_mix_footprints_weights_linear_blocks_and_recomputes_ratios():
    """Two made-up lines, 0.75 / 0.25: linear values share-weighted, rows grouped by
    identity (a row one line lacks counts 0), percents and label from the mixed kg."""
    from pcf.accounting.gwp_basis import label
    from pcf.accounting.supply_mix import mix_footprints

    def fp(total, rows, basis, primary_kg, warnings):
        return {"per_declared_unit": {"total": total, "fossil": total, "biogenic": 0.0,
                                      "land_use": 0.0},
                "stages": [{"stage": "a", "kg_co2e_per_declared_unit": total - 1.0},
                           {"stage": "b", "kg_co2e_per_declared_unit": 1.0}],
                "contributions": rows, "warnings": warnings,
                "gwp_basis": {"kgCO2ePerDeclaredUnit": basis},
                "primary_data": {"percent": 0.0, "kgCO2ePerDeclaredUnit": primary_kg,
                                 "parameters": ["p"] if primary_kg else [], "basis": "x"},
                "supplier_footprints": [{"input": "ingot", "kg_per_declared_unit": 1.0,
                                         "kg_co2e_per_declared_unit": primary_kg}]}

    def row(name, amount, kg, **marks):
        return {"input": name, "activity": name, "kind": "technosphere", "stage": "a",
                "amount": amount, "unit": "kg", "kg_co2e_per_declared_unit": kg, **marks}

    a = fp(10.0, [row("ingot", 1.0, 8.0, supplier_specific=True), row("gas", 2.0, 2.0)],
           {"gas": 2.0, "unstated": 8.0}, 8.0, ["w1", "w2"])
    b = fp(2.0, [row("scrap", 1.0, 1.0), row("gas", 2.0, 1.0)],
           {"gas": 1.0, "AR5": 1.0}, 0.0, ["w2"])
    out = mix_footprints([(0.75, a), (0.25, b)])
    assert out["per_declared_unit"]["total"] == 0.75 * 10 + 0.25 * 2 == 8.0
    assert [s["kg_co2e_per_declared_unit"] for s in out["stages"]] == [7.0, 1.0]
    rows = {c["input"]: c for c in out["contributions"]}
    assert list(rows) == ["ingot", "gas", "scrap"]
    assert rows["ingot"]["kg_co2e_per_declared_unit"] == 6.0 and rows["ingot"]["amount"] == 0.75
    assert rows["ingot"]["supplier_specific"] is True
    assert rows["gas"]["kg_co2e_per_declared_unit"] == 1.75 and rows["gas"]["amount"] == 2.0
    assert rows["scrap"]["kg_co2e_per_declared_unit"] == 0.25
    assert math.fsum(c["kg_co2e_per_declared_unit"] for c in out["contributions"]) == 8.0
    kg = {"gas": 1.75, "AR5": 0.25, "unstated": 6.0}
    assert out["gwp_basis"]["kgCO2ePerDeclaredUnit"] == kg
    assert out["gwp_basis"]["percent"] == {b: round(100 * v / 8.0, 2) for b, v in kg.items()}
    assert out["gwp_basis"]["label"] == label({b: 100 * v / 8.0 for b, v in kg.items()})
    assert out["primary_data"]["kgCO2ePerDeclaredUnit"] == 6.0
    assert out["primary_data"]["percent"] == 75.0 and out["primary_data"]["parameters"] == ["p"]
    assert out["supplier_footprints"][0]["kg_co2e_per_declared_unit"] == 6.0
    assert out["supplier_footprints"][0]["kg_per_declared_unit"] == 1.0
    assert out["warnings"] == ["w1", "w2"]
    with pytest.raises(ValueError):
        mix_footprints([(0.5, a), (0.25, b)])
