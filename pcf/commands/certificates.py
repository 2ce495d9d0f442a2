"""``pcf certificates``: verify certificate files; issue, revoke, supersede and export (admins).

``pcf certificates verify FILE.json [--public-key KEY] [--no-recompute]``
    Checks the hash and Ed25519 signature of a certificate file (the file itself, or a saved
    ``GET /v1/certificates/{id}`` answer) against a trusted public key, its internal
    consistency, and recomputes the footprint from the inputs it states with the local
    Brightway project. ``KEY`` is a file with the PEM, the base64 raw key or the JSON of
    ``GET /v1/certificates/public-key``; without it the key under ``$PCF_HOME/keys`` is used
    (an issuer checking its own certificates). Exit status 0 valid, 1 invalid, 2 bad input.
``pcf certificates issue ORDER_ID LINE_ID --tenant NAME``
    Issue a certificate for a stored order line of tenant NAME (acts as an admin).
``pcf certificates revoke ID --reason TEXT`` / ``supersede ID --reason TEXT``
``pcf certificates show ID [-o FILE.json] [--pdf FILE.pdf]``
``pcf certificates public-key [--format pem|json]``

The commands call :mod:`pcf.service.certificates` (and :mod:`pcf.store` to read) on the
application database of ``$PCF_HOME`` (or ``PCF_DATABASE_URL``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pcf.commands._common import fail, open_store
from pcf.errors import InvalidInput, PcfError

FORMATS = click.Choice(["text", "json"])


def _emit(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group()
def certificates() -> None:
    """Footprint certificates: verify files; issue, revoke, supersede, export (admins)."""


@certificates.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--public-key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="Trusted public key: PEM, base64 of the 32 raw bytes, or the JSON of "
                   "GET /v1/certificates/public-key. Default: the key under $PCF_HOME/keys.")
@click.option("--recompute/--no-recompute", default=True, show_default=True,
              help="Recompute the footprint from the inputs stated in the certificate.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def verify(file: str, key_file: str | None, recompute: bool, fmt: str) -> None:
    """Verify the certificate FILE.json (signature, hash, consistency, recomputation)."""
    from pcf.certificates.signing import local_public_key, parse_public_key
    from pcf.service.certificates import verify_certificate

    try:
        raw = click.open_file(file, "r", encoding="utf-8").read()
        try:
            envelope = json.loads(raw)
        except ValueError as exc:
            raise InvalidInput(f"{file} is not JSON: {exc}", field="file") from None
        key = parse_public_key(Path(key_file).read_text()) if key_file else local_public_key()
        if recompute:
            from pcf.commands._common import ensure_project

            ensure_project()
        result = verify_certificate(envelope, key, recompute=recompute)
    except PcfError as exc:
        fail(exc)
    if fmt == "json":
        _emit(result)
    else:
        checks = result["checks"]
        click.echo(f"certificate {result['number']} ({result['id']}): "
                   f"{'VALID' if result['valid'] else 'INVALID'}")
        click.echo(f"  hash:          {'ok' if checks['hash']['ok'] else 'MISMATCH'} "
                   f"({checks['hash']['actual']})")
        click.echo(f"  signature:     {'ok' if checks['signature']['ok'] else 'FAILED'} - "
                   f"{checks['signature']['message']}")
        problems = "; ".join(checks["consistency"]["problems"])
        click.echo(f"  consistency:   {'ok' if checks['consistency']['ok'] else problems}")
        rec = checks["recomputation"]
        click.echo(f"  recomputation: {rec['status']} - {rec['message']}")
        if rec["status"] == "database-changed" and rec.get("recomputed"):
            cert, now = rec["certified"], rec["recomputed"]
            click.echo(f"    certified  ({cert['databaseVersion']}): "
                       f"{cert['kgCO2ePerDeclaredUnit']['total']!r} kg CO2e per declared unit, "
                       f"{cert['kgCO2eTotal']['total']!r} kg CO2e for the line")
            click.echo(f"    recomputed ({now['databaseVersion']}): "
                       f"{now['kgCO2ePerDeclaredUnit']['total']!r} kg CO2e per declared unit, "
                       f"{now['kgCO2eTotal']['total']!r} kg CO2e for the line")
        click.echo("  revocation:    not checked offline; see GET "
                   f"/v1/certificates/{result['id']}/verification")
    sys.exit(0 if result["valid"] else 1)


def _print_record(record, fmt: str) -> None:
    from pcf.service.certificates import certificate_view

    view = certificate_view(record)
    if fmt == "json":
        _emit(view)
        return
    click.echo(f"{view['number']}  {view['id']}  {view['status']}")
    click.echo(f"  customer {view['customer']}, order {view['order_id']}, line "
               f"{view['line_id']}, product {view['product']}")
    click.echo(f"  {view['kg_co2e_total']!r} kg CO2e for the line; valid {view['valid_from']} "
               f"to {view['valid_until']}; sha256 {view['sha256']}")
    if view["supersedes"]:
        click.echo(f"  supersedes {view['supersedes']['number']}")


@certificates.command("issue")
@click.argument("order_id")
@click.argument("line_id")
@click.option("--tenant", required=True, help="Tenant whose order it is.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def issue(order_id: str, line_id: str, tenant: str, fmt: str) -> None:
    """Issue a certificate for line LINE_ID of order ORDER_ID of a tenant."""
    from pcf.commands._common import ensure_project
    from pcf.service.certificates import issue_certificate

    try:
        ensure_project()
        store = open_store()
        owner = store.get_tenant(tenant)
        record = issue_certificate(store.engine, tenant_id=owner.id, order_id=order_id,
                                   line_id=line_id, issued_by="cli")
    except PcfError as exc:
        fail(exc)
    _print_record(record, fmt)


@certificates.command("revoke")
@click.argument("certificate_id")
@click.option("--reason", required=True, help="Why (kept with the revocation).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def revoke(certificate_id: str, reason: str, fmt: str) -> None:
    """Revoke certificate CERTIFICATE_ID (recorded, never deleted)."""
    from pcf.service.certificates import revoke_certificate

    try:
        record = revoke_certificate(open_store().engine, certificate_id, tenant_id=None,
                                    revoked_by="cli", reason=reason)
    except PcfError as exc:
        fail(exc)
    _print_record(record, fmt)


@certificates.command("supersede")
@click.argument("certificate_id")
@click.option("--reason", required=True, help="Why the correction.")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def supersede(certificate_id: str, reason: str, fmt: str) -> None:
    """Issue a correction of CERTIFICATE_ID (recomputed with the current database)."""
    from pcf.commands._common import ensure_project
    from pcf.service.certificates import supersede_certificate

    try:
        ensure_project()
        record = supersede_certificate(open_store().engine, certificate_id, tenant_id=None,
                                       issued_by="cli", reason=reason)
    except PcfError as exc:
        fail(exc)
    _print_record(record, fmt)


@certificates.command("show")
@click.argument("certificate_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the certificate file (JSON) here.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False),
              help="Write the PDF here.")
@click.option("--base-url", default=None,
              help="Base URL for the QR code (default $PCF_PUBLIC_URL or "
                   "http://127.0.0.1:8000).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def show(certificate_id: str, output: str | None, pdf_path: str | None, base_url: str | None,
         fmt: str) -> None:
    """Show a certificate; optionally export its JSON file and PDF."""
    from pcf.certificates.settings import public_url
    from pcf.store.certificates import get_certificate

    try:
        record = get_certificate(open_store().engine, certificate_id)
    except PcfError as exc:
        fail(exc)
    if output:
        Path(output).write_text(json.dumps(record.envelope(), indent=2, ensure_ascii=False),
                                encoding="utf-8")
    if pdf_path:
        from pcf.certificates.pdf import render_pdf

        base = (base_url or public_url() or "http://127.0.0.1:8000").rstrip("/")
        url = f"{base}/v1/certificates/{record.certificate_id}/verification"
        Path(pdf_path).write_bytes(render_pdf(record.envelope(), verification_url=url,
                                              status=record.status()))
    _print_record(record, fmt)


@certificates.command("public-key")
@click.option("--format", "fmt", type=click.Choice(["pem", "json"]), default="pem",
              show_default=True)
def public_key(fmt: str) -> None:
    """Print the certificate signing public key (generating the key pair on first use)."""
    from pcf.certificates.signing import public_key_info

    info = public_key_info()
    if fmt == "json":
        _emit(info)
    else:
        click.echo(info["pem"], nl=False)
