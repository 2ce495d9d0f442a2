"""``pcf suppliers``: supplier-specific footprints that replace averages (issue 15).

``pcf suppliers import FILE.json|FILE.xlsx --company C --year Y [--input I] [--share S]``
    Store a supplier's figure from a PACT v3 ProductFootprint, a pcf certificate file (its
    signature checked against the keys registered with ``trust``) or a filled questionnaire.
``pcf suppliers template -o questionnaire.xlsx [--input I]``
    Write the Excel questionnaire for suppliers without PACT software.
``pcf suppliers pull --host URL --client-id ID --client-secret S [--product-id URN]...
--company C --year Y --input I [--share S]``
    Pull footprints from a supplier's PACT v3 host and store the Active ones.
``pcf suppliers trust NAME --public-key FILE`` / ``trust --remove NAME`` / ``trust``
    Register, forget or list the supplier keys whose pcf certificates are accepted.
``pcf suppliers list [--company C] [--year Y] [--input I]`` / ``remove ID``

A refused figure prints one line naming the check and the field (for a questionnaire: sheet,
row and column) and exits with status 2; nothing is stored. The commands call
:mod:`pcf.service.suppliers` on the application database of ``$PCF_HOME`` (or
``PCF_DATABASE_URL``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from pcf.commands._common import ensure_project, handle_errors, open_store

FORMATS = click.Choice(["text", "json"])


def _emit(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _inputs() -> list[str]:
    from pcf.supplier_inputs import INPUTS

    return sorted(INPUTS)


def _line(record: dict) -> str:
    kg = record["kg_co2e_per_kg"]["total"]
    return (f"{record['id']}  {record['company']} {record['year']}  {record['input']:<18} "
            f"{record['supplier']}: {kg:.4f} kg CO2e/kg, share {record['share']:g}, "
            f"{record['verification'].get('status')}, {record['way_in']}"
            + (f"  [{'; '.join(record['flags'])}]" if record["flags"] else ""))


def _report(result: dict, fmt: str) -> None:
    if fmt == "json":
        _emit(result)
        return
    for record in result["stored"]:
        click.echo(f"stored   {_line(record)}")
    for record in result["already_stored"]:
        click.echo(f"already  {_line(record)}")
    for item in result.get("skipped") or []:
        click.echo(f"skipped  {item['id']} ({item['status']})")


@click.group()
def suppliers() -> None:
    """Supplier-specific footprints: import, questionnaire, pull, trusted keys."""


_COMPANY = click.option("--company", required=True,
                        help="Company id (databases/companies/) whose footprints use it.")
_YEAR = click.option("--year", type=int, required=True, help="Reporting year it applies to.")
_SHARE = click.option("--share", type=float, default=None,
                      help="Share of the company's purchases of the input it covers (0-1, "
                           "default 1); the shares of one company, year, input add up to <= 1.")


@suppliers.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_COMPANY
@_YEAR
@click.option("--input", "input_id", default=None,
              help="The input it replaces (required for JSON; a questionnaire names it).")
@_SHARE
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@handle_errors
def import_(file: str, company: str, year: int, input_id: str | None, share: float | None,
            fmt: str) -> None:
    """Store a supplier footprint from FILE (.json: PACT ProductFootprint or pcf certificate;
    .xlsx: the questionnaire)."""
    from pcf.errors import InvalidInput
    from pcf.service.suppliers import import_file

    ensure_project()
    data = Path(file).read_bytes()
    if input_id is None and data[:2] != b"PK":
        raise InvalidInput("--input is required for a JSON document", field="--input",
                           allowed=_inputs())
    result = import_file(open_store(), data, name=Path(file).name, company=company,
                         year=year, input_id=input_id, share=share)
    _report(result, fmt)


@suppliers.command("template")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the workbook (.xlsx).")
@click.option("--input", "input_id", default=None, help="Pre-fill the material asked for.")
@handle_errors
def template(output: str, input_id: str | None) -> None:
    """Write the supplier questionnaire (Excel) to OUTPUT."""
    from pcf.service.suppliers import questionnaire_template

    Path(output).write_bytes(questionnaire_template(input_id))
    click.echo(f"wrote {output}: send it to the supplier, then `pcf suppliers import "
               f"{Path(output).name} --company C --year Y`", err=True)


@suppliers.command("pull")
@click.option("--host", required=True, help="The supplier's PACT base URL (https://...).")
@click.option("--client-id", required=True, help="Client id the supplier's host issued.")
@click.option("--client-secret", default=None,
              help="Client secret (or set PCF_SUPPLIER_CLIENT_SECRET to keep it off the "
                   "command line).")
@click.option("--product-id", "product_ids", multiple=True,
              help="PACT product id (URN) to ask for; repeat for several; none: all shared.")
@click.option("--page-size", type=int, default=None,
              help="PACT limit per page (default: the host's); pages are followed.")
@_COMPANY
@_YEAR
@click.option("--input", "input_id", required=True, help="The input the footprints replace.")
@_SHARE
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@handle_errors
def pull(host: str, client_id: str, client_secret: str | None, product_ids: tuple[str, ...],
         page_size: int | None, company: str, year: int, input_id: str, share: float | None,
         fmt: str) -> None:
    """Pull footprints from a supplier's PACT host and store the Active ones."""
    from pcf.service.suppliers import pull as pull_footprints

    ensure_project()
    secret = client_secret or os.environ.get("PCF_SUPPLIER_CLIENT_SECRET", "")
    result = pull_footprints(open_store(), host, client_id, secret, product_ids=product_ids,
                             company=company, year=year, input_id=input_id, share=share,
                             page_size=page_size)
    _report(result, fmt)


@suppliers.command("trust")
@click.argument("name", required=False)
@click.option("--public-key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="The supplier's public key: PEM, base64 of the 32 raw bytes, or the JSON "
                   "of its GET /v1/certificates/public-key.")
@click.option("--remove", is_flag=True, help="Forget NAME's key.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@handle_errors
def trust(name: str | None, key_file: str | None, remove: bool, fmt: str) -> None:
    """Register (NAME --public-key FILE), forget (--remove NAME) or list the supplier keys
    whose pcf certificates are accepted."""
    from pcf.errors import InvalidInput
    from pcf.service.suppliers import trust as register, trusted, untrust

    store = open_store()
    if remove:
        if not name:
            raise InvalidInput("--remove needs NAME", field="name")
        click.echo(f"{'removed' if untrust(store, name) else 'not registered'}: {name}",
                   err=True)
    elif key_file:
        if not name:
            raise InvalidInput("a key needs a NAME", field="name")
        done = register(store, name, Path(key_file).read_text())
        click.echo(f"trusted {done['name']}: key {done['key_id']}", err=True)
    elif name:
        raise InvalidInput("give --public-key FILE (or --remove)", field="--public-key")
    rows = trusted(store)
    if fmt == "json":
        _emit(rows)
        return
    for row in rows:
        click.echo(f"{row['name']}\t{row['key_id']}\t{row['public_key']}\t{row['created_at']}")


@suppliers.command("list")
@click.option("--company", default=None)
@click.option("--year", type=int, default=None)
@click.option("--input", "input_id", default=None)
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@handle_errors
def list_(company: str | None, year: int | None, input_id: str | None, fmt: str) -> None:
    """List the stored supplier footprints."""
    from pcf.service.suppliers import list_footprints

    rows = list_footprints(open_store(), company, year, input_id)
    if fmt == "json":
        _emit(rows)
        return
    for row in rows:
        click.echo(_line(row))


@suppliers.command("remove")
@click.argument("record_id")
@handle_errors
def remove(record_id: str) -> None:
    """Remove a stored supplier footprint (stored by mistake)."""
    from pcf.service.suppliers import remove_footprint

    click.echo(f"removed {_line(remove_footprint(open_store(), record_id))}")
