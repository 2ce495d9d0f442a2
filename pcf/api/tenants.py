"""Tenant administration (admins only): limits and API keys.

- ``GET /v1/tenants/{name}``: role, the limits that apply (own or server default) and the
  order lines used today;
- ``PATCH /v1/tenants/{name}`` ``{rate_limit?, daily_order_lines?}``: set limits (null: back
  to the server default);
- ``GET /v1/tenants/{name}/keys``: keys by prefix with status, expiry and last use (never
  the keys themselves);
- ``POST /v1/tenants/{name}/keys`` ``{expires_in_days? | expires_at?}``: a new key, shown
  once (201);
- ``DELETE /v1/tenants/{name}/keys/{prefix}``: revoke a key; the next request with it is
  401 on every worker (the revocation invalidates every worker's key cache,
  :mod:`pcf.store.keycache`).

The same operations are ``pcf tenants show|limits|keys|add-key|revoke-key``.
"""

from __future__ import annotations

from flask import current_app

from pcf.api.auth import require_roles
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import (
    KeyListSchema,
    KeySchema,
    NewKeyRequestSchema,
    NewKeySchema,
    TenantLimitsRequestSchema,
    TenantSchema,
)
from pcf.service import tenants as use_case

blp = Blueprint("tenants", __name__, url_prefix="/v1/tenants",
                description="Tenant administration: limits and API keys (admins).")


def _store():
    return current_app.extensions["pcf"].store


def _tenant_view(tenant) -> dict:
    out = tenant.to_dict()
    return {"name": out["name"], "role": out["role"], "created_at": out["created_at"],
            "limits": use_case.effective_limits(_store(), tenant)}


@blp.route("/<string:name>", methods=["GET"])
@require_roles("admin")
@blp.response(200, TenantSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def get_tenant(name: str):
    """A tenant with its limits and today's order-line usage (admins)."""
    return json_response(_tenant_view(_store().get_tenant(name)))


@blp.route("/<string:name>", methods=["PATCH"])
@require_roles("admin")
@blp.arguments(TenantLimitsRequestSchema, example={"rate_limit": "120/minute",
                                                  "daily_order_lines": 100000})
@blp.response(200, TenantSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def set_limits(args: dict, name: str):
    """Set a tenant's request rate limit and/or daily order-line quota (admins); null sets
    the server default back. Effective for the tenant's next request on every worker."""
    _store().get_tenant(name)
    tenant = use_case.set_limits(_store(), name, **args)
    return json_response(_tenant_view(tenant))


@blp.route("/<string:name>/keys", methods=["GET"])
@require_roles("admin")
@blp.response(200, KeyListSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def list_keys(name: str):
    """A tenant's API keys: prefix, status, created, expires, revoked, last used (admins)."""
    keys = _store().list_keys(name)
    return json_response({"tenant": name, "keys": [k.to_dict() for k in keys]})


@blp.route("/<string:name>/keys", methods=["POST"])
@require_roles("admin")
@blp.arguments(NewKeyRequestSchema)
@blp.response(201, NewKeySchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def add_key(args: dict, name: str):
    """Issue a new API key for a tenant (admins); shown once. Optional expiry."""
    expires = use_case.parse_expiry(args.get("expires_in_days"), args.get("expires_at"))
    key = _store().add_key(name, expires)
    from pcf.store.tenants import PREFIX_LENGTH

    return json_response({"tenant": name, "api_key": key, "prefix": key[:PREFIX_LENGTH],
                          "expires_at": expires.isoformat() if expires else None}, 201)


@blp.route("/<string:name>/keys/<string:prefix>", methods=["DELETE"])
@require_roles("admin")
@blp.response(200, KeySchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def revoke_key(name: str, prefix: str):
    """Revoke a tenant's key named by its prefix (admins). Every worker refuses it from the
    next request on (401)."""
    return json_response(_store().revoke_key(name, prefix).to_dict())
