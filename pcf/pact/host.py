"""The host side of ListFootprints and GetFootprint: served documents, pages, ``Link`` headers.

Footprints are the PACT documents inside pcf's certificates. The signed document is never
changed; what is served is its ``productFootprint`` with ``status`` set from the certificate's
current state (:func:`served`): ``Active`` while the certificate is active, ``Deprecated``
once it is superseded (or expired). Revoked certificates are never served.

Pagination (PACT v3 "Pagination"): at most ``limit`` footprints per answer (default
:data:`DEFAULT_LIMIT`, at most :data:`MAX_LIMIT`), in a stable order (issue order), and an
RFC 8288 ``Link: <absolute URL>; rel="next"`` header while more remain. The URL repeats the
query with ``offset``; it stays valid as long as the footprints exist (PACT: at least 180 s).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from pcf.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
PAGE_PARAMETERS = ("limit", "offset")


def served(document: dict[str, Any], pact_status: str) -> dict[str, Any]:
    """The ProductFootprint of a certificate document as served, with its current status.

    Parameters
    ----------
    document : dict
        A certificate document (``{"certificate", "productFootprint"}``).
    pact_status : str
        ``Active`` or ``Deprecated``.
    """
    pf = copy.deepcopy(document["productFootprint"])
    pf["status"] = pact_status
    return pf


def _integer(values: Sequence[str] | None, name: str, low: int, high: int | None,
             default: int) -> int:
    if not values:
        return default
    if len(values) != 1 or not values[0].isdigit() or len(values[0]) > 9:
        raise InvalidInput(f"{name} must be a whole number", field=name)
    value = int(values[0])
    if value < low or (high is not None and value > high):
        raise InvalidInput(f"{name} must be between {low} and {high}" if high is not None
                           else f"{name} must be at least {low}", field=name)
    return value


def page_parameters(args: dict[str, list[str]]) -> tuple[int, int]:
    """``(limit, offset)`` of a query (PACT ``limit``: a positive integer).

    Raises
    ------
    InvalidInput
        Not a whole number, or out of range (``limit`` 1..:data:`MAX_LIMIT`).
    """
    limit = _integer(args.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    offset = _integer(args.get("offset"), "offset", 0, None, 0)
    return limit, offset


def page(items: Sequence[Any], limit: int, offset: int) -> tuple[list[Any], int | None]:
    """``(items[offset:offset + limit], next offset or None)``."""
    chunk = list(items[offset:offset + limit])
    following = offset + limit
    return chunk, following if following < len(items) else None


def next_link(base_url: str, raw: Sequence[tuple[str, str]], limit: int, offset: int) -> str:
    """The ``Link`` header of the next page: the same criteria, ``limit`` and ``offset``.

    Parameters
    ----------
    base_url : str
        Public base URL (no trailing slash).
    raw : sequence of (str, str)
        The criteria as given (repeated parameters kept).
    """
    query = [(k, v) for k, v in raw if k not in PAGE_PARAMETERS]
    query += [("limit", str(limit)), ("offset", str(offset))]
    return f'<{base_url.rstrip("/")}/3/footprints?{urlencode(query)}>; rel="next"'
