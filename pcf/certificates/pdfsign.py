"""The certificate PDF as a signed container: the certificate file attached, a PAdES signature.

A buyer keeps the PDF, not the JSON; so the PDF carries both:

1. **the certificate file** (``{"document", "sha256", "signature"}``, the JSON that
   ``pcf certificates verify`` checks) as an embedded file ``certificate-<number>.json``
   (MIME ``application/json``, ``AFRelationship /Data``: the page is a rendering of it);
2. **a PDF signature over the PDF's own bytes** (PAdES baseline B-B, ``ETSI.CAdES.detached``,
   made with pyHanko) by the issuer's Ed25519 certificate signing key. Its X.509 certificate
   is self-signed with that same key (:func:`issuer_certificate`), stored beside the key and
   served with the public key, so a verifier who trusts the public key trusts the PDF
   signature too. Any change to the file after signing (one printed digit, an incremental
   update, a removed attachment) breaks the signature or leaves bytes it does not cover.

:func:`check_pdf` verifies the signature against a trusted Ed25519 public key and returns the
attached certificate file for the usual checks (:func:`pcf.certificates.verify`).
Nothing here computes a footprint or reads a store.
"""

from __future__ import annotations

import io
import json
import logging
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.x509.oid import NameOID

from pcf.certificates import signing
from pcf.errors import InvalidInput

CERT_FILE = "certificate-signing.x509.pem"
"""Self-signed X.509 certificate of the signing key, beside it under ``$PCF_HOME/keys``."""

SIGNATURE_FIELD = "pcf-issuer-signature"
"""Name of the PDF signature field."""

CERT_YEARS = 10
"""Validity of the self-signed X.509 certificate, years."""

log = logging.getLogger("pcf.certificates")


# --------------------------------------------------------------------------- X.509


def certificate_path() -> Path:
    """Path of the self-signed X.509 certificate of the signing key."""
    return signing.key_dir() / CERT_FILE


def _build_certificate(issuer_name: str) -> bytes:
    key = signing.signing_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                         f"{issuer_name} certificate signing"[:64]),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer_name[:64] or "pcf")])
    now = datetime.now(UTC).replace(microsecond=0)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=True, crl_sign=False, encipher_only=False,
                          decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, None))
    return cert.public_bytes(serialization.Encoding.PEM)


def issuer_certificate(issuer_name: str = "pcf") -> x509.Certificate:
    """The self-signed X.509 certificate of the signing key, made on first use.

    Written atomically (temporary file, hard link) like the key, so concurrent processes end
    up with one certificate. A stored certificate whose public key is not the signing key's
    (the key was replaced) is made again.

    Parameters
    ----------
    issuer_name : str
        Organisation and common name of a new certificate.
    """
    path = certificate_path()
    public = signing._public_raw(signing.signing_key().public_key())
    if path.exists():
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        if _raw(cert) == public:
            return cert
        log.warning("%s does not match the signing key; making a new one", path)
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".crt-", dir=path.parent)
    try:
        os.write(fd, _build_certificate(issuer_name))
        os.fsync(fd)
        os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return x509.load_pem_x509_certificate(path.read_bytes())


def certificate_pem(issuer_name: str = "pcf") -> str:
    """PEM of :func:`issuer_certificate`."""
    return issuer_certificate(issuer_name).public_bytes(serialization.Encoding.PEM).decode()


def _raw(cert: x509.Certificate) -> bytes | None:
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        return None
    return signing._public_raw(key)


# --------------------------------------------------------------------------- sign


def attachment_name(envelope: dict) -> str:
    """``certificate-<number>.json`` (``certificate.json`` without a number)."""
    number = str((envelope.get("document") or {}).get("certificate", {}).get("number") or "")
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in number)
    return f"certificate-{safe}.json" if safe else "certificate.json"


def sign_pdf(pdf: bytes, envelope: dict, *, issuer_name: str = "pcf",
             signed_at: datetime | None = None) -> bytes:
    """Attach the certificate file to ``pdf`` and sign the result (PAdES B-B, Ed25519).

    Parameters
    ----------
    pdf : bytes
        The rendered page (:func:`pcf.certificates.pdf.render_pdf`).
    envelope : dict
        The certificate file ``{"document", "sha256", "signature"}``.
    issuer_name : str
        Name in a newly made X.509 certificate.
    signed_at : datetime, optional
        Date of the attachment entries (default now).

    Returns
    -------
    bytes
        The signed PDF (an incremental update of ``pdf``).
    """
    from asn1crypto import keys as asn1_keys, x509 as asn1_x509
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    cert = asn1_x509.Certificate.load(
        issuer_certificate(issuer_name).public_bytes(serialization.Encoding.DER))
    key = asn1_keys.PrivateKeyInfo.load(signing.signing_key().private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                  cert_registry=SimpleCertificateStore.from_certs([cert]))
    when = (signed_at or datetime.now(UTC)).replace(microsecond=0)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = json.dumps({"document": envelope["document"], "sha256": envelope["sha256"],
                       "signature": envelope["signature"]}, indent=2,
                      ensure_ascii=False).encode("utf-8")
    name = attachment_name(envelope)
    stream = embed.EmbeddedFileObject.from_file_data(
        writer, data=data, mime_type="application/json",
        params=embed.EmbeddedFileParams(creation_date=when, modification_date=when))
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string=name, file_name=name, embedded_data=stream,
        description="The signed certificate file (JSON): check it with "
                    "'pcf certificates verify'",
        af_relationship=generic.pdf_name("/Data")))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD, subfilter=fields.SigSeedSubFilter.PADES,
        reason="Footprint certificate issued and signed by its issuer",
        name=issuer_name)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer).sign_pdf(writer, output=out)
    return out.getvalue()


# --------------------------------------------------------------------------- check


def _attachments(reader) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    try:
        tree = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except (KeyError, TypeError):
        return out
    for i in range(0, len(tree) - 1, 2):
        spec = tree[i + 1].get_object()
        try:
            out.append((str(tree[i]), spec["/EF"]["/F"].get_object().data))
        except (KeyError, TypeError, AttributeError):
            continue
    return out


def check_pdf(data: bytes, trusted: Ed25519PublicKey | None) -> dict[str, Any]:
    """Check a certificate PDF's signature and return the certificate file it carries.

    The PDF is authentic when it has exactly one signature, made with the trusted Ed25519
    key (its X.509 certificate holds that key and is self-signed), cryptographically intact,
    covering the whole file (nothing appended after signing).

    Parameters
    ----------
    data : bytes
        The PDF.
    trusted : Ed25519PublicKey or None
        The issuer's public key the verifier trusts; None fails the check.

    Returns
    -------
    dict
        ``{"ok": bool, "message", "signer", "signedAt", "coverage", "envelope": dict or
        None, "attachment": name or None}``.

    Raises
    ------
    InvalidInput
        ``field="file"`` when the bytes are not a PDF or it carries no certificate file.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF"):
        raise InvalidInput("the file is not a PDF", field="file")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
        attachments = _attachments(reader)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(f"the PDF cannot be read: {exc}", field="file") from None
    envelope, name = None, None
    for attached_name, payload in attachments:
        if attached_name.endswith(".json"):
            try:
                envelope, name = json.loads(payload.decode("utf-8")), attached_name
            except (UnicodeDecodeError, ValueError):
                continue
            break
    if envelope is None:
        raise InvalidInput("the PDF carries no certificate file (JSON attachment)",
                           field="file")
    result: dict[str, Any] = {"ok": False, "message": "", "signer": None, "signedAt": None,
                              "coverage": None, "envelope": envelope, "attachment": name}
    if len(signatures) != 1:
        result["message"] = f"expected one PDF signature, found {len(signatures)}"
        return result
    sig = signatures[0]
    try:
        signer_cert = sig.signer_cert
        result["signer"] = signer_cert.subject.human_friendly
        crypto_cert = x509.load_der_x509_certificate(signer_cert.dump())
    except (ValueError, AttributeError, TypeError) as exc:
        result["message"] = f"the signature's certificate cannot be read: {exc}"
        return result
    if trusted is None:
        result["message"] = "no trusted public key to check the PDF signature with"
        return result
    if _raw(crypto_cert) != signing._public_raw(trusted):
        result["message"] = "the PDF is signed with another key than the trusted one"
        return result
    try:
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[signer_cert]))
    except (SignatureValidationError, ValueError, TypeError) as exc:
        result["message"] = f"the PDF signature cannot be validated: {exc}"
        return result
    result["coverage"] = status.coverage.name if status.coverage is not None else None
    result["signedAt"] = status.signer_reported_dt.isoformat() \
        if status.signer_reported_dt else None
    from pyhanko.sign.validation import SignatureCoverageLevel

    if not (status.intact and status.valid):
        result["message"] = "the PDF signature does not match the file's bytes (changed " \
                            "after signing)"
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        result["message"] = "the PDF was changed after signing (the signature does not " \
                            "cover the whole file)"
    elif not status.trusted:
        result["message"] = "the signing certificate is not trusted"
    else:
        result["ok"] = True
        result["message"] = "valid PAdES signature by the trusted key over the whole file"
    return result


__all__ = ["issuer_certificate", "certificate_pem", "sign_pdf", "check_pdf",
           "attachment_name", "certificate_path"]
