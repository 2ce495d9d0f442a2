"""Helpers every ``pcf`` command shares: error printing, JSON output, the ``--format``
option, ``--set NAME=VALUE`` parsing, the project check and the store opener.

Errors a user can cause print one line ``error: <field>: <message> (allowed: ...)`` on stderr
and exit with status 2; an invalid ``databases/`` exits with status 1 and lists every problem
as ``file:line: message``. Nothing here imports Brightway, Flask or SQLAlchemy at module level,
so ``pcf --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import click

from pcf.errors import InventoryInvalid, PcfError


def fail(exc: PcfError) -> NoReturn:
    """Print ``error: <field>: <message> (allowed: ...)`` on stderr and exit: status 1 for an
    invalid ``databases/`` (:class:`InventoryInvalid`), 2 for any other bad input."""
    where = f"{exc.field}: " if getattr(exc, "field", None) else ""
    click.echo(f"error: {where}{exc}", err=True)
    sys.exit(1 if isinstance(exc, InventoryInvalid) else 2)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: turn :class:`PcfError` into a one-line message and an exit status."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PcfError as exc:
            fail(exc)

    return wrapper


MAX_EDIT_LINES = 25
"""Most lines of project edits printed (the rest are counted)."""


@contextlib.contextmanager
def options_for(names: dict[str, str]) -> Iterator[None]:
    """Name the command-line option in an error the service raised about a field.

    Parameters
    ----------
    names : dict
        Service field (e.g. ``uncertainty.draws``) -> option (e.g. ``--mc``).

    Raises
    ------
    PcfError
        The error raised inside, relocated to its option when its field is in ``names``.
    """
    try:
        yield
    except PcfError as exc:
        if exc.field in names:
            raise exc.relocated(names[exc.field]) from None
        raise


def report_edits(edits: list[str]) -> None:
    """Print what was changed in the Brightway project outside pcf, on stderr."""
    click.echo("The Brightway project 'pcf' was changed outside pcf (Activity Browser or "
               "bw2data) since `pcf setup`:", err=True)
    for line in edits[:MAX_EDIT_LINES]:
        click.echo(f"  - {line}", err=True)
    if len(edits) > MAX_EDIT_LINES:
        click.echo(f"  ... and {len(edits) - MAX_EDIT_LINES} more", err=True)


def ensure_project() -> None:
    """Build the Brightway project first if it is missing or stale (message on stderr), but
    never over edits made to it outside pcf: those are listed, and the command goes on with
    the edited project (results say ``+modified``) unless ``databases/`` changed too, which
    needs a decision (:class:`~pcf.errors.ProjectEdited`: ``pcf setup --force`` discards the
    edits)."""
    from pcf.inventory.stamp import quick_freshness

    if quick_freshness() is True:  # answered from files, without importing Brightway
        return
    from pcf.errors import ProjectEdited
    from pcf.inventory.build import ensure_built, project_state

    state = project_state()
    if state.fresh:
        return
    if state.edits:
        report_edits(state.edits)
        if state.data_changed:
            raise ProjectEdited("databases/ or the model code changed too, and rebuilding "
                                "would discard the edits listed above; keep what you need "
                                "(e.g. export it from Activity Browser), then run `pcf setup "
                                "--force` to rebuild", field="project")
        click.echo("Kept: results come from the edited project (database version "
                   "'<version>+modified'). `pcf setup --force` rebuilds from databases/ and "
                   "discards these edits.", err=True)
        return
    click.echo("Brightway project missing or stale: building it from databases/ ...",
               err=True)
    stamp = ensure_built(force=True)
    from pcf.engine import write_engine_cache

    write_engine_cache()  # the next cold command or worker loads the engine without Brightway
    click.echo(f"built database version {stamp['version']} in {stamp['seconds']} s",
               err=True)


def emit_json(data: Any) -> None:
    """Write ``data`` as indented JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                      show_default=True, help="Output format.")
"""The ``--format table|json`` option of the computing commands."""


def parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    """``("a=1", "b=x")`` -> ``{"a": "1", "b": "x"}`` (values are coerced by the product).

    Raises
    ------
    InvalidInput
        An item without ``=`` (field ``--set``).
    """
    from pcf.errors import InvalidInput

    out = {}
    for item in values:
        if "=" not in item:
            raise InvalidInput(f"--set {item!r} must look like NAME=VALUE", field="--set")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def open_store() -> Any:
    """Open the application database (``PCF_DATABASE_URL`` or SQLite under ``PCF_HOME``),
    migrated to head; returns a :class:`pcf.store.Store`."""
    from pcf.store import Store

    return Store.open()
