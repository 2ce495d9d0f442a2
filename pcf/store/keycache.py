"""An in-process cache of verified API keys, invalidated on every process at once.

Verifying a key against the database cost a query per request (about 38 % of a footprint
request's server time under cProfile, issue 21). :class:`KeyCache` keeps, per process, the
tenant of each key it has verified, keyed by the key's SHA-256, and checks a cheap
*invalidation signal* on every lookup; any change that can make a cached answer wrong
(revoking a key, changing a tenant's limits) fires the signal, and every process drops its
whole cache before its next lookup.

How the signal reaches other workers and processes:

- **SQLite** (every process is on the same host as the database file): a sidecar file
  ``<database>-auth`` next to the database. A change appends one byte to it after its
  transaction commits; a lookup compares the file's ``(st_ino, st_size)`` with the pair the
  cache was filled under (one ``stat`` call, about a microsecond). The size only grows, so
  no change can be missed. :meth:`KeyCache.changed` also clears the calling process's own
  cache directly.
- **PostgreSQL** (workers may be on several hosts): the changing transaction runs
  ``pg_notify('pcf_auth', '')`` (:func:`notify`), which PostgreSQL delivers when, and only
  if, the transaction commits. Each process runs one listener thread with its own connection
  (``LISTEN pcf_auth``) that bumps the cache's generation on every notification. While the
  listener is not connected (before its first ``LISTEN``, after a lost connection) the cache
  is bypassed and every request is verified against the database; on reconnecting the cache
  starts empty, so notifications missed while disconnected cannot leave a stale entry.
  A notification reaches the other processes within milliseconds of the commit (the
  listener's wake-up), not before it.

Two more bounds hold whatever the signal: an entry is used only until the key's own
``expires_at``, and for at most :data:`MAX_AGE` seconds (a backstop for a change made behind
pcf's back, such as an SQL ``UPDATE`` by hand, or a process killed between its commit and
the sidecar append). Unknown keys are never cached (a new key works at once).

A fill is stored only if the signal did not move while the database was read (the token
taken before the read is compared after it), so a revocation committed during the read
cannot be overwritten by the older answer.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

MAX_AGE = 60.0
"""Seconds an entry is trusted at most, whatever the signal says."""
CHANNEL = "pcf_auth"
"""PostgreSQL notification channel of key and tenant changes."""
MAX_ENTRIES = 100_000
"""The cache is cleared when it holds this many keys (bounds memory)."""


@dataclass(frozen=True)
class CachedKey:
    """A verified key: its tenant (``TenantInfo``), the key's row id, expiry (aware UTC or
    None), when it was verified (``time.monotonic()``) and when its ``last_used_at`` was last
    written (aware UTC or None)."""

    tenant: Any
    key_pk: int
    expires_at: datetime | None
    verified_at: float
    last_used: datetime | None


class _FileSignal:
    """The SQLite signal: ``(st_ino, st_size)`` of a sidecar file that only grows."""

    def __init__(self, path: str):
        self.path = path

    def token(self) -> Any:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return ("missing",)
        return (st.st_ino, st.st_size)

    def fire(self) -> None:
        # O_APPEND writes of one byte are atomic; the size is the change counter
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, b".")
        finally:
            os.close(fd)


class _MemorySignal:
    """The signal of a database only this process sees (in-memory SQLite): a counter."""

    def __init__(self):
        self.count = 0

    def token(self) -> Any:
        return self.count

    def fire(self) -> None:
        self.count += 1


class _PostgresSignal:
    """The PostgreSQL signal: a generation counter bumped by a ``LISTEN`` thread; None (cache
    bypassed) while the listener is not connected. The thread is started lazily in the
    process that first asks (gunicorn forks workers after the app is created)."""

    RETRY_SECONDS = 1.0

    def __init__(self, engine: Engine):
        self.engine = engine
        self.generation = 0
        self.live = False
        self._pid: int | None = None
        self._run = 0
        self._lock = threading.Lock()

    def token(self) -> Any:
        if self._pid != os.getpid():
            self._start()
        return self.generation if self.live else None

    def fire(self) -> None:
        self.generation += 1  # this process; the others hear the NOTIFY

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._run += 1
            self.live = False
            threading.Thread(target=self._listen, args=(self._run,), name="pcf-key-cache",
                             daemon=True).start()

    def _listen(self, run: int) -> None:
        while self._run == run:
            raw = None
            try:
                raw = self.engine.raw_connection()
                conn = raw.driver_connection  # the psycopg connection
                raw.detach()  # a connection of its own, never returned to the pool
                assert conn is not None
                conn.autocommit = True
                conn.execute(f"LISTEN {CHANNEL}")
                self.generation += 1  # anything cached before this LISTEN is suspect
                self.live = True
                while self._run == run:
                    for _ in conn.notifies(timeout=1.0, stop_after=1):
                        self.generation += 1
            except Exception:  # noqa: BLE001 - lost connection, server restart: retry
                self.generation += 1
            finally:
                if self._run == run:
                    self.live = False
                if raw is not None:
                    try:
                        raw.close()
                    except Exception:  # noqa: BLE001 - already broken
                        pass
            if self._run == run:
                time.sleep(self.RETRY_SECONDS)

    def stop(self) -> None:
        with self._lock:
            self._run += 1
            self._pid = None
            self.live = False


def notify(conn: Connection) -> None:
    """Inside a transaction that changes keys or tenants: on PostgreSQL, queue the
    notification that every process's listener receives when the transaction commits
    (nothing on SQLite, whose signal is fired after the commit by :meth:`KeyCache.changed`).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


class KeyCache:
    """Verified API keys of one database, per process (see the module docstring).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The application database; selects the signal (sidecar file for an SQLite file, a
        counter for in-memory SQLite, ``LISTEN/NOTIFY`` for PostgreSQL).
    max_age : float
        Seconds an entry is trusted at most (default :data:`MAX_AGE`).
    clock : callable
        Monotonic clock in seconds (tests).
    """

    def __init__(self, engine: Engine, max_age: float = MAX_AGE,
                 clock: Callable[[], float] = time.monotonic):
        self.max_age = max_age
        self.clock = clock
        self._entries: dict[str, CachedKey] = {}
        self._token: Any = None
        self.signal: _FileSignal | _MemorySignal | _PostgresSignal
        url = engine.url
        if url.get_backend_name() == "sqlite":
            database = url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                self.signal = _FileSignal(os.path.abspath(database) + "-auth")
            else:
                self.signal = _MemorySignal()
        else:
            self.signal = _PostgresSignal(engine)

    def token(self) -> Any:
        """The signal's current token (None: the cache must not be used now)."""
        return self.signal.token()

    def get(self, digest: str, token: Any, now: datetime) -> CachedKey | None:
        """The cached entry of key ``digest`` if it is still trustworthy under ``token`` (from
        :meth:`token`, taken for this request) at ``now`` (aware UTC), else None."""
        if token is None:
            return None
        if token != self._token:
            self._entries = {}
            self._token = token
            return None
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if (entry.expires_at is not None and entry.expires_at <= now) or (
                self.clock() - entry.verified_at > self.max_age):
            self._entries.pop(digest, None)
            return None
        return entry

    def put(self, digest: str, entry: CachedKey, token: Any) -> None:
        """Remember ``entry`` if the signal still shows ``token`` (the token taken before the
        database read that produced the entry)."""
        if token is None or self.signal.token() != token:
            return
        if token != self._token:
            self._entries = {}
            self._token = token
        if len(self._entries) >= MAX_ENTRIES:
            self._entries = {}
        self._entries[digest] = entry

    def changed(self) -> None:
        """After a committed change to keys or tenants: fire the signal for the other
        processes and forget everything here."""
        self.signal.fire()
        self._entries = {}
        self._token = None

    def close(self) -> None:
        """Stop the PostgreSQL listener thread, if any (it exits within a second; the next
        lookup starts a new one)."""
        self._entries = {}
        self._token = None
        if isinstance(self.signal, _PostgresSignal):
            self.signal.stop()
