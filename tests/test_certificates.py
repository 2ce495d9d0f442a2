"""Certificates without Flask: PACT mapping and schema, signing, verification, store rules, PDF.

Uses the lead's ``built_home`` fixture (Brightway project built once per session) and a fresh
SQLite application database per test. The signing key is redirected to ``tmp_path`` so that
tests never touch a real key.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import re
import shutil
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError

from pcf.errors import InvalidInput, StateConflict, UnknownResource

SCHEMA_PATH = Path(__file__).parent / "data" / "pact-v3-productfootprint.schema.json"

LINES = [
    {"line_id": "10", "product": "aluminium-coil", "variant": "recycled", "quantity": 24,
     "unit": "t"},
    {"line_id": "20", "product": "battery-cell-nmc811", "quantity": 1.5, "unit": "MWh",
     "parameters": {"renewable_electricity_share": 0.4}},
    {"line_id": "30", "product": "aluminium-coil", "quantity": 500, "unit": "kg",
     "parameters": {"primary_ingot_footprint": 4.0}},
    {"line_id": "40", "product": "ndfeb-magnet", "variant": "virgin", "quantity": 120,
     "unit": "kg"},
    {"line_id": "50", "product": "battery-cell-lfp", "variant": "recycled", "quantity": 2,
     "unit": "MWh"},
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def signing_home(tmp_path, monkeypatch):
    """Put the signing key under ``tmp_path/keys`` (fresh key per test)."""
    from pcf.certificates import signing

    monkeypatch.setattr(signing, "key_dir", lambda: tmp_path / "keys")
    signing._CACHE.clear()
    yield tmp_path / "keys"
    signing._CACHE.clear()


@pytest.fixture
def store(built_home, tmp_path, signing_home, monkeypatch):
    """A fresh application database (SQLite) migrated to head; default issuer settings."""
    from pcf.store import Store

    for name in ("PCF_ISSUER_NAME", "PCF_ISSUER_DOMAIN", "PCF_ISSUER_ID"):
        monkeypatch.delenv(name, raising=False)

    st = Store.open(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    yield st
    st.dispose()


def save_order(store, tenant, order_id: str, lines: list[dict]) -> None:
    """Score and store an order like POST /v1/orders does."""
    from pcf.service.orders import OrderLineInput, submit_order

    inputs = [OrderLineInput(line_id=ln["line_id"], product=ln["product"],
                             quantity=ln["quantity"], unit=ln["unit"],
                             variant=ln.get("variant"), parameters=ln.get("parameters") or {})
              for ln in lines]
    _, created = submit_order(store, tenant, order_id, inputs)
    assert created


@pytest.fixture
def tenants(store):
    """alice and bob (customers), each with an order PO-1 (different lines)."""
    alice, _ = store.create_tenant("alice", "customer")
    bob, _ = store.create_tenant("bob", "customer")
    save_order(store, alice, "PO-1", LINES)
    save_order(store, bob, "PO-1", LINES[:1])
    return {"alice": alice, "bob": bob}


def issue(store, tenant, line_id="10", order_id="PO-1", **kwargs):
    from pcf.service.certificates import issue_certificate

    return issue_certificate(store.engine, tenant_id=tenant.id, order_id=order_id,
                             line_id=line_id, issued_by="tester", **kwargs)


def trusted_key():
    from pcf.certificates.signing import signing_key

    return signing_key().public_key()


def schema_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def schema_errors(doc) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}"
            for e in schema_validator().iter_errors(doc)]


# --------------------------------------------------------------------------- pure functions


def test_decimal_strings_have_no_exponent_and_round_trip():
    from pcf.certificates.pact import decimal_str

    assert decimal_str(17.0) == "17"
    assert decimal_str(1e-7) == "0.0000001"
    assert decimal_str(-0.0) == "0"
    assert decimal_str(1.5e21) == "1500000000000000000000"
    for value in (17.28461592052245, 0.1 + 0.2, 123456.789e-12, 4.437289198761813):
        text_ = decimal_str(value)
        assert re.fullmatch(r"^[+-]?\d+(\.\d+)?$", text_), text_
        assert float(text_) == value
    with pytest.raises(ValueError):
        decimal_str(float("nan"))


def test_temporal_score_follows_the_pedigree_steps():
    from pcf.accounting.data_quality import temporal_method, temporal_score
    from pcf.inventory.uncertainty import temporal_thresholds

    below = temporal_thresholds()  # the one table, databases/uncertainty.yaml
    assert below == (3, 6, 10, 15)  # ecoinvent v3 data quality guideline
    assert [temporal_score(a, below) for a in (0, 2, 3, 5, 6, 9, 10, 14, 15, 40)] == \
        [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert temporal_score(-2, below) == 1  # data newer than the reference year
    assert temporal_score(None, below) == 5
    # the certificate's method text, word for word as certificates issued before carry it
    assert temporal_method(below) == (
        "pedigree temporal score (1: < 3 years between data year and reference year, "
        "2: < 6, 3: < 10, 4: < 15, 5: older or unknown) of each first-tier "
        "contribution, the worse of its amount and its emission figures, weighted by "
        "|kg CO2e|")


def test_temporal_thresholds_come_from_the_uncertainty_file(tmp_path):
    from pcf.config import databases_dir
    from pcf.errors import InventoryInvalid
    from pcf.inventory.uncertainty import temporal_thresholds

    text = (databases_dir() / "uncertainty.yaml").read_text()
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "uncertainty.yaml").write_text(
        text.replace("below: [3, 6, 10, 15]", "below: [2, 5, 10, 20]"))
    assert temporal_thresholds(changed) == (2, 5, 10, 20)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "uncertainty.yaml").write_text(text.replace("below: [3, 6, 10, 15]", "below: [3]"))
    with pytest.raises(InventoryInvalid, match="temporal.below"):
        temporal_thresholds(broken)


def test_issuer_settings(monkeypatch):
    from pcf.certificates.settings import customers_may_issue, issuer

    monkeypatch.setenv("PCF_ISSUER_NAME", "Shengtong Technology Group")
    monkeypatch.setenv("PCF_ISSUER_DOMAIN", "Shengtong.example")
    monkeypatch.delenv("PCF_ISSUER_ID", raising=False)
    who = issuer()
    assert who.company_ids == [
        "urn:pact:company:customcode:vendor-assigned:shengtong-technology-group"]
    assert who.product_urn("aluminium-coil") == \
        "urn:pact:shengtong.example:product-id:aluminium-coil"
    monkeypatch.setenv("PCF_ISSUER_DOMAIN", "not a domain/")
    assert issuer().domain == "pcf.invalid"
    monkeypatch.setenv("PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES", "yes")
    assert customers_may_issue()
    monkeypatch.setenv("PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES", "0")
    assert not customers_may_issue()


def test_validity_period_rule():
    from pcf.service.certificates import validity_period

    issued = datetime(2026, 11, 21, tzinfo=UTC)
    start, end = validity_period(issued, datetime(2025, 1, 1, tzinfo=UTC))
    assert start == issued
    assert end == datetime(2028, 1, 1, tzinfo=UTC)  # PACT cap: reference end + 3 y
    start, end = validity_period(issued, datetime(2026, 1, 1, tzinfo=UTC))
    assert end == datetime(2028, 11, 21, tzinfo=UTC)  # issue + 2 years
    with pytest.raises(StateConflict) as err:
        validity_period(issued, datetime(2021, 1, 1, tzinfo=UTC))
    assert err.value.field == "line_id"


# --------------------------------------------------------------------------- schema


def _minimal_pf() -> dict:
    return {
        "id": "12345678-9abc-def0-1234-567812345678", "specVersion": "3.0.0",
        "created": "2025-04-30T00:00:00Z", "status": "Active", "companyName": "Company 1",
        "companyIds": ["urn:company:example:company1"], "productDescription": "Bioethanol",
        "productIds": ["urn:gtin:5695872369587"], "productNameCompany": "Product 1",
        "pcf": {
            "declaredUnitOfMeasurement": "kilogram", "declaredUnitAmount": "1",
            "productMassPerDeclaredUnit": "1", "referencePeriodStart": "2024-01-01T00:00:00Z",
            "referencePeriodEnd": "2025-01-01T00:00:00Z", "geographyCountry": "US",
            "pcfExcludingBiogenicUptake": "0.384", "pcfIncludingBiogenicUptake": "-1.23",
            "fossilGhgEmissions": "0.35", "fossilCarbonContent": "0",
            "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["GHGP-Product", "PACT-3.0"],
            "exemptedEmissionsPercent": "0",
            "dqi": {"technologicalDQR": "1.5", "geographicalDQR": "3.2", "temporalDQR": "2.4"},
        },
    }


def _set(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()


@pytest.mark.parametrize("path,value", [
    (("pcf", "pcfExcludingBiogenicUptake"), "1.2e3"),          # exponent
    (("pcf", "pcfExcludingBiogenicUptake"), 0.384),            # number, not a string
    (("pcf", "pcfExcludingBiogenicUptake"), _DELETE),          # required
    (("pcf", "fossilGhgEmissions"), "-0.1"),                   # >= 0
    (("pcf", "declaredUnitAmount"), "0"),                      # > 0
    (("pcf", "declaredUnitOfMeasurement"), "kg"),              # enum
    (("pcf", "geographyCountrySubdivision"), "US-TX"),         # two geographies
    (("pcf", "dqi", "temporalDQR"), "6"),                      # 1..5
    (("pcf", "ipccCharacterizationFactors"), ["6"]),           # ^AR\d+$
    (("pcf", "biogenicCO2Uptake"), "10"),                      # <= 0 (quirk fixed)
    (("companyIds",), ["company1"]),                           # URN
    (("precedingPfIds",), ["not-a-uuid"]),                     # uuid
    (("status",), "Superseded"),                               # enum
    (("created",), "yesterday"),                               # date-time
])
def test_schema_rejects_what_pact_v3_forbids(path, value):
    doc = _minimal_pf()
    assert schema_errors(doc) == []
    _set(doc, path, value)
    assert schema_errors(doc), (path, value)


# --------------------------------------------------------------------------- issue + PACT


def test_issued_certificate_is_signed_canonical_json(tenants, store):
    from pcf import service
    from pcf.certificates.pact import decimal_str
    from pcf.certificates.signing import canonical_json, sha256_hex, verify_signature

    rec = issue(store, tenants["alice"], "10")
    assert re.fullmatch(r"PCF-\d{4}-\d{6}", rec.number)
    assert rec.status() == "active"
    canonical = canonical_json(rec.document)
    assert canonical.decode("utf-8") == rec.canonical
    assert rec.sha256 == sha256_hex(canonical)
    assert verify_signature(trusted_key(), canonical, rec.signature["value"])
    header, pf = rec.document["certificate"], rec.document["productFootprint"]
    assert header["id"] == pf["id"] == rec.certificate_id
    assert header["number"] == rec.number
    assert header["customer"] == {"name": "alice"}
    assert (header["orderId"], header["lineId"]) == ("PO-1", "10")
    assert header["signingKey"]["keyId"] == rec.signature["keyId"]
    # the numbers are the service's
    expected = service.compute_footprint("aluminium-coil", variant="recycled", quantity=24,
                                         unit="t")
    ext = pf["extensions"][0]["data"]
    assert ext["calculation"]["kgCO2ePerDeclaredUnit"]["total"] == \
        expected["per_declared_unit"]["total"]
    assert ext["orderLine"]["kgCO2e"]["total"] == pytest.approx(expected["total"]["total"],
                                                                rel=1e-12)
    assert ext["orderLine"]["quantityInDeclaredUnit"] == 24000
    assert ext["orderLine"]["asScored"]["kgCO2eTotal"] == pytest.approx(
        expected["total"]["total"], rel=1e-12)
    assert pf["pcf"]["pcfExcludingBiogenicUptake"] == \
        decimal_str(expected["per_declared_unit"]["total"])
    assert ext["calculation"]["variant"] == "recycled"
    assert ext["calculation"]["parameters"]["recycled_content"] == 1.0
    assert ext["calculation"]["recycledContentMethod"] == "cut-off"
    assert ext["calculation"]["electricityAccounting"] == "location-based"
    assert ext["calculation"]["databaseVersion"] == expected["database"]["version"]
    assert ext["calculation"]["modelVersion"].startswith("pcf ")


@pytest.mark.parametrize("line", LINES, ids=[f"{ln['line_id']}-{ln['product']}" for ln in LINES])
def test_pact_product_footprint_validates_against_the_v3_schema(tenants, store, line):
    rec = issue(store, tenants["alice"], line["line_id"])
    pf = rec.document["productFootprint"]
    assert schema_errors(pf) == []
    pcf = pf["pcf"]
    known = json.loads(SCHEMA_PATH.read_text())["$defs"]["KnownStandards"]["enum"]
    assert set(pcf["crossSectoralStandards"]) <= set(known)
    assert pcf["ipccCharacterizationFactors"] == ["AR6"]
    assert pf["specVersion"] == "3.0.3" and pf["status"] == "Active"
    assert pf["productIds"] == [f"urn:pact:pcf.invalid:product-id:{line['product']}"]
    assert pf["companyIds"] == ["urn:pact:company:customcode:vendor-assigned:pcf"]
    calc = pf["extensions"][0]["data"]["calculation"]
    per = calc["kgCO2ePerDeclaredUnit"]
    assert float(pcf["pcfExcludingBiogenicUptake"]) == per["total"]
    assert float(pcf["fossilGhgEmissions"]) == per["fossil"]
    assert float(pcf["biogenicNonCO2Emissions"]) == per["biogenic"]
    assert float(pcf["landUseChangeGhgEmissions"]) == per["landUse"]
    assert per["total"] == pytest.approx(per["fossil"] + per["biogenic"] + per["landUse"],
                                         rel=1e-12)
    # reference period: whole calendar years; validity inside PACT's 3-year window
    start = datetime.fromisoformat(pcf["referencePeriodStart"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(pcf["referencePeriodEnd"].replace("Z", "+00:00"))
    assert (start.month, start.day, end.month, end.day) == (1, 1, 1, 1) and end > start
    valid_end = datetime.fromisoformat(pf["validityPeriodEnd"].replace("Z", "+00:00"))
    assert valid_end <= end.replace(year=end.year + 3)
    assert len(pcf["secondaryEmissionFactorSources"]) >= 2
    if line["product"].startswith("battery"):
        assert pcf["declaredUnitOfMeasurement"] == "kilowatt hour"
        density = calc["parameters"]["energy_density"]
        assert float(pcf["productMassPerDeclaredUnit"]) == pytest.approx(1000 / density)
        assert float(pcf["fossilCarbonContent"]) > 0.5  # graphite anode, ~1 kg C per kWh
        assert "geographyCountry" in pcf
    else:
        assert pcf["declaredUnitOfMeasurement"] == "kilogram"
        assert pcf["productMassPerDeclaredUnit"] == "1"
    if line["product"] == "aluminium-coil":
        assert pcf["fossilCarbonContent"] == "0"
        assert pcf["geographyCountrySubdivision"] == "CN-HN"
        assert pcf["referencePeriodStart"] == "2024-01-01T00:00:00Z"
    dq = pf["extensions"][0]["data"]["dataQuality"]
    assert 1 <= float(dq["temporalDQR"]) <= 5
    # dqi (issue 17): pedigree ratings on PACT v3's 1..5 scale, the same in the extension
    assert set(pcf["dqi"]) == {"technologicalDQR", "geographicalDQR", "temporalDQR"}
    for key, value in pcf["dqi"].items():
        assert 1 <= float(value) <= 5 and value == dq[key]
    band = pf["extensions"][0]["data"]["uncertainty"]["kgCO2ePerDeclaredUnit"]
    total = float(pcf["pcfExcludingBiogenicUptake"])
    assert band["p2_5"] < total < band["p97_5"]


def test_primary_data_share_counts_supplier_specific_figures_only(tenants, store):
    from pcf import service

    plain = issue(store, tenants["alice"], "10").document["productFootprint"]["pcf"]
    assert plain["primaryDataShare"] == "0"
    supplier = issue(store, tenants["alice"], "30").document["productFootprint"]
    fp = service.compute_footprint("aluminium-coil",
                                   parameters={"primary_ingot_footprint": 4.0})
    primary = sum(c["kg_co2e_per_declared_unit"] for c in fp["contributions"]
                  if c["activity"].endswith("supplier-specific footprint"))
    assert primary > 0
    share = float(supplier["pcf"]["primaryDataShare"])
    assert share == pytest.approx(100 * primary / fp["per_declared_unit"]["total"], abs=0.01)
    data = supplier["extensions"][0]["data"]["dataQuality"]
    assert "primary_ingot_footprint" in data["primaryDataBasis"]


# --------------------------------------------------------------------------- verification


def test_untampered_certificate_verifies_and_recomputes(tenants, store):
    from pcf.service.certificates import verify_certificate as verify_envelope

    rec = issue(store, tenants["alice"], "20")
    result = verify_envelope(rec.envelope(), trusted_key())
    assert result["valid"] is True, result
    assert result["checks"]["recomputation"]["status"] == "match"
    # re-ordered, pretty-printed JSON is the same certificate (RFC 8785)
    pretty = json.loads(json.dumps(rec.envelope(), indent=3, sort_keys=True))
    assert verify_envelope(pretty, trusted_key(), recompute=False)["valid"]


@pytest.mark.parametrize("tamper", ["number", "quantity", "customer", "variant", "resign-hash"])
def test_tampered_json_fails_verification(tenants, store, tamper):
    from pcf.certificates.signing import canonical_json, sha256_hex
    from pcf.service.certificates import verify_certificate as verify_envelope

    rec = issue(store, tenants["alice"], "10")
    env = copy.deepcopy(rec.envelope())
    doc = env["document"]
    data = doc["productFootprint"]["extensions"][0]["data"]
    if tamper == "number":
        doc["productFootprint"]["pcf"]["pcfExcludingBiogenicUptake"] = "0.5"
    elif tamper == "quantity":
        data["orderLine"]["quantity"] = 1
    elif tamper == "customer":
        doc["certificate"]["customer"]["name"] = "mallory"
    elif tamper == "variant":
        data["calculation"]["variant"] = "virgin"
    else:  # change a number and fix up the hash: the signature still fails
        doc["productFootprint"]["pcf"]["fossilGhgEmissions"] = "0.1"
        env["sha256"] = sha256_hex(canonical_json(doc))
    result = verify_envelope(env, trusted_key())
    assert result["valid"] is False
    assert result["checks"]["signature"]["ok"] is False
    assert result["checks"]["hash"]["ok"] is (tamper == "resign-hash")


def test_signature_needs_the_trusted_key(tenants, store):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pcf.service.certificates import verify_certificate as verify_envelope

    env = issue(store, tenants["alice"], "10").envelope()
    other = Ed25519PrivateKey.generate().public_key()
    result = verify_envelope(env, other, recompute=False)
    assert result["valid"] is False and "signed with key" in result["checks"]["signature"][
        "message"]
    result = verify_envelope(env, None, recompute=False)
    assert result["valid"] is False and "no trusted public key" in result["checks"][
        "signature"]["message"]


@pytest.mark.parametrize("bad,field", [
    ([], "body"), ({}, "document"), ({"document": {}, "sha256": 1}, "sha256"),
    ({"document": {}, "sha256": "00", "signature": "x"}, "signature"),
    ({"document": {}, "sha256": "00", "signature": {}}, "signature.value"),
])
def test_malformed_certificate_files_name_the_field(bad, field):
    from pcf.service.certificates import verify_certificate as verify_envelope

    with pytest.raises(InvalidInput) as err:
        verify_envelope(bad, None)
    assert err.value.field == field


def _shifted_compute(monkeypatch, version: str | None, factor: float):
    """Make pcf.service compute footprints as if the database were ``version`` and numbers
    were ``factor`` times larger."""
    from pcf.service import footprints as service

    real_compute, real_info = service.compute_footprint, service.database_info

    def compute(*args, **kwargs):
        fp = real_compute(*args, **kwargs)
        for block in ("per_declared_unit", "total"):
            fp[block] = {k: v * factor for k, v in fp[block].items()}
        if version:
            fp["database"] = {**fp["database"], "version": version}
        return fp

    def info():
        out = real_info()
        return {**out, "version": version} if version else out

    monkeypatch.setattr(service, "compute_footprint", compute)
    monkeypatch.setattr(service, "database_info", info)


def test_changed_database_is_reported_with_both_numbers(tenants, store, monkeypatch):
    from pcf.service.certificates import verify_certificate as verify_envelope

    rec = issue(store, tenants["alice"], "10")
    _shifted_compute(monkeypatch, "feedfacefeedface", 0.9)
    result = verify_envelope(rec.envelope(), trusted_key())
    rc = result["checks"]["recomputation"]
    assert result["valid"] is True  # signature and hash hold: not a failure
    assert rc["status"] == "database-changed"
    assert rc["certified"]["databaseVersion"] == rec.database_version
    assert rc["recomputed"]["databaseVersion"] == "feedfacefeedface"
    assert rc["recomputed"]["kgCO2ePerDeclaredUnit"]["total"] == pytest.approx(
        0.9 * rc["certified"]["kgCO2ePerDeclaredUnit"]["total"])
    assert rc["relativeDifference"] == pytest.approx(-0.1)
    # the CLI shows both numbers too
    path = Path(store.engine.url.database).parent / "cert.json"
    path.write_text(json.dumps(rec.envelope()))
    from pcf.cli import main

    monkeypatch.setattr("pcf.commands._common.ensure_project", lambda: None)
    out = CliRunner().invoke(main, ["certificates", "verify", str(path)])
    assert out.exit_code == 0, out.output
    assert "database-changed" in out.output
    assert "certified  (" in out.output and "recomputed (feedfacefeedface)" in out.output


def test_same_database_different_number_is_a_mismatch(tenants, store, monkeypatch):
    from pcf.service.certificates import verify_certificate as verify_envelope

    rec = issue(store, tenants["alice"], "10")
    _shifted_compute(monkeypatch, None, 1.01)
    result = verify_envelope(rec.envelope(), trusted_key())
    assert result["checks"]["recomputation"]["status"] == "mismatch"
    assert result["valid"] is False


def test_cli_verify_exit_status(tenants, store, tmp_path, monkeypatch):
    from pcf.certificates.signing import public_key_info
    from pcf.cli import main

    monkeypatch.setattr("pcf.commands._common.ensure_project", lambda: None)
    rec = issue(store, tenants["alice"], "40")
    good, bad, key, junk = (tmp_path / n for n in ("good.json", "bad.json", "key.pem", "x.json"))
    good.write_text(json.dumps(rec.envelope(), indent=2))
    tampered = copy.deepcopy(rec.envelope())
    tampered["document"]["certificate"]["validUntil"] = "2099-01-01T00:00:00Z"
    bad.write_text(json.dumps(tampered))
    key.write_text(public_key_info()["pem"])
    junk.write_text("not json")
    runner = CliRunner()
    ok = runner.invoke(main, ["certificates", "verify", str(good), "--public-key", str(key),
                              "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["valid"] is True
    assert json.loads(ok.output)["checks"]["recomputation"]["status"] == "match"
    failed = runner.invoke(main, ["certificates", "verify", str(bad), "--public-key", str(key)])
    assert failed.exit_code == 1 and "INVALID" in failed.output
    assert runner.invoke(main, ["certificates", "verify", str(junk)]).exit_code == 2
    assert runner.invoke(main, ["certificates", "verify", str(good), "--public-key",
                                str(junk)]).exit_code == 2


# --------------------------------------------------------------------------- store rules


def test_one_active_certificate_per_line(tenants, store):
    first = issue(store, tenants["alice"], "10")
    with pytest.raises(StateConflict) as err:
        issue(store, tenants["alice"], "10")
    assert err.value.field == "line_id" and first.number in err.value.message
    other = issue(store, tenants["alice"], "20")  # another line is fine
    assert other.number != first.number
    n1, n2 = (int(n.rsplit("-", 1)[1]) for n in (first.number, other.number))
    assert n2 > n1


def test_supersession_and_revocation(tenants, store):
    from pcf.service.certificates import revoke_certificate, supersede_certificate

    alice = tenants["alice"]
    old = issue(store, alice, "10")
    with pytest.raises(InvalidInput) as err:
        supersede_certificate(store.engine, old.certificate_id, tenant_id=alice.id,
                              issued_by="t", reason="  ")
    assert err.value.field == "reason"
    new = supersede_certificate(store.engine, old.certificate_id, tenant_id=alice.id,
                                issued_by="t", reason="site grid corrected")
    assert new.number != old.number and new.certificate_id != old.certificate_id
    pf = new.document["productFootprint"]
    assert pf["precedingPfIds"] == [old.certificate_id]
    assert new.document["certificate"]["supersedes"] == {
        "id": old.certificate_id, "number": old.number, "reason": "site grid corrected"}
    assert schema_errors(pf) == []
    from pcf.store.certificates import get_certificate

    old_now = get_certificate(store.engine, old.certificate_id)
    assert old_now.status() == "superseded"
    assert old_now.superseded_by == {"id": new.certificate_id, "number": new.number}
    assert old_now.canonical == old.canonical  # the old certificate is untouched
    with pytest.raises(StateConflict):  # a certificate is superseded once
        supersede_certificate(store.engine, old.certificate_id, tenant_id=alice.id,
                              issued_by="t", reason="again")
    with pytest.raises(StateConflict):  # the line has an active certificate: the new one
        issue(store, alice, "10")
    # a correction of the correction lists the whole chain
    newer = supersede_certificate(store.engine, new.certificate_id, tenant_id=None,
                                  issued_by="admin", reason="second fix")
    assert newer.document["productFootprint"]["precedingPfIds"] == [new.certificate_id,
                                                                    old.certificate_id]
    revoked = revoke_certificate(store.engine, newer.certificate_id, tenant_id=alice.id,
                                 revoked_by="t", reason="wrong customer")
    assert revoked.status() == "revoked"
    assert revoked.revocation["reason"] == "wrong customer"
    assert revoked.canonical == newer.canonical
    with pytest.raises(StateConflict):
        revoke_certificate(store.engine, newer.certificate_id, tenant_id=alice.id,
                           revoked_by="t", reason="twice")
    with pytest.raises(StateConflict):
        supersede_certificate(store.engine, newer.certificate_id, tenant_id=alice.id,
                              issued_by="t", reason="revoked ones are not corrected")
    # after a revocation the line may be certified again
    again = issue(store, alice, "10")
    assert again.status() == "active"
    assert "precedingPfIds" not in again.document["productFootprint"]


def test_concurrent_issues_for_one_line_store_one_certificate(tenants, store):
    import threading

    from pcf.store.certificates import list_certificates

    issue(store, tenants["alice"], "40")  # warm the engine and the key first
    outcomes: list[str] = []

    def worker():
        try:
            issue(store, tenants["alice"], "10")
            outcomes.append("issued")
        except StateConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["conflict"] * 3 + ["issued"]
    assert len(list_certificates(store.engine, line_id="10")) == 1


def test_a_rejected_certificate_stores_nothing(tenants, store, monkeypatch):
    from pcf.service import certificates as cert_service
    from pcf.store.certificates import list_certificates

    real = cert_service.compute_line

    def negative_fossil(line):
        fp = real(line)
        fp["per_declared_unit"]["fossil"] = -1.0
        return fp

    monkeypatch.setattr(cert_service, "compute_line", negative_fossil)
    with pytest.raises(StateConflict) as err:
        issue(store, tenants["alice"], "10")
    assert err.value.field == "fossilGhgEmissions"
    assert list_certificates(store.engine) == []
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM certificates")).scalar_one() == 0


def test_certificates_and_revocations_are_immutable_in_the_database(tenants, store):
    from pcf.service.certificates import revoke_certificate

    rec = issue(store, tenants["alice"], "10")
    revoke_certificate(store.engine, rec.certificate_id, tenant_id=None, revoked_by="t",
                       reason="test")
    statements = [
        "UPDATE certificates SET kg_co2e_total = 0",
        "UPDATE certificates SET document_json = '{}'",
        "DELETE FROM certificates",
        "UPDATE certificate_revocations SET reason = 'edited'",
        "DELETE FROM certificate_revocations",
    ]
    for sql in statements:
        with pytest.raises((IntegrityError, DatabaseError)):
            with store.engine.begin() as conn:
                conn.execute(text(sql))
    from pcf.store.certificates import get_certificate

    again = get_certificate(store.engine, rec.certificate_id)
    assert again.canonical == rec.canonical and again.status() == "revoked"


def test_tenant_isolation_in_the_store(tenants, store):
    from pcf.service.certificates import revoke_certificate, supersede_certificate
    from pcf.store.certificates import get_certificate, list_certificates

    alice, bob = tenants["alice"], tenants["bob"]
    a = issue(store, alice, "10")
    b = issue(store, bob, "10")  # bob's own PO-1, line 10
    assert a.certificate_id != b.certificate_id and b.tenant == "bob"
    with pytest.raises(UnknownResource) as err:
        get_certificate(store.engine, a.certificate_id, bob.id)
    assert err.value.field == "certificate_id"
    for call in (lambda: revoke_certificate(store.engine, a.certificate_id, tenant_id=bob.id,
                                            revoked_by="bob", reason="x"),
                 lambda: supersede_certificate(store.engine, a.certificate_id, tenant_id=bob.id,
                                               issued_by="bob", reason="x")):
        with pytest.raises(UnknownResource):
            call()
    with pytest.raises(UnknownResource) as err:  # bob's order has no line 20
        issue(store, bob, "20")
    assert err.value.field == "line_id" and err.value.allowed == ["10"]
    assert [r.certificate_id for r in list_certificates(store.engine, bob.id)] == \
        [b.certificate_id]
    assert {r.certificate_id for r in list_certificates(store.engine)} == \
        {a.certificate_id, b.certificate_id}


def test_unknown_order_and_line_name_the_field(tenants, store):
    with pytest.raises(UnknownResource) as err:
        issue(store, tenants["alice"], "10", order_id="PO-404")
    assert err.value.field == "order_id"
    with pytest.raises(UnknownResource) as err:
        issue(store, tenants["alice"], "99")
    assert err.value.field == "line_id" and "10" in err.value.allowed
    from pcf.service.certificates import revoke_certificate

    with pytest.raises(InvalidInput) as err:
        revoke_certificate(store.engine, "x", tenant_id=None, revoked_by="t", reason="x" * 1001)
    assert err.value.field == "reason"
    with pytest.raises(UnknownResource):
        revoke_certificate(store.engine, "00000000-0000-0000-0000-000000000000",
                           tenant_id=None, revoked_by="t", reason="x")


# --------------------------------------------------------------------------- keys


def test_signing_key_is_created_once_with_mode_0600_and_never_logged(signing_home, caplog):
    from pcf.certificates import signing

    caplog.set_level(logging.DEBUG)
    assert signing.local_public_key() is None  # verifying never creates a key
    key = signing.signing_key()
    path = signing_home / signing.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(signing_home.stat().st_mode) == 0o700
    signing._CACHE.clear()
    assert signing.signing_key().public_key().public_bytes_raw() == \
        key.public_key().public_bytes_raw()
    secret = path.read_text()
    body = "".join(secret.strip().splitlines()[1:-1])
    assert all(body not in r.getMessage() for r in caplog.records)
    info = signing.public_key_info()
    assert "PRIVATE" not in json.dumps(info) and body not in json.dumps(info)
    assert signing.parse_public_key(info["pem"]).public_bytes_raw() == \
        key.public_key().public_bytes_raw()
    assert signing.parse_public_key(json.dumps(info)).public_bytes_raw() == \
        key.public_key().public_bytes_raw()
    with pytest.raises(InvalidInput) as err:
        signing.parse_public_key("not a key")
    assert err.value.field == "public_key"


# --------------------------------------------------------------------------- PDF


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_pdf_renders_with_number_footprint_and_total(tenants, store, tmp_path):
    from pcf.certificates.pdf import fmt_mass_co2e, per_unit_text, render_pdf

    rec = issue(store, tenants["alice"], "20")
    url = f"https://pcf.example/v1/certificates/{rec.certificate_id}/verification"
    data = render_pdf(rec.envelope(), verification_url=url, status=rec.status())
    assert data.startswith(b"%PDF")
    assert render_pdf(rec.envelope(), verification_url=url, status="active") == data
    page = _pdf_text(data)
    flat = re.sub(r"\s+", " ", page)
    per_unit = per_unit_text(rec.document)
    assert rec.number in flat
    assert per_unit.split(" per ")[0] in flat  # e.g. "62.87 kg CO2e"
    total = rec.document["productFootprint"]["extensions"][0]["data"]["orderLine"]["kgCO2e"]
    assert fmt_mass_co2e(total["total"]) in flat
    assert rec.sha256 in flat.replace(" ", "")
    for words in ("alice", "Lithium-ion battery cell", "cut-off", "market-based",
                  "2022-01-01", "raw-material-acquisition", "ISO14067", "Fossil", "Biogenic",
                  "Land use", "Primary data share"):
        assert words in flat, words
    assert "When the order was placed" not in flat
    # an order scored with an older database says so, with the as-scored number
    older = copy.deepcopy(rec.envelope())
    older["document"]["productFootprint"]["extensions"][0]["data"]["orderLine"]["asScored"] = {
        "databaseVersion": "0123456789abcdef", "kgCO2eTotal": 91234.5}
    flat = re.sub(r"\s+", " ", _pdf_text(render_pdf(older, verification_url=url)))
    assert "scored with database 0123456789abcdef: 91.23 t CO2e" in flat


def test_pdf_keeps_every_section_on_one_page_with_long_texts(tenants, store):
    from pcf.certificates.pdf import render_pdf

    rec = issue(store, tenants["alice"], "20")
    env = copy.deepcopy(rec.envelope())
    doc = env["document"]
    doc["certificate"]["customer"]["name"] = "Customer with a very long name " * 10
    doc["productFootprint"]["productNameCompany"] = "Lithium-ion cell with a long name " * 20
    data = doc["productFootprint"]["extensions"][0]["data"]
    data["calculation"]["requestedParameters"] = {f"parameter_{i}": i / 7 for i in range(60)}
    data["calculation"]["stages"] = [{"stage": f"stage-{i}-" + "x" * 40,
                                      "kgCO2ePerDeclaredUnit": (-1) ** i * (i + 1.5)}
                                     for i in range(10)]
    data["orderLine"]["asScored"] = {"databaseVersion": "0123456789abcdef",
                                     "kgCO2eTotal": 91234.5}
    url = f"https://pcf.example/verify/{rec.certificate_id}"
    flat = re.sub(r"\s+", " ", _pdf_text(render_pdf(env, verification_url=url,
                                                     status="superseded")))
    for words in (rec.number, "SUPERSEDED", "CUSTOMER", "LIFE-CYCLE STAGES", "DATA QUALITY",
                  "CERTIFICATE", "SCOPE AND RULES", "Primary data share",
                  "scored with database 0123456789abcdef: 91.23 t CO2e", "stage-9-"):
        assert words in flat, words
    assert rec.sha256 in flat.replace(" ", "")
    assert url in flat.replace(" ", "")


def test_revoked_pdf_says_so(tenants, store):
    from pcf.certificates.pdf import render_pdf
    from pcf.service.certificates import revoke_certificate

    rec = issue(store, tenants["alice"], "40")
    rec = revoke_certificate(store.engine, rec.certificate_id, tenant_id=None, revoked_by="t",
                             reason="test")
    page = _pdf_text(render_pdf(rec.envelope(), verification_url="https://x/v",
                                status=rec.status()))
    assert "REVOKED" in page


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (poppler-utils) is not installed: "
                           "apt-get install -y poppler-utils")
def test_pdf_rasterises_to_png_with_pdftoppm(tenants, store, tmp_path):
    from pcf.certificates.pdf import render_pdf

    rec = issue(store, tenants["alice"], "30")
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(render_pdf(rec.envelope(), verification_url="https://pcf.example/v",
                               status="active"))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf),
                    str(tmp_path / "cert")], check=True, capture_output=True, timeout=60)
    png = (tmp_path / "cert.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(width - 595.2756 * 50 / 72) <= 1 and abs(height - 841.8898 * 50 / 72) <= 1  # A4
    from PIL import Image

    with Image.open(tmp_path / "cert.png") as img:  # the page is not blank
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 20


# --------------------------------------------------------------------------- packaging


def test_migrations_have_one_head_and_downgrade_cleanly(tmp_path):
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from pcf.store import Store
    from pcf.store.db import _alembic_config

    cfg = Config()
    cfg.set_main_option("script_location", "pcf.store:migrations")
    heads = ScriptDirectory.from_config(cfg).get_heads()
    assert len(heads) == 1, heads
    store = Store.open(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with store.engine.connect() as conn:
        command.downgrade(_alembic_config(conn), "0001")
        conn.commit()
    from sqlalchemy import inspect

    assert "certificates" not in inspect(store.engine).get_table_names()
    again = Store.open(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert {"certificates", "certificate_revocations"} <= set(
        inspect(again.engine).get_table_names())


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_certificates_on_postgresql(built_home, signing_home):
    """Migration, triggers, issue/supersede/revoke on a real PostgreSQL server
    (``PCF_TEST_POSTGRES_URL``; run by .ci/run with ``-m postgres``)."""
    import os
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from pcf.service.certificates import revoke_certificate, supersede_certificate
    from pcf.store import Store

    url = os.environ.get("PCF_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("PCF_TEST_POSTGRES_URL is not set")
    name = f"pcf_cert_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        store = Store.open(make_url(url).set(database=name).render_as_string(
            hide_password=False))
        alice, _ = store.create_tenant("alice", "customer")
        save_order(store, alice, "PO-1", LINES[:2])
        first = issue(store, alice, "10")
        with pytest.raises(StateConflict):
            issue(store, alice, "10")
        second = supersede_certificate(store.engine, first.certificate_id, tenant_id=alice.id,
                                       issued_by="t", reason="fix")
        assert second.document["productFootprint"]["precedingPfIds"] == [first.certificate_id]
        revoke_certificate(store.engine, second.certificate_id, tenant_id=None,
                           revoked_by="t", reason="test")
        for sql in ("UPDATE certificates SET kg_co2e_total = 0", "DELETE FROM certificates",
                    "UPDATE certificate_revocations SET reason = 'x'",
                    "DELETE FROM certificate_revocations"):
            with pytest.raises(DatabaseError):
                with store.engine.begin() as conn:
                    conn.execute(text(sql))
        from pcf.service.certificates import verify_certificate as verify_envelope

        assert verify_envelope(second.envelope(), trusted_key())["valid"]
        store.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
