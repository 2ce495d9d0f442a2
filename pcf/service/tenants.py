"""Use case: who acts for whom. One rule for every endpoint and command where an admin acts
for another tenant (reads its orders, lists or issues its certificates).

Roles (:data:`pcf.store.models.ROLES`): ``customer`` (footprints, its own orders),
``engineer`` (also comparisons, reductions, certificates), ``admin`` (everything, and may act
for another tenant by naming it).
"""

from __future__ import annotations

from typing import Any

from pcf.errors import NotPermitted

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
