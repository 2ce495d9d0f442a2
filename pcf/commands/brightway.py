"""``pcf brightway scenarios OUT.xlsx`` and ``pcf brightway changes``: the Brightway project
for Activity Browser users (:mod:`pcf.service.brightway`)."""

from __future__ import annotations

import click

from pcf.commands._common import FORMAT, emit_json, ensure_project, handle_errors, report_edits


@click.group()
def brightway() -> None:
    """The Brightway project seen from Activity Browser: scenario files, edits."""


@brightway.command("scenarios")
@click.argument("out", metavar="OUT.xlsx", type=click.Path(dir_okay=False))
@click.option("--product", "products", multiple=True,
              help="Only this product (repeat for several; default: all).")
@handle_errors
def scenarios(out: str, products: tuple[str, ...]) -> None:
    """Write the variants as an Activity Browser parameter-scenario file (.xlsx).

    Columns Name, Group, default and one per variant; import it in Activity Browser under
    Parameters > Scenarios > "Import parameter-scenarios".
    """
    from pcf.service.brightway import write_scenario_file

    ensure_project()
    n = write_scenario_file(out, list(products) or None)
    click.echo(f"{n} parameters written to {out}", err=True)


@brightway.command("changes")
@FORMAT
@handle_errors
def changes(fmt: str) -> None:
    """Say what was changed in the Brightway project outside pcf since `pcf setup`."""
    from pcf.service.brightway import project_edits

    doc = project_edits()
    if fmt == "json":
        emit_json(doc)
        return
    if doc["edits"]:
        report_edits(doc["edits"])
        click.echo("`pcf setup --force` rebuilds from databases/ and discards them.", err=True)
    elif doc["fresh"]:
        click.echo("The project is as `pcf setup` built it.")
    else:
        click.echo("No edits; the project is stale (databases/ or code changed): run "
                   "`pcf setup`.")
