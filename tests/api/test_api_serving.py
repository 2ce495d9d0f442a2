"""The real server under abuse (``pcf serve``: 2 HTTP workers, an order-job worker):
slow and idle clients, errors of the server stack as problem+json, key revocation seen by
every worker at once, and kill -9 while the job worker is storing an order."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
from test_api_crash import (  # noqa: F401 - fixtures
    Server,
    _create_key,
    _lines_stored,
    backend,
    server_home,
)

from api_helpers import PRODUCT, free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def server(server_home, tmp_path):  # noqa: F811 - the fixture imported above
    srv = Server(server_home, free_port(), {}, tmp_path / "server.log")
    yield srv
    srv.stop()


def _raw(port: int, data: bytes, timeout: float = 15.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        return out


def _problem(raw: bytes, status: int) -> dict:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), raw[:300]
    assert b"application/problem+json" in head, head
    doc = json.loads(body)
    assert doc["status"] == status
    assert doc["type"] == "about:blank" or doc["type"].startswith("urn:pcf:problem:")
    return doc


def test_slow_and_idle_clients_do_not_block(server, server_home):  # noqa: F811
    headers = _create_key(server_home, {})
    held = []
    try:
        for i in range(200):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if i % 2:  # half a request head
                s.sendall(b"POST /v1/footprints HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n")
            else:      # a head and part of the body
                s.sendall(b"POST /v1/footprints HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n"
                          b"Content-Type: application/json\r\n\r\n{\"product\"")
            held.append(s)
        worst = 0.0
        for _ in range(20):
            t0 = time.perf_counter()
            assert server.request("GET", "/health", timeout=2)[0] == 200
            status, _ = server.request("POST", "/v1/footprints", {"product": PRODUCT},
                                       headers, timeout=2)
            assert status == 200
            worst = max(worst, time.perf_counter() - t0)
        assert worst < 1.0, worst
    finally:
        for s in held:
            s.close()


def test_server_errors_are_problem_json(server, server_home):  # noqa: F811
    port = server.port
    _problem(_raw(port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"), 414)
    _problem(_raw(port, b"GET /" + b"a" * 8100 + b" HTTP/1.1\r\nHost: x\r\n\r\n"), 414)
    _problem(_raw(port, b"NOT HTTP\r\n\r\n"), 400)
    _problem(_raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: " + b"b" * 9000
                  + b"\r\n\r\n"), 431)
    _problem(_raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\n"
                  + b"".join(b"X-%d: y\r\n" % i for i in range(120)) + b"\r\n"), 431)
    _problem(_raw(port, b"DELETE /v1/footprints HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n"), 405)
    _problem(_raw(port, b"POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n"
                  b"Content-Type: application/json\r\n\r\n{"), 413)
    # a chunked body over the limit is refused, not cut and stored
    headers = _create_key(server_home, {})
    line = {"line_id": "x", "product": PRODUCT, "quantity": 1, "unit": "kg"}
    body = json.dumps({"order_id": "CHUNKED", "lines": [
        dict(line, line_id=f"{i:0100d}") for i in range(9000)]}).encode()
    head = (f"POST /v1/orders HTTP/1.1\r\nHost: x\r\n{'Authorization'}: "
            f"{headers['Authorization']}\r\nContent-Type: application/json\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n").encode()
    chunks = b"".join(b"%x\r\n" % len(body[i:i + 65536]) + body[i:i + 65536] + b"\r\n"
                      for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
    _problem(_raw(port, head + chunks), 413)
    assert _lines_stored(f"sqlite:///{server_home / 'pcf.sqlite3'}", "CHUNKED") == (0, 0)
    # a request head that does not arrive in time: 408, connection closed
    t0 = time.perf_counter()
    _problem(_raw(port, b"GET /health HTTP/1.1\r\nHost: x\r\n", timeout=20), 408)
    assert 9 < time.perf_counter() - t0 < 13


def test_revoked_key_is_refused_by_every_worker_at_once(server, server_home):  # noqa: F811
    headers = _create_key(server_home, {})
    key = headers["Authorization"].split()[1]
    name = next(line.split("\t")[0] for line in subprocess.run(
        [sys.executable, "-m", "pcf.cli", "tenants", "list"],
        env={**os.environ, "PCF_HOME": str(server_home)}, capture_output=True, text=True,
        check=True).stdout.splitlines() if line.startswith("crash-"))
    # kept-alive connections opened before the revocation, spread over both workers
    import http.client

    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
             for _ in range(8)]
    for conn in conns:
        conn.request("GET", "/v1/orders/none", headers=headers)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 404
    out = subprocess.run([sys.executable, "-m", "pcf.cli", "tenants", "revoke-key", name,
                          key[:12]], env={**os.environ, "PCF_HOME": str(server_home)},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    for conn in conns:   # the very next request on each, whichever worker holds it
        conn.request("GET", "/v1/orders/none", headers=headers)
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 401
        conn.close()
    statuses = {server.request("GET", "/v1/orders/none", headers=headers)[0]
                for _ in range(20)}
    assert statuses == {401}


def _async_order(order_id: str, n: int = 5000) -> dict:
    return {"order_id": order_id, "lines": [
        {"line_id": f"L{i:05d}", "product": PRODUCT, "quantity": 1 + i % 13, "unit": "t",
         "parameters": {"recycled_content": (i % 21) / 20}} for i in range(n)]}


def _job_row(db_url: str, order_id: str) -> tuple[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT state, attempts FROM order_jobs WHERE order_id = :o"),
                               {"o": order_id}).one()
        return row.state, row.attempts
    finally:
        engine.dispose()


def test_kill_9_during_a_job_loses_nothing_and_scores_once(server_home, backend, tmp_path):  # noqa: F811
    env, db_url, writing = backend
    headers = _create_key(server_home, env)
    port = free_port()
    server = Server(server_home, port, {**env, "PCF_TEST_PAUSE_BEFORE_COMMIT": "60",
                                        "PCF_TEST_PAUSE_ON": "order_lines"},
                    tmp_path / "server1.log")
    try:
        assert len(server.wait_workers(2)) == 2
        conn_headers = {**headers, "Prefer": "respond-async"}
        status, body = server.request("POST", "/v1/orders", _async_order("JOB-1"), conn_headers)
        assert status == 202, body[:300]
        location = json.loads(body)["links"]["self"]
        deadline = time.monotonic() + 60
        while not writing():   # the job worker has written every line and not committed
            assert time.monotonic() < deadline, "the job never started writing"
            time.sleep(0.05)
        server.kill9()
    finally:
        server.stop()
    assert _lines_stored(db_url, "JOB-1") == (0, 0)
    assert _job_row(db_url, "JOB-1") == ("running", 1)
    server = Server(server_home, port, env, tmp_path / "server2.log")
    try:
        deadline = time.monotonic() + 60
        while True:
            status, body = server.request("GET", location, headers=headers)
            if status != 202:
                break
            assert time.monotonic() < deadline, "the job was not taken up again"
            time.sleep(0.2)
        assert status == 200, body[:300]
        assert json.loads(body)["line_count"] == 5000
        # the same order again is a replay, not a second order
        status, _ = server.request("POST", "/v1/orders", _async_order("JOB-1"), conn_headers)
        assert status == 200
    finally:
        server.stop()
    assert _lines_stored(db_url, "JOB-1") == (1, 5000)
    assert _job_row(db_url, "JOB-1") == ("done", 2)


def test_kill_9_at_random_moments_of_jobs(server_home, tmp_path):  # noqa: F811
    headers = _create_key(server_home, {})
    db_url = f"sqlite:///{server_home / 'pcf.sqlite3'}"
    port = free_port()
    conn_headers = {**headers, "Prefer": "respond-async"}
    delays = (0.2, 0.6, 1.0, 1.6)
    for k, delay in enumerate(delays):
        server = Server(server_home, port, {}, tmp_path / f"server-{k}.log")
        try:
            status, _ = server.request("POST", "/v1/orders", _async_order(f"RJ-{k}"),
                                       conn_headers)
            assert status == 202
            time.sleep(delay)
            server.kill9()
        finally:
            server.stop()
        assert _lines_stored(db_url, f"RJ-{k}") in ((0, 0), (1, 5000))
    server = Server(server_home, port, {}, tmp_path / "final.log")
    try:
        deadline = time.monotonic() + 90
        for k in range(len(delays)):
            while _lines_stored(db_url, f"RJ-{k}") != (1, 5000):
                assert time.monotonic() < deadline, f"RJ-{k} never scored"
                time.sleep(0.2)
    finally:
        server.stop()
    for k in range(len(delays)):
        assert _lines_stored(db_url, f"RJ-{k}") == (1, 5000)
        assert _job_row(db_url, f"RJ-{k}")[0] == "done"


def test_big_orders_do_not_stop_other_tenants(server, server_home):  # noqa: F811
    """Two tenants post 5,000-line orders (async) in a loop while a third asks footprints:
    every footprint answers, and quickly."""
    heavy = [{**_create_key(server_home, {}), "Prefer": "respond-async"} for _ in range(2)]
    light = _create_key(server_home, {})
    stop = threading.Event()

    def post_orders(h, tag):
        k = 0
        while not stop.is_set():
            server.request("POST", "/v1/orders", _async_order(f"{tag}-{k}"), h, timeout=30)
            k += 1

    threads = [threading.Thread(target=post_orders, args=(h, f"H{i}"), daemon=True)
               for i, h in enumerate(heavy)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        latencies = []
        for _ in range(100):
            t0 = time.perf_counter()
            status, _ = server.request("POST", "/v1/footprints", {"product": PRODUCT}, light,
                                       timeout=5)
            latencies.append(time.perf_counter() - t0)
            assert status == 200
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    latencies.sort()
    assert latencies[int(0.9 * len(latencies))] < 0.5, latencies[-10:]
