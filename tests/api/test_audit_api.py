"""GET /v1/products/{id}/audit and /audit.md (issue 16), through the real app."""

from __future__ import annotations

from api_helpers import problem


def test_audit_json_same_as_the_service(api, keys):
    from pcf.service.audit import audit

    resp = api.get("/v1/products/ndfeb-magnet/audit?variant=recycled", headers=keys["alice"])
    assert resp.status_code == 200, resp.data
    body = resp.get_json()
    expected = audit("ndfeb-magnet", variant="recycled")
    assert body["result"] == expected["result"]
    assert body["published_ranges"] == expected["published_ranges"]
    assert [f["code"] for f in body["flags"]] == [f["code"] for f in expected["flags"]]


def test_audit_with_parameters_and_markdown(api, keys):
    resp = api.get("/v1/products/aluminium-coil/audit?variant=virgin&set=furnace=electric"
                   "&set=renewable_electricity_share=1", headers=keys["erin"])
    assert resp.status_code == 200
    params = resp.get_json()["parameters"]
    assert params["furnace"] == "electric" and params["renewable_electricity_share"] == 1.0
    md = api.get("/v1/products/aluminium-coil/audit.md", headers=keys["ada"])
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    assert "## Company data: Shengtong" in md.get_data(as_text=True)


def test_audit_errors(api, keys):
    assert problem(api.get("/v1/products/aluminium-coil/audit"), 401)
    h = keys["alice"]
    problem(api.get("/v1/products/unobtainium/audit", headers=h), 404)
    problem(api.get("/v1/products/aluminium-coil/audit?variant=shiny", headers=h), 422)
    problem(api.get("/v1/products/aluminium-coil/audit?set=nonsense", headers=h), 422)
    problem(api.get("/v1/products/aluminium-coil/audit?set=yield=7", headers=h), 422)
    problem(api.get("/v1/products/aluminium-coil/audit?x=1", headers=h), 422)
