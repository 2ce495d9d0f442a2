"""Load benchmark of the API and of order scoring (a bounded run on loopback, not a test).

Measures, and prints against the targets:

1. ``POST /v1/footprints`` throughput and p50/p99 latency against the real server
   (``pcf serve``: gunicorn, 2 workers) on 127.0.0.1, with several client processes
   (target >= 300 req/s, p99 <= 50 ms on 2 cores);
2. one order of 1,000 lines scored and stored by ``POST /v1/orders`` (target <= 1 s);
3. a 100,000-line CSV scored by ``pcf orders score`` as a fresh process (target <= 5 s).

Usage::

    python benchmarks/bench_api.py [--requests 3000] [--concurrency 4] [--workers 2]
                                   [--order-lines 1000] [--csv-lines 100000] [--strict]

Uses the Brightway project under ``$PCF_HOME`` (default ./var; built first if missing) and a
throw-away application database and PCF_HOME in a temporary directory. ``--strict`` exits 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes | None, headers: dict,
             timeout: float = 120.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _client(port: int, key: str, bodies: list[bytes], out) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    latencies, errors = [], 0
    for body in bodies:
        t0 = time.perf_counter()
        status, _ = _request(port, "POST", "/v1/footprints", body, headers)
        latencies.append(time.perf_counter() - t0)
        errors += status != 200
    out.put((latencies, errors))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _footprint_bodies(products: list[dict], n: int, rng: random.Random) -> list[bytes]:
    bodies = []
    for _ in range(n):
        p = rng.choice(products)
        body = {"product": p["id"], "variant": rng.choice(sorted(p["variants"])),
                "parameters": {"renewable_electricity_share": round(rng.random(), 2)},
                "quantity": rng.choice([1, 20, 500]), "unit": p["declared_unit"]}
        bodies.append(json.dumps(body).encode())
    return bodies


def _order_lines(products: list[dict], n: int, rng: random.Random) -> list[dict]:
    buyer_units = {"kg": ["kg", "t"], "kWh": ["kWh", "MWh"]}
    lines = []
    for i in range(n):
        p = rng.choice(products)
        line = {"line_id": str(i), "product": p["id"],
                "quantity": rng.choice([0.5, 1, 2.4, 12, 24, 480]),
                "unit": rng.choice(buyer_units.get(p["declared_unit"], [p["declared_unit"]]))}
        if rng.random() < 0.5:
            line["variant"] = rng.choice(["virgin", "recycled"])
        else:
            line["parameters"] = {"recycled_content": rng.choice([0, 0.1, 0.25, 0.5]),
                                  "renewable_electricity_share": rng.choice([0, 0.5, 1])}
        lines.append(line)
    return lines


def _write_csv(path: Path, products: list[dict], n: int, rng: random.Random) -> None:
    lines = _order_lines(products, min(n, 2000), rng)
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["order_id", "line_id", "customer", "product", "variant", "quantity", "unit",
                    "param.recycled_content", "param.renewable_electricity_share", "note"])
        for i in range(n):
            line = lines[i % len(lines)]
            params = line.get("parameters", {})
            w.writerow([f"PO-{i // 50:05d}", str(i % 50), "ACME Components", line["product"],
                        line.get("variant", ""), line["quantity"], line["unit"],
                        params.get("recycled_content", ""),
                        params.get("renewable_electricity_share", ""), "bench"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--order-lines", type=int, default=1000)
    parser.add_argument("--csv-lines", type=int, default=100_000)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    rng = random.Random(42)

    bw_home = Path(os.environ.get("PCF_HOME", REPO / "var")).resolve()
    env = {**os.environ, "PCF_HOME": str(bw_home)}
    subprocess.run([sys.executable, "-m", "pcf.cli", "setup"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    products = json.loads(subprocess.run(
        [sys.executable, "-m", "pcf.cli", "products", "--format", "json"], env=env,
        check=True, capture_output=True, text=True).stdout)

    results: dict[str, tuple[float, str, bool]] = {}
    with tempfile.TemporaryDirectory(prefix="pcf-bench-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "brightway").symlink_to(bw_home / "brightway")
        env = {**os.environ, "PCF_HOME": str(home)}
        env.pop("PCF_DATABASE_URL", None)
        key = subprocess.run(
            [sys.executable, "-m", "pcf.cli", "tenants", "create", "bench", "--role", "admin"],
            env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        port = _free_port()
        log = open(Path(tmp) / "server.log", "wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "pcf.cli", "serve", "--port", str(port), "--workers",
             str(args.workers)], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if _request(port, "GET", "/health", None, {}, timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start; see its log")
                time.sleep(0.2)
            time.sleep(1.0)  # let both workers finish warming

            # 1. footprints
            bodies = _footprint_bodies(products, args.requests, rng)
            queue = multiprocessing.Queue()
            chunks = [bodies[i::args.concurrency] for i in range(args.concurrency)]
            _client(port, key, bodies[:50], multiprocessing.Queue())  # warm-up
            procs = [multiprocessing.Process(target=_client, args=(port, key, c, queue))
                     for c in chunks]
            t0 = time.perf_counter()
            for p in procs:
                p.start()
            gathered = [queue.get() for _ in procs]
            elapsed = time.perf_counter() - t0
            for p in procs:
                p.join()
            latencies = [x for lat, _ in gathered for x in lat]
            errors = sum(e for _, e in gathered)
            rps = len(latencies) / elapsed
            p50, p99 = _percentile(latencies, 0.50) * 1e3, _percentile(latencies, 0.99) * 1e3
            results["footprints throughput"] = (rps, "req/s (target >= 300)", rps >= 300)
            results["footprints p50"] = (p50, "ms", True)
            results["footprints p99"] = (p99, "ms (target <= 50)", p99 <= 50)
            if errors:
                print(f"warning: {errors} footprint requests failed", file=sys.stderr)

            # 2. one order of N lines
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
            times = []
            for k in range(5):
                body = json.dumps({"order_id": f"BENCH-{k}",
                                   "lines": _order_lines(products, args.order_lines, rng)})
                t0 = time.perf_counter()
                status, resp = _request(port, "POST", "/v1/orders", body.encode(), headers)
                times.append(time.perf_counter() - t0)
                if status != 201:
                    raise SystemExit(f"order failed: {status} {resp[:300]!r}")
            order_s = statistics.median(times)
            results[f"order of {args.order_lines} lines"] = (
                order_s, f"s median of 5, scored + stored (target <= 1; max {max(times):.3f})",
                order_s <= 1.0)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
            log.close()

        # 3. CSV
        src, out = Path(tmp) / "lines.csv", Path(tmp) / "scored.csv"
        _write_csv(src, products, args.csv_lines, rng)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pcf.cli", "orders", "score", str(src), "-o",
                        str(out), "--no-progress"], env=env, check=True,
                       stderr=subprocess.DEVNULL)
        csv_s = time.perf_counter() - t0
        with open(out) as f:
            scored = sum(1 for _ in f) - 1
        assert scored == args.csv_lines, scored
        results[f"CSV of {args.csv_lines} lines"] = (
            csv_s, "s for `pcf orders score`, process start included (target <= 5)",
            csv_s <= 5.0)

    print(f"pcf API benchmark: {os.cpu_count()} CPUs, {args.workers} gunicorn workers, "
          f"{args.concurrency} client processes, {args.requests} footprint requests")
    missed = False
    for name, (value, unit, ok) in results.items():
        missed |= not ok
        print(f"  {name:<28} {value:10.3f} {unit}{'' if ok else '   <-- target missed'}")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
