"""What the Brightway project holds, as plain data, and what changed in it since ``pcf setup``.

``pcf setup`` writes a snapshot of the project it built to
``$PCF_HOME/brightway/pcf-build-snapshot.json``: the databases and methods present, every
activity of ``pcf-background`` and ``pcf-products`` (name, unit, location, exchanges with
input, type, amount and formula), every parameter (project, database and activity level:
amount and formula), a digest of each GWP method's characterization factors and the size of
``biosphere3``. :func:`project_changes` compares the project as it is now with that snapshot
and says, line by line, what a user changed (in Activity Browser or with bw2data), so that
pcf can report the edits instead of building over them (:func:`pcf.inventory.build.project_state`).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from pcf.config import BIOSPHERE_DB, DATABASES, PROJECT_NAME, brightway_dir
from pcf.inventory.methods import METHODS

SNAPSHOT_NAME = "pcf-build-snapshot.json"
"""File name of the snapshot under ``$PCF_HOME/brightway``."""

MAX_LINES = 200
"""Most change lines reported (the rest are counted)."""


def snapshot_path() -> Path:
    """Path of the snapshot written by ``pcf setup``."""
    return brightway_dir() / SNAPSHOT_NAME


def _num(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def take_snapshot() -> dict[str, Any] | None:
    """The project's content as plain data (see the module doc); None without a project.

    Costs a second or so (one pass over the pcf databases and the parameter tables).
    """
    from pcf.bw import bw2data

    bd = bw2data()  # first: it points Brightway at $PCF_HOME before bw2data is imported
    from bw2data.parameters import ActivityParameter, DatabaseParameter, ProjectParameter

    if PROJECT_NAME not in bd.projects:
        return None
    if bd.projects.current != PROJECT_NAME:
        bd.projects.set_current(PROJECT_NAME)
    names: dict[tuple, str] = {}

    def name_of(key: tuple) -> str:
        if key not in names:
            try:
                names[key] = bd.get_node(database=key[0], code=key[1])["name"]
            except Exception:  # noqa: BLE001 - a dangling input is itself a change to show
                names[key] = f"{key[0]}/{key[1]}"
        return names[key]

    activities: dict[str, dict] = {}
    for database in DATABASES:
        if database not in bd.databases:
            continue
        for node in bd.Database(database):
            rows = []
            for ex in node.exchanges():
                key = tuple(ex["input"])
                rows.append([key[0], key[1], name_of(key), ex.get("type"), _num(ex.get("amount")),
                             ex.get("formula")])
            rows.sort(key=lambda r: (r[0], r[1], str(r[3]), repr(r[4]), str(r[5])))
            activities[f"{database}/{node['code']}"] = {
                "name": node.get("name"), "unit": node.get("unit"),
                "location": node.get("location"), "exchanges": rows}
    parameters: dict[str, dict] = {}
    for row in ProjectParameter.select():
        parameters.setdefault("project", {})[row.name] = [_num(row.amount), row.formula]
    for row in DatabaseParameter.select():
        parameters.setdefault(f"database {row.database}", {})[row.name] = [_num(row.amount),
                                                                           row.formula]
    for row in ActivityParameter.select():
        if row.name.startswith("__dummy_"):
            continue
        parameters.setdefault(f"activity group {row.group}", {})[row.name] = [
            _num(row.amount), row.formula]
    methods: dict[str, str | None] = {}
    for part, ident in METHODS.items():
        if ident in bd.methods:
            cfs = sorted(([list(k) if isinstance(k, tuple) else k, v]
                          for k, v in bd.Method(ident).load()), key=str)
            methods[part] = hashlib.sha256(json.dumps(cfs, default=str).encode()).hexdigest()
        else:
            methods[part] = None
    return {
        "databases": sorted(bd.databases),
        "methods": sorted(" | ".join(m) for m in bd.methods),
        "biosphere_flows": len(bd.Database(BIOSPHERE_DB)) if BIOSPHERE_DB in bd.databases
        else 0,
        "activities": activities,
        "parameters": parameters,
        "method_factors": methods,
    }


def write_snapshot(snapshot: dict[str, Any]) -> str:
    """Write the snapshot next to the build stamp; return its sha256."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), default=str)
    snapshot_path().write_text(text)
    return hashlib.sha256(text.encode()).hexdigest()


def read_snapshot() -> dict[str, Any] | None:
    """The snapshot of the last build, or None (built before snapshots existed)."""
    try:
        return json.loads(snapshot_path().read_text())
    except (OSError, ValueError):
        return None


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed from snapshot ``before`` to ``after``, one line per change, in a stable
    order: databases and methods added or removed, activities added, removed or edited
    (name, unit, location, each exchange's amount or formula, exchanges added or removed),
    parameters added, removed or changed, characterization factors changed, biosphere size."""
    out: list[str] = []
    for kind in ("databases", "methods"):
        b, a = set(before.get(kind, [])), set(after.get(kind, []))
        singular = kind[:-1]
        out += [f"{singular} {x!r} added (not written by pcf)" for x in sorted(a - b)]
        out += [f"{singular} {x!r} removed" for x in sorted(b - a)]
    if before.get("biosphere_flows") != after.get("biosphere_flows"):
        out.append(f"{BIOSPHERE_DB}: {before.get('biosphere_flows')} -> "
                   f"{after.get('biosphere_flows')} flows")
    acts_b, acts_a = before.get("activities", {}), after.get("activities", {})
    for key in sorted(set(acts_a) - set(acts_b)):
        out.append(f"{key}: activity added ({acts_a[key].get('name')!r})")
    for key in sorted(set(acts_b) - set(acts_a)):
        out.append(f"{key}: activity removed ({acts_b[key].get('name')!r})")
    for key in sorted(set(acts_a) & set(acts_b)):
        b, a = acts_b[key], acts_a[key]
        for field in ("name", "unit", "location"):
            if b.get(field) != a.get(field):
                out.append(f"{key}: {field} {b.get(field)!r} -> {a.get(field)!r}")
        out += [f"{key}: {line}" for line in _exchange_diff(b["exchanges"], a["exchanges"])]
    par_b, par_a = before.get("parameters", {}), after.get("parameters", {})
    for scope in sorted(set(par_a) | set(par_b)):
        b, a = par_b.get(scope, {}), par_a.get(scope, {})
        for name in sorted(set(a) - set(b)):
            out.append(f"{scope}: parameter {name!r} added (= {_param(a[name])})")
        for name in sorted(set(b) - set(a)):
            out.append(f"{scope}: parameter {name!r} removed")
        for name in sorted(set(a) & set(b)):
            if a[name] != b[name]:
                out.append(f"{scope}: parameter {name!r} {_param(b[name])} -> {_param(a[name])}")
    for part, digest in sorted(after.get("method_factors", {}).items()):
        if before.get("method_factors", {}).get(part) != digest:
            out.append(f"method {' | '.join(METHODS[part])}: characterization factors changed"
                       if part in METHODS else f"method {part}: changed")
    return out


def _param(value: list) -> str:
    amount, formula = value
    return f"{formula} ({_fmt(amount)})" if formula else _fmt(amount)


def _exchange_diff(before: list[list], after: list[list]) -> list[str]:
    def group(rows):
        out: dict[tuple, list] = defaultdict(list)
        for db, code, name, kind, amount, formula in rows:
            out[(db, code, name, kind)].append((amount, formula))
        return out

    b, a = group(before), group(after)
    lines = []
    for key in sorted(set(a) | set(b), key=str):
        _, _, name, kind = key
        old, new = b.get(key, []), a.get(key, [])
        if old == new:
            continue
        label = f"exchange {name!r} ({kind})"
        if not old:
            lines.append(f"{label} added: {', '.join(_fmt(x[0]) for x in new)}")
        elif not new:
            lines.append(f"{label} removed (was {', '.join(_fmt(x[0]) for x in old)})")
        elif len(old) == len(new):
            for (amount_b, formula_b), (amount_a, formula_a) in zip(old, new, strict=True):
                if formula_b != formula_a:
                    lines.append(f"{label}: formula {formula_b!r} -> {formula_a!r}")
                elif amount_b != amount_a:
                    lines.append(f"{label}: amount {_fmt(amount_b)} -> {_fmt(amount_a)}")
        else:
            lines.append(f"{label}: {len(old)} -> {len(new)} exchanges")
    return lines


def project_changes() -> list[str] | None:
    """What changed in the project since ``pcf setup`` (:func:`diff` of the stored snapshot
    and the project now); [] when nothing did; None when it cannot tell (no project, or a
    build older than snapshots)."""
    before = read_snapshot()
    if before is None:
        return None
    now = take_snapshot()
    if now is None:
        return None
    return diff(before, now)
