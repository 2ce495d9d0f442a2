"""Many parameter sets of one product solved as arrays (issue 21).

:meth:`pcf.engine.engine.ProductSystem.evaluate` computes one parameter set: formulas, the
small foreground matrix, one solve, the products with the background's cumulative impacts.
:class:`BatchSystem` does the same for N sets at once, each step an array operation over the
N sets::

    amounts   X (N, slots)     formulas vectorized (pcf.formulas.compile_formulas_array),
                               rounded to float32 and summed per matrix cell as bw2calc does
    A_FF      (N, n, n)        assembled with one np.add.at
    s_F       (N, n)           np.linalg.solve, one LAPACK gesv per set (batched)
    h         (N, 4)           sum over rows of s_F[consumer] * X[slot] * unit_impact

The arithmetic per set is the per-call path's (the same float32 rounding, the same cell
sums in the same order, the same solver); the tests hold the two to 1e-12 on random
parameter sets of every product (tests/test_batch_engine.py).

The public API is small, so a Monte Carlo can reuse it: :meth:`BatchSystem.evaluate` takes
``{encoded parameter name: ndarray (N,)}`` (missing names take the project values) and
returns :class:`BatchResult` arrays; :meth:`BatchSystem.solve_amounts` takes the exchange
amounts directly (N sampled inventories) for uncertainty on amounts rather than parameters.
Sets are processed in chunks of :data:`CHUNK` to bound memory (``N x n x n`` floats).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcf.engine.engine import ProductSystem
from pcf.formulas import compile_formulas_array
from pcf.inventory.methods import SPLIT

CHUNK = 4096
"""Parameter sets per batched solve (bounds the (N, n, n) foreground matrices)."""


def _layers(targets: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split ``targets`` (a target column per source column) into layers in which no target
    repeats: layer k holds the k-th source of each target, as (sources, targets)."""
    rank = np.zeros(len(targets), dtype=int)
    count: dict[int, int] = {}
    for i, t in enumerate(targets.tolist()):
        rank[i] = count.get(t, 0)
        count[t] = rank[i] + 1
    return [(np.flatnonzero(rank == k), targets[rank == k])
            for k in range(int(rank.max()) + 1 if len(rank) else 0)]


def _add_columns(out: np.ndarray, layers: list, values: np.ndarray) -> None:
    """``out[:, targets[i]] += values[:, i]`` for every source column ``i``, in source order
    per target (what ``np.add.at`` does for one row, so sums round the same), one fancy-index
    addition per layer (:func:`_layers`)."""
    for sources, targets in layers:
        out[:, targets] += values[:, sources]


@dataclass
class BatchResult:
    """Results of N parameter sets of one product.

    Attributes
    ----------
    per_declared_unit : ndarray (N, 4)
        kg CO2e per declared unit, columns in :data:`pcf.inventory.methods.SPLIT` order
        (total, fossil, biogenic, land_use).
    stages : ndarray (N, S) or None
        kg CO2e (total) per declared unit by stage, columns in ``BatchSystem.stages`` order
        (only when asked for).
    """

    per_declared_unit: np.ndarray
    stages: np.ndarray | None = None

    def part(self, name: str) -> np.ndarray:
        """Column ``name`` (``total``, ``fossil``, ``biogenic``, ``land_use``), shape (N,)."""
        return self.per_declared_unit[:, SPLIT.index(name)]


class BatchSystem:
    """A :class:`~pcf.engine.engine.ProductSystem` evaluated for many parameter sets at once.

    Parameters
    ----------
    system : ProductSystem
        The compiled product (``get_engine().system(product_id)``).
    """

    def __init__(self, system: ProductSystem):
        self.system = system
        self.inputs = list(system.inputs)
        self.stages = list(system.stages)
        self._evaluate = compile_formulas_array(system._derived, system._formula_sources,
                                                system.inputs)
        self._cell_layers = _layers(system._cell)
        self._ff_layers = _layers(system._ff_rows * system.size + system._ff_cols)
        self._stage_layers = _layers(system._out.stage)

    def amounts(self, values: dict[str, np.ndarray], n: int) -> np.ndarray:
        """Exchange amounts of ``n`` parameter sets, shape (n, slots), rounded and summed per
        matrix cell like :meth:`ProductSystem.amounts`.

        Parameters
        ----------
        values : dict[str, ndarray (n,) or float]
            Encoded parameters; missing names take the project values.
        n : int
            Number of sets.
        """
        system = self.system
        full = {name: np.broadcast_to(np.asarray(values.get(name, default), dtype=float), (n,))
                for name, default in system.defaults.items()}
        amounts = np.repeat(system._static[None, :], n, axis=0)
        if len(system._formula_slots):
            for slot, column in zip(system._formula_slots.tolist(), self._evaluate(full),
                                    strict=True):
                amounts[:, slot] = column
        return self._round(amounts)

    def _round(self, amounts: np.ndarray) -> np.ndarray:
        system = self.system
        single = amounts.astype(np.float32)
        if not system._shared_cells:
            return single.astype(np.float64)
        n = amounts.shape[0]
        cell32 = np.zeros((n, system._cells), dtype=np.float32)
        _add_columns(cell32, self._cell_layers, single)
        cell64 = np.zeros((n, system._cells))
        _add_columns(cell64, self._cell_layers, single.astype(np.float64))
        scale = np.divide(cell32.astype(np.float64), cell64, out=np.ones((n, system._cells)),
                          where=cell64 != 0.0)
        return single.astype(np.float64) * scale[:, system._cell]

    def solve_amounts(self, amounts: np.ndarray, stages: bool = False,
                      rounded: bool = True) -> BatchResult:
        """Footprints per declared unit of N inventories given by their exchange amounts.

        Parameters
        ----------
        amounts : ndarray (N, slots)
            Exchange amounts per unit of each consuming activity, in the slot order of the
            product system (:meth:`amounts` gives them for parameter sets).
        stages : bool
            Also return the split by stage.
        rounded : bool
            ``amounts`` are already rounded to float32 per matrix cell (as :meth:`amounts`
            returns them); False rounds them here.

        Returns
        -------
        BatchResult

        Raises
        ------
        numpy.linalg.LinAlgError
            A foreground matrix is singular.
        """
        amounts = np.asarray(amounts, dtype=float)
        if not rounded:
            amounts = self._round(amounts)
        out = np.empty((amounts.shape[0], len(SPLIT)))
        by_stage = np.empty((amounts.shape[0], len(self.stages))) if stages else None
        for start in range(0, amounts.shape[0], CHUNK):
            part = amounts[start:start + CHUNK]
            totals, split = self._solve(part, stages)
            out[start:start + CHUNK] = totals
            if by_stage is not None:
                by_stage[start:start + CHUNK] = split
        return BatchResult(out, by_stage)

    def _solve(self, amounts: np.ndarray, stages: bool):
        system = self.system
        n, size = amounts.shape[0], system.size
        a_ff = np.zeros((n, size, size))
        values = system._ff_sign * amounts[:, system._ff_slot]
        flat = a_ff.reshape(n, size * size)
        _add_columns(flat, self._ff_layers, values)
        demand = np.zeros((n, size, 1))
        demand[:, system.reference, 0] = 1.0
        s = np.linalg.solve(a_ff, demand)[:, :, 0]
        rows = system._out
        per_du_amount = s[:, rows.consumer] * amounts[:, rows.slot]
        impacts = per_du_amount[:, :, None] * rows.unit_impact[None, :, :]
        totals = impacts.sum(axis=1)
        split = None
        if stages:
            split = np.zeros((n, len(self.stages)))
            _add_columns(split, self._stage_layers, impacts[:, :, 0])
        return totals, split

    def evaluate(self, values: dict[str, np.ndarray], n: int | None = None,
                 stages: bool = False) -> BatchResult:
        """Footprints per declared unit of N parameter sets.

        Parameters
        ----------
        values : dict[str, ndarray (N,)]
            Encoded Brightway parameters (:mod:`pcf.paramspec`); names left out take the
            project values. Scalars are broadcast.
        n : int, optional
            Number of sets (default: the length of the first array in ``values``).
        stages : bool
            Also return the split by stage.

        Returns
        -------
        BatchResult
        """
        if n is None:
            n = next((len(v) for v in values.values() if np.ndim(v)), 1)
        result = BatchResult(np.empty((n, len(SPLIT))),
                             np.empty((n, len(self.stages))) if stages else None)
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            chunk = {k: (v[start:stop] if np.ndim(v) else v) for k, v in values.items()}
            amounts = self.amounts(chunk, stop - start)
            totals, split = self._solve(amounts, stages)
            result.per_declared_unit[start:stop] = totals
            if result.stages is not None:
                result.stages[start:stop] = split
        return result
