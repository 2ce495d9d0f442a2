"""DESIGN.md layering: nothing outside pcf/api imports Flask."""

import pkgutil
import subprocess
import sys

import pcf


def test_no_flask_outside_the_api():
    modules = sorted(m.name for m in pkgutil.walk_packages(pcf.__path__, "pcf.")
                     if not m.name.startswith(("pcf.api", "pcf.store.migrations.")))
    assert {"pcf.engine.engine", "pcf.service.orders", "pcf.certificates.pdf",
            "pcf.cli"} <= set(modules)
    code = (f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print('flask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
