"""Fixtures of the API, store and order-scoring tests.

- ``home``: the lead's session fixture ``built_home`` (Brightway project built once into a
  temporary ``PCF_HOME``).
- ``app`` / ``store``: a fresh application database (SQLite in ``tmp_path``) per test.
- ``keys``: tenants ``alice`` and ``bob`` (customers), ``erin`` (engineer), ``ada`` (admin);
  ``keys["alice"]`` are the headers to send.
- ``api``: a test client whose every response is validated against ``/openapi.json``
  (status documented, body matches the documented schema and media type).
"""

from __future__ import annotations

import pytest

from api_helpers import SpecClient


@pytest.fixture(scope="session")
def home(built_home):
    """The built PCF_HOME (the lead's ``built_home``)."""
    return built_home


@pytest.fixture
def db_url(tmp_path) -> str:
    """URL of a fresh SQLite application database for one test."""
    return f"sqlite:///{tmp_path / 'app.sqlite3'}"


@pytest.fixture
def app(home, db_url):
    """The Flask app on a fresh application database."""
    from pcf.api import create_app

    app = create_app({"PCF_DATABASE_URL": db_url, "TESTING": True})
    yield app
    app.extensions["pcf"].store.dispose()


@pytest.fixture
def store(app):
    """The app's :class:`pcf.store.Store`."""
    return app.extensions["pcf"].store


@pytest.fixture
def keys(store) -> dict[str, dict[str, str]]:
    """Authorization headers of four tenants: alice, bob (customer), erin (engineer), ada
    (admin)."""
    out = {}
    for name, role in (("alice", "customer"), ("bob", "customer"), ("erin", "engineer"),
                       ("ada", "admin")):
        _, key = store.create_tenant(name, role)
        out[name] = {"Authorization": f"Bearer {key}"}
    return out


@pytest.fixture
def api(app) -> SpecClient:
    """Test client validating responses against /openapi.json."""
    return SpecClient(app)
