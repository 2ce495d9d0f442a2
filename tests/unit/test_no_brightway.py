"""The modules under unit test are pure: importing them loads no Brightway package.

Run in a fresh interpreter, because other tests of the suite import bw2data in this one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_pure_modules_do_not_import_brightway():
    code = (
        "import sys\n"
        "import pcf.engine.linalg, pcf.units, pcf.paramspec, pcf.formulas, pcf.models\n"
        "import pcf.inventory.loader\n"
        "import pcf.accounting.gwp_basis, pcf.accounting.mass_balance, pcf.accounting.ranges\n"
        "import pcf.accounting.consistency, pcf.accounting.supply_mix\n"
        "import pcf.accounting.fuel_switch\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('bw2data', 'bw2calc', 'bw2io', 'bw2parameters', 'bw_processing', 'peewee')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "[]"
