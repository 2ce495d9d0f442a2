"""Footprint engine: matrices from the Brightway project, parameter overlays, solves.

See :mod:`pcf.engine.linalg` for the mathematics and :mod:`pcf.engine.engine` for the
:class:`~pcf.engine.engine.Engine` that keeps everything warm in one process.
"""

from pcf.engine.engine import Engine, get_engine, reset_engine
from pcf.engine.result import Contribution, Result

__all__ = ["Engine", "get_engine", "reset_engine", "Result", "Contribution"]
