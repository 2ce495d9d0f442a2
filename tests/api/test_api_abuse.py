"""Issue 19 in the app: input cases refused with nothing stored, quotas and rate limits (429
with Retry-After), keys (listing, expiry, revocation), orders stored and answered in
proportion (pages, one line in full)."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from api_helpers import PRODUCT, SpecClient, problem
from pcf import service


def _order(order_id="PO-1", n=3, product=PRODUCT):
    return {"order_id": order_id, "lines": [
        {"line_id": str(10 * (i + 1)), "product": product, "quantity": 1 + i, "unit": "kg",
         "parameters": {"recycled_content": (i % 5) / 4}} for i in range(n)]}


def _raw(api, path, text, headers, method="POST"):
    return api.open(method, path, data=text.encode("utf-8", "surrogatepass"),
                    content_type="application/json", headers=headers)


# --------------------------------------------------------------------------- input


@pytest.mark.parametrize("order_id", ["PO-1\n", "PO-1\r\n", "\nPO-1", "PO 1", "PO-1\x00"])
def test_order_ids_match_the_whole_string(api, keys, store, order_id):
    out = problem(api.post("/v1/orders", json=_order(order_id), headers=keys["alice"]), 422)
    assert "order_id" in out["errors"]
    assert store.count_orders() == (0, 0)
    # the clean id is still free (a retry under it is not a duplicate)
    assert api.post("/v1/orders", json=_order("PO-1"), headers=keys["alice"]).status_code == 201


@pytest.mark.parametrize("path, body, field", [
    ("/v1/orders", '{"order_id": "PO-S", "lines": [{"line_id": "\\ud800", "product": "@P", '
                   '"quantity": 1, "unit": "kg"}]}', "lines[0].line_id"),
    ("/v1/orders", '{"order_id": "PO-S", "lines": [{"line_id": "1", "product": "@P", '
                   '"quantity": 1, "unit": "kg", "parameters": {"\\udc00x": 1}}]}',
     "lines[0].parameters"),
    ("/v1/orders", '{"order_id": "PO-S", "lines": [{"line_id": "1", "product": "@P", '
                   '"quantity": 1, "unit": "k\\udfffg"}]}', "lines[0].unit"),
    ("/v1/comparisons", '{"product": "@P", "cases": [{"label": "\\ud83d"}]}',
     "cases[0].label"),
    ("/v1/certificates", '{"order_id": "PO-S", "line_id": "\\udbff"}', "line_id"),
    ("/v1/footprints", '{"product": "@P", "variant": "\\ud800\\ud800"}', "variant"),
])
def test_lone_surrogates_are_422_naming_the_field(api, keys, store, path, body, field):
    out = problem(_raw(api, path, body.replace("@P", PRODUCT), keys["erin"]), 422)
    assert field in out["errors"], out
    assert "surrogate" in json.dumps(out)
    assert store.count_orders() == (0, 0)


def test_a_valid_surrogate_pair_is_one_character(api, keys, store):
    body = '{"order_id": "PO-E", "lines": [{"line_id": "\\ud83d\\ude00", "product": "@P", ' \
           '"quantity": 1, "unit": "kg"}]}'.replace("@P", PRODUCT)
    resp = _raw(api, "/v1/orders", body, keys["alice"])
    assert resp.status_code == 201
    assert resp.get_json()["lines"][0]["line_id"] == "\U0001f600"


@pytest.mark.parametrize("line_id", ["1\x00", "1\n", "a\tb"])
def test_control_characters_in_line_ids_are_422(api, keys, store, line_id):
    body = {"order_id": "PO-C", "lines": [{"line_id": line_id, "product": PRODUCT,
                                           "quantity": 1, "unit": "kg"}]}
    out = problem(api.post("/v1/orders", json=body, headers=keys["alice"]), 422)
    assert "lines[0].line_id" in out["errors"]
    assert store.count_orders() == (0, 0)


def test_chunked_body_over_the_limit_is_413(api, keys, store):
    lines = [{"line_id": f"{i:0100d}", "product": PRODUCT, "quantity": 1, "unit": "kg"}
             for i in range(9000)]
    data = json.dumps({"order_id": "PO-CH", "lines": lines}).encode()
    assert len(data) > 1024 * 1024
    resp = api.client.post("/v1/orders", input_stream=io.BytesIO(data),
                           headers={**keys["alice"], "Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"CONTENT_LENGTH": ""})
    problem(resp, 413)
    assert store.count_orders() == (0, 0)


def test_chunked_body_within_the_limit_is_read_whole(api, keys, store):
    data = json.dumps(_order("PO-CK")).encode()
    resp = api.client.post("/v1/orders", input_stream=io.BytesIO(data),
                           headers={**keys["alice"], "Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"CONTENT_LENGTH": ""})
    assert resp.status_code == 201 and resp.get_json()["line_count"] == 3


def test_url_over_8000_characters_is_414_problem(api, keys):
    out = problem(api.client.get("/v1/orders/" + "x" * 8000, headers=keys["alice"]), 414)
    assert out["type"] == "urn:pcf:problem:uri-too-long"
    assert api.get("/v1/orders/" + "x" * 100, headers=keys["alice"]).status_code == 404


def test_method_not_allowed_is_problem_json(api, keys):
    resp = api.client.delete("/v1/footprints", headers=keys["alice"])
    problem(resp, 405)


# --------------------------------------------------------------------------- quota


def test_daily_order_line_quota_is_429_and_stores_nothing(api, keys, store):
    store.set_limits("alice", daily_order_lines=5)
    assert api.post("/v1/orders", json=_order("Q-1", 3), headers=keys["alice"]).status_code \
        == 201
    resp = api.post("/v1/orders", json=_order("Q-2", 3), headers=keys["alice"])
    out = problem(resp, 429)
    assert out["type"] == "urn:pcf:problem:quota-exceeded"
    assert 1 <= int(resp.headers["Retry-After"]) <= 86401
    assert store.count_orders() == (1, 3)
    alice = store.get_tenant("alice")
    assert store.order_lines_used(alice.id) == 3           # the refused order counted nothing
    # a replay stores nothing new and is not counted
    assert api.post("/v1/orders", json=_order("Q-1", 3), headers=keys["alice"]).status_code \
        == 200
    assert api.post("/v1/orders", json=_order("Q-3", 2), headers=keys["alice"]).status_code \
        == 201
    assert store.order_lines_used(alice.id) == 5
    # another tenant has its own quota
    assert api.post("/v1/orders", json=_order("Q-2", 3), headers=keys["bob"]).status_code == 201


def test_rate_limit_is_429_with_retry_after_per_tenant(app, keys, store):
    api = SpecClient(app)
    store.set_limits("alice", rate_limit="3/minute")
    body = {"product": PRODUCT}
    for _ in range(3):
        assert api.post("/v1/footprints", json=body, headers=keys["alice"]).status_code == 200
    resp = api.post("/v1/footprints", json=body, headers=keys["alice"])
    out = problem(resp, 429)
    assert "3 per 1 minute" in out["detail"]
    assert 1 <= int(resp.headers["Retry-After"]) <= 60
    # one budget over every endpoint
    problem(api.get("/v1/orders/nothing", headers=keys["alice"]), 429)
    # others are not affected, nor public endpoints
    assert api.post("/v1/footprints", json=body, headers=keys["bob"]).status_code == 200
    assert api.get("/health").status_code == 200
    assert api.get(f"/v1/products/{PRODUCT}").status_code == 200


def test_rate_limit_counters_are_shared_through_the_database(home, db_url, tmp_path):
    """Two apps (two worker processes) on one database count into the same window."""
    from pcf.api import create_app

    apps = [create_app({"PCF_DATABASE_URL": db_url}) for _ in range(2)]
    store = apps[0].extensions["pcf"].store
    _, key = store.create_tenant("shared", "customer")
    store.set_limits("shared", rate_limit="4/minute")
    headers = {"Authorization": f"Bearer {key}"}
    statuses = [apps[i % 2].test_client().get("/v1/orders/none", headers=headers).status_code
                for i in range(6)]
    assert statuses == [404, 404, 404, 404, 429, 429]
    assert (tmp_path / "app-limits.sqlite3").exists()   # counters beside the database


def test_admin_sets_limits_over_the_api(api, keys, store):
    resp = api.open("PATCH", "/v1/tenants/alice", json={"rate_limit": "120/minute",
                                                       "daily_order_lines": 1000},
                    headers=keys["ada"])
    assert resp.status_code == 200
    limits = resp.get_json()["limits"]
    assert limits["rate_limit"] == "120/minute" and limits["daily_order_lines"] == 1000
    out = problem(api.open("PATCH", "/v1/tenants/alice", json={"rate_limit": "lots"},
                           headers=keys["ada"]), 422)
    assert "rate_limit" in out["errors"]
    problem(api.open("PATCH", "/v1/tenants/alice", json={"rate_limit": None},
                     headers=keys["alice"]), 403)
    resp = api.open("PATCH", "/v1/tenants/alice", json={"rate_limit": None},
                    headers=keys["ada"])
    assert resp.get_json()["limits"]["rate_limit_is_default"] is True


def test_every_role_reads_its_own_tenant(api, keys):
    """GET /v1/tenant: the caller's name, role, limits and usage, for any role; no key 401."""
    for name, role in (("alice", "customer"), ("erin", "engineer"), ("ada", "admin")):
        own = api.get("/v1/tenant", headers=keys[name]).get_json()
        assert own["name"] == name and own["role"] == role
        assert own["limits"]["order_lines_used_today"] == 0
    api.post("/v1/orders", json=_order("PO-OWN", n=3), headers=keys["alice"])
    assert api.get("/v1/tenant", headers=keys["alice"]).get_json()["limits"][
        "order_lines_used_today"] == 3
    # the same document an admin reads for that tenant
    assert api.get("/v1/tenant", headers=keys["alice"]).get_json() == \
        api.get("/v1/tenants/alice", headers=keys["ada"]).get_json()
    problem(api.get("/v1/tenant"), 401)


# --------------------------------------------------------------------------- keys


def test_keys_listed_revoked_and_expired(api, keys, store, monkeypatch):
    listed = api.get("/v1/tenants/alice/keys", headers=keys["ada"]).get_json()["keys"]
    assert len(listed) == 1 and listed[0]["status"] == "active"
    alice_key = keys["alice"]["Authorization"].split()[1]
    assert listed[0]["prefix"] == alice_key[:12]
    assert listed[0]["last_used_at"] is None
    assert api.post("/v1/footprints", json={"product": PRODUCT},
                    headers=keys["alice"]).status_code == 200
    listed = api.get("/v1/tenants/alice/keys", headers=keys["ada"]).get_json()["keys"]
    assert listed[0]["last_used_at"] is not None
    # a second key with an expiry
    made = api.post("/v1/tenants/alice/keys", json={"expires_in_days": 1},
                    headers=keys["ada"])
    assert made.status_code == 201
    second = {"Authorization": f"Bearer {made.get_json()['api_key']}"}
    assert api.get("/v1/orders/none", headers=second).status_code == 404
    # revoke the first: refused at once, the second still works
    resp = api.open("DELETE", f"/v1/tenants/alice/keys/{alice_key[:12]}", headers=keys["ada"])
    assert resp.status_code == 200 and resp.get_json()["status"] == "revoked"
    problem(api.get("/v1/orders/none", headers=keys["alice"]), 401)
    assert api.get("/v1/orders/none", headers=second).status_code == 404
    problem(api.open("DELETE", f"/v1/tenants/alice/keys/{alice_key[:12]}",
                     headers=keys["ada"]), 409)
    problem(api.open("DELETE", "/v1/tenants/alice/keys/pcf_nothing1", headers=keys["ada"]),
            404)
    problem(api.get("/v1/tenants/alice/keys", headers=keys["erin"]), 403)
    # an expired key is refused
    expired = store.add_key("bob", datetime.now(UTC) + timedelta(seconds=1))
    assert store.authenticate(expired) is not None
    with sqlite3.connect(store.engine.url.database) as con:
        con.execute("UPDATE api_keys SET expires_at = '2000-01-01 00:00:00' "
                    "WHERE prefix = ?", (expired[:12],))
    # the key was verified (and cached, issue 21) with its one-second expiry: a second later
    # it is refused whether the answer comes from the cache or the database
    import pcf.store.tenants as tenants

    later = datetime.now(UTC) + timedelta(seconds=2)
    monkeypatch.setattr(tenants, "utcnow", lambda: later)
    problem(api.get("/v1/orders/none", headers={"Authorization": f"Bearer {expired}"}), 401)
    statuses = {k["prefix"]: k["status"] for k in store.list_keys("bob")
                for k in [k.to_dict()]}
    assert statuses[expired[:12]] == "expired"


def test_cli_keys_and_revoke(monkeypatch, db_url, store, keys):
    from click.testing import CliRunner

    from pcf.commands.tenants import tenants

    monkeypatch.setenv("PCF_DATABASE_URL", db_url)
    runner = CliRunner()
    out = runner.invoke(tenants, ["keys", "bob", "--format", "json"])
    assert out.exit_code == 0, out.output
    (key,) = json.loads(out.stdout)
    out = runner.invoke(tenants, ["revoke-key", "bob", key["prefix"]])
    assert out.exit_code == 0 and "revoked" in out.stdout
    assert store.authenticate(keys["bob"]["Authorization"].split()[1]) is None
    again = runner.invoke(tenants, ["revoke-key", "bob", key["prefix"]])
    assert again.exit_code == 2 and "already revoked" in again.output
    out = runner.invoke(tenants, ["limits", "bob", "--rate", "10/second", "--daily-lines", "7",
                                  "--format", "json"])
    assert out.exit_code == 0, out.output
    shown = json.loads(out.stdout)
    assert shown["rate_limit"] == "10/second" and shown["daily_order_lines"] == 7
    assert runner.invoke(tenants, ["limits", "bob", "--rate", "fast"]).exit_code == 2


# --------------------------------------------------------------------------- proportion


def test_orders_are_answered_a_page_at_a_time(api, keys, store):
    body = _order("PG-250", 250)
    resp = api.post("/v1/orders", json=body, headers=keys["alice"])
    assert resp.status_code == 201
    doc = resp.get_json()
    assert doc["line_count"] == 250 and len(doc["lines"]) == 100
    assert doc["lines_page"]["next"] == "/v1/orders/PG-250?offset=100&limit=100"
    assert resp.headers["Link"] == '</v1/orders/PG-250?offset=100&limit=100>; rel="next"'
    seen = [line["line_id"] for line in doc["lines"]]
    url = doc["lines_page"]["next"]
    while url:
        page = api.get(url, headers=keys["alice"]).get_json()
        seen += [line["line_id"] for line in page["lines"]]
        url = page["lines_page"]["next"]
    assert seen == [line["line_id"] for line in body["lines"]]
    big = api.get("/v1/orders/PG-250?limit=1000", headers=keys["alice"]).get_json()
    assert len(big["lines"]) == 250 and big["lines_page"]["next"] is None
    problem(api.get("/v1/orders/PG-250?limit=1001", headers=keys["alice"]), 422)


def test_one_line_in_full(api, keys):
    body = _order("PO-L", 3)
    api.post("/v1/orders", json=body, headers=keys["alice"])
    resp = api.get("/v1/orders/PO-L/lines/20", headers=keys["alice"])
    assert resp.status_code == 200
    fp = resp.get_json()["footprint"]
    req = body["lines"][1]
    expected = service.compute_footprint(PRODUCT, parameters=req["parameters"],
                                         quantity=req["quantity"], unit=req["unit"])
    assert fp["contributions"] == json.loads(json.dumps(expected["contributions"]))
    assert fp["total"]["total"] == pytest.approx(expected["total"]["total"], rel=1e-12)
    problem(api.get("/v1/orders/PO-L/lines/99", headers=keys["alice"]), 404)
    problem(api.get("/v1/orders/PO-L/lines/20", headers=keys["bob"]), 404)


def _db_bytes(store) -> int:
    path = store.engine.url.database
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    return pages * size


@pytest.mark.parametrize("product", [PRODUCT, "ndfeb-magnet"])
def test_a_5000_line_order_stores_and_answers_under_2_mb(api, keys, store, product):
    body = {"order_id": "BIG", "lines": [
        {"line_id": f"L{i:05d}", "product": product, "quantity": 1 + i % 13, "unit": "kg",
         "parameters": {"recycled_content": (i % 21) / 20}} for i in range(5000)]}
    before = _db_bytes(store)
    resp = api.client.post("/v1/orders", json=body, headers=keys["alice"])
    assert resp.status_code == 201
    stored = _db_bytes(store) - before
    assert stored <= 2_000_000, stored
    assert len(resp.data) <= 2_000_000, len(resp.data)
    doc = resp.get_json()
    assert doc["line_count"] == 5000
    # every line reads back with its own quantity and total
    last = api.client.get("/v1/orders/BIG/lines/L04999", headers=keys["alice"]).get_json()
    assert last["footprint"]["quantity"] == 1 + 4999 % 13
    assert last["footprint"]["parameters"]["recycled_content"] == (4999 % 21) / 20
