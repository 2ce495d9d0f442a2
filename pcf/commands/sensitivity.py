"""``pcf sensitivity PRODUCT [--variant V] [--set NAME=VALUE]... [--mc N] [--seed S]``: which
inputs and parameters drive the uncertainty of a footprint (issue 17)."""

from __future__ import annotations

import click

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
              help="Parameter value (not drawn); repeat for several.")
@click.option("--mc", "draws", type=int, default=5000, show_default=True, metavar="N",
              help="Monte Carlo draws (1..20000).")
@click.option("--seed", type=int, default=0, show_default=True, metavar="S",
              help="Seed of the draws.")
@FORMAT
@handle_errors
def sensitivity(product: str, variant, sets, draws, seed, fmt: str) -> None:
    """Print the shares of PRODUCT's footprint variance by input and the parameters' SRC."""
    from pcf.service.sensitivity import sensitivity as compute

    ensure_project()
    with options_for({"draws": "--mc", "seed": "--seed"}):
        doc = compute(product, variant=variant, parameters=parse_sets(sets), draws=draws,
                      seed=seed)
    if fmt == "json":
        emit_json(doc)
        return
    t, du = doc["total"], doc["declared_unit"]
    click.echo(f"{doc['product']}  variant={doc['variant']}  {doc['draws']} draws, seed "
               f"{doc['seed']}: median {t['median']:.4f}, 95 % interval {t['p2_5']:.4f} .. "
               f"{t['p97_5']:.4f} kg CO2e per {du}")
    click.echo("  share of the variance, by input:")
    for row in doc["inputs"]:
        click.echo(f"    {100 * row['variance_share']:6.1f} %  {row['input']}  "
                   f"[{row['activity']}, {row['stage']}]")
    click.echo(f"    {100 * doc['inputs_other_share']:6.1f} %  other inputs")
    if doc["parameters_src"]:
        click.echo(f"  parameters, standardized regression coefficients (R^2 "
                   f"{doc['r_squared']:.3f}, {doc['parameter_draws']} draws):")
        for row in doc["parameters_src"]:
            click.echo(f"    {row['src']:+7.3f}  {row['parameter']} (default {row['default']:g})")
