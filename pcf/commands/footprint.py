"""``pcf footprint PRODUCT [--variant V] [--set NAME=VALUE]... [--quantity Q --unit U]
[--company C --year Y] [--recycled-content-method cut-off|cff] [--mc N [--seed S]]``: one
Footprint (with ``--company`` and ``--year``: that company's, of that reporting year, with
its stored supplier footprints; with ``--mc``: its Monte Carlo uncertainty)."""

from __future__ import annotations

import click

from pcf.accounting.cff import RECYCLED_CONTENT_METHODS
from pcf.commands._common import (
    FORMAT,
    emit_json,
    ensure_project,
    handle_errors,
    options_for,
    parse_sets,
)


@click.command()
@click.argument("product")
@click.option("--variant", default=None, help="Named parameter set (e.g. virgin, recycled).")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Parameter value; repeat for several. Overrides the variant.")
@click.option("--quantity", type=str, default=None, help="Quantity (default 1 declared unit).")
@click.option("--unit", default=None, help="Unit of --quantity (e.g. t, kg, MWh).")
@click.option("--company", default=None,
              help="Company id (databases/companies/): its settings of --year and its stored "
                   "supplier footprints (pcf suppliers) replace the averages they cover.")
@click.option("--year", type=int, default=None, help="Reporting year (with --company).")
@click.option("--recycled-content-method", "rc_method", type=click.Choice(RECYCLED_CONTENT_METHODS),
              default="cut-off", show_default=True,
              help="Recycled-content rule: cut-off or the EU PEF Circular Footprint Formula.")
@click.option("--mc", "draws", type=int, default=None, metavar="N",
              help="Monte Carlo draws (1..100000): adds the uncertainty (mean, median, "
                   "2.5/97.5 percentiles, GSD of the total and the stages).")
@click.option("--seed", type=int, default=None, metavar="S",
              help="Seed of the Monte Carlo draws (default 0; with --mc).")
@FORMAT
@handle_errors
def footprint(product: str, variant, sets, quantity, unit, company, year, rc_method, draws,
              seed, fmt: str) -> None:
    """Print the footprint of PRODUCT (kg CO2e per declared unit and in total)."""
    from pcf.errors import InvalidInput
    from pcf.service.footprints import compute_footprint

    ensure_project()
    if (company is None) != (year is None):
        raise InvalidInput("--company and --year go together", field="--year")
    if seed is not None and draws is None:
        raise InvalidInput("--seed needs --mc N", field="--seed")
    mc = None if draws is None else {"draws": draws, "seed": seed}
    if mc is not None and company is not None:
        raise InvalidInput("--mc is not available with --company yet", field="--mc")
    if company is not None:
        from pcf.commands._common import open_store
        from pcf.service.suppliers import company_footprint

        result = company_footprint(open_store(), product, company, year, variant=variant,
                                   parameters=parse_sets(sets), quantity=quantity, unit=unit,
                                   recycled_content_method=rc_method)
    else:
        with options_for({"uncertainty.draws": "--mc", "uncertainty.seed": "--seed",
                          "uncertainty": "--mc"}):
            result = compute_footprint(product, variant=variant, parameters=parse_sets(sets),
                                       quantity=quantity, unit=unit, uncertainty=mc,
                                       recycled_content_method=rc_method)
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
    mc_out = result.get("uncertainty")
    if mc_out:
        t = mc_out["per_declared_unit"]["total"]
        gsd = f", GSD {t['gsd']:.3f}" if t["gsd"] else ""
        click.echo(f"  Monte Carlo ({mc_out['draws']} draws, seed {mc_out['seed']}): mean "
                   f"{t['mean']:.4f}, median {t['median']:.4f}, 95 % interval "
                   f"{t['p2_5']:.4f} .. {t['p97_5']:.4f} kg CO2e per {du}{gsd}")
    click.echo("  stages (kg CO2e per declared unit):")
    stage_mc = {s["stage"]: s for s in (mc_out or {}).get("stages", [])}
    for stage in result["stages"]:
        band = stage_mc.get(stage["stage"])
        extra = f"   [{band['p2_5']:.4f} .. {band['p97_5']:.4f}]" if band else ""
        click.echo(f"    {stage['stage']:<28} {stage['kg_co2e_per_declared_unit']:10.4f}{extra}")
    click.echo("  largest contributions:")
    for c in result["contributions"][:10]:
        click.echo(f"    {c['kg_co2e_per_declared_unit']:10.4f}  {c['input']}  "
                   f"[{c['amount']:.4g} {c['unit']} in {c['activity']}]")
    params = ", ".join(f"{k}={v}" for k, v in result["parameters"].items())
    click.echo(f"  parameters: {params}")
    if "primary_data" in result:
        click.echo(f"  primary data share: {result['primary_data']['percent']:g} %")
    for entry in result.get("supplier_footprints") or []:
        click.echo(f"  supplier figures for {entry['input']}: {entry['covered_share']:.4g} of it "
                   f"at {entry['kg_co2e_per_kg']:.4f} kg CO2e/kg ("
                   + ", ".join(r["supplier"] for r in entry["records"]) + ")")
    for warning in result.get("warnings") or []:
        click.echo(f"  note: {warning}")
