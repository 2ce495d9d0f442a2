"""PACT v3 events (CloudEvents 1.0, structured JSON mode): validation, responses, callbacks.

Received at ``POST /3/events`` (``application/cloudevents+json``); every event needs
``specversion`` ``1.0``, ``id``, ``source``, ``time`` (date-time), ``type`` and a ``data``
object (PACT ``BaseEvent``). By type:

``org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3``
    ``data`` holds filter criteria (:mod:`pcf.pact.filters`) and an optional ``comment``;
    answered 200 at once, then a RequestFulfilledEvent or RequestRejectedEvent is sent to
    ``{source}/3/events`` (:func:`callback_url`).
``org.wbcsd.pact.ProductFootprint.PublishedEvent.3``
    ``data.pfIds``: a non-empty list of footprint ids (UUIDs; a URN is a bad request).
``...RequestFulfilledEvent.3`` / ``...RequestRejectedEvent.3``
    Answers to a request this side sent: ``data.requestEventId`` plus ``pfs`` (non-empty list
    of ProductFootprints) or ``error`` (``{code, message}``).

Callbacks go only to origins (scheme, host, port) registered for the tenant
(:func:`origin`); plain ``http`` only to a loopback host.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pcf.errors import InvalidInput
from pcf.pact import filters

PREFIX = "org.wbcsd.pact.ProductFootprint."
CREATED = PREFIX + "RequestCreatedEvent.3"
FULFILLED = PREFIX + "RequestFulfilledEvent.3"
REJECTED = PREFIX + "RequestRejectedEvent.3"
PUBLISHED = PREFIX + "PublishedEvent.3"
TYPES = (CREATED, FULFILLED, REJECTED, PUBLISHED)

ERROR_CODES = ("BadRequest", "AccessDenied", "TokenExpired", "NotFound", "InternalError",
               "NotImplemented")
"""PACT v3 ``Error.code`` values."""

MAX_ID = 300
MAX_SOURCE = 1000
MAX_PFS = 1000
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Event:
    """A validated event.

    Attributes
    ----------
    type, id, source : str
    time : datetime
    data : dict
    criteria : Filters or None
        The filter criteria of a RequestCreatedEvent.
    """

    type: str
    id: str
    source: str
    time: datetime
    data: dict
    criteria: filters.Filters | None = None

    @property
    def short_type(self) -> str:
        """``RequestCreatedEvent``, ``PublishedEvent``, ..."""
        return self.type[len(PREFIX):].rsplit(".", 1)[0]


def _bad(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, field=field)


def parse(body: Any) -> Event:
    """Validate a received event.

    Raises
    ------
    InvalidInput
        Naming the field (``specversion``, ``type``, ``data.pfIds[0]``, ...).
    """
    if not isinstance(body, dict):
        raise _bad("an event is a JSON object (CloudEvents structured mode)", "body")
    if body.get("specversion") != "1.0":
        raise _bad("specversion must be \"1.0\"", "specversion")
    kind = body.get("type")
    if kind not in TYPES:
        raise InvalidInput(f"unknown event type {kind!r}", field="type", allowed=list(TYPES))
    ident, source = body.get("id"), body.get("source")
    if not isinstance(ident, str) or not ident.strip() or len(ident) > MAX_ID:
        raise _bad(f"id must be a non-empty string of at most {MAX_ID} characters", "id")
    if not isinstance(source, str) or not source.strip() or len(source) > MAX_SOURCE \
            or any(ch.isspace() for ch in source):
        raise _bad(f"source must be a URI reference of at most {MAX_SOURCE} characters",
                   "source")
    moment = filters.parse_datetime(body.get("time"), "time")
    data = body.get("data")
    if not isinstance(data, dict):
        raise _bad("data must be an object", "data")
    criteria = None
    if kind == PUBLISHED:
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids or len(ids) > MAX_PFS:
            raise _bad("data.pfIds must be a non-empty list of footprint ids", "data.pfIds")
        for i, pf_id in enumerate(ids):
            if not isinstance(pf_id, str) or not _UUID.match(pf_id):
                raise _bad("a footprint id is a UUID", f"data.pfIds[{i}]")
    elif kind == CREATED:
        try:
            criteria = filters.from_data(data)
        except InvalidInput as exc:
            raise exc.relocated(f"data.{exc.field}") from None
        if data.get("comment") is not None and not isinstance(data.get("comment"), str):
            raise _bad("data.comment must be a string", "data.comment")
    else:
        request_id = data.get("requestEventId")
        if not isinstance(request_id, str) or not request_id:
            raise _bad("data.requestEventId must be a non-empty string",
                       "data.requestEventId")
        if kind == FULFILLED:
            pfs = data.get("pfs")
            if not isinstance(pfs, list) or not pfs or len(pfs) > MAX_PFS:
                raise _bad("data.pfs must be a non-empty list of ProductFootprints",
                           "data.pfs")
            for i, pf in enumerate(pfs):
                if not isinstance(pf, dict) or not isinstance(pf.get("id"), str):
                    raise _bad("a ProductFootprint is an object with an id",
                               f"data.pfs[{i}]")
        else:
            error = data.get("error")
            if not isinstance(error, dict) or not isinstance(error.get("code"), str) \
                    or not isinstance(error.get("message"), str):
                raise _bad("data.error must be {code, message}", "data.error")
    return Event(type=kind, id=ident, source=source, time=moment, data=data,
                 criteria=criteria)


# --------------------------------------------------------------------------- responses


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def fulfilled(request_event_id: str, pfs: list[dict], source: str) -> dict[str, Any]:
    """A RequestFulfilledEvent answering ``request_event_id`` with ``pfs`` (non-empty)."""
    if not pfs:
        raise ValueError("a RequestFulfilledEvent needs at least one footprint")
    return {"type": FULFILLED, "specversion": "1.0", "id": str(uuid.uuid4()),
            "source": source, "time": _now(),
            "data": {"requestEventId": request_event_id, "pfs": pfs}}


def rejected(request_event_id: str, code: str, message: str, source: str) -> dict[str, Any]:
    """A RequestRejectedEvent answering ``request_event_id`` with a PACT error."""
    if code not in ERROR_CODES:
        raise ValueError(f"unknown PACT error code {code!r}")
    return {"type": REJECTED, "specversion": "1.0", "id": str(uuid.uuid4()),
            "source": source, "time": _now(),
            "data": {"requestEventId": request_event_id,
                     "error": {"code": code, "message": message}}}


# --------------------------------------------------------------------------- callbacks


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> str:
    """Normalised origin ``scheme://host:port`` of a URL or of a bare ``host[:port]``.

    A bare host means ``https``; ``//host/path`` (CloudEvents' scheme-relative ``source``)
    too. Host names are lower-cased, default ports written out.

    Raises
    ------
    InvalidInput
        ``field="source"``: not an http(s) URL with a host; plain ``http`` to a host other
        than a loopback address.
    """
    text = url.strip()
    if text.startswith("//"):
        text = "https:" + text
    elif "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{url!r} is not a URL", field="source") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise InvalidInput(f"{url!r} is not an http(s) URL with a host name", field="source")
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidInput(f"{url!r}: callbacks use https (plain http only to a loopback "
                           "address)", field="source")
    port = port or (443 if parts.scheme == "https" else 80)
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}:{port}"


def base_of(source: str) -> str:
    """The requester's PACT base URL from an event ``source``: scheme-relative sources get
    ``https:``, a trailing ``/3/events`` (or ``/``) is dropped."""
    text = source.strip()
    if text.startswith("//"):
        text = "https:" + text
    text = text.rstrip("/")
    if text.endswith("/3/events"):
        text = text[: -len("/3/events")]
    return text.rstrip("/")


def callback_url(source: str) -> str:
    """Where the answer to a request goes: ``{source}/3/events`` (PACT v3; the conformance
    suite sends its bare base URL as ``source``)."""
    return f"{base_of(source)}/3/events"


def token_url(source: str) -> str:
    """The requester's token endpoint: ``{source}/auth/token``."""
    return f"{base_of(source)}/auth/token"


def describe(event: Mapping[str, Any]) -> str:
    """One line for logs: type and id."""
    return f"{str(event.get('type', '?')).rsplit('.', 2)[-2]} {event.get('id')}"
