"""Rule tables in ``databases/rules/``: figures that methodology applies to a footprint, not
exchanges of the inventory (read and checked by ``pcf setup``).

``carbon-content.yaml``
    Carbon content of background materials that end up in the product (PACT
    ``fossilCarbonContent``). Structure: :class:`pcf.inventory.schema.CarbonContentFile`
    (JSON Schema in ``databases/schema/``). Written to the Brightway project as the attribute
    ``pcf_carbon_content`` of each listed ``pcf-background`` activity or product reference
    activity (a product that is itself a carbon-bearing material, such as graphite anode
    material), so the engine's provenance carries it and Activity Browser shows it.

``published-ranges.yaml``
    Published results (GWP100) of each product and variant, with their sources, that results
    are held against (the audit, the sanity tests). Structure:
    :class:`pcf.inventory.schema.PublishedRangesFile`. Written to the Brightway project as the
    attribute ``pcf_published_ranges`` of each product's reference activity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pcf.config import BACKGROUND_DB
from pcf.errors import InvalidInput, InventoryInvalid
from pcf.inventory import schema
from pcf.inventory.yamlio import YAMLError, describe, line_of, load_yaml, plain

CARBON_FILE = Path("rules") / "carbon-content.yaml"
"""Carbon-content table, relative to ``databases/``."""

RANGES_FILE = Path("rules") / "published-ranges.yaml"
"""Published-ranges table, relative to ``databases/``."""

MEASURES = ("total",)
"""Measures a range can apply to, besides ``stage:<stage>``."""


def _read(root: Path, relative: Path, model: type) -> tuple[str, Any, Any, list[str]] | None:
    """Read one rules file and check its structure against ``model``.

    Returns
    -------
    (str, tree, model instance or None, list of str) or None
        The file's name in messages, its YAML tree (for line numbers), the validated content
        (None when the structure is wrong) and the problems found; None if the file is absent.

    Raises
    ------
    InventoryInvalid
        The file is not valid YAML.
    """
    path = Path(root) / relative
    if not path.exists():
        return None
    where = str(Path("databases") / relative)
    try:
        tree = load_yaml(path)
        data = plain(tree)
    except YAMLError as exc:
        raise InventoryInvalid(f"{where}: YAML error: {describe(exc)}") from None
    parsed, problems = schema.validate(model, data, tree, where)
    return where, tree, parsed, problems


def _raise_if_any(problems: list[str]) -> None:
    """Raise one :class:`InventoryInvalid` listing every problem (``file:line: message``)."""
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise InventoryInvalid(f"databases/ has {len(problems)} problem(s):\n{listing}")


def load_carbon_content(root: Path, activities: dict[str, Any],
                        sources: dict[str, dict]) -> dict[str, dict]:
    """Read and check ``databases/rules/carbon-content.yaml``.

    Parameters
    ----------
    root : Path
        The ``databases/`` folder.
    activities : dict
        Validated activities by code (:class:`pcf.inventory.loader.Activity`, with
        ``database``).
    sources : dict
        The bibliography by source id.

    Returns
    -------
    dict
        ``{activity code: {"kg_c_per_kg": float (kg C per kg of material), "origin",
        "source", "year", "geography", "basis"}}``; empty when the file is absent.

    Raises
    ------
    InventoryInvalid
        Listing every problem as ``file:line: message``: the structure (unknown or missing
        keys, a fraction outside (0, 1], an origin other than fossil or biogenic), then an
        activity not in ``pcf-background``, an unknown source or a duplicate activity.
    """
    read = _read(root, CARBON_FILE, schema.CarbonContentFile)
    if read is None:
        return {}
    where, tree, parsed, problems = read
    if parsed is not None:
        out: dict[str, dict] = {}
        for i, entry in enumerate(parsed.carbon_content):
            line = line_of(tree, ("carbon_content", i, "activity"))
            act = activities.get(entry.activity)
            if act is None or not (act.database == BACKGROUND_DB or act.code == act.product):
                problems.append(f"{where}:{line}: activity {entry.activity!r} is not in "
                                f"{BACKGROUND_DB} nor a product's reference activity")
            if entry.activity in out:
                problems.append(f"{where}:{line}: activity {entry.activity!r} listed twice")
            if entry.source not in sources:
                problems.append(f"{where}:{line_of(tree, ('carbon_content', i, 'source'))}: "
                                f"unknown source {entry.source!r} (not in "
                                "databases/sources.yaml)")
            out[entry.activity] = entry.model_dump(exclude={"activity"})
    _raise_if_any(problems)
    return out


def load_published_ranges(root: Path, products: dict[str, Any],
                          sources: dict[str, dict]) -> dict[str, list[dict]]:
    """Read and check ``databases/rules/published-ranges.yaml``.

    Parameters
    ----------
    root : Path
        The ``databases/`` folder.
    products : dict
        Validated products by id (:class:`pcf.inventory.loader.Product`).
    sources : dict
        The bibliography by source id.

    Returns
    -------
    dict
        ``{product id: [range, ...]}``, each range ``{"variant", "measure", "low", "high",
        "unit", "label", "sources", "citations", "year", "geography", "basis", "method",
        "replica"}`` (kg CO2e per declared unit; ``citations`` copied from ``sources.yaml``);
        empty when the file is absent.

    Raises
    ------
    InventoryInvalid
        Listing every problem as ``file:line: message``: the structure, then an unknown
        product, variant, stage or source, a replica parameter the product does not have or a
        value out of its range.
    """
    read = _read(root, RANGES_FILE, schema.PublishedRangesFile)
    if read is None:
        return {}
    where, tree, parsed, problems = read
    out: dict[str, list[dict]] = {}
    if parsed is not None:
        for i, entry in enumerate(parsed.published_ranges):
            line = line_of(tree, ("published_ranges", i))
            product = products.get(entry.product)
            if product is None:
                problems.append(f"{where}:{line}: unknown product {entry.product!r}")
                continue
            if entry.variant not in product.variants:
                problems.append(f"{where}:{line}: product {entry.product!r} has no variant "
                                f"{entry.variant!r} (allowed: {', '.join(product.variants)})")
            stage = entry.measure.removeprefix("stage:")
            reference = entry.measure.removeprefix("reduction:")
            if entry.measure not in MEASURES and not (
                    entry.measure.startswith("stage:") and stage in product.stages) and not (
                    entry.measure.startswith("reduction:") and reference in product.variants
                    and reference != entry.variant):
                allowed = ", ".join([*MEASURES, *(f"stage:{s}" for s in product.stages),
                                     *(f"reduction:{v}" for v in product.variants
                                       if v != entry.variant)])
                problems.append(f"{where}:{line}: measure {entry.measure!r} (allowed: "
                                f"{allowed})")
            for source in entry.sources:
                if source not in sources:
                    problems.append(f"{where}:{line}: unknown source {source!r} (not in "
                                    "databases/sources.yaml)")
            if entry.replica is not None:
                for name, value in entry.replica.parameters.items():
                    spec = product.parameters.get(name)
                    if spec is None:
                        problems.append(f"{where}:{line}: replica sets unknown parameter "
                                        f"{name!r} of {entry.product!r}")
                        continue
                    try:
                        spec.coerce(value, f"replica.{name}")
                    except InvalidInput as exc:
                        problems.append(f"{where}:{line}: {exc}")
            record = entry.model_dump(exclude={"product"})
            record["citations"] = [(sources.get(s) or {}).get("citation") for s in entry.sources]
            out.setdefault(entry.product, []).append(record)
    _raise_if_any(problems)
    return out
