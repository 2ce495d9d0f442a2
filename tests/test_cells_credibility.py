"""Battery cells, credibility round (issue 16): mass closure per cell product, anode graphite
against the physics of charge, CAM calcination and LFP kiln energy, LFP recycling as its own
process, the grid/renewable split as model structure, and the results against the published
ranges read from databases/ (including the recycled cells' reduction against virgin).

Every expected figure is recomputed here from the published numbers (teardown masses, premise
and Mohr et al. 2020 inventories, IUPAC molar masses, the Faraday constant), not read back from
the model.
"""

from __future__ import annotations

import math

import pytest
import yaml

from pcf import service
from pcf.config import databases_dir
from pcf.errors import InventoryInvalid
from pcf.inventory.yamlio import load_yaml, plain
from pcf.service.audit import audit

NMC = "battery-cell-nmc811"
LFP = "battery-cell-lfp"

# VW ID.3 NMC712 cell teardown (Guenter and Wassiliadis 2022), grams in a 1.1 kg, 268 Wh/kg cell
TEARDOWN = {"cathode": 481.4, "anode": 352.2, "cu_foil": 64.6, "al_foil": 30.5,
            "separator": 41.3}
CELL_G, CELL_WH_PER_KG = 1100.0, 268.0
# Dai 2019 NMC811 cell per kg (premise): the parts that share the teardown's remaining mass
DAI_REST = {"electrolyte": 0.1683, "cu_tab": 0.033, "al_pouch": 0.0284, "pouch_polymer": 0.0041}
# premise LFP cell per kg of cell
PREMISE_LFP = {"cathode_paste": 0.3891557995881949, "anode_paste": 0.13150308853809195,
               "al_collector": 0.05600549073438572, "cu_collector": 0.12916952642415921,
               "electrolyte": 0.21153054221002057, "separator": 0.051338366506520246,
               "container": 0.03129718599862732}
# graphite's theoretical capacity, LiC6: F / (6 M_C) in mAh/g
GRAPHITE_MAH_PER_G = 96485.332 / (6 * 12.011) / 3.6
V_NMC, V_LFP = 3.65, 3.2


def _yaml(relpath: str) -> dict:
    return plain(load_yaml(databases_dir() / relpath))


def _activity(doc: dict, code: str) -> dict:
    return next(a for a in doc["activities"] if a["code"] == code)


def total(product: str, variant: str | None = None, **parameters) -> float:
    return service.compute_footprint(product, variant=variant, parameters=parameters or None)[
        "per_declared_unit"]["total"]


def graphite_per_kwh(product: str) -> float:
    """kg graphite per kWh at the default energy density, by hand from the teardown."""
    per_kwh_teardown = TEARDOWN["anode"] * 0.94 / (CELL_G * CELL_WH_PER_KG / 1000)
    if product == NMC:
        return TEARDOWN["anode"] / CELL_G * 0.94 * 1000 / 280
    return per_kwh_teardown * V_NMC / V_LFP


def cam_per_kwh(product: str) -> float:
    if product == NMC:
        return TEARDOWN["cathode"] / CELL_G * 0.95 * 1000 / 280
    return PREMISE_LFP["cathode_paste"] * 0.87 * 1000 / 160


# --- anode graphite ------------------------------------------------------------------------------

def test_graphite_reconciled_with_the_teardown_and_the_physics_of_charge():
    """The teardown's 1.19 kg/kWh is the anode coating of the 268 Wh/kg NMC712 cell; premise's
    0.73 (NMC811) and 0.740 (LFP) kg/kWh cannot hold 1 kWh of charge even at graphite's
    theoretical capacity; the model's figures can, with the anode excess real cells have."""
    coating_per_kwh = TEARDOWN["anode"] / (CELL_G * CELL_WH_PER_KG / 1000)
    assert coating_per_kwh == pytest.approx(1.19, abs=0.01)
    assert GRAPHITE_MAH_PER_G == pytest.approx(371.9, abs=0.05)
    for product, volts, premise in ((NMC, V_NMC, 0.73),
                                    (LFP, V_LFP, PREMISE_LFP["anode_paste"] * 0.9 * 6.25)):
        ah_per_kwh = 1000 / volts
        assert premise * GRAPHITE_MAH_PER_G < ah_per_kwh          # premise: not enough graphite
        model = graphite_per_kwh(product)
        assert model * GRAPHITE_MAH_PER_G > 1.2 * ah_per_kwh      # room for N/P > 1 and losses
    assert graphite_per_kwh(NMC) == pytest.approx(1.0749, abs=1e-4)
    assert graphite_per_kwh(LFP) == pytest.approx(1.2810, abs=1e-4)


# --- mass closure --------------------------------------------------------------------------------

def test_bill_of_material_shares_sum_to_the_cell_by_hand():
    rest = 1 - sum(TEARDOWN.values()) / CELL_G
    nmc = [TEARDOWN["cathode"] / CELL_G, TEARDOWN["anode"] / CELL_G, TEARDOWN["cu_foil"] / CELL_G,
           TEARDOWN["al_foil"] / CELL_G, TEARDOWN["separator"] / CELL_G]
    nmc += [rest * v / sum(DAI_REST.values()) for v in DAI_REST.values()]
    assert math.fsum(nmc) == pytest.approx(1.0, abs=1e-12)
    assert math.fsum(PREMISE_LFP.values()) == pytest.approx(1.0, abs=1e-12)
    graphite = graphite_per_kwh(LFP) / 6.25
    inactive = 1 - PREMISE_LFP["cathode_paste"] - graphite / 0.9
    assert 0.5 < inactive / (1 - PREMISE_LFP["cathode_paste"] - PREMISE_LFP["anode_paste"]) < 1


@pytest.mark.parametrize("product", [NMC, LFP])
@pytest.mark.parametrize("variant", ["virgin", "recycled", "eu-2031"])
@pytest.mark.parametrize("density_factor", [1.0, 0.8, 1.2])
def test_cell_mass_closes(built_home, product, variant, density_factor):
    default = 280.0 if product == NMC else 160.0
    density = default * density_factor
    doc = audit(product, variant=variant, parameters={"energy_density": density})
    balance = doc["mass_balance"]
    assert balance["product_kg"] == pytest.approx(1000 / density, rel=1e-12)
    assert balance["closed"] and balance["status"] == "closed"
    assert balance["itemised_share"] == pytest.approx(1.0, abs=2e-6)
    assert not any(f["code"].startswith("mass-balance") for f in doc["flags"])


@pytest.mark.parametrize("product", [NMC, LFP])
def test_mass_balance_mirrors_the_engine_amounts(built_home, product):
    """The declared mass balance is what the engine consumes: the background materials of the
    cell activity, the graphite (natural as an input, synthetic through its graphitization
    kWh) and the cathode active material (through its Ni sulfate or iron phosphate)."""
    fp = service.compute_footprint(product)
    balance = {i["name"]: i["kg"] for i in audit(product)["mass_balance"]["inputs"]}
    doc = _yaml(f"products/{product}.yaml")
    cell = _activity(doc, product)["name"]
    at_cell = [c for c in fp["contributions"] if c["activity"] == cell and c["unit"] == "kg"]
    natural = sum(c["amount"] for c in at_cell if c["input"].startswith("natural graphite"))
    border = sum(c["amount"] for c in at_cell) - natural
    non_graphite_nor_cam = sum(kg for name, kg in balance.items()
                               if not name.startswith(("anode graphite", "cathode active")))
    assert border == pytest.approx(non_graphite_nor_cam, rel=1e-6)
    graphite = _yaml("products/graphite-anode.yaml")
    furnace = _activity(graphite, "graphite-anode-graphitization")["name"]
    kwh = sum(c["amount"] for c in fp["contributions"]
              if c["activity"] == furnace and c["unit"] == "kWh")
    synthetic = kwh / (0.97 / 0.6 * 16)
    graphite_kg = balance["anode graphite (synthetic, supplier-specific and natural)"]
    assert synthetic + natural == pytest.approx(graphite_kg, rel=1e-6)
    assert graphite_kg == pytest.approx(graphite_per_kwh(product), rel=1e-6)
    if product == NMC:
        pcam = _activity(doc, f"{NMC}-pcam")["name"]
        nickel = sum(c["amount"] for c in fp["contributions"]
                     if c["activity"] == pcam and c["input"].startswith("nickel sulfate"))
        cam = nickel / (2.1804 * 0.9494)
        name = "cathode active material NMC811"
    else:
        cam_act = _activity(doc, f"{LFP}-cam")["name"]
        fepo4 = sum(c["amount"] for c in fp["contributions"]
                    if c["activity"] == cam_act and c["input"].startswith("iron(III) phosphate"))
        cam = fepo4 / 0.9560  # FePO4 per kg LiFePO4, 150.82 / 157.76 rounded as in the file
        name = "cathode active material LiFePO4"
    assert cam == pytest.approx(balance[name], rel=1e-4)
    assert cam == pytest.approx(cam_per_kwh(product), rel=1e-4)


# --- missing processes, now modelled -------------------------------------------------------------

def _rows(fp: dict, activity: str, unit: str) -> list[dict]:
    return [c for c in fp["contributions"] if c["activity"] == activity and c["unit"] == unit]


def test_cam_calcination_and_pcam_energy_by_hand(built_home):
    """Dai 2019 via premise: 7.26 kWh per kg NMC811 oxide, 39.106 MJ gas per kg hydroxide
    (0.9494 kg per kg oxide, stoichiometric)."""
    doc = _yaml(f"products/{NMC}.yaml")
    fp = service.compute_footprint(NMC)
    (kiln,) = _rows(fp, _activity(doc, f"{NMC}-cam")["name"], "kWh")
    assert kiln["amount"] == pytest.approx(7.26 * cam_per_kwh(NMC), rel=1e-6)
    (gas,) = _rows(fp, _activity(doc, f"{NMC}-pcam")["name"], "MJ")
    assert gas["amount"] == pytest.approx(39.106 * 0.9494 * cam_per_kwh(NMC), rel=1e-6)
    factor = _yaml("background/fuels.yaml")
    heat = _activity(factor, "heat-natural-gas")
    assert gas["input"] == heat["name"]


def test_lfp_kiln_heat_by_hand(built_home):
    doc = _yaml(f"products/{LFP}.yaml")
    fp = service.compute_footprint(LFP)
    (steam,) = _rows(fp, _activity(doc, f"{LFP}-cam")["name"], "MJ")
    assert steam["amount"] == pytest.approx(15.0 * cam_per_kwh(LFP), rel=1e-6)


# --- LFP recycling -------------------------------------------------------------------------------

# Mohr et al. 2020 via premise, per kg used LFP cell
MOHR = {"sulfuric": 0.213, "lime_hydrated": 0.116, "inorganic": 0.025, "kwh": 0.14}
MOHR_OUT = {"li2co3": 0.0984, "al": 0.0286, "cu": 0.00533}


def _direct(code: str) -> float:
    """kg CO2e per unit of a background activity made of co2-fossil exchanges only."""
    for path in sorted((databases_dir() / "background").glob("*.yaml")):
        for act in _yaml(f"background/{path.name}")["activities"]:
            if act["code"] == code:
                assert all(ex.get("flow") == "co2-fossil" for ex in act["exchanges"]), code
                return math.fsum(ex["amount"] for ex in act["exchanges"])
    raise KeyError(code)


def test_lfp_recycled_lithium_is_lfp_recycling_with_its_own_allocation(built_home):
    share = MOHR_OUT["li2co3"] / sum(MOHR_OUT.values())          # mass allocation
    per_kg = share / MOHR_OUT["li2co3"]
    grid_name = _activity(_yaml("background/electricity.yaml"), "electricity-cn-national")[
        "name"]
    fp = service.compute_footprint(NMC)           # the national grid's factor, from any use
    grid = next(c["kg_co2e_per_declared_unit"] / c["amount"] for c in fp["contributions"]
                if c["input"] == grid_name)
    by_hand = per_kg * (MOHR["sulfuric"] * _direct("sulfuric-acid")
                        + MOHR["lime_hydrated"] * 56.077 / 74.093 * _direct("quicklime")
                        + MOHR["inorganic"] * _direct("sodium-hydroxide")
                        + MOHR["kwh"] * grid)
    lfp = total("lithium-carbonate", recycled_content=1, lfp_recycling_share=1)
    assert lfp == pytest.approx(by_hand, rel=1e-4)
    # the LFP route carries more per kg than the NMC route the cell used to borrow
    nmc = total("lithium-carbonate", recycled_content=1)
    assert lfp > nmc
    # the cell draws the LFP route only, 0.2342 kg Li2CO3 per kg LiFePO4
    background = {a["code"]: a for a in _yaml("background/materials-battery.yaml")["activities"]}
    fp = service.compute_footprint(LFP, variant="recycled")
    names = {c["input"] for c in fp["contributions"]}
    assert background["battery-lithium-carbonate-recycled-lfp"]["name"] in names
    assert background["battery-lithium-carbonate-recycled"]["name"] not in names
    li2co3_per_kwh = 0.2342 * cam_per_kwh(LFP)
    (row,) = [c for c in fp["contributions"]
              if c["input"] == background["battery-lithium-carbonate-recycled-lfp"]["name"]]
    assert row["amount"] == pytest.approx(li2co3_per_kwh, rel=1e-6)
    assert row["kg_co2e_per_declared_unit"] == pytest.approx(li2co3_per_kwh * lfp, rel=1e-5)
    effect = total(LFP, "virgin") - total(LFP, "recycled")
    assert effect == pytest.approx(li2co3_per_kwh * (total("lithium-carbonate") - lfp),
                                   abs=2e-5)


# --- model structure and assumptions -------------------------------------------------------------

@pytest.mark.parametrize("product", [NMC, LFP])
def test_grid_renewable_split_is_model_structure(built_home, product):
    site = _activity(_yaml(f"products/{product}.yaml"), f"{product}-site-electricity")
    assert site["source"] == "pcf-model-structure"
    doc = audit(product)
    assert not any(r["activity"] == site["name"] for r in doc["assumptions"]["largest"])
    if product == NMC:
        assert doc["assumptions"]["percent"] < 5.0
        assert "assumption-share-high" not in {f["code"] for f in doc["flags"]}


# --- results against the ranges read from databases/ ---------------------------------------------

def test_recycled_reduction_range_uses_the_virgin_cell_by_hand(built_home):
    stored = [r for r in _yaml("rules/published-ranges.yaml")["published_ranges"]
              if r["measure"] == "reduction:virgin"]
    assert {r["product"] for r in stored} == {NMC, LFP}
    for r in stored:
        expected = 1 - total(r["product"], "recycled") / total(r["product"], "virgin")
        (row,) = [x for x in audit(r["product"], variant="recycled")["published_ranges"]
                  if x["measure"] == "reduction:virgin"]
        assert row["value"] == pytest.approx(expected, rel=1e-9)
        assert row["within"] is (r["low"] <= expected <= r["high"])
        assert row["within"]        # both cells inside 0-51 % (Ciez 2019, Llamas-Orozco 2023)
    # LFP recovers lithium only: its reduction is well below NMC811's
    assert (1 - total(LFP, "recycled") / total(LFP, "virgin")) < \
        (1 - total(NMC, "recycled") / total(NMC, "virgin"))


def test_virgin_cells_against_their_stored_ranges(built_home):
    stored = [r for r in _yaml("rules/published-ranges.yaml")["published_ranges"]
              if r["product"] in (NMC, LFP) and r["measure"] == "total"]
    for r in stored:
        value = total(r["product"], r["variant"])
        if r["product"] == NMC:
            assert r["low"] <= value <= r["high"], r["label"]
    # LFP: inside Xu 2022's 41-89 but above Peiseler's 54-69; the charge-sized anode explains
    # the step: with premise's (physically too small) anode the cell would be inside it
    lfp = total(LFP)
    peiseler = next(r for r in stored if r["product"] == LFP and "percentile" in r["label"])
    assert lfp > peiseler["high"]
    assert "outside-published-range" in {f["code"] for f in audit(LFP)["flags"]}
    # the two reasons the stored basis gives, each enough on its own to bring it inside:
    # Degen 2023's lower factory energy (20.3 kWh per kWh) ...
    assert total(LFP, cell_factory_energy=20.3) <= peiseler["high"]
    # ... or premise's anode (0.1315 kg paste x 0.9 graphite x 6.25 kg cell per kWh), by hand
    natural = next(a for a in _yaml("background/materials-battery.yaml")["activities"]
                   if a["code"] == "battery-graphite-natural")["exchanges"][0]["amount"]
    per_kg_graphite = 0.6575 * total("graphite-anode") + (1 - 0.6575) * natural
    premise_anode = PREMISE_LFP["anode_paste"] * 0.9 * 6.25
    assert lfp - (graphite_per_kwh(LFP) - premise_anode) * per_kg_graphite <= peiseler["high"]


def test_reduction_measure_is_checked(tmp_path, built_home):
    from pcf.inventory.loader import load_inventory
    from pcf.inventory.rules import load_published_ranges

    inventory = load_inventory(databases_dir())
    (tmp_path / "rules").mkdir()
    entry = next(r for r in _yaml("rules/published-ranges.yaml")["published_ranges"]
                 if r["measure"] == "reduction:virgin")
    for measure in ("reduction:nowhere", "reduction:recycled"):
        (tmp_path / "rules" / "published-ranges.yaml").write_text(
            yaml.safe_dump({"published_ranges": [{**entry, "measure": measure}]}))
        with pytest.raises(InventoryInvalid) as info:
            load_published_ranges(tmp_path, inventory.products, inventory.sources)
        assert f"measure {measure!r}" in str(info.value)
        assert "reduction:virgin" in str(info.value)


def test_relative_reduction_formula_and_bad_reference():
    from pcf.accounting.ranges import relative_reduction

    assert relative_reduction(59.0, 84.0) == pytest.approx(25.0 / 84.0)
    assert relative_reduction(90.0, 84.0) < 0
    with pytest.raises(ValueError):
        relative_reduction(1.0, 0.0)
