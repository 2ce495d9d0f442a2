"""``pcf audit PRODUCT [--variant V] [--set NAME=VALUE]... --format json|md``: the audit of a
footprint (published ranges, mass balance, assumption share, GWP basis, other rules, levers,
company checks, flags)."""

from __future__ import annotations

import click

from pcf.commands._common import emit_json, ensure_project, handle_errors, parse_sets


@click.command()
@click.argument("product")
@click.option("--variant", default=None, help="Named parameter set (e.g. virgin, recycled).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Parameter value; repeat for several. Overrides the variant.")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True, help="Output format: Markdown or JSON.")
@handle_errors
def audit(product: str, variant, sets, fmt: str) -> None:
    """Audit the footprint of PRODUCT: what a reviewer or an auditor reads."""
    from pcf.service.audit import audit as compute_audit, render_markdown

    ensure_project()
    doc = compute_audit(product, variant=variant, parameters=parse_sets(sets) or None)
    if fmt == "json":
        emit_json(doc)
        return
    click.echo(render_markdown(doc), nl=False)
