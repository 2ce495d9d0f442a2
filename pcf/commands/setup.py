"""``pcf setup [--force]``: validate ``databases/`` and build the Brightway project."""

from __future__ import annotations

import click

from pcf.commands._common import FORMAT, emit_json, handle_errors, report_edits


@click.command()
@click.option("--force", is_flag=True, help="Rebuild even if the project is up to date, and "
                                            "over edits made to it outside pcf.")
@FORMAT
@handle_errors
def setup(force: bool, fmt: str) -> None:
    """Validate databases/ and build the Brightway project (idempotent, offline).

    Edits made to the project outside pcf (Activity Browser, bw2data) are listed and kept;
    --force rebuilds from databases/ and discards them.
    """
    from pcf.inventory.stamp import quick_freshness, read_stamp

    stamp = read_stamp() if not force and quick_freshness() is True else None
    if stamp is not None:  # up to date, answered from files alone
        stamp = {**stamp, "rebuilt": False}
    else:
        from pcf.errors import ProjectEdited
        from pcf.inventory.build import ensure_built, project_state

        state = project_state()
        if state.edits:
            report_edits(state.edits)
        if force or not state.edits:
            if force and state.edits:
                click.echo("--force: rebuilding from databases/; the edits above are "
                           "discarded.", err=True)
            stamp = ensure_built(force=force or not state.fresh)
        elif state.data_changed:
            raise ProjectEdited("databases/ or the model code changed too, and rebuilding "
                                "would discard the edits listed above; keep what you need, "
                                "then run `pcf setup --force`", field="project")
        else:
            click.echo("Kept the edited project (results say database version "
                       "'<version>+modified'); `pcf setup --force` rebuilds from databases/ "
                       "and discards these edits.", err=True)
            stamp = {**(read_stamp() or {}), "rebuilt": False, "project_edits": state.edits}
    if not stamp.get("project_edits") and not _engine_cache_valid(stamp):
        # the engine pickled per database version: cold commands and workers skip Brightway
        from pcf.engine import write_engine_cache

        entry = write_engine_cache()
        if entry is not None:
            stamp["engine_cache"] = entry
    stamp.pop("definitions", None)  # the product definitions are in `pcf products`
    if fmt == "json":
        emit_json(stamp)
        return
    status = "built" if stamp["rebuilt"] else (
        "kept with edits made outside pcf" if stamp.get("project_edits")
        else "already up to date")
    click.echo(f"Brightway project 'pcf' {status}: database version {stamp['version']}, "
               f"{stamp['activities']} activities, products {', '.join(stamp['products'])}"
               + (f", {stamp['seconds']} s" if stamp["rebuilt"] else ""))


def _engine_cache_valid(stamp: dict) -> bool:
    """True if the engine cache recorded in the stamp would be used as it is
    (:func:`pcf.engine.cache.cache_is_valid`)."""
    from pcf.engine.cache import cache_is_valid

    return cache_is_valid(stamp)
