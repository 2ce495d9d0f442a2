"""Tenants and API keys.

An API key is ``pcf_`` followed by 43 URL-safe characters (32 random bytes from
:mod:`secrets`, 256 bits). Only ``sha256(key)`` (hex) is stored; because the key has full
entropy, a plain hash without salt or stretching is enough, and it lets a request be
authenticated with one indexed lookup. The key is returned once, by :func:`create_tenant`.

Keys are named by their ``prefix`` (the first 12 characters, ``pcf_`` and 8 random ones,
enough to tell a tenant's keys apart and useless to an attacker). A key may have an expiry;
a revoked or expired key stops working at once for every worker process: verified keys are
cached per process (:mod:`pcf.store.keycache`), and revoking a key or changing a tenant's
limits notifies every process's cache (:func:`pcf.store.keycache.notify` in the same
transaction, then :meth:`~pcf.store.keycache.KeyCache.changed`). ``last_used_at`` is written
at most once a minute per key (:data:`LAST_USED_RESOLUTION`), so authentication stays a read.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError

from pcf.errors import InvalidInput, StateConflict, TenantExists, UnknownResource, UnknownTenant
from pcf.roles import ROLES
from pcf.store.db import write_connection
from pcf.store.keycache import CachedKey, KeyCache, notify
from pcf.store.models import ApiKey, Tenant, aware_utc, table, utcnow

KEY_PREFIX = "pcf_"
PREFIX_LENGTH = 12
"""Characters of a key kept in clear as its name (``pcf_`` + 8)."""
LAST_USED_RESOLUTION = timedelta(seconds=60)
"""``last_used_at`` is refreshed when older than this."""


def _iso(dt: datetime | None) -> str | None:
    dt = aware_utc(dt)
    return dt.isoformat() if dt else None


@dataclass(frozen=True)
class TenantInfo:
    """An authenticated tenant: database ``id``, unique ``name`` and ``role``, and the limits
    an admin set for it (None: the server defaults)."""

    id: int
    name: str
    role: str
    created_at: datetime | None = None
    rate_limit: str | None = None
    daily_order_lines: int | None = None

    def to_dict(self) -> dict:
        """Return ``{"name", "role", "created_at", "rate_limit", "daily_order_lines"}``
        (JSON-ready; limits None when the server default applies)."""
        return {"name": self.name, "role": self.role, "created_at": _iso(self.created_at),
                "rate_limit": self.rate_limit, "daily_order_lines": self.daily_order_lines}


@dataclass(frozen=True)
class KeyInfo:
    """An API key as listed (never the key itself): its prefix and dates."""

    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def status(self, now: datetime | None = None) -> str:
        """``revoked``, ``expired`` or ``active``."""
        now = now or utcnow()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"prefix", "status", "created_at", "expires_at", "revoked_at",
        "last_used_at"}``."""
        return {"prefix": self.prefix, "status": self.status(),
                "created_at": _iso(self.created_at), "expires_at": _iso(self.expires_at),
                "revoked_at": _iso(self.revoked_at), "last_used_at": _iso(self.last_used_at)}


_TENANT_COLUMNS = (Tenant.id, Tenant.name, Tenant.role, Tenant.created_at, Tenant.rate_limit,
                   Tenant.daily_order_lines)


def _tenant(row) -> TenantInfo:
    return TenantInfo(row.id, row.name, row.role, aware_utc(row.created_at), row.rate_limit,
                      row.daily_order_lines)


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


def create_tenant(engine: Engine, name: str, role: str,
                  expires_at: datetime | None = None) -> tuple[TenantInfo, str]:
    """Create a tenant with one API key.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
        Unique tenant name, 1..200 characters.
    role : str
        ``customer``, ``engineer`` or ``admin``.
    expires_at : datetime, optional
        When the key stops working (default: never).

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
    from pcf.text import check_text

    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("tenant name must have 1 to 200 characters", field="name")
    check_text(name, "name")
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
                tenant_id=tenant_id, key_hash=hash_key(key), prefix=key[:PREFIX_LENGTH],
                created_at=now, expires_at=expires_at))
    except IntegrityError:
        raise TenantExists(f"a tenant named {name!r} exists", field="name") from None
    return TenantInfo(tenant_id, name, role, now), key


def add_key(engine: Engine, name: str, expires_at: datetime | None = None) -> str:
    """Issue an additional API key for tenant ``name`` and return it (shown once).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    expires_at : datetime, optional
        When the key stops working (default: never).

    Raises
    ------
    UnknownTenant
        No tenant has this name.
    """
    key = new_key()
    with write_connection(engine) as conn:
        tenant_id = conn.execute(select(Tenant.id).where(Tenant.name == name)).scalar()
        if tenant_id is None:
            raise UnknownTenant(f"no tenant named {name!r}", field="name")
        conn.execute(table(ApiKey).insert().values(
            tenant_id=tenant_id, key_hash=hash_key(key), prefix=key[:PREFIX_LENGTH],
            created_at=utcnow(), expires_at=expires_at))
    return key


def authenticate(engine: Engine, key: str, cache: KeyCache | None = None) -> TenantInfo | None:
    """Return the tenant owning the API key ``key`` if it is neither revoked nor expired,
    else None. Refreshes the key's ``last_used_at`` when it is older than a minute.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    key : str
        The key as sent (``pcf_...``).
    cache : KeyCache, optional
        The process's cache of verified keys (:mod:`pcf.store.keycache`): a hit answers
        without touching the database; a miss reads it and fills the cache.
    """
    if not key or not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    digest = hash_key(key)
    now = utcnow()
    token = cache.token() if cache is not None else None
    if cache is not None:
        hit = cache.get(digest, token, now)
        if hit is not None:
            if hit.last_used is None or now - hit.last_used > LAST_USED_RESOLUTION:
                _touch(engine, hit.key_pk, now)
                cache.put(digest, replace(hit, last_used=now), token)
            return hit.tenant
    with engine.connect() as conn:
        row = conn.execute(
            select(*_TENANT_COLUMNS, ApiKey.id.label("key_pk"), ApiKey.last_used_at,
                   ApiKey.expires_at)
            .join(ApiKey, ApiKey.tenant_id == Tenant.id)
            .where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None),
                   or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now))
        ).first()
    if row is None:
        return None
    last = aware_utc(row.last_used_at)
    if last is None or now - last > LAST_USED_RESOLUTION:
        _touch(engine, row.key_pk, now)
        last = now
    tenant = _tenant(row)
    if cache is not None:
        cache.put(digest, CachedKey(tenant, row.key_pk, aware_utc(row.expires_at),
                                    cache.clock(), last), token)
    return tenant


def tenant_of_key_id(engine: Engine, key_pk: int, tenant_id: int,
                     cache: KeyCache | None = None) -> TenantInfo | None:
    """Return the tenant of the API key with row id ``key_pk`` if the key is neither revoked
    nor expired and belongs to tenant ``tenant_id``, else None (a PACT access token names
    its key by id: :func:`pcf.service.pact.authenticate`).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    key_pk : int
        ``api_keys.id`` of the key.
    tenant_id : int
        The tenant the caller expects (the token's claim).
    cache : KeyCache, optional
        The process's cache of verified keys: the same cache, signal and bounds as
        :func:`authenticate` (revoking a key reaches every process before its next lookup;
        an entry is used until the key's expiry and :data:`pcf.store.keycache.MAX_AGE` at
        most), entries under ``"id:<key_pk>"``. Does not write ``last_used_at`` (the token
        path never did).
    """
    now = utcnow()
    ident = f"id:{int(key_pk)}"
    token = cache.token() if cache is not None else None
    if cache is not None:
        hit = cache.get(ident, token, now)
        if hit is not None:
            return hit.tenant if hit.tenant.id == tenant_id else None
    with engine.connect() as conn:
        row = conn.execute(
            select(*_TENANT_COLUMNS, ApiKey.expires_at)
            .join(ApiKey, ApiKey.tenant_id == Tenant.id)
            .where(ApiKey.id == key_pk, ApiKey.revoked_at.is_(None),
                   or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now))
        ).first()
    if row is None:
        return None
    tenant = _tenant(row)
    if cache is not None:
        cache.put(ident, CachedKey(tenant, int(key_pk), aware_utc(row.expires_at),
                                   cache.clock(), None), token)
    return tenant if tenant.id == tenant_id else None


def _touch(engine: Engine, key_pk: int, now: datetime) -> None:
    """Set a key's ``last_used_at`` (a short autocommitted write; failures are ignored: the
    date is informative and must never refuse a request)."""
    try:
        with engine.begin() as conn:
            conn.execute(update(ApiKey).where(ApiKey.id == key_pk).values(last_used_at=now))
    except Exception:  # noqa: BLE001 - e.g. the database is busy; try again next minute
        pass


def list_keys(engine: Engine, name: str) -> list[KeyInfo]:
    """Return the keys of tenant ``name`` (prefix, status and dates), oldest first.

    Raises
    ------
    UnknownTenant
    """
    with engine.connect() as conn:
        tenant_id = conn.execute(select(Tenant.id).where(Tenant.name == name)).scalar()
        if tenant_id is None:
            raise UnknownTenant(f"no tenant named {name!r}", field="name")
        rows = conn.execute(
            select(ApiKey.prefix, ApiKey.created_at, ApiKey.expires_at, ApiKey.revoked_at,
                   ApiKey.last_used_at)
            .where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.id)).all()
    return [KeyInfo(r.prefix, aware_utc(r.created_at), aware_utc(r.expires_at),
                    aware_utc(r.revoked_at), aware_utc(r.last_used_at)) for r in rows]


def revoke_key(engine: Engine, name: str, prefix: str) -> KeyInfo:
    """Revoke the key of tenant ``name`` named by ``prefix`` (its listed prefix, or the whole
    key). Effective for the next request on every worker: the transaction notifies the key
    caches (:func:`pcf.store.keycache.notify`); the caller then calls
    :meth:`KeyCache.changed` (``Store.revoke_key`` does).

    Returns
    -------
    KeyInfo
        The revoked key.

    Raises
    ------
    UnknownTenant
        No tenant has this name.
    UnknownResource
        No key of this tenant has this prefix (``field="prefix"``, allowed: its prefixes).
    StateConflict
        The prefix names several keys (give more characters), or the key is already revoked.
    """
    prefix = (prefix or "").strip()
    with write_connection(engine) as conn:
        tenant_id = conn.execute(select(Tenant.id).where(Tenant.name == name)).scalar()
        if tenant_id is None:
            raise UnknownTenant(f"no tenant named {name!r}", field="name")
        query = select(ApiKey.id, ApiKey.prefix, ApiKey.revoked_at).where(
            ApiKey.tenant_id == tenant_id)
        if len(prefix) > PREFIX_LENGTH:  # the whole key
            query = query.where(ApiKey.key_hash == hash_key(prefix))
        else:
            query = query.where(ApiKey.prefix == prefix)
        rows = conn.execute(query).all()
        if not rows:
            known = conn.execute(select(ApiKey.prefix).where(ApiKey.tenant_id == tenant_id)
                                 .order_by(ApiKey.id)).scalars().all()
            raise UnknownResource(f"tenant {name!r} has no key with prefix {prefix!r}",
                                  field="prefix", allowed=list(known))
        if len(rows) > 1:
            raise StateConflict(f"prefix {prefix!r} names {len(rows)} keys of {name!r}; give "
                                "the whole key", field="prefix")
        if rows[0].revoked_at is not None:
            raise StateConflict(f"key {rows[0].prefix} of {name!r} is already revoked",
                                field="prefix")
        conn.execute(update(ApiKey).where(ApiKey.id == rows[0].id).values(revoked_at=utcnow()))
        notify(conn)
        row = conn.execute(
            select(ApiKey.prefix, ApiKey.created_at, ApiKey.expires_at, ApiKey.revoked_at,
                   ApiKey.last_used_at).where(ApiKey.id == rows[0].id)).one()
    return KeyInfo(row.prefix, aware_utc(row.created_at), aware_utc(row.expires_at),
                   aware_utc(row.revoked_at), aware_utc(row.last_used_at))


_UNSET: Any = object()


def set_limits(engine: Engine, name: str, rate_limit: Any = _UNSET,
               daily_order_lines: Any = _UNSET) -> TenantInfo:
    """Set (or with None reset to the server default) a tenant's request rate limit and daily
    order-line quota; arguments left out are unchanged. Validation is the caller's (the
    service checks the rate-limit syntax).

    Raises
    ------
    UnknownTenant
    """
    values: dict[str, Any] = {}
    if rate_limit is not _UNSET:
        values["rate_limit"] = rate_limit
    if daily_order_lines is not _UNSET:
        values["daily_order_lines"] = daily_order_lines
    with write_connection(engine) as conn:
        if values:
            conn.execute(update(Tenant).where(Tenant.name == name).values(**values))
            notify(conn)
        row = conn.execute(select(*_TENANT_COLUMNS).where(Tenant.name == name)).first()
    if row is None:
        raise UnknownTenant(f"no tenant named {name!r}", field="name")
    return _tenant(row)


def list_tenants(engine: Engine) -> list[TenantInfo]:
    """Return every tenant, ordered by name."""
    with engine.connect() as conn:
        rows = conn.execute(select(*_TENANT_COLUMNS).order_by(Tenant.name)).all()
    return [_tenant(r) for r in rows]


def get_tenant_by_id(engine: Engine, tenant_id: int) -> TenantInfo:
    """Return the tenant with database id ``tenant_id`` (raises UnknownTenant)."""
    with engine.connect() as conn:
        row = conn.execute(select(*_TENANT_COLUMNS).where(Tenant.id == tenant_id)).first()
    if row is None:
        raise UnknownTenant(f"no tenant with id {tenant_id}", field="tenant")
    return _tenant(row)


def get_tenant(engine: Engine, name: str) -> TenantInfo:
    """Return the tenant called ``name``.

    Raises
    ------
    UnknownResource
        No tenant has this name.
    """
    with engine.connect() as conn:
        row = conn.execute(select(*_TENANT_COLUMNS).where(Tenant.name == name)).first()
    if row is None:
        raise UnknownTenant(f"no tenant named {name!r}", field="tenant")
    return _tenant(row)
