"""``/v1/certificates``: roles, tenant isolation, bad input, supersession, revocation, PDF,
verification, public key. Every response is validated against ``/openapi.json``."""

from __future__ import annotations

import copy
import io
import json
import re

import pytest

from tests.api.api_helpers import SpecClient, problem

ORDER = {"order_id": "PO-1", "lines": [
    {"line_id": "10", "product": "aluminium-coil", "variant": "recycled", "quantity": 24,
     "unit": "t"},
    {"line_id": "20", "product": "battery-cell-lfp", "quantity": 1.5, "unit": "MWh",
     "parameters": {"renewable_electricity_share": 0.4}},
]}


@pytest.fixture
def app(built_home, tmp_path, monkeypatch):
    from pcf.api import create_app
    from pcf.certificates import signing

    monkeypatch.setattr(signing, "key_dir", lambda: tmp_path / "keys")
    monkeypatch.delenv("PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES", raising=False)
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
def keys(app, api) -> dict[str, dict[str, str]]:
    """alice, bob (customers), erin (engineer), ada (admin); alice and erin have PO-1."""
    store = app.extensions["pcf"].store
    out = {}
    for name, role in (("alice", "customer"), ("bob", "customer"), ("erin", "engineer"),
                       ("ada", "admin")):
        _, key = store.create_tenant(name, role)
        out[name] = {"Authorization": f"Bearer {key}"}
    for name in ("alice", "erin"):
        assert api.post("/v1/orders", json=ORDER, headers=out[name]).status_code == 201
    return out


def issue_for_alice(api, keys, line_id="10"):
    resp = api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": line_id,
                                              "tenant": "alice"}, headers=keys["ada"])
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_engineer_issues_for_own_tenant_and_admin_for_any(api, keys):
    resp = api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "20"},
                    headers=keys["erin"])
    assert resp.status_code == 201
    cert = resp.get_json()
    assert resp.headers["Location"] == cert["links"]["self"]
    assert cert["customer"] == "erin" and cert["issued_by"] == "erin"
    assert cert["status"] == "active" and cert["pact_status"] == "Active"
    assert re.fullmatch(r"PCF-\d{4}-\d{6}", cert["number"])
    assert cert["document"]["certificate"]["number"] == cert["number"]
    admin = issue_for_alice(api, keys)
    assert admin["customer"] == "alice" and admin["issued_by"] == "ada"
    # an engineer may not certify another tenant's order
    body = problem(api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10",
                                                      "tenant": "alice"},
                            headers=keys["erin"]), 403)
    assert body["allowed"] == {"role": ["admin"]}


def test_customers_issue_only_when_the_deployment_allows(app, api, keys):
    body = problem(api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10"},
                            headers=keys["alice"]), 403)
    assert "engineer" in body["detail"]
    app.config["PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES"] = True
    resp = api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10"},
                    headers=keys["alice"])
    assert resp.status_code == 201 and resp.get_json()["customer"] == "alice"
    # bob has no order PO-1: 404 naming the field, not alice's order
    body = problem(api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10"},
                            headers=keys["bob"]), 404)
    assert "order_id" in body["errors"]


def test_tenant_isolation(api, keys):
    cert = issue_for_alice(api, keys)
    cid = cert["id"]
    for path in (f"/v1/certificates/{cid}", f"/v1/certificates/{cid}.pdf",
                 f"/v1/certificates/{cid}/verification"):
        resp = api.client.get(path, headers=keys["bob"])
        assert resp.status_code == 404, path
        assert resp.mimetype == "application/problem+json"
        assert api.client.get(path, headers=keys["alice"]).status_code == 200, path
        assert api.client.get(path, headers=keys["ada"]).status_code == 200, path
    # erin (engineer of another tenant) cannot see, revoke or supersede alice's certificate
    for action in ("revocation", "supersession"):
        body = problem(api.post(f"/v1/certificates/{cid}/{action}", json={"reason": "x"},
                                headers=keys["erin"]), 404)
        assert "certificate_id" in body["errors"]
    assert api.get("/v1/certificates", headers=keys["bob"]).get_json() == {
        "certificates": [], "truncated": False}
    assert [c["id"] for c in api.get("/v1/certificates",
                                      headers=keys["alice"]).get_json()["certificates"]] == [cid]
    problem(api.get("/v1/certificates?tenant=alice", headers=keys["bob"]), 403)
    listed = api.get("/v1/certificates?tenant=alice", headers=keys["ada"]).get_json()
    assert [c["id"] for c in listed["certificates"]] == [cid]
    # verifying someone else's file works (it is self-contained) but reveals no status
    resp = api.post("/v1/certificates/verification", json=cert, headers=keys["bob"])
    assert resp.get_json()["valid"] is True and resp.get_json()["status"] is None
    # and no key at all is 401
    problem(api.get(f"/v1/certificates/{cid}"), 401)


@pytest.mark.parametrize("body,status,field", [
    ({"order_id": "PO-1"}, 422, "line_id"),
    ({"line_id": "10"}, 422, "order_id"),
    ({"order_id": "PO 1", "line_id": "10"}, 422, "order_id"),
    ({"order_id": "PO-1", "line_id": ""}, 422, "line_id"),
    ({"order_id": "PO-1", "line_id": "10", "colour": "green"}, 422, "colour"),
    ({"order_id": "PO-1", "line_id": "10", "tenant": "nobody"}, 422, "tenant"),
    ({"order_id": "PO-9", "line_id": "10", "tenant": "alice"}, 404, "order_id"),
    ({"order_id": "PO-1", "line_id": "99", "tenant": "alice"}, 404, "line_id"),
])
def test_bad_issue_requests_name_the_field(api, keys, body, status, field):
    resp = api.post("/v1/certificates", json=body, headers=keys["ada"])
    assert field in problem(resp, status)["errors"]
    assert api.get("/v1/certificates", headers=keys["ada"]).get_json()["certificates"] == []


def test_bad_ids_and_reasons(api, keys):
    cert = issue_for_alice(api, keys)
    problem(api.get("/v1/certificates/not-a-uuid", headers=keys["ada"]), 404)
    problem(api.get("/v1/certificates/00000000-0000-0000-0000-000000000000",
                    headers=keys["ada"]), 404)
    for body in ({}, {"reason": ""}, {"reason": "x" * 1001}, {"reason": "ok", "extra": 1}):
        resp = api.post(f"/v1/certificates/{cert['id']}/revocation", json=body,
                        headers=keys["ada"])
        errors = problem(resp, 422)["errors"]
        assert "reason" in errors or "extra" in errors
    problem(api.post("/v1/certificates/verification", json={"document": {}},
                     headers=keys["ada"]), 422)
    problem(api.post("/v1/certificates", data="{", content_type="application/json",
                     headers=keys["ada"]), 400)


def test_second_certificate_for_a_line_is_409(api, keys):
    cert = issue_for_alice(api, keys)
    body = problem(api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10",
                                                      "tenant": "alice"},
                            headers=keys["ada"]), 409)
    assert cert["number"] in body["detail"] and "line_id" in body["errors"]


def test_supersession_and_revocation(api, keys):
    old = api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10"},
                   headers=keys["erin"]).get_json()
    resp = api.post(f"/v1/certificates/{old['id']}/supersession",
                    json={"reason": "site grid corrected"}, headers=keys["erin"])
    assert resp.status_code == 201
    new = resp.get_json()
    assert new["supersedes"] == {"id": old["id"], "number": old["number"]}
    assert new["supersession_reason"] == "site grid corrected"
    assert new["document"]["productFootprint"]["precedingPfIds"] == [old["id"]]
    old_now = api.get(f"/v1/certificates/{old['id']}", headers=keys["erin"]).get_json()
    assert old_now["status"] == "superseded" and old_now["pact_status"] == "Deprecated"
    assert old_now["superseded_by"] == {"id": new["id"], "number": new["number"]}
    assert old_now["document"] == old["document"] and old_now["sha256"] == old["sha256"]
    problem(api.post(f"/v1/certificates/{old['id']}/supersession", json={"reason": "again"},
                     headers=keys["erin"]), 409)
    # customers may not revoke or supersede
    alice_cert = issue_for_alice(api, keys)
    problem(api.post(f"/v1/certificates/{alice_cert['id']}/revocation",
                     json={"reason": "mine"}, headers=keys["alice"]), 403)
    # revoke the correction
    resp = api.post(f"/v1/certificates/{new['id']}/revocation",
                    json={"reason": "issued in error"}, headers=keys["erin"])
    assert resp.status_code == 200
    revoked = resp.get_json()
    assert revoked["status"] == "revoked" and revoked["pact_status"] == "Deprecated"
    assert revoked["revocation"]["reason"] == "issued in error"
    assert revoked["revocation"]["revoked_by"] == "erin"
    assert revoked["sha256"] == new["sha256"]
    problem(api.post(f"/v1/certificates/{new['id']}/revocation", json={"reason": "twice"},
                     headers=keys["erin"]), 409)
    check = api.get(f"/v1/certificates/{new['id']}/verification", headers=keys["erin"])
    result = check.get_json()
    assert result["valid"] is True and result["valid_now"] is False
    assert result["status"] == "revoked"
    listed = api.get("/v1/certificates?status=revoked", headers=keys["erin"]).get_json()
    assert [c["id"] for c in listed["certificates"]] == [new["id"]]
    # the line can be certified again after the revocation
    again = api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10"},
                     headers=keys["erin"])
    assert again.status_code == 201


def test_verification_endpoints(api, keys):
    cert = issue_for_alice(api, keys, "20")
    result = api.get(f"/v1/certificates/{cert['id']}/verification",
                     headers=keys["alice"]).get_json()
    assert result["valid"] is True and result["valid_now"] is True
    assert result["status"] == "active"
    assert result["checks"]["recomputation"]["status"] == "match"
    # a file the customer holds, unchanged: valid; tampered: invalid
    saved = api.get(f"/v1/certificates/{cert['id']}", headers=keys["alice"]).get_json()
    ok = api.post("/v1/certificates/verification", json=saved, headers=keys["alice"])
    assert ok.get_json()["valid"] is True and ok.get_json()["status"] == "active"
    tampered = copy.deepcopy(saved)
    tampered["document"]["productFootprint"]["pcf"]["pcfExcludingBiogenicUptake"] = "1"
    bad = api.post("/v1/certificates/verification", json=tampered,
                   headers=keys["alice"]).get_json()
    assert bad["valid"] is False and bad["checks"]["hash"]["ok"] is False
    assert bad["checks"]["signature"]["ok"] is False and bad["status"] is None


def test_public_key_is_public_and_verifies_signatures(api, keys):
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from pcf.certificates.signing import canonical_json

    cert = issue_for_alice(api, keys)
    resp = api.get("/v1/certificates/public-key")
    assert resp.status_code == 200
    info = resp.get_json()
    assert info["algorithm"] == "Ed25519" and info["keyId"] == cert["signature"]["keyId"]
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(info["publicKey"]))
    key.verify(base64.b64decode(cert["signature"]["value"]), canonical_json(cert["document"]))
    assert api.spec["paths"]["/v1/certificates/public-key"]["get"]["security"] == []
    assert "security" not in api.spec["paths"]["/v1/certificates"]["post"]


def test_pdf_endpoint(api, keys):
    from pypdf import PdfReader

    from pcf.certificates.pdf import per_unit_text

    cert = issue_for_alice(api, keys)
    resp = api.client.get(f"/v1/certificates/{cert['id']}.pdf", headers=keys["alice"])
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert cert["number"] in resp.headers["Content-Disposition"]
    page = PdfReader(io.BytesIO(resp.data)).pages[0].extract_text()
    flat = re.sub(r"\s+", " ", page)
    assert cert["number"] in flat
    assert per_unit_text(cert["document"]).split(" per ")[0] in flat
    assert f"/v1/certificates/{cert['id']}/verification" in flat.replace(" ", "")
    api.post(f"/v1/certificates/{cert['id']}/revocation", json={"reason": "test"},
             headers=keys["ada"])
    resp = api.client.get(f"/v1/certificates/{cert['id']}.pdf", headers=keys["alice"])
    assert "REVOKED" in PdfReader(io.BytesIO(resp.data)).pages[0].extract_text()


def test_openapi_documents_the_certificate_routes(api):
    paths = api.spec["paths"]
    for path, methods in {
            "/v1/certificates": {"get", "post"},
            "/v1/certificates/public-key": {"get"},
            "/v1/certificates/verification": {"post"},
            "/v1/certificates/{certificate_id}": {"get"},
            "/v1/certificates/{certificate_id}.pdf": {"get"},
            "/v1/certificates/{certificate_id}/verification": {"get"},
            "/v1/certificates/{certificate_id}/revocation": {"post"},
            "/v1/certificates/{certificate_id}/supersession": {"post"}}.items():
        assert methods <= set(paths[path]), path
    schemas = api.spec["components"]["schemas"]
    assert schemas["CertificateRequest"]["additionalProperties"] is False
    assert "application/pdf" in paths["/v1/certificates/{certificate_id}.pdf"]["get"][
        "responses"]["200"]["content"]


def test_links_never_follow_an_untrusted_host_header(api, keys, monkeypatch):
    """Without PCF_PUBLIC_URL a non-loopback Host is refused; with it, links use it."""
    resp = api.post("/v1/certificates", json={"order_id": "PO-1", "line_id": "10"},
                    headers=keys["erin"])
    assert resp.status_code == 201, resp.data
    url = f"/v1/certificates/{resp.get_json()['id']}"
    monkeypatch.delenv("PCF_PUBLIC_URL", raising=False)
    resp = api.get(url, headers={**keys["erin"], "Host": "evil.example"})
    assert resp.status_code == 503
    assert "PCF_PUBLIC_URL" in resp.get_json()["detail"]
    monkeypatch.setenv("PCF_PUBLIC_URL", "https://pcf.example.org")
    resp = api.get(url, headers={**keys["erin"], "Host": "evil.example"})
    assert resp.status_code == 200
    assert "evil.example" not in json.dumps(resp.get_json())
    assert "https://pcf.example.org/v1/certificates/" in json.dumps(resp.get_json())
