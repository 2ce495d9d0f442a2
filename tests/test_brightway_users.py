"""Brightway and Activity Browser users: parameters in the project carry description, unit
and bounds; variants export as an Activity Browser parameter-scenario file; edits made to the
project outside pcf are listed and never built over unless asked (``pcf setup --force``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pcf.cli import main


def test_parameters_in_brightway_say_what_they_are(built_home):
    from bw2data.parameters import ActivityParameter

    from pcf.bw import bw2data
    from pcf.service.footprints import model

    bw2data().projects.set_current("pcf")
    rows = {r.name: r for r in ActivityParameter.select().where(
        ActivityParameter.group == "aluminium-coil") if not r.name.startswith("__dummy_")}
    spec = model("aluminium-coil").specs["recycled_content"]
    data = rows["recycled_content"].data
    assert (data["unit"], data["minimum"], data["maximum"]) == (spec.unit, spec.min, spec.max)
    assert data["description"] == spec.description and data["comment"]
    grid = [n for n in rows if n.startswith("smelter_grid__")]
    assert grid and all("1 when smelter_grid = " in rows[n].data["comment"] for n in grid)
    derived = [r for r in rows.values() if r.formula]
    assert derived and all(r.data["comment"].startswith("derived: ") for r in derived)


def test_scenario_file_has_every_variant(built_home, tmp_path):
    from openpyxl import load_workbook

    from pcf.service.footprints import list_products, model

    out = tmp_path / "scenarios.xlsx"
    result = CliRunner().invoke(main, ["brightway", "scenarios", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out, read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["Name", "Group", "default"]
    products = [p["id"] for p in list_products()]
    assert {r[1] for r in rows[1:]} == set(products)
    for pid in products:
        m = model(pid)
        mine = {r[0]: r for r in rows[1:] if r[1] == pid}
        assert set(mine) == set(m.resolve().encoded)
        for variant in m.variants:
            encoded = m.resolve(variant).encoded
            col = header.index(variant)
            assert {n: r[col] for n, r in mine.items()} == encoded, (pid, variant)
        for name, r in mine.items():
            assert r[2] == m.resolve().encoded[name]
    one = CliRunner().invoke(main, ["brightway", "scenarios", str(tmp_path / "one.xlsx"),
                                    "--product", "ndfeb-magnet"])
    assert one.exit_code == 0
    bad = CliRunner().invoke(main, ["brightway", "scenarios", str(tmp_path / "s.csv")])
    assert bad.exit_code == 2 and ".xlsx" in bad.output
    bad = CliRunner().invoke(main, ["brightway", "scenarios", str(tmp_path / "s.xlsx"),
                                    "--product", "unobtainium"])
    assert bad.exit_code == 2 and "unobtainium" in bad.output


@pytest.mark.slow
def test_edits_in_the_project_are_listed_and_kept_until_forced(tmp_path):
    """Build, edit the project as Activity Browser would, then run pcf commands."""
    home = tmp_path / "home"
    env = {**os.environ, "PCF_HOME": str(home)}
    env.pop("PCF_DATABASES", None)

    def pcf(*args, **kw):
        return subprocess.run([sys.executable, "-m", "pcf.cli", *args], capture_output=True,
                              text=True, env={**env, **kw}, timeout=600)

    first = pcf("setup")
    assert first.returncode == 0 and "built" in first.stdout, first.stdout + first.stderr
    edit = r'''
from pcf.bw import bw2data  # first: it points Brightway at $PCF_HOME
bd = bw2data(); bd.projects.set_current("pcf")
node = bd.get_activity(("pcf-background", "electricity-coal"))
ex = [e for e in node.exchanges() if e["type"] == "biosphere"][0]
ex["amount"] = 2 * ex["amount"]; ex.save()
bd.Database("my-study").register()
'''
    run = subprocess.run([sys.executable, "-c", edit], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    # a computing command lists the edits, keeps them and says so in the result
    fp = pcf("footprint", "aluminium-coil", "--format", "json")
    assert fp.returncode == 0, fp.stderr
    assert "pcf-background/electricity-coal: exchange 'Carbon dioxide, fossil'" in fp.stderr
    assert "database 'my-study' added" in fp.stderr
    assert "building" not in fp.stderr
    assert json.loads(fp.stdout)["database"]["version"].endswith("+modified")
    # pcf setup keeps them too (exit 0), and says how to discard them
    setup = pcf("setup", "--format", "json")
    assert setup.returncode == 0, setup.stderr
    assert "pcf setup --force" in setup.stderr
    assert json.loads(setup.stdout)["project_edits"]
    changes = pcf("brightway", "changes", "--format", "json")
    assert len(json.loads(changes.stdout)["edits"]) == 2
    # databases/ changed too: no silent choice, the command stops and says what to do
    copy = tmp_path / "databases"
    shutil.copytree(os.path.join(os.path.dirname(__file__), "..", "databases"), copy)
    path = copy / "background" / "electricity.yaml"
    path.write_text(path.read_text().replace("amount: 0.5271", "amount: 0.5272"))
    stopped = pcf("setup", PCF_DATABASES=str(copy))
    assert stopped.returncode == 2
    assert "would discard the edits" in stopped.stderr and "--force" in stopped.stderr
    stopped = pcf("footprint", "aluminium-coil", PCF_DATABASES=str(copy))
    assert stopped.returncode == 2 and "my-study" in stopped.stderr
    # asked: rebuilt from databases/, the edits are gone, the project is fresh again
    forced = pcf("setup", "--force")
    assert forced.returncode == 0 and "discarded" in forced.stderr
    assert json.loads(pcf("brightway", "changes", "--format", "json").stdout) == {
        "fresh": True, "data_changed": False, "edits": []}
    fp = pcf("footprint", "aluminium-coil", "--format", "json")
    assert not json.loads(fp.stdout)["database"]["version"].endswith("+modified")
