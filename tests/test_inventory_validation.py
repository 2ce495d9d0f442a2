"""The databases/ validator: every rule refuses bad data and names the file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pcf.errors import InventoryInvalid
from pcf.inventory.loader import load_inventory

REPO = Path(__file__).resolve().parent.parent

SOURCES = {"sources": [
    {"id": "src-a", "citation": "A citation", "link": None, "licence": "CC BY 4.0",
     "taken": "a figure"},
    {"id": "pcf-assumption", "citation": "assumption", "link": None, "licence": "n/a",
     "taken": "assumptions"},
]}
BACKGROUND = {
    "database": "pcf-background",
    "defaults": {"source": "src-a", "year": 2023, "geography": "GLO", "basis": "test basis"},
    "activities": [{
        "code": "grid", "name": "electricity, test grid", "unit": "kWh",
        "exchanges": [{"flow": "co2-fossil", "amount": 0.5, "unit": "kg"}],
    }, {
        "code": "green", "name": "electricity, test renewable", "unit": "kWh",
        "exchanges": [{"flow": "co2-fossil", "amount": 0.02, "unit": "kg"}],
    }],
}


def product_doc():
    """A minimal valid product file."""
    meta = {"source": "pcf-assumption", "basis": "test"}
    return {
        "database": "pcf-products",
        "defaults": {"source": "src-a", "year": 2024, "geography": "CN", "basis": "test"},
        "product": {
            "id": "widget", "name": "Widget", "declared_unit": "kg",
            "stages": ["materials", "production"],
            "parameters": {
                "recycled_content": {"type": "number", "unit": "kg/kg", "default": 0,
                                     "min": 0, "max": 1, "description": "recycled", **meta},
                "renewable_electricity_share": {"type": "number", "unit": "kWh/kWh",
                                                "default": 0, "min": 0, "max": 1,
                                                "description": "renewable", **meta},
                "grid": {"type": "choice", "default": "a", "choices": {"a": "grid", "b": "green"},
                         "description": "grid", **meta},
            },
            "derived": {"primary": "1 - recycled_content"},
            "variants": {"virgin": {"recycled_content": 0}, "recycled": {"recycled_content": 1}},
        },
        "activities": [{
            "code": "widget", "name": "widget", "unit": "kg", "stage": "production",
            "exchanges": [
                {"select": "grid", "formula": "2 * (1 - renewable_electricity_share)",
                 "unit": "kWh"},
                {"input": "green", "formula": "2 * renewable_electricity_share", "unit": "kWh"},
                {"input": "widget-material", "amount": 1, "unit": "kg"},
            ],
        }, {
            "code": "widget-material", "name": "material", "unit": "kg", "stage": "materials",
            "exchanges": [{"flow": "co2-fossil", "formula": "3 * primary + 0.5 * recycled_content",
                           "unit": "kg"}],
        }],
    }


UNCERTAINTY_SOURCES = {
    "src-a": {"reliability": 2, "completeness": 3, "technological": 2, "why": "test source"},
    "pcf-assumption": {"reliability": 4, "completeness": 4, "technological": 3, "why": "test"},
}


def write(root: Path, background=None, product=None, sources=None,
          uncertainty=None) -> Path:
    (root / "background").mkdir(parents=True, exist_ok=True)
    rules = yaml.safe_load((REPO / "databases" / "uncertainty.yaml").read_text())
    rules["sources"] = UNCERTAINTY_SOURCES
    rules.update(uncertainty or {})
    (root / "uncertainty.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    (root / "products").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "databases" / "flows.yaml", root / "flows.yaml")
    (root / "sources.yaml").write_text(yaml.safe_dump(sources or SOURCES, sort_keys=False))
    (root / "background" / "bg.yaml").write_text(
        yaml.safe_dump(background or BACKGROUND, sort_keys=False))
    (root / "products" / "widget.yaml").write_text(
        yaml.safe_dump(product or product_doc(), sort_keys=False))
    return root


def problems(root: Path) -> str:
    with pytest.raises(InventoryInvalid) as info:
        load_inventory(root)
    return str(info.value)


def test_minimal_inventory_is_valid(tmp_path):
    inventory = load_inventory(write(tmp_path))
    assert set(inventory.activities) == {"grid", "green", "widget", "widget-material"}
    assert inventory.products["widget"].default_values()["grid__a"] == 1.0


def test_unknown_flow_names_file_and_line(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][0]["exchanges"][0]["flow"] = "co2e"
    message = problems(write(tmp_path, background=bg))
    assert "databases/background/bg.yaml:" in message and "unknown flow 'co2e'" in message


def test_missing_source_is_refused(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    del bg["defaults"]["source"]
    message = problems(write(tmp_path, background=bg))
    assert "figure has no source" in message


def test_source_not_in_bibliography(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][1]["exchanges"][0]["source"] = "nowhere-2020"
    assert "source 'nowhere-2020' is not in databases/sources.yaml" in problems(
        write(tmp_path, background=bg))


def test_missing_year_geography_basis(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["defaults"] = {"source": "src-a"}
    message = problems(write(tmp_path, background=bg))
    assert "figure has no year, geography, basis" in message


def test_unit_mismatch_is_refused(tmp_path):
    doc = product_doc()
    doc["activities"][0]["exchanges"][2]["unit"] = "kWh"
    message = problems(write(tmp_path, product=doc))
    assert "unit 'kWh' does not convert to 'kg'" in message
    assert "databases/products/widget.yaml:" in message


def test_unlinked_exchange_is_refused(tmp_path):
    doc = product_doc()
    doc["activities"][0]["exchanges"][2]["input"] = "no-such-activity"
    assert "unknown input 'no-such-activity'" in problems(write(tmp_path, product=doc))


def test_formula_in_background_is_refused(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    ex = bg["activities"][0]["exchanges"][0]
    ex.pop("amount")
    ex["formula"] = "0.5"
    assert "formulas are only allowed in pcf-products" in problems(write(tmp_path, background=bg))


def test_formula_with_unknown_parameter(tmp_path):
    doc = product_doc()
    doc["activities"][1]["exchanges"][0]["formula"] = "3 * primry"
    assert "unknown parameter(s) ['primry']" in problems(write(tmp_path, product=doc))


def test_default_out_of_range(tmp_path):
    doc = product_doc()
    doc["product"]["parameters"]["recycled_content"]["default"] = 1.5
    assert "out of range" in problems(write(tmp_path, product=doc))


def test_variant_with_unknown_parameter(tmp_path):
    doc = product_doc()
    doc["product"]["variants"]["recycled"]["recycled_share"] = 1
    assert "sets unknown parameter 'recycled_share'" in problems(write(tmp_path, product=doc))


def test_required_parameters_and_variants(tmp_path):
    doc = product_doc()
    del doc["product"]["parameters"]["renewable_electricity_share"]
    del doc["product"]["variants"]["virgin"]
    message = problems(write(tmp_path, product=doc))
    assert "needs the parameter 'renewable_electricity_share'" in message
    assert "needs the variant 'virgin'" in message


def test_unknown_stage(tmp_path):
    doc = product_doc()
    doc["activities"][1]["stage"] = "mining"
    assert "stage 'mining' is not one of the product's stages" in problems(
        write(tmp_path, product=doc))


def test_stage_on_exchange_to_product_activity(tmp_path):
    doc = product_doc()
    doc["activities"][0]["exchanges"][2]["stage"] = "materials"
    assert "has no effect on an input from a product activity" in problems(
        write(tmp_path, product=doc))


def test_unknown_key(tmp_path):
    doc = product_doc()
    doc["activities"][1]["exchanges"][0]["amout"] = 1
    assert "unknown key 'amout' in exchange" in problems(write(tmp_path, product=doc))


def test_background_cannot_consume_product(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][0]["exchanges"].append({"input": "widget", "amount": 1, "unit": "kg"})
    assert "cannot consume product activity" in problems(write(tmp_path, background=bg))


def test_unreachable_product_activity(tmp_path):
    doc = product_doc()
    doc["activities"].append({"code": "orphan", "name": "orphan", "unit": "kg",
                              "stage": "materials", "exchanges": []})
    assert "'orphan' is not reachable" in problems(write(tmp_path, product=doc))


def test_duplicate_code_and_yaml_error(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"].append(dict(bg["activities"][0]))
    root = write(tmp_path, background=bg)
    (root / "background" / "broken.yaml").write_text("database: pcf-background\nactivities: [\n")
    message = problems(root)
    assert "duplicate activity code 'grid'" in message
    assert "databases/background/broken.yaml: YAML error" in message


def test_select_only_in_products_and_only_own_chain(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][0]["exchanges"].append({"select": "grid", "amount": 1, "unit": "kWh"})
    assert "select is only allowed in pcf-products" in problems(
        write(tmp_path / "a", background=bg))


def test_reserved_names_and_unimplemented_method(tmp_path):
    doc = product_doc()
    doc["product"]["derived"]["lambda"] = "1"
    doc["product"]["derived"]["max"] = "2"
    doc["product"]["recycled_content_method"] = "cff"
    message = problems(write(tmp_path, product=doc))
    assert "derived name 'lambda'" in message and "derived name 'max'" in message
    assert "recycled_content_method 'cff' is not implemented" in message


def test_line_numbers_point_at_the_exchange(tmp_path):
    text = (REPO / "databases" / "flows.yaml").read_text()
    root = write(tmp_path)
    (root / "flows.yaml").write_text(text)
    path = root / "background" / "bg.yaml"
    lines = path.read_text().splitlines()
    target = next(i for i, line in enumerate(lines) if "amount: 0.02" in line)
    lines[target] = lines[target].replace("0.02", "'a lot'")
    path.write_text("\n".join(lines) + "\n")
    message = problems(root)
    assert f"databases/background/bg.yaml:{target + 1}: amount 'a lot' is not a finite number" \
        in message


def line_with(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` that contains ``text``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_wrong_type_names_field_and_line(tmp_path):
    doc = product_doc()
    doc["activities"][1]["exchanges"][0]["year"] = "2019"
    doc["product"]["stages"][1] = 7
    root = write(tmp_path, product=doc)
    path = root / "products" / "widget.yaml"
    message = problems(root)
    assert f"databases/products/widget.yaml:{line_with(path, 'year: ' + repr('2019'))}: " \
           "year '2019' is not an integer" in message
    assert f"databases/products/widget.yaml:{line_with(path, '- 7')}: stages[1] 7 is not a " \
           "string" in message


def test_unknown_key_is_reported_at_its_own_line_with_the_allowed_keys(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][1]["locaton"] = "CN"
    bg["defaults"]["licence"] = "CC0"
    root = write(tmp_path, background=bg)
    path = root / "background" / "bg.yaml"
    message = problems(root)
    assert f"databases/background/bg.yaml:{line_with(path, 'locaton:')}: unknown key " \
           "'locaton' in activity (allowed: basis, basis_kind, code, comment, exchanges, " \
           "geography, gwp, location, name, source, stage, unit, year)" in message
    assert f"databases/background/bg.yaml:{line_with(path, 'licence:')}: unknown key " \
           "'licence' in defaults (allowed: basis, geography, gwp, source, year)" in message


def test_missing_field_and_closed_sets(tmp_path):
    doc = product_doc()
    del doc["activities"][1]["name"]
    doc["product"]["parameters"]["grid"]["type"] = "list"
    doc["product"]["parameters"]["recycled_content"].pop("max")
    root = write(tmp_path, product=doc)
    path = root / "products" / "widget.yaml"
    message = problems(root)
    assert f"widget.yaml:{line_with(path, 'code: widget-material')}: activity is missing " \
           "'name'" in message
    assert f"widget.yaml:{line_with(path, 'type: list')}: type 'list' is not allowed " \
           "(allowed: number, choice, boolean)" in message
    assert f"widget.yaml:{line_with(path, 'recycled_content:')}: parameter " \
           "'recycled_content': a number parameter needs 'max'" in message


def test_structural_problems_of_every_file_in_one_error(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][0]["exchanges"][0]["amount"] = True
    doc = product_doc()
    doc["database"] = "pcf-foreground"
    sources = yaml.safe_load(yaml.safe_dump(SOURCES))
    del sources["sources"][0]["link"]
    message = problems(write(tmp_path, background=bg, product=doc, sources=sources))
    assert "databases/ has 3 problem(s)" in message
    assert "databases/background/bg.yaml:" in message and "amount True is not a finite " \
           "number" in message
    assert "database 'pcf-foreground' is not allowed (allowed: pcf-background, pcf-products)" \
        in message
    assert "databases/sources.yaml:2: source is missing 'link' (write null if there is none)" \
        in message


def test_yaml_1_2_keeps_country_codes_and_refuses_tags_and_duplicates(tmp_path):
    root = write(tmp_path)
    path = root / "background" / "bg.yaml"
    text = path.read_text()
    path.write_text(text.replace("code: green", "code: green\n  location: NO\n  geography: NO", 1))
    green = load_inventory(root).activities["green"]
    assert green.location == "NO" and green.meta["geography"] == "NO"   # not False (YAML 1.1)
    path.write_text(text.replace("database: pcf-background", "database: !!python/name:os.system"))
    assert "bg.yaml: YAML error: unsupported YAML tag" in problems(root)
    path.write_text(text + "database: pcf-background\n")
    message = problems(root)
    assert "bg.yaml: YAML error:" in message and 'duplicate key "database"' in message


def test_values_keep_their_type(tmp_path):
    inventory = load_inventory(write(tmp_path))
    spec = inventory.products["widget"].parameters["recycled_content"]
    assert type(spec.min) is int and type(spec.default) is float
    assert type(inventory.products["widget"].variants["recycled"]["recycled_content"]) is int
    assert all(type(ex.amount) is float for act in inventory.activities.values()
               for ex in act.exchanges if ex.amount is not None)


def test_committed_json_schemas_are_current():
    """databases/schema/*.json are generated: `python -m pcf.inventory.schema` rewrites them."""
    import json

    from pcf.inventory.schema import json_schemas

    for name, schema in json_schemas().items():
        committed = json.loads((REPO / "databases" / "schema" / name).read_text())
        assert committed == schema, f"{name} is stale: run python -m pcf.inventory.schema"


def test_json_schemas_accept_databases_and_refuse_unknown_keys():
    jsonschema = pytest.importorskip("jsonschema")
    from pcf.inventory.schema import json_schemas
    from pcf.inventory.yamlio import load_yaml, plain

    schemas = json_schemas()
    files = {"sources.schema.json": [REPO / "databases" / "sources.yaml"],
             "flows.schema.json": [REPO / "databases" / "flows.yaml"],
             "inventory.schema.json": sorted((REPO / "databases").glob("background/*.yaml"))
             + sorted((REPO / "databases").glob("products/*.yaml")),
             "carbon-content.schema.json": [REPO / "databases" / "rules" /
                                            "carbon-content.yaml"]}
    for name, paths in files.items():
        validator = jsonschema.Draft202012Validator(schemas[name])
        for path in paths:
            data = plain(load_yaml(path))            # as pcf reads it (YAML 1.2)
            assert not list(validator.iter_errors(data)), path
    bad = product_doc()
    bad["activities"][0]["exchanges"][0]["amout"] = 1
    assert list(jsonschema.Draft202012Validator(schemas["inventory.schema.json"])
                .iter_errors(bad))


def gadget_doc(uses=None, target="widget"):
    """A product that uses widget as a linked sub-system."""
    meta = {"source": "pcf-assumption", "basis": "test"}
    doc = product_doc()
    doc["product"]["id"] = "gadget"
    doc["product"]["parameters"]["grid"]["choices"] = ["a", "b"]
    doc["product"]["uses"] = {"widget": {"grid": "grid"}} if uses is None else uses
    doc["product"]["parameters"]["share"] = {"type": "number", "unit": "kg/kg", "default": 0,
                                             "min": 0, "max": 1, "description": "s", **meta}
    doc["activities"] = [{
        "code": "gadget", "name": "gadget", "unit": "kg", "stage": "production",
        "exchanges": [{"input": target, "amount": 2, "unit": "kg", "stage": "materials"}],
    }]
    return doc


def write_with_gadget(root: Path, gadget: dict) -> Path:
    write(root)
    (root / "products" / "gadget.yaml").write_text(yaml.safe_dump(gadget, sort_keys=False))
    return root


def test_product_using_another_product_is_valid(tmp_path):
    inventory = load_inventory(write_with_gadget(tmp_path, gadget_doc()))
    assert inventory.products["gadget"].uses == {"widget": {"grid": "grid"}}
    from pcf.inventory.loader import supplier_bindings

    bindings = supplier_bindings(inventory.products["gadget"], inventory.products["widget"])
    assert bindings == {"grid__a": "grid__a", "grid__b": "grid__b"}


def test_product_links_are_refused_without_uses_or_into_a_chain(tmp_path):
    message = problems(write_with_gadget(tmp_path, gadget_doc(uses={})))
    assert "product chains are not shared" in message
    message = problems(write_with_gadget(tmp_path, gadget_doc(target="widget-material")))
    assert "product chains are not shared" in message


def test_bindings_must_fit_and_agree_at_the_defaults(tmp_path):
    message = problems(write_with_gadget(tmp_path, gadget_doc(uses={"widget": {"grid": "share"}})))
    assert "is a choice: bind it to a consumer choice parameter" in message
    message = problems(write_with_gadget(
        tmp_path, gadget_doc(uses={"widget": {"recycled_content": "1 - share"}})))
    assert "at the defaults, recycled_content is 1.0 here but 0.0 in widget" in message
    message = problems(write_with_gadget(tmp_path, gadget_doc(uses={"nothing": {}})))
    assert "uses 'nothing': no such other product" in message



# --- issue 16: GWP basis of CO2e figures, published ranges, mass balance ---------------------

def test_co2e_figure_needs_its_gwp_set(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][0]["exchanges"][0]["basis"] = "life-cycle 500 g, given only as CO2e"
    message = problems(write(tmp_path, background=bg))
    assert "a figure given as CO2e needs its GWP set" in message
    # stated on the source, the exchange inherits it; stated on the exchange, it wins
    sources = yaml.safe_load(yaml.safe_dump(SOURCES))
    sources["sources"][0].update(gwp="AR5", gwp_basis="the source says AR5")
    inventory = load_inventory(write(tmp_path / "b", background=bg, sources=sources))
    assert inventory.activities["grid"].exchanges[0].gwp == "AR5"
    assert inventory.activities["green"].exchanges[0].gwp == "gas"     # no CO2e: a mass of CO2
    bg["activities"][0]["exchanges"][0]["gwp"] = "AR6"
    inventory = load_inventory(write(tmp_path / "c", background=bg, sources=sources))
    assert inventory.activities["grid"].exchanges[0].gwp == "AR6"
    sources["sources"][0].pop("gwp_basis")
    assert "a source with 'gwp' needs 'gwp_basis'" in problems(
        write(tmp_path / "d", background=bg, sources=sources))


def test_gwp_set_only_on_co2_flows(tmp_path):
    bg = yaml.safe_load(yaml.safe_dump(BACKGROUND))
    bg["activities"][0]["exchanges"].append({"flow": "ch4-fossil", "amount": 0.001, "unit": "kg",
                                             "gwp": "AR5"})
    assert "only a CO2 flow can carry a figure given as CO2e" in \
        problems(write(tmp_path, background=bg))


def test_every_co2e_figure_in_databases_has_a_gwp_set():
    inventory = load_inventory(REPO / "databases")
    for act in inventory.activities.values():
        for ex in act.exchanges:
            if ex.kind == "biosphere":
                assert ex.gwp in ("gas", "AR6", "AR5", "AR4", "SAR", "unstated"), ex.where
                if "CO2e" in (ex.meta["basis"] or "") and ex.target.startswith("co2"):
                    assert ex.gwp != "gas" or "CO2e of CO2" in ex.meta["basis"], ex.where


def test_norway_stays_a_country_code():
    inventory = load_inventory(REPO / "databases")
    norway = inventory.activities["electricity-no"]
    assert norway.location == "NO" and norway.meta["geography"] == "NO"


def test_mass_balance_formulas_are_checked(tmp_path):
    doc = product_doc()
    doc["product"]["mass_balance"] = {
        "product": "1", "inputs": [{"name": "m", "formula": "1 + nonsense", "basis": "b"}]}
    assert "mass_balance: formula '1 + nonsense' names unknown parameter" in \
        problems(write(tmp_path, product=doc))


def test_alternatives_and_levers_are_checked(tmp_path):
    doc = product_doc()
    doc["product"]["alternatives"] = [{"name": "x", "label": "x", "basis": "b",
                                       "parameters": {"colour": 1}}]
    doc["product"]["levers"] = [{"name": "y", "label": "y", "basis": "b",
                                 "parameters": {"recycled_content": 2}}]
    message = problems(write(tmp_path, product=doc))
    assert "alternative 'x' sets unknown parameter 'colour'" in message
    assert "recycled_content=2.0 is out of range" in message


def test_published_ranges_are_checked(tmp_path):
    from pcf.inventory.rules import load_published_ranges

    root = write(tmp_path)
    inventory = load_inventory(root)
    (root / "rules").mkdir()
    entry = {"product": "widget", "variant": "virgin", "measure": "stage:nowhere", "low": 1,
             "high": 2, "unit": "kg CO2e/kg", "label": "l", "sources": ["src-b"], "year": 2020,
             "geography": "GLO", "basis": "b", "method": "m",
             "replica": {"label": "r", "basis": "b", "parameters": {"colour": 1}}}
    bad = [entry, {**entry, "product": "gizmo"}, {**entry, "variant": "used", "measure": "total",
                                                  "sources": ["src-a"], "replica": None},
           {**entry, "low": 3, "measure": "total", "sources": ["src-a"]}]
    bad[2].pop("replica")
    (root / "rules" / "published-ranges.yaml").write_text(
        yaml.safe_dump({"published_ranges": bad}, sort_keys=False))
    with pytest.raises(InventoryInvalid) as info:
        load_published_ranges(root, inventory.products, inventory.sources)
    message = str(info.value)
    assert "low must not exceed high" in message
    good = [{**entry, "measure": "stage:materials", "sources": ["src-a"], "replica": {
        "label": "r", "basis": "b", "parameters": {"recycled_content": 0.5}}}]
    (root / "rules" / "published-ranges.yaml").write_text(
        yaml.safe_dump({"published_ranges": good}, sort_keys=False))
    ranges = load_published_ranges(root, inventory.products, inventory.sources)
    assert ranges["widget"][0]["citations"] == ["A citation"]
    good[0].update(measure="stage:nowhere", sources=["src-b"],
                   replica={"label": "r", "basis": "b", "parameters": {"colour": 1}})
    good.append({**entry, "product": "gizmo", "measure": "total", "sources": ["src-a"]})
    good.append({**entry, "variant": "used", "measure": "total", "sources": ["src-a"],
                 "replica": {"label": "r", "basis": "b", "parameters": {}}})
    (root / "rules" / "published-ranges.yaml").write_text(
        yaml.safe_dump({"published_ranges": good}, sort_keys=False))
    with pytest.raises(InventoryInvalid) as info:
        load_published_ranges(root, inventory.products, inventory.sources)
    message = str(info.value)
    assert "measure 'stage:nowhere'" in message and "unknown source 'src-b'" in message
    assert "replica sets unknown parameter 'colour'" in message
    assert "unknown product 'gizmo'" in message and "has no variant 'used'" in message


# -- uncertainty (issue 17) ---------------------------------------------------------------------

def test_every_figure_resolves_to_an_uncertainty(tmp_path):
    inventory = load_inventory(write(tmp_path))
    grid = inventory.uncertainty[("grid", 0)]
    # src-a: reliability 2, completeness 3, technological 2; year 2023 vs 2025 -> temporal 1;
    # GLO figure at a GLO activity -> geographical 1; CO2: basic variance 0.0006
    assert grid.pedigree == {"reliability": 2, "completeness": 3, "temporal": 1,
                             "geographical": 1, "technological": 2}
    assert grid.sigma == pytest.approx((0.0006 + 0.0006 + 0.0006 + 0 + 0 + 0.0006) ** 0.5)
    assert inventory.parameter_uncertainty[("widget", "recycled_content")].distribution == \
        "none"
    assert len(inventory.uncertainty) == sum(len(a.exchanges)
                                             for a in inventory.activities.values())


def test_source_without_pedigree_is_refused(tmp_path):
    message = problems(write(tmp_path, uncertainty={"sources": {
        "pcf-assumption": UNCERTAINTY_SOURCES["pcf-assumption"]}}))
    assert "source 'src-a' has no pedigree in databases/uncertainty.yaml" in message
    assert "databases/background/bg.yaml:" in message


def test_bad_pedigree_score_is_refused(tmp_path):
    bad = {**UNCERTAINTY_SOURCES, "src-a": {"reliability": 7, "completeness": 3,
                                            "technological": 2, "why": "x"}}
    assert "sources.src-a.reliability must be a score 1..5" in problems(
        write(tmp_path, uncertainty={"sources": bad}))


def test_missing_uncertainty_file_is_refused(tmp_path):
    root = write(tmp_path)
    (root / "uncertainty.yaml").unlink()
    assert "databases/uncertainty.yaml: cannot read" in problems(root)


def test_source_distribution_replaces_pedigree(tmp_path):
    given = {"exchanges": [{"activity": "grid", "flow": "co2-fossil", "distribution": "uniform",
                            "value": 0.5, "low": 0.4, "high": 0.7, "source": "src-a",
                            "why": "range of the source"}]}
    inventory = load_inventory(write(tmp_path, uncertainty=given))
    u = inventory.uncertainty[("grid", 0)]
    assert (u.distribution, u.low, u.high) == ("uniform", pytest.approx(0.8), pytest.approx(1.4))
    wrong = {"exchanges": [{**given["exchanges"][0], "activity": "nope"}]}
    assert "exchanges[0] names no exchange" in problems(write(tmp_path, uncertainty=wrong))
