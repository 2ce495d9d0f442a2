"""Click commands of the ``pcf`` CLI beyond the core ones (``tenants``, ``orders``, ``serve``,
``certificates``; registered in :mod:`pcf.cli`), and the helpers every command shares."""

from __future__ import annotations

import sys

import click

from pcf.errors import InventoryInvalid, PcfError


def fail(exc: PcfError) -> None:
    """Print ``error: <field>: <message> (allowed: ...)`` on stderr and exit: status 1 for an
    invalid ``databases/`` (:class:`InventoryInvalid`), 2 for any other bad input."""
    where = f"{exc.field}: " if getattr(exc, "field", None) else ""
    click.echo(f"error: {where}{exc}", err=True)
    sys.exit(1 if isinstance(exc, InventoryInvalid) else 2)


def open_store():
    """Open the application database (``PCF_DATABASE_URL`` or SQLite under ``PCF_HOME``),
    migrated to head; returns a :class:`pcf.store.Store`."""
    from pcf.store import Store

    return Store.open()
