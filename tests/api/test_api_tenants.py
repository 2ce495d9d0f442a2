"""``pcf tenants`` and API keys (stored hashed, shown once)."""

from __future__ import annotations

import hashlib
import json
import sqlite3

from click.testing import CliRunner

from pcf.commands.tenants import tenants as tenants_cmd
from pcf.store import Store


def _run(monkeypatch, db_url, *args):
    monkeypatch.setenv("PCF_DATABASE_URL", db_url)
    return CliRunner().invoke(tenants_cmd, list(args))


def test_create_prints_a_key_once_and_stores_only_its_hash(monkeypatch, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    result = _run(monkeypatch, db_url, "create", "ACME Motors", "--role", "engineer")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("pcf_") and len(key) >= 40
    store = Store.open(db_url)
    tenant = store.authenticate(key)
    assert tenant is not None and tenant.name == "ACME Motors" and tenant.role == "engineer"
    assert store.authenticate(key + "x") is None
    raw = (tmp_path / "app.sqlite3").read_bytes()
    for wal in tmp_path.glob("app.sqlite3-wal"):
        raw += wal.read_bytes()
    assert key.encode() not in raw
    con = sqlite3.connect(tmp_path / "app.sqlite3")
    (digest,) = con.execute("SELECT key_hash FROM api_keys").fetchone()
    assert digest == hashlib.sha256(key.encode()).hexdigest()


def test_duplicate_name_and_bad_role(monkeypatch, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    assert _run(monkeypatch, db_url, "create", "acme").exit_code == 0
    dup = _run(monkeypatch, db_url, "create", "acme", "--role", "admin")
    assert dup.exit_code == 2 and "exists" in dup.output
    bad = _run(monkeypatch, db_url, "create", "other", "--role", "overlord")
    assert bad.exit_code == 2 and "customer" in bad.output


def test_json_list_and_extra_keys(monkeypatch, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    out = _run(monkeypatch, db_url, "create", "ada", "--role", "admin", "--format", "json")
    created = json.loads(out.stdout)
    assert created["role"] == "admin" and created["api_key"].startswith("pcf_")
    second = _run(monkeypatch, db_url, "add-key", "ada").stdout.strip()
    store = Store.open(db_url)
    assert store.authenticate(created["api_key"]).name == "ada"
    assert store.authenticate(second).name == "ada"
    listed = json.loads(_run(monkeypatch, db_url, "list", "--format", "json").stdout)
    assert [(t["name"], t["role"]) for t in listed] == [("ada", "admin")]
    assert _run(monkeypatch, db_url, "add-key", "nobody").exit_code == 2


def test_key_created_by_cli_works_on_the_api(monkeypatch, tmp_path, home):
    from pcf.api import create_app

    db_url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    key = _run(monkeypatch, db_url, "create", "acme").stdout.strip()
    app = create_app({"PCF_DATABASE_URL": db_url})
    resp = app.test_client().post("/v1/footprints", json={"product": "aluminium-coil"},
                                  headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200
