"""Load and validate the inventory in ``databases/`` (format: ``databases/README.md``).

:func:`load_inventory` reads every YAML file, checks every rule of the format and returns an
:class:`Inventory`; on any problem it raises one :class:`pcf.errors.InventoryInvalid` that lists every
problem found as ``file:line: message``.
"""

from __future__ import annotations

import hashlib
import keyword
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pcf.errors import InvalidInput, InventoryInvalid
from pcf.formulas import (
    ALLOWED_FUNCTIONS,
    FormulaError,
    check,
    compile_formulas,
    evaluation_order,
)
from pcf.inventory.yamlio import LineDict, load_yaml
from pcf.paramspec import CHOICE_RE, NAME_RE, TYPES, ParameterSpec
from pcf.units import conversion_factor

BACKGROUND = "pcf-background"
PRODUCTS = "pcf-products"
DATABASES = (BACKGROUND, PRODUCTS)
META_KEYS = ("source", "year", "geography", "basis")

_FILE_KEYS = {"database", "defaults", "activities", "product"}
_ACTIVITY_KEYS = {"code", "name", "unit", "location", "comment", "stage", "exchanges",
                  "basis_kind", *META_KEYS}
_EXCHANGE_KEYS = {"input", "flow", "select", "amount", "formula", "unit", "stage", "comment",
                  *META_KEYS}
_PRODUCT_KEYS = {"id", "name", "declared_unit", "description", "stages", "parameters",
                 "derived", "variants", "recycled_content_method", "comment", "uses"}
_PARAM_KEYS = {"type", "unit", "default", "min", "max", "choices", "optional", "description",
               "comment", *META_KEYS}
_SOURCE_KEYS = {"id", "citation", "link", "licence", "taken"}
_FLOW_KEYS = {"name", "categories", "unit"}
REQUIRED_PARAMETERS = ("recycled_content", "renewable_electricity_share")
REQUIRED_VARIANTS = ("virgin", "recycled")
RECYCLED_CONTENT_METHODS = ("cut-off",)
"""Recycled-content rules the engine implements (the Circular Footprint Formula is not yet)."""


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
    """A product system: reference activity ``id``, declared unit, parameters, variants."""

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
    uses: dict[str, dict[str, str]] = field(default_factory=dict)
    """Supplier products consumed as linked sub-systems: supplier id -> {supplier parameter:
    consumer expression} (see databases/README.md, "Products that use other products")."""

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
        }


@dataclass
class Inventory:
    """Everything in ``databases/``, validated."""

    sources: dict[str, dict]
    flows: dict[str, dict]
    activities: dict[str, Activity]
    products: dict[str, Product]
    content_hash: str


class _Problems:
    def __init__(self, root: Path):
        self.root = root
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            listing = "\n".join(f"  - {p}" for p in self.items)
            raise InventoryInvalid(f"databases/ has {len(self.items)} problem(s):\n{listing}")


def content_hash(root: Path) -> str:
    """sha256 over the relative paths and bytes of every YAML file under ``root`` (sorted);
    documentation (README.md) does not change a number, so it is left out."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*.yaml") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def load_inventory(root: Path) -> Inventory:
    """Read and validate ``root`` (the ``databases/`` folder).

    Returns
    -------
    Inventory

    Raises
    ------
    InventoryInvalid
        Listing every problem as ``<file>:<line>: <message>``.
    """
    root = Path(root)
    problems = _Problems(root)
    if not root.is_dir():
        raise InventoryInvalid(f"inventory folder {root} does not exist")

    def rel(path: Path) -> str:
        try:
            return str(Path("databases") / path.relative_to(root))
        except ValueError:
            return str(path)

    def read(path: Path):
        try:
            return load_yaml(path)
        except yaml.YAMLError as exc:
            problems.add(rel(path), f"YAML error: {exc}")
        except OSError as exc:
            problems.add(rel(path), f"cannot read: {exc}")
        return None

    sources = _load_sources(root / "sources.yaml", read, rel, problems)
    flows = _load_flows(root / "flows.yaml", read, rel, problems)
    activities: dict[str, Activity] = {}
    products: dict[str, Product] = {}
    files = sorted((root / "background").glob("*.yaml")) + sorted((root / "products").glob("*.yaml"))
    for path in files:
        doc = read(path)
        if doc is None:
            continue
        _load_activity_file(path, rel(path), doc, activities, products, problems)
    problems.raise_if_any()
    _validate(activities, products, sources, flows, problems)
    problems.raise_if_any()
    return Inventory(sources=sources, flows=flows, activities=activities, products=products,
                     content_hash=content_hash(root))


def _unknown_keys(data: LineDict, allowed: set, where_file: str, what: str, problems) -> None:
    for key in data:
        if key not in allowed:
            problems.add(f"{where_file}:{data.line_of(key)}",
                         f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")


def _load_sources(path, read, rel, problems) -> dict[str, dict]:
    doc = read(path)
    out: dict[str, dict] = {}
    if doc is None:
        return out
    if not isinstance(doc, dict) or not isinstance(doc.get("sources"), list):
        problems.add(rel(path), "expected a mapping with a 'sources' list")
        return out
    for entry in doc["sources"]:
        where = f"{rel(path)}:{getattr(entry, 'line', 0)}"
        if not isinstance(entry, dict):
            problems.add(where, "each source must be a mapping")
            continue
        _unknown_keys(entry, _SOURCE_KEYS, rel(path), "source", problems)
        for key in ("id", "citation", "licence", "taken"):
            if not entry.get(key):
                problems.add(where, f"source is missing {key!r}")
        if "link" not in entry:
            problems.add(where, "source is missing 'link' (write null if there is none)")
        sid = entry.get("id")
        if sid in out:
            problems.add(where, f"duplicate source id {sid!r}")
        elif sid:
            out[sid] = dict(entry)
    return out


def _load_flows(path, read, rel, problems) -> dict[str, dict]:
    doc = read(path)
    out: dict[str, dict] = {}
    if doc is None:
        return out
    if not isinstance(doc, dict) or not isinstance(doc.get("flows"), dict):
        problems.add(rel(path), "expected a mapping with a 'flows' mapping")
        return out
    for alias, entry in doc["flows"].items():
        where = f"{rel(path)}:{doc['flows'].line_of(alias)}"
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("unit") \
                or not isinstance(entry.get("categories"), list):
            problems.add(where, f"flow {alias!r} needs name, categories (list) and unit")
            continue
        _unknown_keys(entry, _FLOW_KEYS, rel(path), "flow", problems)
        out[alias] = {"name": entry["name"], "categories": tuple(entry["categories"]),
                      "unit": entry["unit"]}
    return out


def _meta(data: dict, inherited: dict) -> dict:
    return {k: data.get(k, inherited.get(k)) for k in META_KEYS}


def _load_activity_file(path, fname, doc, activities, products, problems) -> None:
    if not isinstance(doc, dict):
        problems.add(fname, "expected a mapping at the top level")
        return
    _unknown_keys(doc, _FILE_KEYS, fname, "file", problems)
    database = doc.get("database")
    if database not in DATABASES:
        problems.add(f"{fname}:{doc.line_of('database')}",
                     f"database {database!r} is not allowed (allowed: {', '.join(DATABASES)})")
        return
    expected = PRODUCTS if "products" in Path(path).parent.name else BACKGROUND
    if database != expected:
        problems.add(f"{fname}:{doc.line_of('database')}",
                     f"files in this folder belong to {expected}, not {database}")
    defaults = doc.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.add(f"{fname}:{doc.line_of('defaults')}", "defaults must be a mapping")
        defaults = {}
    else:
        _unknown_keys(defaults, set(META_KEYS), fname, "defaults", problems)
    product = None
    if database == PRODUCTS:
        if not isinstance(doc.get("product"), dict):
            problems.add(fname, "a product file needs a 'product' mapping")
        else:
            product = _load_product(fname, doc["product"], defaults, problems)
            if product is not None:
                if product.id in products:
                    problems.add(product.where, f"duplicate product id {product.id!r}")
                products[product.id] = product
    elif "product" in doc:
        problems.add(f"{fname}:{doc.line_of('product')}", "only product files have 'product'")
    acts = doc.get("activities")
    if not isinstance(acts, list) or not acts:
        problems.add(f"{fname}:{doc.line}", "expected a non-empty 'activities' list")
        return
    for raw in acts:
        act = _load_activity(fname, raw, database, defaults, problems)
        if act is None:
            continue
        act.product = product.id if product else None
        if act.code in activities:
            problems.add(act.where, f"duplicate activity code {act.code!r} "
                                    f"(first at {activities[act.code].where})")
            continue
        activities[act.code] = act


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _load_activity(fname, raw, database, defaults, problems) -> Activity | None:
    if not isinstance(raw, dict):
        problems.add(f"{fname}:{getattr(raw, 'line', 0)}", "an activity must be a mapping")
        return None
    where = f"{fname}:{raw.line}"
    _unknown_keys(raw, _ACTIVITY_KEYS, fname, "activity", problems)
    missing = [k for k in ("code", "name", "unit") if not raw.get(k)]
    if missing:
        problems.add(where, f"activity is missing {', '.join(missing)}")
        return None
    meta = _meta(raw, defaults)
    act = Activity(code=str(raw["code"]), name=str(raw["name"]), unit=str(raw["unit"]),
                   location=str(raw.get("location") or raw.get("geography")
                                or defaults.get("geography") or "GLO"),
                   database=database, meta=meta, where=where, stage=raw.get("stage"),
                   comment=str(raw.get("comment") or ""),
                   basis_kind=str(raw.get("basis_kind") or "life-cycle"))
    if act.basis_kind not in ("life-cycle", "combustion-only"):
        problems.add(f"{fname}:{raw.line_of('basis_kind')}",
                     "basis_kind must be life-cycle or combustion-only")
    try:
        conversion_factor(act.unit, act.unit)
    except InvalidInput:
        problems.add(f"{fname}:{raw.line_of('unit')}", f"unknown unit {act.unit!r}")
    exchanges = raw.get("exchanges") or []
    if not isinstance(exchanges, list):
        problems.add(f"{fname}:{raw.line_of('exchanges')}", "exchanges must be a list")
        return act
    for ex in exchanges:
        if not isinstance(ex, dict):
            problems.add(f"{fname}:{getattr(ex, 'line', raw.line)}", "an exchange must be a mapping")
            continue
        ewhere = f"{fname}:{ex.line}"
        _unknown_keys(ex, _EXCHANGE_KEYS, fname, "exchange", problems)
        targets = [k for k in ("input", "flow", "select") if k in ex]
        if len(targets) != 1:
            problems.add(ewhere, "an exchange needs exactly one of input, flow, select")
            continue
        has_amount, has_formula = "amount" in ex, "formula" in ex
        if has_amount == has_formula:
            problems.add(ewhere, "an exchange needs exactly one of amount, formula")
            continue
        if has_amount and not _number(ex["amount"]):
            problems.add(f"{fname}:{ex.line_of('amount')}",
                         f"amount {ex['amount']!r} is not a finite number")
            continue
        if has_formula and database != PRODUCTS:
            problems.add(f"{fname}:{ex.line_of('formula')}",
                         "formulas are only allowed in pcf-products (background has no parameters)")
        if "select" in ex and database != PRODUCTS:
            problems.add(f"{fname}:{ex.line_of('select')}",
                         "select is only allowed in pcf-products (it needs a choice parameter)")
            continue
        if not ex.get("unit"):
            problems.add(ewhere, "exchange is missing 'unit'")
            continue
        if has_amount and ex["amount"] < 0 and not ex.get("basis"):
            problems.add(ewhere, "a negative amount needs its own 'basis' explaining it")
        kind = "biosphere" if "flow" in ex else "technosphere"
        act.exchanges.append(Exchange(
            kind=kind, target=ex.get("input") or ex.get("flow"),
            amount=float(ex["amount"]) if has_amount else None,
            formula=str(ex["formula"]) if has_formula else None, unit=str(ex["unit"]),
            stage=ex.get("stage"), meta=_meta(ex, meta), where=ewhere, select=ex.get("select"),
            comment=str(ex.get("comment") or "")))
    return act


def _load_product(fname, raw, defaults, problems) -> Product | None:
    where = f"{fname}:{raw.line}"
    _unknown_keys(raw, _PRODUCT_KEYS, fname, "product", problems)
    for key in ("id", "name", "declared_unit", "stages", "parameters", "variants"):
        if key not in raw:
            problems.add(where, f"product is missing {key!r}")
            return None
    try:
        conversion_factor(raw["declared_unit"], raw["declared_unit"])
    except InvalidInput:
        problems.add(f"{fname}:{raw.line_of('declared_unit')}",
                     f"unknown declared_unit {raw['declared_unit']!r}")
    stages = raw["stages"]
    if not isinstance(stages, list) or not stages or not all(isinstance(s, str) for s in stages):
        problems.add(f"{fname}:{raw.line_of('stages')}", "stages must be a list of names")
        stages = []
    params: dict[str, ParameterSpec] = {}
    if not isinstance(raw["parameters"], dict):
        problems.add(f"{fname}:{raw.line_of('parameters')}", "parameters must be a mapping")
    else:
        for name, pdata in raw["parameters"].items():
            spec = _load_parameter(fname, raw["parameters"].line_of(name), name, pdata,
                                   defaults, problems)
            if spec is not None:
                params[name] = spec
    for required in REQUIRED_PARAMETERS:
        if required not in params:
            problems.add(f"{fname}:{raw.line_of('parameters')}",
                         f"every product needs the parameter {required!r}")
    derived = raw.get("derived") or {}
    if not isinstance(derived, dict):
        problems.add(f"{fname}:{raw.line_of('derived')}", "derived must be a mapping")
        derived = {}
    for name in derived:
        if not NAME_RE.match(str(name)) or keyword.iskeyword(str(name)) \
                or name in ALLOWED_FUNCTIONS:
            problems.add(f"{fname}:{derived.line_of(name)}",
                         f"derived name {name!r} must match {NAME_RE.pattern} and not be a "
                         "Python keyword or min/max/abs")
    uses: dict[str, dict[str, str]] = {}
    raw_uses = raw.get("uses") or {}
    if not isinstance(raw_uses, dict):
        problems.add(f"{fname}:{raw.line_of('uses')}", "uses must be a mapping of supplier "
                                                        "product id -> parameter bindings")
        raw_uses = {}
    for sid, bindings in raw_uses.items():
        if bindings is None:
            bindings = {}
        if not isinstance(bindings, dict):
            problems.add(f"{fname}:{raw_uses.line_of(sid)}",
                         f"uses.{sid} must map supplier parameters to consumer expressions")
            continue
        uses[str(sid)] = {str(k): str(v) for k, v in bindings.items()}
    method = raw.get("recycled_content_method", "cut-off")
    if method not in RECYCLED_CONTENT_METHODS:
        problems.add(f"{fname}:{raw.line_of('recycled_content_method')}",
                     f"recycled_content_method {method!r} is not implemented "
                     f"(allowed: {', '.join(RECYCLED_CONTENT_METHODS)})")
    variants = raw["variants"] if isinstance(raw["variants"], dict) else {}
    for required in REQUIRED_VARIANTS:
        if required not in variants:
            problems.add(f"{fname}:{raw.line_of('variants')}",
                         f"every product needs the variant {required!r}")
    for vname, values in variants.items():
        vwhere = f"{fname}:{variants.line_of(vname)}"
        if not isinstance(values, dict):
            problems.add(vwhere, f"variant {vname!r} must be a mapping of parameter values")
            continue
        for pname, value in values.items():
            if pname not in params:
                problems.add(vwhere, f"variant {vname!r} sets unknown parameter {pname!r} "
                                     f"(allowed: {', '.join(params)})")
                continue
            try:
                params[pname].coerce(value, f"variants.{vname}.{pname}")
            except InvalidInput as exc:
                problems.add(vwhere, str(exc))
    return Product(id=str(raw["id"]), name=str(raw["name"]),
                   declared_unit=str(raw["declared_unit"]),
                   description=str(raw.get("description") or ""), stages=list(stages),
                   recycled_content_method=str(raw.get("recycled_content_method") or "cut-off"),
                   parameters=params, derived={str(k): str(v) for k, v in derived.items()},
                   variants={k: dict(v) for k, v in variants.items() if isinstance(v, dict)},
                   where=where, uses=uses)


def _load_parameter(fname, line, name, pdata, defaults, problems) -> ParameterSpec | None:
    where = f"{fname}:{line}"
    if not NAME_RE.match(str(name)) or name in ALLOWED_FUNCTIONS:
        problems.add(where, f"parameter name {name!r} must match {NAME_RE.pattern} and not be "
                            "min/max/abs")
        return None
    if not isinstance(pdata, dict):
        problems.add(where, f"parameter {name!r} must be a mapping")
        return None
    _unknown_keys(pdata, _PARAM_KEYS, fname, f"parameter {name!r}", problems)
    ptype = pdata.get("type")
    if ptype not in TYPES:
        problems.add(where, f"parameter {name!r} has type {ptype!r} (allowed: {', '.join(TYPES)})")
        return None
    if "default" not in pdata:
        problems.add(where, f"parameter {name!r} needs a default")
        return None
    choices = {}
    if ptype == "choice":
        raw_choices = pdata.get("choices")
        if isinstance(raw_choices, list):
            raw_choices = {c: None for c in raw_choices}
        if not isinstance(raw_choices, dict) or not raw_choices:
            problems.add(where, f"choice parameter {name!r} needs a non-empty 'choices'")
            return None
        for choice in raw_choices:
            if not CHOICE_RE.match(str(choice)):
                problems.add(where, f"choice {choice!r} must match {CHOICE_RE.pattern}")
        choices = {str(k): (str(v) if v else None) for k, v in raw_choices.items()}
    if ptype == "number":
        for key in ("min", "max"):
            if not _number(pdata.get(key)):
                problems.add(where, f"number parameter {name!r} needs a numeric {key!r}")
                return None
        if not pdata.get("unit"):
            problems.add(where, f"number parameter {name!r} needs a unit")
    if not pdata.get("description"):
        problems.add(where, f"parameter {name!r} needs a description")
    meta = _meta(pdata, defaults)
    spec = ParameterSpec(name=str(name), type=ptype, default=pdata["default"],
                         unit=str(pdata.get("unit") or ""), min=pdata.get("min"),
                         max=pdata.get("max"), choices=choices,
                         optional=bool(pdata.get("optional", False)),
                         description=str(pdata.get("description") or ""),
                         source=str(meta.get("source") or ""), meta=meta)
    try:
        spec = ParameterSpec(**{**spec.__dict__, "default": spec.coerce(pdata["default"],
                                                                         f"{name}.default")})
    except InvalidInput as exc:
        problems.add(where, f"default: {exc}")
        return None
    return spec


def _validate(activities, products, sources, flows, problems) -> None:
    """Cross-file rules: sources, links, units, stages, formulas, reachability."""
    for act in activities.values():
        _check_meta(act.meta, act.where, sources, problems, required=False)
        for ex in act.exchanges:
            _check_meta(ex.meta, ex.where, sources, problems, required=True)
            if ex.kind == "biosphere":
                flow = flows.get(ex.target)
                if flow is None:
                    problems.add(ex.where, f"unknown flow {ex.target!r} "
                                           f"(allowed: {', '.join(sorted(flows))})")
                    continue
                _check_unit(ex, flow["unit"], problems)
                continue
            if ex.select is not None:
                continue  # checked with the product below
            target = activities.get(ex.target)
            if target is None:
                problems.add(ex.where, f"unknown input {ex.target!r}: no activity has this code")
                continue
            if act.database == BACKGROUND and target.database == PRODUCTS:
                problems.add(ex.where, f"background activity {act.code!r} cannot consume product "
                                       f"activity {target.code!r}")
            if target.database == PRODUCTS and target.product != act.product:
                consumer = products.get(act.product) if act.product else None
                if target.code != target.product or consumer is None \
                        or target.product not in consumer.uses:
                    problems.add(ex.where, f"input {target.code!r} belongs to product "
                                           f"{target.product!r}; product chains are not shared "
                                           "(another product is used through its reference "
                                           "activity and the consumer's 'uses')")
            _check_unit(ex, target.unit, problems)
    for product in products.values():
        _validate_product(product, activities, sources, problems, products)


def _check_meta(meta, where, sources, problems, required) -> None:
    if required:
        missing = [k for k in META_KEYS if meta.get(k) in (None, "")]
        if missing:
            problems.add(where, f"figure has no {', '.join(missing)} (state it on the exchange, "
                                "its activity or the file's defaults)")
    source = meta.get("source")
    if source and source not in sources:
        problems.add(where, f"source {source!r} is not in databases/sources.yaml")


def _check_unit(ex: Exchange, target_unit: str, problems) -> None:
    try:
        conversion_factor(ex.unit, target_unit)
    except InvalidInput:
        problems.add(ex.where, f"unit {ex.unit!r} does not convert to {target_unit!r} "
                               f"of {ex.target!r}")


def _validate_product(product: Product, activities, sources, problems, products=None) -> None:
    ref = activities.get(product.id)
    if ref is None or ref.product != product.id:
        problems.add(product.where, f"product {product.id!r} needs a reference activity with "
                                    f"code {product.id!r} in the same file")
        return
    try:
        conversion_factor(ref.unit, product.declared_unit)
        if abs(conversion_factor(ref.unit, product.declared_unit) - 1.0) > 1e-12:
            raise InvalidInput("different unit")
    except InvalidInput:
        problems.add(ref.where, f"reference activity unit {ref.unit!r} must equal the declared "
                                f"unit {product.declared_unit!r}")
    for spec in product.parameters.values():
        _check_meta(spec.meta, product.where, sources, problems, required=True)
        for choice, code in spec.choices.items():
            if code is not None and code not in activities:
                problems.add(product.where, f"parameter {spec.name!r} choice {choice!r} selects "
                                            f"unknown activity {code!r}")
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
        stage = act.stage
        if stage not in product.stages:
            problems.add(act.where, f"activity stage {stage!r} is not one of the product's "
                                    f"stages (allowed: {', '.join(product.stages)})")
        for ex in act.exchanges:
            if ex.stage is not None and ex.stage not in product.stages:
                problems.add(ex.where, f"stage {ex.stage!r} is not one of the product's stages "
                                       f"(allowed: {', '.join(product.stages)})")
            target = activities.get(ex.target) if ex.kind == "technosphere" else None
            if ex.stage is not None and target is not None and target.database == PRODUCTS \
                    and target.product == product.id:
                problems.add(ex.where, "'stage' has no effect on an input from a product "
                                       "activity: its inputs take that activity's own stage")
            if target is not None and target.database == PRODUCTS \
                    and target.product != product.id:
                link_stages.setdefault(target.product, set()).add(ex.stage or stage)
            if ex.formula is not None:
                try:
                    check(ex.formula, known)
                except FormulaError as exc:
                    problems.add(ex.where, str(exc))
            if ex.select is not None:
                spec = product.parameters.get(ex.select)
                if spec is None or spec.type != "choice" or \
                        any(code is None for code in spec.choices.values()):
                    problems.add(ex.where, f"select: {ex.select!r} must be a choice parameter "
                                           "whose every choice names an activity")
                    continue
                for code in spec.choices.values():
                    target = activities.get(code)
                    if target is not None and target.database == PRODUCTS \
                            and target.product != product.id:
                        problems.add(ex.where, f"select {ex.select!r} reaches {code!r} of product "
                                               f"{target.product!r}; product chains are not shared")
                    if target is not None:
                        _check_unit(Exchange(**{**ex.__dict__, "target": code}), target.unit,
                                    problems)
    _validate_uses(product, products or {}, link_stages, problems)
    # reachability from the reference activity
    seen, todo = {product.id}, [product.id]
    while todo:
        act = activities[todo.pop()]
        for ex in act.exchanges:
            codes = [ex.target] if ex.select is None else \
                list(product.parameters[ex.select].choices.values()) \
                if ex.select in product.parameters else []
            for code in codes:
                target = activities.get(code)
                if target is not None and target.database == PRODUCTS and code not in seen:
                    seen.add(code)
                    todo.append(code)
    for act in own:
        if act.code not in seen:
            problems.add(act.where, f"activity {act.code!r} is not reachable from the reference "
                                    f"activity {product.id!r}")


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
