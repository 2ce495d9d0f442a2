"""Per-tenant request rate limits (Flask-Limiter), shared by every worker process.

Every authenticated request counts against its tenant's rate limit: the limit an admin set
(``pcf tenants limits NAME --rate 120/minute``, ``PATCH /v1/tenants/{name}``) or the server
default :func:`pcf.config.default_rate_limit` (``PCF_RATE_LIMIT``, ``6000/minute``). The
limit is one budget per tenant over all endpoints (Flask-Limiter's "application limits", a
fixed window), so a tenant cannot dodge it by spreading requests over endpoints. Requests
without a tenant (``/health``, the product catalogue, the docs) are not counted; a request
with a bad key is answered 401 before it is counted.

Over the limit: 429 ``application/problem+json`` with ``Retry-After`` (seconds until the
window resets). The counters live in SQL (:mod:`pcf.store.ratelimit`), so every gunicorn
worker sees the same counts: in the application database on PostgreSQL, in an SQLite file
beside it otherwise. If the counter database fails, requests are let through and the error
logged (a limit must not take the service down).

Daily order-line quotas are not counted here but in the order's own transaction
(:func:`pcf.store.orders.consume_order_lines`): they count lines, not requests, and a refused
order must count nothing.
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Flask, Response, g
from flask_limiter import Limiter

from pcf.api.problems import problem_response

KEY_PREFIX = "pcf"


def _tenant_key() -> str:
    tenant = getattr(g, "tenant", None)
    return f"tenant:{tenant.id}" if tenant is not None else ""


def _tenant_limit() -> str:
    from pcf.config import default_rate_limit

    tenant = getattr(g, "tenant", None)
    value = getattr(tenant, "rate_limit", None) or default_rate_limit()
    return "1000000/second" if value == "none" else value


def _exempt() -> bool:
    from pcf.config import default_rate_limit

    tenant = getattr(g, "tenant", None)
    if tenant is None:
        return True
    return (tenant.rate_limit or default_rate_limit()) == "none"


def _on_breach(limit: Any) -> Response:
    # reset_at is rounded up to the next whole second: never say more than one window
    retry_after = max(1, min(math.ceil(limit.reset_at - time.time()),
                             int(limit.limit.get_expiry())))
    return problem_response(
        429, "Too many requests",
        f"Your tenant's rate limit of {limit.limit} is reached; try again in {retry_after} s.",
        slug="rate-limited", headers={"Retry-After": str(retry_after)})


def init_limiter(app: Flask, database_url: str) -> Limiter:
    """Install the per-tenant rate limit on ``app`` (after the authentication hook, so the
    tenant is known); counters in ``pcf.config.limits_database_url(database_url)``."""
    import pcf.store.ratelimit  # noqa: F401 - registers the pcf-sql:// storage
    from pcf.config import limits_database_url

    limiter = Limiter(
        key_func=_tenant_key,
        application_limits=[_tenant_limit],
        application_limits_exempt_when=_exempt,
        storage_uri="pcf-sql://",
        storage_options={"url": limits_database_url(database_url)},
        strategy="fixed-window",
        headers_enabled=False,
        swallow_errors=True,
        on_breach=_on_breach,
        key_prefix=KEY_PREFIX,
    )
    # The same exemption as a request filter, which Flask-Limiter checks before it resolves
    # and evaluates the limits: a request without a tenant or of an unlimited tenant costs
    # one call instead of the whole limit machinery (issue 21).
    limiter.request_filter(_exempt)
    limiter.init_app(app)
    return limiter
