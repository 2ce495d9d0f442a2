"""The real server (``pcf serve``: gunicorn, 2 workers) killed with SIGKILL mid-order.

The server runs on a random free port on 127.0.0.1 with its own ``PCF_HOME`` (the Brightway
project of the test session linked in). A large order is posted and the whole server process
group is killed with ``kill -9`` while the order is being written; after a restart the order
is either complete (every line) or absent, never partial.

- deterministic: ``PCF_TEST_PAUSE_BEFORE_COMMIT`` (honoured by the test wrapper
  ``paused_pcf.py``, not by pcf itself) makes the writer sleep after writing every line and
  before committing; the test waits until the write transaction is open and every row
  written (the wrapper's marker file exists and SQLite's write lock is held / PostgreSQL
  session "idle in transaction"), then kills.
- random: no pause; the kill lands at several points during the request.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api_helpers import PRODUCT, free_port

pytestmark = pytest.mark.slow

LINES = 5000
PAUSED_PCF = Path(__file__).with_name("paused_pcf.py")


class Server:
    """A ``pcf serve`` process group on 127.0.0.1:port."""

    def __init__(self, home: Path, port: int, env: dict[str, str], log: Path):
        self.port = port
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, str(PAUSED_PCF), "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", "2"],
            env={**os.environ, **env, "PCF_HOME": str(home)},
            stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_healthy()

    def request(self, method, path, body=None, headers=None, timeout=60.0):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            hdrs = {"Content-Type": "application/json", **(headers or {})}
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def wait_healthy(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if self.request("GET", "/health", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not healthy: {self.log.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        """The HTTP worker processes (children of the master other than the order-job
        worker, whose process name is ``pcf-jobs``)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                text = stat.read_text()
            except OSError:
                continue
            comm = text[text.index("(") + 1:text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.proc.pid and comm != "pcf-jobs":
                pids.append(int(stat.parent.name))
        return pids

    def wait_workers(self, n: int = 2, timeout: float = 30.0) -> list[int]:
        """The HTTP workers once there are ``n`` (gunicorn spawns them one after the other;
        with the engine loaded before the fork the first may answer /health before the next
        is forked; and the order-job worker counts as one until it has named itself
        ``pcf-jobs`` just after its fork, so wait for exactly ``n``)."""
        deadline = time.monotonic() + timeout
        while len(self.workers()) != n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.workers()

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill9()


@pytest.fixture
def server_home(home, tmp_path) -> Path:
    """A fresh PCF_HOME that links the session's Brightway project."""
    own = tmp_path / "home"
    own.mkdir()
    (own / "brightway").symlink_to(Path(home) / "brightway")
    return own


def _big_order(order_id: str) -> dict:
    return {"order_id": order_id, "lines": [
        {"line_id": f"L{i:05d}", "product": PRODUCT, "quantity": 1 + i % 13, "unit": "t",
         "parameters": {"recycled_content": (i % 21) / 20}} for i in range(LINES)]}


def _post_in_background(server: Server, body: dict, headers: dict) -> threading.Thread:
    def run():
        try:
            server.request("POST", "/v1/orders", body, headers, timeout=120)
        except (OSError, http.client.HTTPException):
            pass  # the server is killed under us

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _create_key(home: Path, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "pcf.cli", "tenants", "create", f"crash-{uuid.uuid4().hex[:6]}",
         "--role", "customer"],
        env={**os.environ, **env, "PCF_HOME": str(home)}, capture_output=True, text=True,
        check=True)
    return {"Authorization": f"Bearer {out.stdout.strip().splitlines()[-1]}"}


def _lines_stored(db_url: str, order_id: str) -> tuple[int, int]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            orders = conn.execute(text("SELECT count(*) FROM orders WHERE order_id = :o"),
                                  {"o": order_id}).scalar()
            lines = conn.execute(text(
                "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_pk "
                "WHERE o.order_id = :o"), {"o": order_id}).scalar()
        return orders, lines
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, server_home):
    """``(env, db_url, writing)``: how the server reaches its database, and a probe that says
    whether an order transaction is open with its rows written."""
    marker = server_home / "paused-before-commit"
    if request.param == "sqlite":
        path = server_home / "pcf.sqlite3"
        db_url = f"sqlite:///{path}"

        def writing() -> bool:
            if not marker.exists():  # the writer has not finished writing its rows
                return False
            con = sqlite3.connect(path, timeout=0)
            try:
                con.execute("BEGIN IMMEDIATE")
                con.rollback()
                return False
            except sqlite3.OperationalError as exc:  # locked: a write transaction is open
                return "locked" in str(exc)
            finally:
                con.close()

        yield {"PCF_TEST_PAUSE_MARKER": str(marker)}, db_url, writing
        return
    base = os.environ.get("PCF_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PCF_TEST_POSTGRES_URL is not set")
    name = f"pcf_crash_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = make_url(base).set(database=name).render_as_string(hide_password=False)

    def writing() -> bool:
        if not marker.exists():
            return False
        with admin.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :d AND "
                "state = 'idle in transaction'"), {"d": name}).scalar())

    yield {"PCF_DATABASE_URL": db_url, "PCF_TEST_PAUSE_MARKER": str(marker)}, db_url, writing
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_kill_9_while_writing_leaves_no_partial_order(server_home, backend, tmp_path):
    env, db_url, writing = backend
    headers = _create_key(server_home, env)
    port = free_port()
    server = Server(server_home, port, {**env, "PCF_TEST_PAUSE_BEFORE_COMMIT": "60"},
                    tmp_path / "server1.log")
    try:
        assert len(server.wait_workers(2)) == 2  # gunicorn master + 2 workers
        _post_in_background(server, _big_order("CRASH-1"), headers)
        deadline = time.monotonic() + 60
        while not writing():
            assert time.monotonic() < deadline, "the order transaction never opened"
            time.sleep(0.05)
        server.kill9()
    finally:
        server.stop()
    assert _lines_stored(db_url, "CRASH-1") == (0, 0)
    server = Server(server_home, port, env, tmp_path / "server2.log")
    try:
        status, body = server.request("GET", "/v1/orders/CRASH-1", headers=headers)
        assert status == 404, body[:300]
        status, body = server.request("POST", "/v1/orders", _big_order("CRASH-1"), headers,
                                      timeout=120)
        assert status == 201
        assert json.loads(body)["line_count"] == LINES
    finally:
        server.stop()
    assert _lines_stored(db_url, "CRASH-1") == (1, LINES)


def test_kill_9_at_random_moments(server_home, backend, tmp_path):
    env, db_url, _ = backend
    headers = _create_key(server_home, env)
    port = free_port()
    server = Server(server_home, port, env, tmp_path / "warm.log")
    try:
        started = time.perf_counter()
        status, _ = server.request("POST", "/v1/orders", _big_order("TIMING"), headers,
                                   timeout=120)
        assert status == 201
        duration = time.perf_counter() - started
    finally:
        server.stop()
    outcomes = []
    for k, fraction in enumerate((0.3, 0.6, 0.9, 1.2)):
        server = Server(server_home, port, env, tmp_path / f"server-{k}.log")
        order_id = f"RAND-{k}"
        try:
            _post_in_background(server, _big_order(order_id), headers)
            time.sleep(duration * fraction)
            server.kill9()
        finally:
            server.stop()
        orders, lines = _lines_stored(db_url, order_id)
        assert (orders, lines) in ((0, 0), (1, LINES)), (fraction, orders, lines)
        outcomes.append(lines)
    server = Server(server_home, port, env, tmp_path / "final.log")
    try:
        for k, lines in enumerate(outcomes):
            status, body = server.request("GET", f"/v1/orders/RAND-{k}", headers=headers)
            if lines:
                assert status == 200 and json.loads(body)["line_count"] == LINES
            else:
                assert status == 404
    finally:
        server.stop()
