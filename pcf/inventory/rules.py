"""Rule tables in ``databases/rules/``: figures that methodology applies to a footprint, not
exchanges of the inventory (read and checked by ``pcf setup``).

``carbon-content.yaml``
    Carbon content of background materials that end up in the product (PACT
    ``fossilCarbonContent``). Structure: :class:`pcf.inventory.schema.CarbonContentFile`
    (JSON Schema in ``databases/schema/``). Written to the Brightway project as the attribute
    ``pcf_carbon_content`` of each listed ``pcf-background`` activity or product reference
    activity (a product that is itself a carbon-bearing material, such as graphite anode
    material), so the engine's provenance carries it and Activity Browser shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pcf.config import BACKGROUND_DB
from pcf.errors import InventoryInvalid
from pcf.inventory import schema
from pcf.inventory.yamlio import YAMLError, describe, line_of, load_yaml, plain

CARBON_FILE = Path("rules") / "carbon-content.yaml"
"""Carbon-content table, relative to ``databases/``."""


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
    path = Path(root) / CARBON_FILE
    if not path.exists():
        return {}
    where = str(Path("databases") / CARBON_FILE)
    try:
        tree = load_yaml(path)
        data = plain(tree)
    except YAMLError as exc:
        raise InventoryInvalid(f"{where}: YAML error: {describe(exc)}") from None
    parsed, problems = schema.validate(schema.CarbonContentFile, data, tree, where)
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
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise InventoryInvalid(f"databases/ has {len(problems)} problem(s):\n{listing}")
    return out
