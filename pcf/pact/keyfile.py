"""Secrets of the PACT exchange under ``$PCF_HOME/keys``, made on first use.

Each is a random byte string in its own file (mode 0600 in a 0700 directory), written to a
temporary file and hard-linked into place, which fails if another process made it first;
that one is then used. So several server processes starting at once share one secret.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
from pathlib import Path

_LOCK = threading.Lock()
_CACHE: dict[str, bytes] = {}


def key_dir() -> Path:
    """``$PCF_HOME/keys`` (not created here)."""
    from pcf.config import pcf_home

    return pcf_home() / "keys"


def load_or_create(name: str, size: int = 32) -> bytes:
    """The secret in ``$PCF_HOME/keys/<name>``, ``size`` random bytes made on first use.

    Parameters
    ----------
    name : str
        File name.
    size : int
        Length of a new secret, bytes.
    """
    path = key_dir() / name
    cached = _CACHE.get(str(path))
    if cached is not None:
        return cached
    with _LOCK:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, secrets.token_bytes(size))
                os.fsync(fd)
                os.close(fd)
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass
            finally:
                os.unlink(tmp)
        value = path.read_bytes()
        _CACHE[str(path)] = value
        return value


def clear_cache() -> None:
    """Forget cached secrets (tests that change ``PCF_HOME``)."""
    _CACHE.clear()
