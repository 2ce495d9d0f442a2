"""``pcf products``: products with their parameters and variants."""

from __future__ import annotations

import click

from pcf.commands._common import FORMAT, emit_json, handle_errors


@click.command()
@FORMAT
@handle_errors
def products(fmt: str) -> None:
    """List products with their parameters and variants."""
    from pcf.service.footprints import catalogue

    items = catalogue()
    if fmt == "json":
        emit_json(items)
        return
    for item in items:
        click.echo(f"{item['id']}  ({item['declared_unit']})  {item['name']}")
        click.echo(f"  variants: {', '.join(item['variants'])}")
        for p in item["parameters"]:
            if p["type"] == "choice":
                rng = "one of " + ", ".join(p["choices"])
            elif p["type"] == "boolean":
                rng = "true/false"
            else:
                rng = f"{p['min']}..{p['max']} {p['unit']}"
            click.echo(f"  {p['name']:<30} default {p['default']!s:<16} {rng}")
        click.echo("")
