"""The service layer: one module per use case, what the CLI and the HTTP API both call.

Each function takes and returns plain data (dicts, lists, dataclasses of plain values) in the
shapes of ``DESIGN.md`` and raises :class:`pcf.errors.PcfError` subclasses; none knows HTTP or
the command line, so ``pcf/api`` views and ``pcf/commands`` are thin adapters (parse, one
service call, render).

=====================  ==========================================================
module                 use case
=====================  ==========================================================
``footprints``         product catalogue; one product's Footprint
``comparisons``        cases of one product side by side, parameter sweeps
``orders``             order lines scored (API orders stored, idempotent)
``order_files``        order-line CSV files scored (``pcf orders score``)
``targets``            reductions against the base year, targets, pathway
``company_data``       company records and a company year's footprint from stored data
``consistency``        checks on a company's figures (each other, physics, the model)
``audit``              the audit of a footprint (ranges, mass balance, GWP basis, flags)
``certificates``       issue, supersede, revoke, view and verify certificates
``tenants``            who acts for whom (owner resolution for admins)
=====================  ==========================================================

The most used entry points are re-exported here (``from pcf import service;
service.compute_footprint(...)``).
"""

from typing import Any

_EXPORTS = {
    "BOUNDARY": "footprints", "METHOD": "footprints", "compute_footprint": "footprints",
    "database_info": "footprints", "get_product": "footprints", "list_products": "footprints",
    "model": "footprints", "pathway": "targets", "reductions": "targets",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Re-export the main entry points lazily (PEP 562), so importing one use-case module
    does not import the others."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pcf.service' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"pcf.service.{module}"), name)
