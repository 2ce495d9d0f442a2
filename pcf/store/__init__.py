"""Persistence of pcf (SQLAlchemy 2 + Alembic): tenants, API keys, orders.

:class:`Store` is the entry point: ``Store.open()`` connects to ``PCF_DATABASE_URL`` (default
SQLite ``$PCF_HOME/pcf.sqlite3``), runs the shipped migrations (``alembic upgrade head``) and
offers the operations the API and the CLI need. No Flask here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from pcf.store import orders as _orders, tenants as _tenants
from pcf.store.db import check_health, make_engine, migrate
from pcf.store.orders import LineRecord
from pcf.store.tenants import TenantInfo

__all__ = ["Store", "TenantInfo", "LineRecord", "make_engine", "migrate"]


class Store:
    """The application database: one SQLAlchemy engine plus pcf's operations on it.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Use :meth:`open` rather than building one by hand.
    """

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True) -> Store:
        """Connect to ``url`` (default :func:`pcf.config.database_url`) and migrate to head.

        Parameters
        ----------
        url : str, optional
            SQLAlchemy URL; default ``PCF_DATABASE_URL`` or SQLite under ``$PCF_HOME``.
        upgrade : bool
            Run ``alembic upgrade head`` (default True).
        """
        if url is None:
            from pcf.config import database_url

            url = database_url()
        store = cls(make_engine(url))
        if upgrade:
            migrate(store.engine)
        return store

    @property
    def url(self) -> str:
        """The database URL with the password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    def check_health(self) -> None:
        """Raise :class:`pcf.errors.StoreUnavailable` unless the database answers
        ``SELECT 1``."""
        check_health(self.engine)

    def dispose(self) -> None:
        """Close pooled connections (call in a child after ``fork``)."""
        self.engine.dispose()

    # tenants -----------------------------------------------------------------
    def create_tenant(self, name: str, role: str) -> tuple[TenantInfo, str]:
        """Create a tenant; return it and its API key (see
        :func:`pcf.store.tenants.create_tenant`)."""
        return _tenants.create_tenant(self.engine, name, role)

    def add_key(self, name: str) -> str:
        """Issue another API key for tenant ``name`` (see :func:`pcf.store.tenants.add_key`)."""
        return _tenants.add_key(self.engine, name)

    def authenticate(self, key: str) -> TenantInfo | None:
        """Return the tenant of API key ``key`` or None."""
        return _tenants.authenticate(self.engine, key)

    def list_tenants(self) -> list[TenantInfo]:
        """Return all tenants ordered by name."""
        return _tenants.list_tenants(self.engine)

    def get_tenant(self, name: str) -> TenantInfo:
        """Return tenant ``name``; raises UnknownResource."""
        return _tenants.get_tenant(self.engine, name)

    # orders ------------------------------------------------------------------
    def save_order(self, tenant_id: int, order_id: str, request_sha256: str,
                   request: dict[str, Any], total: dict[str, float], database_version: str,
                   lines: list[LineRecord]) -> tuple[dict[str, Any], bool]:
        """Store an order atomically or replay it (see :func:`pcf.store.orders.save_order`)."""
        return _orders.save_order(self.engine, tenant_id, order_id, request_sha256, request,
                                  total, database_version, lines)

    def get_order(self, tenant_id: int, order_id: str) -> dict[str, Any]:
        """Return a stored order document; raises UnknownResource."""
        return _orders.get_order(self.engine, tenant_id, order_id)

    def replay_order(self, tenant_id: int, order_id: str,
                     request_sha256: str) -> dict[str, Any] | None:
        """The stored order for a replay, None if new; StateConflict for a different body
        (see :func:`pcf.store.orders.replay_order`)."""
        return _orders.replay_order(self.engine, tenant_id, order_id, request_sha256)

    def count_orders(self, tenant_id: int | None = None) -> tuple[int, int]:
        """Return ``(orders, order_lines)`` counts."""
        return _orders.count_orders(self.engine, tenant_id)

    def get_order_request(self, tenant_id: int, order_id: str) -> dict[str, Any]:
        """Return the stored canonical request of an order; raises UnknownResource."""
        return _orders.get_order_request(self.engine, tenant_id, order_id)

    def list_orders(self, tenant_id: int, limit: int,
                    before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
        """One page of a tenant's orders, newest first, and the next cursor (see
        :func:`pcf.store.orders.list_orders`)."""
        return _orders.list_orders(self.engine, tenant_id, limit, before)
