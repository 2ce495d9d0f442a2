"""A PACT v3 client written for the tests, independent of ``pcf.pact.client``.

It speaks to a host through a *transport*: the Flask test client (``FlaskTransport``, with an
``https://`` base URL so that the app sees TLS) or a real server over HTTPS
(``HttpsTransport``, standard library only, verifying the server's certificate against a CA
file). Every call returns ``Reply(status, headers, body)`` with ``body`` parsed as JSON when
it is JSON.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

CREATED = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3"
PUBLISHED = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3"
FULFILLED = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
REJECTED = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3"
EVENT_TYPE = "application/cloudevents+json; charset=UTF-8"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    def next_link(self) -> str | None:
        match = re.search(r'<([^>]+)>\s*;\s*rel="next"', self.headers.get("link", ""))
        return match.group(1) if match else None


class FlaskTransport:
    """Requests through a Flask test client, as ``scheme://localhost``."""

    def __init__(self, app, scheme: str = "https"):
        self.client = app.test_client()
        self.base = f"{scheme}://localhost"

    def request(self, method: str, url: str, headers: dict, body: bytes | None) -> Reply:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        base = f"{parts.scheme}://{parts.netloc}" if parts.scheme else self.base
        resp = self.client.open(path, method=method, headers=headers, data=body,
                                base_url=base)
        text = resp.get_data(as_text=True)
        return Reply(resp.status_code, {k.lower(): v for k, v in resp.headers.items()},
                     _parse(text, resp.mimetype))


class HttpsTransport:
    """Requests to a real server; ``cafile`` is the CA (here: the server's self-signed
    certificate) to trust. ``scheme="http"`` sends plain HTTP (to check it is refused)."""

    def __init__(self, base: str, cafile: str | None = None, timeout: float = 60.0):
        self.base = base.rstrip("/")
        self.context = ssl.create_default_context(cafile=cafile) if cafile else None
        self.timeout = timeout

    def request(self, method: str, url: str, headers: dict, body: bytes | None) -> Reply:
        parts = urlsplit(url if "://" in url else self.base + url)
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=self.timeout, context=self.context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                              timeout=self.timeout)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            headers_out = {k.lower(): v for k, v in resp.getheaders()}
            return Reply(resp.status, headers_out,
                         _parse(text, headers_out.get("content-type", "")))
        finally:
            conn.close()


def _parse(text: str, mimetype: str) -> Any:
    if "json" in (mimetype or "") and text:
        return json.loads(text)
    return text


class PactTestClient:
    """A data recipient's client of one PACT host."""

    def __init__(self, transport, client_id: str | None = None,
                 client_secret: str | None = None):
        self.t = transport
        self.client_id, self.client_secret = client_id, client_secret
        self.access_token: str | None = None

    # -- auth ---------------------------------------------------------------------
    def token_reply(self, client_id: str | None = None, client_secret: str | None = None,
                    body: str = "grant_type=client_credentials", url: str = "/auth/token"
                    ) -> Reply:
        cid = self.client_id if client_id is None else client_id
        secret = self.client_secret if client_secret is None else client_secret
        basic = base64.b64encode(f"{cid}:{secret}".encode()).decode()
        return self.t.request("POST", url, {"Authorization": f"Basic {basic}",
                                            "Content-Type": "application/x-www-form-urlencoded",
                                            "Accept": "application/json"}, body.encode())

    def authenticate(self) -> str:
        reply = self.token_reply()
        assert reply.status == 200, reply
        assert reply.body["token_type"].lower() == "bearer" and reply.body["expires_in"] > 0
        self.access_token = reply.body["access_token"]
        return self.access_token

    def _auth(self, token: str | None) -> dict[str, str]:
        value = token if token is not None else (self.access_token or self.authenticate())
        return {"Authorization": f"Bearer {value}"}

    # -- actions -----------------------------------------------------------------
    def list(self, params: list[tuple[str, str]] | dict | None = None, *,
             token: str | None = None, url: str | None = None) -> Reply:
        if url is None:
            query = urlencode(params or [], doseq=True)
            url = "/3/footprints" + (f"?{query}" if query else "")
        return self.t.request("GET", url, self._auth(token), None)

    def list_all(self, params=None) -> list[dict]:
        """Follow the Link pages; check each page's limit."""
        reply = self.list(params)
        out = []
        for _ in range(1000):
            assert reply.status == 200, reply
            out.extend(reply.body["data"])
            link = reply.next_link()
            if link is None:
                return out
            reply = self.list(url=link)
        raise AssertionError("more than 1000 pages")

    def get(self, pf_id: str, *, token: str | None = None) -> Reply:
        return self.t.request("GET", f"/3/footprints/{pf_id}", self._auth(token), None)

    def post_event(self, event: dict | str, *, token: str | None = None,
                   content_type: str = EVENT_TYPE) -> Reply:
        body = event if isinstance(event, str) else json.dumps(event)
        return self.t.request("POST", "/3/events",
                              {**self._auth(token), "Content-Type": content_type},
                              body.encode())


def event(kind: str, data: dict, source: str, event_id: str | None = None) -> dict:
    """A CloudEvent of ``kind`` (full PACT type)."""
    return {"type": kind, "specversion": "1.0", "id": event_id or str(uuid.uuid4()),
            "source": source,
            "time": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00",
                                                                                  "Z"),
            "data": data}
