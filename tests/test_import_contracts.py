"""The import contracts in pyproject.toml (``lint-imports``, run by ``make lint``) do catch
forbidden imports.

Each test copies the ``pcf`` package and ``pyproject.toml`` to a temporary directory, adds one
forbidden import to the copy and runs import-linter on the copy; an unmodified copy passes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# import-linter finds the package to analyse on sys.path, and this checkout's editable install
# would answer `import pcf` too. The fresh interpreter runs isolated (-I: no PYTHONPATH, no
# user site-packages, no script directory on sys.path) from the copy's directory, which goes
# first on sys.path (lint_imports also inserts the working directory there); the editable
# install's finder comes after the path-based one, so the copy wins. The first output line
# says which pcf was found, and the tests check it is the copy.
_RUNNER = """
import importlib.util, sys
sys.path.insert(0, sys.argv[1])
print("pcf found at", importlib.util.find_spec("pcf").origin, flush=True)
from importlinter.cli import lint_imports
sys.exit(lint_imports(config_filename=sys.argv[2], no_cache=True, no_logo=True))
"""


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "pcf", tmp_path / "pcf", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def contract_names(root: Path) -> list[str]:
    with open(root / "pyproject.toml", "rb") as handle:
        return [c["name"] for c in tomllib.load(handle)["tool"]["importlinter"]["contracts"]]


def lint_imports(root: Path) -> str:
    """Run import-linter on the copy at ``root``; return its report (whitespace collapsed:
    long contract names wrap)."""
    proc = subprocess.run(
        [sys.executable, "-I", "-c", _RUNNER, str(root), str(root / "pyproject.toml")],
        cwd=root, capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    first = proc.stdout.splitlines()[0] if proc.stdout else ""
    assert first == f"pcf found at {root / 'pcf' / '__init__.py'}", output
    report = " ".join(output.split())
    assert proc.returncode == (1 if " BROKEN" in report else 0), output
    return report


def test_unmodified_copy_keeps_every_contract(copy):
    report = lint_imports(copy)
    names = contract_names(copy)
    assert f"Contracts: {len(names)} kept, 0 broken." in report
    for name in names:
        assert f"{name} KEPT" in report


@pytest.mark.parametrize(("module", "line", "broken", "chain"), [
    ("engine/linalg.py", "import flask",
     ["Nothing below pcf.api imports Flask", "Store and engine know no HTTP"],
     "pcf.engine.linalg -> flask"),
    ("certificates/pact.py", "from pcf.engine import get_engine",
     ["Certificates compute nothing"],
     "pcf.certificates.pact -> pcf.engine"),
])
def test_a_forbidden_import_breaks_its_contract(copy, module, line, broken, chain):
    path = copy / "pcf" / module
    path.write_text(path.read_text() + f"\n{line}  # forbidden\n")
    report = lint_imports(copy)
    names = contract_names(copy)
    broken_names = [n for n in names if n.startswith(tuple(broken))]
    assert len(broken_names) == len(broken)
    assert f"Contracts: {len(names) - len(broken)} kept, {len(broken)} broken." in report
    for name in names:
        assert f"{name} {'BROKEN' if name in broken_names else 'KEPT'}" in report
    assert chain in report
