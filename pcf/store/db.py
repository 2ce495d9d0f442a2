"""Engine creation and schema migration of the application database.

- SQLite (default, ``$PCF_HOME/pcf.sqlite3``): WAL journal, ``synchronous=NORMAL``, foreign
  keys on, a 30 s busy timeout, and transactions opened by SQLAlchemy itself (the pysqlite
  "BEGIN" recipe) so that a write transaction is one SQLite transaction: a process killed
  mid-write leaves the database as it was before the transaction (WAL rollback on open).
  Write transactions use ``BEGIN IMMEDIATE`` (see :func:`write_connection`) so that two
  writers queue on the busy timeout instead of failing with ``database is locked``.
- PostgreSQL through ``PCF_DATABASE_URL=postgresql+psycopg://user@host:port/db``.

Migrations are the Alembic scripts shipped in :mod:`pcf.store.migrations`; :func:`migrate`
runs ``alembic upgrade head`` programmatically under a lock (a file lock next to the SQLite
file, an advisory lock on PostgreSQL) so that several processes starting at once do not race.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.engine import make_url

_MIGRATION_LOCK_KEY = 7_140_255_001  # arbitrary constant for pg_advisory_lock


def make_engine(url: str) -> Engine:
    """Create an SQLAlchemy engine for ``url`` with pcf's connection settings.

    Parameters
    ----------
    url : str
        SQLAlchemy URL, ``sqlite:///path`` or ``postgresql+psycopg://...``. A plain
        ``postgresql://`` URL is given the psycopg 3 driver.

    Returns
    -------
    sqlalchemy.Engine
    """
    sa_url = make_url(url)
    if sa_url.drivername in ("postgresql", "postgres"):
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            sa_url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_pre_ping=False,
        )
        _configure_sqlite(engine)
    else:
        engine = create_engine(sa_url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    event.listen(engine, "handle_error", _translate_error)
    return engine


def _translate_error(context) -> None:
    """SQLAlchemy ``handle_error`` hook: a value the database refuses (``DataError``, e.g. a
    NUL character in a text field on PostgreSQL) is the caller's input, so it is raised as
    :class:`pcf.errors.InvalidInput` instead; the transaction is rolled back as usual, so
    nothing is stored. Other errors pass unchanged."""
    from sqlalchemy.exc import DataError

    from pcf.errors import InvalidInput

    if isinstance(context.sqlalchemy_exception, DataError):
        raise InvalidInput("A value in the request cannot be stored (for example it contains "
                           "a NUL or other control character).") from None


def check_health(engine: Engine) -> None:
    """Run ``SELECT 1`` on the application database.

    Raises
    ------
    pcf.errors.StoreUnavailable
        The database does not answer (the message names the driver's error class).
    """
    from pcf.errors import StoreUnavailable

    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "unavailable"
        raise StoreUnavailable(f"The application database does not answer: "
                               f"{type(exc).__name__}.") from None


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - driver callback
        # Let SQLAlchemy, not pysqlite, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):  # pragma: no cover - driver callback
        if conn.get_execution_options().get("pcf_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@contextlib.contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """Yield a connection inside one write transaction, committed on success.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (takes the write lock at once);
    on PostgreSQL it is an ordinary READ COMMITTED transaction. Any exception rolls it back.
    """
    with engine.connect() as conn:
        conn = conn.execution_options(pcf_write=True)
        with conn.begin():
            yield conn


def upsert_add(conn: Connection, table: Table, key: dict[str, Any], column: str,
               amount: int) -> int:
    """``INSERT ... ON CONFLICT (key) DO UPDATE SET column = column + amount``; return the
    new value. One statement on SQLite (>= 3.35) and PostgreSQL; on PostgreSQL the row stays
    locked until the caller's transaction ends, so concurrent adders queue on it.

    Parameters
    ----------
    conn : Connection
    table : Table
        Its primary key is exactly the columns of ``key``.
    key : dict
        Primary-key values of the row.
    column : str
        The integer column to add to.
    amount : int
    """
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table)
    stmt = stmt.values(**key, **{column: amount})
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + stmt.excluded[column]})
    return int(conn.execute(stmt.returning(table.c[column])).scalar_one())


def _alembic_config(connection: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "pcf.store:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    """Return the Alembic revision the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """Return the head revision of the shipped migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", "pcf.store:migrations")
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if head is None:  # a broken install: the migrations ship with the package
        raise RuntimeError("no Alembic migrations found in pcf.store:migrations")
    return head


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        lock_path = f"{url.database}.migrate.lock"
        with open(lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def migrate(engine: Engine) -> str:
    """Bring the database schema to the newest shipped revision (``alembic upgrade head``).

    Safe to call from several processes at once: a lock serialises them and a database that
    is already at head is left untouched.

    Parameters
    ----------
    engine : sqlalchemy.Engine

    Returns
    -------
    str
        The head revision the database is now at.
    """
    from alembic import command

    head = head_revision()
    if current_revision(engine) == head:
        return head
    with _migration_lock(engine):
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
                conn.commit()
            try:
                command.upgrade(_alembic_config(conn), "head")
                conn.commit()
            finally:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"),
                                 {"k": _MIGRATION_LOCK_KEY})
                    conn.commit()
    return head
