"""GET /v1/orders and GET /v1/certificates: cursor pages, Link headers, bad cursors."""

from __future__ import annotations

import re

from api_helpers import PRODUCT, problem


def _order(order_id: str) -> dict:
    return {"order_id": order_id, "lines": [
        {"line_id": "1", "product": PRODUCT, "variant": "virgin", "quantity": 1, "unit": "t"},
        {"line_id": "2", "product": PRODUCT, "variant": "recycled", "quantity": 2, "unit": "t"}]}


def _next_link(resp) -> str | None:
    link = resp.headers.get("Link")
    if link is None:
        return None
    match = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert match, link
    return match.group(1)


def _walk(api, url, headers, key):
    seen, pages = [], 0
    while url:
        resp = api.get(url, headers=headers)
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        seen += body[key]
        pages += 1
        url = _next_link(resp)
        assert (url is None) == (body.get("next_cursor") is None)
    return seen, pages


def test_orders_are_listed_newest_first_in_pages(api, keys):
    ids = [f"PO-{i}" for i in range(7)]
    for order_id in ids:
        assert api.post("/v1/orders", json=_order(order_id), headers=keys["alice"]).status_code \
            == 201
    api.post("/v1/orders", json=_order("BOB-1"), headers=keys["bob"])
    orders, pages = _walk(api, "/v1/orders?limit=3", keys["alice"], "orders")
    assert [o["order_id"] for o in orders] == ids[::-1]
    assert pages == 3
    assert all(o["line_count"] == 2 and o["total"]["total"] > 0 for o in orders)
    one = api.get("/v1/orders/PO-3", headers=keys["alice"]).get_json()
    listed = next(o for o in orders if o["order_id"] == "PO-3")
    assert listed["total"] == one["total"] and listed["created_at"] == one["created_at"]
    # the default page holds all of them; a new order does not shift a cursor's page
    first = api.get("/v1/orders?limit=3", headers=keys["alice"])
    api.post("/v1/orders", json=_order("PO-new"), headers=keys["alice"])
    second = api.get(_next_link(first), headers=keys["alice"]).get_json()
    assert [o["order_id"] for o in second["orders"]] == ["PO-3", "PO-2", "PO-1"]
    assert len(api.get("/v1/orders", headers=keys["alice"]).get_json()["orders"]) == 8
    # the link keeps other query parameters
    admin = api.get("/v1/orders?tenant=alice&limit=5", headers=keys["ada"])
    assert "tenant=alice" in _next_link(admin)


def test_bad_cursors_and_limits_are_422(api, keys):
    for query in ("cursor=nonsense", "cursor=Y2VydGlmaWNhdGU6MQ", "limit=0", "limit=501",
                  "page=2"):
        problem(api.get(f"/v1/orders?{query}", headers=keys["alice"]), 422)
    problem(api.get("/v1/orders"), 401)
    # a customer may not list another tenant's orders
    problem(api.get("/v1/orders?tenant=bob", headers=keys["alice"]), 403)


def test_certificates_are_paged_with_cursors(api, keys):
    for i in range(3):
        api.post("/v1/orders", json=_order(f"PO-{i}"), headers=keys["erin"])
        for line in ("1", "2"):
            resp = api.post("/v1/certificates", json={"order_id": f"PO-{i}", "line_id": line},
                            headers=keys["erin"])
            assert resp.status_code == 201, resp.get_json()
    everything = api.get("/v1/certificates", headers=keys["erin"]).get_json()
    assert len(everything["certificates"]) == 6 and everything["truncated"] is False
    assert "next_cursor" not in everything
    certs, pages = _walk(api, "/v1/certificates?limit=4", keys["erin"], "certificates")
    assert pages == 2
    assert [c["id"] for c in certs] == [c["id"] for c in everything["certificates"]]
    # a filtered list pages over the matches only
    certs, pages = _walk(api, "/v1/certificates?limit=1&order_id=PO-1", keys["erin"],
                         "certificates")
    assert pages == 2 and {c["order_id"] for c in certs} == {"PO-1"}
    problem(api.get("/v1/certificates?cursor=b3JkZXI6MQ", headers=keys["erin"]), 422)
