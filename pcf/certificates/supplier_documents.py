"""Read a supplier's PACT v3 ``ProductFootprint``, or a pcf certificate file, into a
:class:`pcf.accounting.supplier_footprints.SupplierFigure`.

Pure: documents in, figures out; the checks of the figure itself (unit, boundary, expiry...)
are :func:`pcf.accounting.supplier_footprints.check_figure`, and storing is the service's.

PACT v3 (shared/reference/pact.md section 2; DEP ``spec/v3/openapi.yaml``): decimals are JSON
strings (a plain decimal, no exponent), amounts are per declared unit, the reference period end is
exclusive. What is read:

=====================================  ===============================================
figure                                 ProductFootprint
=====================================  ===============================================
supplier, supplier_ids                 ``companyName``, ``companyIds``
product_name, product_ids              ``productNameCompany``, ``productIds``
declared_unit                          ``pcf.declaredUnitOfMeasurement``
kg_co2e.total                          ``pcf.pcfExcludingBiogenicUptake`` (pcf's totals
                                       exclude biogenic uptake too)
kg_co2e.fossil                         ``pcf.fossilGhgEmissions``
kg_co2e.biogenic                       ``pcf.biogenicNonCO2Emissions`` (0 when absent)
kg_co2e.land_use                       ``pcf.landUseChangeGhgEmissions`` (0 when absent)
reference_start/end                    ``pcf.referencePeriodStart/End``
validity_start/end                     ``validityPeriodStart/End``
characterization                       ``pcf.ipccCharacterizationFactors``
primary_data_share                     ``pcf.primaryDataShare`` (percent)
data_quality                           ``pcf.dqi``
verification                           ``pcf.verification`` (third party) when present
boundary                               a pcf extension's ``calculation.boundary``; else
                                       ``gate-to-gate`` / ``cradle-to-grave`` when
                                       ``pcf.boundaryProcessesDescription`` says so; else
                                       ``cradle-to-gate`` (the PACT Methodology's scope)
=====================================  ===============================================

A **pcf certificate file** (``{"document", "sha256", "signature"}``) is accepted when its hash
matches, its Ed25519 signature verifies with a key registered as trusted (``pcf suppliers
trust``) whose key id the signature names, and its document is consistent
(:func:`pcf.certificates.verify.check_consistency`); its ``productFootprint`` is then read as
above and its verification status is ``signature-verified``.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pcf.accounting.supplier_footprints import SupplierFigure
from pcf.certificates.signing import canonical_json, sha256_hex, verify_signature
from pcf.certificates.verify import check_consistency, parse_envelope
from pcf.errors import InvalidInput, SupplierFootprintRejected

DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
"""PACT v3 Decimal (no exponent)."""

MAX_TEXT = 1000
"""Longest name kept from a document, characters."""


def is_certificate_file(obj: Any) -> bool:
    """True when ``obj`` looks like a pcf certificate file (or a saved certificate view)."""
    return isinstance(obj, dict) and isinstance(obj.get("document"), dict) \
        and "signature" in obj and "sha256" in obj


def _bad(message: str, field: str, check: str = "format",
         allowed: Any = None) -> SupplierFootprintRejected:
    return SupplierFootprintRejected(message, field=field, allowed=allowed, check=check)


def _text(doc: dict, name: str, where: str, required: bool = True) -> str:
    value = doc.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"{name} must be a non-empty string", where)
    return value.strip()[:MAX_TEXT]


def _urns(doc: dict, name: str, where: str) -> list[str]:
    value = doc.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"{name} must be a list of URN strings", where)
    return [v[:MAX_TEXT] for v in value]


def _decimal(pcf: dict, name: str, where: str, required: bool = True) -> float | None:
    """A PACT decimal: a string of digits (v3), or a JSON number (tolerated)."""
    value = pcf.get(name)
    if value is None:
        if required:
            raise _bad(f"pcf.{name} is missing", where)
        return None
    if isinstance(value, str) and DECIMAL.match(value.strip()):
        number = float(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _bad(f"pcf.{name} {value!r} is not a decimal", where,
                   allowed="a decimal string such as \"12.5\"")
    if not math.isfinite(number):
        raise _bad(f"pcf.{name} is not finite", where)
    return number


def parse_datetime(value: Any, where: str, name: str) -> datetime:
    """An ISO 8601 date-time (``Z`` or an offset; a date alone is midnight UTC), as aware UTC.

    Raises
    ------
    SupplierFootprintRejected
        ``check="format"`` naming ``where``.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _bad(f"{name} {value!r} is not an ISO 8601 date-time", where,
                       allowed="e.g. 2025-01-01T00:00:00Z") from None
    else:
        raise _bad(f"{name} is missing or not a date-time", where,
                   allowed="e.g. 2025-01-01T00:00:00Z")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _boundary(document: dict, pcf: dict) -> tuple[str, str]:
    for ext in document.get("extensions") or []:
        data = ext.get("data") if isinstance(ext, dict) else None
        calc = data.get("calculation") if isinstance(data, dict) else None
        if isinstance(calc, dict) and isinstance(calc.get("boundary"), str):
            return calc["boundary"].strip().lower(), "the pcf extension's calculation.boundary"
    text = str(pcf.get("boundaryProcessesDescription") or "").lower().replace(" ", "-")
    for name in ("gate-to-gate", "cradle-to-grave"):
        if name in text:
            return name, f"pcf.boundaryProcessesDescription says {name}"
    return "cradle-to-gate", ("PACT footprints are cradle-to-gate (PACT Methodology v3 scope); "
                              "pcf.boundaryProcessesDescription does not say otherwise")


def parse_product_footprint(document: Any, prefix: str = "") -> SupplierFigure:
    """Read a PACT v3 ``ProductFootprint``.

    Parameters
    ----------
    document : dict
        The footprint (not a list response: its ``data`` items are footprints).
    prefix : str
        Prefix of field paths in messages (``productFootprint.`` inside a certificate).

    Returns
    -------
    SupplierFigure
        ``fields`` maps the figure's fields to the document's paths.

    Raises
    ------
    SupplierFootprintRejected
        ``check="format"``: not a v3 ProductFootprint, or a required field missing or
        malformed (named).
    """
    if not isinstance(document, dict):
        raise _bad("a PACT ProductFootprint is a JSON object", prefix.rstrip(".") or "body")
    spec = document.get("specVersion")
    if not isinstance(spec, str) or not spec.startswith("3."):
        raise _bad(f"specVersion {spec!r}: a PACT v3 ProductFootprint (3.x) is expected",
                   f"{prefix}specVersion", allowed="3.x")
    pcf = document.get("pcf")
    if not isinstance(pcf, dict):
        raise _bad("the footprint has no 'pcf' object", f"{prefix}pcf")
    p = f"{prefix}pcf."
    fields = {
        "status": f"{prefix}status", "declared_unit": f"{p}declaredUnitOfMeasurement",
        "boundary": f"{p}boundaryProcessesDescription",
        "characterization": f"{p}ipccCharacterizationFactors",
        "kg_co2e.total": f"{p}pcfExcludingBiogenicUptake",
        "kg_co2e.fossil": f"{p}fossilGhgEmissions",
        "kg_co2e.biogenic": f"{p}biogenicNonCO2Emissions",
        "kg_co2e.land_use": f"{p}landUseChangeGhgEmissions",
        "reference_start": f"{p}referencePeriodStart", "reference_end": f"{p}referencePeriodEnd",
        "validity_end": f"{prefix}validityPeriodEnd", "share": "share",
    }
    unit = pcf.get("declaredUnitOfMeasurement")
    if not isinstance(unit, str) or not unit:
        raise _bad("pcf.declaredUnitOfMeasurement is missing", fields["declared_unit"])
    amount = _decimal(pcf, "declaredUnitAmount", f"{p}declaredUnitAmount")
    if amount is None or amount <= 0:
        raise _bad("pcf.declaredUnitAmount must be > 0", f"{p}declaredUnitAmount")
    total = _decimal(pcf, "pcfExcludingBiogenicUptake", fields["kg_co2e.total"])
    fossil = _decimal(pcf, "fossilGhgEmissions", fields["kg_co2e.fossil"])
    biogenic = _decimal(pcf, "biogenicNonCO2Emissions", fields["kg_co2e.biogenic"],
                        required=False) or 0.0
    land_use = _decimal(pcf, "landUseChangeGhgEmissions", fields["kg_co2e.land_use"],
                        required=False) or 0.0
    factors = pcf.get("ipccCharacterizationFactors")
    if not isinstance(factors, list) or not all(isinstance(f, str) for f in factors):
        raise _bad("pcf.ipccCharacterizationFactors must be a list such as [\"AR6\"]",
                   fields["characterization"])
    status = document.get("status")
    if status not in ("Active", "Deprecated"):
        raise _bad(f"status {status!r}", fields["status"], allowed=["Active", "Deprecated"])
    validity_start = validity_end = None
    if document.get("validityPeriodStart") is not None:
        validity_start = parse_datetime(document["validityPeriodStart"],
                                        f"{prefix}validityPeriodStart", "validityPeriodStart")
    if document.get("validityPeriodEnd") is not None:
        validity_end = parse_datetime(document["validityPeriodEnd"], fields["validity_end"],
                                      "validityPeriodEnd")
    pds = _decimal(pcf, "primaryDataShare", f"{p}primaryDataShare", required=False)
    if pds is not None and not 0.0 <= pds <= 100.0:
        raise _bad(f"pcf.primaryDataShare {pds!r} is not a percentage", f"{p}primaryDataShare",
                   allowed="0..100")
    dqi = pcf.get("dqi") if isinstance(pcf.get("dqi"), dict) else None
    verification: dict[str, Any] = {"status": "supplier-declared"}
    if isinstance(pcf.get("verification"), dict):
        verification = {"status": "third-party",
                        **{k: v for k, v in pcf["verification"].items()
                           if isinstance(v, str) and k in ("coverage", "providerName",
                                                           "completedAt", "standardName")}}
    boundary, basis = _boundary(document, pcf)
    return SupplierFigure(
        supplier=_text(document, "companyName", f"{prefix}companyName"),
        supplier_ids=_urns(document, "companyIds", f"{prefix}companyIds"),
        product_name=_text(document, "productNameCompany", f"{prefix}productNameCompany"),
        product_ids=_urns(document, "productIds", f"{prefix}productIds"),
        declared_unit=unit,
        kg_co2e={"total": total, "fossil": fossil, "biogenic": biogenic, "land_use": land_use},
        boundary=boundary, boundary_basis=basis,
        reference_start=parse_datetime(pcf.get("referencePeriodStart"),
                                       fields["reference_start"], "referencePeriodStart"),
        reference_end=parse_datetime(pcf.get("referencePeriodEnd"), fields["reference_end"],
                                     "referencePeriodEnd"),
        validity_start=validity_start, validity_end=validity_end,
        characterization=list(factors), status=str(status), primary_data_share=pds,
        data_quality=dict(dqi) if dqi else None, verification=verification,
        pf_id=document.get("id") if isinstance(document.get("id"), str) else None,
        fields=fields)


def parse_certificate(envelope: Any,
                      trusted: dict[str, tuple[str, Ed25519PublicKey]]) -> SupplierFigure:
    """Check a pcf certificate file against the trusted supplier keys and read its footprint.

    Parameters
    ----------
    envelope : dict
        ``{"document", "sha256", "signature"}`` (a saved certificate view also works).
    trusted : dict
        Key id -> (registered name, public key).

    Returns
    -------
    SupplierFigure
        With ``verification = {"status": "signature-verified", "keyId", "trustedAs",
        "certificateNumber", "issuer"}``.

    Raises
    ------
    SupplierFootprintRejected
        ``check="format"`` (not a certificate file), ``"untrusted-key"`` (signed with a key
        not registered), ``"signature"`` (hash or signature wrong: tampered),
        ``"consistency"`` (the document contradicts itself), or what reading the footprint
        raises.
    """
    try:
        document, digest, signature = parse_envelope(envelope)
    except InvalidInput as exc:
        raise _bad(exc.message, exc.field or "body") from None
    canonical = canonical_json(document)
    if sha256_hex(canonical) != str(digest).lower():
        raise _bad("the certificate's sha256 does not match its document: it was changed "
                   "after signing", "sha256", check="signature")
    key_id = signature.get("keyId")
    if key_id not in trusted:
        raise _bad(f"the certificate is signed with key {key_id!r}, which is not a trusted "
                   "supplier key (register the supplier's public key with `pcf suppliers "
                   "trust NAME --public-key FILE`)", "signature.keyId", check="untrusted-key",
                   allowed=sorted(trusted) or None)
    name, public = trusted[key_id]
    if not verify_signature(public, canonical, signature["value"]):
        raise _bad(f"the Ed25519 signature does not verify with {name!r}'s key {key_id}: the "
                   "certificate was changed or not signed by that key", "signature.value",
                   check="signature")
    consistency = check_consistency(document)
    if not consistency["ok"]:
        raise _bad("the certificate contradicts itself: " + "; ".join(consistency["problems"]),
                   "document", check="consistency")
    figure = parse_product_footprint(document.get("productFootprint"), "productFootprint.")
    header = _obj(document.get("certificate"))
    figure.verification = {
        "status": "signature-verified", "keyId": key_id, "trustedAs": name,
        "certificateNumber": header.get("number"), "certificateId": header.get("id"),
        "issuer": _obj(header.get("issuer")).get("name"),
        "verificationUrl": _obj(header.get("verification")).get("url")}
    return figure


def _obj(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
