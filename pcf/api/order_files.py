"""Orders as spreadsheets over HTTP: ``POST /v1/orders`` with a CSV or xlsx body and
``GET /v1/orders/{id}`` as CSV or xlsx (:mod:`pcf.service.order_files` does the work).

- Upload: ``Content-Type: text/csv`` (comma or semicolon, UTF-8 with or without BOM) or
  ``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``; the columns of
  ``pcf orders score`` (one order per file: one value in ``order_id``, or ``?order_id=`` when
  the column is absent); the answer is the JSON order, exactly as for a JSON body (201, or
  200 for the same order again, 409 for another body under the id). Bad lines are 422 with the
  line (CSV) or sheet, row and column (xlsx) in ``errors``.
- Download: ``?format=csv|xlsx`` or an ``Accept`` header naming one of the two media types.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request

from pcf.api.problems import ApiProblem
from pcf.service.order_files import CSV_MEDIA_TYPE, MEDIA_TYPES, XLSX_MEDIA_TYPE

UPLOAD_TYPES = {CSV_MEDIA_TYPE: "csv", "application/csv": "csv", XLSX_MEDIA_TYPE: "xlsx"}
"""Request media types accepted as order files -> format."""

_ORDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:@+=-]{0,127}$")
_FILENAME = re.compile(r"[^A-Za-z0-9._-]")

UPLOAD_DOC = {"requestBody": {"content": {
    CSV_MEDIA_TYPE: {"schema": {"type": "string"}, "example": (
        "order_id,line_id,product,variant,quantity,unit,param.renewable_electricity_share\n"
        "PO-2025-0042,10,aluminium-coil,recycled,24,t,\n"
        "PO-2025-0042,20,battery-cell-lfp,,1.5,MWh,0.4\n")},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
    "parameters": [{"in": "query", "name": "order_id", "required": False,
                    "schema": {"type": "string"},
                    "description": "Spreadsheet bodies only: the order id when the file has "
                                   "no order_id column."}]}
"""OpenAPI additions of ``POST /v1/orders``: the two spreadsheet request bodies."""

DOWNLOAD_DOC = {"responses": {"200": {
    "description": "The order (JSON), or with `format=csv|xlsx` the scored spreadsheet.",
    "content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/Order"}},
    CSV_MEDIA_TYPE: {"schema": {"type": "string"}, "example": (
        "order_id,line_id,product,variant,quantity,unit,declared_unit,"
        "kg_co2e_per_declared_unit,kg_co2e_total,database_version\n"
        "PO-2025-0042,10,aluminium-coil,recycled,24,t,kg,0.61,14640,3f2a9c0d1b7e4a55\n")},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}}
"""OpenAPI additions of ``GET /v1/orders/{order_id}``: the two spreadsheet answers."""


def _store():
    return current_app.extensions["pcf"].store


def accept_spreadsheets(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator (under ``@blp.route``) of ``POST /v1/orders``: a CSV or xlsx body is scored
    and stored here; any other body goes on to the JSON view."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fmt = UPLOAD_TYPES.get(request.mimetype or "")
        if fmt is None:
            return view(*args, **kwargs)
        return _create_from_file(fmt)

    return wrapper


def _create_from_file(fmt: str) -> Any:
    from pcf.api.order_submit import submit_lines  # as a JSON body: quota, async, heavy lane
    from pcf.service.order_files import order_lines_of_file
    from pcf.service.orders import OrderLinesError

    order_id = request.args.get("order_id")
    if order_id is not None and not _ORDER_ID.match(order_id):
        raise ApiProblem(422, "order_id: Must be 1-128 characters of A-Z a-z 0-9 . _ ~ : @ + "
                              "= -, starting with a letter or digit.",
                         errors={"order_id": ["Not a valid order id."]})
    data = request.get_data(cache=True)  # 413 over MAX_CONTENT_LENGTH
    if not data.strip():
        raise ApiProblem(422, "The body is empty; send the order file.",
                         errors={"body": ["Empty."]})
    table, chosen, lines = order_lines_of_file(data, fmt, order_id)
    try:
        return submit_lines(chosen, lines)
    except OrderLinesError as exc:  # located as in the file (line N; sheet, row, column)
        raise OrderLinesError(table.locate(exc.errors)) from None


def download_format(query: dict[str, Any]) -> str | None:
    """``"csv"``/``"xlsx"`` when the client asked for a spreadsheet (``?format=`` first, then
    the ``Accept`` header), None for JSON."""
    fmt = query.get("format")
    if fmt is not None:
        return None if fmt == "json" else fmt
    best = request.accept_mimetypes.best_match(
        ["application/json", CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE], default="application/json")
    return {CSV_MEDIA_TYPE: "csv", XLSX_MEDIA_TYPE: "xlsx"}.get(best or "")


def order_download(owner_id: int, order_id: str, fmt: str) -> Response:
    """The stored order as a scored CSV or xlsx file (attachment ``<order_id>.<fmt>``)."""
    from pcf.service.order_files import order_file

    body = order_file(_store(), owner_id, order_id, fmt)
    name = _FILENAME.sub("_", order_id)
    return Response(body, status=200, mimetype=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
