"""Results are the same to the last bit in every process (bw2data iterates databases in a
random order; the engine sorts), and the carbon-content rules table is checked like the rest
of databases/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from pcf.errors import InventoryInvalid

CODE = """
from pcf.service.footprints import compute_footprint, list_products
for p in list_products():
    for v in ("virgin", "recycled"):
        print(p["id"], v, repr(compute_footprint(p["id"], variant=v)["per_declared_unit"]["total"]))
"""


@pytest.mark.slow
def test_same_numbers_in_every_process(built_home):
    env = {**os.environ, "PCF_HOME": str(built_home)}
    outputs = {subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                              env=env, check=True, timeout=300).stdout for _ in range(3)}
    assert len(outputs) == 1, outputs
    assert len(next(iter(outputs)).splitlines()) >= 8


def test_carbon_content_rules_are_validated(tmp_path):
    from pcf.config import databases_dir
    from pcf.inventory.loader import load_inventory
    from pcf.inventory.rules import load_carbon_content

    root = tmp_path / "databases"
    shutil.copytree(databases_dir(), root)
    inventory = load_inventory(root)
    good = load_carbon_content(root, inventory.activities, inventory.sources)
    assert good["battery-polyethylene"]["kg_c_per_kg"] == pytest.approx(2 * 12.011 / 28.054,
                                                                        abs=1e-4)
    path = root / "rules" / "carbon-content.yaml"
    text = path.read_text()
    text = text.replace("kg_c_per_kg: 0.8563\n    origin: fossil\n    source: "
                        "iupac-2021-atomic-weights", "kg_c_per_kg: 1.5\n    origin: fossil\n"
                        "    source: iupac-2021-atomic-weights", 1)
    text = text.replace("activity: ndfeb-boron-carbide", "activity: unobtainium-carbide")
    text = text.replace("source: pcf-assumption", "source: nobody-2020")
    path.write_text(text)
    with pytest.raises(InventoryInvalid) as info:
        load_carbon_content(root, inventory.activities, inventory.sources)
    message = str(info.value)
    assert "databases/rules/carbon-content.yaml:" in message
    assert "kg_c_per_kg" in message
    path.write_text(text.replace("kg_c_per_kg: 1.5", "kg_c_per_kg: 0.8563"))
    with pytest.raises(InventoryInvalid) as info:
        load_carbon_content(root, inventory.activities, inventory.sources)
    message = str(info.value)
    assert "'unobtainium-carbide' is not in pcf-background" in message
    assert "unknown source 'nobody-2020'" in message
