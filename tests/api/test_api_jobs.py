"""Orders scored off the request path: ``Prefer: respond-async``, the status URL, the job
worker (in-process here; the real server and kill -9 are in test_api_jobs_crash.py)."""

from __future__ import annotations

import os

import pytest

from api_helpers import PRODUCT, problem
from pcf.service.order_jobs import run_worker

ASYNC = {"Prefer": "respond-async"}


def _order(order_id="PO-A", n=3, product=PRODUCT):
    return {"order_id": order_id, "lines": [
        {"line_id": str(i), "product": product, "quantity": 1 + i, "unit": "t",
         "parameters": {"recycled_content": (i % 3) / 2}} for i in range(n)]}


def _submit(api, keys, body, who="alice"):
    return api.post("/v1/orders", json=body, headers={**keys[who], **ASYNC})


def test_async_order_202_then_200_with_the_order(api, keys, store):
    resp = _submit(api, keys, _order())
    assert resp.status_code == 202
    assert resp.headers["Preference-Applied"] == "respond-async"
    location = resp.headers["Location"]
    assert location.startswith("/v1/order-jobs/")
    job = resp.get_json()
    assert job["status"] == "queued" and job["line_count"] == 3
    assert store.count_orders() == (0, 0)
    pending = api.get(location, headers=keys["alice"])
    assert pending.status_code == 202 and pending.headers["Retry-After"] == "1"
    problem(api.get(location, headers=keys["bob"]), 404)      # jobs are per tenant
    assert run_worker(store, max_jobs=1) == 1
    done = api.get(location, headers=keys["alice"])
    assert done.status_code == 200
    assert done.headers["Content-Location"] == "/v1/orders/PO-A"
    doc = done.get_json()
    assert doc["line_count"] == 3
    assert api.get("/v1/orders/PO-A", headers=keys["alice"]).get_json() == doc
    assert store.count_orders() == (1, 3)
    assert store.order_lines_used(store.get_tenant("alice").id) == 3
    # the same body again (sync or async) is a replay of the stored order
    again = _submit(api, keys, _order())
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert api.post("/v1/orders", json=_order(), headers=keys["alice"]).status_code == 200
    problem(_submit(api, keys, _order(n=2)), 409)
    assert store.order_lines_used(store.get_tenant("alice").id) == 3


def test_async_and_sync_orders_are_the_same_document(api, keys, store):
    sync = api.post("/v1/orders", json=_order("S-1", 5), headers=keys["bob"]).get_json()
    location = _submit(api, keys, _order("S-1", 5)).headers["Location"]
    run_worker(store, max_jobs=1)
    doc = api.get(location, headers=keys["alice"]).get_json()
    for a, b in zip(sync["lines"], doc["lines"], strict=True):
        assert a["footprint"]["total"] == b["footprint"]["total"]
        assert a["footprint"]["contributions"] == b["footprint"]["contributions"]


def test_resubmitting_while_queued_is_the_same_job(api, keys, store):
    first = _submit(api, keys, _order())
    second = _submit(api, keys, _order())
    assert second.status_code == 202
    assert second.headers["Location"] == first.headers["Location"]
    problem(_submit(api, keys, _order(n=2)), 409)           # another body under the id
    assert store.count_jobs() == {"queued": 1}
    assert store.order_lines_used(store.get_tenant("alice").id) == 3


def test_invalid_async_order_fails_with_the_problem_and_gives_lines_back(api, keys, store):
    body = _order("BAD", 3)
    body["lines"][1]["product"] = "unobtainium"
    body["lines"][2]["unit"] = "kWh"
    location = _submit(api, keys, body).headers["Location"]
    run_worker(store, max_jobs=1)
    out = problem(api.get(location, headers=keys["alice"]), 422)
    assert out["job_status"] == "failed" and out["job_id"] == location.rsplit("/", 1)[1]
    assert set(out["errors"]) == {"lines[1].product", "lines[2].unit"}
    assert store.count_orders() == (0, 0)
    assert store.order_lines_used(store.get_tenant("alice").id) == 0
    # the id is free again
    assert api.post("/v1/orders", json=_order("BAD"), headers=keys["alice"]).status_code == 201


def test_schema_errors_are_answered_at_once(api, keys, store):
    body = _order()
    body["lines"][0]["quantity"] = -1
    out = problem(_submit(api, keys, body), 422)
    assert "lines[0].quantity" in out["errors"]
    assert store.count_jobs() == {}


def test_pending_jobs_per_tenant_are_limited(api, keys, store, monkeypatch):
    monkeypatch.setenv("PCF_MAX_PENDING_JOBS", "2")
    assert _submit(api, keys, _order("J-1")).status_code == 202
    assert _submit(api, keys, _order("J-2")).status_code == 202
    resp = _submit(api, keys, _order("J-3"))
    problem(resp, 429)
    assert int(resp.headers["Retry-After"]) >= 1
    assert _submit(api, keys, _order("J-3"), who="bob").status_code == 202
    run_worker(store, max_jobs=3)
    assert _submit(api, keys, _order("J-3")).status_code == 202


def test_async_orders_count_against_the_quota(api, keys, store):
    store.set_limits("alice", daily_order_lines=4)
    assert _submit(api, keys, _order("Q-1", 3)).status_code == 202
    resp = _submit(api, keys, _order("Q-2", 3))
    problem(resp, 429)
    assert store.count_jobs() == {"queued": 1}


def test_a_job_of_a_dead_worker_is_scored_once(api, keys, store):
    """A worker killed after claiming a job: the job is claimed again and its order stored
    once; the dead worker's late finish changes nothing."""
    location = _submit(api, keys, _order("K-1", 4)).headers["Location"]
    dead = f"{os.uname().nodename}:{2 ** 22 + 7}"   # no such pid
    claimed = store.claim_job(dead)
    assert claimed is not None and claimed.attempts == 1
    assert api.get(location, headers=keys["alice"]).get_json()["status"] == "running"
    assert run_worker(store, max_jobs=1) == 1               # requeued at start, scored
    assert api.get(location, headers=keys["alice"]).status_code == 200
    assert store.count_orders() == (1, 4)
    assert store.finish_job(claimed, dead, None, {"status": 500}) is False
    job = store.get_job(None, location.rsplit("/", 1)[1])
    assert job.state == "done" and job.attempts == 2
    assert store.order_lines_used(store.get_tenant("alice").id) == 4


@pytest.mark.parametrize("attempts", [3])
def test_a_job_that_keeps_failing_is_failed(api, keys, store, attempts):
    location = _submit(api, keys, _order("P-1")).headers["Location"]
    for i in range(attempts):
        assert store.claim_job(f"{os.uname().nodename}-elsewhere:{i}") is not None
        from sqlalchemy import text

        with store.engine.begin() as conn:   # its lease runs out
            conn.execute(text("UPDATE order_jobs SET lease_until = '2000-01-01 00:00:00'"))
    assert store.claim_job("w") is None
    out = problem(api.get(location, headers=keys["alice"]), 500)
    assert out["job_status"] == "failed"
    assert store.order_lines_used(store.get_tenant("alice").id) == 0
