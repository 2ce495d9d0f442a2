"""Use case: an order book scored with intervals (``pcf orders score --mc N``; issue 17).

Lines that share a product, variant and parameters share one footprint per declared unit, so
they share its Monte Carlo distribution: the draws are computed once per *group* and a line's
interval is its quantity (in declared units, > 0) times the group's percentiles. The order
total's interval comes from the sum over groups of ``quantity x draws``: all groups use the same
seed, so the background and each product's exchanges take the same draw in every group (common
random numbers), and the sum is the total's distribution with its correlations.

The groups are split into work units that :func:`score_unit` computes. Without a scheduler the
units run here, one after the other; with ``dask_scheduler`` (a ``dask.distributed`` scheduler
address) the same function runs on the cluster's workers (each builds its engine once from its
own ``PCF_HOME``, which must hold the same built project). Same code path, same numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pcf.errors import InvalidInput

INTERVAL_COLUMNS = ("kg_co2e_total_p2_5", "kg_co2e_total_median", "kg_co2e_total_p97_5",
                    "gsd")
"""Columns ``pcf orders score --mc N`` appends (kg CO2e of the line; GSD of the footprint)."""
UNITS_PER_WORKER = 4


def score_unit(items: list[tuple[str, dict, float]], draws: int, seed: int) -> dict[str, Any]:
    """Monte Carlo of a work unit of groups (runs locally or on a Dask worker).

    Parameters
    ----------
    items : list of (product id, encoded parameters, declared units ordered)
        One entry per group of lines.
    draws, seed : int
        Already validated (:func:`pcf.engine.montecarlo.check_request`).

    Returns
    -------
    dict
        ``{"groups": [(p2_5, median, p97_5, gsd) per declared unit, ...], "total": ndarray
        (draws,)}``: the sum of ``declared units x draws`` over the unit's groups (kg CO2e).
    """
    from pcf.engine import get_engine
    from pcf.engine.montecarlo import simulate, summary

    engine = get_engine()
    background = engine.background()
    total = np.zeros(draws)
    out = []
    for product, encoded, units in items:
        x = simulate(engine.system(product), background, encoded, draws, seed).parts["total"]
        s = summary(x)
        out.append((s["p2_5"], s["median"], s["p97_5"], s["gsd"]))
        total += units * x
    return {"groups": out, "total": total}


def intervals(groups: list[tuple[str, dict, float]], draws: int, seed: int,
              dask_scheduler: str | None = None) -> tuple[list[tuple], dict[str, Any]]:
    """Per-group percentiles and the order total's statistics.

    Parameters
    ----------
    groups : list of (product id, encoded parameters, declared units ordered)
    draws, seed : int
    dask_scheduler : str, optional
        Address of a ``dask.distributed`` scheduler (``tcp://host:8786``); None: here.

    Returns
    -------
    (list, dict)
        ``(p2_5, median, p97_5, gsd)`` per declared unit for each group, in order, and the
        total's :func:`pcf.engine.montecarlo.summary` (kg CO2e).

    Raises
    ------
    InvalidInput
        ``--dask-scheduler`` cannot be reached (field ``dask_scheduler``).
    """
    from pcf.engine.montecarlo import summary

    if dask_scheduler is None:
        units = [groups] if groups else []
        results = [score_unit(unit, draws, seed) for unit in units]
    else:
        results = _on_dask(groups, draws, seed, dask_scheduler)
    per_group = [g for r in results for g in r["groups"]]
    total = np.sum([r["total"] for r in results], axis=0) if results else np.zeros(draws)
    return per_group, summary(total)


def _on_dask(groups: list, draws: int, seed: int, address: str) -> list[dict]:
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise InvalidInput(f"dask.distributed is not installed ({exc})",
                           field="dask_scheduler") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InvalidInput(f"cannot reach the Dask scheduler {address!r}: {exc}",
                           field="dask_scheduler", allowed="a scheduler address such as "
                           "tcp://127.0.0.1:8786") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        n = max(1, min(len(groups), workers * UNITS_PER_WORKER))
        size = math.ceil(len(groups) / n) if groups else 0
        units = [groups[i:i + size] for i in range(0, len(groups), size)] if size else []
        futures = client.map(score_unit, units, draws=draws, seed=seed, pure=False)
        return list(client.gather(futures))
    finally:
        client.close()
