"""HTTP workers freeze their warm heap out of the garbage collector (issue 21): full
collections then scan only what requests create, not the modules, app and engine."""

from __future__ import annotations

import gc
import re
import time

import pytest
from test_api_crash import Server, server_home  # noqa: F401 - fixture

from api_helpers import free_port


def test_freeze_heap_moves_what_is_alive_to_the_permanent_generation():
    from pcf.api.server import freeze_heap

    held = [{"row": i} for i in range(5000)]
    try:
        frozen = freeze_heap()
        assert frozen == gc.get_freeze_count() >= len(held)
        # what is created afterwards is tracked (and collected) as usual
        later = [[i] for i in range(100)]
        assert gc.get_freeze_count() == frozen and gc.is_tracked(later[0])
    finally:
        gc.unfreeze()


@pytest.mark.slow
def test_every_http_worker_freezes_its_warm_heap(server_home, tmp_path):  # noqa: F811
    server = Server(server_home, free_port(), {}, tmp_path / "server.log")
    try:
        deadline = time.monotonic() + 60
        while len(re.findall(r"(\d+) objects frozen", server.log.read_text())) < 2:
            assert time.monotonic() < deadline, server.log.read_text()[-3000:]
            time.sleep(0.2)
        counts = [int(n) for n in re.findall(r"(\d+) objects frozen", server.log.read_text())]
        assert all(n > 50_000 for n in counts), counts  # modules, app and engine
        assert server.request("GET", "/health")[0] == 200
    finally:
        server.stop()
