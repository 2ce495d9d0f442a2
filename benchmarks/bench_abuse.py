"""Abuse benchmark (issue 19): the real server (``pcf serve`` defaults) on 127.0.0.1 under
slow clients and heavy tenants, in one bounded run. Loopback only; every loop is bounded in
count and time; the server is stopped at the end.

Measures, and prints against the targets:

1. ``/health`` and ``POST /v1/footprints`` latency while 200 slow connections are held open
   (each sends half a request head, or a head and part of a body, and is reopened when the
   server closes it): target p99 <= 50 ms, no failed probe;
2. one tenant's footprint throughput and p99 alone, then while two other tenants post
   5,000-line orders continuously (each: post with ``Prefer: respond-async``, poll the status
   URL until scored, post the next): target p99 <= 50 ms and >= 50 % of the solo
   throughput; the same with the two tenants posting synchronously (``POST /v1/orders``
   without ``Prefer``: scored in the request) is printed for comparison;
3. bytes stored (SQLite pages) and answered per 5,000-line order, for the product with the
   smallest and the largest Footprint, against 2 MB each; and the size of all 5,000 lines in
   full (what one answer held before issue 19).

Usage::

    python benchmarks/bench_abuse.py [--seconds 8] [--slow 200] [--concurrency 2] [--strict]

Uses the Brightway project under ``$PCF_HOME`` (default ./var; built first if missing) and a
throw-away PCF_HOME and application database. ``--strict`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRODUCT = "aluminium-coil"
LOOPBACK = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes | None, headers: dict,
             timeout: float = 30.0) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _order_body(order_id: str, product: str = PRODUCT, n: int = 5000) -> bytes:
    return json.dumps({"order_id": order_id, "lines": [
        {"line_id": f"L{i:05d}", "product": product, "quantity": 1 + i % 13, "unit": "kg",
         "parameters": {"recycled_content": (i % 21) / 20}} for i in range(n)]}).encode()


# --------------------------------------------------------------------------- load parts


class SlowClients:
    """Keeps ``n`` slow connections open (reopening those the server closes) until stopped."""

    HALF_HEAD = b"POST /v1/footprints HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n"
    HALF_BODY = HALF_HEAD + b"Content-Type: application/json\r\n\r\n{\"product\""

    def __init__(self, port: int, n: int):
        self.port, self.n = port, n
        self.socks: list[socket.socket] = []
        self.opened = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            s = socket.create_connection((LOOPBACK, self.port), timeout=2)
            s.sendall(self.HALF_BODY if self.opened % 2 else self.HALF_HEAD)
            s.setblocking(False)
            self.opened += 1
            return s
        except OSError:
            return None

    def _run(self) -> None:
        deadline = time.monotonic() + 600  # bounded whatever happens
        while not self.stop.is_set() and time.monotonic() < deadline:
            alive = []
            for s in self.socks:
                try:
                    if s.recv(4096) == b"":   # closed by the server (408 read or EOF)
                        s.close()
                        continue
                    s.close()                  # it answered (408): reopen
                    continue
                except BlockingIOError:
                    alive.append(s)
                except OSError:
                    s.close()
            self.socks = alive
            while len(self.socks) < self.n and not self.stop.is_set():
                s = self._open()
                if s is None:
                    break
                self.socks.append(s)
            self.stop.wait(0.2)
        for s in self.socks:
            s.close()

    def __enter__(self):
        while len(self.socks) < self.n:
            s = self._open()
            if s is None:
                raise SystemExit("could not open the slow connections")
            self.socks.append(s)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)


def _footprint_client(port: int, key: str, seconds: float, out) -> None:
    """Closed loop of footprint requests on kept-alive connections for ``seconds``."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    bodies = [json.dumps({"product": PRODUCT, "quantity": 1 + k % 50, "unit": "t",
                          "parameters": {"recycled_content": (k % 11) / 10}}).encode()
              for k in range(64)]
    latencies, errors, k = [], 0, 0
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/v1/footprints", body=bodies[k % 64], headers=headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
        latencies.append(time.perf_counter() - t0)
        errors += not ok
        k += 1
    conn.close()
    out.put((latencies, errors))


def _footprint_load(port: int, key: str, seconds: float, concurrency: int) -> dict:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_footprint_client, args=(port, key, seconds, queue))
             for _ in range(concurrency)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    gathered = [queue.get(timeout=seconds + 60) for _ in procs]
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join(30)
    latencies = [x for lat, _ in gathered for x in lat]
    return {"rps": len(latencies) / elapsed, "p50": _pct(latencies, 0.5) * 1e3,
            "p99": _pct(latencies, 0.99) * 1e3, "errors": sum(e for _, e in gathered),
            "n": len(latencies)}


class OrderPosters:
    """Tenants posting 5,000-line orders one after the other until stopped."""

    def __init__(self, port: int, keys: list[str], asynchronous: bool, tag: str):
        self.port, self.keys, self.asynchronous, self.tag = port, keys, asynchronous, tag
        self.stop = threading.Event()
        self.done = 0
        self.refused = 0
        self.template = _order_body("@@ORDER@@")
        self.threads = [threading.Thread(target=self._run, args=(i, key), daemon=True)
                        for i, key in enumerate(keys)]

    def _run(self, i: int, key: str) -> None:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        if self.asynchronous:
            headers["Prefer"] = "respond-async"
        k = 0
        deadline = time.monotonic() + 600
        while not self.stop.is_set() and time.monotonic() < deadline:
            body = self.template.replace(b"@@ORDER@@", f"{self.tag}-{i}-{k}".encode())
            k += 1
            try:
                status, hdrs, data = _request(self.port, "POST", "/v1/orders", body, headers,
                                              timeout=120)
            except OSError:
                continue
            if status == 429:
                self.refused += 1
                self.stop.wait(float(hdrs.get("Retry-After", "1")))
                continue
            if status == 202:
                location = hdrs["Location"]
                while not self.stop.is_set():
                    self.stop.wait(0.2)
                    s, _, _ = _request(self.port, "GET", location, None, headers)
                    if s != 202:
                        break
            if status in (200, 201, 202):
                self.done += 1

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(150)


def _db_bytes(path: Path) -> int:
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    return pages * size


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="length of each measured phase (bounded to 60)")
    parser.add_argument("--slow", type=int, default=200, help="slow connections (<= 500)")
    parser.add_argument("--concurrency", type=int, default=2,
                        help="footprint client processes of the measured tenant")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    seconds = max(1.0, min(args.seconds, 60.0))
    n_slow = max(1, min(args.slow, 500))

    bw_home = Path(os.environ.get("PCF_HOME", REPO / "var")).resolve()
    env = {**os.environ, "PCF_HOME": str(bw_home)}
    subprocess.run([sys.executable, "-m", "pcf.cli", "setup"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: list[tuple[str, float, str, bool | None]] = []
    with tempfile.TemporaryDirectory(prefix="pcf-abuse-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "brightway").symlink_to(bw_home / "brightway")
        env = {**os.environ, "PCF_HOME": str(home)}
        for name in ("PCF_DATABASE_URL", "PCF_RATE_LIMIT", "PCF_DAILY_ORDER_LINES",
                     "PCF_MAX_PENDING_JOBS", "PCF_LIMITS_DATABASE_URL"):
            env.pop(name, None)  # the server defaults

        def new_key(name: str) -> str:
            return subprocess.run(
                [sys.executable, "-m", "pcf.cli", "tenants", "create", name, "--role",
                 "customer"], env=env, check=True, capture_output=True,
                text=True).stdout.strip().splitlines()[-1]

        keys = {name: new_key(name) for name in
                ("probe", "light", "heavy-1", "heavy-2", "heavy-3", "heavy-4", "sizes")}
        port = _free_port()
        log_path = Path(tmp) / "server.log"
        log = open(log_path, "wb")
        server = subprocess.Popen([sys.executable, "-m", "pcf.cli", "serve", "--host",
                                   LOOPBACK, "--port", str(port)], env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if _request(port, "GET", "/health", None, {}, timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"server did not start:\n{log_path.read_text()[-2000:]}")
                time.sleep(0.2)
            while log_path.read_text().count("engine warm") < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)

            # 1. probes while slow connections are held open
            probe_headers = {"Content-Type": "application/json",
                             "Authorization": f"Bearer {keys['probe']}"}
            body = json.dumps({"product": PRODUCT}).encode()
            health, footprints, failed = [], [], 0
            with SlowClients(port, n_slow) as slow:
                end = time.monotonic() + max(seconds, 12.0)  # past the 10 s head deadline
                while time.monotonic() < end:
                    for path, payload, sink in (("/health", None, health),
                                                ("/v1/footprints", body, footprints)):
                        t0 = time.perf_counter()
                        try:
                            status, _, _ = _request(port, "POST" if payload else "GET", path,
                                                    payload, probe_headers, timeout=5)
                        except OSError:
                            status = 0
                        sink.append(time.perf_counter() - t0)
                        failed += status != 200
                    time.sleep(0.02)
                held = len(slow.socks)
                reopened = slow.opened - n_slow
            p99_h, p99_f = _pct(health, 0.99) * 1e3, _pct(footprints, 0.99) * 1e3
            results += [
                (f"/health p99, {n_slow} slow conns", p99_h,
                 f"ms (target <= 50; {len(health)} probes, {held} held at the end, "
                 f"{reopened} reopened after 408/close)", p99_h <= 50),
                (f"footprint p99, {n_slow} slow conns", p99_f, "ms (target <= 50)",
                 p99_f <= 50),
                ("failed probes", float(failed), "(target 0)", failed == 0),
            ]

            # 2. one tenant alone, then beside two tenants posting 5,000-line orders
            solo = _footprint_load(port, keys["light"], seconds, args.concurrency)
            results += [
                ("footprints alone: throughput", solo["rps"], "req/s", None),
                ("footprints alone: p99", solo["p99"], f"ms (p50 {solo['p50']:.1f})", None)]
            for asynchronous, tag, heavy in ((True, "async", ["heavy-1", "heavy-2"]),
                                             (False, "sync", ["heavy-3", "heavy-4"])):
                with OrderPosters(port, [keys[h] for h in heavy], asynchronous, tag) as posters:
                    time.sleep(1.0)
                    busy = _footprint_load(port, keys["light"], seconds, args.concurrency)
                share = busy["rps"] / solo["rps"] if solo["rps"] else 0.0
                mark = "" if asynchronous else " [for comparison]"
                results += [
                    (f"footprints + 2 tenants' {tag} orders: p99", busy["p99"],
                     f"ms (target <= 50; p50 {busy['p50']:.1f}; errors {busy['errors']})"
                     + mark, busy["p99"] <= 50 if asynchronous else None),
                    (f"footprints + 2 tenants' {tag} orders: share", share * 100,
                     f"% of solo throughput (target >= 50; {busy['rps']:.0f} req/s; "
                     f"{posters.done} orders of 5,000 lines done, {posters.refused} 429)"
                     + mark, share >= 0.5 if asynchronous else None)]

            # 3. bytes stored and answered per 5,000-line order
            db = home / "pcf.sqlite3"
            size_headers = {"Content-Type": "application/json",
                            "Authorization": f"Bearer {keys['sizes']}"}
            for product in (PRODUCT, "ndfeb-magnet"):
                before = _db_bytes(db)
                status, _, answer = _request(port, "POST", "/v1/orders",
                                             _order_body(f"SIZE-{product}", product),
                                             size_headers, timeout=120)
                if status != 201:
                    raise SystemExit(f"size order failed: {status} {answer[:300]!r}")
                stored = _db_bytes(db) - before
                full = 0
                for offset in range(0, 5000, 1000):
                    _, _, page = _request(port, "GET", f"/v1/orders/SIZE-{product}?offset="
                                          f"{offset}&limit=1000", None, size_headers)
                    full += len(page)
                results += [
                    (f"stored per 5,000-line order ({product})", stored / 1e6,
                     "MB (target <= 2; before: 32.5 MB)", stored <= 2e6),
                    (f"answered per 5,000-line order ({product})", len(answer) / 1e6,
                     "MB (target <= 2; first page of 100 lines)", len(answer) <= 2e6),
                    (f"all 5,000 lines in full ({product})", full / 1e6,
                     "MB in 5 pages of 1,000 (one answer of ~19 MB before)", None)]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(60)
            log.close()

    print(f"pcf abuse benchmark: {os.cpu_count()} CPUs, pcf serve defaults (2 workers x 4 "
          f"threads, 1 order-job worker), {args.concurrency} footprint client processes, "
          f"{seconds:g} s phases, loopback only")
    missed = False
    for name, value, unit, ok in results:
        missed |= ok is False
        flag = "" if ok is not False else "   <-- target missed"
        print(f"  {name:<48} {value:9.2f} {unit}{flag}")
    return 1 if (missed and args.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
