"""CBAM embedded emissions of the aluminium coil (issue 20): service, rules as data, CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pcf.errors import InvalidInput, InventoryInvalid, UnknownResource


@pytest.fixture
def cbam(built_home):
    from pcf.service import cbam as module

    return module


def _by_hand(params: dict, primary_see: float, supplier_see: float | None = None,
             cover: float = 0.0) -> dict:
    """Independent arithmetic from the coil model's documented structure (file header of
    databases/products/aluminium-coil.yaml): external metal = 1 + melt_loss / yield, melted
    = 1 / yield, gas per kg melted = melt_enthalpy (1 + holding) / efficiency."""
    metal = 1 + params["melt_loss"] / params["yield"]
    primary = (1 - params["recycled_content"]) * metal
    scrap = params["recycled_content"] * metal
    gas_mj = (1 / params["yield"]) * params["melt_enthalpy"] * (
        1 + params["holding_energy_share"]) / params["gas_furnace_efficiency"]
    direct = gas_mj * 0.0561
    see = direct + primary * (1 - cover) * primary_see + primary * cover * (
        supplier_see or 0.0)
    return {"primary": primary, "scrap": scrap, "direct": direct, "see": see}


DEFAULTS = {"melt_loss": 0.02, "yield": 0.85, "melt_enthalpy": 1.1337,
            "holding_energy_share": 0.125, "gas_furnace_efficiency": 0.525}


def test_order_line_virgin_coil_by_hand(cbam):
    doc = cbam.communication("aluminium-coil", quantity=20, unit="t")
    hand = _by_hand({**DEFAULTS, "recycled_content": 0.0}, primary_see=3.0)
    assert doc["direct_emissions"]["attributed_t_co2e_per_t"] == pytest.approx(hand["direct"],
                                                                                rel=1e-6)
    assert doc["specific_embedded_emissions"]["direct"] == pytest.approx(hand["see"], rel=1e-6)
    assert doc["embedded_emissions"]["direct_t_co2e"] == pytest.approx(20 * hand["see"],
                                                                        rel=1e-6)
    assert doc["precursors"][0]["value_source"] == "default value (CN)"
    assert doc["rule_set"]["id"] == "eu-cbam-definitive-aluminium"
    assert doc["rule_set"]["version"]
    assert doc["qualifying_parameters"]["scrap_t_per_t"] == 0.0
    # the official table was not reachable: the figures say so
    assert {s["figure"] for s in doc["secondary_figures"]} >= {"default value (CN) CN 7601",
                                                               "mark-up 2026"}


def test_company_period_with_supply_mix_by_hand(cbam):
    doc = cbam.communication("aluminium-coil", company="shengtong", year=2025)
    hand = _by_hand({**DEFAULTS, "recycled_content": 0.208}, primary_see=3.0)
    assert doc["specific_embedded_emissions"]["direct"] == pytest.approx(hand["see"], rel=1e-6)
    qp = doc["qualifying_parameters"]
    assert qp["scrap_t_per_t"] == pytest.approx(hand["scrap"], rel=1e-6)
    assert qp["pre_consumer_scrap_percent"] == 0.0
    # scrap at zero embedded emissions, as the rule states
    assert all(s["t_co2e_per_t"] == 0.0 for s in doc["scrap"])
    # indirect for information only: electricity x grid factor, not in the SEE
    ind = doc["indirect_emissions_for_information"]
    assert ind["t_co2e_per_t"] == pytest.approx(0.4796 * 0.5271, rel=1e-6)
    # the good's own default with the 2026 mark-up
    assert doc["default_value_of_good"]["direct_with_markup"] == pytest.approx(4.88 * 1.1)
    assert doc["installation"]["id"] == "shengtong"


def test_pre_consumer_scrap_share(cbam):
    doc = cbam.communication("aluminium-coil", parameters={"recycled_content": 0.5,
                                                           "post_consumer_share": 0.25})
    qp = doc["qualifying_parameters"]
    metal = 1 + 0.02 / 0.85
    assert qp["scrap_t_per_t"] == pytest.approx(0.5 * metal, rel=1e-6)
    assert qp["pre_consumer_scrap_percent"] == pytest.approx(75.0, rel=1e-6)


def test_supplier_figures_stored_and_given(cbam, tmp_path):
    from pcf.store import Store
    from tests.test_suppliers import do_import, pact_doc

    store = Store.open(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    try:
        do_import(store, pact_doc(), share=0.5)
        stored = cbam.communication("aluminium-coil", company="shengtong", year=2025,
                                    store=store)
        hand = _by_hand({**DEFAULTS, "recycled_content": 0.208}, primary_see=3.0,
                        supplier_see=4.1, cover=0.5)
        assert stored["specific_embedded_emissions"]["direct"] == pytest.approx(hand["see"],
                                                                                 rel=1e-6)
        sources = {p["value_source"] for p in stored["precursors"]}
        assert sources == {"default value (CN)", "supplier figure (cradle-to-gate PCF)"}
        assert any("not a CBAM SEE" in w for w in stored["warnings"])
        given = cbam.communication("aluminium-coil", company="shengtong", year=2025,
                                   store=store, precursor_see=1.8)
        hand = _by_hand({**DEFAULTS, "recycled_content": 0.208}, primary_see=3.0,
                        supplier_see=1.8, cover=0.5)
        assert given["specific_embedded_emissions"]["direct"] == pytest.approx(hand["see"],
                                                                                rel=1e-6)
        defaults = cbam.communication("aluminium-coil", company="shengtong", year=2025,
                                      store=store, defaults_only=True)
        hand = _by_hand({**DEFAULTS, "recycled_content": 0.208}, primary_see=3.0)
        assert defaults["specific_embedded_emissions"]["direct"] == pytest.approx(hand["see"],
                                                                                   rel=1e-6)
    finally:
        store.dispose()


def test_scrap_rule_is_data(cbam, monkeypatch):
    from pcf.inventory.regulatory import load_cbam_rules

    rules = load_cbam_rules()
    rules["scrap"]["embedded_emissions"] = 0.5  # a later rule (e.g. pre-consumer from 2028)
    monkeypatch.setattr(cbam, "_rules", lambda: rules)
    doc = cbam.communication("aluminium-coil", variant="recycled")
    metal = 1 + 0.02 / 0.85
    hand = _by_hand({**DEFAULTS, "recycled_content": 1.0}, primary_see=3.0)
    assert doc["specific_embedded_emissions"]["direct"] == pytest.approx(
        hand["direct"] + 0.5 * metal, rel=1e-6)


@pytest.mark.parametrize("kwargs, field", [
    ({"country": "US"}, "country"), ({"country": "China"}, "country"),
    ({"year": 2025}, "year"), ({"company": "shengtong"}, "year"),
    ({"company": "shengtong", "year": 2019}, "year"), ({"precursor_see": -1}, "precursor_see"),
    ({"precursor_see": "x"}, "precursor_see"), ({"alloying_share": 2}, "alloying_share"),
    ({"quantity": -3}, "quantity"), ({"unit": "kWh"}, "unit"),
    ({"import_year": 2020}, "import_year"),
    ({"parameters": {"recycled_content": 7}}, "parameters.recycled_content"),
])
def test_bad_inputs_name_the_field(cbam, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        cbam.communication("aluminium-coil", **kwargs)
    assert (err.value.field or "").startswith(field.split(".")[0])


def test_products_that_are_not_cbam_goods(cbam):
    with pytest.raises(InvalidInput) as err:
        cbam.communication("ndfeb-magnet")
    assert err.value.field == "product" and err.value.allowed == ["aluminium-coil"]
    with pytest.raises(UnknownResource):
        cbam.communication("unobtainium")


def test_rules_file_is_checked(tmp_path):
    import shutil

    from pcf.config import databases_dir
    from pcf.inventory.regulatory import json_schema, load_cbam_rules

    root = tmp_path / "databases"
    (root / "rules").mkdir(parents=True)
    shutil.copy(databases_dir() / "sources.yaml", root / "sources.yaml")
    text = (databases_dir() / "rules" / "cbam-aluminium.yaml").read_text()
    (root / "rules" / "cbam-aluminium.yaml").write_text(
        text.replace("source: argus-cbam-al-2025", "source: nowhere-2025", 1))
    with pytest.raises(InventoryInvalid, match="nowhere-2025"):
        load_cbam_rules(root)
    (root / "rules" / "cbam-aluminium.yaml").write_text(
        text.replace("embedded_emissions: 0.0", "embedded_emissions: -1.0", 1))
    with pytest.raises(InventoryInvalid, match="embedded_emissions"):
        load_cbam_rules(root)
    committed = json.loads((databases_dir() / "schema" / "cbam-aluminium.schema.json")
                           .read_text())
    assert committed == json_schema()


def test_cli_json_and_xlsx(built_home, tmp_path):
    from openpyxl import load_workbook

    from pcf.certificates.cbam_workbook import SHEETS
    from pcf.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["cbam", "aluminium-coil", "--quantity", "20", "--unit", "t",
                               "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    hand = _by_hand({**DEFAULTS, "recycled_content": 0.0}, primary_see=3.0)
    assert doc["embedded_emissions"]["direct_t_co2e"] == pytest.approx(20 * hand["see"],
                                                                        rel=1e-6)
    out = tmp_path / "cbam.xlsx"
    res = runner.invoke(main, ["cbam", "aluminium-coil", "--company", "shengtong", "--year",
                               "2025", "--format", "xlsx", "-o", str(out)],
                        env={"PCF_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}"})
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert tuple(wb.sheetnames) == SHEETS
    cells = [c for row in wb["D_Processes"].iter_rows(values_only=True) for c in row]
    see = cells[cells.index("Specific embedded emissions (direct)") + 1]
    hand = _by_hand({**DEFAULTS, "recycled_content": 0.208}, primary_see=3.0)
    assert see == pytest.approx(hand["see"], rel=1e-6)
    res = runner.invoke(main, ["cbam", "aluminium-coil", "--format", "xlsx"])
    assert res.exit_code == 2 and "--output" in res.output
    res = runner.invoke(main, ["cbam", "aluminium-coil", "--country", "FR"])
    assert res.exit_code == 2 and "country" in res.output


def test_a_mapping_the_model_lost_is_an_error_not_a_zero(cbam, monkeypatch):
    from pcf.inventory.regulatory import load_cbam_rules

    rules = load_cbam_rules()
    rules["goods"][0]["scrap_inputs"][0]["consumer"] = "renamed-activity"
    monkeypatch.setattr(cbam, "_rules", lambda: rules)
    with pytest.raises(InventoryInvalid, match="renamed-activity"):
        cbam.communication("aluminium-coil")
