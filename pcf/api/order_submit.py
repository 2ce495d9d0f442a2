"""Submitting an order's lines, the same for every body (JSON from :mod:`pcf.api.orders`,
CSV or xlsx from :mod:`pcf.api.order_files`): synchronous (201/200) or with
``Prefer: respond-async`` queued (202, :mod:`pcf.api.order_jobs`); a large order on the
worker's low-priority lane (:mod:`pcf.api.heavy`); the tenant's daily quota and the compact
order storage either way (:func:`pcf.service.orders.submit_order`,
:func:`pcf.service.order_jobs.submit_order_job`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import current_app, request

from pcf.api.auth import current_tenant
from pcf.api.blueprint import json_response
from pcf.api.heavy import HEAVY_ORDER_LINES, run_heavy
from pcf.service.order_jobs import job_view, submit_order_job
from pcf.service.orders import OrderLineInput, submit_order


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


def submit_lines(order_id: str, lines: list[OrderLineInput]) -> Any:
    """Submit an order's lines (from a JSON or a spreadsheet body) and answer: synchronous
    (201/200) or, with ``Prefer: respond-async``, queued (202); a large order on the
    low-priority lane. The same quota and compact storage either way."""
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
