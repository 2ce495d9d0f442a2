"""``pcf serve``: the gunicorn server (2 warm workers) and ``--dev``."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api_helpers import PRODUCT, free_port

pytestmark = pytest.mark.slow


def _get(port, path, timeout=2.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _post(port, path, body, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json",
                                                      **headers})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("dev", [False, True])
def test_serve(home, tmp_path, dev):
    own = tmp_path / "home"
    own.mkdir()
    (own / "brightway").symlink_to(Path(home) / "brightway")
    env = {**os.environ, "PCF_HOME": str(own)}
    env.pop("PCF_DATABASE_URL", None)
    key = subprocess.run([sys.executable, "-m", "pcf.cli", "tenants", "create", "t"], env=env,
                         capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "pcf.cli", "serve", "--port", str(port)]
                            + (["--dev"] if dev else []), env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            try:
                if _get(port, "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.2)
        status, body = _post(port, "/v1/footprints", {"product": PRODUCT, "quantity": 2,
                                                      "unit": "t"},
                             {"Authorization": f"Bearer {key}"})
        assert status == 200 and json.loads(body)["quantity_unit"] == "t"
        assert _get(port, "/openapi.json")[0] == 200
        assert (own / "pcf.sqlite3").exists()  # application database under PCF_HOME
        if not dev:  # two workers, each warmed in its post_worker_init hook
            while (tmp_path / "server.log").read_text().count("engine warm") < 2:
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
            assert "Control socket" not in (tmp_path / "server.log").read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
