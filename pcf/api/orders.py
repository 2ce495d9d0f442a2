"""``POST /v1/orders`` and ``GET /v1/orders/{order_id}``: scored and stored customer orders.

Semantics (also in the OpenAPI descriptions):

- Order ids are scoped per tenant: tenant A's ``PO-1`` and tenant B's ``PO-1`` are different
  orders, and B asking for ``PO-1`` gets B's order or 404, never A's.
- First submission: 201 with the order (a Footprint per line, the total) and
  ``Location: /v1/orders/{order_id}``.
- The same body again (same lines in the same order; numbers compared as numbers, absent and
  empty ``variant``/``parameters`` alike): 200 with the stored order, byte for byte the same
  document, header ``Idempotent-Replayed: true``; nothing new is stored and nothing is
  recomputed (a later data version does not change a stored order).
- A different body under an existing id: 409, nothing stored.
- An order is stored in one transaction: all lines or nothing, also if the server is killed.
- Documents hold one page of lines (``lines_page``; 100 lines by default, ``?offset=&limit=``
  on GET, ``Link: <...>; rel="next"``), so answers stay under 2 MB; ``line_count`` and
  ``total`` are the whole order's. ``GET /v1/orders/{id}/lines/{line_id}`` is one line's
  Footprint.
- ``Prefer: respond-async`` (RFC 7240): the order is queued and scored off the request path;
  202 with ``Location: /v1/order-jobs/{job_id}`` (:mod:`pcf.api.order_jobs`). Recommended
  for large orders. The lines count against the tenant's daily quota either way.
- An order of more than 1,000 lines is scored (synchronous) or checked and queued
  (asynchronous) on the worker's low-priority lane (:mod:`pcf.api.heavy`), one at a time
  per worker.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import current_app, request

from pcf.api.auth import current_tenant
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.heavy import HEAVY_ORDER_LINES, run_heavy
from pcf.api.schemas import (
    OrderJobSchema,
    OrderLineResultSchema,
    OrderQuerySchema,
    OrderRequestSchema,
    OrderSchema,
)
from pcf.service.order_jobs import job_view, submit_order_job
from pcf.service.orders import OrderLineInput, submit_order
from pcf.service.tenants import acting_for

blp = Blueprint("orders", __name__, url_prefix="/v1/orders",
                description="Footprints per customer order line, stored per tenant.")


def _store():
    return current_app.extensions["pcf"].store


def wants_async() -> bool:
    """True when the request says ``Prefer: respond-async`` (RFC 7240)."""
    prefer = ",".join(request.headers.getlist("Prefer")).lower()
    return any(p.split(";")[0].strip() == "respond-async" for p in prefer.split(","))


def paged(document: dict[str, Any], path: str, extra: str = "") -> tuple[dict, dict]:
    """Add the ``next`` URL to a document's ``lines_page``; return it and the ``Link``
    header for the next page (none on the last page)."""
    page = document.get("lines_page")
    headers: dict[str, str] = {}
    if page is not None:
        nxt = page.get("next_offset")
        page["next"] = None
        if nxt is not None:
            page["next"] = f"{path}?offset={nxt}&limit={page['limit']}{extra}"
            headers["Link"] = f'<{page["next"]}>; rel="next"'
    return document, headers


@blp.route("", methods=["POST"])
@blp.arguments(OrderRequestSchema, example={
    "order_id": "PO-2025-0042",
    "lines": [
        {"line_id": "10", "product": "aluminium-coil", "variant": "recycled",
         "quantity": 24, "unit": "t"},
        {"line_id": "20", "product": "battery-cell-lfp", "quantity": 1.5, "unit": "MWh",
         "parameters": {"renewable_electricity_share": 0.4}}]})
@blp.response(201, OrderSchema, description="Order scored and stored.",
              headers={"Location": {"description": "/v1/orders/{order_id}",
                                    "schema": {"type": "string"}}})
@blp.alt_response(200, schema=OrderSchema, success=True,
                  description="The identical order was stored before: the stored order "
                              "(header Idempotent-Replayed: true).")
@blp.alt_response(202, schema=OrderJobSchema, success=True,
                  description="With `Prefer: respond-async`: the order is queued; poll the "
                              "`Location` (/v1/order-jobs/{job_id}) until it answers 200.",
                  headers={"Location": {"description": "/v1/order-jobs/{job_id}",
                                        "schema": {"type": "string"}}})
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def create_order(args: dict):
    """Score and store an order.

    Each line gets a Footprint (kg CO2e for its quantity); the order total is their sum.
    1 to 5,000 lines, body at most 1 MiB. Idempotent: the same body again answers 200 with
    the stored order; a different body under the same order_id is 409. Order ids are scoped to
    your tenant. The answer holds the first 100 lines (`lines_page`, `Link` header); the
    lines count against your daily order-line quota (429 with `Retry-After` when used up).

    With `Prefer: respond-async` the order is scored off the request path: 202 and a status
    URL in `Location` that answers 202 while the order waits and 200 with the order once it
    is scored (recommended for large orders).
    """
    order_id = args["order_id"]
    lines = [
        OrderLineInput(line_id=line["line_id"], product=line["product"],
                       quantity=line["quantity"], unit=line["unit"],
                       variant=line.get("variant"), parameters=line.get("parameters") or {},
                       location=f"lines[{i}]")
        for i, line in enumerate(args["lines"])
    ]
    location = {"Location": f"/v1/orders/{quote(order_id)}"}
    heavy = len(lines) > HEAVY_ORDER_LINES  # a large order waits its turn at low priority
    if wants_async():
        if heavy:
            submission = run_heavy(submit_order_job, _store(), current_tenant(), order_id,
                                   lines)
        else:
            submission = submit_order_job(_store(), current_tenant(), order_id, lines)
        if submission.order is not None:  # stored before: a replay, answered at once
            document, link = paged(submission.order, location["Location"])
            return json_response(document, 200, {**location, **link,
                                                 "Idempotent-Replayed": "true"})
        view = job_view(submission.job)
        return json_response(view, 202, {"Location": view["links"]["self"],
                                         "Preference-Applied": "respond-async",
                                         "Retry-After": "1"})
    if heavy:
        document, created = run_heavy(submit_order, _store(), current_tenant(), order_id, lines)
    else:
        document, created = submit_order(_store(), current_tenant(), order_id, lines)
    document, link = paged(document, location["Location"])
    if created:
        return json_response(document, 201, {**location, **link})
    return json_response(document, 200, {**location, **link, "Idempotent-Replayed": "true"})


@blp.route("/<string:order_id>", methods=["GET"])
@blp.arguments(OrderQuerySchema, location="query")
@blp.response(200, OrderSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_order(query: dict, order_id: str):
    """Read a stored order of your tenant (another tenant's order id answers 404).

    One page of lines: `offset` (default 0) and `limit` (default 100, at most 1000); the next
    page is in `lines_page.next` and the `Link` header. Admins may add ``?tenant=NAME`` to
    read another tenant's order.
    """
    owner = acting_for(_store(), current_tenant(), query.get("tenant"),
                       "read another tenant's orders")
    document = _store().get_order(owner.id, order_id, query["offset"], query["limit"])
    extra = f"&tenant={quote(query['tenant'])}" if query.get("tenant") else ""
    document, link = paged(document, f"/v1/orders/{quote(order_id)}", extra)
    return json_response(document, 200, link)


@blp.route("/<string:order_id>/lines/<string:line_id>", methods=["GET"])
@blp.arguments(OrderQuerySchema, location="query")
@blp.response(200, OrderLineResultSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_order_line(query: dict, order_id: str, line_id: str):
    """One line of a stored order with its full Footprint (stages, contributions, method).

    ``offset`` and ``limit`` are ignored here; admins may add ``?tenant=NAME``.
    """
    owner = acting_for(_store(), current_tenant(), query.get("tenant"),
                       "read another tenant's orders")
    return json_response(_store().get_order_line(owner.id, order_id, line_id))
