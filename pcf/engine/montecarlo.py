"""Monte Carlo on the partitioned engine (issue 17).

Every exchange of the Brightway project carries ``pcf_uncertainty`` (written by ``pcf setup``
from ``databases/uncertainty.yaml``): a distribution *relative to the amount* (a lognormal's
sigma of ln x with median 1, a normal's relative standard deviation, uniform/triangular bounds
as ratios). A draw multiplies every amount by one factor drawn from its distribution, the same
model bw2calc samples from Brightway's own uncertainty fields (``use_distributions=True``) when
the parameters are at their defaults (tests/test_montecarlo_bw2calc.py checks this).

The partition of :mod:`pcf.engine.linalg` carries over draw by draw:

* background: ``lambda_G(d) = A_GG(d)^-T B_G(d)^T c`` for every draw ``d``. It does not depend on
  the product or its parameters, so it is computed once per process and seed, in chunks of
  :data:`CHUNK` draws, and cached (:func:`background_draws`). The background is solved in
  topological order when it has no loop (a few vectorized multiply-adds per exchange, all
  draws at once), else with one batched dense solve per chunk;
* foreground: the amounts at the requested parameters times their factors, the small
  ``A_FF(d)`` assembled for all draws of a chunk at once, one batched ``numpy.linalg.solve``,
  then the same first-tier sums as :meth:`ProductSystem.evaluate`.

Random numbers are seeded per (seed, stream, chunk) with :class:`numpy.random.SeedSequence`
(stream 0: background; stream 1 + crc32(product id): a product's foreground), so draw ``d``
of a seed is the same whatever the number of draws asked for and whichever cases are computed
together: every case of a comparison sees the same background and foreground draws ("common
random numbers"), so ``P(case < reference)`` measures the difference, not sampling noise.
"""

from __future__ import annotations

import math
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from pcf.config import MC_MAX_DRAWS
from pcf.errors import InvalidInput

CHUNK = 2000
"""Draws per chunk: the unit of seeding, caching and vectorized work."""
MAX_DRAWS = MC_MAX_DRAWS
"""Most draws one request may ask for (memory and time stay bounded)."""
MAX_SEED = 2**63 - 1
PERCENTILES = (2.5, 50.0, 97.5)


def check_request(draws, seed) -> tuple[int, int]:
    """Validate ``draws`` and ``seed`` of an uncertainty request.

    Parameters
    ----------
    draws : int
        Number of Monte Carlo draws, 1 <= draws <= :data:`MAX_DRAWS`.
    seed : int or None
        Seed of the random numbers, 0 <= seed <= 2**63 - 1; None means 0.

    Returns
    -------
    (int, int)

    Raises
    ------
    InvalidInput
        Naming ``uncertainty.draws`` or ``uncertainty.seed`` and the allowed values.
    """
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise InvalidInput(f"draws must be a whole number from 1 to {MAX_DRAWS}, not {draws!r}",
                           field="uncertainty.draws", allowed=f"1..{MAX_DRAWS}")
    seed = 0 if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidInput(f"seed must be a whole number from 0 to 2**63-1, not {seed!r}",
                           field="uncertainty.seed", allowed="0..9223372036854775807")
    return draws, seed


def generator(seed: int, stream: int, chunk: int) -> np.random.Generator:
    """The random generator of (seed, stream, chunk): numpy PCG64 seeded by a SeedSequence."""
    return np.random.default_rng(np.random.SeedSequence([seed, stream, chunk]))


def product_stream(product_id: str) -> int:
    """The random stream of a product's foreground: 1 + crc32 of its id (0 is the background)."""
    return 1 + zlib.crc32(product_id.encode())


@dataclass(frozen=True)
class Factors:
    """The distributions of a list of amounts, relative to each amount, in arrays.

    ``kind``: 0 none, 2 lognormal, 3 normal, 4 uniform, 5 triangular (stats_arrays ids).
    """

    kind: np.ndarray
    sigma: np.ndarray
    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray

    @classmethod
    def from_specs(cls, specs: list) -> Factors:
        """Build from ``pcf_uncertainty`` dicts (None or ``none``: no uncertainty)."""
        ids = {"lognormal": 2, "normal": 3, "uniform": 4, "triangular": 5}
        kind = np.array([ids.get(str((s or {}).get("distribution")), 0) for s in specs],
                        dtype=np.int64)
        sigma = np.array([float((s or {}).get("sigma", 0.0)) for s in specs])
        low = np.array([float((s or {}).get("low", 1.0)) for s in specs])
        mode = np.array([float((s or {}).get("mode", 1.0)) for s in specs])
        high = np.array([float((s or {}).get("high", 1.0)) for s in specs])
        return cls(kind, sigma, low, mode, high)

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Return (n, len) multiplicative factors; columns without uncertainty are 1.

        One standard normal per cell is drawn whatever the distributions, then, only when a
        uniform or triangular distribution is present, one uniform per cell: the draws depend
        on the database version only (changing a distribution changes the version).
        """
        z = rng.standard_normal((n, len(self.kind)))
        u = rng.random((n, len(self.kind))) if np.isin(self.kind, (4, 5)).any() else None
        out = np.ones_like(z)
        k = self.kind
        ln = k == 2
        out[:, ln] = np.exp(z[:, ln] * self.sigma[ln])
        nm = k == 3
        out[:, nm] = 1.0 + self.sigma[nm] * z[:, nm]
        if u is None:
            return out
        un = k == 4
        out[:, un] = self.low[un] + (self.high[un] - self.low[un]) * u[:, un]
        tr = k == 5
        if tr.any():  # inverse CDF of the triangular distribution
            a, c, b = self.low[tr], self.mode[tr], self.high[tr]
            uu = u[:, tr]
            width = np.where(b > a, b - a, 1.0)
            cut = (c - a) / width
            left = a + np.sqrt(uu * width * (c - a))
            right = b - np.sqrt((1 - uu) * width * (b - c))
            out[:, tr] = np.where(uu < cut, left, right)
        return out


class Background:
    """The background (``pcf-background``) as exchange lists, for drawing ``lambda_G``.

    Parameters
    ----------
    rows : int
        Number of background activities (rows of the engine's ``lam``).
    tech : list of (consumer row, input row, amount, spec)
        Technosphere inputs within the background (amount per unit of the consumer).
    bio : list of (consumer row, cf ndarray (4,), amount, spec)
        Elementary flows of background activities, with their characterization factors.
    production : ndarray (rows,)
        Production amount of each activity's reference flow.
    """

    def __init__(self, rows: int, tech: list, bio: list, production: np.ndarray):
        self.rows = rows
        self.production = production
        self.t_consumer = np.array([t[0] for t in tech], dtype=int)
        self.t_input = np.array([t[1] for t in tech], dtype=int)
        self.t_amount = np.array([t[2] for t in tech], dtype=float)
        self.t_factors = Factors.from_specs([t[3] for t in tech])
        self.b_consumer = np.array([b[0] for b in bio], dtype=int)
        self.b_cf = np.array([b[1] for b in bio], dtype=float).reshape(len(bio), -1)
        self.b_amount = np.array([b[2] for b in bio], dtype=float)
        self.b_factors = Factors.from_specs([b[3] for b in bio])
        self.order = _topological(rows, self.t_consumer, self.t_input)

    def deterministic(self) -> np.ndarray:
        """``lambda_G`` at the stored amounts, (rows, 4): equals the engine's ``lam`` rows."""
        ones_t = np.ones((1, len(self.t_amount)))
        ones_b = np.ones((1, len(self.b_amount)))
        return self._solve(ones_t, ones_b)[0]

    def draws(self, seed: int, chunk: int) -> np.ndarray:
        """``lambda_G`` for the :data:`CHUNK` draws of chunk ``chunk`` of ``seed``:
        (CHUNK, rows, 4), kg CO2e per unit of each background activity by GWP part."""
        rng = generator(seed, 0, chunk)
        ft = self.t_factors.draw(rng, CHUNK)
        fb = self.b_factors.draw(rng, CHUNK)
        return self._solve(ft, fb)

    def _solve(self, ft: np.ndarray, fb: np.ndarray) -> np.ndarray:
        n = ft.shape[0]
        parts = self.b_cf.shape[1] if len(self.b_amount) else 4
        direct = np.zeros((n, self.rows, parts))
        emitted = (fb * self.b_amount)[:, :, None] * self.b_cf[None, :, :]
        # (rows, draws, parts) view: add each flow's draws at its consumer's row
        np.add.at(direct.transpose(1, 0, 2), self.b_consumer, emitted.transpose(1, 0, 2))
        amounts = ft * self.t_amount
        if self.order is not None:
            lam = np.zeros_like(direct)
            by_consumer: dict[int, list[int]] = {}
            for e, j in enumerate(self.t_consumer.tolist()):
                by_consumer.setdefault(j, []).append(e)
            for j in self.order:
                acc = direct[:, j, :].copy()
                for e in by_consumer.get(j, ()):
                    acc += amounts[:, e, None] * lam[:, self.t_input[e], :]
                lam[:, j, :] = acc / self.production[j]
            return lam
        # a loop in the background: lambda^T A = direct, solved for every draw at once
        a = np.zeros((n, self.rows, self.rows))
        a[:, np.arange(self.rows), np.arange(self.rows)] = self.production
        np.add.at(a.transpose(1, 2, 0), (self.t_input, self.t_consumer), -amounts.T)
        return np.linalg.solve(np.transpose(a, (0, 2, 1)), direct)


def _topological(rows: int, consumer: np.ndarray, inputs: np.ndarray) -> list[int] | None:
    """Activities ordered so that every input comes before its consumer; None on a loop."""
    deps: list[set[int]] = [set() for _ in range(rows)]
    for j, i in zip(consumer.tolist(), inputs.tolist(), strict=True):
        if i != j:
            deps[j].add(i)
        else:
            return None  # a self-loop: solve instead
    users: list[list[int]] = [[] for _ in range(rows)]
    for j in range(rows):
        for i in deps[j]:
            users[i].append(j)
    waiting = [len(d) for d in deps]
    ready = [j for j in range(rows) if waiting[j] == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(i)
        for j in users[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
    return order if len(order) == rows else None


class _ChunkCache:
    """Background draws per (seed, chunk), least recently used dropped beyond ``size``."""

    def __init__(self, size: int = 32):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, background: Background, seed: int, chunk: int) -> np.ndarray:
        key = (id(background), seed, chunk)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = background.draws(seed, chunk)
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_CACHE = _ChunkCache()


def background_draws(background: Background, seed: int, chunk: int) -> np.ndarray:
    """Cached :meth:`Background.draws` (once per process, seed and chunk)."""
    return _CACHE.get(background, seed, chunk)


@dataclass
class Draws:
    """Monte Carlo draws of one product for one parameter set, per declared unit.

    Attributes
    ----------
    parts : dict[str, ndarray (n,)]
        kg CO2e per declared unit by GWP part (``total``, ``fossil``, ``biogenic``,
        ``land_use``), one value per draw.
    stages : dict[str, ndarray (n,)]
        kg CO2e per declared unit of each stage, per draw.
    seed : int
    """

    parts: dict
    stages: dict
    seed: int
    rows: np.ndarray | None = None
    """With ``rows=True``: (n, rows) kg CO2e (total part) of each first-tier contribution row
    of the product (``system._out.labels`` order)."""

    @property
    def n(self) -> int:
        """Number of draws."""
        return len(self.parts["total"])


def simulate(system, background: Background, values: dict, draws: int, seed: int,
             rows: bool = False) -> Draws:
    """Draw the footprint of ``system`` at encoded parameter ``values``.

    Parameters
    ----------
    system : pcf.engine.engine.ProductSystem
    background : Background
        Of the same engine (:meth:`pcf.engine.engine.Engine.background`).
    values : dict[str, float]
        Encoded Brightway parameters (missing names take the defaults); not drawn: the
        request's values and the defaults are the case computed.
    draws, seed : int
        See :func:`check_request` (validated there).
    rows : bool
        Keep each first-tier contribution row's draws (:attr:`Draws.rows`; sensitivity).

    Returns
    -------
    Draws
        The draws ``0 .. draws-1`` of ``seed``; a chunk is computed whole and cut.
    """
    from pcf.inventory.methods import SPLIT

    full = {**system.defaults, **values}
    amounts0 = system.amounts(full)
    factors = system.mc_factors
    out = system._out
    n_act = system.size
    lam_rows = system.mc_lam_rows
    bg = np.flatnonzero(lam_rows >= 0)
    bio = np.flatnonzero(lam_rows < 0)
    # background rows grouped by the background activity they draw on: (rows_bg, unique)
    unique, where = np.unique(lam_rows[bg], return_inverse=True)
    group = np.zeros((len(bg), len(unique)))
    group[np.arange(len(bg)), where] = 1.0
    bio_unit = out.unit_impact[bio]
    unit0 = out.unit_impact[:, 0].copy()
    onehot = np.zeros((len(out.stage), len(system.stages)))
    onehot[np.arange(len(out.stage)), out.stage] = 1.0
    rhs = np.zeros((n_act, 1))
    rhs[system.reference] = 1.0
    totals, stages, kept = [], [], []
    for chunk in range(math.ceil(draws / CHUNK)):
        rng = generator(seed, product_stream(system.product_id), chunk)
        amounts = factors.draw(rng, CHUNK) * amounts0
        a = np.zeros((CHUNK, n_act, n_act))
        np.add.at(a.transpose(1, 2, 0), (system._ff_rows, system._ff_cols),
                  (system._ff_sign * amounts[:, system._ff_slot]).T)
        s = np.linalg.solve(a, np.broadcast_to(rhs, (CHUNK, n_act, 1)))[..., 0]
        per_du = s[:, out.consumer] * amounts[:, out.slot]          # (CHUNK, rows)
        parts = per_du[:, bio] @ bio_unit                           # direct emissions
        unit = np.broadcast_to(unit0, per_du.shape)
        if len(bg):
            lam = background_draws(background, seed, chunk)         # (CHUNK, n, 4)
            picked = lam[:, unique, :]
            parts = parts + np.einsum("cu,cuk->ck", per_du[:, bg] @ group, picked)
            unit = unit.copy()
            unit[:, bg] = picked[:, where, 0]
        totals.append(parts)
        row_impacts = per_du * unit
        stages.append(row_impacts @ onehot)
        if rows:
            kept.append(row_impacts)
    t = np.concatenate(totals)[:draws]
    st = np.concatenate(stages)[:draws]
    return Draws(parts={p: t[:, i] for i, p in enumerate(SPLIT)},
                 stages={name: st[:, i] for i, name in enumerate(system.stages)}, seed=seed,
                 rows=np.concatenate(kept)[:draws] if rows else None)


def summary(x: np.ndarray) -> dict:
    """Statistics of one quantity's draws.

    Returns
    -------
    dict
        ``mean``, ``median``, ``p2_5``, ``p97_5``, ``sd``; ``gsd`` (geometric standard
        deviation exp(sd of ln x)) when every draw is > 0, else None.
    """
    p = np.percentile(x, PERCENTILES)
    positive = bool(np.all(x > 0))
    return {"mean": float(np.mean(x)), "median": float(p[1]), "p2_5": float(p[0]),
            "p97_5": float(p[2]), "sd": float(np.std(x, ddof=1)) if len(x) > 1 else 0.0,
            "gsd": float(np.exp(np.std(np.log(x), ddof=1))) if positive and len(x) > 1
            else None}
