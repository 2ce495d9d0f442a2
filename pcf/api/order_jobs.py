"""``GET /v1/order-jobs/{job_id}``: the status URL of an order scored off the request path.

``POST /v1/orders`` with ``Prefer: respond-async`` answers 202 with ``Location`` here. This
URL answers:

- 202 with the job (``status`` ``queued`` or ``running``) and ``Retry-After: 1`` while the
  order waits or is being scored;
- 200 with the scored order (the same document ``GET /v1/orders/{order_id}`` answers, first
  page of lines) and ``Content-Location: /v1/orders/{order_id}`` once it is done;
- the problem the order failed with (422 invalid lines, 409 order id taken by another body,
  500 scoring failed repeatedly) as ``application/problem+json`` with ``job_id`` and
  ``job_status: "failed"`` added (``status`` is the HTTP status, as RFC 9457 says).

Jobs are scoped per tenant like orders (another tenant's job id answers 404).
"""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import current_app

from pcf.api.auth import current_tenant
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.order_submit import paged
from pcf.api.problems import problem_response
from pcf.api.schemas import OrderJobSchema, OrderSchema
from pcf.service.order_jobs import job_result, job_view

blp = Blueprint("order_jobs", __name__, url_prefix="/v1/order-jobs",
                description="Orders scored off the request path (Prefer: respond-async).")


@blp.route("/<string:job_id>", methods=["GET"])
@blp.response(200, OrderSchema, description="Scored: the order.")
@blp.alt_response(202, schema=OrderJobSchema, success=True,
                  description="Queued or being scored; ask again after Retry-After seconds.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
@blp.alt_response(500, response="INTERNAL_SERVER_ERROR")
def get_job(job_id: str):
    """Status of an order job: 202 while pending, 200 with the order once scored, the
    order's problem (422, 409) if it failed."""
    store = current_app.extensions["pcf"].store
    state, job, result = job_result(store, current_tenant(), job_id)
    if state == "pending":
        return json_response(job_view(job), 202, {"Retry-After": "1"})
    if state == "failed":
        problem = dict(result or {})
        response = problem_response(
            int(problem.get("status", 500)), problem.get("title", "Error"),
            problem.get("detail", "The order could not be scored."), slug=problem.get("slug"),
            errors=problem.get("errors"), allowed=problem.get("allowed"))
        body = json.loads(response.get_data())
        body.update({"job_id": job.job_id, "job_status": "failed", "order_id": job.order_id})
        response.set_data(json.dumps(body, ensure_ascii=False))
        return response
    document, link = paged(result or {}, f"/v1/orders/{quote(job.order_id)}")
    return json_response(document, 200, {
        **link, "Content-Location": f"/v1/orders/{quote(job.order_id)}"})
