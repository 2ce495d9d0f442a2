"""Use case: who acts for whom. One rule for every endpoint and command where an admin acts
for another tenant (reads its orders, lists or issues its certificates).

Roles (:data:`pcf.store.models.ROLES`): ``customer`` (footprints, its own orders),
``engineer`` (also comparisons, reductions, certificates), ``admin`` (everything, and may act
for another tenant by naming it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pcf.errors import InvalidInput, NotPermitted

ADMIN = "admin"
"""The role that may act for another tenant."""


def acting_for(store: Any, caller: Any, tenant_name: str | None, action: str) -> Any:
    """Return the tenant the caller acts for.

    Rule: no name, or the caller's own name -> the caller; another name -> that tenant, and
    only an admin may name one.

    Parameters
    ----------
    store : pcf.store.Store
    caller : pcf.store.TenantInfo
        The authenticated tenant (API key holder).
    tenant_name : str or None
        The tenant named in the request (``?tenant=NAME`` or a body field).
    action : str
        What the caller wants to do, for the message (``"read another tenant's orders"``).

    Returns
    -------
    pcf.store.TenantInfo

    Raises
    ------
    NotPermitted
        A non-admin named another tenant (``field="role"``, allowed ``["admin"]``).
    UnknownTenant
        No tenant of that name (``field="tenant"``).
    """
    if tenant_name is None or tenant_name == caller.name:
        return caller
    if caller.role != ADMIN:
        raise NotPermitted(f"Only admins may {action}.", field="role", allowed=[ADMIN])
    return store.get_tenant(tenant_name)


def read_scope(caller: Any) -> int | None:
    """Tenant id whose records the caller may read (None: every tenant's, for admins)."""
    return None if caller.role == ADMIN else caller.id


# --------------------------------------------------------------------------- administration


def parse_expiry(expires_in_days: float | None = None,
                 expires_at: datetime | str | None = None) -> datetime | None:
    """Return a key's expiry time (UTC) from a number of days or a date-time, or None.

    Raises
    ------
    InvalidInput
        Both given, a non-positive number of days, an unreadable or past date-time.
    """
    if expires_in_days is not None and expires_at is not None:
        raise InvalidInput("give expires_in_days or expires_at, not both", field="expires_at")
    now = datetime.now(UTC)
    if expires_in_days is not None:
        if not expires_in_days > 0 or expires_in_days > 36500:
            raise InvalidInput("expires_in_days must be > 0 and <= 36500",
                               field="expires_in_days")
        return now + timedelta(days=float(expires_in_days))
    if expires_at is None:
        return None
    if isinstance(expires_at, str):
        try:
            expires_at = datetime.fromisoformat(expires_at)
        except ValueError:
            raise InvalidInput("expires_at must be an ISO 8601 date-time",
                               field="expires_at") from None
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= now:
        raise InvalidInput("expires_at must be in the future", field="expires_at")
    return expires_at.astimezone(UTC)


def check_rate_limit(value: str | None) -> str | None:
    """Return a normalised request rate limit (``"120/minute"``, ``"10/second;600/hour"``,
    ``"none"`` for no limit) or None (the server default).

    Raises
    ------
    InvalidInput
        Not a rate-limit string of the ``limits`` library.
    """
    if value is None:
        return None
    value = value.strip()
    if value.lower() in ("", "default"):
        return None
    if value.lower() == "none":
        return "none"
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a rate limit", field="rate_limit",
                           allowed="N/second|minute|hour|day, several joined by ';', "
                                   "'none' or 'default'") from None
    if len(value) > 100:
        raise InvalidInput("rate_limit is longer than 100 characters", field="rate_limit")
    return value


def check_daily_order_lines(value: int | None) -> int | None:
    """Return a daily order-line quota (0: none) or None (the server default).

    Raises
    ------
    InvalidInput
        Negative or not an integer.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 \
            or value > 2_000_000_000:
        raise InvalidInput("daily_order_lines must be an integer >= 0 (0: no quota)",
                           field="daily_order_lines")
    return value


def effective_limits(store: Any, tenant: Any) -> dict[str, Any]:
    """A tenant's limits as they apply (its own or the server defaults) and today's usage."""
    from pcf.config import default_daily_order_lines, default_rate_limit, max_pending_jobs

    quota = tenant.daily_order_lines
    return {
        "rate_limit": tenant.rate_limit or default_rate_limit(),
        "rate_limit_is_default": tenant.rate_limit is None,
        "daily_order_lines": default_daily_order_lines() if quota is None else quota,
        "daily_order_lines_is_default": quota is None,
        "order_lines_used_today": store.order_lines_used(tenant.id),
        "max_pending_jobs": max_pending_jobs(),
    }


def set_limits(store: Any, name: str, **changes: Any) -> Any:
    """Set a tenant's ``rate_limit`` and/or ``daily_order_lines`` (None: back to the server
    default); return the tenant.

    Raises
    ------
    InvalidInput, UnknownTenant
    """
    values: dict[str, Any] = {}
    if "rate_limit" in changes:
        values["rate_limit"] = check_rate_limit(changes["rate_limit"])
    if "daily_order_lines" in changes:
        values["daily_order_lines"] = check_daily_order_lines(changes["daily_order_lines"])
    return store.set_limits(name, **values)
