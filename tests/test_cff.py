"""recycled_content_method: cff beside cut-off (issue 20): footprints, comparisons, CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pcf.errors import InvalidInput


@pytest.fixture
def fp(built_home):
    from pcf.service.footprints import compute_footprint

    return compute_footprint


def _metal():
    return 1 + 0.02 / 0.85  # external metal per kg coil (aluminium-coil.yaml header)


def test_coil_recycled_by_hand(fp):
    cut = fp("aluminium-coil", variant="recycled")
    cff = fp("aluminium-coil", variant="recycled", recycled_content_method="cff")
    ev = fp("aluminium-coil", variant="virgin")  # Ev from the virgin coil, independently:
    # virgin raw materials = metal x Ev (all primary), so Ev = raw-materials / metal
    raw_virgin = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in ev["stages"]}
    ev_kg = raw_virgin["raw-materials"] / _metal()
    a, erec = 0.2, 0.5  # cff-parameters.yaml (aluminium) and al-scrap-post-consumer
    expected = cut["per_declared_unit"]["total"] + _metal() * (1 - a) * (ev_kg - erec)
    assert cff["per_declared_unit"]["total"] == pytest.approx(expected, rel=1e-6)
    assert cff["recycled_content_method"] == "cff" and cut["recycled_content_method"] == "cut-off"
    assert cff["cff"]["rule_set"]["id"] == "eu-pef-cff"
    # stages and contributions still sum to the total
    total = cff["per_declared_unit"]["total"]
    assert sum(s["kg_co2e_per_declared_unit"] for s in cff["stages"]) == pytest.approx(total)
    assert sum(c["kg_co2e_per_declared_unit"] for c in cff["contributions"]) == pytest.approx(
        total, rel=1e-9)
    assert cff["cff"]["materials"][0]["R1"] == pytest.approx(1.0)


def test_virgin_product_is_the_same_under_both_rules(fp):
    for product in ("aluminium-coil", "battery-cell-nmc811", "lithium-carbonate"):
        cut = fp(product, variant="virgin")["per_declared_unit"]["total"]
        cff = fp(product, variant="virgin", recycled_content_method="cff")
        assert cff["per_declared_unit"]["total"] == pytest.approx(cut, rel=1e-12)


def test_a_equal_1_gives_cut_off_on_the_model(fp, monkeypatch):
    from pcf.inventory.regulatory import load_cff_rules
    from pcf.service import cff as module

    rules = load_cff_rules()
    for m in rules["materials"]:
        m["A"] = 1.0
    monkeypatch.setattr(module, "_rules", lambda: rules)
    for product in ("aluminium-coil", "battery-cell-nmc811", "battery-cell-lfp"):
        cut = fp(product, variant="recycled")["per_declared_unit"]["total"]
        cff = fp(product, variant="recycled", recycled_content_method="cff")
        assert cff["per_declared_unit"]["total"] == pytest.approx(cut, rel=1e-12)


@pytest.mark.parametrize("product", ["aluminium-coil", "battery-cell-nmc811",
                                     "battery-cell-lfp", "lithium-carbonate",
                                     "lithium-hydroxide"])
def test_every_recycled_input_is_counted(fp, product):
    """Each mapped product's recycled variant has recycled content under the CFF: the mapping
    names every recycled input the model uses (the LFP cell's recycled lithium comes from
    LFP hydrometallurgy since issue 16, and was first missed)."""
    params = {"lfp_recycling_share": 1} if product == "lithium-carbonate" else None
    cff = fp(product, variant="recycled", parameters=params, recycled_content_method="cff")
    materials = cff["cff"]["materials"]
    assert materials and all(m["R1"] > 0 for m in materials), materials
    cut = fp(product, variant="recycled", parameters=params)["per_declared_unit"]["total"]
    assert cff["per_declared_unit"]["total"] != pytest.approx(cut, rel=1e-6)


def test_comparison_sets_both_rules_side_by_side(built_home):
    from pcf.service.comparisons import compare

    out = compare("aluminium-coil", [
        {"label": "cut-off", "variant": "recycled-35"},
        {"label": "cff", "variant": "recycled-35", "recycled_content_method": "cff"}])
    by = {c["label"]: c["footprint"] for c in out["cases"]}
    assert by["cut-off"]["recycled_content_method"] == "cut-off"
    assert by["cff"]["recycled_content_method"] == "cff"
    assert by["cff"]["per_declared_unit"]["total"] > by["cut-off"]["per_declared_unit"]["total"]


def test_bad_method_and_unmapped_product(fp):
    with pytest.raises(InvalidInput) as err:
        fp("aluminium-coil", recycled_content_method="avoided-burden")
    assert err.value.field == "recycled_content_method" and "cff" in err.value.allowed
    with pytest.raises(InvalidInput) as err:
        fp("ndfeb-magnet", recycled_content_method="cff")
    assert "aluminium-coil" in err.value.allowed


def test_cli_footprint_cff(built_home):
    from pcf.cli import main

    res = CliRunner().invoke(main, ["footprint", "aluminium-coil", "--variant", "recycled",
                                    "--recycled-content-method", "cff", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["recycled_content_method"] == "cff"
    res = CliRunner().invoke(main, ["footprint", "aluminium-coil",
                                    "--recycled-content-method", "x"])
    assert res.exit_code == 2


def test_rule_files_checked_and_schemas_current(tmp_path):
    import shutil

    from pcf.config import databases_dir
    from pcf.errors import InventoryInvalid
    from pcf.inventory.regulatory import (
        load_battery_rules,
        load_cff_rules,
        write_json_schema,
    )

    written = write_json_schema(tmp_path)
    for path in written:  # the committed JSON Schemas are the generated ones
        assert json.loads(path.read_text()) == json.loads(
            (databases_dir() / "schema" / path.name).read_text())
    root = tmp_path / "databases"
    (root / "rules").mkdir(parents=True)
    shutil.copy(databases_dir() / "sources.yaml", root / "sources.yaml")
    cff = (databases_dir() / "rules" / "cff-parameters.yaml").read_text()
    (root / "rules" / "cff-parameters.yaml").write_text(
        cff.replace("      - material: cobalt\n        virgin",
                    "      - material: tin\n        virgin", 1))
    with pytest.raises(InventoryInvalid, match="tin"):
        load_cff_rules(root)
    (root / "rules" / "cff-parameters.yaml").write_text(cff.replace("A: 0.2", "A: 1.7", 1))
    with pytest.raises(InventoryInvalid, match="A"):
        load_cff_rules(root)
    battery = (databases_dir() / "rules" / "battery-declaration.yaml").read_text()
    (root / "rules" / "battery-declaration.yaml").write_text(
        battery.replace("lithium: 0.50", "lithium: 1.50", 1))
    with pytest.raises(InventoryInvalid, match="lithium"):
        load_battery_rules(root)
