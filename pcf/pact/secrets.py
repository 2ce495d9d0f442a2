"""Encryption of the client secrets pcf uses for PACT callbacks (stored in the database).

The secret a tenant registers for its callback host (``pcf tenants pact-callback``) must be
sent again, so it cannot be stored as a hash like API keys. It is stored encrypted with Fernet
(AES-128-CBC plus HMAC-SHA256, from ``cryptography``) under a key kept outside the database in
``$PCF_HOME/keys/pact-callback-secrets.fernet``: a copy of the database alone reveals nothing.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken

from pcf.errors import NotConfigured
from pcf.pact.keyfile import load_or_create

KEY_FILE = "pact-callback-secrets.fernet"


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(load_or_create(KEY_FILE, 32)))


def encrypt(secret: str) -> str:
    """Encrypt a client secret for storage."""
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    """Decrypt a stored client secret.

    Raises
    ------
    NotConfigured
        The key file is not the one the secret was stored with (register it again).
    """
    try:
        return _fernet().decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        raise NotConfigured(f"the stored callback secret cannot be decrypted with "
                            f"$PCF_HOME/keys/{KEY_FILE}; register the callback again "
                            "(pcf tenants pact-callback)", field="client_secret") from None
