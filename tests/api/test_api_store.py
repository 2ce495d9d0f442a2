"""Store: migrations (shipped in the package, run on start), concurrency, atomicity."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import inspect

from pcf.store import Store
from pcf.store.db import current_revision, head_revision


def test_migrations_run_on_open(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert current_revision(store.engine) == head_revision()
    tables = set(inspect(store.engine).get_table_names())
    assert {"tenants", "api_keys", "orders", "order_lines", "alembic_version"} <= tables
    # idempotent
    again = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert current_revision(again.engine) == head_revision()


def test_database_under_pcf_home_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("PCF_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PCF_DATABASE_URL", raising=False)
    store = Store.open()
    assert store.url == f"sqlite:///{tmp_path / 'home' / 'pcf.sqlite3'}"
    assert (tmp_path / "home" / "pcf.sqlite3").exists()


def _open(url, queue):
    try:
        Store.open(url)
        queue.put("ok")
    except Exception as exc:  # pragma: no cover - reported to the parent
        queue.put(repr(exc))


def test_concurrent_first_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_open, args=(url, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert sorted(queue.get(timeout=5) for _ in procs) == ["ok"] * 4


def test_order_ids_unique_per_tenant_in_schema(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    uniques = inspect(store.engine).get_unique_constraints("orders")
    assert any(set(u["column_names"]) == {"tenant_id", "order_id"} for u in uniques)


def test_models_match_the_migrations(tmp_path):
    """The ORM mirrors the schema the migrations create (no autogenerate diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from pcf.store.models import Base

    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
