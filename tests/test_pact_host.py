"""The PACT v3 host in the app (``/auth/token``, ``/3/footprints``, ``/3/events``), the public
verification page and the delivery of answers, through the tests' own PACT client
(``tests/pact_client.py``) over the Flask test client. The exchange between two real servers
over TLS is in ``test_pact_exchange.py``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.pact_client import (
    CREATED,
    FULFILLED,
    PUBLISHED,
    REJECTED,
    FlaskTransport,
    PactTestClient,
    event,
)

PUBLIC = "https://pcf.example.org"
ISSUER = {"PCF_ISSUER_NAME": "Shengtong Technology Group",
          "PCF_ISSUER_DOMAIN": "shengtong.example",
          "PCF_ISSUER_ID": "urn:uuid:0d9f1c2e-1111-4222-8333-444455556666"}
COIL = "urn:pact:shengtong.example:product-id:aluminium-coil"
LFP = "urn:pact:shengtong.example:product-id:battery-cell-lfp"
COMPANY = ISSUER["PCF_ISSUER_ID"]
LINES = [
    {"line_id": "10", "product": "aluminium-coil", "variant": "recycled", "quantity": 24,
     "unit": "t"},
    {"line_id": "20", "product": "battery-cell-lfp", "quantity": 1.5, "unit": "MWh"},
    {"line_id": "30", "product": "aluminium-coil", "quantity": 500, "unit": "kg"},
]


@pytest.fixture
def keys_dir(tmp_path, monkeypatch):
    from pcf.certificates import signing
    from pcf.pact import keyfile

    monkeypatch.setattr(signing, "key_dir", lambda: tmp_path / "keys")
    monkeypatch.setattr(keyfile, "key_dir", lambda: tmp_path / "keys")
    signing._CACHE.clear()
    keyfile.clear_cache()
    yield tmp_path / "keys"
    signing._CACHE.clear()
    keyfile.clear_cache()


@pytest.fixture
def app(built_home, tmp_path, keys_dir, monkeypatch):
    from pcf.api import create_app

    for name, value in ISSUER.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PCF_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("PCF_PACT_RETRY_BASE_SECONDS", "0.05")
    app = create_app({"PCF_DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
                      "TESTING": True, "PCF_DEV": False})
    yield app
    app.extensions["pcf"].store.dispose()


@pytest.fixture
def world(app):
    """alice (3 certified lines, the third superseded once), bob (1), erin, ada (admin)."""
    from pcf.service.certificates import issue_certificate, supersede_certificate
    from pcf.service.orders import OrderLineInput, submit_order

    store = app.extensions["pcf"].store
    keys, tenants = {}, {}
    for name, role in (("alice", "customer"), ("bob", "customer"), ("erin", "engineer"),
                       ("ada", "admin")):
        tenants[name], keys[name] = store.create_tenant(name, role)

    def order(tenant, lines):
        submit_order(store, tenant.id, "PO-1", [OrderLineInput(**ln) for ln in lines])
        return [issue_certificate(store.engine, tenant_id=tenant.id, order_id="PO-1",
                                  line_id=ln["line_id"], issued_by="test",
                                  require_issuer=True, base_url=PUBLIC) for ln in lines]

    certs = {"alice": order(tenants["alice"], LINES), "bob": order(tenants["bob"], LINES[:1])}
    newer = supersede_certificate(store.engine, certs["alice"][2].certificate_id, tenant_id=None,
                                  issued_by="test", reason="grid factor corrected",
                                  require_issuer=True, base_url=PUBLIC)
    certs["alice"].append(newer)
    return {"store": store, "keys": keys, "tenants": tenants, "certs": certs}


def client(app, world, name, scheme="https") -> PactTestClient:
    return PactTestClient(FlaskTransport(app, scheme), name, world["keys"][name])


def ids(reply) -> list[str]:
    assert reply.status == 200, reply
    return [pf["id"] for pf in reply.body["data"]]


# --------------------------------------------------------------------------- auth


def test_token_endpoint(app, world):
    alice = client(app, world, "alice")
    ok = alice.token_reply()
    assert ok.status == 200 and ok.headers["cache-control"] == "no-store"
    assert set(ok.body) == {"access_token", "token_type", "expires_in"}
    assert ok.body["token_type"] == "Bearer" and 60 <= ok.body["expires_in"] <= 3600
    # a token is a signed JWT naming the tenant, short-lived
    payload = json.loads(base64.urlsafe_b64decode(ok.body["access_token"].split(".")[1] + "=="))
    assert payload["sub"] == "alice" and payload["exp"] - payload["iat"] == 900
    for cid, secret in (("alice", "pcf_wrong"), ("bob", world["keys"]["alice"]),
                        ("nobody", "x")):
        bad = alice.token_reply(cid, secret)
        assert bad.status == 401 and bad.body["error"] == "invalid_client", bad
    assert alice.token_reply(body="grant_type=password").body["error"] == \
        "unsupported_grant_type"
    # credentials in the form body (RFC 6749 2.3.1) work too
    form = alice.t.request("POST", "/auth/token",
                           {"Content-Type": "application/x-www-form-urlencoded"},
                           f"grant_type=client_credentials&client_id=alice&client_secret="
                           f"{world['keys']['alice']}".encode())
    assert form.status == 200
    # OpenID discovery names the token endpoint on the public URL
    disco = alice.t.request("GET", "/.well-known/openid-configuration", {}, None)
    assert disco.body["token_endpoint"] == f"{PUBLIC}/auth/token"


def test_bad_and_expired_tokens_are_401_with_pact_errors(app, world):
    from pcf.pact import tokens

    alice = client(app, world, "alice")
    pf_id = world["certs"]["alice"][0].certificate_id
    for call in (lambda t: alice.list(token=t), lambda t: alice.get(pf_id, token=t),
                 lambda t: alice.post_event(event(PUBLISHED, {"pfIds": [pf_id]},
                                                  "https://x.example"), token=t)):
        reply = call("not-a-token")
        assert reply.status == 401 and reply.body["code"] == "BadRequest", reply
        assert "www-authenticate" in reply.headers
        assert call("").status == 401
    tenant = world["tenants"]["alice"]
    old, _ = tokens.issue(tenant.id, "alice", 1, now=time.time() - 3600, seconds=60)
    reply = alice.list(token=old)
    assert reply.status == 401 and reply.body == {
        "code": "TokenExpired",
        "message": "the access token has expired; get a new one from /auth/token"}
    # a token signed with another secret is not valid
    import jwt

    forged = jwt.encode({"sub": "alice", "tid": tenant.id, "kid": 1, "aud": "pcf-pact",
                         "iss": "pcf", "iat": int(time.time()), "exp": int(time.time()) + 60},
                        b"x" * 32, algorithm="HS256")
    assert alice.list(token=forged).status == 401


def test_plain_http_is_refused_except_in_dev(app, world):
    plain = client(app, world, "alice", scheme="http")
    reply = plain.token_reply()
    assert reply.status == 400 and "HTTPS" in reply.body["error_description"]
    secure = client(app, world, "alice")
    token = secure.authenticate()
    for reply in (plain.list(token=token), plain.get("x", token=token),
                  plain.post_event({}, token=token)):
        assert reply.status == 403 and reply.body["code"] == "AccessDenied", reply
    app.config["PCF_DEV"] = True
    assert plain.token_reply().status == 200
    assert plain.list(token=token).status == 200


# --------------------------------------------------------------------------- footprints


def test_a_customer_sees_only_its_own_footprints(app, world):
    certs = world["certs"]
    alice, bob, ada = (client(app, world, n) for n in ("alice", "bob", "ada"))
    mine = {c.certificate_id for c in certs["alice"]}
    assert set(ids(alice.list())) == mine
    assert set(ids(bob.list())) == {certs["bob"][0].certificate_id}
    assert set(ids(ada.list())) == mine | {certs["bob"][0].certificate_id}
    # GetFootprint: own 200 (same document as in the certificate), another's 403, none 404
    own = alice.get(certs["alice"][0].certificate_id)
    assert own.status == 200
    assert own.body["data"] == certs["alice"][0].document["productFootprint"]
    other = alice.get(certs["bob"][0].certificate_id)
    assert other.status == 403 and other.body["code"] == "AccessDenied"
    missing = alice.get("00000000-0000-0000-0000-000000000000")
    assert missing.status == 404 and missing.body["code"] == "NotFound"
    bad = alice.get("not-a-uuid")
    assert bad.status == 400 and bad.body["code"] == "BadRequest"


def test_footprints_carry_what_buyers_filter_on(app, world):
    pf = client(app, world, "alice").get(world["certs"]["alice"][0].certificate_id).body["data"]
    assert pf["productIds"] == [COIL] and pf["companyIds"] == [COMPANY]
    assert pf["companyName"] == ISSUER["PCF_ISSUER_NAME"]
    assert pf["productClassifications"] == ["urn:pact:wcoomd.org:hs-code:7606"]
    ext = pf["extensions"][0]
    assert ext["dataSchema"] == f"{PUBLIC}/pact/extensions/order-line-certificate/1.0.0/" \
                                "schema.json"
    sources = ext["data"]["productClassifications"]
    assert sources[0]["code"] == "7606" and "WCO" in sources[0]["source"]
    schema = app.test_client().get("/pact/extensions/order-line-certificate/1.0.0/schema.json")
    assert schema.status_code == 200 and schema.get_json()["$id"] == ext["dataSchema"]
    from jsonschema import Draft202012Validator

    assert list(Draft202012Validator(schema.get_json()).iter_errors(ext["data"])) == []


def test_superseded_footprints_are_deprecated_and_filtered_by_status(app, world):
    alice = client(app, world, "alice")
    old, new = world["certs"]["alice"][2], world["certs"]["alice"][3]
    by_id = {pf["id"]: pf for pf in alice.list().body["data"]}
    assert by_id[old.certificate_id]["status"] == "Deprecated"
    assert by_id[new.certificate_id]["status"] == "Active"
    assert by_id[new.certificate_id]["precedingPfIds"] == [old.certificate_id]
    assert ids(alice.list({"status": "Deprecated"})) == [old.certificate_id]
    assert old.certificate_id not in ids(alice.list({"status": "active"}))  # case-insensitive
    assert ids(alice.list({"status": "BogusStatus"})) == []


def test_each_filter_and_their_combination(app, world):
    alice = client(app, world, "alice")
    certs = world["certs"]["alice"]
    coil = {certs[0].certificate_id, certs[2].certificate_id, certs[3].certificate_id}
    lfp = {certs[1].certificate_id}
    everything = coil | lfp
    assert set(ids(alice.list({"productId": COIL}))) == coil
    assert set(ids(alice.list({"productId": COIL.upper()}))) == coil
    assert set(ids(alice.list([("productId", COIL), ("productId", LFP)]))) == everything
    assert ids(alice.list({"productId": "urn:bogus:product:x"})) == []
    assert set(ids(alice.list({"companyId": COMPANY}))) == everything
    assert set(ids(alice.list([("companyId", "urn:bogus:1"), ("companyId", COMPANY)]))) == \
        everything
    assert ids(alice.list({"companyId": "urn:bogus:company:x"})) == []
    assert set(ids(alice.list({"classification": "urn:pact:wcoomd.org:hs-code:850760"}))) == lfp
    assert ids(alice.list({"classification": "urn:bogus:classification:x"})) == []
    # geography: exact, as the conformance suite's test 22 checks (every footprint returned
    # for a value states it); a country does not bring its subdivisions, repeating does (OR)
    assert set(ids(alice.list({"geography": "CN-HN"}))) == coil
    for pf in alice.list({"geography": "CN"}).body["data"]:
        stated = {pf["pcf"].get(k) for k in ("geographyCountry", "geographyCountrySubdivision",
                                              "geographyRegionOrSubregion")}
        assert "CN" in stated
    assert not coil & set(ids(alice.list({"geography": "CN"})))
    assert coil <= set(ids(alice.list([("geography", "CN"), ("geography", "cn-hn")])))
    assert ids(alice.list({"geography": "XX"})) == []
    # validity
    pf = alice.get(certs[0].certificate_id).body["data"]
    start = datetime.fromisoformat(pf["validityPeriodStart"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(pf["validityPeriodEnd"].replace("Z", "+00:00"))
    iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    assert certs[0].certificate_id in ids(alice.list({"validOn": iso(start)}))
    assert ids(alice.list({"validOn": "1900-01-01T00:00:00Z"})) == []
    assert certs[0].certificate_id in ids(alice.list({"validAfter": iso(start - timedelta(1))}))
    assert ids(alice.list({"validAfter": "2099-12-31T23:59:59Z"})) == []
    assert certs[0].certificate_id in ids(alice.list({"validBefore": iso(end + timedelta(1))}))
    assert ids(alice.list({"validBefore": "1900-01-01T00:00:00Z"})) == []
    # different criteria are ANDed
    assert set(ids(alice.list({"productId": COIL, "status": "Active"}))) == \
        coil - {certs[2].certificate_id}
    assert ids(alice.list({"productId": LFP, "geography": "CN-HN"})) == []
    # vendor parameters are ignored; unknown ones and bad dates are bad requests
    assert set(ids(alice.list({"x-acme-invoice": "1"}))) == everything
    for params in ({"validOn": "yesterday"}, {"colour": "red"}, {"limit": "0"},
                   {"limit": "many"}):
        reply = alice.list(params)
        assert reply.status == 400 and reply.body["code"] == "BadRequest", (params, reply)


def test_pagination_with_absolute_links_on_the_public_url(app, world):
    alice = client(app, world, "alice")
    everything = ids(alice.list())
    first = alice.list({"limit": "1", "productId": COIL})
    assert len(first.body["data"]) == 1
    link = first.next_link()
    assert link.startswith(f"{PUBLIC}/3/footprints?") and "productId=" in link
    assert first.headers["link"].endswith('; rel="next"')
    assert alice.list(url=link).body == alice.list(url=link).body  # may be called again
    pages = alice.list_all([("limit", "1")])
    assert [pf["id"] for pf in pages] == everything
    two = alice.list_all([("limit", "2")])
    assert [pf["id"] for pf in two] == everything
    last = alice.list({"limit": "1", "offset": str(len(everything) - 1)})
    assert last.next_link() is None
    # a Host header never leaks into links
    reply = alice.t.request("GET", "/3/footprints?limit=1",
                            {"Authorization": f"Bearer {alice.access_token}",
                             "Host": "evil.example"}, None)
    assert reply.next_link().startswith(PUBLIC)


def test_revoked_certificates_disappear_and_verify_says_revoked(app, world):
    from pcf.service.certificates import revoke_certificate

    alice = client(app, world, "alice")
    gone = world["certs"]["alice"][0]
    assert gone.certificate_id in ids(alice.list())
    revoke_certificate(world["store"].engine, gone.certificate_id, tenant_id=None,
                       revoked_by="ada", reason="issued for the wrong order line")
    assert gone.certificate_id not in ids(alice.list())
    assert alice.get(gone.certificate_id).status == 404
    page = app.test_client().get(f"/verify/{gone.certificate_id}",
                                 headers={"Accept": "application/json"})
    body = page.get_json()
    assert page.status_code == 200 and body["status"] == "revoked" and body["valid"] is False
    assert body["authentic"] is True
    assert body["revocation"]["reason"] == "issued for the wrong order line"
    html = app.test_client().get(f"/verify/{gone.certificate_id}")
    assert html.mimetype == "text/html" and b"revoked" in html.data
    assert b"issued for the wrong order line" in html.data


def test_verify_page_is_public(app, world):
    c = app.test_client()
    active, old, new = (world["certs"]["alice"][i] for i in (1, 2, 3))
    body = c.get(f"/verify/{active.certificate_id}?format=json").get_json()
    assert body["valid"] is True and body["verdict"].startswith("VALID")
    assert body["checks"]["signature"]["ok"] and body["checks"]["hash"]["ok"]
    assert body["issuer"]["name"] == ISSUER["PCF_ISSUER_NAME"]
    assert body["product"]["ids"] == [LFP] and float(body["footprint"]["perDeclaredUnit"]) > 0
    sup = c.get(f"/verify/{old.certificate_id}", headers={"Accept": "application/json"})
    assert sup.get_json()["status"] == "superseded"
    assert sup.get_json()["superseded_by"]["url"] == f"{PUBLIC}/verify/{new.certificate_id}"
    html = c.get(f"/verify/{active.certificate_id}").data.decode()
    assert "VALID: authentic and active" in html and active.sha256 in html
    assert c.get("/verify/00000000-0000-0000-0000-000000000000").status_code == 404
    assert c.get("/verify/not-a-uuid").status_code == 404
    # the QR code and the signed document point there
    assert active.document["certificate"]["verification"]["url"] == \
        f"{PUBLIC}/verify/{active.certificate_id}"


# --------------------------------------------------------------------------- events


def test_malformed_events_are_400(app, world):
    alice = client(app, world, "alice")
    pf_id = world["certs"]["alice"][0].certificate_id
    good = event(PUBLISHED, {"pfIds": [pf_id]}, "https://buyer.example")
    assert alice.post_event(good).status == 200
    cases = [
        {**good, "specversion": "0.3"}, {**good, "type": "com.example.Other"},
        {k: v for k, v in good.items() if k != "id"}, {**good, "time": "soon"},
        {**good, "data": {"pfIds": ["urn:gtin:4712345060507"]}}, {**good, "data": {}},
        {**good, "type": FULFILLED, "data": {"requestEventId": "x", "pfs": []}},
        {**good, "type": REJECTED, "data": {"requestEventId": "x", "error": "no"}},
        {**good, "type": CREATED, "data": {"validOn": "tomorrow"}}, [good],
    ]
    for bad in cases:
        reply = alice.post_event(bad)
        assert reply.status == 400 and reply.body["code"] == "BadRequest", (bad, reply)
    assert alice.post_event("{not json").status == 400
    assert alice.post_event(good, content_type="text/plain").status == 400


def test_a_request_to_a_host_not_allowed_is_refused(app, world):
    from pcf.service.pact import set_callback

    alice = client(app, world, "alice")
    request = event(CREATED, {"productId": [COIL]}, "https://buyer.example")
    reply = alice.post_event(request)
    assert reply.status == 403 and reply.body["code"] == "AccessDenied"
    assert "buyer.example" in reply.body["message"]
    # allowed for bob is not allowed for alice; another port is another origin
    set_callback(world["store"], "bob", "https://buyer.example", "id", "secret")
    set_callback(world["store"], "alice", "https://buyer.example:8443", "id", "secret")
    assert alice.post_event(request).status == 403
    # plain http only to loopback
    from pcf.errors import InvalidInput

    with pytest.raises(InvalidInput):
        set_callback(world["store"], "alice", "http://buyer.example", "id", "secret")
    from pcf.store.pact import list_requests

    assert list_requests(world["store"].engine, None) == []  # nothing stored


class _Receiver(BaseHTTPRequestHandler):
    """A minimal stand-in that answers /auth/token and /3/events with a given status (only
    for the failure paths; real deliveries go to a second pcf server in
    test_pact_exchange.py)."""

    status = 503
    seen: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append(self.path)
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"access_token": "t"}' if self.path == "/auth/token" else b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.seen = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_failed_deliveries_are_retried_with_backoff_and_visible(app, world, receiver):
    from pcf.service.pact import run_due, set_callback
    from pcf.store.pact import get_request

    store = world["store"]
    origin = f"http://127.0.0.1:{receiver.server_port}"
    set_callback(store, "alice", origin, "pcf-at-buyer", "s3cret")
    alice = client(app, world, "alice")
    assert alice.post_event(event(CREATED, {"productId": [COIL]}, origin, "req-1")).status == 200
    assert alice.post_event(event(CREATED, {"productId": [COIL]}, origin, "req-1")).status == 200
    run_due(store)  # fulfils (issues a certificate) and tries to deliver: the host says 503
    view = app.test_client().get("/v1/pact/requests",
                                 headers={"Authorization": f"Bearer {world['keys']['alice']}"})
    (req,) = view.get_json()["requests"]  # the repeated event is not a second request
    assert req["state"] == "fulfilled" and req["attempts"] == 1
    assert "503" in req["last_error"] and req["next_attempt_at"] is not None
    assert req["answer"]["type"] == "RequestFulfilledEvent"
    assert req["answer"]["footprints"] == req["certificate_ids"]
    assert len(req["certificate_ids"]) == 1
    first = get_request(store.engine, req["id"])
    time.sleep(0.3)
    run_due(store)
    second = get_request(store.engine, req["id"])
    assert second.attempts == 2 and second.next_attempt_at > first.next_attempt_at
    gap1 = first.next_attempt_at - first.updated_at
    gap2 = second.next_attempt_at - second.updated_at
    assert gap2 > gap1  # exponential
    # the same certificate is offered again, not re-issued
    assert second.certificate_ids == first.certificate_ids
    _Receiver.status = 200
    time.sleep(0.5)
    run_due(store)
    done = get_request(store.engine, req["id"])
    assert done.state == "delivered" and done.attempts == 3 and done.last_error is None
    # two tries stopped at the token request (503), the third delivered the event
    assert _Receiver.seen == ["/auth/token"] * 3 + ["/3/events"]
    # other tenants do not see alice's requests; admins do
    bob = app.test_client().get("/v1/pact/requests",
                                headers={"Authorization": f"Bearer {world['keys']['bob']}"})
    assert bob.get_json()["requests"] == []
    _Receiver.status = 503


def test_deliveries_are_abandoned_after_72_hours(app, world, receiver, monkeypatch):
    from pcf.pact import delivery
    from pcf.service.pact import run_due, set_callback
    from pcf.store.pact import get_request

    store = world["store"]
    origin = f"http://127.0.0.1:{receiver.server_port}"
    set_callback(store, "alice", origin, "id", "secret")
    alice = client(app, world, "alice")
    alice.post_event(event(CREATED, {"productId": ["urn:pact:null"]}, origin, "req-null"))
    monkeypatch.setattr(delivery, "GIVE_UP_SECONDS", 0.0)
    run_due(store)
    (rec,) = [r for r in [get_request(store.engine, 1)]]
    assert rec.state == "abandoned" and rec.attempts == 1
    assert rec.response["data"]["error"]["code"] == "NotFound"


def test_a_host_removed_before_delivery_gets_nothing(app, world, receiver):
    from pcf.service.pact import remove_callback, run_due, set_callback
    from pcf.store.pact import get_request

    store = world["store"]
    origin = f"http://127.0.0.1:{receiver.server_port}"
    set_callback(store, "alice", origin, "id", "secret")
    client(app, world, "alice").post_event(event(CREATED, {"productId": [COIL]}, origin))
    assert remove_callback(store, "alice", origin)
    run_due(store)
    rec = get_request(store.engine, 1)
    assert rec.state == "abandoned" and "no longer" in rec.last_error
    assert _Receiver.seen == []


def test_issuing_needs_the_issuer_settings_outside_dev(app, world, monkeypatch):
    from pcf.errors import NotConfigured
    from pcf.service.certificates import issue_certificate

    monkeypatch.delenv("PCF_ISSUER_DOMAIN")
    with pytest.raises(NotConfigured) as err:
        issue_certificate(world["store"].engine, tenant_id=world["tenants"]["bob"].id,
                          order_id="PO-1", line_id="10", issued_by="t", require_issuer=True)
    assert "PCF_ISSUER_DOMAIN" in str(err.value)
    erin = {"Authorization": f"Bearer {world['keys']['erin']}"}
    c = app.test_client()
    assert c.post("/v1/orders", json={"order_id": "PO-9", "lines": LINES[:1]},
                  headers=erin).status_code == 201
    resp = c.post("/v1/certificates", json={"order_id": "PO-9", "line_id": "10"}, headers=erin)
    assert resp.status_code == 503 and "PCF_ISSUER_DOMAIN" in resp.get_json()["detail"]
    app.config["PCF_DEV"] = True
    assert c.post("/v1/certificates", json={"order_id": "PO-9", "line_id": "10"},
                  headers=erin).status_code == 201


def test_cli_registers_callback_hosts(built_home, tmp_path, keys_dir, monkeypatch):
    from click.testing import CliRunner

    from pcf.cli import main

    monkeypatch.setenv("PCF_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    assert runner.invoke(main, ["tenants", "create", "acme", "--role", "customer"]).exit_code == 0
    out = runner.invoke(main, ["tenants", "pact-callback", "acme", "--allow-host",
                               "pact.acme.example", "--client-id", "pcf",
                               "--client-secret", "s3cret", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [r["origin"] for r in rows] == ["https://pact.acme.example:443"]
    assert "s3cret" not in out.output
    bad = runner.invoke(main, ["tenants", "pact-callback", "acme", "--allow-host",
                               "http://pact.acme.example", "--client-id", "x",
                               "--client-secret", "y"])
    assert bad.exit_code == 2 and "loopback" in bad.output
    assert runner.invoke(main, ["tenants", "pact-callback", "acme", "--remove",
                                "pact.acme.example"]).exit_code == 0
    assert runner.invoke(main, ["tenants", "pact-callback", "acme"]).stdout == ""
    # the secret is stored encrypted
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner.invoke(main, ["tenants", "pact-callback", "acme", "--allow-host",
                         "pact.acme.example", "--client-id", "pcf", "--client-secret",
                         "s3cret"])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT client_secret_enc FROM pact_callback_hosts")).scalar()
    assert "s3cret" not in stored
    engine.dispose()


def test_pure_parts():
    from pcf.pact import delivery, events, filters

    assert events.origin("pact.acme.example") == "https://pact.acme.example:443"
    assert events.origin("//api.example.com/3/events") == "https://api.example.com:443"
    assert events.origin("http://localhost:8004") == "http://localhost:8004"
    assert events.callback_url("http://localhost:8004") == "http://localhost:8004/3/events"
    assert events.callback_url("https://a.example/pact/3/events") == \
        "https://a.example/pact/3/events"
    assert events.token_url("https://a.example/pact/") == "https://a.example/pact/auth/token"
    from pcf.errors import InvalidInput

    with pytest.raises(InvalidInput):
        events.origin("ftp://a.example")
    received = datetime(2026, 1, 1, tzinfo=UTC)
    delays = [delivery.delay(n) for n in range(1, 6)]
    assert all(b > a for a, b in zip(delays, delays[1:], strict=False))
    assert delivery.next_attempt(1, received, received + timedelta(hours=73)) is None
    f = filters.from_query({"productId": ["urn:a", "urn:b"], "validOn": ["2026-01-01"]})
    assert f.productId == ("urn:a", "urn:b") and f.validOn == received


@pytest.mark.parametrize("request_id", [0, 2**63, 26934365363116775040946928850305024])
def test_an_out_of_range_request_id_is_404(app, world, request_id):
    """Found by the schemathesis fuzz test: an id above SQLite's INTEGER range answered 500."""
    resp = app.test_client().get(f"/v1/pact/requests/{request_id}",
                                 headers={"Authorization": f"Bearer {world['keys']['alice']}"})
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
