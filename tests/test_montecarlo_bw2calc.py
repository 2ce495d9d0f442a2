"""Cross-check: pcf's Monte Carlo against bw2calc's own on the Brightway project (issue 17).

bw2calc draws every exchange from Brightway's uncertainty fields (``use_distributions=True``,
stats_arrays), pcf from its relative description of the same distributions; with the
parameters at their defaults both sample the same model. They must agree within Monte Carlo
error: the share of bw2calc's draws below pcf's 2.5th, 50th and 97.5th percentiles is a
binomial proportion around 2.5 %, 50 % and 97.5 % (4 standard errors allowed), and the means
differ by less than 4 standard errors of the difference.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from pcf.engine.montecarlo import simulate
from pcf.inventory.methods import METHODS


def bw2calc_draws(product: str, n: int, seed: int) -> np.ndarray:
    """Total kg CO2e per declared unit of ``n`` bw2calc Monte Carlo iterations."""
    from pcf.bw import bw2calc, bw2data

    bd = bw2data()
    bd.projects.set_current("pcf")
    bc = bw2calc()
    node = bd.get_node(database="pcf-products", code=product)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = bc.LCA({node: 1.0}, METHODS["total"], use_distributions=True, seed_override=seed)
        lca.lci()
        lca.lcia()
        scores = [lca.score]
        for _ in range(n - 1):
            next(lca)
            scores.append(lca.score)
    return np.array(scores)


def agree(pcf: np.ndarray, bw: np.ndarray) -> None:
    n = len(bw)
    for q in (2.5, 50.0, 97.5):
        below = float(np.mean(bw < np.percentile(pcf, q)))
        se = math.sqrt(q / 100 * (1 - q / 100) / n)
        assert abs(below - q / 100) < 4 * se + 1e-3, (q, below)
    se_mean = math.sqrt(np.var(pcf) / len(pcf) + np.var(bw) / n)
    assert abs(np.mean(pcf) - np.mean(bw)) < 4 * se_mean


def test_one_product_agrees_with_bw2calc(engine):
    product = "lithium-hydroxide"
    pcf = simulate(engine.system(product), engine.background(), {}, 20_000, 1).parts["total"]
    agree(pcf, bw2calc_draws(product, 600, 7))


@pytest.mark.slow
def test_every_product_agrees_with_bw2calc(engine, product_ids):
    for product in product_ids:
        pcf = simulate(engine.system(product), engine.background(), {}, 20_000, 1)
        agree(pcf.parts["total"], bw2calc_draws(product, 1500, 3))
