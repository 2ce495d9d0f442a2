"""``pcf certificates``: verify certificate files; issue, revoke, supersede and export (admins).

``pcf certificates verify FILE.json|FILE.pdf [--public-key KEY] [--no-recompute] [--online]``
    Checks the hash and Ed25519 signature of a certificate file (the file itself, a saved
    ``GET /v1/certificates/{id}`` answer, or the certificate PDF: then also its PAdES
    signature, and the certificate file attached to it) against a trusted public key, its
    internal consistency, and recomputes the footprint from the inputs it states with the
    local Brightway project. ``KEY`` is a file with the PEM, the base64 raw key or the JSON of
    ``GET /v1/certificates/public-key``; without it the key under ``$PCF_HOME/keys`` is used
    (an issuer checking its own certificates).

    A file alone cannot say whether the certificate was revoked or superseded since: offline,
    an authentic certificate is reported as "authentic; status not checked" (exit 0).
    ``--online`` asks the issuer's public verification page (``/verify/{id}`` on the URL the
    certificate names, or ``--url``) and says ``VALID`` only for an authentic, active
    certificate. Exit status 0 authentic (offline) or valid (online), 1 not authentic, or
    revoked, superseded or expired (online), 2 bad input or status unavailable.
``pcf certificates issue ORDER_ID LINE_ID --tenant NAME [--dev]``
    Issue a certificate for a stored order line of tenant NAME (acts as an admin). Needs
    ``PCF_ISSUER_NAME``, ``PCF_ISSUER_DOMAIN`` and ``PCF_ISSUER_ID`` unless ``--dev``.
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


def _online_status(document: dict, certificate_id: str | None, url: str | None) -> dict:
    """Ask the issuer's public verification page for the certificate's status.

    Raises
    ------
    NotConfigured
        No URL to ask, or the page does not answer usefully.
    """
    import urllib.error
    import urllib.request

    from pcf.certificates.settings import public_url
    from pcf.errors import NotConfigured

    stated = ((document.get("certificate") or {}).get("verification") or {}).get("url")
    if url:
        target = f"{url.rstrip('/')}/verify/{certificate_id}"
    elif isinstance(stated, str) and stated.startswith(("https://", "http://")):
        target = stated
    elif public_url():
        target = f"{public_url()}/verify/{certificate_id}"
    else:
        raise NotConfigured("the certificate names no verification URL: give --url BASE",
                            field="--url")
    req = urllib.request.Request(target, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=20) as resp:  # noqa: S310 - http(s) only
            data = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return {"url": target, "found": False}
        raise NotConfigured(f"{target} answered {exc.code}", field="--online") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NotConfigured(f"{target} cannot be read: {exc}", field="--online") from None
    return {"url": target, **data}


@certificates.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--public-key", "key_file", type=click.Path(exists=True, dir_okay=False),
              help="Trusted public key: PEM, base64 of the 32 raw bytes, or the JSON of "
                   "GET /v1/certificates/public-key. Default: the key under $PCF_HOME/keys.")
@click.option("--recompute/--no-recompute", default=True, show_default=True,
              help="Recompute the footprint from the inputs stated in the certificate.")
@click.option("--online", is_flag=True,
              help="Also ask the issuer's public verification page for the current status "
                   "(revoked, superseded).")
@click.option("--url", "base_url", default=None,
              help="With --online: the issuer's base URL (default: the verification URL the "
                   "certificate names, or $PCF_PUBLIC_URL).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def verify(file: str, key_file: str | None, recompute: bool, online: bool,
           base_url: str | None, fmt: str) -> None:
    """Verify FILE.json or FILE.pdf (signatures, hash, consistency, recomputation; --online:
    the current status)."""
    from pcf.certificates.signing import local_public_key, parse_public_key
    from pcf.service.certificates import verify_certificate

    pdf_check = None
    try:
        key = parse_public_key(Path(key_file).read_text()) if key_file else local_public_key()
        data = click.open_file(file, "rb").read()
        if data.startswith(b"%PDF"):
            from pcf.certificates.pdfsign import check_pdf

            pdf_check = check_pdf(data, key)
            envelope = pdf_check["envelope"]
        else:
            try:
                envelope = json.loads(data.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise InvalidInput(f"{file} is neither JSON nor PDF: {exc}",
                                   field="file") from None
        if recompute:
            from pcf.commands._common import ensure_project

            ensure_project()
        result = verify_certificate(envelope, key, recompute=recompute)
    except PcfError as exc:
        fail(exc)
    authentic = bool(result["valid"] and (pdf_check is None or pdf_check["ok"]))
    if pdf_check is not None:
        result["checks"]["pdfSignature"] = {k: v for k, v in pdf_check.items()
                                            if k != "envelope"}
    result["authentic"] = authentic
    result["valid"] = authentic
    status = None
    if online and authentic:
        try:
            status = _online_status(envelope.get("document") or {}, result["id"], base_url)
        except PcfError as exc:
            fail(exc)
        if status.get("found") and status.get("sha256") != result["checks"]["hash"]["actual"]:
            status = {**status, "status": "different",
                      "verdict": "the issuer holds a different document under this id"}
    result["online"] = status
    valid_now = bool(authentic and status is not None and status.get("found")
                     and status.get("status") == "active" and status.get("authentic", True))
    result["validNow"] = valid_now if online else None
    if fmt == "json":
        _emit(result)
    else:
        checks = result["checks"]
        if not authentic:
            verdict = "INVALID"
        elif not online:
            verdict = "authentic; status not checked (offline: --online asks the issuer " \
                      "whether it was revoked or superseded)"
        elif valid_now:
            verdict = "VALID (authentic and active)"
        elif status and not status.get("found"):
            verdict = "NOT VALID: the issuer does not know this certificate"
        else:
            verdict = f"NOT VALID: authentic, but {status.get('status') if status else '?'}"
        click.echo(f"certificate {result['number']} ({result['id']}): {verdict}")
        if pdf_check is not None:
            click.echo(f"  PDF signature: {'ok' if pdf_check['ok'] else 'FAILED'} - "
                       f"{pdf_check['message']} (attachment {pdf_check['attachment']})")
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
        if status is None:
            click.echo("  status:        not checked (offline)")
        elif status.get("found"):
            line = f"  status:        {status.get('status')} ({status['url']})"
            if status.get("superseded_by"):
                line += f"; superseded by {status['superseded_by'].get('number')}"
            if status.get("revocation"):
                rev = status["revocation"]
                line += f"; revoked {rev.get('revoked_at')}: {rev.get('reason')}"
            click.echo(line)
        else:
            click.echo(f"  status:        unknown to the issuer ({status['url']})")
    if not authentic:
        sys.exit(1)
    sys.exit(0 if not online or valid_now else 1)


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
@click.option("--dev", is_flag=True, help="Issue without the issuer settings (development).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def issue(order_id: str, line_id: str, tenant: str, dev: bool, fmt: str) -> None:
    """Issue a certificate for line LINE_ID of order ORDER_ID of a tenant."""
    from pcf.commands._common import ensure_project
    from pcf.service.certificates import issue_certificate

    try:
        ensure_project()
        store = open_store()
        owner = store.get_tenant(tenant)
        record = issue_certificate(store.engine, tenant_id=owner.id, order_id=order_id,
                                   line_id=line_id, issued_by="cli", require_issuer=not dev)
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
@click.option("--dev", is_flag=True, help="Issue without the issuer settings (development).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
def supersede(certificate_id: str, reason: str, dev: bool, fmt: str) -> None:
    """Issue a correction of CERTIFICATE_ID (recomputed with the current database)."""
    from pcf.commands._common import ensure_project
    from pcf.service.certificates import supersede_certificate

    try:
        ensure_project()
        record = supersede_certificate(open_store().engine, certificate_id, tenant_id=None,
                                       issued_by="cli", reason=reason,
                                       require_issuer=not dev)
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
        from pcf.certificates.pdfsign import sign_pdf
        from pcf.certificates.settings import issuer

        base = (base_url or public_url() or "http://127.0.0.1:8000").rstrip("/")
        pdf = render_pdf(record.envelope(),
                         verification_url=f"{base}/verify/{record.certificate_id}",
                         status=record.status(),
                         api_verification_url=f"{base}/v1/certificates/"
                                              f"{record.certificate_id}/verification")
        Path(pdf_path).write_bytes(sign_pdf(pdf, record.envelope(), issuer_name=issuer().name))
    _print_record(record, fmt)


@certificates.command("public-key")
@click.option("--format", "fmt", type=click.Choice(["pem", "json", "x509"]), default="pem",
              show_default=True,
              help="x509: the self-signed X.509 certificate of the key (signer of the PDFs).")
def public_key(fmt: str) -> None:
    """Print the certificate signing public key (generating the key pair on first use)."""
    from pcf.certificates.signing import public_key_info

    info = public_key_info()
    if fmt == "x509":
        from pcf.certificates.pdfsign import certificate_pem
        from pcf.certificates.settings import issuer

        click.echo(certificate_pem(issuer().name), nl=False)
    elif fmt == "json":
        _emit(info)
    else:
        click.echo(info["pem"], nl=False)
