"""Use case: pcf as a PACT v3 host (tokens, footprints, events) and its callbacks.

What a tenant's PACT client sees is what its API key sees: the footprints are the PACT
documents of the tenant's certificates (:mod:`pcf.pact.host`: active ones ``Active``,
superseded or expired ones ``Deprecated``, revoked ones never; admins see every tenant's).

A RequestCreatedEvent is stored and answered later (:func:`run_due`, called by the
background worker of each server process):

1. **fulfil**: the pcf products whose PACT product id (``urn:pact:<issuer domain>:product-id:
   <product>``) is among the request's ``productId`` values, or whose classification is among
   its ``classification`` values, are computed and certified for the tenant (an order
   ``pact-<request>`` with one line of one declared unit per product, product defaults; the
   certificates are issued by ``pact``); the footprints that meet the request's other
   criteria are the answer, a RequestFulfilledEvent. No product, or none meeting the
   criteria: a RequestRejectedEvent with code ``NotFound``; a request naming neither
   ``productId`` nor ``classification``: ``BadRequest``; a failure: ``InternalError``.
2. **deliver**: the answer is POSTed to ``{source}/3/events`` with a token from
   ``{source}/auth/token``, using the client credentials registered for that origin
   (``pcf tenants pact-callback``). Only registered origins are ever called: an event whose
   source is not one is refused when it arrives (403). A failed delivery is retried with
   exponential backoff (:mod:`pcf.pact.delivery`) and abandoned after 72 hours; the state,
   attempts and last error of every request are visible (``GET /v1/pact/requests``,
   ``pcf pact requests``).
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pcf.errors import (
    AuthenticationFailed,
    CallbackNotAllowed,
    InvalidInput,
    NotPermitted,
    PcfError,
    UnknownCertificate,
    UnknownResource,
)
from pcf.pact import delivery, events, filters, host, secrets, tokens
from pcf.pact.client import PactClient, PactClientError
from pcf.store import pact as pact_store
from pcf.store.certificates import get_certificate, list_certificates
from pcf.store.models import utcnow

ADMIN = "admin"
ISSUED_BY = "pact"
"""``issued_by`` of certificates issued to answer a PACT request."""

log = logging.getLogger("pcf.pact")


# --------------------------------------------------------------------------- tokens


def issue_token(store: Any, client_id: str | None, client_secret: str | None) -> dict:
    """``POST /auth/token``: an access token for a tenant's client credentials.

    Parameters
    ----------
    client_id : str
        The tenant's name.
    client_secret : str
        One of the tenant's API keys.

    Returns
    -------
    dict
        ``{"access_token", "token_type": "Bearer", "expires_in"}`` (seconds).

    Raises
    ------
    AuthenticationFailed
        The name and key do not belong together, or the key is revoked.
    """
    found = pact_store.authenticate_client(store.engine, client_id or "", client_secret or "")
    if found is None:
        raise AuthenticationFailed("client authentication failed: the client id is a tenant "
                                   "name and the secret one of its API keys",
                                   field="client_id")
    tenant, key_id = found
    token, seconds = tokens.issue(tenant.id, tenant.name, key_id)
    return {"access_token": token, "token_type": "Bearer", "expires_in": seconds}


def authenticate(store: Any, token: str) -> Any:
    """The tenant of a valid access token whose API key is still valid.

    Raises
    ------
    TokenExpired
        The token has expired.
    AuthenticationFailed
        Invalid token, or its key was revoked or has expired, or its tenant removed.
    """
    claims = tokens.verify(token)
    # through the process's key cache (issue 21): no query per call; revoking the key
    # reaches every worker before its next lookup
    tenant = store.tenant_of_key_id(claims.key_id, claims.tenant_id)
    if tenant is None:
        raise AuthenticationFailed("the access token's API key is no longer valid",
                                   field="Authorization")
    return tenant


# --------------------------------------------------------------------------- footprints


def _scope(tenant: Any) -> int | None:
    return None if tenant.role == ADMIN else tenant.id


def shared_footprints(store: Any, tenant: Any, now: datetime | None = None) -> list[dict]:
    """The ProductFootprints shared with ``tenant``, in issue order (see module doc)."""
    records = list_certificates(store.engine, _scope(tenant), limit=None)
    out = []
    for record in reversed(records):  # oldest first: pages stay stable as more are issued
        status = record.status(now)
        if status == "revoked":
            continue
        out.append(host.served(record.document, "Active" if status == "active"
                               else "Deprecated"))
    return out


def list_footprints(store: Any, tenant: Any, query: dict[str, list[str]]
                    ) -> tuple[list[dict], filters.Filters, int, int | None]:
    """``GET /3/footprints``: one page of the shared footprints that meet the criteria.

    Parameters
    ----------
    query : dict
        Query parameter -> values (criteria, ``limit``, ``offset``).

    Returns
    -------
    (list, Filters, int, int or None)
        The page, the parsed criteria, the limit and the offset of the next page (None on
        the last page).

    Raises
    ------
    InvalidInput
        Unknown parameter, bad date, bad ``limit``/``offset``.
    """
    criteria = filters.from_query(query, allowed=host.PAGE_PARAMETERS)
    limit, offset = host.page_parameters(query)
    found = [pf for pf in shared_footprints(store, tenant) if filters.matches(pf, criteria)]
    chunk, following = host.page(found, limit, offset)
    return chunk, criteria, limit, following


def get_footprint(store: Any, tenant: Any, pf_id: str) -> dict:
    """``GET /3/footprints/{id}``.

    Raises
    ------
    InvalidInput
        ``pf_id`` is not a UUID.
    UnknownResource
        No such footprint, or it was revoked.
    NotPermitted
        The footprint is another tenant's (PACT: 403 AccessDenied).
    """
    try:
        pf_id = str(uuid.UUID(pf_id))
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput(f"{pf_id!r} is not a footprint id (a UUID)", field="id") from None
    try:
        record = get_certificate(store.engine, pf_id)
    except UnknownCertificate:
        raise UnknownResource(f"no footprint {pf_id}", field="id") from None
    status = record.status()
    if status == "revoked":
        raise UnknownResource(f"no footprint {pf_id}", field="id")
    if tenant.role != ADMIN and record.tenant_id != tenant.id:
        raise NotPermitted(f"footprint {pf_id} is not shared with {tenant.name}", field="id")
    return host.served(record.document, "Active" if status == "active" else "Deprecated")


# --------------------------------------------------------------------------- events


def receive_event(store: Any, tenant: Any, body: Any) -> dict[str, Any]:
    """``POST /3/events``: validate and record an event.

    A RequestCreatedEvent is accepted only when its ``source`` is a callback origin
    registered for the tenant; it is answered later (:func:`run_due`). The same event
    (tenant, source, id) sent again is accepted and not processed twice.

    Returns
    -------
    dict
        ``{"type", "event_id", "new": bool}``.

    Raises
    ------
    InvalidInput
        The event is malformed (names the field).
    CallbackNotAllowed
        A request whose source is not an origin allowed for the tenant.
    """
    event = events.parse(body)
    request = None
    if event.type == events.CREATED:
        url = events.callback_url(event.source)
        origin = events.origin(url)
        if pact_store.callback_credentials(store.engine, tenant.id, origin) is None:
            raise CallbackNotAllowed(
                f"the answer would go to {origin}, which is not a callback host allowed for "
                f"{tenant.name} (an administrator registers it with 'pcf tenants "
                "pact-callback')", field="source")
        request = {"callback_url": url, "origin": origin}
    _, new = pact_store.record_event(store.engine, tenant.id, event.id, event.source,
                                     event.type, body, request)
    return {"type": event.short_type, "event_id": event.id, "new": new}


def set_callback(store: Any, tenant_name: str, host_or_url: str, client_id: str,
                 client_secret: str) -> dict[str, Any]:
    """Allow a callback origin for a tenant, with the credentials to use there.

    Raises
    ------
    UnknownTenant
        No such tenant.
    InvalidInput
        Not an https URL or host (``http`` only to loopback), empty credentials.
    """
    tenant = store.get_tenant(tenant_name)
    origin = events.origin(host_or_url)
    if not client_id or not client_secret:
        raise InvalidInput("a client id and a client secret are required", field="client_id")
    if len(client_id) > 300 or len(client_secret) > 1000:
        raise InvalidInput("client id or secret too long", field="client_id")
    pact_store.set_callback_host(store.engine, tenant.id, origin, client_id,
                                 secrets.encrypt(client_secret))
    return {"tenant": tenant.name, "origin": origin, "client_id": client_id}


def remove_callback(store: Any, tenant_name: str, host_or_url: str) -> bool:
    """Disallow a callback origin; True if it was allowed."""
    tenant = store.get_tenant(tenant_name)
    return pact_store.remove_callback_host(store.engine, tenant.id, events.origin(host_or_url))


def callbacks(store: Any, tenant_name: str) -> list[dict[str, Any]]:
    """The callback origins allowed for a tenant (no secrets)."""
    tenant = store.get_tenant(tenant_name)
    return pact_store.callback_hosts(store.engine, tenant.id)


def request_view(record: pact_store.RequestRecord) -> dict[str, Any]:
    """JSON view of a request and its answer's delivery."""
    response = record.response or {}
    data = response.get("data") or {}
    return {
        "id": record.id,
        "tenant": record.tenant,
        "request_event_id": record.request_event_id,
        "received_at": _iso(record.received_at),
        "criteria": {k: v for k, v in (record.request.get("data") or {}).items()
                     if k != "comment"},
        "state": record.state,
        "answer": (None if not response else
                   {"type": str(response.get("type", "")).rsplit(".", 2)[-2],
                    "event_id": response.get("id"),
                    "footprints": [pf.get("id") for pf in data.get("pfs") or []],
                    "error": data.get("error")}),
        "certificate_ids": record.certificate_ids,
        "callback_url": record.callback_url,
        "attempts": record.attempts,
        "next_attempt_at": (_iso(record.next_attempt_at)
                            if record.state in ("received", "fulfilled", "rejected") else None),
        "last_error": record.last_error,
        "delivered_at": _iso(record.delivered_at) if record.delivered_at else None,
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_requests(store: Any, tenant: Any, limit: int = 100) -> list[dict[str, Any]]:
    """The tenant's requests (admins: all), newest first (:func:`request_view`)."""
    return [request_view(r) for r in pact_store.list_requests(store.engine, _scope(tenant),
                                                              limit)]


def get_request(store: Any, tenant: Any, request_id: int) -> dict[str, Any]:
    """One request (:func:`request_view`); UnknownResource if not the tenant's."""
    return request_view(pact_store.get_request(store.engine, request_id, _scope(tenant)))


def received_events(store: Any, tenant: Any, limit: int = 100) -> list[dict[str, Any]]:
    """Events the tenant sent (admins: all), newest first."""
    return [{**e, "received_at": _iso(e["received_at"])}
            for e in pact_store.list_events(store.engine, _scope(tenant), limit)]


# --------------------------------------------------------------------------- fulfilment


def _matching_products(criteria: filters.Filters) -> list[str]:
    from pcf.certificates.classifications import classification_urns
    from pcf.certificates.settings import issuer
    from pcf.service import footprints

    wanted = {v.lower() for v in criteria.productId}
    classes = {v.lower() for v in criteria.classification}
    who = issuer()
    out = []
    for product in footprints.list_products():
        pid = product["id"]
        if who.product_urn(pid).lower() in wanted or \
                {c.lower() for c in classification_urns(pid)} & classes:
            out.append(pid)
    return out


def fulfil(store: Any, record: pact_store.RequestRecord, *, base_url: str | None = None,
           require_issuer: bool = False) -> tuple[dict, list[str]]:
    """Build the answer to a request (see the module docstring, step 1).

    Returns
    -------
    (dict, list of str)
        The answer event and the ids of the certificates issued for it.
    """
    from pcf.certificates.settings import DEFAULT_BASE_URL, public_url
    from pcf.service import footprints, orders
    from pcf.service.certificates import issue_certificate

    base = (base_url or public_url() or DEFAULT_BASE_URL).rstrip("/")
    source = f"{base}/3/events"
    request_id = record.request_event_id
    criteria = filters.from_data(record.request.get("data") or {})
    if not criteria.productId and not criteria.classification:
        return events.rejected(request_id, "BadRequest", "name the products with productId "
                               "or classification", source), []
    products = _matching_products(criteria)
    if not products:
        return events.rejected(request_id, "NotFound", "no product of this host has the "
                               "requested productId or classification", source), []
    lines = [orders.OrderLineInput(line_id=pid, product=pid, quantity=1.0,
                                   unit=footprints.get_product(pid)["declared_unit"])
             for pid in products]
    order_id = f"pact-{record.id}-{uuid.uuid4().hex[:8]}"
    orders.submit_order(store, record.tenant_id, order_id, lines)
    issued = [issue_certificate(store.engine, tenant_id=record.tenant_id, order_id=order_id,
                                line_id=pid, issued_by=ISSUED_BY, base_url=base,
                                require_issuer=require_issuer) for pid in products]
    ids = [c.certificate_id for c in issued]
    pfs = [host.served(c.document, "Active") for c in issued]
    pfs = [pf for pf in pfs if filters.matches(pf, criteria)]
    if not pfs:
        return events.rejected(request_id, "NotFound", "the footprints computed for the "
                               "requested products do not meet the request's other criteria",
                               source), ids
    return events.fulfilled(request_id, pfs, source), ids


def deliver(store: Any, record: pact_store.RequestRecord, answer: dict) -> None:
    """POST the answer to the requester with the registered credentials (step 2).

    Raises
    ------
    CallbackNotAllowed
        The origin is no longer allowed for the tenant (nothing is sent).
    PactClientError
        The requester did not take it.
    """
    credentials = pact_store.callback_credentials(store.engine, record.tenant_id,
                                                  record.origin)
    if credentials is None:
        raise CallbackNotAllowed(f"{record.origin} is no longer a callback host allowed for "
                                 f"{record.tenant}", field="source")
    if events.origin(record.callback_url) != record.origin:  # defence in depth
        raise CallbackNotAllowed(f"{record.callback_url} is not on {record.origin}",
                                 field="source")
    client_id, secret = credentials
    source = str(record.request.get("source", ""))
    client = PactClient(events.base_of(source), client_id, secrets.decrypt(secret),
                        token_url=events.token_url(source))
    client.post_event(answer, url=record.callback_url)


def process(store: Any, request_id: int, *, base_url: str | None = None,
            require_issuer: bool = False, now: datetime | None = None) -> str:
    """Do what is due for one (claimed) request: build its answer if needed, deliver it.

    Returns
    -------
    str
        The request's new state.
    """
    record = pact_store.get_request(store.engine, request_id)
    answer = record.response
    if record.state == "received":
        try:
            answer, ids = fulfil(store, record, base_url=base_url,
                                 require_issuer=require_issuer)
        except PcfError as exc:
            log.warning("PACT request %s: cannot fulfil: %s", record.id, exc)
            answer, ids = events.rejected(
                record.request_event_id, "InternalError",
                f"the footprint could not be computed or certified: {exc}",
                f"{(base_url or '').rstrip('/')}/3/events"), []
        except Exception:  # noqa: BLE001 - answer the requester, keep the worker alive
            log.exception("PACT request %s: fulfilment failed", record.id)
            answer, ids = events.rejected(record.request_event_id, "InternalError",
                                          "an internal error occurred",
                                          f"{(base_url or '').rstrip('/')}/3/events"), []
        state = "fulfilled" if answer["type"] == events.FULFILLED else "rejected"
        pact_store.update_request(store.engine, record.id, release=False, state=state,
                                  response=answer, certificate_ids=ids)
    assert answer is not None
    attempts = record.attempts + 1
    moment = now or utcnow()
    try:
        deliver(store, record, answer)
    except CallbackNotAllowed as exc:
        pact_store.update_request(store.engine, record.id, state="abandoned",
                                  attempts=record.attempts, last_error=str(exc))
        return "abandoned"
    except (PactClientError, PcfError) as exc:
        when = delivery.next_attempt(attempts, record.received_at, moment)
        state = "abandoned" if when is None else \
            ("fulfilled" if answer["type"] == events.FULFILLED else "rejected")
        pact_store.update_request(store.engine, record.id, state=state, attempts=attempts,
                                  next_attempt_at=when or moment, last_error=str(exc)[:2000])
        log.info("PACT request %s: delivery %d failed (%s); %s", record.id, attempts, exc,
                 "abandoned" if when is None else f"next at {when.isoformat()}")
        return state
    pact_store.update_request(store.engine, record.id, state="delivered", attempts=attempts,
                              delivered_at=utcnow(), last_error=None)
    log.info("PACT request %s: %s delivered to %s", record.id, events.describe(answer),
             record.callback_url)
    return "delivered"


def run_due(store: Any, *, base_url: str | None = None, require_issuer: bool = False
            ) -> float | None:
    """Process every due request this process can claim (the worker's ``run_once``).

    Returns
    -------
    float or None
        Seconds until the next due request, None if none is pending.
    """
    now = utcnow()
    for request_id in pact_store.claim_due(store.engine, now):
        try:
            process(store, request_id, base_url=base_url, require_issuer=require_issuer)
        except Exception:  # noqa: BLE001 - one bad request must not stop the others
            log.exception("PACT request %s: processing failed", request_id)
            pact_store.update_request(
                store.engine, request_id, last_error="processing failed; see the server log",
                next_attempt_at=utcnow() + timedelta(seconds=delivery.delay(1)))
    following = pact_store.next_due(store.engine)
    if following is None:
        return None
    return max((following - utcnow()).total_seconds(), 0.0)


__all__ = ["issue_token", "authenticate", "shared_footprints", "list_footprints",
           "get_footprint", "receive_event", "set_callback", "remove_callback", "callbacks",
           "list_requests", "get_request", "received_events", "fulfil", "deliver", "process",
           "run_due", "request_view"]
