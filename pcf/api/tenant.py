"""The caller's own tenant: ``GET /v1/tenant``.

Any role: the tenant's name and role, the limits that apply to it (its own or the server
defaults) and the order lines it used today, the same document an admin gets from
``GET /v1/tenants/{name}``. The workbench shows the role after sign-in, so a customer key
learns before its first 403 that comparing and sweeping need an engineer or admin key.
"""

from __future__ import annotations

from pcf.api.auth import current_tenant
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.schemas import TenantSchema
from pcf.api.tenants import _tenant_view

blp = Blueprint("tenant", __name__, url_prefix="/v1/tenant",
                description="The caller's own tenant: role, limits and today's usage.")


@blp.route("", methods=["GET"])
@blp.response(200, TenantSchema)
def own_tenant():
    """The caller's tenant: name, role, limits and today's order-line usage (any role)."""
    return json_response(_tenant_view(current_tenant()))
