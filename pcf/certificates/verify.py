"""Verification of a certificate file, without trusting the issuer's database.

:func:`verify_envelope` checks, from the certificate file alone plus a public key the verifier
trusts:

1. **hash**: SHA-256 of the RFC 8785 canonical document equals the file's ``sha256``;
2. **signature**: the Ed25519 signature over the canonical document verifies with the trusted
   key (and the signature's key id is that key's);
3. **consistency**: the PACT decimals, the extension's numbers, the certificate header and the
   order-line total agree with each other;
4. **recomputation**: the footprint recomputed from the inputs stated in the certificate
   (product, variant, parameters, quantity, unit) by the ``recompute`` function the caller
   hands in (:func:`pcf.service.certificates.recompute_certified`: this module computes
   nothing itself) equals the certified one (relative tolerance :data:`REL_TOL`). When the
   local database version differs from the certified one, the result says so and shows both
   numbers (``status="database-changed"``) instead of failing.

``valid`` is true when 1-3 pass and the recomputation is not a mismatch under the same
database version. Revocation and supersession are not in the file: the API adds the stored
status (``GET /v1/certificates/{id}/verification``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pcf.certificates.pact import decimal_str
from pcf.certificates.signing import (
    _public_raw,
    canonical_json,
    key_id,
    sha256_hex,
    verify_signature,
)
from pcf.errors import InvalidInput, PcfError, ProjectNotReady

REL_TOL = 1e-9
"""Relative tolerance of the recomputation (the engine is deterministic; this absorbs float
summation order only)."""

PARTS = ("total", "fossil", "biogenic", "landUse")


def _close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=1e-12)


def parse_envelope(envelope: Any) -> tuple[dict, str, dict]:
    """Return ``(document, sha256, signature)`` of a certificate file.

    Accepts the file itself or the API's certificate view (which contains the same three keys).

    Raises
    ------
    InvalidInput
        Naming the missing or malformed field (``document``, ``sha256``, ``signature``,
        ``signature.value``).
    """
    if not isinstance(envelope, dict):
        raise InvalidInput("a certificate file is a JSON object", field="body")
    document = envelope.get("document")
    if not isinstance(document, dict):
        raise InvalidInput("the certificate file has no 'document' object", field="document")
    digest = envelope.get("sha256")
    if not isinstance(digest, str):
        raise InvalidInput("the certificate file has no 'sha256' string", field="sha256")
    signature = envelope.get("signature")
    if not isinstance(signature, dict):
        raise InvalidInput("the certificate file has no 'signature' object", field="signature")
    if not isinstance(signature.get("value"), str):
        raise InvalidInput("the signature has no 'value' string", field="signature.value")
    return document, digest, signature


def _obj(value: Any) -> dict:
    """``value`` if it is a JSON object, else ``{}`` (a certificate file is untrusted input)."""
    return value if isinstance(value, dict) else {}


def _extension(document: dict) -> dict:
    pf = _obj(document.get("productFootprint"))
    extensions = pf.get("extensions")
    for ext in extensions if isinstance(extensions, list) else []:
        data = _obj(_obj(ext).get("data"))
        if isinstance(data.get("calculation"), dict) and isinstance(data.get("orderLine"), dict):
            return data
    return {}


def _consistency(document: dict) -> dict[str, Any]:
    problems: list[str] = []
    header = _obj(document.get("certificate"))
    pf = _obj(document.get("productFootprint"))
    pcf = _obj(pf.get("pcf"))
    ext = _extension(document)
    if not ext:
        return {"ok": False, "problems": ["no pcf extension with the calculation inputs"]}
    calc, line = ext["calculation"], ext["orderLine"]
    if header.get("id") != pf.get("id"):
        problems.append("certificate.id differs from productFootprint.id")
    if header.get("number") != ext.get("certificateNumber"):
        problems.append("certificate.number differs from the extension's certificateNumber")
    try:
        per = calc["kgCO2ePerDeclaredUnit"]
        expected = {
            "pcfExcludingBiogenicUptake": per["total"],
            "pcfIncludingBiogenicUptake": per["total"],
            "fossilGhgEmissions": per["fossil"],
            "biogenicNonCO2Emissions": per["biogenic"],
            "landUseChangeGhgEmissions": per["landUse"],
        }
        for name, value in expected.items():
            if pcf.get(name) != decimal_str(value):
                problems.append(f"pcf.{name} {pcf.get(name)!r} != {decimal_str(value)!r}")
        qty = float(line["quantityInDeclaredUnit"])
        for part in PARTS:
            if not _close(line["kgCO2e"][part], float(per[part]) * qty):
                problems.append(f"orderLine.kgCO2e.{part} is not quantity x per declared unit")
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"malformed numbers: {exc}")
    return {"ok": not problems, "problems": problems}


def check_consistency(document: dict) -> dict[str, Any]:
    """Check 3 of the module docstring on a signed document: ``{"ok": bool, "problems":
    [str]}`` (the PACT decimals, the extension's numbers, the header and the order-line
    total agree)."""
    return _consistency(document)


Recompute = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
"""``recompute(calculation, order_line) -> Footprint``: computes the footprint from the
extension's ``calculation`` and ``orderLine`` (raises :class:`pcf.errors.PcfError` when the
inputs do not compute)."""


def check_recomputation(document: dict, compute: Recompute,
                        database_version: Callable[[], str]) -> dict[str, Any]:
    """Recompute the certified footprint from the inputs stated in ``document``.

    Parameters
    ----------
    document : dict
        The signed document.
    compute : callable
        See :data:`Recompute`.
    database_version : callable
        Returns the local database version.

    Returns
    -------
    dict
        ``{"status": "match" | "mismatch" | "database-changed" | "error", "message",
        "certified": {"databaseVersion", "kgCO2ePerDeclaredUnit", "kgCO2eTotal"},
        "recomputed": {...same keys...} or None, "relativeDifference": float or None}``.
    """
    ext = _extension(document)
    if not ext:
        return {"status": "error", "message": "the document states no calculation inputs",
                "certified": None, "recomputed": None, "relativeDifference": None}
    calc, line = ext["calculation"], ext["orderLine"]
    certified = {"databaseVersion": calc.get("databaseVersion"),
                 "kgCO2ePerDeclaredUnit": calc.get("kgCO2ePerDeclaredUnit"),
                 "kgCO2eTotal": line.get("kgCO2e")}
    current_version = None
    try:
        current_version = database_version()
        fp = compute(calc, line)
    except ProjectNotReady as exc:
        return {"status": "error", "message": f"cannot recompute here: {exc}",
                "certified": certified, "recomputed": None, "relativeDifference": None}
    except (PcfError, KeyError, TypeError) as exc:
        changed = current_version is not None and current_version != certified["databaseVersion"]
        return {"status": "database-changed" if changed else "error",
                "message": (f"the inputs cannot be computed with database {current_version} "
                            f"(certified with {certified['databaseVersion']}): {exc}"
                            if changed else f"the inputs cannot be computed: {exc}"),
                "certified": certified, "recomputed": None, "relativeDifference": None}
    per = {"total": fp["per_declared_unit"]["total"], "fossil": fp["per_declared_unit"]["fossil"],
           "biogenic": fp["per_declared_unit"]["biogenic"],
           "landUse": fp["per_declared_unit"]["land_use"]}
    tot = {"total": fp["total"]["total"], "fossil": fp["total"]["fossil"],
           "biogenic": fp["total"]["biogenic"], "landUse": fp["total"]["land_use"]}
    recomputed = {"databaseVersion": fp["database"]["version"], "kgCO2ePerDeclaredUnit": per,
                  "kgCO2eTotal": tot}
    try:
        cert_total = float(certified["kgCO2ePerDeclaredUnit"]["total"])
        same = all(_close(per[p], certified["kgCO2ePerDeclaredUnit"][p]) for p in PARTS) and \
            all(_close(tot[p], certified["kgCO2eTotal"][p]) for p in PARTS)
    except (KeyError, TypeError, ValueError):
        cert_total, same = float("nan"), False
    rel = ((per["total"] - cert_total) / cert_total
           if cert_total and math.isfinite(cert_total) else None)
    if recomputed["databaseVersion"] != certified["databaseVersion"]:
        status = "database-changed"
        message = (f"certified with database {certified['databaseVersion']}, recomputed with "
                   f"{recomputed['databaseVersion']}: "
                   + ("same numbers" if same else
                      f"{cert_total:.6g} -> {per['total']:.6g} kg CO2e per declared unit"))
    elif same:
        status, message = "match", "recomputed footprint equals the certified one"
    else:
        status = "mismatch"
        message = (f"same database {recomputed['databaseVersion']} but the recomputed footprint "
                   f"({per['total']!r}) differs from the certified one ({cert_total!r})")
    return {"status": status, "message": message, "certified": certified,
            "recomputed": recomputed, "relativeDifference": rel}


def verify_envelope(envelope: Any, public_key: Ed25519PublicKey | None,
                    recompute: Recompute | None = None,
                    database_version: Callable[[], str] | None = None) -> dict[str, Any]:
    """Verify a certificate file (see module docstring).

    Parameters
    ----------
    envelope : dict
        ``{"document", "sha256", "signature"}`` (extra keys ignored).
    public_key : Ed25519PublicKey or None
        The key the verifier trusts (the issuer's published key). None fails the signature
        check (the key embedded in the file is not trusted).
    recompute : callable, optional
        Computes the footprint from the stated inputs (:data:`Recompute`); None skips the
        recomputation (``status: not-run``).
    database_version : callable, optional
        Returns the local database version (required with ``recompute``).

    Returns
    -------
    dict
        ``{"valid": bool, "id", "number", "checks": {"hash", "signature", "consistency",
        "recomputation"}}``.

    Raises
    ------
    InvalidInput
        The file is not a certificate file (names the field).
    """
    document, digest, signature = parse_envelope(envelope)
    canonical = canonical_json(document)
    actual = sha256_hex(canonical)
    hash_check = {"ok": actual == digest.lower(), "expected": digest, "actual": actual}
    if public_key is None:
        sig_check = {"ok": False, "keyId": signature.get("keyId"),
                     "message": "no trusted public key to check the signature with"}
    else:
        trusted_id = key_id(_public_raw(public_key))
        ok = verify_signature(public_key, canonical, signature["value"])
        message = "valid Ed25519 signature" if ok else "the signature does not match"
        if signature.get("keyId") not in (None, trusted_id):
            message += f" (signed with key {signature.get('keyId')}, trusted key is {trusted_id})"
        sig_check = {"ok": ok, "keyId": trusted_id, "message": message}
    consistency = _consistency(document)
    if recompute is not None:
        recomputation = check_recomputation(document, recompute,
                                            database_version or (lambda: ""))
    else:
        recomputation = {"status": "not-run", "message": "recomputation skipped",
                         "certified": None, "recomputed": None, "relativeDifference": None}
    valid = (hash_check["ok"] and sig_check["ok"] and consistency["ok"]
             and recomputation["status"] != "mismatch")
    header = _obj(document.get("certificate"))
    ident, number = header.get("id"), header.get("number")
    return {"valid": valid, "id": ident if isinstance(ident, str) else None,
            "number": number if isinstance(number, str) else None,
            "checks": {"hash": hash_check, "signature": sig_check, "consistency": consistency,
                       "recomputation": recomputation}}
