"""Locations of pcf's state, all under ``PCF_HOME`` (default ``./var``).

- ``$PCF_HOME/brightway``: the Brightway base directory (``BRIGHTWAY2_DIR``), project ``pcf``;
- ``$PCF_HOME/pcf.sqlite3``: the application database unless ``PCF_DATABASE_URL`` is set;
- ``$PCF_HOME/keys/``: the certificate signing key.

``BRIGHTWAY2_DIR`` must be set before ``bw2data`` is first imported, so every module that needs
Brightway goes through :func:`pcf.bw.bw2data` rather than importing it at module level.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_NAME = "pcf"
"""Name of the Brightway project (DESIGN.md, "Brightway project")."""

BIOSPHERE_DB = "biosphere3"
"""bw2io's bundled elementary-flow list (DESIGN.md, "Brightway project")."""

BACKGROUND_DB = "pcf-background"
"""Brightway database of the background activities (electricity, fuels, materials, transport)."""

PRODUCTS_DB = "pcf-products"
"""Brightway database of the product systems; a product's reference activity has code = id."""

DATABASES = (BACKGROUND_DB, PRODUCTS_DB)
"""The databases ``pcf setup`` writes from ``databases/``, in writing order."""

REPO_ROOT = Path(__file__).resolve().parent.parent
"""Checkout root; ``databases/`` lives here."""


def pcf_home() -> Path:
    """Return ``$PCF_HOME`` (default ``./var``) as an absolute path, creating it if missing."""
    home = Path(os.environ.get("PCF_HOME", "var")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def brightway_dir() -> Path:
    """Return ``$PCF_HOME/brightway``, created if missing."""
    path = pcf_home() / "brightway"
    path.mkdir(parents=True, exist_ok=True)
    return path


def databases_dir() -> Path:
    """Return the inventory folder: ``$PCF_DATABASES`` or ``<repo>/databases``."""
    return Path(os.environ.get("PCF_DATABASES", REPO_ROOT / "databases")).resolve()


def database_url() -> str:
    """Return the SQLAlchemy URL of the application database.

    ``PCF_DATABASE_URL`` if set (e.g. ``postgresql+psycopg://user@127.0.0.1:5432/pcf``), else an
    SQLite file ``$PCF_HOME/pcf.sqlite3``.
    """
    url = os.environ.get("PCF_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{pcf_home() / 'pcf.sqlite3'}"
