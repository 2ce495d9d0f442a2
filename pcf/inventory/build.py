"""Write the Brightway project ``pcf`` from ``databases/`` (``pcf setup``).

The project holds ``biosphere3`` (bw2io's bundled flow list), the four IPCC 2021 GWP100
methods, ``pcf-background`` and ``pcf-products``, with each product's parameters as Brightway
activity parameters (group = product id) and its parameterized exchanges, so Activity Browser
shows the same model and numbers.

A build stamp ``$PCF_HOME/brightway/pcf-build.json`` records the *database version*: a hash of
the inventory files, the pcf source code that can change a number, the method ids and the
Brightway package versions. :func:`ensure_built` rebuilds when it differs (stale) or the
project is missing; otherwise it does nothing (idempotent).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pcf
from pcf.bw import bw2data, bw2io
from pcf.config import BIOSPHERE_DB, PROJECT_NAME, databases_dir
from pcf.formulas import compile_formulas
from pcf.inventory.companies import load_companies, write_snapshot
from pcf.inventory.loader import (
    DATABASES,
    PRODUCTS,
    Inventory,
    load_inventory,
    supplier_bindings,
)
from pcf.inventory.methods import METHODS, load_bundled_methods
from pcf.inventory.rules import load_carbon_content, load_published_ranges
from pcf.inventory.stamp import (
    STAMP_NAME,
    code_hash,
    current_version,
    database_version,
    file_signature,
    quick_freshness,
    read_stamp,
    stamp_path,
)
from pcf.inventory.uncertainty import brightway_fields
from pcf.paramspec import indicator
from pcf.units import conversion_factor

# The stamp, the database version and the hashes live in pcf.inventory.stamp (no Brightway
# import); they are re-exported here for callers of the build.
__all__ = ["ensure_built", "is_fresh", "project_fingerprint", "read_stamp", "stamp_path",
           "code_hash", "current_version", "database_version", "STAMP_NAME", "ProjectState",
           "project_state"]


def project_fingerprint() -> str | None:
    """sha256 over what the Brightway project holds now: each pcf database's ``modified`` and
    ``processed`` times and the characterization factors of the four methods. None if the
    project does not exist. An edit made outside ``pcf setup`` (e.g. in Activity Browser)
    changes it."""
    bd = bw2data()
    if PROJECT_NAME not in bd.projects:
        return None
    if bd.projects.current != PROJECT_NAME:
        bd.projects.set_current(PROJECT_NAME)
    parts = {name: [bd.databases[name].get("modified"), bd.databases[name].get("processed")]
             for name in (BIOSPHERE_DB, *DATABASES) if name in bd.databases}
    for part, ident in METHODS.items():
        parts[part] = sorted(([list(k) if isinstance(k, tuple) else k, v]
                              for k, v in bd.Method(ident).load()), key=str) \
            if ident in bd.methods else None
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def is_fresh(root: Path | None = None) -> bool:
    """True if the project exists, was built from the current files and code, and was not
    changed since (see :func:`project_fingerprint`).

    The quick file signature (:func:`pcf.inventory.stamp.file_signature`) answers without
    importing Brightway when nothing was written since the build; otherwise the full
    fingerprint decides."""
    quick = quick_freshness(root)
    if quick is not None:
        return quick
    stamp = read_stamp() or {}
    return stamp.get("project_fingerprint") == project_fingerprint()


@dataclass
class ProjectState:
    """Where the Brightway project stands against ``databases/`` and its last build.

    Attributes
    ----------
    fresh : bool
        Built from the current files and code, unchanged since: nothing to do.
    data_changed : bool
        ``databases/`` or the model code changed since the build (or it was never built).
    edits : list of str
        Changes made to the project outside ``pcf setup`` (Activity Browser, bw2data), one
        line each (:func:`pcf.inventory.snapshot.diff`); empty when there are none.
    """

    fresh: bool
    data_changed: bool
    edits: list[str]


def project_state(root: Path | None = None) -> ProjectState:
    """Tell whether the project is up to date, stale, or edited outside pcf (and how).

    Reads files only when nothing changed (:func:`quick_freshness`); otherwise opens the
    project and compares it with the snapshot of the last build.
    """
    from pcf.inventory.snapshot import project_changes

    quick = quick_freshness(root)
    if quick is True:
        return ProjectState(True, False, [])
    stamp = read_stamp()
    bd = bw2data()
    if stamp is None or PROJECT_NAME not in bd.projects:
        return ProjectState(False, True, [])
    data_changed = stamp.get("version") != current_version(root)
    fingerprint_same = stamp.get("project_fingerprint") == project_fingerprint()
    if fingerprint_same:
        return ProjectState(not data_changed, data_changed, [])
    edits = project_changes()
    if edits is None:  # built before pcf kept a snapshot: it knows that, not what, changed
        edits = ["the project was changed after `pcf setup` (this build has no record of its "
                 "content, so the changes cannot be listed)"]
    return ProjectState(False, data_changed, edits)


def ensure_built(root: Path | None = None, force: bool = False) -> dict:
    """Build the project if missing or stale (or ``force``); return the stamp.

    The stamp is written last, so a build cut off half-way is rebuilt next time. This is the
    library call that builds when told to: it rebuilds a project edited outside pcf too. The
    ``pcf`` commands ask :func:`project_state` first and never build over edits unless asked
    (``pcf setup --force``).

    Returns
    -------
    dict
        ``{"version", "inventory_hash", "built_at", "seconds", "activities", "products",
        "rebuilt": bool}``.

    Raises
    ------
    pcf.errors.InventoryInvalid
        If ``databases/`` does not validate (nothing is written then).
    """
    root = Path(root or databases_dir())
    if not force and is_fresh(root):
        return {**read_stamp(), "rebuilt": False}
    started = time.perf_counter()
    inventory = load_inventory(root)  # validate everything before touching the project
    companies = load_companies(root, inventory.products, inventory.sources)
    carbon = load_carbon_content(root, inventory.activities, inventory.sources)
    ranges = load_published_ranges(root, inventory.products, inventory.sources)
    # bw2io prints import progress on stdout: keep stdout for results (JSON) only
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        _write_project(inventory, carbon, ranges)
        bw2data().databases.clean()  # process anything left dirty before fingerprinting
    write_snapshot(companies)
    from pcf.inventory import snapshot

    content = snapshot.take_snapshot()
    stamp = {
        "version": database_version(inventory.content_hash),
        "inventory_hash": inventory.content_hash,
        "pcf_version": pcf.__version__,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.perf_counter() - started, 3),
        "activities": len(inventory.activities),
        "products": sorted(inventory.products),
        "companies": sorted(companies),
        "methods": {k: list(v) for k, v in METHODS.items()},
        "project_fingerprint": project_fingerprint(),
        "file_signature": file_signature(),
        "definitions": {pid: definition(inventory, pid) for pid in sorted(inventory.products)},
        "snapshot_sha256": snapshot.write_snapshot(content) if content is not None else None,
    }
    stamp_path().write_text(json.dumps(stamp, indent=2))
    return {**stamp, "rebuilt": True}


def _write_project(inventory: Inventory, carbon: dict[str, dict],
                   ranges: dict[str, list[dict]]) -> None:
    bd = bw2data()
    bi = bw2io()
    stamp_path().unlink(missing_ok=True)
    if PROJECT_NAME in bd.projects:
        if bd.projects.current == PROJECT_NAME:
            bd.projects.set_current("default")
        bd.projects.delete_project(PROJECT_NAME, delete_dir=True)
    bd.projects.set_current(PROJECT_NAME)
    bi.create_default_biosphere3()
    _write_methods(bd)
    flow_keys = _resolve_flows(bd, inventory)
    for database in DATABASES:
        _write_database(bd, inventory, database, flow_keys, carbon, ranges)
    _write_parameters(bd, inventory)


def _write_methods(bd) -> None:
    for name, data in load_bundled_methods().items():
        method = bd.Method(name)
        method.register(unit=data["unit"], description=data["description"],
                        source="bw2io 0.9.17 lcia_39_ecoinvent.zip (IPCC 2021 AR6)")
        method.write(data["cfs"])


def _resolve_flows(bd, inventory: Inventory) -> dict[str, tuple]:
    from pcf.errors import InventoryInvalid

    index = {(f["name"], tuple(f["categories"])): f.key for f in bd.Database(BIOSPHERE_DB)}
    out = {}
    for alias, flow in inventory.flows.items():
        key = index.get((flow["name"], tuple(flow["categories"])))
        if key is None:
            raise InventoryInvalid(f"databases/flows.yaml: flow {alias!r} ({flow['name']}, "
                            f"{flow['categories']}) is not in biosphere3")
        out[alias] = key
    return out


def _defaults_evaluator(inventory: Inventory, product_id: str):
    """Return f(formula) -> value at the product's default parameters (initial amounts)."""
    product = inventory.products[product_id]
    values = product.default_values()

    def evaluate(formula: str) -> float:
        return compile_formulas(product.derived, [formula], values)(values)[0]

    return evaluate


def _expand(inventory: Inventory, act, ex):
    """Yield (target code or flow alias, formula or None, amount) for one YAML exchange,
    expanding ``select:`` exchanges into one exchange per choice."""
    if ex.select is None:
        yield ex.target, ex.formula, ex.amount
        return
    spec = inventory.products[act.product].parameters[ex.select]
    base = ex.formula if ex.formula is not None else repr(ex.amount)
    for choice, code in spec.choices.items():
        yield code, f"({base}) * {indicator(spec.name, choice)}", None


def _write_database(bd, inventory: Inventory, database: str, flow_keys: dict,
                    carbon: dict[str, dict], ranges: dict[str, list[dict]]) -> None:
    data = {}
    for act in inventory.activities.values():
        if act.database != database:
            continue
        evaluate = _defaults_evaluator(inventory, act.product) if act.product else None
        exchanges = [{"input": (database, act.code), "amount": 1.0, "type": "production",
                      "unit": act.unit}]
        for index, ex in enumerate(act.exchanges):
            uncertainty = inventory.uncertainty[(act.code, index)]
            for target, formula, amount in _expand(inventory, act, ex):
                if ex.kind == "biosphere":
                    key, unit = flow_keys[target], inventory.flows[target]["unit"]
                else:
                    key = (inventory.activities[target].database, target)
                    unit = inventory.activities[target].unit
                factor = conversion_factor(ex.unit, unit)
                row = {"input": key, "type": ex.kind, "unit": unit,
                       "pcf_source": ex.meta["source"], "pcf_year": ex.meta["year"],
                       "pcf_geography": ex.meta["geography"], "pcf_basis": ex.meta["basis"],
                       "pcf_stage": ex.stage or act.stage, "pcf_where": ex.where}
                if ex.gwp is not None:
                    row["pcf_gwp"] = ex.gwp
                if formula is not None:
                    if factor != 1.0:
                        formula = f"({formula}) * {factor!r}"
                    row["formula"] = formula
                    row["amount"] = float(evaluate(formula))
                else:
                    row["amount"] = float(amount) * factor
                # Brightway's own uncertainty fields (stats_arrays) for the amount at the
                # default parameters, and pcf's relative description (issue 17)
                row.update(brightway_fields(uncertainty, row["amount"]))
                row["pcf_uncertainty"] = uncertainty.to_dict()
                exchanges.append(row)
        record = {"name": act.name, "unit": act.unit, "location": act.location,
                  "reference product": act.name.split(",")[0], "comment": act.comment,
                  "exchanges": exchanges, "type": "process",
                  "pcf_stage": act.stage, "pcf_product": act.product,
                  "pcf_basis_kind": act.basis_kind, "pcf_meta": act.meta, "pcf_where": act.where}
        if act.code in carbon:
            record["pcf_carbon_content"] = carbon[act.code]
        if act.product and act.code == act.product:
            record["pcf_product_definition"] = definition(inventory, act.product)
            record["pcf_published_ranges"] = ranges.get(act.product, [])
        data[(database, act.code)] = record
    db = bd.Database(database)
    db.register(description=f"pcf {database}, written by `pcf setup` from databases/")
    db.write(data)


def definition(inventory: Inventory, product_id: str) -> dict:
    """The product definition stored on its reference activity and in the build stamp, with
    the encoded bindings of the suppliers it uses (``bindings``: supplier id -> {supplier
    Brightway parameter: formula over this product's names};
    :func:`pcf.inventory.loader.supplier_bindings`)."""
    product = inventory.products[product_id]
    out = product.to_dict()
    out["bindings"] = {sid: supplier_bindings(product, inventory.products[sid])
                       for sid in product.uses}
    return out


def _binding_notes(inventory: Inventory, product_id: str) -> dict[str, str]:
    """Comments for the consumer's parameters that pcf passes to a supplier product (shown with
    the parameter in Activity Browser): in Brightway the supplier exists once, so its own
    group's parameters are where a project user changes it."""
    from pcf.formulas import names_in

    product = inventory.products[product_id]
    notes: dict[str, list[str]] = {}
    for sid in product.uses:
        for target, expression in supplier_bindings(product, inventory.products[sid]).items():
            for name in names_in(expression):
                notes.setdefault(name, []).append(f"{sid}.{target}")
    return {name: "pcf passes this to the linked product parameter(s) "
                  + ", ".join(sorted(set(targets)))
                  + " for this product's calculations; in this project the linked product "
                    "exists once: change it in its own parameter group"
            for name, targets in notes.items()}


def parameter_rows(product, notes: dict[str, str] | None = None,
                   uncertainty: dict | None = None) -> list[dict]:
    """The Brightway activity parameters of a product (group = product id): every independent
    encoded parameter with its default amount and what it means (description, unit, bounds,
    source: :meth:`pcf.paramspec.ParameterSpec.brightway_data`), then the derived parameters
    with their formulas. Extra keys are kept by bw2data in the parameter's ``data``.
    ``notes`` (name -> text, e.g. :func:`_binding_notes`) are appended to the comments.
    ``uncertainty`` ((product id, name) -> :class:`pcf.inventory.uncertainty.Uncertainty`,
    :attr:`Inventory.parameter_uncertainty`) adds Brightway's uncertainty fields to each
    number parameter's default, bounded by the parameter's range."""
    meta: dict[str, dict] = {}
    for spec in product.parameters.values():
        meta.update(spec.brightway_data())
    rows = [{"name": name, "amount": value, "database": PRODUCTS, "code": product.id,
             **meta.get(name, {})}
            for name, value in product.default_values().items()]
    rows += [{"name": name, "formula": formula, "database": PRODUCTS, "code": product.id,
              "description": f"derived parameter of {product.id}",
              "comment": f"derived: {name} = {formula} (recomputed from the parameters)"}
             for name, formula in product.derived.items()]
    numbers = {spec.brightway_names()[0]: spec for spec in product.parameters.values()
               if spec.type == "number" and not spec.optional}
    for row in rows:
        spec = numbers.get(row["name"])
        u = (uncertainty or {}).get((product.id, spec.name)) if spec is not None else None
        if u is not None and spec is not None:
            row.update(brightway_fields(u, float(row["amount"]), spec.min, spec.max))
            row["pcf_uncertainty"] = u.to_dict()
        note = (notes or {}).get(row["name"])
        if note:
            row["comment"] = f"{row['comment']}; {note}" if row.get("comment") else note
    return rows


def _write_parameters(bd, inventory: Inventory) -> None:
    for product in inventory.products.values():
        rows = parameter_rows(product, _binding_notes(inventory, product.id),
                              inventory.parameter_uncertainty)
        bd.parameters.new_activity_parameters(rows, group=product.id)
        for act in inventory.activities.values():
            if act.product == product.id:
                bd.parameters.add_exchanges_to_group(product.id, (PRODUCTS, act.code))
        bd.parameters.recalculate()
        from bw2data.parameters import ActivityParameter

        ActivityParameter.recalculate_exchanges(product.id)
    bd.Database(PRODUCTS).process()
