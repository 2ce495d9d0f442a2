"""Throughput benchmark of issue 21: every figure beside its baseline, measured in the same run.

1. ``POST /v1/footprints`` req/s, p50 and p99 at concurrency 1, 8 and 32 beside ``GET
   /health`` on the same server (``pcf serve``, 2 workers; keep-alive clients);
   targets at c=8: >= 0.8 of /health, p99 <= 20 ms;
2. server CPU per footprint request (all server processes, from /proc), beside /health's;
   target <= 1.2 ms;
3. ``pcf orders score`` on random books of 10k, 100k and 1M lines (a parameter set of its own
   per line) and on 1M lines of 20 distinct sets: seconds and peak RSS beside a plain CSV pass
   over the same file (read every row, write it with four more cells), and for 10k and 100k
   beside the per-line scorer (``pcf.service.order_files.score_file``, the path before issue
   21); targets: 1M random <= 10 s and <= 1 GiB, 1M few-distinct <= 5 s; the RSS curve of the
   1M random book;
4. a cold ``pcf footprint`` beside a plain Brightway script computing the same number
   (``bw2calc.LCA`` on the project); target <= 0.5x;
5. ``pcf serve`` to its first 200 (``/health`` and a footprint); target <= 1.5 s.

Usage::

    python benchmarks/bench_throughput.py [--seconds 4] [--lines 10000,100000,1000000]
                                          [--skip-server] [--skip-orders] [--skip-cold]
                                          [--threads N] [--concurrency 1,8,32]

Uses the Brightway project under ``$PCF_HOME`` (default ./var; ``pcf setup`` first) and a
throw-away PCF_HOME in a temporary directory. Loopback only. The machine's load average is
printed at start and end: absolute figures are noisy on a shared machine, the ratios less so.
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
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PCF = [sys.executable, "-m", "pcf.cli"]
RESULTS: list[tuple[str, str, str]] = []
BODIES = 40_000
"""Footprint request bodies, each a parameter set of its own: more than any run sends (a
warning is printed if a run sends more), so no body is sent twice within a run."""


def _report(name: str, value: str, baseline: str) -> None:
    RESULTS.append((name, value, baseline))
    print(f"  {name:<44} {value:<34} {baseline}", flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# --------------------------------------------------------------------------- load clients


def _client(port: int, method: str, path: str, bodies: list[bytes], headers: dict,
            threads: int, seconds: float, out) -> None:
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def run(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, i = [], k
        while time.monotonic() < stop:
            body = bodies[i % len(bodies)] if bodies else None
            i += threads
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except OSError:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((latencies, errors[0]))


def _load(port: int, method: str, path: str, bodies: list[bytes], headers: dict,
          concurrency: int, seconds: float) -> tuple[float, float, float, int, int]:
    """(req/s, p50 ms, p99 ms, requests, errors) of ``concurrency`` keep-alive clients."""
    processes = min(concurrency, 4)
    threads = concurrency // processes
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(
        port, method, path, bodies[k::processes] if bodies else [], headers, threads,
        seconds, queue)) for k in range(processes)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    gathered = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    latencies = [x for lat, _ in gathered for x in lat]
    errors = sum(e for _, e in gathered)
    return (len(latencies) / elapsed, _percentile(latencies, 0.5) * 1e3,
            _percentile(latencies, 0.99) * 1e3, len(latencies), errors)


def _cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` and its children alive now (seconds)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid = int(fields[1])
        if int(entry) == pid or ppid == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _wait_200(port: int, path: str, deadline: float, method: str = "GET",
              body: bytes | None = None, headers: dict | None = None) -> float:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status == 200:
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.005)
    raise SystemExit(f"no 200 from {path}")


def bench_server(env: dict, seconds: float, threads: int | None = None,
                 concurrencies: tuple[int, ...] = (1, 8, 32)) -> None:
    key = subprocess.run(PCF + ["tenants", "create", "bench", "--role", "admin"], env=env,
                         check=True, capture_output=True, text=True).stdout.strip().split()[-1]
    # no rate limit for the load tenant: the default (6,000/minute) would answer 429s
    subprocess.run(PCF + ["tenants", "limits", "bench", "--rate", "none"], env=env, check=True,
                   capture_output=True)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    rng = random.Random(21)
    products = [("aluminium-coil", ["kg", "t"]), ("ndfeb-magnet", ["kg", "t"]),
                ("battery-cell-nmc811", ["kWh", "MWh"])]
    bodies = []
    for _ in range(BODIES):
        pid, units = rng.choice(products)
        bodies.append(json.dumps({
            "product": pid, "variant": rng.choice(["virgin", "recycled"]),
            # full precision: every body is a parameter set of its own, so no memo keyed on
            # the parameter set could serve a repeat
            "parameters": {"renewable_electricity_share": rng.random()},
            "quantity": rng.choice([1, 20, 500]), "unit": rng.choice(units)}).encode())
    distinct = len({json.loads(b)["parameters"]["renewable_electricity_share"] for b in bodies})
    print(f"footprint bodies: {len(bodies)}, {distinct} distinct parameter sets "
          "(full-precision random renewable_electricity_share)", flush=True)
    port = _free_port()
    with tempfile.TemporaryFile() as log:
        t0 = time.perf_counter()
        serve = PCF + ["serve", "--port", str(port), "--workers", "2"]
        if threads is not None:
            serve += ["--threads", str(threads)]
        print(f"server: pcf serve --workers 2 --threads {threads or 'default'}", flush=True)
        server = subprocess.Popen(serve,
                                  env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            first_health = _wait_200(port, "/health", time.monotonic() + 120) - t0
            first_fp = _wait_200(port, "/v1/footprints", time.monotonic() + 60, "POST",
                                 bodies[0], headers) - t0
            print("pcf serve start:", flush=True)
            _report("pcf serve to first 200 (/health)", f"{first_health:.2f} s",
                    "target <= 1.5 s")
            _report("pcf serve to first footprint 200", f"{first_fp:.2f} s",
                    "(first request on a warm worker)")
            time.sleep(1.0)
            _load(port, "POST", "/v1/footprints", bodies, headers, 8, 1.0)  # warm-up
            print("footprints vs /health (keep-alive clients, same server, same run):",
                  flush=True)
            health_at: dict[int, tuple] = {}
            for c in concurrencies:
                cpu0 = _cpu_seconds(server.pid)
                h = _load(port, "GET", "/health", [], {}, c, seconds)
                cpu1 = _cpu_seconds(server.pid)
                f = _load(port, "POST", "/v1/footprints", bodies, headers, c, seconds)
                cpu2 = _cpu_seconds(server.pid)
                health_at[c] = h
                _report(f"footprints c={c}: req/s", f"{f[0]:.0f} ({f[0] / h[0]:.2f} of /health)",
                        f"/health {h[0]:.0f} req/s" + ("; target >= 0.8" if c == 8 else ""))
                _report(f"footprints c={c}: p50 / p99", f"{f[1]:.1f} / {f[2]:.1f} ms",
                        f"/health {h[1]:.1f} / {h[2]:.1f} ms"
                        + ("; target p99 <= 20 ms" if c == 8 else ""))
                if c == 8:
                    _report("server CPU per footprint request (c=8)",
                            f"{(cpu2 - cpu1) / f[3] * 1e3:.2f} ms",
                            f"/health {(cpu1 - cpu0) / h[3] * 1e3:.2f} ms; target <= 1.2 ms")
                if f[3] > BODIES:
                    print(f"  warning: {f[3]} footprint requests sent {BODIES} bodies "
                          "(some parameter sets repeated)")
                if f[4] or h[4]:
                    print(f"  warning: {f[4]} footprint and {h[4]} health requests failed")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)


# --------------------------------------------------------------------------- order books

PRODUCTS = [("aluminium-coil", ["kg", "t"]), ("ndfeb-magnet", ["kg", "t"]),
            ("battery-cell-nmc811", ["kWh", "MWh"]), ("battery-cell-lfp", ["kWh", "MWh"]),
            ("graphite-anode", ["kg", "t"]), ("lithium-hydroxide", ["kg", "t"]),
            ("lithium-carbonate", ["kg", "t"])]


def write_book(path: Path, n: int, distinct: int = 0) -> None:
    """``n`` lines over every product; each line its own random parameter set, or one of
    ``distinct`` sets."""
    rng = random.Random(n + distinct)

    def line():
        pid, units = rng.choice(PRODUCTS)
        return (pid, rng.choice(["", "virgin", "recycled"]),
                rng.choice(["0.5", "1", "2.4", "12", "24", "480"]), rng.choice(units),
                repr(rng.random()), repr(rng.random()))

    pool = [line() for _ in range(distinct)] if distinct else None
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["order_id", "line_id", "customer", "product", "variant", "quantity", "unit",
                    "param.recycled_content", "param.renewable_electricity_share", "note"])
        for i in range(n):
            pid, variant, q, unit, rc, res = rng.choice(pool) if pool else line()
            w.writerow([f"PO-{i // 50:06d}", str(i % 50), "ACME Components", pid, variant, q,
                        unit, rc, res, "bench"])


PLAIN_PASS = """
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as g:
    r = csv.reader(f)
    w = csv.writer(g, lineterminator="\\n")
    w.writerow(next(r) + ["declared_unit", "kg_co2e_per_declared_unit", "kg_co2e_total",
                          "database_version"])
    for row in r:
        w.writerow(row + ["kg", 1.2345678901234567, 123.45678901234567, "0123456789abcdef"])
"""

PER_LINE = """
import sys
from pcf.service.order_files import score_file
score_file(sys.argv[1], sys.argv[2])
"""


def _run(cmd: list[str], env: dict, curve: list | None = None) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of a child process; RSS sampled into ``curve`` if given."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if curve is not None:
        def sample():
            while proc.poll() is None:
                try:
                    with open(f"/proc/{proc.pid}/status") as f:
                        rss = next(int(x.split()[1]) for x in f if x.startswith("VmRSS"))
                    curve.append((time.perf_counter() - t0, rss / 1024))
                except (OSError, StopIteration):
                    pass
                time.sleep(0.5)
        threading.Thread(target=sample, daemon=True).start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed: {err[-500:]}")
    return elapsed, usage.ru_maxrss / 1024


def bench_orders(env: dict, tmp: Path, sizes: list[int]) -> None:
    print("pcf orders score (whole process) vs a plain CSV pass over the same file:", flush=True)
    cases = [(n, 0) for n in sizes] + ([(max(sizes), 20)] if sizes else [])
    for n, distinct in cases:
        book, out = tmp / f"book-{n}-{distinct}.csv", tmp / "scored.csv"
        write_book(book, n, distinct)
        curve: list = []
        big = n == max(sizes) and not distinct
        score_s, score_mb = _run(PCF + ["orders", "score", str(book), "-o", str(out),
                                        "--no-progress"], env, curve if big else None)
        with open(out) as f:
            assert sum(1 for _ in f) == n + 1
        plain_s, plain_mb = _run([sys.executable, "-c", PLAIN_PASS, str(book),
                                  str(tmp / "plain.csv")], env)
        label = f"{n:,} lines" + (f", {distinct} distinct sets" if distinct else ", random")
        target = ""
        if n >= 1_000_000:
            target = "; target <= 5 s" if distinct else "; target <= 10 s, <= 1024 MiB"
        _report(label, f"{score_s:.2f} s, {score_mb:.0f} MiB ({score_s / plain_s:.1f}x)",
                f"plain CSV pass {plain_s:.2f} s, {plain_mb:.0f} MiB{target}")
        if n <= 100_000 and not distinct:
            line_s, line_mb = _run([sys.executable, "-c", PER_LINE, str(book),
                                    str(tmp / "line.csv")], env)
            _report(f"{label}, per-line scorer (before)",
                    f"{line_s:.2f} s, {line_mb:.0f} MiB",
                    f"chunked is {line_s / score_s:.1f}x faster")
        if curve:
            step = max(1, len(curve) // 16)
            points = ", ".join(f"{t:.0f}s:{mb:.0f}" for t, mb in curve[::step])
            print(f"  RSS curve of the {n:,}-line book (s:MiB): {points}", flush=True)


# --------------------------------------------------------------------------- cold footprint

PLAIN_BRIGHTWAY = """
import os, sys
os.environ["BRIGHTWAY2_DIR"] = sys.argv[1]
import bw2data as bd, bw2calc as bc
bd.projects.set_current("pcf")
act = bd.get_node(database="pcf-products", code="aluminium-coil")
lca = bc.LCA({act: 1}, method=("IPCC 2021", "climate change",
                                "global warming potential (GWP100)"))
lca.lci()
lca.lcia()
print(lca.score)
"""


def bench_cold(env: dict) -> None:
    print("cold start (whole process, median of 3):", flush=True)
    bw_dir = str(Path(env["PCF_HOME"]) / "brightway")
    pcf_times, bw_times, pcf_value, bw_value = [], [], None, None
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run(PCF + ["footprint", "aluminium-coil", "--format", "json"],
                             env=env, check=True, capture_output=True, text=True).stdout
        pcf_times.append(time.perf_counter() - t0)
        pcf_value = json.loads(out)["per_declared_unit"]["total"]
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PLAIN_BRIGHTWAY, bw_dir], env=env,
                             check=True, capture_output=True, text=True).stdout
        bw_times.append(time.perf_counter() - t0)
        bw_value = float(out.strip().splitlines()[-1])
    a, b = statistics.median(pcf_times), statistics.median(bw_times)
    assert pcf_value is not None and bw_value is not None
    agree = abs(pcf_value - bw_value) <= 1e-9 * abs(bw_value)
    _report("cold pcf footprint aluminium-coil", f"{a:.2f} s ({a / b:.2f}x)",
            f"plain Brightway script {b:.2f} s; target <= 0.5x; same number: {agree}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--lines", default="10000,100000,1000000")
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--skip-orders", action="store_true")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per HTTP worker (default: pcf serve's)")
    parser.add_argument("--concurrency", default="1,8,32",
                        help="client concurrencies of the server part")
    args = parser.parse_args(argv)
    bw_home = Path(os.environ.get("PCF_HOME", REPO / "var")).resolve()
    subprocess.run(PCF + ["setup"], env={**os.environ, "PCF_HOME": str(bw_home)}, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"issue 21 throughput benchmark: {os.cpu_count()} CPUs, load average at start "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="pcf-bench21-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "brightway").symlink_to(bw_home / "brightway")
        env = {**os.environ, "PCF_HOME": str(home)}
        env.pop("PCF_DATABASE_URL", None)
        if not args.skip_cold:
            bench_cold(env)
        if not args.skip_server:
            bench_server(env, args.seconds, args.threads,
                         tuple(int(x) for x in args.concurrency.split(",") if x))
        if not args.skip_orders:
            bench_orders(env, Path(tmp), [int(x) for x in args.lines.split(",") if x])
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
