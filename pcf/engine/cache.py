"""The engine cached on disk per database version, so a cold process skips Brightway.

Building an :class:`~pcf.engine.engine.Engine` imports bw2data and bw2calc (two unit
registries, the parameter machinery, scipy), builds four LCAs and reads every product's
exchanges and provenance from the project: most of a cold ``pcf footprint`` and of a new
worker's start (issue 21). None of that depends on anything but the built project, so
``pcf setup`` builds the engine once more after the project and pickles it, with every
product's provenance, to ``$PCF_HOME/brightway/engine-cache-<version>.pickle``; the stamp
records the file's SHA-256 (:func:`pcf.inventory.stamp.record_engine_cache`).

:func:`load_engine` uses the file only when all of these hold, else it returns None and the
engine is built from the project as before:

- the stamp's entry is for the stamp's database version (a rebuild writes a stamp without
  the entry);
- the project's files are as the build left them (:func:`pcf.inventory.stamp.file_signature`:
  an edit in Activity Browser must give ``<version>+modified`` results, which only the full
  build can tell);
- the pcf code that can change a number (:func:`pcf.inventory.stamp.code_hash`) is the code
  that wrote the file;
- the file's SHA-256 is the one recorded.

The pickle is pcf's own file under ``PCF_HOME``, written and read by the same user (like
the signing key there); the hash guards against a torn or stale file, not against someone
who can write ``PCF_HOME``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

FORMAT = 1
"""Layout of the pickled payload; a file of another format is ignored."""


def cache_file(version: str) -> Path:
    """Path of the engine cache of database ``version``."""
    from pcf.config import brightway_dir

    return brightway_dir() / f"engine-cache-{version}.pickle"


def write_cache(engine: Any) -> dict[str, Any] | None:
    """Pickle ``engine``, with every product's provenance, next to the project and record
    it in the stamp (:func:`pcf.engine.write_engine_cache` builds the engine and calls this).

    Parameters
    ----------
    engine : pcf.engine.engine.Engine
        Built from the Brightway project (never one loaded from the cache).

    Returns
    -------
    dict or None
        The stamp entry ``{"format", "file", "sha256", "version", "code", "bytes"}``; None
        when nothing was written because the project was edited outside ``pcf setup``
        (results then say ``+modified`` and come from the project itself).

    Raises
    ------
    ProjectNotReady
        The project was never built.
    """
    from pcf.inventory.stamp import code_hash, file_signature, read_stamp, record_engine_cache

    stamp = read_stamp() or {}
    if engine.version != stamp.get("version") or file_signature() != stamp.get(
            "file_signature"):
        return None
    provenance = {pid: engine.provenance(pid) for pid in sorted(engine.products)}
    payload = pickle.dumps({"format": FORMAT, "engine": engine, "provenance": provenance},
                           protocol=pickle.HIGHEST_PROTOCOL)
    path = cache_file(engine.version)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(payload)
    os.replace(tmp, path)
    entry = {"format": FORMAT, "file": path.name,
             "sha256": hashlib.sha256(payload).hexdigest(), "version": engine.version,
             "code": code_hash(), "bytes": len(payload)}
    record_engine_cache(entry)
    for old in path.parent.glob("engine-cache-*.pickle"):  # other versions' files
        if old != path:
            old.unlink(missing_ok=True)
    return entry


def _valid_payload(stamp: dict[str, Any]) -> bytes | None:
    """The cache file's bytes if the stamp's entry is for its version, the project and the
    code are as the file was written for, and the bytes have the recorded SHA-256; else None
    (the checks of the module docstring, in one place).

    Raises
    ------
    OSError
        Reading the stamp's project files failed (callers treat it as "not valid").
    """
    from pcf.inventory.stamp import code_hash, file_signature

    entry = stamp.get("engine_cache") or {}
    version = stamp.get("version")
    if entry.get("format") != FORMAT or not version or entry.get("version") != version:
        return None
    if file_signature() != stamp.get("file_signature") or entry.get("code") != code_hash():
        return None
    try:
        data = cache_file(version).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == entry.get("sha256") else None


def cache_is_valid(stamp: dict[str, Any]) -> bool:
    """True if :func:`load_engine` would use the cache file recorded in ``stamp`` (a build
    stamp, :func:`pcf.inventory.stamp.read_stamp`); ``pcf setup`` writes the file otherwise."""
    try:
        return _valid_payload(stamp) is not None
    except OSError:
        return False


def load_engine() -> Any:
    """The :class:`~pcf.engine.engine.Engine` from the cache file if it is valid for the
    project and code as they are now (see the module docstring), else None. Never raises:
    any problem with the file means building the engine from the project instead."""
    from pcf.inventory.stamp import read_stamp

    try:
        data = _valid_payload(read_stamp() or {})
        if data is None:
            return None
        payload = pickle.loads(data)  # noqa: S301 - pcf's own file, hash checked above
        if payload.get("format") != FORMAT:
            return None
        from pcf.engine.provenance import preload

        engine = payload["engine"]
        preload(engine.version, payload["provenance"])
        return engine
    except Exception:  # noqa: BLE001 - a bad cache is never an error: build instead
        return None
