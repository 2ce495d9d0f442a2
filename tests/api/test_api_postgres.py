"""The store and the orders API on a real PostgreSQL server (psycopg 3).

Run with ``PCF_TEST_POSTGRES_URL=postgresql+psycopg://user@127.0.0.1:PORT/db pytest -m postgres``.
Each test module run creates a scratch database next to the given one (``CREATE DATABASE``)
and drops it at the end; without that privilege it uses the given database after resetting
pcf's tables.
"""

from __future__ import annotations

import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from api_helpers import PRODUCT, SpecClient, problem

pytestmark = pytest.mark.postgres

URL = os.environ.get("PCF_TEST_POSTGRES_URL")


@pytest.fixture(scope="module")
def pg_url():
    if not URL:
        pytest.skip("PCF_TEST_POSTGRES_URL is not set")
    base = make_url(URL)
    name = f"pcf_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created = True
        url = base.set(database=name).render_as_string(hide_password=False)
    except Exception:  # no CREATEDB privilege: reset pcf's tables in the given database
        created = False
        url = URL
        with admin.connect() as conn:
            for table in ("order_lines", "orders", "api_keys", "tenants", "alembic_version"):
                conn.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    yield url
    if created:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_app(home, pg_url):
    from pcf.api import create_app

    app = create_app({"PCF_DATABASE_URL": pg_url})
    yield app
    app.extensions["pcf"].store.dispose()


@pytest.fixture
def pg_keys(pg_app):
    store = pg_app.extensions["pcf"].store
    suffix = uuid.uuid4().hex[:8]
    out = {}
    for name, role in (("alice", "customer"), ("bob", "customer"), ("ada", "admin")):
        _, key = store.create_tenant(f"{name}-{suffix}", role)
        out[name] = {"Authorization": f"Bearer {key}"}
    out["names"] = {n: f"{n}-{suffix}" for n in ("alice", "bob", "ada")}
    return out


def _order(order_id, n=3):
    return {"order_id": order_id, "lines": [
        {"line_id": str(i), "product": PRODUCT, "variant": ("virgin", "recycled")[i % 2],
         "quantity": 1 + i, "unit": "t"} for i in range(n)]}


def test_schema_is_migrated(pg_app, pg_url):
    from pcf.store.db import current_revision, head_revision

    store = pg_app.extensions["pcf"].store
    assert store.engine.dialect.name == "postgresql"
    assert store.engine.dialect.driver == "psycopg"
    assert current_revision(store.engine) == head_revision()
    assert {"tenants", "api_keys", "orders", "order_lines"} <= set(
        inspect(store.engine).get_table_names())


def test_orders_on_postgres(pg_app, pg_keys):
    api = SpecClient(pg_app)
    store = pg_app.extensions["pcf"].store
    alice, bob = pg_keys["alice"], pg_keys["bob"]
    oid = f"PG-{uuid.uuid4().hex[:6]}"
    first = api.post("/v1/orders", json=_order(oid), headers=alice)
    assert first.status_code == 201
    again = api.post("/v1/orders", json=_order(oid), headers=alice)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    problem(api.post("/v1/orders", json=_order(oid, 2), headers=alice), 409)
    assert api.get(f"/v1/orders/{oid}", headers=alice).get_json() == first.get_json()
    problem(api.get(f"/v1/orders/{oid}", headers=bob), 404)
    assert api.post("/v1/orders", json=_order(oid, 1), headers=bob).status_code == 201
    admin_view = api.get(f"/v1/orders/{oid}?tenant={pg_keys['names']['alice']}",
                         headers=pg_keys["ada"])
    assert admin_view.get_json() == first.get_json()
    tenant = store.authenticate(alice["Authorization"].split()[1])
    assert store.count_orders(tenant.id) == (1, 3)


def test_rejected_and_failed_orders_store_nothing(pg_app, pg_keys):
    api = SpecClient(pg_app)
    store = pg_app.extensions["pcf"].store
    alice = pg_keys["alice"]
    tenant = store.authenticate(alice["Authorization"].split()[1])
    bad = _order("PG-BAD")
    bad["lines"][2]["unit"] = "kWh"
    problem(api.post("/v1/orders", json=bad, headers=alice), 422)

    from sqlalchemy import event

    def boom(conn, clauseelement, multiparams, params, execution_options, result):
        # fails after the order lines are written, inside the write transaction
        if str(clauseelement).startswith("INSERT INTO order_lines"):
            raise RuntimeError("crash before commit")

    event.listen(store.engine, "after_execute", boom)
    try:
        problem(api.post("/v1/orders", json=_order("PG-FAIL", 50), headers=alice), 500)
    finally:
        event.remove(store.engine, "after_execute", boom)
    assert store.count_orders(tenant.id) == (0, 0)


def test_concurrent_identical_submissions(pg_app, pg_keys):
    alice = pg_keys["alice"]
    oid = f"PG-RACE-{uuid.uuid4().hex[:6]}"
    body = _order(oid, 200)
    statuses, docs = [], []
    barrier = threading.Barrier(6)

    def submit():
        client = pg_app.test_client()
        barrier.wait()
        resp = client.post("/v1/orders", json=body, headers=alice)
        statuses.append(resp.status_code)
        docs.append(resp.get_json())

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 5 + [201], statuses
    assert all(d == docs[0] for d in docs)
    store = pg_app.extensions["pcf"].store
    tenant = store.authenticate(alice["Authorization"].split()[1])
    assert store.count_orders(tenant.id) == (1, 200)


def test_plain_postgresql_url_gets_psycopg3(pg_url):
    from pcf.store import make_engine

    url = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    engine = make_engine(url)
    assert engine.dialect.driver == "psycopg"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_nul_characters_are_422_and_store_nothing(pg_app, pg_keys):
    """PostgreSQL refuses NUL in text: that is the client's input, not a server error."""
    api = SpecClient(pg_app)
    body = {"order_id": "PO-NUL-1", "lines": [
        {"line_id": "1\u0000", "product": PRODUCT, "quantity": 1, "unit": "kg"}]}
    problem(api.post("/v1/orders", json=body, headers=pg_keys["alice"]), 422)
    problem(api.get("/v1/orders/PO-NUL-1", headers=pg_keys["alice"]), 404)
    resp = api.get("/v1/orders/PO%00x", headers=pg_keys["alice"])
    assert resp.status_code in (404, 422)
