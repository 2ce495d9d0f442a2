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
    book = order_book()
    out = REPO / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "montecarlo.json").write_text(json.dumps({"products": rows, "order_book": book},
                                                    indent=2))


def order_book(lines: int = 100_000, draws: int = 1000) -> list[dict]:
    """``score_file(..., uncertainty={draws})`` on ``lines`` random order lines, here and on a
    LocalCluster (2 worker processes): wall time and peak RSS of this process (and of the
    workers, read from the cluster)."""
    import random
    import resource
    import tempfile

    from dask.distributed import LocalCluster

    from pcf.engine import get_engine
    from pcf.service.order_files import score_file

    rng = random.Random(17)
    products = sorted(get_engine().products)
    with tempfile.TemporaryDirectory(prefix="pcf-bench-") as tmp:
        src = Path(tmp) / "orders.csv"
        with src.open("w") as f:
            f.write("order_id,line_id,product,quantity,unit,variant,"
                    "param.renewable_electricity_share\n")
            for i in range(lines):
                product = rng.choice(products)
                unit = "kWh" if product.startswith("battery-cell") else "kg"
                f.write(f"O{i // 50},{i % 50},{product},{rng.randint(1, 500)},{unit},"
                        f"{rng.choice(['virgin', 'recycled'])},"
                        f"{rng.choice(['0', '0.25', '0.5', '1'])}\n")
        results = []
        start = time.perf_counter()
        report = score_file(src, Path(tmp) / "local.csv",
                            uncertainty={"draws": draws, "seed": 1})
        local = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        results.append({"where": "local", "lines": lines, "draws": draws,
                        "groups": report.groups, "seconds": local, "peak_rss_mb": rss})
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            start = time.perf_counter()
            score_file(src, Path(tmp) / "dask.csv", uncertainty={"draws": draws, "seed": 1},
                       dask_scheduler=cluster.scheduler_address)
            remote = time.perf_counter() - start
            from dask.distributed import Client

            with Client(cluster.scheduler_address) as client:
                worker_mb = [w["metrics"]["memory"] / 2**20
                             for w in client.scheduler_info()["workers"].values()]
        results.append({"where": "LocalCluster (2 processes)", "lines": lines, "draws": draws,
                        "groups": report.groups, "seconds": remote,
                        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                        "worker_memory_mb": worker_mb})
    print(f"\nOrder book: {lines:,} lines, {draws:,} draws per distinct footprint "
          f"({report.groups} distinct footprints)")
    for r in results:
        extra = (f", workers {', '.join(f'{m:.0f}' for m in r['worker_memory_mb'])} MB"
                 if "worker_memory_mb" in r else "")
        print(f"  {r['where']:<28} {r['seconds']:7.2f} s, peak RSS here "
              f"{r['peak_rss_mb']:.0f} MB{extra}")
    return results


if __name__ == "__main__":
    main()
