"""Footprint engine: matrices from the Brightway project, parameter overlays, solves.

See :mod:`pcf.engine.linalg` for the mathematics and :mod:`pcf.engine.engine` for the
:class:`~pcf.engine.engine.Engine` that keeps everything warm in one process.
"""

from typing import Any

from pcf.engine.engine import Engine, get_engine, load_cached_engine, reset_engine
from pcf.engine.result import Contribution, Result

__all__ = ["Engine", "get_engine", "load_cached_engine", "reset_engine", "write_engine_cache",
           "Result", "Contribution"]


def write_engine_cache() -> dict[str, Any] | None:
    """Build the engine from the Brightway project and write the on-disk cache of this
    database version (:func:`pcf.engine.cache.write_cache`; what ``pcf setup`` runs).

    Returns
    -------
    dict or None
        The stamp's ``engine_cache`` entry; None when the project was edited outside
        ``pcf setup`` (nothing written).

    Raises
    ------
    ProjectNotReady
        The project was never built.
    """
    from pcf.engine.cache import write_cache

    return write_cache(Engine())
