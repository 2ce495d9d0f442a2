"""The in-process cache of verified API keys (issue 21): hits skip the database, and every
change that could make a cached answer wrong reaches every process before its next lookup."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from pcf.store import Store
from pcf.store.keycache import KeyCache

PG_URL = os.environ.get("PCF_TEST_POSTGRES_URL")


def _count_queries(store: Store) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: seen.append(statement))
    return seen


def test_a_verified_key_is_answered_without_the_database(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    tenant, key = store.create_tenant("alice", "customer")
    seen = _count_queries(store)
    assert store.authenticate(key) == tenant
    assert len(seen) >= 1
    before = len(seen)
    for _ in range(50):
        assert store.authenticate(key) == tenant
    assert len(seen) == before  # no query, no write (last_used_at written a minute at most)
    # an unknown key is never cached: refused, then a key created later works at once
    assert store.authenticate("pcf_" + "x" * 43) is None
    other = store.add_key("alice")
    assert store.authenticate(other) == tenant


def test_revocation_and_limits_clear_the_cache_in_process(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    _, key = store.create_tenant("alice", "customer")
    assert store.authenticate(key).rate_limit is None
    store.set_limits("alice", rate_limit="5/minute")
    assert store.authenticate(key).rate_limit == "5/minute"   # not the cached tenant
    store.revoke_key("alice", key[:12])
    assert store.authenticate(key) is None


def _revoke_in_child(url: str, prefix: str, queue) -> None:
    try:
        Store.open(url).revoke_key("alice", prefix)
        queue.put("ok")
    except Exception as exc:  # pragma: no cover - reported to the parent
        queue.put(repr(exc))


def test_revocation_in_another_process_reaches_this_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    store = Store.open(url)
    _, key = store.create_tenant("alice", "customer")
    assert store.authenticate(key) is not None       # cached here
    seen = _count_queries(store)
    assert store.authenticate(key) is not None
    assert seen == []
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_revoke_in_child, args=(url, key[:12], queue))
    proc.start()
    proc.join(60)
    assert queue.get(timeout=5) == "ok"
    assert store.authenticate(key) is None             # the very next lookup


def test_cached_key_stops_at_its_expiry(tmp_path, monkeypatch):
    import pcf.store.tenants as tenants

    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    store.create_tenant("bob", "customer")
    now = datetime.now(UTC)
    key = store.add_key("bob", now + timedelta(seconds=30))
    assert store.authenticate(key) is not None
    monkeypatch.setattr(tenants, "utcnow", lambda: now + timedelta(seconds=31))
    seen = _count_queries(store)
    assert store.authenticate(key) is None
    assert seen  # went back to the database, which agrees


def test_entries_are_trusted_for_max_age_at_most(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    clock = [0.0]
    store.key_cache = KeyCache(store.engine, max_age=60.0, clock=lambda: clock[0])
    _, key = store.create_tenant("alice", "customer")
    store.authenticate(key)
    # a change made behind pcf's back (SQL by hand): seen after max_age at the latest
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE api_keys SET revoked_at = '2020-01-01 00:00:00'")
    clock[0] = 59.0
    assert store.authenticate(key) is not None
    clock[0] = 61.0
    assert store.authenticate(key) is None


def test_a_fill_racing_a_revocation_is_not_kept(tmp_path):
    """The database answered before the revocation committed; the revocation fired the
    signal before the answer was stored: the stale answer must not be cached."""
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    tenant, key = store.create_tenant("alice", "customer")
    cache = store.key_cache
    token = cache.token()
    other = Store.open(store.url.replace("***", ""))   # another process's view
    other.key_cache.signal.fire()
    from pcf.store.keycache import CachedKey

    cache.put("digest", CachedKey(tenant, 1, None, 0.0, None), token)
    assert cache.get("digest", cache.token(), datetime.now(UTC)) is None


@pytest.mark.postgres
def test_postgres_revocation_reaches_another_process_by_notify():
    if not PG_URL:
        pytest.skip("PCF_TEST_POSTGRES_URL is not set")
    import time
    import uuid

    a = Store.open(PG_URL)
    b = Store.open(PG_URL)        # a second worker: its own engine, cache and listener
    try:
        name = f"kc-{uuid.uuid4().hex[:8]}"
        _, key = a.create_tenant(name, "customer")
        deadline = time.monotonic() + 10
        while b.key_cache.token() is None and time.monotonic() < deadline:
            time.sleep(0.05)      # the listener connects
        assert b.key_cache.token() is not None
        assert b.authenticate(key) is not None
        seen = _count_queries(b)
        assert b.authenticate(key) is not None
        assert seen == []          # cached
        token = b.key_cache.token()
        a.revoke_key(name, key[:12])
        deadline = time.monotonic() + 5
        while b.key_cache.token() == token and time.monotonic() < deadline:
            time.sleep(0.005)
        assert b.key_cache.token() != token
        assert b.authenticate(key) is None
    finally:
        a.dispose()
        b.dispose()
