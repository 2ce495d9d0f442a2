"""Load and validate the inventory in ``databases/`` (format: ``databases/README.md``).

:func:`load_inventory` reads every YAML file, checks every rule of the format and returns an
:class:`Inventory`; on any problem it raises one :class:`pcf.errors.InventoryInvalid` that lists
every problem found as ``file:line: message``.

Checking happens in three passes:

1. structure, file by file, with the pydantic models of :mod:`pcf.inventory.schema` (keys,
   types, required fields, closed sets); a file with structural problems is not read further;
2. rules within one file: the folder's database, formulas and ``select`` only in products, pint
   units, parameter defaults and variants in range, duplicate codes and ids;
3. once everything has been read without a problem, the rules across files: sources resolve in
   ``sources.yaml``, flows and inputs exist and their units convert, product chains are not
   shared, stages, formulas, ``select`` targets and reachability.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcf.errors import InvalidInput, InventoryInvalid
from pcf.formulas import FormulaError, check, compile_formulas, evaluation_order
from pcf.inventory import schema
from pcf.inventory.schema import (  # noqa: F401
    BACKGROUND,
    DATABASES,
    META_KEYS,
    PRODUCTS,
    RECYCLED_CONTENT_METHODS,
)
from pcf.inventory.stamp import content_hash
from pcf.inventory.uncertainty import resolve as resolve_uncertainty
from pcf.inventory.yamlio import YAMLError, describe, line_of, load_yaml, plain
from pcf.paramspec import ParameterSpec
from pcf.units import conversion_factor

REQUIRED_PARAMETERS = ("recycled_content", "renewable_electricity_share")
REQUIRED_VARIANTS = ("virgin", "recycled")


@dataclass
class Exchange:
    """One input of an activity, as written in the YAML.

    ``kind`` is ``"technosphere"`` (``target`` = activity code) or ``"biosphere"`` (``target`` =
    flow alias). Exactly one of ``amount``/``formula`` is set; both are in ``unit``.
    ``select`` names a choice parameter whose choices map to activities (expanded at build).
    """

    kind: str
    target: str | None
    amount: float | None
    formula: str | None
    unit: str
    stage: str | None
    meta: dict
    where: str
    select: str | None = None
    comment: str = ""
    gwp: str | None = None
    """GWP basis of a biosphere figure (:data:`pcf.inventory.schema.GWP_BASES`), resolved in
    the checks across files; None for technosphere exchanges."""


@dataclass
class Activity:
    """An activity (unit process or aggregated dataset) with one reference flow of 1 ``unit``."""

    code: str
    name: str
    unit: str
    location: str
    database: str
    meta: dict
    where: str
    exchanges: list[Exchange] = field(default_factory=list)
    stage: str | None = None
    product: str | None = None
    comment: str = ""
    basis_kind: str = "life-cycle"


@dataclass
class Product:
    """A product system: reference activity ``id``, declared unit, parameters, variants.

    ``parameter_where`` gives the ``file:line`` of each parameter, for messages.
    """

    id: str
    name: str
    declared_unit: str
    description: str
    stages: list[str]
    recycled_content_method: str
    parameters: dict[str, ParameterSpec]
    derived: dict[str, str]
    variants: dict[str, dict]
    where: str
    parameter_where: dict[str, str] = field(default_factory=dict)
    uses: dict[str, dict[str, str]] = field(default_factory=dict)
    """Supplier products consumed as linked sub-systems: supplier id -> {supplier parameter:
    consumer expression} (see databases/README.md, "Products that use other products")."""
    mass_balance: dict | None = None
    """``{"product": formula, "inputs": [{name, formula, basis}], "losses": [...]}``."""
    alternatives: list[dict] = field(default_factory=list)
    """Other methodological rules: ``[{name, label, parameters, basis}]``."""
    levers: list[dict] = field(default_factory=list)
    """Reduction levers: ``[{name, label, parameters, basis}]``."""

    def brightway_inputs(self) -> list[str]:
        """Names of the independent numeric Brightway parameters of this product."""
        return [n for p in self.parameters.values() for n in p.brightway_names()]

    def default_values(self) -> dict[str, float]:
        """Encoded default values of every independent parameter."""
        out: dict[str, float] = {}
        for spec in self.parameters.values():
            out.update(spec.encode(spec.default))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form stored on the reference activity in Brightway (key ``pcf_product``)."""
        return {
            "id": self.id, "name": self.name, "declared_unit": self.declared_unit,
            "description": self.description, "stages": list(self.stages),
            "recycled_content_method": self.recycled_content_method,
            "parameters": [p.to_dict() for p in self.parameters.values()],
            "derived": dict(self.derived), "variants": dict(self.variants),
            "uses": {sid: dict(b) for sid, b in self.uses.items()},
            **({"mass_balance": self.mass_balance} if self.mass_balance else {}),
            **({"alternatives": self.alternatives} if self.alternatives else {}),
            **({"levers": self.levers} if self.levers else {}),
        }


@dataclass
class Inventory:
    """Everything in ``databases/``, validated."""

    sources: dict[str, dict]
    flows: dict[str, dict]
    activities: dict[str, Activity]
    products: dict[str, Product]
    content_hash: str
    uncertainty: dict = field(default_factory=dict)
    """(activity code, index of the exchange in ``Activity.exchanges``) ->
    :class:`pcf.inventory.uncertainty.Uncertainty` (``databases/uncertainty.yaml``)."""
    parameter_uncertainty: dict = field(default_factory=dict)
    """(product id, parameter name) -> :class:`pcf.inventory.uncertainty.Uncertainty`."""


class _Problems(list):
    """The problems found so far, each ``file:line: message``."""

    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self:
            listing = "\n".join(f"  - {p}" for p in self)
            raise InventoryInvalid(f"databases/ has {len(self)} problem(s):\n{listing}")


@dataclass
class _File:
    """A file that passed the structural check: its model, and its tree for line numbers."""

    name: str
    tree: Any
    doc: Any

    def where(self, *path: str | int) -> str:
        """``file:line`` of the key or item at ``path`` (see :func:`yamlio.line_of`)."""
        return f"{self.name}:{line_of(self.tree, path)}"


def load_inventory(root: Path) -> Inventory:
    """Read and validate ``root`` (the ``databases/`` folder).

    Parameters
    ----------
    root : Path
        The inventory folder, with ``sources.yaml``, ``flows.yaml``, ``background/`` and
        ``products/``.

    Returns
    -------
    Inventory

    Raises
    ------
    InventoryInvalid
        Listing every problem as ``<file>:<line>: <message>``.
    """
    root = Path(root)
    if not root.is_dir():
        raise InventoryInvalid(f"inventory folder {root} does not exist")
    problems = _Problems()
    sources = _sources(_read(root, root / "sources.yaml", schema.SourcesFile, problems), problems)
    flows = _flows(_read(root, root / "flows.yaml", schema.FlowsFile, problems))
    activities: dict[str, Activity] = {}
    products: dict[str, Product] = {}
    for folder, database in (("background", BACKGROUND), ("products", PRODUCTS)):
        for path in sorted((root / folder).glob("*.yaml")):
            file = _read(root, path, schema.InventoryFile, problems)
            if file is not None:
                _activity_file(file, database, activities, products, problems)
    problems.raise_if_any()
    _check_links(activities, sources, flows, problems, products)
    for product in products.values():
        _check_product(product, activities, sources, problems, products)
    problems.raise_if_any()
    inventory = Inventory(sources=sources, flows=flows, activities=activities,
                          products=products, content_hash=content_hash(root))
    # every figure resolves to an uncertainty (databases/uncertainty.yaml, issue 17)
    inventory.uncertainty, inventory.parameter_uncertainty, found = resolve_uncertainty(
        root, inventory)
    problems.extend(found)
    problems.raise_if_any()
    return inventory


# -- pass 1: read and check the structure -------------------------------------------------------

def _read(root: Path, path: Path, model: type, problems: _Problems) -> _File | None:
    try:
        name = str(Path("databases") / path.relative_to(root))
    except ValueError:
        name = str(path)
    try:
        tree = load_yaml(path)
        data = plain(tree)
    except YAMLError as exc:
        problems.add(name, f"YAML error: {describe(exc)}")
        return None
    except OSError as exc:
        problems.add(name, f"cannot read: {exc}")
        return None
    doc, found = schema.validate(model, data, tree, name)
    problems.extend(found)
    return None if doc is None else _File(name, tree, doc)


# -- pass 2: rules within one file --------------------------------------------------------------

def _sources(file: _File | None, problems: _Problems) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for i, entry in enumerate(file.doc.sources if file else []):
        if entry.id in out:
            problems.add(file.where("sources", i), f"duplicate source id {entry.id!r}")
        else:
            out[entry.id] = entry.model_dump()
    return out


def _flows(file: _File | None) -> dict[str, dict]:
    return {alias: {"name": flow.name, "categories": tuple(flow.categories), "unit": flow.unit}
            for alias, flow in (file.doc.flows.items() if file else [])}


def _meta(entry: schema.Figure, inherited: dict) -> dict:
    """Source, year, geography, basis and GWP basis of ``entry``, each from ``inherited`` if
    not stated."""
    return {k: inherited.get(k) if getattr(entry, k) is None else getattr(entry, k)
            for k in (*META_KEYS, "gwp")}


def _unit_known(unit: str) -> bool:
    try:
        conversion_factor(unit, unit)
    except InvalidInput:
        return False
    return True


def _activity_file(file: _File, folder_database: str, activities: dict[str, Activity],
                   products: dict[str, Product], problems: _Problems) -> None:
    doc = file.doc
    if doc.database != folder_database:
        problems.add(file.where("database"),
                     f"files in this folder belong to {folder_database}, not {doc.database}")
    defaults = _meta(doc.defaults or schema.Defaults(), {})
    product = None
    if doc.database == PRODUCTS and doc.product is None:
        problems.add(file.where(), "a product file needs a 'product' mapping")
    elif doc.database == PRODUCTS:
        product = _product(file, defaults, problems)
        if product.id in products:
            problems.add(product.where, f"duplicate product id {product.id!r}")
        products[product.id] = product
    elif doc.product is not None:
        problems.add(file.where("product"), "only product files have 'product'")
    for i, entry in enumerate(doc.activities):
        act = _activity(file, i, entry, doc.database, defaults, problems)
        act.product = product.id if product else None
        if act.code in activities:
            problems.add(act.where, f"duplicate activity code {act.code!r} "
                                    f"(first at {activities[act.code].where})")
        else:
            activities[act.code] = act


def _activity(file: _File, i: int, entry: schema.ActivityEntry, database: str, defaults: dict,
              problems: _Problems) -> Activity:
    meta = _meta(entry, defaults)
    act = Activity(code=entry.code, name=entry.name, unit=entry.unit,
                   location=entry.location or entry.geography or defaults["geography"] or "GLO",
                   database=database, meta=meta, where=file.where("activities", i),
                   stage=entry.stage, comment=entry.comment or "", basis_kind=entry.basis_kind)
    if not _unit_known(act.unit):
        problems.add(file.where("activities", i, "unit"), f"unknown unit {act.unit!r}")
    for j, ex in enumerate(entry.exchanges):
        path = ("activities", i, "exchanges", j)
        if ex.formula is not None and database != PRODUCTS:
            problems.add(file.where(*path, "formula"),
                         "formulas are only allowed in pcf-products (background has no parameters)")
        if ex.select is not None and database != PRODUCTS:
            problems.add(file.where(*path, "select"),
                         "select is only allowed in pcf-products (it needs a choice parameter)")
            continue
        act.exchanges.append(Exchange(
            kind="biosphere" if ex.flow is not None else "technosphere",
            target=ex.input or ex.flow, amount=None if ex.amount is None else float(ex.amount),
            formula=ex.formula, unit=ex.unit, stage=ex.stage, meta=_meta(ex, meta),
            where=file.where(*path), select=ex.select, comment=ex.comment or ""))
    return act


def _product(file: _File, defaults: dict, problems: _Problems) -> Product:
    raw: schema.ProductEntry = file.doc.product
    if not _unit_known(raw.declared_unit):
        problems.add(file.where("product", "declared_unit"),
                     f"unknown declared_unit {raw.declared_unit!r}")
    wheres = {name: file.where("product", "parameters", name) for name in raw.parameters}
    params = {}
    for name, entry in raw.parameters.items():
        spec = _parameter(name, entry, defaults, wheres[name], problems)
        if spec is not None:
            params[name] = spec
    for required in REQUIRED_PARAMETERS:
        if required not in params:
            problems.add(file.where("product", "parameters"),
                         f"every product needs the parameter {required!r}")
    for required in REQUIRED_VARIANTS:
        if required not in raw.variants:
            problems.add(file.where("product", "variants"),
                         f"every product needs the variant {required!r}")
    named = [(f"variants.{v}", v, values, file.where("product", "variants", v))
             for v, values in raw.variants.items()]
    for part in ("alternatives", "levers"):
        named += [(f"{part}.{e.name}", e.name, e.parameters, file.where("product", part, i))
                  for i, e in enumerate(getattr(raw, part))]
    for label, vname, values, where in named:
        for pname, value in values.items():
            if pname not in params:
                problems.add(where, f"{label.split('.')[0].rstrip('s')} {vname!r} sets unknown "
                                    f"parameter {pname!r} (allowed: {', '.join(params)})")
                continue
            try:
                params[pname].coerce(value, f"{label}.{pname}")
            except InvalidInput as exc:
                problems.add(where, str(exc))
    return Product(id=raw.id, name=raw.name, declared_unit=raw.declared_unit,
                   description=raw.description or "", stages=list(raw.stages),
                   recycled_content_method=raw.recycled_content_method, parameters=params,
                   derived=dict(raw.derived),
                   variants={k: dict(v) for k, v in raw.variants.items()},
                   where=f"{file.name}:{line_of(file.tree['product'])}", parameter_where=wheres,
                   uses={sid: {k: str(v) for k, v in (b or {}).items()}
                         for sid, b in (raw.uses or {}).items()},
                   mass_balance=raw.mass_balance.model_dump() if raw.mass_balance else None,
                   alternatives=[e.model_dump() for e in raw.alternatives],
                   levers=[e.model_dump() for e in raw.levers])


def _parameter(name: str, entry: schema.ParameterEntry, defaults: dict, where: str,
               problems: _Problems) -> ParameterSpec | None:
    meta = _meta(entry, defaults)
    spec = ParameterSpec(
        name=name, type=entry.type, default=entry.default, unit=entry.unit or "",
        min=entry.min, max=entry.max,
        choices=dict(entry.choices) if entry.type == "choice" else {},
        optional=entry.optional, description=entry.description,
        source=meta["source"] or "", meta=meta)
    try:
        return dataclasses.replace(spec, default=spec.coerce(entry.default, f"{name}.default"))
    except InvalidInput as exc:
        problems.add(where, f"default: {exc}")
        return None


# -- pass 3: rules across files -----------------------------------------------------------------

def _check_links(activities: dict[str, Activity], sources: dict, flows: dict,
                 problems: _Problems, products: dict[str, Product]) -> None:
    """Every figure's source, every exchange's flow or input and its unit."""
    for act in activities.values():
        _check_meta(act.meta, act.where, sources, problems, required=False)
        for ex in act.exchanges:
            _check_meta(ex.meta, ex.where, sources, problems, required=True)
            if ex.kind == "biosphere":
                ex.gwp = _gwp_basis(ex, sources, problems)
                if ex.target not in flows:
                    problems.add(ex.where, f"unknown flow {ex.target!r} "
                                           f"(allowed: {', '.join(sorted(flows))})")
                else:
                    _check_unit(ex, ex.target, flows[ex.target]["unit"], problems)
            elif ex.select is None:       # `select` targets are checked with their product
                target = activities.get(ex.target)
                if target is None:
                    problems.add(ex.where, f"unknown input {ex.target!r}: no activity has this "
                                           "code")
                    continue
                _check_input(act, ex, target, problems, products)


CO2_FLOWS = ("co2-fossil", "co2-non-fossil", "co2-land-transformation")
"""Flow aliases on which a figure given only as CO2e may be written (databases/README.md)."""


def _gwp_basis(ex: Exchange, sources: dict, problems: _Problems) -> str | None:
    """Resolve the GWP basis of a biosphere figure.

    Rule: a flow other than CO2 is a mass of that gas (``gas``). A CO2 figure takes the ``gwp``
    stated on the exchange, its activity or the file's defaults, else its source's ``gwp``; a
    CO2 figure whose basis says ``CO2e`` must resolve a GWP set (it is a CO2e total), any other
    CO2 figure is a mass of CO2 (``gas``).
    """
    stated = ex.meta.get("gwp")
    if ex.target not in CO2_FLOWS:
        if stated not in (None, "gas"):
            problems.add(ex.where, f"gwp {stated!r} on flow {ex.target!r}: only a CO2 flow can "
                                   "carry a figure given as CO2e (use gwp: gas or omit it)")
        return "gas"
    co2e = "CO2e" in (ex.meta.get("basis") or "")
    resolved = stated or (sources.get(ex.meta.get("source")) or {}).get("gwp")
    if resolved is None and co2e:
        problems.add(ex.where, "a figure given as CO2e needs its GWP set: state `gwp` (AR6, AR5, "
                               "AR4, SAR, unstated, or gas if it is a mass of CO2) on the "
                               "exchange, its activity, the file's defaults or its source")
        return None
    return resolved if co2e or stated else "gas"


def _check_input(act: Activity, ex: Exchange, target: Activity, problems: _Problems,
                 products: dict[str, Product]) -> None:
    if act.database == BACKGROUND and target.database == PRODUCTS:
        problems.add(ex.where, f"background activity {act.code!r} cannot consume product "
                               f"activity {target.code!r}")
    if target.database == PRODUCTS and target.product != act.product:
        consumer = products.get(act.product) if act.product else None
        if target.code != target.product or consumer is None \
                or target.product not in consumer.uses:
            problems.add(ex.where, f"input {target.code!r} belongs to product "
                                   f"{target.product!r}; product chains are not shared "
                                   "(another product is used through its reference activity "
                                   "and the consumer's 'uses')")
    _check_unit(ex, target.code, target.unit, problems)


def _check_meta(meta: dict, where: str, sources: dict, problems: _Problems,
                required: bool) -> None:
    missing = [k for k in META_KEYS if meta.get(k) in (None, "")]
    if required and missing:
        problems.add(where, f"figure has no {', '.join(missing)} (state it on the exchange, "
                            "its activity or the file's defaults)")
    if meta.get("source") and meta["source"] not in sources:
        problems.add(where, f"source {meta['source']!r} is not in databases/sources.yaml")


def _check_unit(ex: Exchange, target: str, target_unit: str, problems: _Problems) -> None:
    try:
        conversion_factor(ex.unit, target_unit)
    except InvalidInput:
        problems.add(ex.where, f"unit {ex.unit!r} does not convert to {target_unit!r} "
                               f"of {target!r}")


def _check_product(product: Product, activities: dict[str, Activity], sources: dict,
                   problems: _Problems, products: dict[str, Product]) -> None:
    """Reference activity, parameters, derived formulas, stages, exchanges, reachability."""
    ref = activities.get(product.id)
    if ref is None or ref.product != product.id:
        problems.add(product.where, f"product {product.id!r} needs a reference activity with "
                                    f"code {product.id!r} in the same file")
        return
    try:
        same = abs(conversion_factor(ref.unit, product.declared_unit) - 1.0) <= 1e-12
    except InvalidInput:
        same = False
    if not same:
        problems.add(ref.where, f"reference activity unit {ref.unit!r} must equal the declared "
                                f"unit {product.declared_unit!r}")
    for spec in product.parameters.values():
        where = product.parameter_where.get(spec.name, product.where)
        _check_meta(spec.meta, where, sources, problems, required=True)
        for choice, code in spec.choices.items():
            if code is not None and code not in activities:
                problems.add(where, f"parameter {spec.name!r} choice {choice!r} selects unknown "
                                    f"activity {code!r}")
    inputs = product.brightway_inputs()
    if len(set(inputs)) != len(inputs):
        problems.add(product.where, "parameter names collide after encoding")
    clash = set(inputs) & set(product.derived)
    if clash:
        problems.add(product.where, f"derived names reuse parameter names: {sorted(clash)}")
    try:
        evaluation_order(product.derived, inputs)
    except FormulaError as exc:
        problems.add(product.where, f"derived: {exc}")
    known = set(inputs) | set(product.derived)
    own = [a for a in activities.values() if a.product == product.id]
    link_stages: dict[str, set] = {}
    for act in own:
        if act.stage not in product.stages:
            problems.add(act.where, f"activity stage {act.stage!r} is not one of the product's "
                                    f"stages (allowed: {', '.join(product.stages)})")
        for ex in act.exchanges:
            _check_product_exchange(product, ex, activities, known, problems)
            target = activities.get(ex.target) if ex.kind == "technosphere" else None
            if target is not None and target.database == PRODUCTS \
                    and target.product != product.id:
                link_stages.setdefault(target.product, set()).add(ex.stage or act.stage)
    _validate_uses(product, products, link_stages, problems)
    if product.mass_balance:
        items = [product.mass_balance["product"]] + [
            i["formula"] for part in ("inputs", "losses") for i in product.mass_balance[part]]
        for formula in items:
            try:
                check(formula, known)
            except FormulaError as exc:
                problems.add(product.where, f"mass_balance: {exc}")
    _check_replacements(product, own, problems)
    reached = _reachable(product, activities)
    for act in own:
        if act.code not in reached:
            problems.add(act.where, f"activity {act.code!r} is not reachable from the reference "
                                    f"activity {product.id!r}")


def _check_replacements(product: Product, own: list[Activity], problems: _Problems) -> None:
    """The replaceable inputs of :mod:`pcf.supplier_inputs` name an activity of the product and
    two parameters with the right units: the footprint (optional, kg CO2e/kg) and the covered
    share (kg/kg, 0..1)."""
    from pcf.supplier_inputs import FOOTPRINT_UNIT, SHARE_UNIT, replacements_of

    codes = {a.code for a in own}
    for r in replacements_of(product.id):
        if r.activity not in codes:
            problems.add(product.where, f"replaceable input {r.input!r} (pcf/supplier_inputs.py) "
                                        f"needs activity {r.activity!r} in product "
                                        f"{product.id!r}")
        footprint, share = product.parameters.get(r.footprint), product.parameters.get(r.share)
        if footprint is None or footprint.type != "number" or not footprint.optional \
                or footprint.unit != FOOTPRINT_UNIT:
            problems.add(product.where, f"replaceable input {r.input!r} needs an optional number "
                                        f"parameter {r.footprint!r} in {FOOTPRINT_UNIT}")
        if share is None or share.type != "number" or share.optional \
                or share.unit != SHARE_UNIT or share.min != 0 or share.max != 1:
            problems.add(product.where, f"replaceable input {r.input!r} needs a number "
                                        f"parameter {r.share!r} in {SHARE_UNIT}, 0..1")


def _check_product_exchange(product: Product, ex: Exchange, activities: dict[str, Activity],
                            known: set[str], problems: _Problems) -> None:
    if ex.stage is not None and ex.stage not in product.stages:
        problems.add(ex.where, f"stage {ex.stage!r} is not one of the product's stages "
                               f"(allowed: {', '.join(product.stages)})")
    target = activities.get(ex.target) if ex.kind == "technosphere" else None
    if ex.stage is not None and target is not None and target.database == PRODUCTS \
            and target.product == product.id:
        problems.add(ex.where, "'stage' has no effect on an input from a product activity: its "
                               "inputs take that activity's own stage")
    if ex.formula is not None:
        try:
            check(ex.formula, known)
        except FormulaError as exc:
            problems.add(ex.where, str(exc))
    if ex.select is None:
        return
    spec = product.parameters.get(ex.select)
    if spec is None or spec.type != "choice" or None in spec.choices.values():
        problems.add(ex.where, f"select: {ex.select!r} must be a choice parameter whose every "
                               "choice names an activity")
        return
    for code in spec.choices.values():
        target = activities.get(code)
        if target is None:
            continue                      # reported with the parameter
        if target.database == PRODUCTS and target.product != product.id:
            problems.add(ex.where, f"select {ex.select!r} reaches {code!r} of product "
                                   f"{target.product!r}; product chains are not shared")
        _check_unit(ex, code, target.unit, problems)


def _reachable(product: Product, activities: dict[str, Activity]) -> set[str]:
    """Codes of the product activities reached from the reference activity (with ``select``)."""
    seen, todo = {product.id}, [product.id]
    while todo:
        for ex in activities[todo.pop()].exchanges:
            if ex.select is None:
                codes = [ex.target]
            elif ex.select in product.parameters:
                codes = list(product.parameters[ex.select].choices.values())
            else:
                codes = []
            for code in codes:
                target = activities.get(code)
                if target is not None and target.database == PRODUCTS and code not in seen:
                    seen.add(code)
                    todo.append(code)
    return seen


def supplier_bindings(consumer: Product, supplier: Product) -> dict[str, str]:
    """Encoded bindings of a consumer to one supplier it uses.

    Each supplier parameter named in ``consumer.uses[supplier.id]`` is set, for every calculation
    of the consumer, from an expression over the consumer's parameters:

    - a choice (or boolean) supplier parameter from a consumer parameter of the same type, named
      by the expression; every consumer choice must be a supplier choice (same name), and the
      supplier indicator ``p__c`` takes the consumer indicator's value (0 for supplier choices
      the consumer does not offer);
    - a number supplier parameter from a formula over the consumer's names.

    Returns
    -------
    dict[str, str]
        Supplier encoded (Brightway) parameter name -> formula over consumer names. Supplier
        parameters not bound keep the supplier's own (project) values.

    Raises
    ------
    FormulaError
        When a binding cannot be expressed (unknown names, type or choice mismatch); the
        message names the parameter.
    """
    from pcf.paramspec import indicator

    out: dict[str, str] = {}
    for name, expression in consumer.uses.get(supplier.id, {}).items():
        spec = supplier.parameters.get(name)
        if spec is None:
            raise FormulaError(f"supplier {supplier.id!r} has no parameter {name!r}")
        if spec.type == "choice":
            local = consumer.parameters.get(expression)
            if local is None or local.type != "choice":
                raise FormulaError(f"{supplier.id}.{name} is a choice: bind it to a consumer "
                                   f"choice parameter, not {expression!r}")
            extra = sorted(set(local.choices) - set(spec.choices))
            if extra:
                raise FormulaError(f"{expression!r} offers choices {extra} that "
                                   f"{supplier.id}.{name} does not have")
            for choice in spec.choices:
                out[indicator(name, choice)] = (indicator(expression, choice)
                                                if choice in local.choices else "0")
        elif spec.type == "boolean":
            local = consumer.parameters.get(expression)
            if local is None or local.type != "boolean":
                raise FormulaError(f"{supplier.id}.{name} is a boolean: bind it to a consumer "
                                   f"boolean parameter, not {expression!r}")
            out[spec.brightway_names()[0]] = local.brightway_names()[0]
        else:
            if spec.optional:
                raise FormulaError(f"{supplier.id}.{name} is optional: optional supplier "
                                   "parameters cannot be bound")
            check(expression, set(consumer.brightway_inputs()) | set(consumer.derived))
            out[spec.brightway_names()[0]] = expression
    return out


def _validate_uses(product: Product, products: dict, link_stages: dict, problems) -> None:
    """Rules of product links: the supplier exists, uses no supplier itself, is consumed at one
    stage, its bound parameters are expressible, and at the consumer's defaults they equal the
    supplier's defaults (so a plain bw2calc on the built project gives pcf's number)."""
    for sid in product.uses:
        supplier = products.get(sid)
        if supplier is None or sid == product.id:
            problems.add(product.where, f"uses {sid!r}: no such other product")
            continue
        if supplier.uses:
            problems.add(product.where, f"uses {sid!r}, which uses other products itself: "
                                        "product links are one level deep")
            continue
        if sid not in link_stages:
            problems.add(product.where, f"uses {sid!r} but no exchange consumes it")
        elif len(link_stages[sid]) != 1:
            problems.add(product.where, f"{sid!r} is consumed at several stages "
                                        f"{sorted(map(str, link_stages[sid]))}: use one")
        try:
            bindings = supplier_bindings(product, supplier)
        except FormulaError as exc:
            problems.add(product.where, f"uses.{sid}: {exc}")
            continue
        if not bindings:
            continue
        consumer_values = product.default_values()
        try:
            values = compile_formulas(product.derived, list(bindings.values()),
                                      list(consumer_values))(consumer_values)
        except FormulaError:
            continue  # reported with the consumer's own formulas
        except ZeroDivisionError:
            problems.add(product.where, f"uses.{sid}: a binding divides by zero at the defaults")
            continue
        supplier_defaults = supplier.default_values()
        for (name, _), value in zip(bindings.items(), values, strict=True):
            if abs(float(value) - supplier_defaults[name]) > 1e-12:
                problems.add(product.where,
                             f"uses.{sid}: at the defaults, {name} is {float(value)!r} here but "
                             f"{supplier_defaults[name]!r} in {sid}: the built project (one "
                             f"{sid} model) would not give this product's default result")
