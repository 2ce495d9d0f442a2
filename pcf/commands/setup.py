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
    from pcf.inventory.stamp import quick_freshness, read_stamp

    stamp = read_stamp() if not force and quick_freshness() is True else None
    if stamp is not None:  # up to date, answered from files alone
        stamp = {**stamp, "rebuilt": False}
    else:
        from pcf.inventory.build import ensure_built

        stamp = ensure_built(force=force)
    stamp.pop("definitions", None)  # the product definitions are in `pcf products`
    if fmt == "json":
        emit_json(stamp)
        return
    state = "built" if stamp["rebuilt"] else "already up to date"
    click.echo(f"Brightway project 'pcf' {state}: database version {stamp['version']}, "
               f"{stamp['activities']} activities, products {', '.join(stamp['products'])}"
               + (f", {stamp['seconds']} s" if stamp["rebuilt"] else ""))
