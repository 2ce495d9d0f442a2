"""Rule tables in ``databases/rules/``: figures that methodology applies to a footprint, not
exchanges of the inventory (read and checked by ``pcf setup``).

``carbon-content.yaml``
    Carbon content of background materials that end up in the product (PACT
    ``fossilCarbonContent``). Written to the Brightway project as the attribute
    ``pcf_carbon_content`` of each listed ``pcf-background`` activity, so the engine's
    provenance carries it and Activity Browser shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pcf.config import BACKGROUND_DB
from pcf.errors import InventoryInvalid
from pcf.inventory.yamlio import LineDict, load_yaml

CARBON_FILE = Path("rules") / "carbon-content.yaml"
"""Carbon-content table, relative to ``databases/``."""

CARBON_ORIGINS = ("fossil", "biogenic")
"""Origins of carbon in a product (PACT: fossil and geogenic count as fossil)."""

_CARBON_KEYS = ("activity", "kg_c_per_kg", "origin", "source", "year", "geography", "basis")


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
        Listing every problem as ``file:line: message`` (unknown or missing keys, an activity
        not in ``pcf-background``, an unknown source, a fraction outside (0, 1], an origin not
        in :data:`CARBON_ORIGINS`, a duplicate activity).
    """
    path = Path(root) / CARBON_FILE
    if not path.exists():
        return {}
    where = str(Path("databases") / CARBON_FILE)
    try:
        doc = load_yaml(path)
    except yaml.YAMLError as exc:
        raise InventoryInvalid(f"{where}: YAML error: {exc}") from None
    problems: list[str] = []
    rows = doc.get("carbon_content") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        raise InventoryInvalid(f"{where}:1: expected a list under 'carbon_content'")
    out: dict[str, dict] = {}
    for row in rows:
        line = getattr(row, "line", 0)
        if not isinstance(row, LineDict):  # load_yaml makes every mapping a LineDict
            problems.append(f"{where}:{line}: expected a mapping with {', '.join(_CARBON_KEYS)}")
            continue
        unknown = sorted(set(row) - set(_CARBON_KEYS))
        missing = [k for k in _CARBON_KEYS if k not in row]
        if unknown:
            problems.append(f"{where}:{line}: unknown key(s) {', '.join(unknown)} "
                            f"(allowed: {', '.join(_CARBON_KEYS)})")
        if missing:
            problems.append(f"{where}:{line}: missing key(s) {', '.join(missing)}")
            continue
        code = row["activity"]
        act = activities.get(code)
        if act is None or act.database != BACKGROUND_DB:
            problems.append(f"{where}:{row.line_of('activity')}: activity {code!r} is not in "
                            "pcf-background")
        if code in out:
            problems.append(f"{where}:{row.line_of('activity')}: activity {code!r} listed twice")
        fraction = row["kg_c_per_kg"]
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) \
                or not 0.0 < float(fraction) <= 1.0:
            problems.append(f"{where}:{row.line_of('kg_c_per_kg')}: kg_c_per_kg must be a "
                            "number with 0 < x <= 1")
        if row["origin"] not in CARBON_ORIGINS:
            problems.append(f"{where}:{row.line_of('origin')}: origin {row['origin']!r} "
                            f"(allowed: {', '.join(CARBON_ORIGINS)})")
        if row["source"] not in sources:
            problems.append(f"{where}:{row.line_of('source')}: unknown source "
                            f"{row['source']!r} (not in databases/sources.yaml)")
        out[code] = {"kg_c_per_kg": float(fraction) if isinstance(fraction, (int, float))
                     else fraction, "origin": row["origin"], "source": row["source"],
                     "year": row["year"], "geography": row["geography"], "basis": row["basis"]}
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise InventoryInvalid(f"databases/ has {len(problems)} problem(s):\n{listing}")
    return out
