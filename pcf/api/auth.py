"""Authentication and roles.

Every route under ``/v1`` needs ``Authorization: Bearer <api key>`` unless its view is marked
with :func:`public` (the product catalogue is public). The check runs in a ``before_request``
hook, so a blueprint added later is protected by default. Keys are looked up by their SHA-256
(:mod:`pcf.store.tenants`).

Roles: ``customer`` (footprints, its own orders), ``engineer`` (also comparisons), ``admin``
(everything, and may read another tenant's order with ``?tenant=NAME``). Use
:func:`require_roles` on a view to restrict it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import current_app, g, request

from pcf.api.problems import ApiProblem
from pcf.roles import ROLES  # the one list of roles
from pcf.store import TenantInfo

_WWW_AUTH = {"WWW-Authenticate": 'Bearer realm="pcf"'}


def public(view: Callable) -> Callable:
    """Mark a view as public (no API key needed); also documents ``security: []``."""
    view._pcf_public = True
    apidoc = getattr(view, "_apidoc", None)
    if apidoc is None:
        view._apidoc = apidoc = {}
    apidoc.setdefault("manual_doc", {})["security"] = []
    return view


def _is_public(view) -> bool:
    if getattr(view, "_pcf_public", False):
        return True
    view_class = getattr(view, "view_class", None)
    return bool(view_class is not None and getattr(view_class, "public", False))


def authenticate_request() -> None:
    """``before_request`` hook: set ``g.tenant`` or answer 401 for protected ``/v1`` routes."""
    g.tenant = None
    if not request.path.startswith("/v1/") and request.path != "/v1":
        return
    if request.endpoint is None:  # unknown route or method: let routing answer 404/405
        return
    if request.method == "OPTIONS":  # Flask's automatic answer lists the allowed methods
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or _is_public(view):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiProblem(401, "This endpoint needs an API key: send 'Authorization: Bearer "
                              "<key>' (create one with 'pcf tenants create NAME --role ROLE').",
                         headers=_WWW_AUTH)
    tenant = current_app.extensions["pcf"].store.authenticate(key.strip())
    if tenant is None:
        raise ApiProblem(401, "The API key is not valid.",
                         headers={"WWW-Authenticate": 'Bearer realm="pcf", error="invalid_token"'})
    g.tenant = tenant


def current_tenant() -> TenantInfo:
    """Return the authenticated tenant of the request (set by :func:`authenticate_request`)."""
    tenant = getattr(g, "tenant", None)
    if tenant is None:  # a protected view reached without auth would be a wiring bug
        raise ApiProblem(401, "This endpoint needs an API key.", headers=_WWW_AUTH)
    return tenant


def require_roles(*roles: str) -> Callable[[Callable], Callable]:
    """Decorator: only tenants with one of ``roles`` may call the view (else 403)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            tenant = current_tenant()
            if tenant.role not in roles:
                raise ApiProblem(403, f"Role {tenant.role!r} may not use this endpoint; "
                                      f"allowed roles: {', '.join(roles)}.",
                                 allowed={"role": list(roles)})
            return view(*args, **kwargs)

        wrapper._apidoc = dict(getattr(view, "_apidoc", {}))
        return wrapper

    return decorator
