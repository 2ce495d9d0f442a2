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

from urllib.parse import quote

from flask import current_app

from pcf.api.auth import current_tenant
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.order_files import (
    DOWNLOAD_DOC,
    UPLOAD_DOC,
    accept_spreadsheets,
    download_format,
    order_download,
)
from pcf.api.order_submit import paged, submit_lines
from pcf.api.pagination import LINK_HEADER_DOC, decode_cursor, encode_cursor, link_header
from pcf.api.schemas import (
    OrderJobSchema,
    OrderLineResultSchema,
    OrderListQuerySchema,
    OrderListSchema,
    OrderQuerySchema,
    OrderRequestSchema,
    OrderSchema,
)
from pcf.service.orders import OrderLineInput
from pcf.service.tenants import acting_for

blp = Blueprint("orders", __name__, url_prefix="/v1/orders",
                description="Footprints per customer order line, stored per tenant.")


def _store():
    return current_app.extensions["pcf"].store


@blp.route("", methods=["POST"])
@accept_spreadsheets  # text/csv and xlsx bodies (pcf.api.order_files)
@blp.doc(**UPLOAD_DOC)
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
    your tenant. The body may also be a spreadsheet (`text/csv`, comma or semicolon, UTF-8
    with or without BOM; or xlsx) with the columns of `pcf orders score`: one order per file.
    The answer holds the first 100 lines (`lines_page`, `Link` header); the lines count
    against your daily order-line quota (429 with `Retry-After` when used up).

    With `Prefer: respond-async` the order is scored off the request path: 202 and a status
    URL in `Location` that answers 202 while the order waits and 200 with the order once it
    is scored (recommended for large orders). JSON and spreadsheet bodies alike.
    """
    order_id = args["order_id"]
    lines = [
        OrderLineInput(line_id=line["line_id"], product=line["product"],
                       quantity=line["quantity"], unit=line["unit"],
                       variant=line.get("variant"), parameters=line.get("parameters") or {},
                       location=f"lines[{i}]", company=line.get("company"),
                       year=line.get("year"))
        for i, line in enumerate(args["lines"])
    ]
    return submit_lines(order_id, lines)


@blp.route("", methods=["GET"])
@blp.arguments(OrderListQuerySchema, location="query")
@blp.response(200, OrderListSchema, headers=LINK_HEADER_DOC)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def list_orders(query: dict):
    """List your tenant's orders, newest first, one page at a time (no lines).

    `limit` (default 50, at most 500) and `cursor` (the `next_cursor` of the previous page,
    also given in the `Link: <...>; rel="next"` header). Admins may add `?tenant=NAME`.
    """
    owner = acting_for(_store(), current_tenant(), query.get("tenant"),
                       "list another tenant's orders")
    limit = query.get("limit") or 50
    page, last = _store().list_orders(owner.id, limit, decode_cursor("order", query.get("cursor")))
    cursor = encode_cursor("order", last) if last is not None else None
    return json_response({"orders": page, "next_cursor": cursor}, 200, link_header(cursor, limit))


@blp.route("/<string:order_id>", methods=["GET"])
@blp.doc(**DOWNLOAD_DOC)
@blp.arguments(OrderQuerySchema, location="query")
@blp.response(200, OrderSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_order(query: dict, order_id: str):
    """Read a stored order of your tenant (another tenant's order id answers 404).

    One page of lines: `offset` (default 0) and `limit` (default 100, at most 1000); the next
    page is in `lines_page.next` and the `Link` header. Admins may add ``?tenant=NAME`` to
    read another tenant's order. `?format=csv|xlsx` (or an Accept header of text/csv or the
    xlsx media type) answers the scored spreadsheet of every line (no paging).
    """
    owner = acting_for(_store(), current_tenant(), query.get("tenant"),
                       "read another tenant's orders")
    fmt = download_format(query)
    if fmt is not None:
        return order_download(owner.id, order_id, fmt)
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

    ``offset``, ``limit`` and ``format`` are ignored here; admins may add ``?tenant=NAME``.
    """
    owner = acting_for(_store(), current_tenant(), query.get("tenant"),
                       "read another tenant's orders")
    return json_response(_store().get_order_line(owner.id, order_id, line_id))
