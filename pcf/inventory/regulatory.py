"""Regulatory rule sets in ``databases/rules/`` (issue 20): read, checked, returned as plain data.

``cff-parameters.yaml``
    The EU PEF Circular Footprint Formula: rule set, A and Qs/Qp per material, and where each
    material's recycled content enters each product model (:class:`CffRulesFile`).

``battery-declaration.yaml``
    The EU battery carbon footprint declaration under the draft delegated act: stages,
    functional-unit defaults, electricity rule, distribution and end-of-life settings, the
    materials recovered per cell (:class:`BatteryRulesFile`).

``cbam-aluminium.yaml``
    The EU CBAM definitive-period rules pcf applies to aluminium goods: the rule set's id and
    version, the scrap rule (as data), how each product model maps onto the CBAM system
    boundary (fuels, precursors, scrap, electricity), default values by country and CN code,
    mark-ups by year, benchmarks. Structure: :class:`CbamRulesFile` (JSON Schema
    ``databases/schema/cbam-aluminium.schema.json``, written by :func:`write_json_schema`).

Every figure carries ``source`` (an id of ``databases/sources.yaml``) and ``status``:
``verified`` (read in the official text or a verbatim transcription) or ``secondary`` (the
official table was not reachable; a secondary source quotes it). Unknown keys are refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from pcf.config import databases_dir
from pcf.errors import InventoryInvalid
from pcf.inventory import schema
from pcf.inventory.rules import _raise_if_any, _read
from pcf.inventory.schema import Text, _Entry
from pcf.inventory.yamlio import YAMLError, describe, load_yaml, plain

CBAM_FILE = Path("rules") / "cbam-aluminium.yaml"
"""CBAM rule set for aluminium goods, relative to ``databases/``."""

CBAM_SCHEMA = "cbam-aluminium.schema.json"
"""File name of its JSON Schema in ``databases/schema/``."""

CFF_FILE = Path("rules") / "cff-parameters.yaml"
"""Circular Footprint Formula parameters and product mapping, relative to ``databases/``."""

CFF_SCHEMA = "cff-parameters.schema.json"

BATTERY_FILE = Path("rules") / "battery-declaration.yaml"
"""EU battery carbon footprint declaration rules, relative to ``databases/``."""

BATTERY_SCHEMA = "battery-declaration.schema.json"

Status = Literal["verified", "secondary", "unverified"]


class LegalAct(_Entry):
    """One legal act the rule set follows."""

    noun: ClassVar[str] = "legal act"
    act: Text
    source: Text


class RuleSet(_Entry):
    """Identity of a rule set: recorded on every result computed under it."""

    noun: ClassVar[str] = "rule set"
    id: Text
    version: Text
    title: Text
    legal_acts: list[LegalAct]
    emissions_counted: Literal["direct", "direct+indirect"]
    emissions_counted_basis: Text
    units: Text


class ScrapRule(_Entry):
    """Embedded emissions scrap carries into the process that uses it."""

    noun: ClassVar[str] = "scrap rule"
    embedded_emissions: float = Field(ge=0.0, description="t CO2e per t of scrap")
    applies_to: list[Literal["post-consumer", "pre-consumer"]]
    source: Text
    year: int = Field(description="year of the legal act")
    geography: Text = Field(description="where the rule applies (EU: goods imported into it)")
    status: Status
    basis: Text


class Fuel(_Entry):
    """A fuel of the installation: a background input of the product model and its factor."""

    noun: ClassVar[str] = "fuel"
    input: Text = Field(description="Activity code of the fuel in the product model")
    fuel: Text
    unit: Text
    emission_factor: float = Field(gt=0.0)
    emission_factor_unit: Text
    source: Text
    year: int
    geography: Text
    status: Status
    basis: Text


class Flow(_Entry):
    """An exchange of the product model: ``input`` consumed by ``consumer`` (activity codes)."""

    noun: ClassVar[str] = "flow"
    input: Text
    consumer: Text


class Precursor(_Entry):
    """A precursor bought in, with the rule for its embedded emissions."""

    noun: ClassVar[str] = "precursor"
    name: Text
    cn_code: Text
    route: Literal["primary", "secondary"]
    inputs: list[Flow]
    value: Literal["default", "supplier"]
    supplier_parameter: Text | None = Field(None, description="Product parameter holding "
                                                              "the supplier figure")
    supplier_basis: Text | None = None


class ScrapInput(_Entry):
    """Scrap entering the installation."""

    noun: ClassVar[str] = "scrap input"
    input: Text
    consumer: Text
    kind: Literal["post-consumer", "pre-consumer"]
    basis: Text


class Electricity(_Entry):
    """Electricity consumed by the installation (indirect emissions, for information)."""

    noun: ClassVar[str] = "electricity"
    activity: Text = Field(description="Activity code whose level is the kWh consumed")
    emission_factor: float = Field(ge=0.0)
    emission_factor_unit: Text
    source: Text
    year: int
    geography: Text
    status: Status
    basis: Text


class Good(_Entry):
    """A product of pcf as a CBAM good."""

    noun: ClassVar[str] = "good"
    product: Text
    cn_code: Text
    description: Text
    goods_category: Text
    production_route: Text
    route_basis: Text
    fuels: list[Fuel]
    precursors: list[Precursor]
    scrap_inputs: list[ScrapInput]
    home_scrap_basis: Text
    electricity: Electricity


class DefaultValue(_Entry):
    """A default value of the official table (country x CN code), direct emissions."""

    noun: ClassVar[str] = "default value"
    country: Text
    cn_code: Text
    description: Text
    direct: float = Field(ge=0.0, description="t CO2e per t, direct emissions")
    source: Text
    year: int
    geography: Text
    status: Status
    basis: Text


class Markup(_Entry):
    """Mark-up of default values for a year of import."""

    noun: ClassVar[str] = "mark-up"
    year: int
    markup: float = Field(ge=0.0, le=1.0)


class Benchmark(_Entry):
    """A benchmark (information only)."""

    noun: ClassVar[str] = "benchmark"
    route: Text
    value: float = Field(ge=0.0)
    source: Text
    year: int = Field(description="year the figure was published")
    geography: Text = Field(description="where the benchmark applies")
    status: Status
    basis: Text


class CbamRulesFile(_Entry):
    """``rules/cbam-aluminium.yaml``."""

    noun: ClassVar[str] = "file"
    rule_set: RuleSet
    scrap: ScrapRule
    goods: list[Good]
    default_values: list[DefaultValue]
    markups: list[Markup]
    markups_source: Text
    markups_geography: Text = Field(description="where the mark-ups apply")
    markups_status: Status
    markups_basis: Text
    benchmarks: list[Benchmark]


class CffRuleSet(_Entry):
    """Identity of the CFF rule set."""

    noun: ClassVar[str] = "rule set"
    id: Text
    version: Text
    title: Text
    legal_acts: list[LegalAct]


class CffMaterial(_Entry):
    """CFF parameters of one material (PEF Annex C)."""

    noun: ClassVar[str] = "material"
    material: Text
    A: float = Field(ge=0.0, le=1.0, description="allocation factor of burdens and credits")
    qsin_qp: float = Field(gt=0.0, le=1.0, description="quality ratio of secondary input")
    qsout_qp: float = Field(gt=0.0, le=1.0, description="quality ratio of secondary output")
    source: Text
    year: int = Field(description="year of the source's table")
    geography: Text = Field(description="where the default values apply")
    status: Status
    basis: Text


class VirginMaterial(_Entry):
    """The virgin material a recycled input stands in for (Ev): one activity, or one per value
    of a choice parameter of the product."""

    noun: ClassVar[str] = "virgin material"
    activity: Text | None = None
    parameter: Text | None = None
    choices: dict[str, Text] | None = None


class CffProductMaterial(_Entry):
    """Where a material's recycled content enters a product model."""

    noun: ClassVar[str] = "product material"
    material: Text
    virgin: VirginMaterial
    recycled: list[Flow]
    basis: Text


class CffProduct(_Entry):
    """A product's CFF mapping."""

    noun: ClassVar[str] = "product"
    product: Text
    materials: list[CffProductMaterial]


class CffRulesFile(_Entry):
    """``rules/cff-parameters.yaml``."""

    noun: ClassVar[str] = "file"
    rule_set: CffRuleSet
    materials: list[CffMaterial]
    products: list[CffProduct]


class BatteryStage(_Entry):
    """A life-cycle stage of the declaration (Annex II point 4)."""

    noun: ClassVar[str] = "stage"
    id: Text
    label: Text


class FunctionalUnit(_Entry):
    """The declaration's functional unit: total energy over the service life."""

    noun: ClassVar[str] = "functional unit"
    cycles_per_year: dict[str, int]
    cycles_source: Text
    cycles_status: Status
    default_vehicle_category: Text
    default_service_years: float = Field(gt=0.0)
    service_years_source: Text
    service_years_status: Status
    service_years_basis: Text
    default_usable_share: float = Field(gt=0.0, le=1.0)
    usable_share_source: Text
    usable_share_basis: Text


class ElectricityRule(_Entry):
    """How the plant's electricity is modelled."""

    noun: ClassVar[str] = "electricity rule"
    rule: Text
    source: Text
    status: Status
    grid_parameter: Text
    renewable_parameter: Text
    national_grids: dict[str, Text]
    basis: Text


class Distribution(_Entry):
    """The distribution process (per kg of product)."""

    noun: ClassVar[str] = "distribution"
    activity: Text
    basis: Text


class EndOfLife(_Entry):
    """End of life and recycling: the recycling process and the CFF's R2 terms."""

    noun: ClassVar[str] = "end of life"
    recycling_activity: Text
    A: float = Field(ge=0.0, le=1.0)
    A_source: Text
    A_year: int
    A_geography: Text
    A_status: Status
    A_basis: Text
    collection_rate: float = Field(ge=0.0, le=1.0)
    collection_source: Text
    collection_year: int
    collection_geography: Text
    collection_status: Status
    collection_basis: Text
    recovery_rates: dict[str, float]
    recovery_source: Text
    recovery_year: int
    recovery_geography: Text
    recovery_status: Status
    recovery_basis: Text


class RecoveredMaterial(_Entry):
    """A material recovered at end of life: the cell's inputs of it and their conversion."""

    noun: ClassVar[str] = "recovered material"
    material: Text
    inputs: list[Flow]
    factor: float = Field(gt=0.0)
    factor_source: Text
    factor_year: int
    factor_geography: Text
    factor_basis: Text


class BatteryProduct(_Entry):
    """A cell and the materials recovered from it."""

    noun: ClassVar[str] = "battery product"
    product: Text
    materials: list[RecoveredMaterial]
    recycling_activity: Text | None = None
    recycling_basis: Text | None = None


class BatteryRulesFile(_Entry):
    """``rules/battery-declaration.yaml``."""

    noun: ClassVar[str] = "file"
    rule_set: CffRuleSet
    stages: list[BatteryStage]
    stages_source: Text
    stages_status: Status
    functional_unit: FunctionalUnit
    electricity: ElectricityRule
    distribution: Distribution
    end_of_life: EndOfLife
    products: list[BatteryProduct]
    performance_class: None = None
    performance_class_basis: Text


def _source_ids(data: Any) -> list[str]:
    """Every ``source`` value in a plain tree."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if (key in ("source", "markups_source") or key.endswith("_source")) and \
                    isinstance(value, str):
                found.append(value)
            else:
                found.extend(_source_ids(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_source_ids(value))
    return found


def _sources(root: Path) -> set[str]:
    try:
        data = plain(load_yaml(root / "sources.yaml"))
    except YAMLError as exc:
        raise InventoryInvalid(f"databases/sources.yaml: YAML error: {describe(exc)}") from None
    return {s["id"] for s in data.get("sources", [])}


def _load(root: Path | None, name: Path, model: type,
          exclude_none: bool) -> tuple[str, dict[str, Any], list[str]]:
    """Read one rules file with its model and check its source ids: the common first half of
    the ``load_*_rules`` functions.

    Returns
    -------
    (str, dict, list of str)
        The file's place for messages, its plain data and the problems found so far (the
        caller adds its own checks, then :func:`_raise_if_any`).

    Raises
    ------
    InventoryInvalid
        The file is missing, or not valid YAML or structure.
    """
    root = Path(root) if root is not None else databases_dir()
    read = _read(root, name, model)
    if read is None:
        raise InventoryInvalid(f"databases/{name} is missing")
    where, _tree, parsed, problems = read
    if parsed is None:
        _raise_if_any(problems)
    data = parsed.model_dump(exclude_none=exclude_none)
    for source in sorted(set(_source_ids(data)) - _sources(root)):
        problems.append(f"{where}: unknown source {source!r} (not in databases/sources.yaml)")
    return where, data, problems


def load_cbam_rules(root: Path | None = None) -> dict[str, Any]:
    """Read and check ``databases/rules/cbam-aluminium.yaml``.

    Parameters
    ----------
    root : Path, optional
        The ``databases/`` folder (default :func:`pcf.config.databases_dir`).

    Returns
    -------
    dict
        The file as plain data (structure :class:`CbamRulesFile`).

    Raises
    ------
    InventoryInvalid
        The file is missing or not valid YAML, its structure is wrong (unknown or missing
        keys, negative figures, a status other than verified/secondary), a source id is not in
        ``databases/sources.yaml``, or a country and CN code have two default values.
    """
    where, data, problems = _load(root, CBAM_FILE, CbamRulesFile, exclude_none=True)
    seen: set[tuple[str, str]] = set()
    for dv in data["default_values"]:
        key = (dv["country"], dv["cn_code"])
        if key in seen:
            problems.append(f"{where}: default value for {key[0]} {key[1]} listed twice")
        seen.add(key)
    _raise_if_any(problems)
    return data


def load_cff_rules(root: Path | None = None) -> dict[str, Any]:
    """Read and check ``databases/rules/cff-parameters.yaml``.

    Parameters
    ----------
    root : Path, optional
        The ``databases/`` folder (default :func:`pcf.config.databases_dir`).

    Returns
    -------
    dict
        The file as plain data (structure :class:`CffRulesFile`).

    Raises
    ------
    InventoryInvalid
        Missing file, bad YAML or structure (A, Qs/Qp outside their ranges, unknown keys),
        an unknown source, a material listed twice, a product material without parameters,
        or a virgin material that names neither one activity nor a parameter with choices.
    """
    where, data, problems = _load(root, CFF_FILE, CffRulesFile, exclude_none=True)
    names = [m["material"] for m in data["materials"]]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{where}: material {name!r} listed twice")
    for product in data["products"]:
        for item in product["materials"]:
            if item["material"] not in names:
                problems.append(f"{where}: {product['product']}: material "
                                f"{item['material']!r} has no parameters (allowed: "
                                f"{', '.join(names)})")
            virgin = item["virgin"]
            if ("activity" in virgin) == ("parameter" in virgin) or \
                    ("parameter" in virgin) != ("choices" in virgin):
                problems.append(f"{where}: {product['product']}: virgin {item['material']} "
                                "needs either activity or parameter with choices")
    _raise_if_any(problems)
    return data


def load_battery_rules(root: Path | None = None) -> dict[str, Any]:
    """Read and check ``databases/rules/battery-declaration.yaml``.

    Returns
    -------
    dict
        The file as plain data (structure :class:`BatteryRulesFile`).

    Raises
    ------
    InventoryInvalid
        Missing file, bad YAML or structure, an unknown source, stages other than the four of
        Annex II, a recovery rate outside 0..1 or a default vehicle category without cycles.
    """
    where, data, problems = _load(root, BATTERY_FILE, BatteryRulesFile, exclude_none=False)
    if len(data["stages"]) != 4:
        problems.append(f"{where}: the declaration has exactly four life-cycle stages")
    for name, rate in data["end_of_life"]["recovery_rates"].items():
        if not 0.0 <= rate <= 1.0:
            problems.append(f"{where}: recovery rate of {name} must be within 0..1")
    fu = data["functional_unit"]
    if fu["default_vehicle_category"] not in fu["cycles_per_year"]:
        problems.append(f"{where}: default_vehicle_category has no cycles_per_year")
    _raise_if_any(problems)
    return data


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``rules/cbam-aluminium.yaml``."""
    return {"$schema": schema.JSON_SCHEMA_DIALECT, "$id": CBAM_SCHEMA,
            **CbamRulesFile.model_json_schema()}


def cff_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``rules/cff-parameters.yaml``."""
    return {"$schema": schema.JSON_SCHEMA_DIALECT, "$id": CFF_SCHEMA,
            **CffRulesFile.model_json_schema()}


def write_json_schema(folder: Path) -> list[Path]:
    """Write :func:`json_schema` and :func:`cff_json_schema` into ``folder``; return the
    paths."""
    out = []
    battery = {"$schema": schema.JSON_SCHEMA_DIALECT, "$id": BATTERY_SCHEMA,
               **BatteryRulesFile.model_json_schema()}
    for name, body in ((CBAM_SCHEMA, json_schema()), (CFF_SCHEMA, cff_json_schema()),
                       (BATTERY_SCHEMA, battery)):
        path = Path(folder) / name
        path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        out.append(path)
    return out


__all__ = ["load_cbam_rules", "load_cff_rules", "load_battery_rules", "BatteryRulesFile",
           "json_schema", "cff_json_schema", "write_json_schema", "CbamRulesFile",
           "CffRulesFile", "CBAM_FILE", "CFF_FILE", "BATTERY_FILE"]
