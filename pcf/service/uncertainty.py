"""Use case: the uncertainty of a footprint and of a comparison (issue 17).

``{"draws": N, "seed": S}`` on a footprint or a comparison runs N Monte Carlo draws of seed S
(:mod:`pcf.engine.montecarlo`): every exchange's amount is drawn from its distribution (the
pedigree lognormal of ``databases/uncertainty.yaml`` or a distribution its source gives), the
parameters stay at the values of the case. The result is the mean, median, 2.5th and 97.5th
percentiles, standard deviation and geometric standard deviation (GSD) of the total, of each
GWP part and of each stage. Cases of a comparison share their draws (same seed), so the share
of draws in which a case is below the reference is the probability that it is lower.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from pcf.engine import get_engine
from pcf.engine.montecarlo import (  # noqa: F401 - simulate used by pcf.service.sensitivity
    CHUNK,
    MAX_DRAWS,
    Draws,
    check_request,
    simulate,
    summary,
)
from pcf.errors import InvalidInput

METHOD = ("Monte Carlo: every exchange's amount drawn from its distribution (lognormal from "
          "the pedigree scores of its source, ecoinvent v3 data-quality guideline, or the "
          "source's own distribution; databases/uncertainty.yaml); parameters at the case's "
          "values; percentiles by linear interpolation")


def parse_request(spec: Any) -> tuple[int, int]:
    """Validate an ``uncertainty`` request ``{"draws": N, "seed": S}`` (seed optional, 0).

    Returns
    -------
    (draws, seed)

    Raises
    ------
    InvalidInput
        Naming ``uncertainty``, ``uncertainty.draws`` or ``uncertainty.seed``.
    """
    if not isinstance(spec, dict) or "draws" not in spec:
        raise InvalidInput("uncertainty must be {\"draws\": N, \"seed\": S}",
                           field="uncertainty", allowed=f"draws 1..{MAX_DRAWS}, seed >= 0")
    extra = set(spec) - {"draws", "seed"}
    if extra:
        raise InvalidInput(f"unknown field(s) {sorted(extra)} in uncertainty",
                           field="uncertainty", allowed=["draws", "seed"])
    return check_request(spec["draws"], spec.get("seed"))


_RECENT: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def draws_of(product: str, encoded: dict, draws: int, seed: int) -> Draws:
    """Monte Carlo draws of ``product`` at encoded parameters (see :func:`simulate`).

    The last 16 results are kept, so a comparison reads the draws its footprints computed.
    """
    engine = get_engine()
    key = (engine.version, product, tuple(sorted(encoded.items())), draws, seed)
    with _LOCK:
        if key in _RECENT:
            _RECENT.move_to_end(key)
            return _RECENT[key]
    d = simulate(engine.system(product), engine.background(), encoded, draws, seed)
    with _LOCK:
        _RECENT[key] = d
        while len(_RECENT) > 16:
            _RECENT.popitem(last=False)
    return d


def describe(d: Draws, declared_units: float = 1.0) -> dict[str, Any]:
    """The JSON ``uncertainty`` of a footprint from its draws.

    Parameters
    ----------
    d : Draws
    declared_units : float
        The footprint's quantity in declared units (``total`` is scaled by it).

    Returns
    -------
    dict
        ``{"draws", "seed", "method", "per_declared_unit": {part: stats}, "total": {part:
        stats}, "stages": [{"stage", **stats}]}`` with stats ``{mean, median, p2_5, p97_5, sd,
        gsd}`` in kg CO2e (:func:`pcf.engine.montecarlo.summary`).
    """
    per = {part: summary(x) for part, x in d.parts.items()}
    return {
        "draws": d.n, "seed": d.seed, "method": METHOD, "chunk": CHUNK,
        "per_declared_unit": per,
        "total": {part: summary(x * declared_units) for part, x in d.parts.items()},
        "stages": [{"stage": stage, **summary(x)} for stage, x in d.stages.items()],
    }


def probability_below(case: Draws, reference: Draws) -> float:
    """Share of the common draws in which ``case``'s total is below the ``reference``'s."""
    return float(np.mean(case.parts["total"] < reference.parts["total"]))


def difference_interval(case: Draws, reference: Draws) -> dict[str, Any]:
    """Statistics of ``case - reference`` (kg CO2e per declared unit) over the common draws."""
    return summary(case.parts["total"] - reference.parts["total"])
