"""``pcf cbam PRODUCT [--company C --year Y] [--quantity Q --unit U] --format json|xlsx``: the
CBAM embedded emissions of a good as its operator communicates them (issue 20).

With ``--company`` and ``--year`` the reporting period of that company (its site settings,
supply mix and stored supplier figures); without, one order line at the product's parameters.
``--defaults-only`` uses default values for every precursor (the comparison with supplier
data). ``--format xlsx`` writes the communication in the sheets of the Commission's template
(``-o FILE``, required for xlsx). The document is :func:`pcf.service.cbam.communication`.
"""

from __future__ import annotations

from pathlib import Path

import click

from pcf.commands._common import emit_json, ensure_project, handle_errors, options_for, parse_sets


def _text(doc: dict) -> str:
    see = doc["specific_embedded_emissions"]["direct"]
    lines = [f"CBAM {doc['good']['cn_code']} {doc['good']['product']} "
             f"({doc['rule_set']['id']} {doc['rule_set']['version']})",
             f"  installation: {(doc.get('installation') or {}).get('name', '-')}",
             f"  direct attributed: {doc['direct_emissions']['attributed_t_co2e_per_t']:.4f} "
             "t CO2e/t"]
    for p in doc["precursors"]:
        see_p = "-" if p["see"] is None else f"{p['see']:.4f}"
        lines.append(f"  precursor {p['name']}: {p['t_per_t']:.4f} t/t x {see_p} "
                     f"({p['value_source']}) = {p['t_co2e_per_t']:.4f}")
    for s in doc["scrap"]:
        lines.append(f"  scrap {s['kind']}: {s['t_per_t']:.4f} t/t x {s['see']:g}")
    lines.append(f"  SEE (direct): {see:.4f} t CO2e/t; embedded "
                 f"{doc['embedded_emissions']['direct_t_co2e']:.3f} t CO2e for "
                 f"{doc['activity_level']['t']:g} t")
    lines.append("  indirect (information): "
                 f"{doc['indirect_emissions_for_information']['t_co2e_per_t']:.4f} t CO2e/t")
    lines += [f"  warning: {w}" for w in doc["warnings"]]
    return "\n".join(lines)


@click.command()
@click.argument("product")
@click.option("--company", default=None, help="Company id (databases/companies/).")
@click.option("--year", default=None, type=int, help="Reporting year of the company.")
@click.option("--variant", default=None, help="Named parameter set.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Parameter value; repeat for several.")
@click.option("--quantity", default=None, help="Quantity of the good (default 1 t).")
@click.option("--unit", default=None, help="Unit of the quantity (default t).")
@click.option("--country", default=None, help="Country of production, ISO code (default CN).")
@click.option("--import-year", default=None, type=int,
              help="Year of import, for the default values' mark-up.")
@click.option("--precursor-see", default=None, type=float,
              help="SEE (t CO2e/t, direct) a supplier communicated for its primary ingot.")
@click.option("--alloying-share", default=None, type=float,
              help="Mass share (0..1) of elements other than aluminium.")
@click.option("--defaults-only", is_flag=True, help="Default values for every precursor.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "xlsx"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (required with --format xlsx).")
@handle_errors
def cbam(product: str, company, year, variant, sets, quantity, unit, country, import_year,
         precursor_see, alloying_share, defaults_only, fmt: str, output) -> None:
    """CBAM specific embedded emissions of PRODUCT (definitive period)."""
    from pcf.errors import InvalidInput
    from pcf.service.cbam import communication

    if fmt == "xlsx" and output is None:
        raise InvalidInput("--format xlsx needs -o FILE", field="--output")
    ensure_project()
    store = None
    if company is not None:
        from pcf.commands._common import open_store

        store = open_store()
    with options_for({"precursor_see": "--precursor-see", "import_year": "--import-year",
                      "alloying_share": "--alloying-share", "country": "--country",
                      "company": "--company", "year": "--year", "quantity": "--quantity",
                      "unit": "--unit", "variant": "--variant"}):
        doc = communication(product, company=company, year=year, variant=variant,
                            parameters=parse_sets(sets) or None, quantity=quantity, unit=unit,
                            store=store, country=country, import_year=import_year,
                            precursor_see=precursor_see, alloying_share=alloying_share,
                            defaults_only=defaults_only)
    if fmt == "xlsx":
        from pcf.certificates.cbam_workbook import workbook

        output.write_bytes(workbook(doc))
        click.echo(f"wrote {output}", err=True)
    elif fmt == "json":
        if output is not None:
            import json

            output.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        else:
            emit_json(doc)
    else:
        click.echo(_text(doc))
