"""Tenants and API keys.

An API key is ``pcf_`` followed by 43 URL-safe characters (32 random bytes from
:mod:`secrets`, 256 bits). Only ``sha256(key)`` (hex) is stored; because the key has full
entropy, a plain hash without salt or stretching is enough, and it lets a request be
authenticated with one indexed lookup. The key is returned once, by :func:`create_tenant`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from pcf.errors import InvalidInput, TenantExists, UnknownTenant
from pcf.roles import ROLES
from pcf.store.db import write_connection
from pcf.store.models import ApiKey, Tenant, table, utcnow

KEY_PREFIX = "pcf_"


@dataclass(frozen=True)
class TenantInfo:
    """An authenticated tenant: database ``id``, unique ``name`` and ``role``."""

    id: int
    name: str
    role: str
    created_at: datetime | None = None

    def to_dict(self) -> dict:
        """Return ``{"name", "role", "created_at"}`` (JSON-ready)."""
        return {"name": self.name, "role": self.role,
                "created_at": self.created_at.isoformat() if self.created_at else None}


def hash_key(key: str) -> str:
    """Return the stored form of an API key: the SHA-256 hex digest of its UTF-8 bytes."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """Return a fresh API key (``pcf_`` + 43 URL-safe characters, 256 random bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", field="role", allowed=list(ROLES))
    return role


def create_tenant(engine: Engine, name: str, role: str) -> tuple[TenantInfo, str]:
    """Create a tenant with one API key.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
        Unique tenant name, 1..200 characters.
    role : str
        ``customer``, ``engineer`` or ``admin``.

    Returns
    -------
    (TenantInfo, str)
        The tenant and its API key in clear text (shown once, never stored).

    Raises
    ------
    InvalidInput
        Empty or too long name, unknown role.
    StateConflict
        A tenant with this name exists.
    """
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("tenant name must have 1 to 200 characters", field="name")
    _check_role(role)
    key = new_key()
    try:
        with write_connection(engine) as conn:
            now = utcnow()
            tenant_id = conn.execute(
                table(Tenant).insert().values(name=name, role=role, created_at=now)
                .returning(table(Tenant).c.id)
            ).scalar_one()
            conn.execute(table(ApiKey).insert().values(
                tenant_id=tenant_id, key_hash=hash_key(key), prefix=key[:12], created_at=now))
    except IntegrityError:
        raise TenantExists(f"a tenant named {name!r} exists", field="name") from None
    return TenantInfo(tenant_id, name, role, now), key


def add_key(engine: Engine, name: str) -> str:
    """Issue an additional API key for tenant ``name`` and return it (shown once).

    Raises
    ------
    UnknownResource
        No tenant has this name.
    """
    key = new_key()
    with write_connection(engine) as conn:
        tenant_id = conn.execute(select(Tenant.id).where(Tenant.name == name)).scalar()
        if tenant_id is None:
            raise UnknownTenant(f"no tenant named {name!r}", field="name")
        conn.execute(table(ApiKey).insert().values(
            tenant_id=tenant_id, key_hash=hash_key(key), prefix=key[:12], created_at=utcnow()))
    return key


def authenticate(engine: Engine, key: str) -> TenantInfo | None:
    """Return the tenant owning the (unrevoked) API key ``key``, or None."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    digest = hash_key(key)
    with engine.connect() as conn:
        row = conn.execute(
            select(Tenant.id, Tenant.name, Tenant.role, Tenant.created_at)
            .join(ApiKey, ApiKey.tenant_id == Tenant.id)
            .where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
        ).first()
    if row is None:
        return None
    return TenantInfo(row.id, row.name, row.role, row.created_at)


def list_tenants(engine: Engine) -> list[TenantInfo]:
    """Return every tenant, ordered by name."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Tenant.id, Tenant.name, Tenant.role, Tenant.created_at).order_by(Tenant.name)
        ).all()
    return [TenantInfo(r.id, r.name, r.role, r.created_at) for r in rows]


def get_tenant(engine: Engine, name: str) -> TenantInfo:
    """Return the tenant called ``name``.

    Raises
    ------
    UnknownResource
        No tenant has this name.
    """
    with engine.connect() as conn:
        row = conn.execute(
            select(Tenant.id, Tenant.name, Tenant.role, Tenant.created_at)
            .where(Tenant.name == name)
        ).first()
    if row is None:
        raise UnknownTenant(f"no tenant named {name!r}", field="tenant")
    return TenantInfo(row.id, row.name, row.role, row.created_at)
