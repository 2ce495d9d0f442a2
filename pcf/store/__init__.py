"""Persistence of pcf (SQLAlchemy 2 + Alembic): tenants, API keys, orders, order jobs, limits.

:class:`Store` is the entry point: ``Store.open()`` connects to ``PCF_DATABASE_URL`` (default
SQLite ``$PCF_HOME/pcf.sqlite3``), runs the shipped migrations (``alembic upgrade head``) and
offers the operations the API and the CLI need. No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from pcf.store import jobs as _jobs, orders as _orders, tenants as _tenants
from pcf.store.db import check_health, make_engine, migrate
from pcf.store.jobs import JobRecord
from pcf.store.keycache import KeyCache
from pcf.store.orders import LineRecord
from pcf.store.tenants import KeyInfo, TenantInfo

__all__ = ["Store", "TenantInfo", "KeyInfo", "LineRecord", "JobRecord", "make_engine",
           "migrate"]


class Store:
    """The application database: one SQLAlchemy engine plus pcf's operations on it.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Use :meth:`open` rather than building one by hand.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.key_cache = KeyCache(engine)
        """Verified API keys of this process (:mod:`pcf.store.keycache`)."""

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
        """Close pooled connections and stop the key cache's listener (call in a child after
        ``fork``; both come back on next use)."""
        self.key_cache.close()
        self.engine.dispose()

    # tenants -----------------------------------------------------------------
    def create_tenant(self, name: str, role: str,
                      expires_at: datetime | None = None) -> tuple[TenantInfo, str]:
        """Create a tenant; return it and its API key (see
        :func:`pcf.store.tenants.create_tenant`)."""
        return _tenants.create_tenant(self.engine, name, role, expires_at)

    def add_key(self, name: str, expires_at: datetime | None = None) -> str:
        """Issue another API key for tenant ``name`` (see :func:`pcf.store.tenants.add_key`)."""
        return _tenants.add_key(self.engine, name, expires_at)

    def list_keys(self, name: str) -> list[KeyInfo]:
        """The keys of tenant ``name`` (see :func:`pcf.store.tenants.list_keys`)."""
        return _tenants.list_keys(self.engine, name)

    def revoke_key(self, name: str, prefix: str) -> KeyInfo:
        """Revoke a key of tenant ``name`` (see :func:`pcf.store.tenants.revoke_key`)."""
        info = _tenants.revoke_key(self.engine, name, prefix)
        self.key_cache.changed()
        return info

    def set_limits(self, name: str, **limits: Any) -> TenantInfo:
        """Set a tenant's ``rate_limit`` and/or ``daily_order_lines`` (see
        :func:`pcf.store.tenants.set_limits`)."""
        info = _tenants.set_limits(self.engine, name, **limits)
        self.key_cache.changed()
        return info

    def authenticate(self, key: str) -> TenantInfo | None:
        """Return the tenant of API key ``key`` or None."""
        return _tenants.authenticate(self.engine, key, self.key_cache)

    def tenant_of_key_id(self, key_pk: int, tenant_id: int) -> TenantInfo | None:
        """Return the tenant of the unrevoked, unexpired API key with row id ``key_pk`` if it
        is tenant ``tenant_id``, else None; through the key cache
        (:func:`pcf.store.tenants.tenant_of_key_id`)."""
        return _tenants.tenant_of_key_id(self.engine, key_pk, tenant_id, self.key_cache)

    def list_tenants(self) -> list[TenantInfo]:
        """Return all tenants ordered by name."""
        return _tenants.list_tenants(self.engine)

    def get_tenant(self, name: str) -> TenantInfo:
        """Return tenant ``name``; raises UnknownResource."""
        return _tenants.get_tenant(self.engine, name)

    def get_tenant_by_id(self, tenant_id: int) -> TenantInfo:
        """Return the tenant with database id ``tenant_id``; raises UnknownResource."""
        return _tenants.get_tenant_by_id(self.engine, tenant_id)

    # orders ------------------------------------------------------------------
    def save_order(self, tenant_id: int, order_id: str, request_sha256: str,
                   total: dict[str, float], database_version: str, footprints: list[dict],
                   lines: list[LineRecord], *, quota: int | None = None,
                   limit: int | None = None) -> tuple[dict[str, Any], bool]:
        """Store an order atomically or replay it (see :func:`pcf.store.orders.save_order`)."""
        return _orders.save_order(self.engine, tenant_id, order_id, request_sha256, total,
                                  database_version, footprints, lines, quota=quota,
                                  limit=limit)

    def get_order(self, tenant_id: int, order_id: str, offset: int = 0,
                  limit: int | None = None) -> dict[str, Any]:
        """Return a page of a stored order document; raises UnknownOrder."""
        return _orders.get_order(self.engine, tenant_id, order_id, offset, limit)

    def get_order_line(self, tenant_id: int, order_id: str, line_id: str) -> dict[str, Any]:
        """Return ``{"line_id", "footprint"}`` of one stored line (the full Footprint)."""
        return _orders.get_order_line(self.engine, tenant_id, order_id, line_id)

    def replay_order(self, tenant_id: int, order_id: str, request_sha256: str,
                     limit: int | None = None) -> dict[str, Any] | None:
        """The stored order for a replay, None if new; OrderConflict for a different body
        (see :func:`pcf.store.orders.replay_order`)."""
        return _orders.replay_order(self.engine, tenant_id, order_id, request_sha256, limit)

    def order_lines_used(self, tenant_id: int) -> int:
        """Order lines the tenant had accepted today (UTC)."""
        return _orders.order_lines_used(self.engine, tenant_id)

    # order jobs --------------------------------------------------------------
    def enqueue_job(self, tenant_id: int, order_id: str, request_sha256: str,
                    request: dict[str, Any], line_count: int, *, quota: int | None,
                    max_pending: int | None) -> tuple[JobRecord, bool]:
        """Queue an order for scoring (see :func:`pcf.store.jobs.enqueue_job`)."""
        return _jobs.enqueue_job(self.engine, tenant_id, order_id, request_sha256, request,
                                 line_count, quota=quota, max_pending=max_pending)

    def get_job(self, tenant_id: int | None, job_id: str) -> JobRecord:
        """Return an order job (see :func:`pcf.store.jobs.get_job`)."""
        return _jobs.get_job(self.engine, tenant_id, job_id)

    def claim_job(self, worker: str) -> JobRecord | None:
        """Claim the next order job (see :func:`pcf.store.jobs.claim_job`)."""
        return _jobs.claim_job(self.engine, worker)

    def finish_job(self, job: JobRecord, worker: str,
                   store_order: Callable[[Connection], dict[str, Any]] | None,
                   problem: dict[str, Any] | None = None) -> bool:
        """Finish a claimed job (see :func:`pcf.store.jobs.finish_job`)."""
        return _jobs.finish_job(self.engine, job, worker, store_order, problem)

    def complete_order_job(self, job: JobRecord, worker: str, total: dict[str, float],
                           database_version: str, footprints: list[dict],
                           lines: list[LineRecord]) -> bool:
        """Store a job's scored order and mark the job done, in one transaction. Returns False
        when the job is no longer this worker's. Raises OrderConflict (nothing changed) when
        the order id was taken by another body meanwhile."""
        def store_order(conn: Connection) -> dict[str, Any]:
            created = _orders.insert_or_replay(conn, job.tenant_id, job.order_id,
                                               job.request_sha256, total, database_version,
                                               footprints, lines)
            return {"created": created}

        return _jobs.finish_job(self.engine, job, worker, store_order)

    def requeue_abandoned(self, alive: Callable[[int], bool]) -> int:
        """Requeue jobs of this host's dead workers (see
        :func:`pcf.store.jobs.requeue_abandoned`)."""
        return _jobs.requeue_abandoned(self.engine, alive)

    def count_jobs(self, tenant_id: int | None = None) -> dict[str, int]:
        """Order jobs by state."""
        return _jobs.count_jobs(self.engine, tenant_id)

    def count_orders(self, tenant_id: int | None = None) -> tuple[int, int]:
        """Return ``(orders, order_lines)`` counts."""
        return _orders.count_orders(self.engine, tenant_id)

    def get_order_request(self, tenant_id: int, order_id: str) -> dict[str, Any]:
        """Return the stored canonical request of an order; raises UnknownResource."""
        return _orders.get_order_request(self.engine, tenant_id, order_id)

    def get_order_table(self, tenant_id: int, order_id: str) -> dict[str, Any]:
        """Every line of a stored order in short form, for spreadsheets (see
        :func:`pcf.store.orders.get_order_table`); raises UnknownOrder."""
        return _orders.get_order_table(self.engine, tenant_id, order_id)

    def list_orders(self, tenant_id: int, limit: int,
                    before: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
        """One page of a tenant's orders, newest first, and the next cursor (see
        :func:`pcf.store.orders.list_orders`)."""
        return _orders.list_orders(self.engine, tenant_id, limit, before)
