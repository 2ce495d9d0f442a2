"""GET /v1/products/{id}/sensitivity (issue 17)."""

from __future__ import annotations

from api_helpers import problem


def test_sensitivity_document(api, keys):
    resp = api.get("/v1/products/ndfeb-magnet/sensitivity?variant=recycled&draws=800&seed=3",
                   headers=keys["alice"])
    assert resp.status_code == 200, resp.get_json()
    doc = resp.get_json()
    assert (doc["variant"], doc["draws"], doc["seed"]) == ("recycled", 800, 3)
    assert abs(sum(r["variance_share"] for r in doc["inputs"]) + doc["inputs_other_share"]
               - 1.0) < 1e-9


def test_sensitivity_bad_input(api, keys):
    assert "draws" in problem(api.get("/v1/products/ndfeb-magnet/sensitivity?draws=0",
                                      headers=keys["alice"]), 422)["errors"]
    problem(api.get("/v1/products/no-such/sensitivity", headers=keys["alice"]), 404)
    problem(api.get("/v1/products/ndfeb-magnet/sensitivity"), 401)


def test_draws_are_bounded(api, keys):
    """Found in review: 100,000 draws took 1.1 GB on any role's request."""
    resp = api.get("/v1/products/battery-cell-nmc811/sensitivity?draws=20001",
                   headers=keys["alice"])
    assert resp.status_code == 422 and "draws" in resp.get_data(as_text=True)
