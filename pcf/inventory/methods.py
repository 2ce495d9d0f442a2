"""The GWP methods pcf uses: IPCC 2021 (AR6) GWP100, as bundled with bw2io.

bw2io 0.9.17 ships them in ``bw2io/data/lcia/lcia_39_ecoinvent.zip`` (ecoinvent 3.9 LCIA
implementation). ``bw2io.create_default_lcia_methods`` fails with bw2data 4.x because the
bundled flow identifiers are JSON lists, not tuples (bw2io#277); :func:`load_bundled_methods`
reads the file itself and converts them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

METHODS: dict[str, tuple[str, str, str]] = {
    "total": ("IPCC 2021", "climate change", "global warming potential (GWP100)"),
    "fossil": ("IPCC 2021", "climate change: fossil", "global warming potential (GWP100)"),
    "biogenic": ("IPCC 2021", "climate change: biogenic", "global warming potential (GWP100)"),
    "land_use": ("IPCC 2021", "climate change: land use", "global warming potential (GWP100)"),
}
"""Result part -> Brightway method id. ``total`` = ``fossil + biogenic + land_use``."""

SPLIT = ("total", "fossil", "biogenic", "land_use")


def bundled_lcia_file() -> Path:
    """Path of bw2io's bundled LCIA file."""
    import bw2io

    return Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"


def load_bundled_methods() -> dict[tuple, dict]:
    """Return ``{method id: {"unit", "description", "cfs": [((db, code), factor), ...]}}`` for
    the four methods in :data:`METHODS`, with flow keys converted to tuples.

    Raises
    ------
    KeyError
        If a method is missing from the bundled file (bw2io changed).
    """
    with zipfile.ZipFile(bundled_lcia_file()) as archive:
        data = json.load(archive.open("data.json"))
    wanted = set(METHODS.values())
    out = {}
    for entry in data:
        name = tuple(entry["name"])
        if name in wanted:
            out[name] = {
                "unit": entry.get("unit", "kg CO2-Eq"),
                "description": entry.get("description", ""),
                "cfs": [(tuple(exc["input"]), float(exc["amount"])) for exc in entry["exchanges"]],
            }
    missing = wanted - set(out)
    if missing:
        raise KeyError(f"bw2io's bundled LCIA file lacks {sorted(missing)}")
    return out
