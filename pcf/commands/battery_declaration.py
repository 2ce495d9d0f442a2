"""``pcf battery-declaration PRODUCT [--variant V] [--set NAME=VALUE]... [--company C --year Y]
--format text|json|pdf [-o FILE]``: the EU battery carbon footprint declaration of a cell
(issue 20).

``--set`` takes cell parameters and the declaration's settings (``vehicle_category``,
``cycles_per_year``, ``service_years``, ``usable_share``, ``plant_country``,
``direct_connection``). The document is :func:`pcf.service.battery_declaration.declaration`;
the PDF is :func:`pcf.certificates.battery_declaration_pdf.pdf` of it.
"""

from __future__ import annotations

from pathlib import Path

import click

from pcf.commands._common import emit_json, ensure_project, handle_errors, parse_sets


@click.command("battery-declaration")
@click.argument("product")
@click.option("--variant", default=None, help="Named parameter set.")
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Cell parameter or declaration setting; repeat for several.")
@click.option("--company", default=None, help="Cell maker (databases/companies/).")
@click.option("--year", default=None, type=int, help="Reporting year of the company.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "pdf"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (required with --format pdf).")
@handle_errors
def battery_declaration(product: str, variant, sets, company, year, fmt: str,
                        output) -> None:
    """EU battery carbon footprint declaration of PRODUCT (a cell)."""
    from pcf.errors import InvalidInput
    from pcf.service.battery_declaration import declaration

    if fmt == "pdf" and output is None:
        raise InvalidInput("--format pdf needs -o FILE", field="--output")
    ensure_project()
    store = None
    if company is not None:
        from pcf.commands._common import open_store

        store = open_store()
    doc = declaration(product, variant=variant, parameters=parse_sets(sets) or None,
                      company=company, year=year, store=store)
    if fmt == "pdf":
        from pcf.certificates.battery_declaration_pdf import pdf

        output.write_bytes(pdf(doc))
        click.echo(f"wrote {output}", err=True)
        return
    if fmt == "json":
        emit_json(doc)
        return
    cf = doc["carbon_footprint"]
    click.echo(f"{product}: {cf['per_kwh_total_energy']:.4f} kg CO2e per kWh of total energy "
               f"({cf['per_kwh_capacity']:.2f} per kWh rated; "
               f"{doc['rule_set']['id']} {doc['rule_set']['version']})")
    for s in doc["life_cycle_stages"]:
        click.echo(f"  {s['label']:<45} {s['kg_co2e_per_kwh_total_energy']:9.4f}  "
                   f"({s['kg_co2e_per_kwh_capacity']:.3f} per kWh rated)")
    click.echo(f"  cradle-to-gate (cut-off, location-based): "
               f"{doc['cradle_to_gate']['kg_co2e_per_kwh_capacity']:.3f} kg CO2e per kWh rated")
    for w in doc["warnings"]:
        click.echo(f"  warning: {w}")
