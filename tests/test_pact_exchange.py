"""A PACT exchange between two real pcf servers over TLS on loopback.

Server A (the supplier, data owner) and server B (the buyer's system) both run
``pcf serve --certfile --keyfile`` (gunicorn). The buyer's tenant on A has B registered as its
callback host, with the client credentials B issued for A. The tests' PACT client sends
RequestCreatedEvents to A; A computes, certifies and answers asynchronously by POSTing a
RequestFulfilledEvent (or RequestRejectedEvent) to B's ``/3/events`` with a token from B's
``/auth/token``; B records it. Then the certificate is revoked on A and checked with
``pcf certificates verify --online``.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
import urllib.error
import urllib.request

import pytest

from tests.pact_client import CREATED, FULFILLED, REJECTED, HttpsTransport, PactTestClient, event
from tests.tls_servers import PcfServer, free_port, self_signed

pytestmark = pytest.mark.slow

ISSUER = {"PCF_ISSUER_NAME": "Shengtong Technology Group",
          "PCF_ISSUER_DOMAIN": "shengtong.example", "PCF_ISSUER_ID": "shengtong"}
COIL = "urn:pact:shengtong.example:product-id:aluminium-coil"


@pytest.fixture(scope="module")
def servers(built_home, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exchange")
    certfile, keyfile = self_signed(tmp / "tls")
    a = PcfServer("supplier", built_home, tmp, certfile, keyfile,
                  env={**ISSUER, "PCF_PACT_RETRY_BASE_SECONDS": "0.5"})
    b = PcfServer("buyer", built_home, tmp, certfile, keyfile,
                  env={"PCF_ISSUER_NAME": "Buyer", "PCF_ISSUER_DOMAIN": "buyer.example",
                       "PCF_ISSUER_ID": "buyer"})
    keys = {
        "a_buyer": json.loads(a.cli("tenants", "create", "buyer-co", "--role", "customer",
                                    "--format", "json").stdout)["api_key"],
        "a_other": json.loads(a.cli("tenants", "create", "other-co", "--role", "customer",
                                    "--format", "json").stdout)["api_key"],
        "b_supplier": json.loads(b.cli("tenants", "create", "supplier-a", "--role",
                                       "customer", "--format", "json").stdout)["api_key"],
        "b_admin": json.loads(b.cli("tenants", "create", "buyer-admin", "--role", "admin",
                                    "--format", "json").stdout)["api_key"],
    }
    a.cli("tenants", "pact-callback", "buyer-co", "--allow-host", b.url, "--client-id",
          "supplier-a", "--client-secret", keys["b_supplier"])
    try:
        a.start()
        b.start()
        yield {"a": a, "b": b, "keys": keys, "certfile": str(certfile)}
    finally:
        a.stop()
        b.stop()


def _get_json(url: str, key: str, cafile: str):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}",
                                               "Accept": "application/json"})
    with urllib.request.urlopen(req, context=ssl.create_default_context(cafile=cafile),
                                timeout=30) as resp:
        return json.loads(resp.read())


def _wait_for_event(servers, kind: str, request_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        events = _get_json(f"{servers['b'].url}/v1/pact/events?limit=50",
                           servers["keys"]["b_admin"], servers["certfile"])["events"]
        for ev in events:
            body = ev["body"]
            if body["type"] == kind and body["data"].get("requestEventId") == request_id:
                return ev
        assert time.monotonic() < deadline, (servers["a"].log.read_text()[-3000:], events)
        time.sleep(0.5)


def test_request_fulfilled_by_a_callback_to_the_second_server(servers):
    a, b, keys = servers["a"], servers["b"], servers["keys"]
    buyer = PactTestClient(HttpsTransport(a.url, servers["certfile"]), "buyer-co",
                           keys["a_buyer"])
    assert buyer.list().body == {"data": []}  # nothing certified for buyer-co yet
    request = event(CREATED, {"productId": [COIL], "comment": "PCF of this year, please"},
                    b.url, "request-1")
    assert buyer.post_event(request).status == 200
    received = _wait_for_event(servers, FULFILLED, "request-1")
    assert received["tenant"] == "supplier-a"  # B authenticated A with B's own credentials
    (pf,) = received["body"]["data"]["pfs"]
    assert pf["productIds"] == [COIL] and pf["status"] == "Active"
    assert pf["productClassifications"] == ["urn:pact:wcoomd.org:hs-code:7606"]
    assert received["body"]["source"] == f"{a.url}/3/events"
    # the same footprint is now listed for buyer-co on A, and the request shows delivered
    assert [f["id"] for f in buyer.list().body["data"]] == [pf["id"]]
    assert buyer.get(pf["id"]).body["data"] == pf
    (state,) = _get_json(f"{a.url}/v1/pact/requests", keys["a_buyer"],
                         servers["certfile"])["requests"]
    assert state["state"] == "delivered" and state["attempts"] == 1
    # another customer of A does not see it
    other = PactTestClient(HttpsTransport(a.url, servers["certfile"]), "other-co",
                           keys["a_other"])
    assert other.list().body == {"data": []}
    assert other.get(pf["id"]).status == 403


def test_request_rejected_by_a_callback(servers):
    a, b, keys = servers["a"], servers["b"], servers["keys"]
    buyer = PactTestClient(HttpsTransport(a.url, servers["certfile"]), "buyer-co",
                           keys["a_buyer"])
    request = event(CREATED, {"productId": ["urn:pact:null"]}, b.url, "request-null")
    assert buyer.post_event(request).status == 200
    received = _wait_for_event(servers, REJECTED, "request-null")
    assert received["body"]["data"]["error"]["code"] == "NotFound"


def test_callbacks_only_to_allowed_hosts_and_no_plain_http(servers):
    a, keys = servers["a"], servers["keys"]
    buyer = PactTestClient(HttpsTransport(a.url, servers["certfile"]), "buyer-co",
                           keys["a_buyer"])
    elsewhere = f"https://127.0.0.1:{free_port()}"
    reply = buyer.post_event(event(CREATED, {"productId": [COIL]}, elsewhere))
    assert reply.status == 403 and reply.body["code"] == "AccessDenied"
    # plain HTTP to the TLS port gets no PACT answer
    plain = PactTestClient(HttpsTransport(a.url.replace("https:", "http:")), "buyer-co",
                           keys["a_buyer"])
    try:
        answer = plain.token_reply()
    except (OSError, http.client.HTTPException):
        answer = None  # the TLS port closes a plain HTTP connection
    assert answer is None or answer.status != 200


def test_revocation_is_seen_online(servers, tmp_path):
    a, keys, cafile = servers["a"], servers["keys"], servers["certfile"]
    buyer = PactTestClient(HttpsTransport(a.url, cafile), "buyer-co", keys["a_buyer"])
    pfs = buyer.list().body["data"]
    if not pfs:
        pytest.skip("needs the fulfilled request of the first test")
    pf_id = pfs[0]["id"]
    context = ssl.create_default_context(cafile=cafile)
    req = urllib.request.Request(f"{a.url}/v1/certificates/{pf_id}.pdf",
                                 headers={"Authorization": f"Bearer {keys['a_buyer']}"})
    with urllib.request.urlopen(req, context=context, timeout=60) as resp:
        (tmp_path / "c.pdf").write_bytes(resp.read())
    with urllib.request.urlopen(f"{a.url}/v1/certificates/public-key", context=context) as resp:
        (tmp_path / "key.json").write_bytes(resp.read())
    env_args = ("certificates", "verify", str(tmp_path / "c.pdf"), "--public-key",
                str(tmp_path / "key.json"), "--no-recompute")
    a.env["SSL_CERT_FILE"] = cafile
    offline = a.cli(*env_args, check=False)
    assert offline.returncode == 0 and "authentic; status not checked" in offline.stdout
    online = a.cli(*env_args, "--online", check=False)
    assert online.returncode == 0 and "VALID (authentic and active)" in online.stdout, \
        online.stdout + online.stderr
    a.cli("certificates", "revoke", pf_id, "--reason", "wrong product")
    revoked = a.cli(*env_args, "--online", check=False)
    assert revoked.returncode == 1 and "revoked" in revoked.stdout and \
        "wrong product" in revoked.stdout
    assert buyer.get(pf_id).status == 404
    assert pf_id not in [f["id"] for f in buyer.list().body["data"]]
    with urllib.request.urlopen(urllib.request.Request(
            f"{a.url}/verify/{pf_id}", headers={"Accept": "application/json"}),
            context=context) as resp:
        assert json.loads(resp.read())["status"] == "revoked"
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{a.url}/verify/00000000-0000-0000-0000-000000000000",
                               context=context)
