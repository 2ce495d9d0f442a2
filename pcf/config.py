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


DEFAULT_RATE_LIMIT = "6000/minute"
"""Requests per tenant unless an admin sets another limit (``pcf tenants limits``): about
100 per second on average, bursts allowed within the minute."""
DEFAULT_DAILY_ORDER_LINES = 500_000
"""Order lines a tenant may submit per UTC day unless an admin sets another quota."""
DEFAULT_MAX_PENDING_JOBS = 4
"""Orders of one tenant that may wait in the scoring queue at once (more: 429)."""


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be an integer, not {value!r}") from None


def default_rate_limit() -> str:
    """``PCF_RATE_LIMIT`` or :data:`DEFAULT_RATE_LIMIT` (a limits string such as
    ``"6000/minute"`` or ``"50/second;6000/minute"``; ``"none"`` for no limit)."""
    return os.environ.get("PCF_RATE_LIMIT", "").strip() or DEFAULT_RATE_LIMIT


def default_daily_order_lines() -> int:
    """``PCF_DAILY_ORDER_LINES`` or :data:`DEFAULT_DAILY_ORDER_LINES` (0: no quota)."""
    return _int_env("PCF_DAILY_ORDER_LINES", DEFAULT_DAILY_ORDER_LINES)


def max_pending_jobs() -> int:
    """``PCF_MAX_PENDING_JOBS`` or :data:`DEFAULT_MAX_PENDING_JOBS` (0: no limit)."""
    return _int_env("PCF_MAX_PENDING_JOBS", DEFAULT_MAX_PENDING_JOBS)


def limits_database_url(main: str | None = None) -> str:
    """Where the rate-limit counters live: ``PCF_LIMITS_DATABASE_URL``, else the application
    database ``main`` (default :func:`database_url`) when it is PostgreSQL, else an SQLite
    file beside it (``<db>-limits.sqlite3``) so that counting requests never waits behind an
    order being written (SQLite has one writer at a time)."""
    url = os.environ.get("PCF_LIMITS_DATABASE_URL")
    if url:
        return url
    main = main or database_url()
    if main.startswith("sqlite:///") and main != "sqlite:///:memory:":
        path = main[len("sqlite:///"):]
        stem = path[:-len(".sqlite3")] if path.endswith(".sqlite3") else path
        return f"sqlite:///{stem}-limits.sqlite3"
    return main

MC_MAX_DRAWS = 100_000
"""Most Monte Carlo draws one footprint, comparison or order line may ask for (issue 17):
memory (about 8 bytes x draws x exchanges per chunk) and time stay bounded."""

MC_MAX_COMPARISON_DRAWS = 200_000
"""Most draws x cases one comparison may ask for: a comparison computes every case's draws on
the request thread (20 cases x 100,000 draws took 166 s in review), so the product is bounded
as a single footprint's draws are (e.g. 20 cases x 10,000 or 2 cases x 100,000)."""

SENSITIVITY_MAX_DRAWS = 20_000
"""Most draws of one sensitivity analysis: it keeps each first-tier input's draws (about 1.1 GB
for an NMC811 cell at 100,000 draws, measured in review; about a fifth of that here)."""
