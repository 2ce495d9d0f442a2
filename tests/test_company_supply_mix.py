"""A company and reporting year's footprint applies the year's stored supply mix, everywhere.

Shengtong (coil maker) stores for 2024 and 2025 a purchased-metal mix: 0.792 Chinese-market
primary ingot (recycled_content 0) and 0.208 post-consumer scrap (recycled_content 1,
post_consumer_share 1), each over the year's site settings. The product model is linear in
those shares, so the company's footprint is 0.792 x footprint(primary line) + 0.208 x
footprint(scrap line); these tests compute the two line footprints separately with
``compute_footprint`` and check every way a company+year footprint comes out (service, API,
order line, certificate, ``pcf footprint --company``) and the reductions against that sum.
"""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from pcf import service
from pcf.errors import InvalidInput

COIL = "aluminium-coil"
PRIMARY = {"recycled_content": 0}
SCRAP = {"recycled_content": 1, "post_consumer_share": 1}
SHARES = (0.792, 0.208)
PARTS = ("total", "fossil", "biogenic", "land_use")


@pytest.fixture
def store(built_home, tmp_path, monkeypatch):
    """A fresh application database; the signing key under ``tmp_path``."""
    from pcf.certificates import signing
    from pcf.store import Store

    monkeypatch.setattr(signing, "key_dir", lambda: tmp_path / "keys")
    signing._CACHE.clear()
    for name in ("PCF_ISSUER_NAME", "PCF_ISSUER_DOMAIN", "PCF_ISSUER_ID"):
        monkeypatch.delenv(name, raising=False)
    st = Store.open(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    yield st
    st.dispose()
    signing._CACHE.clear()


def settings(year: int) -> dict:
    """The year's site settings as stored in databases/companies/shengtong-aluminium.yaml."""
    from pcf.service.company_data import company_record, year_parameters

    _, record = company_record(COIL, "shengtong")
    return year_parameters(record, year)


def by_hand(year: int, **extra) -> tuple[dict, dict]:
    """(primary line footprint, scrap line footprint), each computed on its own."""
    base = settings(year)
    return (service.compute_footprint(COIL, parameters={**base, **PRIMARY, **extra}),
            service.compute_footprint(COIL, parameters={**base, **SCRAP, **extra}))


def mixed(a: float, b: float) -> float:
    return SHARES[0] * a + SHARES[1] * b


@pytest.mark.parametrize("year", [2024, 2025])
def test_company_footprint_is_the_share_weighted_mix(store, year):
    from pcf.service.suppliers import company_footprint

    fp = company_footprint(store, COIL, "shengtong", year, quantity=20, unit="t")
    primary, scrap = by_hand(year)
    for part in PARTS:
        expected = mixed(primary["per_declared_unit"][part], scrap["per_declared_unit"][part])
        assert fp["per_declared_unit"][part] == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert fp["total"][part] == pytest.approx(20_000 * expected, rel=1e-12, abs=1e-12)
    # the mix is far below the unmixed primary coil (17.4) and above the scrap coil (1.0)
    assert scrap["per_declared_unit"]["total"] < fp["per_declared_unit"]["total"] \
        < primary["per_declared_unit"]["total"]
    stages = {s["stage"]: s["kg_co2e_per_declared_unit"] for s in fp["stages"]}
    for s_primary, s_scrap in zip(primary["stages"], scrap["stages"], strict=True):
        assert stages[s_primary["stage"]] == pytest.approx(mixed(
            s_primary["kg_co2e_per_declared_unit"], s_scrap["kg_co2e_per_declared_unit"]),
            rel=1e-12)
    total = fp["per_declared_unit"]["total"]
    assert math.fsum(stages.values()) == pytest.approx(total, rel=1e-12)
    assert math.fsum(c["kg_co2e_per_declared_unit"] for c in fp["contributions"]) \
        == pytest.approx(total, rel=1e-12)
    # a contribution of both lines: amount and kg CO2e share-weighted
    key = ("input", "activity", "kind", "stage", "unit")
    rows_a = {tuple(c[k] for k in key): c for c in primary["contributions"]}
    rows_b = {tuple(c[k] for k in key): c for c in scrap["contributions"]}
    for c in fp["contributions"]:
        a, b = rows_a.get(tuple(c[k] for k in key)), rows_b.get(tuple(c[k] for k in key))
        for value in ("amount", "kg_co2e_per_declared_unit"):
            assert c[value] == pytest.approx(mixed(a[value] if a else 0.0,
                                                   b[value] if b else 0.0),
                                             rel=1e-12, abs=1e-15)
    assert set(rows_a) | set(rows_b) == {tuple(c[k] for k in key) for c in fp["contributions"]}
    # the lines, as year_footprint lists them
    lines = fp["supply_mix"]
    assert [line["share"] for line in lines] == list(SHARES)
    assert [line["parameters"] for line in lines] == [PRIMARY, SCRAP]
    assert [line["origin"] for line in lines] == ["assumption", "assumption"]
    assert lines[0]["per_declared_unit"] == pytest.approx(
        primary["per_declared_unit"]["total"], rel=1e-12)
    assert lines[1]["per_declared_unit"] == pytest.approx(
        scrap["per_declared_unit"]["total"], rel=1e-12)
    assert fp["parameters"]["recycled_content"] == pytest.approx(0.208)
    assert any("recycled_content" in w and "supply_mix" in w for w in fp["warnings"])
    # GWP basis: kg mixed, percent and label from the mixed kg
    basis = fp["gwp_basis"]
    for b, kg in basis["kgCO2ePerDeclaredUnit"].items():
        assert kg == pytest.approx(mixed(
            primary["gwp_basis"]["kgCO2ePerDeclaredUnit"].get(b, 0.0),
            scrap["gwp_basis"]["kgCO2ePerDeclaredUnit"].get(b, 0.0)), rel=1e-12)
        assert basis["percent"][b] == round(100 * kg / total, 2)
    assert math.fsum(basis["kgCO2ePerDeclaredUnit"].values()) == pytest.approx(total, rel=1e-9)
    assert fp["method"]["label"] == basis["label"]
    assert f"{basis['ar6_percent']:.1f} %" in basis["label"]
    # no supplier figure stored: nothing primary; dqi rated on the mixed contributions
    assert fp["primary_data"]["percent"] == 0.0
    from pcf.accounting.data_quality import pedigree_dqi
    from pcf.service.footprints import traced_contributions

    assert fp["dqi"] == pedigree_dqi({"contributions": traced_contributions(
        COIL, fp["contributions"])})


@pytest.mark.parametrize("year", [2024, 2025])
def test_reductions_use_the_same_figure(store, year):
    from pcf.service.suppliers import company_footprint

    fp = company_footprint(store, COIL, "shengtong", year)
    result = service.reductions(COIL, "shengtong", 2025, store=store)
    row = next(r for r in result["stages"] if r["stage"] == "total")
    value = row["base_year_value"] if year == 2024 else row["year_value"]
    assert value == pytest.approx(fp["per_declared_unit"]["total"], rel=1e-12)
    for stage in fp["stages"]:
        row = next(r for r in result["stages"] if r["stage"] == stage["stage"])
        value = row["base_year_value"] if year == 2024 else row["year_value"]
        assert value == pytest.approx(stage["kg_co2e_per_declared_unit"], rel=1e-12)


def test_caller_parameters_override_every_line_and_are_named(store):
    from pcf.service.suppliers import company_footprint

    fp = company_footprint(store, COIL, "shengtong", 2025,
                           parameters={"recycled_content": 0.5, "site_grid": "cn-south"})
    base = {**settings(2025), "site_grid": "cn-south"}
    a = service.compute_footprint(COIL, parameters={**base, "recycled_content": 0.5})
    b = service.compute_footprint(COIL, parameters={**base, "recycled_content": 0.5,
                                                    "post_consumer_share": 1})
    assert fp["per_declared_unit"]["total"] == pytest.approx(
        mixed(a["per_declared_unit"]["total"], b["per_declared_unit"]["total"]), rel=1e-12)
    assert [line["resolved_parameters"]["recycled_content"] for line in fp["supply_mix"]] \
        == [0.5, 0.5]
    assert sum("recycled_content = 0.5 given with the request overrides the supply-mix line"
               in w for w in fp["warnings"]) == 2
    assert not any("site_grid" in w and "overrides" in w for w in fp["warnings"])


def test_stored_supplier_ingot_figure_on_top_of_the_mix(store):
    """A stored ingot figure (4.1, all of the primary ingot) sets the ingot footprint on every
    line; only the primary line buys ingot, so its primary data come in at 0.792."""
    from pcf.service.suppliers import company_footprint
    from tests.test_suppliers import do_import, pact_doc

    do_import(store, pact_doc(), share=1.0)
    fp = company_footprint(store, COIL, "shengtong", 2025)
    supplier = {"primary_ingot_footprint": 4.1, "primary_ingot_supplier_share": 1.0}
    primary, scrap = by_hand(2025, **supplier)
    total = mixed(primary["per_declared_unit"]["total"], scrap["per_declared_unit"]["total"])
    assert fp["per_declared_unit"]["total"] == pytest.approx(total, rel=1e-12)
    kg = mixed(primary["primary_data"]["kgCO2ePerDeclaredUnit"],
               scrap["primary_data"]["kgCO2ePerDeclaredUnit"])
    assert kg > 0 and scrap["primary_data"]["kgCO2ePerDeclaredUnit"] == 0.0
    assert fp["primary_data"]["kgCO2ePerDeclaredUnit"] == pytest.approx(kg, rel=1e-12)
    assert fp["primary_data"]["percent"] == round(100 * kg / total, 2)
    marked = [c for c in fp["contributions"] if c.get("supplier_input") == "aluminium-ingot"]
    assert marked and all(c["supplier_specific"] for c in marked)
    (used,) = fp["supplier_footprints"]
    assert used["kg_co2e_per_declared_unit"] == pytest.approx(
        math.fsum(c["kg_co2e_per_declared_unit"] for c in marked), rel=1e-12)
    with pytest.raises(InvalidInput) as clash:      # still refused: the stored figure sets it
        company_footprint(store, COIL, "shengtong", 2025,
                          parameters={"primary_ingot_footprint": 3})
    assert clash.value.field == "parameters.primary_ingot_footprint"


def test_company_without_a_supply_mix_is_unchanged(store):
    from pcf.service.company_data import company_record, supply_mix_of, year_parameters
    from pcf.service.suppliers import company_footprint

    _, record = company_record("battery-cell-nmc811", "sunwoda")
    assert supply_mix_of(record, 2024) is None
    fp = company_footprint(store, "battery-cell-nmc811", "sunwoda", 2024)
    plain = service.compute_footprint("battery-cell-nmc811",
                                      parameters=year_parameters(record, 2024))
    assert fp["per_declared_unit"] == plain["per_declared_unit"]
    assert fp["contributions"] == plain["contributions"]
    assert "supply_mix" not in fp


def test_bad_inputs_are_still_named(store):
    from pcf.service.suppliers import company_footprint

    cases = [({"company": "acme", "year": 2025}, "company"),
             ({"company": "shengtong", "year": 1800}, "year"),
             ({"company": "shengtong", "year": 2025, "parameters": {"recycled_content": 2}},
              "parameters.recycled_content"),
             ({"company": "shengtong", "year": 2025, "parameters": {"nope": 1}},
              "parameters.nope"),
             ({"company": "shengtong", "year": 2025, "quantity": -1}, "quantity")]
    for kwargs, field in cases:
        args = {k: kwargs.pop(k) for k in ("company", "year")}
        with pytest.raises(InvalidInput) as info:
            company_footprint(store, COIL, args["company"], args["year"], **kwargs)
        assert info.value.field == field, (kwargs, info.value.field)


def test_api_order_line_certificate_and_cli_give_the_same_number(built_home, tmp_path,
                                                                 monkeypatch):
    from pcf.api import create_app
    from pcf.certificates import signing
    from pcf.certificates.pact import decimal_str
    from pcf.cli import main
    from pcf.service.certificates import verify_certificate
    from pcf.service.suppliers import company_footprint

    monkeypatch.setattr(signing, "key_dir", lambda: tmp_path / "keys")
    signing._CACHE.clear()
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    app = create_app({"PCF_DATABASE_URL": url, "TESTING": True})
    store = app.extensions["pcf"].store
    try:
        expected = company_footprint(store, COIL, "shengtong", 2025)["per_declared_unit"]
        primary, scrap = by_hand(2025)
        assert expected["total"] == pytest.approx(mixed(primary["per_declared_unit"]["total"],
                                                         scrap["per_declared_unit"]["total"]),
                                                   rel=1e-12)
        _, key = store.create_tenant("buyer", "engineer")
        h = {"Authorization": f"Bearer {key}"}
        client = app.test_client()
        resp = client.post("/v1/footprints", json={"product": COIL, "company": "shengtong",
                                                   "year": 2025}, headers=h)
        assert resp.status_code == 200, resp.data
        assert resp.get_json()["per_declared_unit"] == expected
        assert len(resp.get_json()["supply_mix"]) == 2
        refused = client.post("/v1/footprints", json={
            "product": COIL, "company": "shengtong", "year": 2025,
            "uncertainty": {"draws": 10}}, headers=h)
        assert refused.status_code == 422
        order = {"order_id": "PO-MIX", "lines": [{"line_id": "1", "product": COIL,
                                                  "quantity": 20, "unit": "t",
                                                  "company": "shengtong", "year": 2025}]}
        resp = client.post("/v1/orders", json=order, headers=h)
        assert resp.status_code == 201, resp.data
        line = resp.get_json()["lines"][0]["footprint"]
        assert line["per_declared_unit"] == expected
        assert line["total"]["total"] == pytest.approx(20_000 * expected["total"], rel=1e-12)
        resp = client.post("/v1/certificates", json={"order_id": "PO-MIX", "line_id": "1"},
                           headers=h)
        assert resp.status_code == 201, resp.data
        cert = resp.get_json()
        pf = cert["document"]["productFootprint"]
        assert pf["pcf"]["pcfExcludingBiogenicUptake"] == decimal_str(expected["total"])
        calc = pf["extensions"][0]["data"]["calculation"]
        assert [m["share"] for m in calc["supplyMix"]] == list(SHARES)
        assert calc["supplyMix"][1]["parameters"]["recycled_content"] == 1
        verification = client.get(f"/v1/certificates/{cert['id']}/verification",
                                  headers=h).get_json()
        assert verification["valid"] is True, verification
        envelope = {k: cert[k] for k in ("document", "sha256", "signature")}
        offline = verify_certificate(envelope, signing.local_public_key())
        assert offline["checks"]["recomputation"]["status"] == "match", offline
    finally:
        store.dispose()
        signing._CACHE.clear()
    res = CliRunner().invoke(main, ["footprint", COIL, "--company", "shengtong", "--year",
                                    "2025", "--format", "json"],
                             env={"PCF_DATABASE_URL": url})
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["per_declared_unit"] == expected
    res = CliRunner().invoke(main, ["footprint", COIL, "--company", "shengtong", "--year",
                                    "2025", "--mc", "10"], env={"PCF_DATABASE_URL": url})
    assert res.exit_code != 0 and "--mc" in res.output


def test_a_variant_sits_under_the_lines_and_says_so(store):
    from pcf.service.suppliers import company_footprint

    fp = company_footprint(store, COIL, "shengtong", 2025, variant="recycled")
    plain = company_footprint(store, COIL, "shengtong", 2025)
    assert fp["variant"] == "recycled"
    assert fp["per_declared_unit"]["total"] == pytest.approx(
        plain["per_declared_unit"]["total"], rel=1e-12)
    assert any("variant 'recycled' sets recycled_content = 1" in w
               and "primary ingot" in w for w in fp["warnings"])
