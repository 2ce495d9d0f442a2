"""``pcf compare`` and ``pcf sweep``: cases of one product side by side, and one parameter
swept over values (:func:`pcf.service.comparisons.compare`, as ``POST /v1/comparisons``).

``pcf compare PRODUCT --case LABEL[:VARIANT] [--set LABEL.NAME=VALUE]... [--reference LABEL]``
    Each ``--case`` names a case and optionally its variant (``recycled:recycled``,
    ``pv:recycled``); ``--set pv.renewable_electricity_share=1`` sets a parameter of one case.
    Without ``--case``: every variant of the product, the first one the reference.
``pcf sweep PRODUCT PARAMETER VALUE... [--variant V] [--set NAME=VALUE]...``
    The footprint per declared unit at each value of PARAMETER (a one-case comparison with a
    sweep), with its difference to the first value.

Both print a table (or JSON) and, with ``--plot FILE.png|svg``, write a chart
(:mod:`pcf.commands.plots`, matplotlib); any other extension is an error before any work.
"""

from __future__ import annotations

import click

from pcf.commands._common import FORMAT, emit_json, ensure_project, handle_errors, parse_sets
from pcf.errors import InvalidInput

PLOT = click.option("--plot", default=None, metavar="FILE.png|FILE.svg",
                    help="Also write a chart (matplotlib) to FILE; .png or .svg.")


def _cases(product: str, case_args: tuple[str, ...], sets: tuple[str, ...]) -> list[dict]:
    """Build the ``cases`` list from ``--case LABEL[:VARIANT]`` and ``--set LABEL.NAME=V``."""
    from pcf.service.footprints import get_product

    if case_args:
        cases: list[dict] = []
        for item in case_args:
            label, _, variant = item.partition(":")
            cases.append({"label": label.strip(), "variant": variant.strip() or None,
                          "parameters": {}})
    else:
        cases = [{"label": v, "variant": v, "parameters": {}}
                 for v in get_product(product)["variants"]]
    by_label = {c["label"]: c for c in cases}
    for name, value in parse_sets(sets).items():
        label, dot, parameter = name.partition(".")
        if not dot or label not in by_label:
            raise InvalidInput(f"--set {name}={value}: name a case as LABEL.PARAMETER",
                               field="--set", allowed=sorted(by_label))
        by_label[label]["parameters"][parameter] = value
    return cases


def _print_table(doc: dict) -> None:
    unit = doc["declared_unit"]
    click.echo(f"{doc['product']}: kg CO2e per {unit}, reference {doc['reference']!r}")
    for case in doc["cases"]:
        fp, diff = case["footprint"], case["difference"]
        rel = diff["relative"]
        click.echo(f"  {case['label']:<24} {fp['per_declared_unit']['total']:10.4f}  "
                   f"{diff['absolute']:+10.4f}"
                   + (f"  ({rel * 100:+.1f} %)" if rel is not None else ""))
        for stage in fp["stages"]:
            click.echo(f"      {stage['stage']:<26} {stage['kg_co2e_per_declared_unit']:10.4f}")
    sweep = doc.get("sweep")
    if sweep:
        click.echo(f"  sweep of {sweep['parameter']} (case {sweep['case']!r}):")
        for point in sweep["points"]:
            rel = point["difference"]["relative"]
            click.echo(f"    {point['value']!s:<14} {point['per_declared_unit']['total']:10.4f}  "
                       f"{point['difference']['absolute']:+10.4f}"
                       + (f"  ({rel * 100:+.1f} %)" if rel is not None else ""))


@click.command()
@click.argument("product")
@click.option("--case", "case_args", multiple=True, metavar="LABEL[:VARIANT]",
              help="A case; repeat for several. Default: every variant of PRODUCT.")
@click.option("--set", "sets", multiple=True, metavar="LABEL.NAME=VALUE",
              help="Parameter value of one case; repeat for several.")
@click.option("--reference", default=None, help="Label of the reference case (default: first).")
@PLOT
@FORMAT
@handle_errors
def compare(product: str, case_args: tuple[str, ...], sets: tuple[str, ...],
            reference: str | None, plot: str | None, fmt: str) -> None:
    """Compare cases of PRODUCT: footprint per declared unit and difference to the reference."""
    from pcf.commands.plots import check_plot_path
    from pcf.service.comparisons import compare as compare_cases

    check_plot_path(plot)
    ensure_project()
    doc = compare_cases(product, _cases(product, case_args, sets), reference)
    if fmt == "json":
        emit_json(doc)
    else:
        _print_table(doc)
    if plot:
        from pcf.commands.plots import plot_comparison

        plot_comparison(doc, plot)
        click.echo(f"chart written to {plot}", err=True)


@click.command()
@click.argument("product")
@click.argument("parameter")
@click.argument("values", nargs=-1, required=True)
@click.option("--variant", default=None, help="Variant of the swept case.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Other parameter values of the swept case; repeat for several.")
@PLOT
@FORMAT
@handle_errors
def sweep(product: str, parameter: str, values: tuple[str, ...], variant: str | None,
          sets: tuple[str, ...], plot: str | None, fmt: str) -> None:
    """Footprint of PRODUCT at each of VALUES of PARAMETER (difference to the first value)."""
    from pcf.commands.plots import check_plot_path
    from pcf.service.comparisons import compare as compare_cases

    check_plot_path(plot)
    ensure_project()
    params = parse_sets(sets)
    params[parameter] = values[0]
    case = {"label": "base", "variant": variant, "parameters": params}
    doc = compare_cases(product, [case], "base", {"parameter": parameter, "values": list(values)})
    if fmt == "json":
        emit_json(doc)
    else:
        _print_table(doc)
    if plot:
        from pcf.commands.plots import plot_sweep

        plot_sweep(doc, plot)
        click.echo(f"chart written to {plot}", err=True)
