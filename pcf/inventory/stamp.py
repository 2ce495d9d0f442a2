"""The build stamp and the database version, without importing Brightway.

``pcf setup`` writes ``$PCF_HOME/brightway/pcf-build.json`` last, after the project: the
*database version* (a hash of the inventory files, the pcf source code that can change a
number, the method ids and the Brightway package versions), the project fingerprint, a quick
file signature of the project and the product catalogue. Everything here reads files only
(hashlib, json, os.stat), so commands that compute nothing (``pcf setup`` when up to date,
``pcf products``) answer without loading bw2data; :mod:`pcf.inventory.build` writes the stamp.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import pcf
from pcf.config import PROJECT_NAME, brightway_dir, databases_dir

STAMP_NAME = "pcf-build.json"
"""File name of the build stamp under ``$PCF_HOME/brightway``."""

NUMBER_CODE = ("formulas.py", "paramspec.py", "units.py", "service", "inventory", "engine",
               "models", "accounting")
"""Source files and folders of ``pcf`` whose content can change a computed number: part of
the database version."""

_SIGNED_FILES = ("databases.json", "methods.json", "parameters.db", "lci/databases.db")
"""Files of the Brightway project whose size and modification time make the quick signature;
an edit in Activity Browser changes ``lci/databases.db`` and ``databases.json``."""


def content_hash(root: Path) -> str:
    """sha256 over the relative paths and bytes of every YAML file under ``root`` (sorted);
    documentation (README.md) does not change a number, so it is left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(root).rglob("*.yaml") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def code_hash(root: Path | None = None) -> str:
    """sha256 of the pcf source files that can change a number (:data:`NUMBER_CODE`), under
    ``root`` (default: the installed ``pcf`` package)."""
    root = Path(root or Path(pcf.__file__).parent)
    digest = hashlib.sha256(pcf.__version__.encode())
    for name in NUMBER_CODE:
        path = root / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                digest.update(str(file.relative_to(root)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def database_version(inventory_hash: str) -> str:
    """Return the database version: 16 hex chars over data, code, methods and package versions.

    Parameters
    ----------
    inventory_hash : str
        :func:`content_hash` of ``databases/``.
    """
    from pcf.inventory.methods import METHODS

    parts = {
        "inventory": inventory_hash,
        "code": code_hash(),
        "methods": [list(m) for m in METHODS.values()],
        "packages": {p: metadata.version(p) for p in ("bw2data", "bw2calc", "bw2io")},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def current_version(root: Path | None = None) -> str:
    """Database version the files in ``root`` (default ``databases/``) would build to."""
    return database_version(content_hash(Path(root or databases_dir())))


def stamp_path() -> Path:
    """Path of the build stamp."""
    return brightway_dir() / STAMP_NAME


def read_stamp() -> dict[str, Any] | None:
    """Return the build stamp, or None if the project was never built (or the build was cut)."""
    try:
        return json.loads(stamp_path().read_text())
    except (OSError, ValueError):
        return None


def file_signature() -> str | None:
    """sha256 over (path, size, mtime) of the project's metadata and database files
    (:data:`_SIGNED_FILES`); None if the project directory is missing. Cheap: no Brightway
    import. Equal signatures mean nothing was written since the build; a different one is
    checked with the full fingerprint (:func:`pcf.inventory.build.project_fingerprint`)."""
    dirs = sorted(brightway_dir().glob(f"{PROJECT_NAME}.*/"))
    dirs = [d for d in dirs if d.is_dir()]
    if len(dirs) != 1:
        return None
    digest = hashlib.sha256()
    for name in _SIGNED_FILES:
        path = dirs[0] / name
        try:
            st = path.stat()
        except OSError:
            return None
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def quick_freshness(root: Path | None = None) -> bool | None:
    """Whether the project is up to date, from files alone.

    Returns
    -------
    bool or None
        False: never built, or built from other files or code (stale). True: built from the
        current files and nothing written to the project since. None: built from the current
        files but the project's files changed since, so only the full fingerprint
        (:func:`pcf.inventory.build.is_fresh`, which imports Brightway) can tell.
    """
    stamp = read_stamp()
    if not stamp or stamp.get("version") != current_version(root):
        return False
    signature = file_signature()
    if signature is not None and signature == stamp.get("file_signature"):
        return True
    return None


def record_engine_cache(entry: dict[str, Any]) -> None:
    """Record the engine cache written for this build (:mod:`pcf.engine.cache`) in the
    stamp, as ``"engine_cache"``: ``{"file", "sha256", "version", "code"}``. Replaces the
    stamp atomically; a later build writes a stamp without the entry, which invalidates it.

    Raises
    ------
    FileNotFoundError
        The project was never built (no stamp).
    """
    import os

    stamp = read_stamp()
    if stamp is None:
        raise FileNotFoundError(stamp_path())
    stamp["engine_cache"] = entry
    path = stamp_path()
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(stamp, indent=2))
    os.replace(tmp, path)
