"""Monte Carlo benchmark (``make bench``): pcf's draws against bw2calc's, same run (issue 17).

For every product:

- pcf: 10,000 draws of one footprint (``service.compute_footprint(..., uncertainty=...)``), cold
  (first seed in this process: background draws computed) and warm (background cached, a
  new parameter set);
- bw2calc: ``LCA(..., use_distributions=True)``, ``lci()``, ``lcia()`` and 100 ``next(lca)``
  iterations on the Brightway project (its Monte Carlo), per draw;

and the ratio of the two per draw. Prints a table and writes ``var/bench/montecarlo.json``.
Not a test: nothing here asserts.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DRAWS = 10_000
BW_ITERATIONS = 100


def main() -> None:
    from pcf import service
    from pcf.bw import bw2calc, bw2data
    from pcf.engine import get_engine
    from pcf.inventory.build import ensure_built
    from pcf.inventory.methods import METHODS

    ensure_built()
    engine = get_engine()
    bd = bw2data()
    bd.projects.set_current("pcf")
    bc = bw2calc()
    rows = []
    for i, pid in enumerate(sorted(engine.products)):
        seed = 1000 + i  # a seed not used before in this process: the first call is cold
        start = time.perf_counter()
        service.compute_footprint(pid, uncertainty={"draws": DRAWS, "seed": seed})
        cold = time.perf_counter() - start
        start = time.perf_counter()
        service.compute_footprint(pid, variant="recycled",
                                  uncertainty={"draws": DRAWS, "seed": seed})
        warm = time.perf_counter() - start
        node = bd.get_node(database="pcf-products", code=pid)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            lca = bc.LCA({node: 1.0}, METHODS["total"], use_distributions=True, seed_override=1)
            lca.lci()
            lca.lcia()
            for _ in range(BW_ITERATIONS - 1):
                next(lca)
            bw = time.perf_counter() - start
        rows.append({"product": pid, "pcf_draws": DRAWS, "pcf_cold_s": cold, "pcf_warm_s": warm,
                     "bw2calc_iterations": BW_ITERATIONS, "bw2calc_s": bw,
                     "per_draw_ratio_bw_over_pcf_warm": (bw / BW_ITERATIONS) / (warm / DRAWS)})
    print(f"\nMonte Carlo: {DRAWS:,} pcf draws vs {BW_ITERATIONS} bw2calc iterations "
          "(use_distributions=True), same process")
    print(f"{'product':<22}{'pcf cold s':>11}{'pcf warm s':>11}{'bw2calc 100 s':>15}"
          f"{'per-draw ratio':>16}")
    for r in rows:
        print(f"{r['product']:<22}{r['pcf_cold_s']:>11.3f}{r['pcf_warm_s']:>11.3f}"
              f"{r['bw2calc_s']:>15.3f}{r['per_draw_ratio_bw_over_pcf_warm']:>16.0f}")
    out = REPO / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "montecarlo.json").write_text(json.dumps({"products": rows}, indent=2))


if __name__ == "__main__":
    main()
