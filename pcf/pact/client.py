"""A PACT v3 client: token, ListFootprints (following ``Link`` pages), GetFootprint, events.

Used by the host for its callbacks (a RequestFulfilledEvent or RequestRejectedEvent POSTed
to the requester) and usable for pulls. HTTPS certificates are verified (``REQUESTS_CA_BUNDLE``
adds a private CA); redirects are never followed, so a call cannot be bounced to a host the
caller did not choose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import requests

TIMEOUT = (5.0, 30.0)
"""Connect and read timeouts, seconds."""

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class PactClientError(Exception):
    """A PACT call failed: ``status`` (None when no answer) and the answer's text."""

    def __init__(self, message: str, status: int | None = None, body: str = ""):
        super().__init__(message)
        self.status = status
        self.body = body[:2000]


@dataclass
class PactClient:
    """Client of one PACT host.

    Parameters
    ----------
    base_url : str
        The host's base URL (``https://host[/subpath]``); ``/auth/token``, ``/3/...`` are
        appended.
    client_id, client_secret : str
        Client credentials (RFC 6749 section 4.4).
    token_url : str, optional
        Token endpoint (default ``{base_url}/auth/token``).
    """

    base_url: str
    client_id: str
    client_secret: str
    token_url: str | None = None
    timeout: tuple[float, float] = TIMEOUT
    _token: str | None = field(default=None, repr=False)
    _session: requests.Session = field(default_factory=requests.Session, repr=False)

    def _url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}{path}"

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            return self._session.request(method, url, timeout=self.timeout,
                                         allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            raise PactClientError(f"{method} {url}: {type(exc).__name__}: {exc}") from None

    def token(self) -> str:
        """Get an access token (client credentials, HTTP Basic).

        Raises
        ------
        PactClientError
            Not 200, or no ``access_token`` in the answer.
        """
        url = self.token_url or self._url("/auth/token")
        resp = self._send("POST", url, data={"grant_type": "client_credentials"},
                          auth=(self.client_id, self.client_secret),
                          headers={"Accept": "application/json"})
        if resp.status_code != 200:
            raise PactClientError(f"POST {url}: {resp.status_code}", resp.status_code,
                                  resp.text)
        try:
            token = resp.json()["access_token"]
        except (ValueError, KeyError, TypeError):
            raise PactClientError(f"POST {url}: no access_token in the answer",
                                  resp.status_code, resp.text) from None
        self._token = str(token)
        return self._token

    def _authorized(self, method: str, url: str, **kwargs) -> requests.Response:
        if self._token is None:
            self.token()
        headers = dict(kwargs.pop("headers", {}) or {})
        headers["Authorization"] = f"Bearer {self._token}"
        resp = self._send(method, url, headers=headers, **kwargs)
        if resp.status_code == 401:  # expired: one new token, one retry
            self.token()
            headers["Authorization"] = f"Bearer {self._token}"
            resp = self._send(method, url, headers=headers, **kwargs)
        return resp

    def post_event(self, event: dict[str, Any], url: str | None = None) -> int:
        """POST a CloudEvent (structured JSON) to ``{base_url}/3/events`` or ``url``.

        Returns
        -------
        int
            The HTTP status (2xx).

        Raises
        ------
        PactClientError
            No answer, or not 2xx.
        """
        import json

        target = url or self._url("/3/events")
        resp = self._authorized(
            "POST", target, data=json.dumps(event, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/cloudevents+json; charset=UTF-8"})
        if not 200 <= resp.status_code < 300:
            raise PactClientError(f"POST {target}: {resp.status_code}", resp.status_code,
                                  resp.text)
        return resp.status_code

    def list_footprints(self, params: list[tuple[str, str]] | None = None,
                        max_pages: int = 1000) -> list[dict[str, Any]]:
        """Every footprint of ListFootprints, following ``Link: rel="next"`` pages.

        Raises
        ------
        PactClientError
            A page answers other than 200/202, or a next link leaves the host.
        """
        url = self._url("/3/footprints")
        out: list[dict[str, Any]] = []
        first = True
        for _ in range(max_pages):
            resp = self._authorized("GET", url, params=params if first else None)
            first = False
            if resp.status_code not in (200, 202):
                raise PactClientError(f"GET {url}: {resp.status_code}", resp.status_code,
                                      resp.text)
            out.extend(resp.json().get("data") or [])
            match = _LINK_NEXT.search(resp.headers.get("Link", ""))
            if not match:
                return out
            url = match.group(1)
            if not url.startswith(self.base_url.rstrip("/") + "/"):
                raise PactClientError(f"next link {url} leaves {self.base_url}")
        raise PactClientError(f"more than {max_pages} pages")

    def get_footprint(self, pf_id: str) -> dict[str, Any]:
        """GetFootprint: the ProductFootprint ``pf_id``.

        Raises
        ------
        PactClientError
            Not 200.
        """
        url = self._url(f"/3/footprints/{pf_id}")
        resp = self._authorized("GET", url)
        if resp.status_code != 200:
            raise PactClientError(f"GET {url}: {resp.status_code}", resp.status_code,
                                  resp.text)
        return resp.json()["data"]
