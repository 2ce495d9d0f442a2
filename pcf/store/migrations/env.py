"""Alembic environment of pcf's application database.

Run programmatically by :func:`pcf.store.db.migrate` (which passes an open connection in
``config.attributes["connection"]``), or from a shell with
``alembic -x url=sqlite:///var/pcf.sqlite3 upgrade head`` using an ``alembic.ini`` whose
``script_location`` is ``pcf.store:migrations``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pcf.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the connection given by the caller, or on ``-x url=...``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url")
    if not url:
        from pcf.config import database_url

        url = database_url()
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("pcf migrations run online only (alembic upgrade head)")
run_migrations_online()
