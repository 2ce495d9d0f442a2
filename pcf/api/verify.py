"""Public verification: ``GET /verify/{certificate id}`` (no API key), and the extension
schema at ``/pact/extensions/.../schema.json``.

The certificate id is an unguessable UUID (122 random bits), so whoever holds the certificate
(the PDF's QR code, the JSON file) can check it, and nobody can list certificates. The page
shows the signature and hash checks of the stored certificate file, its current status
(active; superseded, by which; revoked, when and why; expired), the issuer, the product and
the footprint. ``Accept: application/json`` gives the same as JSON; a browser gets HTML.
No recomputation here (that needs ``pcf certificates verify`` or an API key), so the page
costs a database read and a signature check.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template_string, request

from pcf.api.urls import public_base_url
from pcf.errors import UnknownResource

blp = Blueprint("verify", __name__)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
color:#1f2933;line-height:1.45}
.banner{padding:1rem 1.2rem;border-radius:.5rem;font-weight:600;font-size:1.15rem}
.ok{background:#e6f2ed;color:#0b6e4f}.bad{background:#fde8e8;color:#9b1c1c}
.warn{background:#fdf6b2;color:#723b13}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th{text-align:left;color:#616e7c;font-weight:500;width:14rem;vertical-align:top}
td,th{padding:.35rem .2rem;border-bottom:1px solid #e4e7eb}
code{font-size:.85rem;word-break:break-all}
</style></head><body>
<h1>Footprint certificate {{ v.number or "" }}</h1>
{% if not v.found %}
<p class="banner bad">No certificate with this id.</p>
{% else %}
<p class="banner {{ v.banner_class }}">{{ v.verdict }}</p>
<table>
<tr><th>Status</th><td>{{ v.status }}{% if v.superseded_by %} &mdash; superseded by
<a href="{{ v.superseded_by.url }}">{{ v.superseded_by.number }}</a>{% endif %}
{% if v.revocation %} &mdash; revoked {{ v.revocation.revoked_at }}: {{ v.revocation.reason }}
{% endif %}</td></tr>
<tr><th>Signature</th><td>{{ "valid" if v.checks.signature.ok else "NOT valid" }}
({{ v.checks.signature.message }})</td></tr>
<tr><th>SHA-256 of the document</th><td><code>{{ v.sha256 }}</code>
({{ "matches" if v.checks.hash.ok else "does NOT match" }})</td></tr>
<tr><th>Issuer</th><td>{{ v.issuer.name }} <code>{{ v.issuer.companyIds|join(", ") }}</code>
</td></tr>
<tr><th>Customer</th><td>{{ v.customer }}</td></tr>
<tr><th>Product</th><td>{{ v.product.name }} <code>{{ v.product.ids|join(", ") }}</code>
{% if v.product.classifications %}<br>classification
<code>{{ v.product.classifications|join(", ") }}</code>{% endif %}</td></tr>
<tr><th>Footprint</th><td><strong>{{ v.footprint.perDeclaredUnit }} kg CO2e</strong> per
{{ v.footprint.declaredUnit }} (cradle-to-gate, IPCC AR6 GWP100); order line
{{ v.footprint.lineTotal }} kg CO2e</td></tr>
<tr><th>Issued / valid</th><td>{{ v.issued_at }}; valid {{ v.valid_from }} to
{{ v.valid_until }}</td></tr>
<tr><th>Signing key</th><td><code>{{ v.key_id }}</code>
(<a href="{{ v.public_key_url }}">public key</a>)</td></tr>
</table>
<p>Check a file you hold offline: <code>pcf certificates verify FILE.pdf</code> (or FILE.json);
<code>--online</code> also asks this page for the status.</p>
{% endif %}
</body></html>
"""


def view(certificate_id: str) -> dict[str, Any]:
    """What the page shows, as JSON (``found: false`` for an unknown id)."""
    from pcf.certificates.signing import local_public_key
    from pcf.service.certificates import certificate_view, verify_certificate
    from pcf.store.certificates import get_certificate

    store = current_app.extensions["pcf"].store
    try:
        record = get_certificate(store.engine, certificate_id)
    except UnknownResource:
        return {"found": False, "id": certificate_id}
    base = public_base_url()
    result = verify_certificate(record.envelope(), local_public_key(), recompute=False)
    cert = certificate_view(record, base)
    status = cert["status"]
    authentic = bool(result["valid"])
    pf = record.document["productFootprint"]
    ext: dict[str, Any] = next((e["data"] for e in pf.get("extensions") or []
                if isinstance(e.get("data"), dict) and "calculation" in e["data"]), {})
    calc, line = ext.get("calculation", {}), ext.get("orderLine", {})
    superseded_by = cert["superseded_by"]
    if superseded_by:
        superseded_by = {**superseded_by, "url": f"{base}/verify/{superseded_by['id']}"}
    if not authentic:
        verdict, banner = "NOT AUTHENTIC: the stored certificate fails its checks", "bad"
    elif status == "active":
        verdict, banner = "VALID: authentic and active", "ok"
    else:
        verdict, banner = f"NOT VALID: authentic, but {status}", "warn" \
            if status == "expired" else "bad"
    return {
        "found": True, "id": record.certificate_id, "number": record.number,
        "valid": authentic and status == "active", "authentic": authentic,
        "status": status, "pact_status": cert["pact_status"], "verdict": verdict,
        "banner_class": banner, "superseded_by": superseded_by,
        "supersedes": cert["supersedes"], "revocation": cert["revocation"],
        "sha256": record.sha256, "key_id": record.key_id,
        "checks": {"hash": result["checks"]["hash"],
                   "signature": result["checks"]["signature"],
                   "consistency": result["checks"]["consistency"]},
        "issuer": record.document["certificate"].get("issuer", {}),
        "customer": record.tenant,
        "product": {"id": record.product, "name": pf.get("productNameCompany"),
                    "ids": pf.get("productIds", []),
                    "classifications": pf.get("productClassifications", [])},
        "footprint": {"perDeclaredUnit": pf["pcf"]["pcfExcludingBiogenicUptake"],
                      "declaredUnit": calc.get("declaredUnit"),
                      "lineTotal": (line.get("kgCO2e") or {}).get("total")},
        "issued_at": cert["issued_at"], "valid_from": cert["valid_from"],
        "valid_until": cert["valid_until"],
        "public_key_url": f"{base}/v1/certificates/public-key",
    }


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or request.args.get("format") == "json"


@blp.route("/verify/<uuid:certificate_id>", methods=["GET"])
def verify_page(certificate_id):
    """Public verification of a certificate (HTML, or JSON for Accept: application/json)."""
    data = view(str(certificate_id))
    status = 200 if data["found"] else 404
    if _wants_json():
        return Response(json.dumps(data, ensure_ascii=False, default=str), status=status,
                        mimetype="application/json")
    title = f"Certificate {data.get('number') or ''}: {data.get('verdict', 'not found')}"
    html = render_template_string(_PAGE, v=data, title=title)
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return resp


@blp.route("/pact/extensions/order-line-certificate/1.0.0/schema.json", methods=["GET"])
def extension_schema():
    """JSON Schema of pcf's PACT extension (the ``dataSchema`` of every certificate)."""
    from pcf.certificates.extension_schema import schema
    from pcf.certificates.settings import EXTENSION_SCHEMA_PATH

    return Response(json.dumps(schema(f"{public_base_url()}{EXTENSION_SCHEMA_PATH}"),
                               indent=2), mimetype="application/schema+json")


__all__ = ["blp", "view"]
