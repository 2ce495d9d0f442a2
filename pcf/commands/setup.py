"""``pcf setup [--force]``: validate ``databases/`` and build the Brightway project."""

from __future__ import annotations

import click

from pcf.commands._common import FORMAT, emit_json, handle_errors


@click.command()
@click.option("--force", is_flag=True, help="Rebuild even if the project is up to date.")
@FORMAT
@handle_errors
def setup(force: bool, fmt: str) -> None:
    """Validate databases/ and build the Brightway project (idempotent, offline)."""
    from pcf.inventory.build import ensure_built

    stamp = ensure_built(force=force)
    if fmt == "json":
        emit_json(stamp)
        return
    state = "built" if stamp["rebuilt"] else "already up to date"
    click.echo(f"Brightway project 'pcf' {state}: database version {stamp['version']}, "
               f"{stamp['activities']} activities, products {', '.join(stamp['products'])}"
               + (f", {stamp['seconds']} s" if stamp["rebuilt"] else ""))
