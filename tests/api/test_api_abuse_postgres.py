"""Issue 19 on PostgreSQL: rate-limit counters shared through the database, the daily quota
under concurrent orders, key revocation, order jobs, orders stored in proportion."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text
from test_api_postgres import pg_app, pg_keys, pg_url  # noqa: F401 - fixtures

from api_helpers import PRODUCT, SpecClient, problem
from pcf.service.order_jobs import run_worker

pytestmark = pytest.mark.postgres


def _order(order_id, n=3, product=PRODUCT):
    return {"order_id": order_id, "lines": [
        {"line_id": f"L{i:05d}", "product": product, "quantity": 1 + i % 13, "unit": "kg",
         "parameters": {"recycled_content": (i % 21) / 20}} for i in range(n)]}


def test_rate_limit_counters_are_in_the_database(pg_app, pg_keys, pg_url):  # noqa: F811
    from pcf.api import create_app

    other = create_app({"PCF_DATABASE_URL": pg_url})   # a second worker process
    store = pg_app.extensions["pcf"].store
    store.set_limits(pg_keys["names"]["bob"], rate_limit="4/minute")
    clients = [pg_app.test_client(), other.test_client()]
    statuses = [clients[i % 2].get("/v1/orders/none", headers=pg_keys["bob"]).status_code
                for i in range(6)]
    assert statuses == [404, 404, 404, 404, 429, 429]
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM rate_limit_counters")).scalar() >= 1
    other.extensions["pcf"].store.dispose()


def test_quota_holds_under_concurrent_orders(pg_app, pg_keys):  # noqa: F811
    store = pg_app.extensions["pcf"].store
    name = pg_keys["names"]["alice"]
    store.set_limits(name, daily_order_lines=10)
    statuses = []
    barrier = threading.Barrier(6)

    def submit(k):
        client = pg_app.test_client()
        barrier.wait()
        resp = client.post("/v1/orders", json=_order(f"QC-{k}", 3), headers=pg_keys["alice"])
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=submit, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 201, 201, 429, 429, 429], statuses
    tenant = store.get_tenant(name)
    assert store.count_orders(tenant.id) == (3, 9)
    assert store.order_lines_used(tenant.id) == 9


def test_keys_and_surrogates_on_postgres(pg_app, pg_keys):  # noqa: F811
    api = SpecClient(pg_app)
    store = pg_app.extensions["pcf"].store
    name = pg_keys["names"]["bob"]
    key = pg_keys["bob"]["Authorization"].split()[1]
    assert api.get("/v1/orders/none", headers=pg_keys["bob"]).status_code == 404
    assert store.list_keys(name)[0].last_used_at is not None
    resp = api.open("DELETE", f"/v1/tenants/{name}/keys/{key[:12]}", headers=pg_keys["ada"])
    assert resp.status_code == 200
    problem(api.get("/v1/orders/none", headers=pg_keys["bob"]), 401)
    body = ('{"order_id": "PG-S", "lines": [{"line_id": "\\ud800", "product": "@P", '
            '"quantity": 1, "unit": "kg"}]}').replace("@P", PRODUCT)
    out = problem(api.post("/v1/orders", data=body, content_type="application/json",
                           headers=pg_keys["alice"]), 422)
    assert "lines[0].line_id" in out["errors"]


def test_order_jobs_on_postgres(pg_app, pg_keys):  # noqa: F811
    api = SpecClient(pg_app)
    store = pg_app.extensions["pcf"].store
    oid = f"PGJ-{uuid.uuid4().hex[:6]}"
    resp = api.post("/v1/orders", json=_order(oid, 50),
                    headers={**pg_keys["alice"], "Prefer": "respond-async"})
    assert resp.status_code == 202
    location = resp.headers["Location"]
    assert api.get(location, headers=pg_keys["alice"]).status_code == 202
    assert run_worker(store, max_jobs=1) == 1
    done = api.get(location, headers=pg_keys["alice"])
    assert done.status_code == 200 and done.get_json()["line_count"] == 50
    tenant = store.get_tenant(pg_keys["names"]["alice"])
    assert store.count_orders(tenant.id)[1] >= 50


def test_a_5000_line_order_stores_under_2_mb(pg_app, pg_keys):  # noqa: F811
    store = pg_app.extensions["pcf"].store
    sizes = ("SELECT sum(pg_total_relation_size(c)) FROM unnest(ARRAY['orders', "
             "'order_lines', 'order_footprints', 'order_line_usage']::regclass[]) c")
    with store.engine.connect() as conn:
        before = conn.execute(text(sizes)).scalar()
    resp = pg_app.test_client().post("/v1/orders", json=_order("PG-BIG", 5000, "ndfeb-magnet"),
                                     headers=pg_keys["bob"])
    assert resp.status_code == 201 and len(resp.data) <= 2_000_000
    with store.engine.connect() as conn:
        after = conn.execute(text(sizes)).scalar()
    assert after - before <= 2_000_000, after - before
