"""The ``pcf`` command. JSON on stdout with ``--format json``, tables otherwise.

Errors a user can cause print one line ``error: <field>: <message> (allowed: ...)`` on stderr
and exit with status 2; an invalid ``databases/`` exits with status 1 and lists every problem
as ``file:line: message``.
"""

from __future__ import annotations

import functools
import json

import click

from pcf.commands import fail
from pcf.errors import PcfError


def handle_errors(func):
    """Decorator: turn :class:`PcfError` into a one-line message and an exit status."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PcfError as exc:
            fail(exc)

    return wrapper


def ensure_project() -> None:
    """Build the Brightway project first if it is missing or stale (message on stderr)."""
    from pcf.inventory.build import ensure_built, is_fresh

    if not is_fresh():
        click.echo("Brightway project missing or stale: building it from databases/ ...",
                   err=True)
        stamp = ensure_built()
        click.echo(f"built database version {stamp['version']} in {stamp['seconds']} s",
                   err=True)


def emit_json(data) -> None:
    """Write ``data`` as indented JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                      show_default=True, help="Output format.")


@click.group()
@click.version_option(package_name="pcf")
def main() -> None:
    """pcf: product carbon footprints (cradle-to-gate, IPCC 2021 GWP100) from Brightway models.

    State lives under $PCF_HOME (default ./var).
    """


@main.command()
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


@main.command()
@FORMAT
@handle_errors
def products(fmt: str) -> None:
    """List products with their parameters and variants."""
    from pcf import service

    ensure_project()
    items = service.list_products()
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


def _parse_sets(values: tuple[str, ...]) -> dict:
    out = {}
    for item in values:
        if "=" not in item:
            raise PcfError(f"--set {item!r} must look like NAME=VALUE", field="--set")
        name, value = item.split("=", 1)
        out[name.strip()] = value.strip()
    return out


@main.command()
@click.argument("product")
@click.option("--variant", default=None, help="Named parameter set (e.g. virgin, recycled).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Parameter value; repeat for several. Overrides the variant.")
@click.option("--quantity", type=str, default=None, help="Quantity (default 1 declared unit).")
@click.option("--unit", default=None, help="Unit of --quantity (e.g. t, kg, MWh).")
@FORMAT
@handle_errors
def footprint(product: str, variant, sets, quantity, unit, fmt: str) -> None:
    """Print the footprint of PRODUCT (kg CO2e per declared unit and in total)."""
    from pcf import service

    ensure_project()
    result = service.compute_footprint(product, variant=variant, parameters=_parse_sets(sets),
                                       quantity=quantity, unit=unit)
    if fmt == "json":
        emit_json(result)
        return
    per, tot = result["per_declared_unit"], result["total"]
    du = result["declared_unit"]
    click.echo(f"{result['product']}  variant={result['variant']}  "
               f"database {result['database']['version']}")
    click.echo(f"  {result['boundary']}, {result['method']['name']}, recycled content "
               f"{result['recycled_content_method']}, electricity "
               f"{result['electricity_accounting']}")
    click.echo(f"  per {du}: {per['total']:.4f} kg CO2e (fossil {per['fossil']:.4f}, biogenic "
               f"{per['biogenic']:.4f}, land use {per['land_use']:.4f})")
    click.echo(f"  total for {result['quantity']:g} {result['quantity_unit']}: "
               f"{tot['total']:.4f} kg CO2e")
    click.echo("  stages (kg CO2e per declared unit):")
    for stage in result["stages"]:
        click.echo(f"    {stage['stage']:<28} {stage['kg_co2e_per_declared_unit']:10.4f}")
    click.echo("  largest contributions:")
    for c in result["contributions"][:10]:
        click.echo(f"    {c['kg_co2e_per_declared_unit']:10.4f}  {c['input']}  "
                   f"[{c['amount']:.4g} {c['unit']} in {c['activity']}]")
    params = ", ".join(f"{k}={v}" for k, v in result["parameters"].items())
    click.echo(f"  parameters: {params}")


@main.command()
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
    from pcf import service

    ensure_project()
    if show_pathway:
        data = service.pathway(product, company)
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
        raise PcfError("--year is required (or use --pathway)", field="--year")
    data = service.reductions(product, company, year, base_year)
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


from pcf.commands.tenants import tenants as _tenants; main.add_command(_tenants)  # noqa: E402
from pcf.commands.orders import orders as _orders; main.add_command(_orders)  # noqa: E402
from pcf.commands.serve import serve as _serve; main.add_command(_serve)  # noqa: E402
from pcf.commands.certificates import certificates as _certificates; main.add_command(_certificates)  # noqa: E402

if __name__ == "__main__":  # pragma: no cover
    main()
