"""``pcf reductions PRODUCT --company C --year Y [--base-year B] [--pathway]``: reductions
against the base year and target status."""

from __future__ import annotations

import click

from pcf.commands._common import FORMAT, emit_json, ensure_project, handle_errors, open_store
from pcf.errors import InvalidInput


@click.command()
@click.argument("product")
@click.option("--company", default=None,
              help="Company id (databases/companies/); optional when only one company has "
                   "data for PRODUCT.")
@click.option("--base-year", "base_year", type=int, default=None,
              help="Base year (default: the company's base year for the product).")
@click.option("--year", type=int, default=None, help="Reporting or projection year.")
@click.option("--pathway", "show_pathway", is_flag=True,
              help="List every year: values, reported values, pathway and on-track.")
@FORMAT
@handle_errors
def reductions(product, company, base_year, year, show_pathway, fmt) -> None:
    """Reduction of PRODUCT's footprint against the base year, and target status."""
    from pcf.service.targets import pathway, reductions as compute_reductions

    ensure_project()
    if show_pathway:
        data = pathway(product, company, store=open_store())
        if fmt == "json":
            emit_json(data)
            return
        click.echo(f"{data['company']['name']}: {product}, base year {data['base_year']} "
                   "(kg CO2e per declared unit; pcf like-for-like / as reported / pathway)")
        for entry in data["years"]:
            for stage, v in entry["stages"].items():
                value = f"{v['value']:.4f}" if v.get("value") is not None else "-"
                reported = v.get("as_reported")
                track = [t.get("on_track") for t in v.get("targets", [])
                         if t.get("on_track") is not None]
                click.echo(f"  {entry['year']} {entry['status'] or '':<10} {stage:<26} "
                           f"{value:>9} {reported if reported is not None else '-':>8} "
                           f"{v.get('pathway_value', '-')!s:>8} "
                           f"{'on track' if track and all(track) else ('off track' if track else '')}")
        return
    if year is None:
        raise InvalidInput("--year is required (or use --pathway)", field="--year")
    data = compute_reductions(product, company, year, base_year, store=open_store())
    if fmt == "json":
        emit_json(data)
        return
    click.echo(f"{data['company']['name']}: {product}, {data['base_year']} -> {data['year']}"
               f" ({data['year_status']}), {data['unit']}, like-for-like with database "
               f"{data['like_for_like']['database']['version']}")
    for row in data["stages"]:
        red = row["reduction"]
        click.echo(f"  {row['label']:<36} {row['base_year_value']:9.4f} -> {row['year_value']:9.4f}"
                   f"  reduction {red * 100 if red is not None else float('nan'):6.1f} %"
                   + (f"  (as reported {row['base_year_as_reported']} -> "
                      f"{row['year_as_reported']})" if row["base_year_as_reported"] else ""))
        for t in row["targets"]:
            need = t["required_reduction"]
            if t.get("denominator") == "output-value":
                click.echo(f"      target ({t['type']} per output value, "
                           f"-{t['target_reduction'] * 100:.0f} % by {t['target_year']}): kept as "
                           f"stated, not judged per {data['declared_unit']}; {t['comparison']}")
                continue
            if need is None:
                click.echo(f"      target ({t['type']}): no pathway value for this year")
                continue
            click.echo(f"      target ({t['type']}): needs {need * 100:.1f} % -> "
                       f"{'on track' if t['on_track'] else 'NOT on track'}")
    if data["recalculation_due"]:
        click.echo("  base-year recalculation due: recomputed and reported base differ by >= 5 %")
    click.echo(f"  stage that moves most: {data['stage_that_moves_most']}")
    for warning in data["warnings"]:
        click.echo(f"  note: {warning}")
