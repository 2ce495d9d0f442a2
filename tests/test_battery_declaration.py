"""EU battery carbon footprint declaration of the cells (issue 20): functional unit, stages,
electricity rule, distribution and end of life against independent arithmetic."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner

from pcf.errors import InvalidInput

SEA, TRUCK = 0.01978, 0.12527  # kg CO2e/tkm, the hand check in background/transport.yaml
LFP_WH_PER_KG = 160  # battery-cell-lfp energy_density default (products/battery-cell-lfp.yaml)


@pytest.fixture
def decl(built_home):
    from pcf.service.battery_declaration import declaration

    return declaration


def test_functional_unit_arithmetic():
    from pcf.service.battery_declaration import functional_unit

    assert functional_unit(1.0, 60, 8) == 480.0
    assert functional_unit(0.9, 250, 10) == pytest.approx(2250.0)
    with pytest.raises(ValueError):
        functional_unit(0.0, 60, 8)


@pytest.mark.parametrize("product", ["battery-cell-nmc811", "battery-cell-lfp"])
def test_stages_units_and_reconciliation(decl, product):
    d = decl(product)
    stages = d["life_cycle_stages"]
    assert [s["stage"] for s in stages] == ["raw-material-acquisition",
                                            "main-product-production", "distribution",
                                            "end-of-life"]
    cap = d["carbon_footprint"]["per_kwh_capacity"]
    assert sum(s["kg_co2e_per_kwh_capacity"] for s in stages) == pytest.approx(cap, rel=1e-12)
    assert d["carbon_footprint"]["per_kwh_total_energy"] == pytest.approx(cap / 480.0)
    diff = d["differences"]
    assert d["cradle_to_gate"]["kg_co2e_per_kwh_capacity"] + diff["electricity_rule"] + \
        diff["cff"] + diff["distribution"] + diff["end_of_life"] == pytest.approx(cap)
    assert d["performance_class"] is None
    assert d["rule_set"]["id"] == "eu-battery-cf-draft-2024" and d["rule_set"]["version"]
    assert d["recycled_content_method"] == "cff"
    assert d["end_of_life"]["kg_co2e_per_kwh_capacity"] != 0.0  # modelled, not assumed zero


def test_functional_unit_settings(decl):
    base = decl("battery-cell-lfp")["carbon_footprint"]["per_kwh_capacity"]
    d = decl("battery-cell-lfp", parameters={"vehicle_category": "L", "service_years": "10",
                                             "usable_share": 0.9})
    assert d["functional_unit"]["kwh_total_energy_per_kwh_capacity"] == pytest.approx(180.0)
    assert d["carbon_footprint"]["per_kwh_total_energy"] == pytest.approx(base / 180.0)
    d = decl("battery-cell-lfp", parameters={"cycles_per_year": 100})
    assert d["functional_unit"]["kwh_total_energy_per_kwh_capacity"] == pytest.approx(800.0)


def test_distribution_by_hand(decl):
    d = decl("battery-cell-nmc811")
    kg = 1000 / 280  # energy_density default
    per_kg = 19.631 * SEA + 0.6 * TRUCK
    assert d["distribution"]["kg_co2e_per_kwh_capacity"] == pytest.approx(kg * per_kg, rel=2e-3)


def test_electricity_rule_national_average(decl):
    from pcf.service.footprints import compute_footprint

    d = decl("battery-cell-lfp")
    national = compute_footprint("battery-cell-lfp", parameters={"cell_factory_grid":
                                                                  "cn-national"})
    stages = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in national["stages"]}
    got = {s["stage"]: s["kg_co2e_per_kwh_capacity"] for s in d["life_cycle_stages"]}
    # virgin cell: the CFF adds nothing, so the first two stages are the national-grid model's
    assert got["main-product-production"] == pytest.approx(stages["main-product-production"])
    assert got["raw-material-acquisition"] == pytest.approx(stages["raw-material-acquisition"])
    assert d["cradle_to_gate"]["cell_factory_grid"] == "cn-south"
    assert d["manufacturing_plant"]["grid"] == "cn-national"


def test_end_of_life_credit_by_hand(decl):
    from pcf.service.footprints import compute_footprint

    d = decl("battery-cell-lfp", parameters={"lithium_source": "brine"})
    li2co3 = compute_footprint("lithium-carbonate", variant="virgin",
                               parameters={"route": "brine"})["per_declared_unit"]["total"]
    credit = d["end_of_life"]["credits"][0]
    assert credit["e_star_v"] == pytest.approx(li2co3, rel=1e-9)
    expected = -(1 - 0.2) * credit["input_kg"] * 0.5 * li2co3
    assert credit["credit_kg_co2e"] == pytest.approx(expected, rel=1e-9)
    eol = d["end_of_life"]
    assert eol["kg_co2e_per_kwh_capacity"] == pytest.approx(
        0.8 * eol["recycling_kg_co2e_per_kwh_capacity"] + eol["credits_kg_co2e"])


def test_nmc811_lithium_credit_keeps_the_lithium_balance(decl):
    """The lithium recovered from an NMC811 cell is the lithium of its LiOH.H2O, as crude
    Li2CO3: 2 x 41.962 kg LiOH.H2O hold the lithium of 73.888 kg Li2CO3 (IUPAC 2021 molar
    masses: Li 6.94, O 15.999, H 1.008, C 12.011). Not the 1.05 kg Li2CO3 the lithium-hydroxide
    model consumes per kg LiOH.H2O, which includes causticization losses."""
    from pcf.service.footprints import compute_footprint

    li, o, h, c = 6.94, 15.999, 1.008, 12.011
    lioh_h2o = li + o + h + (2 * h + o)
    li2co3 = 2 * li + c + 3 * o
    cell = compute_footprint("battery-cell-nmc811", provenance=True)
    lioh_kg = {p["product"]: p["amount"] for p in cell["linked_products"]}["lithium-hydroxide"]
    credit = {c["material"]: c for c in decl("battery-cell-nmc811")["end_of_life"]["credits"]}
    lithium = credit["lithium"]
    assert lithium["input_kg"] == pytest.approx(lioh_kg * li2co3 / (2 * lioh_h2o), rel=1e-4)
    # lithium in = lithium credited as recovered before the recovery rate
    assert lithium["input_kg"] * 2 * li / li2co3 == pytest.approx(lioh_kg * li / lioh_h2o,
                                                                  rel=1e-4)
    assert lithium["recovered_kg"] == pytest.approx(lithium["input_kg"] * 0.5)


def test_recycled_cell_takes_the_cff(decl):
    from pcf.service.footprints import compute_footprint

    d = decl("battery-cell-nmc811", variant="recycled")
    assert d["cff"]["adjustment"]["total"] > 0
    cff = compute_footprint("battery-cell-nmc811", variant="recycled",
                            parameters={"cell_factory_grid": "cn-national"},
                            recycled_content_method="cff")
    raw = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in cff["stages"]}
    got = {s["stage"]: s["kg_co2e_per_kwh_capacity"] for s in d["life_cycle_stages"]}
    assert got["raw-material-acquisition"] == pytest.approx(raw["raw-material-acquisition"])


@pytest.mark.parametrize("params, field", [
    ({"renewable_electricity_share": 0.5}, "parameters.renewable_electricity_share"),
    ({"cell_factory_grid": "cn-south"}, "parameters.cell_factory_grid"),
    ({"vehicle_category": "X"}, "vehicle_category"),
    ({"service_years": 0}, "service_years"), ({"service_years": "long"}, "service_years"),
    ({"usable_share": 1.5}, "usable_share"), ({"plant_country": "ZZ"}, "plant_country"),
    ({"direct_connection": "maybe"}, "direct_connection"),
    ({"energy_density": 5}, "parameters.energy_density"),
])
def test_bad_settings_name_the_field(decl, params, field):
    with pytest.raises(InvalidInput) as err:
        decl("battery-cell-lfp", parameters=params)
    assert err.value.field == field


def test_direct_connection_allows_renewable(decl):
    plain = decl("battery-cell-lfp")
    direct = decl("battery-cell-lfp", parameters={"renewable_electricity_share": 1,
                                                  "direct_connection": "true"})
    assert direct["carbon_footprint"]["per_kwh_capacity"] < \
        plain["carbon_footprint"]["per_kwh_capacity"]


def test_not_a_cell(decl):
    with pytest.raises(InvalidInput) as err:
        decl("aluminium-coil")
    assert err.value.field == "product"


def test_cli_json_and_pdf(built_home, tmp_path):
    from pypdf import PdfReader

    from pcf.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["battery-declaration", "battery-cell-nmc811", "--set",
                               "service_years=10", "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["functional_unit"]["kwh_total_energy_per_kwh_capacity"] == 600.0
    out = tmp_path / "d.pdf"
    res = runner.invoke(main, ["battery-declaration", "battery-cell-lfp", "--format", "pdf",
                               "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    for heading in ("Carbon footprint per life-cycle stage", "end of life and recycling",
                    "Performance class", "eu-battery-cf-draft-2024"):
        assert heading in text
    res = runner.invoke(main, ["battery-declaration", "battery-cell-lfp", "--format", "pdf"])
    assert res.exit_code == 2


def test_a_mapping_the_model_lost_is_an_error_not_a_zero(decl, monkeypatch):
    from pcf.errors import InventoryInvalid
    from pcf.inventory.regulatory import load_battery_rules
    from pcf.service import battery_declaration as module

    rules = load_battery_rules()
    rules["products"][0]["materials"][0]["inputs"][0]["consumer"] = "renamed-activity"
    monkeypatch.setattr(module, "_rules", lambda: rules)
    with pytest.raises(InventoryInvalid, match="renamed-activity"):
        decl(rules["products"][0]["product"])


def test_company_year_fills_the_maker_and_keeps_its_grid_for_cradle_to_gate(decl):
    from pcf.service.footprints import compute_footprint

    d = decl("battery-cell-nmc811", company="sunwoda", year=2024)
    assert d["administrative"]["manufacturer"].startswith("Sunwoda")
    assert d["manufacturing_plant"]["grid"] == "cn-national"
    own = compute_footprint("battery-cell-nmc811", parameters={
        "cell_factory_grid": "cn-south", "graphitization_grid": "cn-south",
        "lithium_source": "spodumene", "renewable_electricity_share": 0})
    assert d["cradle_to_gate"]["kg_co2e_per_kwh_capacity"] == pytest.approx(
        own["per_declared_unit"]["total"], rel=1e-12)
    with pytest.raises(InvalidInput) as err:
        decl("battery-cell-nmc811", company="sunwoda", year=2019)
    assert err.value.field == "year"
    with pytest.raises(InvalidInput) as err:
        decl("battery-cell-nmc811", year=2024)
    assert err.value.field == "year"


def test_lfp_end_of_life_uses_lfp_hydrometallurgy(decl, built_home):
    """The LFP cell is recycled by its own process (Mohr et al. 2020), not the NMC proxy: per kg
    of cell it is the recycled-Li2CO3 dataset's inputs before allocation, i.e. that dataset
    (per kg Li2CO3, 7.5568 kg of cell each) divided by 7.5568."""
    from pcf.engine import get_engine

    d = decl("battery-cell-lfp")
    eol = d["end_of_life"]
    assert eol["recycling_activity"] == "battery-cell-lfp-recycling-hydromet"
    per_li2co3 = get_engine().background_impact("battery-lfp-hydromet-recycling-output")["total"]
    assert eol["recycling_kg_co2e_per_kg_cell"] == pytest.approx(per_li2co3 / 7.5568, rel=1e-4)
    kg_cell = d["distribution"]["kg_cell_per_kwh"]
    assert kg_cell == pytest.approx(1000 / LFP_WH_PER_KG)
    assert eol["recycling_kg_co2e_per_kwh_capacity"] == pytest.approx(
        kg_cell * eol["recycling_kg_co2e_per_kg_cell"])
    nmc = decl("battery-cell-nmc811")["end_of_life"]
    assert nmc["recycling_activity"] == "battery-cell-recycling-hydromet"


@pytest.mark.parametrize("parameters, field", [
    ({"renewable_electricity_share": "abc"}, "parameters.renewable_electricity_share"),
    ({"renewable_electricity_share": [1]}, "parameters.renewable_electricity_share"),
    ({"cycles_per_year": True}, "cycles_per_year"),
])
def test_bad_settings_are_named(decl, parameters, field):
    """Found in review: a non-numeric renewable share answered 500, a boolean counted as 1."""
    with pytest.raises(InvalidInput) as err:
        decl("battery-cell-lfp", parameters=parameters)
    assert err.value.field is not None and err.value.field.endswith(field.split(".")[-1])
