"""pcf setup: idempotent, detects stale data, validates before writing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pcf.config import databases_dir
from pcf.errors import InventoryInvalid
from pcf.inventory import build


def test_second_build_is_a_no_op(built_home):
    stamp = build.ensure_built()
    assert stamp["rebuilt"] is False
    assert stamp["version"] == build.current_version()
    assert build.is_fresh()


def test_any_change_to_databases_changes_the_version(built_home, tmp_path):
    copy = tmp_path / "databases"
    shutil.copytree(databases_dir(), copy)
    before = build.current_version(copy)
    path = copy / "background" / "electricity.yaml"
    path.write_text(path.read_text().replace("amount: 0.5271", "amount: 0.5272"))
    assert build.current_version(copy) != before
    assert not build.is_fresh(copy)


def test_code_that_computes_numbers_changes_the_hash(tmp_path):
    root = Path(build.__file__).resolve().parent.parent
    copy = tmp_path / "pcf"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = build.code_hash(copy)
    for name in ("engine/engine.py", "inventory/loader.py", "service/footprints.py",
                 "service/orders.py", "engine/provenance.py", "accounting/data_quality.py",
                 "accounting/reductions.py", "models/product.py", "formulas.py"):
        path = copy / name
        original = path.read_text()
        path.write_text(original + "\n# edited\n")
        assert build.code_hash(copy) != before, name
        path.write_text(original)
    assert build.code_hash(copy) == before
    (copy / "api" / "health.py").write_text("# the API does not compute numbers\n")
    assert build.code_hash(copy) == before


def test_documentation_does_not_change_the_version(built_home, tmp_path):
    copy = tmp_path / "databases"
    shutil.copytree(databases_dir(), copy)
    before = build.current_version(copy)
    (copy / "README.md").write_text("edited prose\n")
    assert build.current_version(copy) == before


def test_invalid_data_is_refused_before_writing(built_home, tmp_path):
    copy = tmp_path / "databases"
    shutil.copytree(databases_dir(), copy)
    path = copy / "background" / "electricity.yaml"
    path.write_text(path.read_text().replace("flow: co2-fossil", "flow: co2-fosil", 1))
    stamp_before = build.read_stamp()
    with pytest.raises(InventoryInvalid, match="unknown flow 'co2-fosil'"):
        build.ensure_built(copy)
    assert build.read_stamp() == stamp_before      # the built project was not touched


@pytest.mark.slow
def test_project_deleted_or_edited_outside_setup_is_stale(tmp_path):
    """An edit in the Brightway project (e.g. Activity Browser) changes the reported version
    and makes `pcf setup` rebuild; a deleted project is rebuilt although its stamp remains."""
    import json
    import os
    import subprocess
    import sys

    script = r'''
import json
from pcf.inventory.build import ensure_built, is_fresh
from pcf.bw import bw2data
from pcf import service
out = {"first": ensure_built()["rebuilt"], "fresh": is_fresh()}
bd = bw2data(); bd.projects.set_current("pcf")
node = bd.get_activity(("pcf-background", "electricity-coal"))
ex = [e for e in node.exchanges() if e["type"] == "biosphere"][0]
ex["amount"] = 2 * ex["amount"]; ex.save()
out["fresh_after_edit"] = is_fresh()
fp = service.compute_footprint("aluminium-coil")
out["version"], out["warnings"] = fp["database"]["version"], fp["warnings"]
out["rebuilt"] = ensure_built()["rebuilt"]
bd.projects.set_current("default"); bd.projects.delete_project("pcf", delete_dir=True)
out["fresh_after_delete"] = is_fresh()
out["rebuilt_after_delete"] = ensure_built()["rebuilt"]
print(json.dumps(out))
'''
    env = {**os.environ, "PCF_HOME": str(tmp_path / "home")}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["first"] is True and out["fresh"] is True
    assert out["fresh_after_edit"] is False
    assert out["version"].endswith("+modified")
    assert any("changed after `pcf setup`" in w for w in out["warnings"])
    assert out["rebuilt"] is True
    assert out["fresh_after_delete"] is False and out["rebuilt_after_delete"] is True
