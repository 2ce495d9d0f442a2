"""pcf setup: idempotent, detects stale data, validates before writing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pcf.config import databases_dir
from pcf.errors import DataError
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


def test_code_hash_covers_engine_and_inventory():
    root = Path(build.__file__).resolve().parent.parent
    assert (root / "engine" / "engine.py").exists()
    assert set(build._NUMBER_CODE) >= {"engine", "inventory", "formulas.py", "paramspec.py"}


def test_invalid_data_is_refused_before_writing(built_home, tmp_path):
    copy = tmp_path / "databases"
    shutil.copytree(databases_dir(), copy)
    path = copy / "background" / "electricity.yaml"
    path.write_text(path.read_text().replace("flow: co2-fossil", "flow: co2-fosil", 1))
    stamp_before = build.read_stamp()
    with pytest.raises(DataError, match="unknown flow 'co2-fosil'"):
        build.ensure_built(copy)
    assert build.read_stamp() == stamp_before      # the built project was not touched
