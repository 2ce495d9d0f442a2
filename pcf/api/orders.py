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
"""

from __future__ import annotations

from flask import current_app

from pcf.api.auth import current_tenant
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import OrderQuerySchema, OrderRequestSchema, OrderSchema
from pcf.service.orders import OrderLineInput, submit_order
from pcf.service.tenants import acting_for

blp = Blueprint("orders", __name__, url_prefix="/v1/orders",
                description="Footprints per customer order line, stored per tenant.")


def _store():
    return current_app.extensions["pcf"].store


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
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_order(args: dict):
    """Score and store an order.

    Each line gets a Footprint (kg CO2e for its quantity); the order total is their sum.
    1 to 5,000 lines, body at most 1 MiB. Idempotent: the same body again answers 200 with
    the stored order; a different body under the same order_id is 409. Order ids are scoped to
    your tenant.
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
    document, created = submit_order(_store(), current_tenant().id, order_id, lines)
    location = {"Location": f"/v1/orders/{order_id}"}
    if created:
        return json_response(document, 201, location)
    return json_response(document, 200, {**location, "Idempotent-Replayed": "true"})


@blp.route("/<string:order_id>", methods=["GET"])
@blp.arguments(OrderQuerySchema, location="query")
@blp.response(200, OrderSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_order(query: dict, order_id: str):
    """Read a stored order of your tenant (another tenant's order id answers 404).

    Admins may add ``?tenant=NAME`` to read another tenant's order.
    """
    owner = acting_for(_store(), current_tenant(), query.get("tenant"),
                       "read another tenant's orders")
    return json_response(_store().get_order(owner.id, order_id))
