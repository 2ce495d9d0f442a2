"""The public base URL of absolute links (certificates, QR codes, PACT pagination).

``PCF_PUBLIC_URL`` when set. Otherwise the request's own URL, but only when it came to a
loopback name: a Host header is client input, and no link pcf hands out may point at
whatever host a client claimed.
"""

from __future__ import annotations

from flask import request

from pcf.errors import NotConfigured

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def public_base_url() -> str:
    """Base URL (no trailing slash) for absolute links in answers to this request.

    Raises
    ------
    NotConfigured
        ``PCF_PUBLIC_URL`` is not set and the request is not to a loopback host.
    """
    from pcf.certificates.settings import public_url

    configured = public_url()
    if configured:
        return configured
    host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") \
        else request.host[1:].split("]", 1)[0]
    if host in LOOPBACK:
        return request.url_root.rstrip("/")
    raise NotConfigured("PCF_PUBLIC_URL is not set: absolute links need the server's public "
                        "base URL (a request's Host header is not trusted).",
                        field="PCF_PUBLIC_URL", allowed=["PCF_PUBLIC_URL"])


def dev_mode() -> bool:
    """True under ``pcf serve --dev`` (app config ``PCF_DEV``)."""
    from flask import current_app

    return bool(current_app.config.get("PCF_DEV"))
