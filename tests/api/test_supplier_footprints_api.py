"""``/v1/supplier-footprints`` and footprints, orders and certificates of a company and year
(issue 15). Every response is validated against ``/openapi.json``."""

from __future__ import annotations

import copy
import json

import pytest

from tests.api.api_helpers import SpecClient, problem
from tests.test_suppliers import LIOH_PER_KWH, pact_doc


@pytest.fixture
def app(built_home, tmp_path, monkeypatch):
    from pcf.api import create_app
    from pcf.certificates import signing

    monkeypatch.setattr(signing, "key_dir", lambda: tmp_path / "keys")
    monkeypatch.delenv("PCF_PUBLIC_URL", raising=False)
    signing._CACHE.clear()
    app = create_app({"PCF_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
                      "TESTING": True})
    yield app
    app.extensions["pcf"].store.dispose()
    signing._CACHE.clear()


@pytest.fixture
def api(app) -> SpecClient:
    return SpecClient(app)


@pytest.fixture
def keys(app) -> dict[str, dict[str, str]]:
    store = app.extensions["pcf"].store
    out = {}
    for name, role in (("alice", "customer"), ("erin", "engineer"), ("ada", "admin")):
        _, key = store.create_tenant(name, role)
        out[name] = {"Authorization": f"Bearer {key}"}
    return out


def body(document, **kwargs):
    return {"company": "shengtong", "year": 2025, "input": "aluminium-ingot",
            "document": document, **kwargs}


def listed(api, keys) -> list:
    resp = api.get("/v1/supplier-footprints", headers=keys["erin"])
    assert resp.status_code == 200
    return resp.get_json()["supplier_footprints"]


def test_store_read_list_remove(api, keys):
    doc = pact_doc()
    resp = api.post("/v1/supplier-footprints", json=body(doc, share=0.6), headers=keys["erin"])
    assert resp.status_code == 201, resp.get_json()
    record = resp.get_json()
    assert resp.headers["Location"] == f"/v1/supplier-footprints/{record['id']}"
    assert record["created_by"] == "erin" and record["share"] == 0.6
    again = api.post("/v1/supplier-footprints", json=body(doc, share=0.6), headers=keys["ada"])
    assert again.status_code == 200 and again.get_json()["id"] == record["id"]
    assert [r["id"] for r in listed(api, keys)] == [record["id"]]
    one = api.get(f"/v1/supplier-footprints/{record['id']}", headers=keys["ada"])
    assert one.get_json()["pf_id"] == doc["id"]
    filtered = api.get("/v1/supplier-footprints?company=sunwoda", headers=keys["erin"])
    assert filtered.get_json()["supplier_footprints"] == []
    gone = api.open("DELETE", f"/v1/supplier-footprints/{record['id']}", headers=keys["erin"])
    assert gone.status_code == 200 and listed(api, keys) == []
    problem(api.get(f"/v1/supplier-footprints/{record['id']}", headers=keys["erin"]), 404)


def test_roles(api, keys):
    problem(api.post("/v1/supplier-footprints", json=body(pact_doc())), 401)
    problem(api.post("/v1/supplier-footprints", json=body(pact_doc()), headers=keys["alice"]),
            403)
    problem(api.get("/v1/supplier-footprints", headers=keys["alice"]), 403)
    assert listed(api, keys) == []


@pytest.mark.parametrize("request_body, status, check, field", [
    (body(pact_doc(pcf_declaredUnitOfMeasurement="kilowatt hour")), 422, "unit",
     "pcf.declaredUnitOfMeasurement"),
    (body(pact_doc(pcf_boundaryProcessesDescription="gate-to-gate")), 422, "boundary",
     "pcf.boundaryProcessesDescription"),
    (body(pact_doc(validityPeriodEnd="2026-01-01T00:00:00Z")), 422, "expiry",
     "validityPeriodEnd"),
    (body({"document": {}, "sha256": "0" * 64, "signature": "x"}), 422, "format",
     "signature"),
    (body({"document": {}, "sha256": "0" * 64, "signature": {"value": "x"}}), 422,
     "signature", "sha256"),
    (body(pact_doc(), company="acme"), 422, None, "company"),
    (body(pact_doc(), input="steel"), 422, None, "input"),
    (body(pact_doc(), share=0), 422, None, "share"),
])
def test_refusals_store_nothing(api, keys, request_body, status, check, field):
    data = problem(api.post("/v1/supplier-footprints", json=request_body,
                            headers=keys["erin"]), status)
    assert data.get("check") == check
    assert field in data["errors"], data
    assert listed(api, keys) == []


def test_certificate_file_from_another_deployment(app, api, keys):
    """A pcf certificate (here issued by this app, its key then trusted as a supplier's) is
    accepted only once its key is trusted, and refused once a digit changes."""
    from pcf.certificates.signing import public_key_info
    from pcf.service.suppliers import trust

    order = {"order_id": "PO-LI", "lines": [{"line_id": "1", "product": "lithium-hydroxide",
                                             "quantity": 500, "unit": "kg"}]}
    assert api.post("/v1/orders", json=order, headers=keys["erin"]).status_code == 201
    cert = api.post("/v1/certificates", json={"order_id": "PO-LI", "line_id": "1"},
                    headers=keys["erin"]).get_json()
    request_body = {"company": "sunwoda", "year": 2024, "input": "lithium-hydroxide",
                    "document": cert}
    data = problem(api.post("/v1/supplier-footprints", json=request_body,
                            headers=keys["erin"]), 422)
    assert data["check"] == "untrusted-key"
    trust(app.extensions["pcf"].store, "tianqi", json.dumps(public_key_info()))
    tampered = copy.deepcopy(request_body)
    tampered["document"]["document"]["productFootprint"]["pcf"]["fossilGhgEmissions"] = "1"
    assert problem(api.post("/v1/supplier-footprints", json=tampered, headers=keys["erin"]),
                   422)["check"] == "signature"
    assert listed(api, keys) == []
    resp = api.post("/v1/supplier-footprints", json=request_body, headers=keys["erin"])
    assert resp.status_code == 201
    assert resp.get_json()["verification"]["status"] == "signature-verified"


def test_footprint_order_and_certificate_of_a_company_and_year(api, keys):
    from pcf.certificates.pact import decimal_str

    li = {"company": "sunwoda", "year": 2024, "input": "lithium-hydroxide", "share": 0.5,
          "document": pact_doc(total="7.5", fossil="7.5", land_use="0",
                               companyName="Lithium supplier",
                               pcf_referencePeriodStart="2024-01-01T00:00:00Z",
                               pcf_referencePeriodEnd="2025-01-01T00:00:00Z")}
    assert api.post("/v1/supplier-footprints", json=li, headers=keys["erin"]).status_code \
        == 201
    plain = api.post("/v1/footprints", json={"product": "battery-cell-nmc811", "parameters": {
        "cell_factory_grid": "cn-south", "graphitization_grid": "cn-south"}},
        headers=keys["alice"]).get_json()
    average = api.post("/v1/footprints", json={"product": "lithium-hydroxide"},
                       headers=keys["alice"]).get_json()["per_declared_unit"]["total"]
    resp = api.post("/v1/footprints", json={"product": "battery-cell-nmc811",
                                            "company": "sunwoda", "year": 2024},
                    headers=keys["alice"])
    fp = resp.get_json()
    expected = plain["per_declared_unit"]["total"] + LIOH_PER_KWH * 0.5 * (7.5 - average)
    assert fp["per_declared_unit"]["total"] == pytest.approx(expected, abs=2e-5)
    assert fp["company"]["settings_year"] == 2024
    assert fp["supplier_footprints"][0]["records"][0]["supplier"] == "Lithium supplier"
    assert fp["primary_data"]["percent"] == pytest.approx(
        100 * LIOH_PER_KWH * 0.5 * 7.5 / fp["per_declared_unit"]["total"], abs=0.01)
    problem(api.post("/v1/footprints", json={"product": "battery-cell-nmc811",
                                             "company": "sunwoda"}, headers=keys["alice"]), 422)
    order = {"order_id": "PO-C", "lines": [{"line_id": "1", "product": "battery-cell-nmc811",
                                            "quantity": 2, "unit": "MWh",
                                            "company": "sunwoda", "year": 2024}]}
    stored = api.post("/v1/orders", json=order, headers=keys["erin"]).get_json()
    line = stored["lines"][0]["footprint"]
    assert line["per_declared_unit"] == fp["per_declared_unit"]
    cert = api.post("/v1/certificates", json={"order_id": "PO-C", "line_id": "1"},
                    headers=keys["erin"]).get_json()
    pf = cert["document"]["productFootprint"]
    assert pf["pcf"]["primaryDataShare"] == decimal_str(fp["primary_data"]["percent"])
    assert pf["extensions"][0]["data"]["supplierFootprints"][0]["input"] == "lithium-hydroxide"
    verification = api.get(f"/v1/certificates/{cert['id']}/verification",
                           headers=keys["erin"]).get_json()
    assert verification["valid"] is True
