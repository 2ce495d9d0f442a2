"""The structure of the files in ``databases/``, as pydantic models (format: databases/README.md).

The models say which keys a file may have, which are required, their types and closed sets of
values. They are the single description of the structure: :func:`validate` checks a file with
them, and :func:`json_schemas` turns them into the JSON Schemas in ``databases/schema/`` that
editors use (``python -m pcf.inventory.schema`` rewrites those files).

What needs more than one file (sources resolve, inputs and flows exist, units convert, formulas
name known parameters, ranges hold) is checked in :mod:`pcf.inventory.loader`.

Values are validated strictly (no ``"1"`` -> 1) and kept as written: a number stays an int
or a float, as before the models existed, so the Brightway project does not change.
"""

from __future__ import annotations

import json
import keyword
import math
import sys
import types
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pcf.config import BACKGROUND_DB, DATABASES, PRODUCTS_DB
from pcf.formulas import ALLOWED_FUNCTIONS
from pcf.inventory.yamlio import line_of
from pcf.paramspec import CHOICE_RE, NAME_RE

BACKGROUND = BACKGROUND_DB
PRODUCTS = PRODUCTS_DB
META_KEYS = ("source", "year", "geography", "basis")
GWP_SETS = ("AR6", "AR5", "AR4", "SAR", "unstated")
"""GWP100 sets a source may have used for its CO2e figures (``unstated``: not stated by the
source, or a mix of the sets of the studies it aggregates)."""
GWP_BASES = ("gas", *GWP_SETS)
"""GWP basis of an elementary-flow figure: ``gas`` (a mass of the named gas, characterized by
pcf with the IPCC 2021 AR6 factors) or the GWP set of a figure given only as CO2e."""
RECYCLED_CONTENT_METHODS = ("cut-off",)
"""Recycled-content rules a product file may declare as its own. The Circular Footprint
Formula is applied per request on top of the cut-off model (:mod:`pcf.service.cff`)."""

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


# -- value types --------------------------------------------------------------------------------

def _finite(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    return value


Number = Annotated[float, PlainValidator(_finite, json_schema_input_type=float)]
"""A finite number, returned as written (an int stays an int)."""

Text = Annotated[str, Field(min_length=1)]
"""A non-empty string."""


def _formula_text(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)                       # `derived: {k: 2}` is the formula "2"
    return value


Formula = Annotated[Text, BeforeValidator(_formula_text, json_schema_input_type=str | float)]
"""A Brightway formula (a number is read as its text); checked by :mod:`pcf.formulas`."""


def _name_check(label: str, no_keywords: bool):
    reserved = " and not be a Python keyword or min/max/abs" if no_keywords else \
        " and not be min/max/abs"

    def check(name: str) -> str:
        if not NAME_RE.match(name) or name in ALLOWED_FUNCTIONS or \
                (no_keywords and keyword.iskeyword(name)):
            raise PydanticCustomError("pcf_name", "{label} {name} must match {pattern}{reserved}",
                                      {"label": label, "name": repr(name),
                                       "pattern": NAME_RE.pattern, "reserved": reserved})
        return name
    return check


_NAME_SCHEMA = WithJsonSchema({"type": "string", "pattern": NAME_RE.pattern})
ParameterName = Annotated[str, AfterValidator(_name_check("parameter name", no_keywords=False)),
                          _NAME_SCHEMA]
DerivedName = Annotated[str, AfterValidator(_name_check("derived name", no_keywords=True)),
                        _NAME_SCHEMA]


def _choice_name(name: str) -> str:
    if not CHOICE_RE.match(name):
        raise PydanticCustomError("pcf_name", "choice {name} must match {pattern}",
                                  {"name": repr(name), "pattern": CHOICE_RE.pattern})
    return name


def _choices_from_list(value: Any) -> Any:
    return {choice: None for choice in value} if isinstance(value, list) else value


ChoiceName = Annotated[str, AfterValidator(_choice_name),
                       WithJsonSchema({"type": "string", "pattern": CHOICE_RE.pattern})]
Choices = Annotated[
    dict[ChoiceName, Text | None],
    BeforeValidator(_choices_from_list,
                    json_schema_input_type=dict[ChoiceName, Text | None] | list[ChoiceName]),
]
"""Choice -> activity code selected (or null); a plain list of choices selects none."""


def _implemented(method: str) -> str:
    if method not in RECYCLED_CONTENT_METHODS:
        raise PydanticCustomError(
            "pcf_not_implemented",
            "recycled_content_method {method} is not implemented (allowed: {allowed})",
            {"method": repr(method), "allowed": ", ".join(RECYCLED_CONTENT_METHODS)})
    return method


RecycledContentMethod = Annotated[str, AfterValidator(_implemented),
                                  WithJsonSchema({"enum": list(RECYCLED_CONTENT_METHODS)})]


# -- models -------------------------------------------------------------------------------------

class _Entry(BaseModel):
    """A mapping in a ``databases/`` file: unknown keys are refused, values strictly typed."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    noun: ClassVar[str] = "entry"
    """What the mapping is, for messages (``unknown key 'x' in exchange``)."""


class Figure(_Entry):
    """A mapping that may state the source, year, geography and basis of its figures."""

    source: Text = Field(None, description="Source id in databases/sources.yaml; inherited "
                                           "from the activity, else the file's defaults.")
    year: int = Field(None, description="Reference year of the figure; inherited as source.")
    geography: Text = Field(None, description="Geography of the figure; inherited as source.")
    basis: Text = Field(None, description="What the figure is and how it was derived "
                                          "(e.g. 'given only as CO2e'); inherited as source.")
    gwp: Literal[GWP_BASES] = Field(None, description="GWP basis of an emission figure: 'gas' "
                                    "(mass of the named gas) or the GWP set of a figure given "
                                    "only as CO2e; inherited as source, else the source's "
                                    "`gwp`.")


class Defaults(Figure):
    """``defaults:`` of a file: inherited by every activity, exchange and parameter."""

    noun: ClassVar[str] = "defaults"


class ExchangeEntry(Figure):
    """One input of an activity: exactly one of input/flow/select, one of amount/formula."""

    noun: ClassVar[str] = "exchange"
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"oneOf": [{"required": ["input"]}, {"required": ["flow"]}, {"required": ["select"]}]},
        {"oneOf": [{"required": ["amount"]}, {"required": ["formula"]}]},
    ]})

    input: Text = Field(None, description="Technosphere input: an activity code (either "
                                          "database).")
    flow: Text = Field(None, description="Elementary flow: an alias in databases/flows.yaml.")
    select: Text = Field(None, description="pcf-products only: a choice parameter whose "
                                           "choices name the input activities.")
    amount: Number = Field(None, description="Amount in `unit` per unit of the activity; "
                                             "negative only with its own `basis`.")
    formula: Formula = Field(None, description="pcf-products only: Brightway formula giving "
                                               "the amount in `unit`.")
    unit: Text = Field(description="pint unit; must convert to the unit of the input or flow.")
    stage: Text = Field(None, description="Reporting stage, overriding the activity's (not for "
                                          "inputs from product activities).")
    comment: str = None

    @model_validator(mode="after")
    def _one_target_one_amount(self) -> ExchangeEntry:
        given = self.model_fields_set
        if len(given & {"input", "flow", "select"}) != 1:
            raise PydanticCustomError("pcf_exchange",
                                      "an exchange needs exactly one of input, flow, select")
        if len(given & {"amount", "formula"}) != 1:
            raise PydanticCustomError("pcf_exchange",
                                      "an exchange needs exactly one of amount, formula")
        if self.amount is not None and self.amount < 0 and not self.basis:
            raise PydanticCustomError("pcf_exchange",
                                      "a negative amount needs its own 'basis' explaining it")
        return self


class ActivityEntry(Figure):
    """An activity with one reference flow (production 1 ``unit``) and its exchanges."""

    noun: ClassVar[str] = "activity"

    code: Text = Field(description="Unique across both databases; products: the reference "
                                   "activity's code is the product id.")
    name: Text
    unit: Text = Field(description="pint unit of the reference flow.")
    location: Text = Field(None, description="Location code; default: geography, else GLO.")
    comment: str = None
    stage: Text = Field(None, description="pcf-products: one of the product's stages.")
    basis_kind: Literal["life-cycle", "combustion-only"] = "life-cycle"
    exchanges: list[ExchangeEntry] = []


class ParameterEntry(Figure):
    """A product parameter: number (unit, min, max), choice (choices) or boolean."""

    noun: ClassVar[str] = "parameter"
    model_config = ConfigDict(json_schema_extra={"allOf": [
        {"if": {"properties": {"type": {"const": "number"}}},
         "then": {"required": ["unit", "min", "max"]}},
        {"if": {"properties": {"type": {"const": "choice"}}}, "then": {"required": ["choices"]}},
    ]})

    type: Literal["number", "choice", "boolean"]
    unit: Text = Field(None, description="number: pint unit or 'dimensionless'.")
    default: Any = Field(description="In range; null only for an optional number.")
    min: Number = Field(None, description="number: inclusive lower bound.")
    max: Number = Field(None, description="number: inclusive upper bound.")
    choices: Choices = None
    optional: bool = Field(False, description="number: may be left unset (default null).")
    description: Text
    comment: str = None

    @model_validator(mode="after")
    def _by_type(self) -> ParameterEntry:
        if self.type == "number":
            missing = [k for k in ("min", "max", "unit") if getattr(self, k) is None]
            if missing:
                raise PydanticCustomError("pcf_parameter",
                                          "a number parameter needs {missing}",
                                          {"missing": ", ".join(map(repr, missing))})
        if self.type == "choice" and not self.choices:
            raise PydanticCustomError("pcf_parameter",
                                      "a choice parameter needs a non-empty 'choices'")
        return self


class MassItem(_Entry):
    """One mass flow of a product's mass balance, kg per declared unit (a formula)."""

    noun: ClassVar[str] = "mass balance item"
    name: Text
    formula: Formula = Field(description="kg per declared unit; Brightway formula over the "
                                         "product's parameters and derived names.")
    basis: Text = Field(description="Which exchanges the item mirrors and why.")


class MassBalanceEntry(_Entry):
    """``mass_balance:`` of a product: what enters, what leaves as losses, the product mass."""

    noun: ClassVar[str] = "mass balance"
    product: Formula = Field(description="kg of product per declared unit (formula).")
    inputs: list[MassItem] = Field(min_length=1, description="Materials that enter the "
                                                             "product system and end up in "
                                                             "the product or its losses.")
    losses: list[MassItem] = Field([], description="Material leaving as process losses "
                                                   "(dross, swarf, unrecovered scrap).")


class SettingEntry(_Entry):
    """A named set of parameter values with its reasoning: a methodological alternative (the
    other rule a reviewer wants beside the default) or a lever (a reduction measure)."""

    noun: ClassVar[str] = "alternative or lever"
    name: Text
    label: Text
    parameters: dict[str, Any] = Field(description="Parameter values over the audited ones.")
    basis: Text


class ProductEntry(_Entry):
    """``product:`` of a product file: the product system's definition."""

    noun: ClassVar[str] = "product"

    id: Text = Field(description="Product id; the reference activity has this code.")
    name: Text
    declared_unit: Text = Field(description="pint unit; quantities convert to it.")
    description: str = None
    comment: str = None
    stages: list[Text] = Field(min_length=1, description="Reporting stages, in order.")
    recycled_content_method: RecycledContentMethod = "cut-off"
    parameters: dict[ParameterName, ParameterEntry] = Field(
        json_schema_extra={"additionalProperties": False},
        description="Needs recycled_content and renewable_electricity_share.")
    derived: dict[DerivedName, Formula] = Field(
        {}, json_schema_extra={"additionalProperties": False},
        description="Intermediate parameters: name -> Brightway formula.")
    variants: dict[Text, dict[str, Any]] = Field(
        description="Named sets of parameter values; needs virgin and recycled.")
    uses: dict[Text, dict[Text, Text] | None] = Field(
        {}, description="Products consumed as linked sub-systems: supplier product id -> "
                    "{supplier parameter: consumer parameter or formula}.")
    mass_balance: MassBalanceEntry = Field(None, description="Mass balance of the product "
                                                             "system (audit).")
    alternatives: list[SettingEntry] = Field([], description="Other methodological rules the "
                                                             "audit computes beside the "
                                                             "default (e.g. allocation).")
    levers: list[SettingEntry] = Field([], description="Reduction levers whose effect the "
                                                       "audit shows under the default rule "
                                                       "and each alternative.")


class InventoryFile(_Entry):
    """A file in ``background/`` (pcf-background) or ``products/`` (pcf-products)."""

    noun: ClassVar[str] = "file"

    database: Literal[DATABASES] = Field(description="pcf-background for background/, "
                                                     "pcf-products for products/.")
    defaults: Defaults | None = None
    product: ProductEntry = Field(None, description="Product files only.")
    activities: list[ActivityEntry] = Field(min_length=1)


class SourceEntry(_Entry):
    """A bibliography entry."""

    noun: ClassVar[str] = "source"

    id: Text
    citation: Text
    link: str | None = Field(description="URL, or null if there is none.")
    licence: Text
    taken: Text = Field(description="What was taken from the source.")
    gwp: Literal[GWP_SETS] = Field(None, description="GWP100 set of the source's CO2e figures "
                                   "(AR6, AR5, AR4, SAR, or unstated).")
    gwp_basis: Text = Field(None, description="Why that GWP set: where the source says so, "
                                              "or why it is unstated.")

    @model_validator(mode="after")
    def _gwp_explained(self) -> SourceEntry:
        if self.gwp is not None and not self.gwp_basis:
            raise PydanticCustomError("pcf_source", "a source with 'gwp' needs 'gwp_basis'")
        return self


class SourcesFile(_Entry):
    """``sources.yaml``."""

    noun: ClassVar[str] = "file"
    sources: list[SourceEntry]


class FlowEntry(_Entry):
    """An elementary flow alias: the biosphere3 flow it stands for."""

    noun: ClassVar[str] = "flow"

    name: Text
    categories: list[Text]
    unit: Text


class FlowsFile(_Entry):
    """``flows.yaml``."""

    noun: ClassVar[str] = "file"
    flows: dict[str, FlowEntry]


class CarbonContentEntry(_Entry):
    """One material's carbon content in ``rules/carbon-content.yaml``."""

    noun: ClassVar[str] = "carbon content entry"
    activity: Text = Field(description="Code of a pcf-background activity (the material) or "
                                       "of a product's reference activity.")
    kg_c_per_kg: float = Field(gt=0.0, le=1.0, description="Carbon mass fraction, kg C per kg "
                                                            "of material.")
    origin: Literal["fossil", "biogenic"] = Field(description="Origin of the carbon (geogenic "
                                                               "counts as fossil).")
    source: Text = Field(description="Source id in databases/sources.yaml.")
    year: int = Field(description="Reference year of the figure.")
    geography: Text = Field(description="Geography of the figure.")
    basis: Text = Field(description="How the fraction was obtained (formula, composition).")


class CarbonContentFile(_Entry):
    """``rules/carbon-content.yaml``."""

    noun: ClassVar[str] = "file"
    carbon_content: list[CarbonContentEntry]


class ReplicaEntry(_Entry):
    """pcf parameter values that reproduce the setting of a publication (for the audit)."""

    noun: ClassVar[str] = "replica"
    label: Text = Field(description="What the replica reproduces.")
    parameters: dict[str, Any] = Field(description="Parameter values over the variant's.")
    basis: Text = Field(description="Where each value comes from.")


class PublishedRangeEntry(_Entry):
    """One published range of a product result in ``rules/published-ranges.yaml``."""

    noun: ClassVar[str] = "published range"
    product: Text = Field(description="Product id.")
    variant: Text = Field(description="Variant whose result the range is compared with.")
    measure: Text = Field("total", description="'total' or 'stage:<stage>' (kg CO2e per "
                                               "declared unit), or 'reduction:<variant>' "
                                               "(1 - total / total of that variant at the "
                                               "same other settings, a fraction).")
    low: Number
    high: Number
    unit: Text = Field(description="Unit of low and high, e.g. 'kg CO2e/kg'.")
    label: Text = Field(description="What the range is, in one line.")
    sources: list[Text] = Field(min_length=1, description="Source ids in databases/sources.yaml "
                                                          "of the figures making the range.")
    year: int = Field(description="Reference year of the published figures.")
    geography: Text
    basis: Text = Field(description="How the range was taken: figures, boundary, method.")
    method: Text = Field(description="Impact method and background of the publication.")
    replica: ReplicaEntry = Field(None, description="pcf settings that reproduce the "
                                                    "publication's setting.")

    @model_validator(mode="after")
    def _ordered(self) -> PublishedRangeEntry:
        if self.low > self.high:
            raise PydanticCustomError("pcf_range", "low must not exceed high")
        return self


class PublishedRangesFile(_Entry):
    """``rules/published-ranges.yaml``."""

    noun: ClassVar[str] = "file"
    published_ranges: list[PublishedRangeEntry]


SCHEMAS: dict[str, type[_Entry]] = {
    "sources.schema.json": SourcesFile,
    "flows.schema.json": FlowsFile,
    "inventory.schema.json": InventoryFile,
    "carbon-content.schema.json": CarbonContentFile,
    "published-ranges.schema.json": PublishedRangesFile,
}
"""The JSON Schema files in ``databases/schema/`` and the models they are made from."""

_MISSING_HINTS = {("source", "link"): "write null if there is none"}


# -- validation and messages --------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Any, tree: Any, fname: str) -> tuple[M | None, list[str]]:
    """Validate one file's data against ``model``.

    Parameters
    ----------
    model : type
        :class:`InventoryFile`, :class:`SourcesFile` or :class:`FlowsFile`.
    data : Any
        The file as plain data (:func:`pcf.inventory.yamlio.plain`).
    tree : Any
        The same file as read by :func:`pcf.inventory.yamlio.load_yaml` (for line numbers).
    fname : str
        The file's name in messages, e.g. ``databases/background/fuels.yaml``.

    Returns
    -------
    (model instance or None, list of str)
        The validated file, or None and every problem as ``file:line: message`` (by line).
    """
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        found = [(max(1, line_of(tree, [s for s in err["loc"] if s != "[key]"])),
                  message(model, err)) for err in exc.errors()]
        return None, [f"{fname}:{line}: {text}" for line, text in sorted(found,
                                                                           key=lambda f: f[0])]


_TYPE_WORDS = {
    "string_type": "a string", "int_type": "an integer", "float_type": "a finite number",
    "finite_number": "a finite number", "bool_type": "true or false", "list_type": "a list",
    "dict_type": "a mapping", "model_type": "a mapping", "model_attributes_type": "a mapping",
}


def message(model: type[BaseModel], err: dict) -> str:
    """Return the message for one pydantic error: it names the field and the allowed values.

    Parameters
    ----------
    model : type
        The model the file was validated against.
    err : dict
        One item of :meth:`pydantic.ValidationError.errors`.
    """
    try:
        return _message(model, tuple(err["loc"]), err["type"], err)
    except (AttributeError, TypeError):     # a location the walk below does not know
        return f"{'.'.join(map(str, err['loc'])) or 'the file'}: {err['msg']}"


def _message(model: type[BaseModel], loc: tuple, kind: str, err: dict) -> str:
    if loc and loc[-1] == "[key]":
        return err["msg"] if kind.startswith("pcf_") else \
            f"key {_short(err['input'])} is not {_TYPE_WORDS.get(kind, 'valid')}"
    if kind == "missing":
        hint = _MISSING_HINTS.get((_type_at(model, loc[:-1]).noun, loc[-1]))
        return f"{_subject(model, loc[:-1])} is missing {loc[-1]!r}" + \
            (f" ({hint})" if hint else "")
    if kind == "extra_forbidden":
        allowed = ", ".join(sorted(_type_at(model, loc[:-1]).model_fields))
        return f"unknown key {loc[-1]!r} in {_subject(model, loc[:-1])} (allowed: {allowed})"
    label, value = _label(model, loc) or "the file", _short(err["input"])
    if kind == "literal_error":
        allowed = ", ".join(map(str, get_args(_type_at(model, loc))))
        return f"{label} {value} is not allowed (allowed: {allowed})"
    if kind in _TYPE_WORDS:
        return f"{label} {value} is not {_TYPE_WORDS[kind]}"
    if kind in ("too_short", "string_too_short"):
        return f"{label} must not be empty"
    if kind.startswith("pcf_"):
        named = _is_model(_type_at(model, loc)) and loc and isinstance(loc[-1], str) and \
            get_origin(_type_at(model, loc[:-1])) is dict
        return f"{_subject(model, loc)}: {err['msg']}" if named else err["msg"]
    return f"{label}: {err['msg']}"


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _type_at(model: type[BaseModel], loc: tuple) -> Any:
    """The (unwrapped) type expected at ``loc`` inside ``model``, or None."""
    tp: Any = model
    for step in loc:
        tp = _unwrap(tp)
        if _is_model(tp) and step in tp.model_fields:
            tp = tp.model_fields[step].annotation
        elif get_origin(tp) is list and isinstance(step, int):
            tp = get_args(tp)[0]
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _subject(model: type[BaseModel], loc: tuple) -> str:
    """What is at ``loc``: its noun, plus its name when it is a value in a mapping."""
    noun = _type_at(model, loc).noun
    if loc and isinstance(loc[-1], str) and get_origin(_type_at(model, loc[:-1])) is dict:
        return f"{noun} {loc[-1]!r}"
    return noun


def _label(model: type[BaseModel], loc: tuple) -> str:
    """The field at ``loc`` as the file names it: ``amount``, ``stages[1]``, ``variants.virgin``."""
    label = ""
    for i, step in enumerate(loc):
        if isinstance(step, int):
            label += f"[{step}]"
        elif get_origin(_type_at(model, loc[:i])) is dict:
            label += f".{step}"
        else:
            label = str(step)
    return label


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- JSON Schema --------------------------------------------------------------------------------

def json_schemas() -> dict[str, dict]:
    """Return the JSON Schemas (draft 2020-12) of the ``databases/`` files, by file name.

    Returns
    -------
    dict[str, dict]
        ``{"sources.schema.json": {...}, "flows.schema.json": {...},
        "inventory.schema.json": {...}}``; the last one is for ``background/*.yaml`` and
        ``products/*.yaml``.
    """
    out = {}
    for name, model in SCHEMAS.items():
        schema = model.model_json_schema()
        _drop_null_defaults(schema)
        out[name] = {"$schema": JSON_SCHEMA_DIALECT, "$id": name, **schema}
    return out


def _drop_null_defaults(node: Any) -> None:
    """Remove ``"default": null`` (an absent optional key) so editors do not offer null."""
    if isinstance(node, dict):
        if "default" in node and node["default"] is None:
            del node["default"]
        for value in node.values():
            _drop_null_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _drop_null_defaults(value)


def write_json_schemas(folder: Path) -> list[Path]:
    """Write :func:`json_schemas` into ``folder`` (created if missing).

    Parameters
    ----------
    folder : Path
        Normally ``databases/schema``.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, schema in json_schemas().items():
        path = folder / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m pcf.inventory.schema [FOLDER]``: rewrite the JSON Schemas (default
    ``databases/schema``) and print the files written."""
    from pcf.config import databases_dir

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else databases_dir() / "schema"
    for path in write_json_schemas(folder):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
