"""PACT access tokens are checked through the in-process key cache (issue 21): no query per
call once the key is verified, and a revoked or expired key stops its tokens at once, in this
process and in every other."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from pcf.errors import AuthenticationFailed
from pcf.store import Store


def _count_queries(store: Store) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: seen.append(statement))
    return seen


def _token(store: Store, name: str, key: str) -> str:
    from pcf.service.pact import issue_token

    return issue_token(store, name, key)["access_token"]


def _revoke_in_child(url: str, prefix: str, queue) -> None:
    try:
        Store.open(url).revoke_key("alice", prefix)
        queue.put("ok")
    except Exception as exc:  # pragma: no cover - reported to the parent
        queue.put(repr(exc))


def test_token_calls_are_answered_from_the_cache_and_revocation_elsewhere_stops_them(
        tmp_path):
    from pcf.service.pact import authenticate

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    store = Store.open(url)
    tenant, key = store.create_tenant("alice", "customer")
    token = _token(store, "alice", key)
    assert authenticate(store, token).id == tenant.id   # verified against the database
    seen = _count_queries(store)
    for _ in range(20):
        assert authenticate(store, token).name == "alice"
    assert seen == []                                    # then no query at all
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_revoke_in_child, args=(url, key[:12], queue))
    proc.start()
    proc.join(60)
    assert queue.get(timeout=5) == "ok"
    with pytest.raises(AuthenticationFailed, match="no longer valid"):
        authenticate(store, token)                       # the very next call


def test_in_process_revocation_and_the_token_tenant(tmp_path):
    from pcf.service.pact import authenticate

    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    alice, key = store.create_tenant("alice", "customer")
    bob, _ = store.create_tenant("bob", "customer")
    token = _token(store, "alice", key)
    assert authenticate(store, token).id == alice.id
    # the key's row id under another tenant's id is refused, cached or not
    ident = next(k for k in store.key_cache._entries if k.startswith("id:"))
    key_pk = int(ident[3:])
    assert store.tenant_of_key_id(key_pk, bob.id) is None
    assert store.tenant_of_key_id(key_pk, alice.id).id == alice.id
    store.revoke_key("alice", key[:12])
    with pytest.raises(AuthenticationFailed):
        authenticate(store, token)


def test_an_expired_key_gets_no_token_and_its_tokens_stop(tmp_path, monkeypatch):
    import pcf.store.pact as pact_store
    import pcf.store.tenants as tenants
    from pcf.service.pact import authenticate

    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    store.create_tenant("bob", "customer")
    now = datetime.now(UTC)
    key = store.add_key("bob", now + timedelta(seconds=30))
    token = _token(store, "bob", key)
    assert authenticate(store, token).name == "bob"      # cached now
    later = now + timedelta(seconds=31)
    monkeypatch.setattr(tenants, "utcnow", lambda: later)
    monkeypatch.setattr(pact_store, "utcnow", lambda: later)
    with pytest.raises(AuthenticationFailed):
        authenticate(store, token)
    with pytest.raises(AuthenticationFailed, match="client authentication failed"):
        _token(store, "bob", key)
