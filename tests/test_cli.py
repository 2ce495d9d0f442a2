"""The `pcf` command as a user runs it (subprocess): JSON contract and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pcf.inventory.methods import METHODS

PCF = [sys.executable, "-m", "pcf.cli"]


def run(*args, home: Path):
    env = {**os.environ, "PCF_HOME": str(home)}
    return subprocess.run([*PCF, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow  # 14 s: a pcf process per product (the engine itself: test_engine_vs_bw2calc)
def test_footprint_json_equals_plain_bw2calc(built_home, product_ids):
    from pcf.bw import bw2calc, bw2data

    bd = bw2data()
    bd.projects.set_current("pcf")
    for pid in product_ids:
        out = run("footprint", pid, "--variant", "virgin", "--format", "json", home=built_home)
        assert out.returncode == 0, out.stderr
        data = json.loads(out.stdout)              # stdout is pure JSON
        node = bd.get_activity(("pcf-products", pid))
        lca = bw2calc().LCA({node: 1}, METHODS["total"])
        lca.lci()
        lca.lcia()
        assert data["per_declared_unit"]["total"] == pytest.approx(lca.score, rel=1e-9)
        for key in ("product", "variant", "parameters", "declared_unit", "quantity",
                    "quantity_unit", "per_declared_unit", "total", "stages", "contributions",
                    "method", "database", "boundary", "recycled_content_method",
                    "electricity_accounting"):
            assert key in data
        assert data["boundary"] == "cradle-to-gate"
        assert data["database"]["version"]


def test_products_json_lists_parameters_and_variants(built_home):
    out = run("products", "--format", "json", home=built_home)
    assert out.returncode == 0, out.stderr
    products = {p["id"]: p for p in json.loads(out.stdout)}
    coil = products["aluminium-coil"]
    names = {p["name"] for p in coil["parameters"]}
    assert {"recycled_content", "renewable_electricity_share", "smelter_grid"} <= names
    for p in coil["parameters"]:
        assert {"name", "unit", "default", "min", "max", "description"} <= set(p)
    assert {"virgin", "recycled"} <= set(coil["variants"])


@pytest.mark.parametrize("args, message", [
    (["footprint", "unobtainium"], "error: product: unknown product 'unobtainium'"),
    (["footprint", "aluminium-coil", "--set", "recycled_content=3"],
     "error: parameters.recycled_content: recycled_content=3.0 is out of range"),
    (["footprint", "aluminium-coil", "--set", "colour=red"],
     "error: parameters.colour: product 'aluminium-coil' has no parameter 'colour'"),
    (["footprint", "aluminium-coil", "--variant", "gold"],
     "error: variant: product 'aluminium-coil' has no variant 'gold'"),
    (["footprint", "aluminium-coil", "--quantity", "5", "--unit", "MWh"],
     "error: unit: unit 'MWh' cannot be converted to 'kg'"),
    (["footprint", "aluminium-coil", "--quantity", "-5"], "error: quantity:"),
    (["footprint", "aluminium-coil", "--quantity", "1e308", "--unit", "t"],
     "error: quantity: quantity '1e308' is larger than 1e+15"),
    (["footprint", "aluminium-coil", "--quantity", "1", "--unit", "ton"],
     "error: unit: unit 'ton' is ambiguous"),
    (["footprint", "aluminium-coil", "--quantity", "1", "--unit", ")"],
     "error: unit: unit ')' cannot be converted"),
    (["footprint", "aluminium-coil", "--quantity", "1", "--unit", "kg/0"],
     "error: unit: unit 'kg/0' cannot be converted"),
    (["footprint", "aluminium-coil", "--set", "recycled_content"], "must look like NAME=VALUE"),
])
def test_bad_input_gives_one_line_error(built_home, args, message):
    from click.testing import CliRunner

    from pcf.cli import main

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1            # one line
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""


def test_bad_input_in_a_real_process(built_home):
    out = run("footprint", "unobtainium", "--format", "json", home=built_home)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.strip().splitlines()[-1].startswith("error: product: unknown product")
    assert "Traceback" not in out.stderr


def test_table_output_names_stages(built_home):
    out = run("footprint", "aluminium-coil", "--quantity", "20", "--unit", "t", home=built_home)
    assert out.returncode == 0, out.stderr
    assert "raw-materials" in out.stdout and "total for 20 t" in out.stdout


def test_audit_markdown_and_json(built_home):
    """`pcf audit` (issue 16): Markdown by default, JSON with --format json; bad input is one
    line on stderr."""
    md = run("audit", "aluminium-coil", "--variant", "virgin", home=built_home)
    assert md.returncode == 0, md.stderr
    for section in ("# Audit: aluminium-coil", "## GWP basis", "## Published ranges",
                    "## Mass balance", "## Assumptions", "## Flags"):
        assert section in md.stdout
    out = run("audit", "ndfeb-magnet", "--variant", "recycled", "--set", "coating=epoxy",
              "--format", "json", home=built_home)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["parameters"]["coating"] == "epoxy" and doc["variant"] == "recycled"
    assert {"published_ranges", "mass_balance", "assumptions", "gwp_basis", "flags"} <= set(doc)
    bad = run("audit", "ndfeb-magnet", "--set", "colour=red", home=built_home)
    assert bad.returncode == 2 and "colour" in bad.stderr and bad.stdout == ""
