"""Canonical JSON, SHA-256 and Ed25519 signatures of certificate documents.

- Canonical form: RFC 8785 (JSON Canonicalization Scheme) via the ``rfc8785`` package: keys
  sorted by UTF-16 code units, no insignificant white space, numbers in ECMAScript shortest
  round-trip form. A document that is parsed and re-serialised canonically gives the same
  bytes, so a certificate file can be pretty-printed or re-ordered without breaking it.
- Hash: ``sha256`` = SHA-256 hex digest of the canonical bytes.
- Signature: Ed25519 (RFC 8032) over the canonical bytes, base64 (standard alphabet).

The signing key is generated on first use as ``$PCF_HOME/keys/certificate-signing.ed25519.pem``
(PKCS#8 PEM, unencrypted, mode 0600 in a 0700 directory), created atomically so that several
server processes starting at once end up with one key. Nothing here logs or returns the
private key; the public key is served at ``GET /v1/certificates/public-key``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from pcf.errors import InvalidInput

ALGORITHM = "Ed25519"
KEY_FILE = "certificate-signing.ed25519.pem"

log = logging.getLogger("pcf.certificates")
_LOCK = threading.Lock()
_CACHE: dict[str, Ed25519PrivateKey] = {}


# --------------------------------------------------------------------------- canonical JSON


def canonical_json(obj: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises
    ------
    InvalidInput
        ``field="document"`` if the value is not canonicalisable JSON (NaN, infinities,
        integers beyond 2**53, non-string keys).
    """
    try:
        return rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidInput(f"the document is not canonical JSON: {exc}", field="document") \
            from None


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as 64 lower-case hex characters."""
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- keys


def key_dir() -> Path:
    """``$PCF_HOME/keys`` (not created here)."""
    from pcf.config import pcf_home

    return pcf_home() / "keys"


def key_path() -> Path:
    """Path of the signing key file."""
    return key_dir() / KEY_FILE


def _load_private(path: Path) -> Ed25519PrivateKey:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        os.chmod(path, 0o600)
        log.warning("signing key file %s had mode %o; set to 600", path, mode)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} does not hold an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """Return the certificate signing key, generating it on first use.

    The key is written to a temporary file (mode 0600) and hard-linked into place, which
    fails if another process created the key first; that key is then used.
    """
    path = key_path()
    cached = _CACHE.get(str(path))
    if cached is not None:
        return cached
    with _LOCK:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(path.parent, 0o700)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())
            fd, tmp = tempfile.mkstemp(prefix=".key-", dir=path.parent)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, pem)
                os.fsync(fd)
                os.close(fd)
                try:
                    os.link(tmp, path)
                    log.info("generated a new certificate signing key (key id %s)",
                             key_id(_public_raw(_load_private(path).public_key())))
                except FileExistsError:
                    pass
            finally:
                os.unlink(tmp)
        key = _load_private(path)
        _CACHE[str(path)] = key
        return key


def local_public_key() -> Ed25519PublicKey | None:
    """The public key of ``$PCF_HOME``'s signing key if the key exists (never creates one)."""
    path = key_path()
    cached = _CACHE.get(str(path))
    if cached is not None:
        return cached.public_key()
    if not path.exists():
        return None
    return _load_private(path).public_key()


def _public_raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(raw_public: bytes) -> str:
    """Key id: the first 16 hex characters of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


def public_key_info(public: Ed25519PublicKey | None = None) -> dict[str, str]:
    """Describe a public key (default: the signing key's, creating it if needed).

    Returns
    -------
    dict
        ``{"algorithm": "Ed25519", "keyId", "publicKey": base64 raw 32 bytes, "pem"}``.
    """
    if public is None:
        public = signing_key().public_key()
    raw = _public_raw(public)
    pem = public.public_bytes(serialization.Encoding.PEM,
                              serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")
    return {"algorithm": ALGORITHM, "keyId": key_id(raw),
            "publicKey": base64.b64encode(raw).decode("ascii"), "pem": pem}


def parse_public_key(text: str | bytes) -> Ed25519PublicKey:
    """Read an Ed25519 public key given as PEM, as base64 of the 32 raw bytes, or as the JSON
    of ``GET /v1/certificates/public-key``.

    Raises
    ------
    InvalidInput
        ``field="public_key"`` if it is none of these.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
            text = str(data.get("publicKey") or data.get("public_key") or data.get("pem") or "")
        except (ValueError, AttributeError):
            raise InvalidInput("the public key JSON is not valid", field="public_key") from None
    try:
        if "BEGIN PUBLIC KEY" in text:
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        raise InvalidInput("not an Ed25519 public key (PEM or base64 of 32 bytes)",
                         field="public_key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("the public key is not an Ed25519 key", field="public_key")
    return key


# --------------------------------------------------------------------------- sign / verify


def sign(message: bytes) -> dict[str, str]:
    """Sign ``message`` with the signing key.

    Returns
    -------
    dict
        ``{"algorithm": "Ed25519", "keyId", "value": base64 signature (64 bytes),
        "publicKey": base64 raw public key}``. The public key is included for information;
        verifiers must use a key they trust (see :func:`verify_signature`).
    """
    key = signing_key()
    raw = _public_raw(key.public_key())
    return {"algorithm": ALGORITHM, "keyId": key_id(raw),
            "value": base64.b64encode(key.sign(message)).decode("ascii"),
            "publicKey": base64.b64encode(raw).decode("ascii")}


def verify_signature(public: Ed25519PublicKey, message: bytes, signature_b64: str) -> bool:
    """True when ``signature_b64`` (base64) is a valid Ed25519 signature of ``message``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public.verify(signature, message)
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True
