"""Access tokens of the PACT host: short-lived JWTs signed with HS256 (PyJWT).

``POST /auth/token`` (OAuth 2.0 client credentials, RFC 6749 section 4.4) answers a token
whose claims are::

    {"iss": "pcf", "aud": "pcf-pact", "sub": <tenant name>, "tid": <tenant id>,
     "kid": <id of the API key used as client secret>, "iat", "exp", "jti"}

signed with a 256-bit secret kept in ``$PCF_HOME/keys/pact-token.hs256`` (shared by the
server's processes, :mod:`pcf.pact.keyfile`). A token is valid for :data:`LIFETIME_SECONDS`
(``PCF_PACT_TOKEN_SECONDS``); the host also checks on every call that the API key behind it is
still valid, so revoking the key ends its tokens at once.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from pcf.errors import AuthenticationFailed, TokenExpired
from pcf.pact.keyfile import load_or_create

ALGORITHM = "HS256"
ISSUER = "pcf"
AUDIENCE = "pcf-pact"
SECRET_FILE = "pact-token.hs256"
LIFETIME_SECONDS = 900
"""Default token lifetime (15 minutes)."""
LEEWAY_SECONDS = 5
"""Clock skew tolerated on ``exp``/``iat``."""


def lifetime() -> int:
    """Token lifetime in seconds: ``PCF_PACT_TOKEN_SECONDS`` (60..86400) or 900."""
    try:
        value = int(os.environ.get("PCF_PACT_TOKEN_SECONDS", LIFETIME_SECONDS))
    except ValueError:
        return LIFETIME_SECONDS
    return min(max(value, 1), 86400)


@dataclass(frozen=True)
class TokenClaims:
    """What a valid token says: the tenant (id, name) and the API key id behind it."""

    tenant_id: int
    tenant: str
    key_id: int
    expires_at: int


def issue(tenant_id: int, tenant: str, key_id: int, *, now: float | None = None,
          seconds: int | None = None) -> tuple[str, int]:
    """Sign a token for a tenant.

    Returns
    -------
    (str, int)
        The token and its lifetime in seconds (``expires_in``).
    """
    seconds = seconds or lifetime()
    issued = int(now if now is not None else time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": tenant, "tid": tenant_id, "kid": key_id,
              "iat": issued, "exp": issued + seconds, "jti": uuid.uuid4().hex}
    token = jwt.encode(claims, load_or_create(SECRET_FILE), algorithm=ALGORITHM)
    return token, seconds


def verify(token: str) -> TokenClaims:
    """Check a token's signature, audience, issuer and expiry.

    Raises
    ------
    TokenExpired
        The token has expired.
    AuthenticationFailed
        Any other problem (malformed, wrong signature, wrong claims).
    """
    if not token or len(token) > 4096:
        raise AuthenticationFailed("the access token is not valid", field="Authorization")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, load_or_create(SECRET_FILE), algorithms=[ALGORITHM], audience=AUDIENCE,
            issuer=ISSUER, leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]})
    except jwt.ExpiredSignatureError:
        raise TokenExpired("the access token has expired; get a new one from /auth/token",
                           field="Authorization") from None
    except jwt.PyJWTError:
        raise AuthenticationFailed("the access token is not valid", field="Authorization") \
            from None
    try:
        return TokenClaims(int(claims["tid"]), str(claims["sub"]), int(claims["kid"]),
                           int(claims["exp"]))
    except (KeyError, TypeError, ValueError):
        raise AuthenticationFailed("the access token is not valid", field="Authorization") \
            from None
