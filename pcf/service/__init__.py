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
``reductions``         base year vs reporting year, targets, pathway
``certificates``       issue, supersede, revoke, view and verify certificates
``tenants``            who acts for whom (owner resolution for admins)
=====================  ==========================================================

The most used entry points are re-exported here (``from pcf import service;
service.compute_footprint(...)``).
"""

from pcf.service.footprints import (
    BOUNDARY,
    METHOD,
    compute_footprint,
    database_info,
    get_product,
    list_products,
    model,
)
from pcf.service.reductions import pathway, reductions

__all__ = ["BOUNDARY", "METHOD", "compute_footprint", "database_info", "get_product",
           "list_products", "model", "pathway", "reductions"]
