"""Engine benchmark (``make bench``): pcf against a plain Brightway calculation, same run.

Measures, for every product:

- pcf: a warm single footprint with *fresh* random parameters each call
  (``service.compute_footprint``: validation, formulas, foreground solve, contributions) and the
  bare engine evaluation;
- Brightway, per call: ``bw2calc.LCA({product: 1}, method)`` + ``lci()`` + ``lcia()`` built
  each time (what a naive service does), and a warm ``lca.lcia(demand)`` on prebuilt matrices
  (no parameter change possible that way: a lower bound);

and the time of ``pcf setup`` from nothing in a fresh process (excluding pip).

Prints a table and writes ``var/bench/engine.json``. Not a test: nothing here asserts.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def timed(func, repeat: int) -> list[float]:
    """Wall times in seconds of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def setup_from_nothing() -> float:
    """Seconds for `pcf setup` in a new process with an empty PCF_HOME."""
    with tempfile.TemporaryDirectory(prefix="pcf-bench-") as home:
        env = {**os.environ, "PCF_HOME": home}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pcf.cli", "setup"], env=env, check=True,
                       capture_output=True)
        return time.perf_counter() - start


def main() -> None:
    from pcf import service
    from pcf.bw import bw2calc, bw2data
    from pcf.engine import get_engine
    from pcf.inventory.build import ensure_built
    from pcf.inventory.methods import METHODS
    from tests.conftest import random_parameters

    ensure_built()
    engine = get_engine()
    bd, bc = bw2data(), bw2calc()
    rng = random.Random(42)
    rows = []
    for pid in sorted(engine.products):
        model = service.model(pid)
        param_sets = [random_parameters(model, rng) for _ in range(2000)]
        encoded = [model.resolve(parameters=p).encoded for p in param_sets]
        service.compute_footprint(pid)  # warm
        it = iter(param_sets)
        # Loop variables bound as defaults: each closure belongs to its own iteration (B023).
        pcf_service = timed(
            lambda pid=pid, it=it: service.compute_footprint(pid, parameters=next(it)), 2000)
        it2 = iter(encoded)
        system = engine.system(pid)
        pcf_engine = timed(lambda system=system, it2=it2: system.evaluate(next(it2)), 2000)

        node = bd.get_activity(("pcf-products", pid))

        def plain(node=node):
            lca = bc.LCA({node: 1}, METHODS["total"])
            lca.lci()
            lca.lcia()
            return lca.score

        plain_times = timed(plain, 30)
        warm = bc.LCA({node: 1}, METHODS["total"])
        warm.lci()
        warm.lcia()
        warm_times = timed(lambda warm=warm, node=node: warm.lcia({node.id: 1}), 300)
        row = {
            "product": pid,
            "pcf_service_median_ms": statistics.median(pcf_service) * 1e3,
            "pcf_service_p99_ms": sorted(pcf_service)[int(0.99 * len(pcf_service))] * 1e3,
            "pcf_engine_median_ms": statistics.median(pcf_engine) * 1e3,
            "bw2calc_lca_per_call_median_ms": statistics.median(plain_times) * 1e3,
            "bw2calc_warm_lcia_median_ms": statistics.median(warm_times) * 1e3,
        }
        row["ratio_plain_lca_to_pcf_service"] = (row["bw2calc_lca_per_call_median_ms"]
                                                 / row["pcf_service_median_ms"])
        row["ratio_warm_lcia_to_pcf_service"] = (row["bw2calc_warm_lcia_median_ms"]
                                                 / row["pcf_service_median_ms"])
        rows.append(row)

    setup_seconds = setup_from_nothing()
    print("\npcf engine benchmark (2,000 fresh random parameter sets per product; "
          "bw2calc in the same run)")
    print(f"{'product':<22}{'pcf ms':>9}{'p99':>8}{'engine':>9}{'bw LCA/call':>13}"
          f"{'ratio':>8}{'bw warm lcia':>14}{'ratio':>8}")
    for r in rows:
        print(f"{r['product']:<22}{r['pcf_service_median_ms']:>9.3f}{r['pcf_service_p99_ms']:>8.3f}"
              f"{r['pcf_engine_median_ms']:>9.3f}{r['bw2calc_lca_per_call_median_ms']:>13.2f}"
              f"{r['ratio_plain_lca_to_pcf_service']:>7.0f}x"
              f"{r['bw2calc_warm_lcia_median_ms']:>14.3f}{r['ratio_warm_lcia_to_pcf_service']:>7.1f}x")
    print(f"pcf setup from nothing (new process, empty PCF_HOME): {setup_seconds:.1f} s")
    out = REPO / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "engine.json").write_text(json.dumps({"products": rows,
                                                 "setup_seconds": setup_seconds}, indent=2))


if __name__ == "__main__":
    main()
