"""Cursor pagination of list endpoints (``GET /v1/orders``, ``GET /v1/certificates``).

A page is asked for with ``?limit=N`` (1..500) and ``?cursor=C``, where ``C`` is the opaque
``next_cursor`` of the previous page. The answer carries ``next_cursor`` in the body (null on
the last page) and, when there is a next page, a ``Link: <...?cursor=C&limit=N>; rel="next"``
header (RFC 8288) whose URL keeps the other query parameters. A cursor is bound to its
resource (an order cursor is refused by the certificates list) and stays valid while items are
added: pages go newest first, and a cursor means "older than the last item seen".
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlencode

from flask import request
from marshmallow import fields, validate

from pcf.errors import InvalidInput

MAX_LIMIT = 500
"""Largest page."""


def limit_field(default: int) -> fields.Integer:
    """The ``limit`` query field (1..500)."""
    return fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_LIMIT),
                          metadata={"description": f"Page size, 1 to {MAX_LIMIT} "
                                                   f"(default {default}).",
                                    "example": default})


def cursor_field() -> fields.String:
    """The ``cursor`` query field."""
    return fields.String(validate=validate.Length(min=1, max=200), metadata={
        "description": "`next_cursor` of the previous page (also in its `Link` header)."})


def encode_cursor(kind: str, position: int) -> str:
    """Opaque cursor of ``position`` (a store key) in list ``kind``."""
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> int | None:
    """Inverse of :func:`encode_cursor`; None for no cursor.

    Raises
    ------
    InvalidInput
        A cursor not made by this list (field ``cursor``): 422.
    """
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != kind or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("not a cursor of this list; use the next_cursor of a previous "
                           "page", field="cursor") from None


def link_header(next_cursor: str | None, limit: int) -> dict[str, str]:
    """``{"Link": '<url>; rel="next"'}`` for the next page (empty on the last page)."""
    if next_cursor is None:
        return {}
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "limit")]
    args += [("limit", str(limit)), ("cursor", next_cursor)]
    return {"Link": f'<{request.path}?{urlencode(args)}>; rel="next"'}


LINK_HEADER_DOC = {"Link": {"description": 'RFC 8288 link to the next page: `<url>; '
                                           'rel="next"` (absent on the last page).',
                            "schema": {"type": "string"}}}
"""OpenAPI description of the ``Link`` response header."""
