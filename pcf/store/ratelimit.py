"""Storage of the request rate limits: a :mod:`limits` storage backend on SQL.

Flask-Limiter counts requests in a storage that every worker process shares; the storages
``limits`` ships need Redis, Memcached, MongoDB or a single process (memory). This backend
keeps fixed-window counters in the table ``rate_limit_counters`` (key, count, expiry)::

    INSERT INTO rate_limit_counters (key, count, expires_at) VALUES (:key, :n, :now + :expiry)
    ON CONFLICT (key) DO UPDATE SET
        count      = CASE WHEN expires_at <= :now THEN :n ELSE count + :n END,
        expires_at = CASE WHEN expires_at <= :now THEN :now + :expiry ELSE expires_at END
    RETURNING count

one atomic statement on SQLite and PostgreSQL. On PostgreSQL the table is in the
application database (created by migration 0201); with SQLite it is in a file of its own
beside the application database (:func:`pcf.config.limits_database_url`), because SQLite has
one writer at a time and a request must not wait behind an order being written.

**Counts are leased in blocks** (issue 21: one write per request was a third of a footprint
request's server time). A process reserves a block of ``b`` consecutive counts with one
statement (the ``:n`` above is ``b``) and hands them out one hit at a time from memory; each
hit is answered with *its own position* in the window's count, so across all processes no
two hits share a position and no more hits than the limit are ever let through. The price is
on the other side: counts reserved by one process and not yet used make another process's
hits look later, so near the limit up to ``(processes - 1) * (b - 1)`` hits may be refused
early. ``b`` is 1 % of the limit (:data:`BLOCK_SHARE`), at least 1 and at most
:data:`MAX_BLOCK`: a limit of 6,000/minute costs one write per 60 hits, a limit of 100 or
less stays exact. A block never outlives its window.

Register it by importing this module; Flask-Limiter then takes ``storage_uri="pcf-sql://"``
with ``storage_options={"url": <SQLAlchemy URL>}``.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import case, delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from pcf.store.db import make_engine
from pcf.store.models import RateLimitCounter, table

_counters = table(RateLimitCounter)

CLEANUP_PROBABILITY = 0.01
"""Chance that a block reservation also deletes expired counters (keeps the table small)."""
BLOCK_SHARE = 0.01
"""Counts reserved per write, as a share of the limit."""
MAX_BLOCK = 256
"""Counts reserved per write at most."""


def block_size(key: str) -> int:
    """Counts to reserve per write for the limits key ``key``
    (``LIMITER/<prefix>/<identifiers>/<amount>/<multiples>/<granularity>``, as
    :meth:`limits.RateLimitItem.key_for` writes it): 1 % of ``amount``, within
    ``1..MAX_BLOCK``; 1 when the key does not have that form."""
    parts = key.rsplit("/", 3)
    try:
        amount = int(parts[1]) if len(parts) == 4 else 0
    except ValueError:
        return 1
    return max(1, min(MAX_BLOCK, int(amount * BLOCK_SHARE)))


class SqlStorage(Storage):
    """Fixed-window counters in ``rate_limit_counters`` (see the module docstring).

    Parameters
    ----------
    uri : str
        ``pcf-sql://`` (the scheme only selects this class).
    url : str
        SQLAlchemy URL of the database holding the counters; the table is created there if
        it is missing (an SQLite counters file).
    """

    STORAGE_SCHEME = ["pcf-sql"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        url = options.get("url")
        if not url:
            raise ValueError("pcf-sql:// rate-limit storage needs storage_options url=")
        self.engine = make_engine(str(url))
        self._lock = threading.Lock()
        self._leases: dict[str, list] = {}
        """key -> [window end, last position handed out, last position reserved]"""
        if self.engine.dialect.name == "sqlite":
            self._create_sqlite_table()

    def _create_sqlite_table(self) -> None:
        """``CREATE TABLE IF NOT EXISTS`` as one autocommitted statement: every worker process
        runs it at start, and a deferred transaction that reads the schema first and then
        writes would fail at once ("database is locked") instead of waiting its turn."""
        from sqlalchemy.schema import CreateTable

        ddl = str(CreateTable(_counters, if_not_exists=True).compile(dialect=self.engine.dialect))
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(ddl)  # the driver connection is in autocommit mode (pcf.store.db)
            cursor.close()
        finally:
            raw.close()

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        """Errors of the database driver (Flask-Limiter logs them and lets requests through
        when ``swallow_errors`` is on)."""
        return SQLAlchemyError

    def _insert(self) -> Any:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Count ``amount`` hits on ``key`` (a new window of ``expiry`` seconds if it has none
        or it expired); return the position of the last of them in the window's count (from
        a block of counts this process reserved, see the module docstring)."""
        now = time.time()
        with self._lock:
            lease = self._leases.get(key)
            if lease is not None and lease[0] > now and lease[1] + amount <= lease[2]:
                lease[1] += amount
                return lease[1]
        block = max(amount, block_size(key))
        count, expires_at = self._reserve(key, expiry, block, now)
        with self._lock:
            # positions count - block + 1 .. count are this process's; use the first amount
            self._leases[key] = [expires_at, count - block + amount, count]
            if len(self._leases) > 10_000:
                self._leases = {k: v for k, v in self._leases.items() if v[0] > now}
        return count - block + amount

    def _reserve(self, key: str, expiry: int, n: int, now: float) -> tuple[int, float]:
        """Add ``n`` to ``key``'s counter in one statement; return (count, window end)."""
        insert = self._insert()
        stmt: Any = insert(_counters).values(key=key, count=n, expires_at=now + expiry)
        expired = _counters.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={
            "count": case((expired, stmt.excluded["count"]),
                          else_=_counters.c["count"] + stmt.excluded["count"]),
            "expires_at": case((expired, stmt.excluded.expires_at),
                               else_=_counters.c.expires_at),
        }).returning(_counters.c["count"], _counters.c.expires_at)
        with self.engine.begin() as conn:
            row = conn.execute(stmt).one()
            if random.random() < CLEANUP_PROBABILITY:
                conn.execute(delete(_counters).where(_counters.c.expires_at <= now))
        return int(row[0]), float(row[1])

    def get(self, key: str) -> int:
        """The count of ``key`` in its current window (0 if none)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_counters.c["count"], _counters.c.expires_at)
                               .where(_counters.c.key == key)).first()
        if row is None or row.expires_at <= time.time():
            return 0
        return int(row[0])

    def get_expiry(self, key: str) -> float:
        """When ``key``'s window ends (epoch seconds; now if it has none)."""
        now = time.time()
        with self.engine.connect() as conn:
            expires = conn.execute(select(_counters.c.expires_at)
                                   .where(_counters.c.key == key)).scalar()
        return float(expires) if expires is not None and expires > now else now

    def check(self) -> bool:
        """True if the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Delete every counter; return how many."""
        with self._lock:
            self._leases.clear()
        with self.engine.begin() as conn:
            return conn.execute(delete(_counters)).rowcount

    def clear(self, key: str) -> None:
        """Delete ``key``'s counter."""
        with self._lock:
            self._leases.pop(key, None)
        with self.engine.begin() as conn:
            conn.execute(delete(_counters).where(_counters.c.key == key))
