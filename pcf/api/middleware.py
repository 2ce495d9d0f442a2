"""WSGI middleware: limits of the HTTP layer that hold whatever server runs the app.

- **URL length**: a request target (path and query) longer than :data:`MAX_URL_LENGTH`
  characters answers 414 ``application/problem+json``. (``pcf serve`` also has gunicorn
  refuse request lines over 8,190 bytes, answered as problem+json by
  :mod:`pcf.api.worker`.)
- **Chunked bodies**: a body sent with ``Transfer-Encoding: chunked`` has no
  ``Content-Length`` to check in advance; it is read here up to the body limit plus one byte,
  and answers 413 if it is longer, instead of being cut at the limit and accepted. A body
  within the limit is handed to the app with its ``Content-Length`` set.

Nothing here imports Flask: it wraps any WSGI app (``app.wsgi_app``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

MAX_URL_LENGTH = 8000
"""Longest request target (path plus query string), characters; longer is 414."""

_TITLES = {413: ("payload-too-large", "Payload too large"),
           414: ("uri-too-long", "URI too long")}


def problem_bytes(status: int, detail: str, instance: str | None = None,
                  slug: str | None = None, title: str | None = None) -> bytes:
    """The body of an ``application/problem+json`` answer, outside Flask."""
    default_slug, default_title = _TITLES.get(status, (None, "Error"))
    body: dict[str, Any] = {
        "type": f"urn:pcf:problem:{slug or default_slug}" if (slug or default_slug)
        else "about:blank",
        "title": title or default_title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class HttpLimits:
    """Wrap a WSGI app with the URL-length and chunked-body limits.

    Parameters
    ----------
    app : WSGI callable
    max_body : callable
        Returns the body limit in bytes (the Flask app's ``MAX_CONTENT_LENGTH``), or None.
    """

    def __init__(self, app: Callable, max_body: Callable[[], int | None]):
        self.app = app
        self.max_body = max_body

    def _answer(self, start_response, status: int, reason: str, detail: str,
                instance: str) -> Iterable[bytes]:
        body = problem_bytes(status, detail, instance)
        start_response(f"{status} {reason}", [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(body))), ("Connection", "close")])
        return [body]

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        """Answer 414/413 as problem+json, else call the app."""
        path = environ.get("PATH_INFO", "")
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or (
            path + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""))
        if len(target) > MAX_URL_LENGTH:
            return self._answer(start_response, 414, "URI Too Long",
                                f"The request target has {len(target)} characters; the "
                                f"limit is {MAX_URL_LENGTH}.", path[:200])
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            limit = self.max_body()
            if limit is not None:
                stream = environ["wsgi.input"]
                parts, size = [], 0
                while size <= limit:
                    chunk = stream.read(min(65536, limit + 1 - size))
                    if not chunk:
                        break
                    parts.append(chunk)
                    size += len(chunk)
                if size > limit:
                    return self._answer(start_response, 413, "Payload Too Large",
                                        f"The request body is larger than the limit of "
                                        f"{limit} bytes.", path[:200])
                data = b"".join(parts)
                environ["wsgi.input"] = io.BytesIO(data)
                environ["CONTENT_LENGTH"] = str(len(data))
                environ.pop("HTTP_TRANSFER_ENCODING", None)
                environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)
