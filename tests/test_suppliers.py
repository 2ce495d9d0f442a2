"""Supplier-specific footprints (issue 15), without Flask: the replaceable inputs in the
products, each way in, each refusal (with nothing stored), the questionnaire round trip, the
blend for a company and reporting year, primary data share, certificates and reductions.

Expected numbers are computed here from the product files' own figures (kg of input per
declared unit) and from independent footprints of the average input, never copied from what
pcf printed.
"""

from __future__ import annotations

import copy
import io
import json
import uuid
from datetime import UTC, datetime

import pytest

from pcf import service
from pcf.errors import (
    InvalidInput,
    SupplierFootprintConflict,
    SupplierFootprintRejected,
    UnknownSupplierFootprint,
)
from pcf.supplier_inputs import INPUTS, REPLACEMENTS
from tests.test_certificates import SCHEMA_PATH, save_order

NOW = datetime(2026, 12, 2, tzinfo=UTC)
NMC, LFP = "battery-cell-nmc811", "battery-cell-lfp"
# kg per kWh at the default energy densities (issue 16 bills of materials): NMC811 from the VW
# ID.3 teardown (cathode coating 481.4 g, anode coating 352.2 g in a 1.1 kg cell; 0.95 active
# material and 0.94 graphite per kg coating, Dai 2019) at 280 Wh/kg; LFP cathode paste 0.38916
# kg per kg cell x 0.87 LiFePO4 (premise) at 160 Wh/kg
NMC_CAM_PER_KWH = 481.4 / 1100 * 0.95 * 1000 / 280
LIOH_PER_KWH = NMC_CAM_PER_KWH * 0.4312   # x kg LiOH.H2O per kg CAM (NMC811 file)
GRAPHITE_PER_KWH = 352.2 / 1100 * 0.94 * 1000 / 280 * 0.6575  # x synthetic share
LI2CO3_PER_KWH = 0.3891557995881949 * 0.87 * 1000 / 160 * 0.2342  # x kg Li2CO3 per kg LiFePO4


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


def pact_doc(total="4.1", fossil="4.0", land_use="0.1", **changes) -> dict:
    """A supplier's PACT v3 ProductFootprint of primary aluminium ingot, 2025 data."""
    doc = {
        "id": str(uuid.uuid4()), "specVersion": "3.0.3", "created": "2026-03-01T00:00:00Z",
        "status": "Active", "validityPeriodStart": "2026-03-01T00:00:00Z",
        "validityPeriodEnd": "2028-12-31T00:00:00Z",
        "companyName": "Yunnan Hydro Aluminium",
        "companyIds": ["urn:pact:company:customcode:buyer-assigned:yha"],
        "productDescription": "Primary aluminium ingot P1020, hydro-powered smelter",
        "productIds": ["urn:pact:yha.example:product-id:p1020"],
        "productNameCompany": "P1020 ingot",
        "pcf": {
            "declaredUnitOfMeasurement": "kilogram", "declaredUnitAmount": "1",
            "productMassPerDeclaredUnit": "1",
            "referencePeriodStart": "2025-01-01T00:00:00Z",
            "referencePeriodEnd": "2026-01-01T00:00:00Z",
            "pcfExcludingBiogenicUptake": total, "pcfIncludingBiogenicUptake": total,
            "fossilGhgEmissions": fossil, "landUseChangeGhgEmissions": land_use,
            "fossilCarbonContent": "0", "ipccCharacterizationFactors": ["AR6"],
            "crossSectoralStandards": ["ISO14067"], "exemptedEmissionsPercent": "0",
            "primaryDataShare": "71.5",
            "boundaryProcessesDescription": "Cradle-to-gate: bauxite, alumina refining, "
                                            "electrolysis on hydro power, casting.",
        },
    }
    for key, value in changes.items():
        if key.startswith("pcf_"):
            doc["pcf"][key[4:]] = value
        else:
            doc[key] = value
    return doc


def do_import(store, document, company="shengtong", year=2025, input_id="aluminium-ingot",
              share=None):
    from pcf.service.suppliers import import_document

    return import_document(store, document, company=company, year=year, input_id=input_id,
                           share=share, now=NOW)


def stored(store) -> list:
    from pcf.service.suppliers import list_footprints

    return list_footprints(store)


def total(product: str, **params) -> float:
    return service.compute_footprint(product, parameters=params or None,
                                     contributions=False)["per_declared_unit"]["total"]


# --------------------------------------------------------------------------- the one list


def test_every_replacement_is_in_its_product(engine):
    for r in REPLACEMENTS:
        assert r.input in INPUTS
        specs = service.model(r.product).specs
        footprint, share = specs[r.footprint], specs[r.share]
        assert footprint.optional and footprint.default is None
        assert footprint.unit == "kg CO2e/kg" and share.unit == "kg/kg"
        assert (share.default, share.min, share.max) == (1.0, 0.0, 1.0)
        # at defaults the figure is not given: the product is the average one
        result = engine.system(r.product).evaluate(service.model(r.product).resolve().encoded)
        assert result.supplier_specific[r.input] == 0.0


def test_covered_share_takes_the_supplier_figure_the_rest_the_average(built_home):
    """cell(S, F) - cell() = kg of the input x S x (F - average input): kg from the product
    files, the average from the input's own product model at the cell's settings."""
    for product, input_product, kg, prefix, bound in (
            (NMC, "lithium-hydroxide", LIOH_PER_KWH, "lithium_hydroxide", {}),
            (NMC, "graphite-anode", GRAPHITE_PER_KWH, "graphite_anode",
             {"natural_graphite_share": 0}),
            (LFP, "lithium-carbonate", LI2CO3_PER_KWH, "lithium_carbonate", {})):
        average = total(input_product, **bound)
        for share, figure in ((1.0, 3.0), (0.35, 12.5), (0.8, 0.0)):
            moved = total(product, **{f"{prefix}_footprint": figure,
                                      f"{prefix}_supplier_share": share}) - total(product)
            # float32 amounts as in bw2calc: ~1e-7 relative on each exchange
            assert moved == pytest.approx(kg * share * (figure - average), abs=2e-5), \
                (product, input_product, share, figure)


def test_other_inputs_move_linearly_with_the_covered_kilograms(built_home):
    """Ingot, NdPr metal and oxide, Ni and Co sulfates: the footprint is linear in F with
    slope = the covered kg the result reports, and S = 0 is the average."""
    for r in REPLACEMENTS:
        a = service.compute_footprint(r.product, parameters={r.footprint: 2.0,
                                                              r.share: 0.4})
        b = service.compute_footprint(r.product, parameters={r.footprint: 7.0,
                                                              r.share: 0.4})
        (covered,) = a["supplier_specific_inputs"]
        assert covered["input"] == r.input and covered["kg_per_declared_unit"] > 0
        slope = (b["per_declared_unit"]["total"] - a["per_declared_unit"]["total"]) / 5.0
        assert slope == pytest.approx(covered["kg_per_declared_unit"], rel=1e-5)
        none = total(r.product, **{r.footprint: 5.0, r.share: 0.0})
        assert none == pytest.approx(total(r.product), rel=1e-12)


def test_supplier_parts_are_marked_and_are_the_primary_data(built_home):
    fp = service.compute_footprint(NMC, parameters={"lithium_hydroxide_footprint": 9.0,
                                                    "lithium_hydroxide_supplier_share": 0.5})
    marked = [c for c in fp["contributions"] if c.get("supplier_specific")]
    assert [c["supplier_parameter"] for c in marked] == ["lithium_hydroxide_footprint"]
    primary = LIOH_PER_KWH * 0.5 * 9.0
    assert marked[0]["kg_co2e_per_declared_unit"] == pytest.approx(primary, rel=1e-6)
    assert fp["primary_data"]["percent"] == pytest.approx(
        round(100 * primary / fp["per_declared_unit"]["total"], 2), abs=0.011)
    plain = service.compute_footprint(NMC)
    assert plain["primary_data"]["percent"] == 0.0
    assert not any(c.get("supplier_specific") for c in plain["contributions"])


def test_covered_graphite_keeps_its_carbon(built_home):
    from pcf.accounting.carbon_content import fossil_carbon_content

    plain = fossil_carbon_content(service.compute_footprint(NMC, provenance=True))
    covered = service.compute_footprint(NMC, provenance=True, parameters={
        "graphite_anode_footprint": 5.0, "graphite_anode_supplier_share": 0.7})
    assert fossil_carbon_content(covered)["kgCPerDeclaredUnit"] == pytest.approx(
        plain["kgCPerDeclaredUnit"], rel=1e-6)


# --------------------------------------------------------------------------- way 1: PACT JSON


def test_pact_document_is_stored_with_its_origin_once(store):
    from jsonschema import Draft202012Validator

    doc = pact_doc()
    schema = json.loads(SCHEMA_PATH.read_text())
    assert not list(Draft202012Validator(schema).iter_errors(doc))  # a real v3 document
    first = do_import(store, doc, share=0.6)
    (record,) = first["stored"]
    assert record["way_in"] == "pact-json" and record["pf_id"] == doc["id"]
    assert record["kg_co2e_per_kg"] == {"total": 4.1, "fossil": 4.0, "biogenic": 0.0,
                                        "land_use": 0.1}
    assert record["share"] == 0.6 and record["primary_data_share"] == 71.5
    assert record["verification"]["status"] == "supplier-declared"
    assert record["boundary"] == "cradle-to-gate" and record["flags"] == []
    assert record["valid_until"] == "2028-12-31T00:00:00Z"
    again = do_import(store, copy.deepcopy(doc), share=0.6)
    assert again["stored"] == [] and again["already_stored"][0]["id"] == record["id"]
    assert len(stored(store)) == 1


def test_a_figure_for_another_year_is_flagged(store):
    (record,) = do_import(store, pact_doc(), year=2024)["stored"]
    assert record["flags"] == ["reference period 2025-01-01 to 2026-01-01 is after the "
                               "reporting year 2024: a later figure applied to an earlier year"]


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("change, check, field", [
    ({"pcf_declaredUnitOfMeasurement": "kilowatt hour"}, "unit",
     "pcf.declaredUnitOfMeasurement"),
    ({"pcf_boundaryProcessesDescription": "Gate-to-gate: casting only."}, "boundary",
     "pcf.boundaryProcessesDescription"),
    ({"validityPeriodEnd": "2026-06-30T00:00:00Z"}, "expiry", "validityPeriodEnd"),
    ({"pcf_ipccCharacterizationFactors": ["AR5"]}, "gwp", "pcf.ipccCharacterizationFactors"),
    ({"status": "Deprecated"}, "status", "status"),
    ({"specVersion": "2.3.0"}, "format", "specVersion"),
    ({"pcf_pcfExcludingBiogenicUptake": "4.1e3"}, "format", "pcf.pcfExcludingBiogenicUptake"),
    ({"pcf_pcfExcludingBiogenicUptake": "4100", "pcf_fossilGhgEmissions": "4100"}, "unit",
     "pcf.pcfExcludingBiogenicUptake"),   # kg CO2e per t: above the ingot parameter's range
])
def test_refused_documents_store_nothing(store, change, check, field):
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, pact_doc(**change))
    assert info.value.check == check and info.value.field == field, info.value
    assert stored(store) == []


def test_reference_period_too_old_for_the_reporting_year(store):
    doc = pact_doc(pcf_referencePeriodStart="2020-01-01T00:00:00Z",
                   pcf_referencePeriodEnd="2021-01-01T00:00:00Z",
                   validityPeriodEnd="2029-01-01T00:00:00Z")
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, doc, year=2025)
    assert info.value.check == "expiry" and "more than 3 years" in info.value.message
    (record,) = do_import(store, doc, year=2021)["stored"]   # fine for its own year
    assert record["year"] == 2021


def test_no_validity_means_three_years_from_the_reference_period(store):
    doc = pact_doc(pcf_referencePeriodStart="2022-01-01T00:00:00Z",
                   pcf_referencePeriodEnd="2023-01-01T00:00:00Z")
    del doc["validityPeriodEnd"], doc["validityPeriodStart"]
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, doc, year=2023)    # valid until 2026-01-01, before NOW
    assert info.value.check == "expiry" and "2026-01-01" in info.value.message
    assert stored(store) == []


def test_shares_never_cover_more_than_the_input(store):
    do_import(store, pact_doc(), share=0.7)
    with pytest.raises(SupplierFootprintConflict):
        do_import(store, pact_doc(total="6.0", fossil="6.0", land_use="0"), share=0.4)
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, pact_doc(), share=1.5)
    assert info.value.check == "share"
    assert len(stored(store)) == 1
    do_import(store, pact_doc(total="6.0", fossil="6.0", land_use="0"), share=0.3)
    assert len(stored(store)) == 2


def test_unknown_company_input_or_year(store):
    for kwargs, field in (({"company": "acme"}, "company"), ({"input_id": "steel"}, "input"),
                          ({"year": 1850}, "year")):
        with pytest.raises(InvalidInput) as info:
            do_import(store, pact_doc(), **kwargs)
        assert info.value.field == field
    assert stored(store) == []


# --------------------------------------------------------------------------- way 1b: certificate


def _certificate_file(store, product="lithium-hydroxide", parameters=None, unit="kg") -> dict:
    from pcf.service.certificates import certificate_view, issue_certificate

    tenant, _ = store.create_tenant(f"t-{uuid.uuid4().hex[:6]}", "engineer")
    save_order(store, tenant, "PO-LI", [{"line_id": "1", "product": product,
                                         "quantity": 1000, "unit": unit,
                                         "parameters": parameters or {}}])
    record = issue_certificate(store.engine, tenant_id=tenant.id, order_id="PO-LI",
                               line_id="1", issued_by="tester")
    view = certificate_view(record)
    return {"document": view["document"], "sha256": view["sha256"],
            "signature": view["signature"]}


def _trust_own_key(store, name="tianqi"):
    from pcf.certificates.signing import public_key_info
    from pcf.service.suppliers import trust

    return trust(store, name, json.dumps(public_key_info()))


def test_certificate_needs_a_trusted_key_and_an_untouched_file(store):
    envelope = _certificate_file(store, parameters={"conversion_grid": "cn-sichuan"})
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, envelope, company="sunwoda", year=2024, input_id="lithium-hydroxide")
    assert info.value.check == "untrusted-key"
    _trust_own_key(store)
    tampered = copy.deepcopy(envelope)
    tampered["document"]["productFootprint"]["pcf"]["pcfExcludingBiogenicUptake"] = "1.5"
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, tampered, company="sunwoda", year=2024, input_id="lithium-hydroxide")
    assert info.value.check == "signature"
    resigned = copy.deepcopy(tampered)   # hash recomputed, signature not
    from pcf.certificates.signing import canonical_json, sha256_hex

    resigned["sha256"] = sha256_hex(canonical_json(resigned["document"]))
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, resigned, company="sunwoda", year=2024, input_id="lithium-hydroxide")
    assert info.value.check == "signature"
    assert stored(store) == []
    (record,) = do_import(store, envelope, company="sunwoda", year=2024,
                          input_id="lithium-hydroxide")["stored"]
    assert record["way_in"] == "pcf-certificate"
    assert record["verification"]["status"] == "signature-verified"
    assert record["verification"]["trustedAs"] == "tianqi"
    pf = envelope["document"]["productFootprint"]["pcf"]
    assert record["kg_co2e_per_kg"]["total"] == float(pf["pcfExcludingBiogenicUptake"])


def test_a_per_kwh_certificate_cannot_replace_a_per_kg_input(store):
    envelope = _certificate_file(store, product=LFP, unit="kWh")
    _trust_own_key(store)
    with pytest.raises(SupplierFootprintRejected) as info:
        do_import(store, envelope, company="sunwoda", year=2024, input_id="graphite-anode")
    assert info.value.check == "unit" and "kilowatt hour" in info.value.message
    assert stored(store) == []


def test_trusted_keys_are_listed_and_removed(store):
    from pcf.service.suppliers import trust, trusted, untrust

    _trust_own_key(store, "kaijin")
    with pytest.raises(SupplierFootprintConflict):
        _trust_own_key(store, "kaijin-2")          # same key under another name
    with pytest.raises(InvalidInput):
        trust(store, "x", "not a key")
    assert [k["name"] for k in trusted(store)] == ["kaijin"]
    assert untrust(store, "kaijin") and trusted(store) == []


# --------------------------------------------------------------------------- way 2: questionnaire


ANSWERS = {"supplier_name": "Kaijin New Energy", "product_name": "KJ-AG1 synthetic graphite",
           "kg_co2e_total": 6.0, "kg_co2e_fossil": 5.9, "kg_co2e_land_use": 0.1,
           "reference_period_start": "2024-01-01", "reference_period_end": "2025-01-01",
           "primary_data_share": 62, "temporal_dqr": 1.5, "verification": "limited",
           "verifier": "TUV Rheinland", "verification_standard": "ISO 14064-3"}


def filled(answers=None, input_id="graphite-anode", edit=None) -> bytes:
    from openpyxl import load_workbook

    from pcf.service.suppliers import questionnaire_template

    wb = load_workbook(io.BytesIO(questionnaire_template(input_id)))
    ws = wb["Footprint"]
    answers = ANSWERS if answers is None else answers
    for row in range(2, ws.max_row + 1):
        key = ws.cell(row=row, column=1).value
        if key in answers:
            ws.cell(row=row, column=4).value = answers[key]
    if edit:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_questionnaire_round_trip_to_a_footprint(store):
    from pcf.service.suppliers import company_footprint, import_workbook

    result = import_workbook(store, filled(), company="sunwoda", year=2024, share=0.5,
                             source_name="kaijin.xlsx", now=NOW)
    (record,) = result["stored"]
    assert record["way_in"] == "questionnaire" and record["input"] == "graphite-anode"
    assert record["verification"] == {"status": "third-party", "level": "limited",
                                      "providerName": "TUV Rheinland",
                                      "standardName": "ISO 14064-3"}
    assert record["data_quality"] == {"temporalDQR": 1.5}
    assert record["valid_until"] == "2028-01-01T00:00:00Z"   # reference end + 3 years
    fp = company_footprint(store, NMC, "sunwoda", 2024)
    settings = {"cell_factory_grid": "cn-south", "graphitization_grid": "cn-south",
                "lithium_source": "spodumene", "renewable_electricity_share": 0}
    average = total("graphite-anode", graphitization_grid="cn-south", natural_graphite_share=0)
    expected = total(NMC, **settings) + GRAPHITE_PER_KWH * 0.5 * (6.0 - average)
    assert fp["per_declared_unit"]["total"] == pytest.approx(expected, abs=2e-5)
    (used,) = fp["supplier_footprints"]
    assert used["covered_share"] == 0.5 and used["kg_co2e_per_kg"] == 6.0
    assert used["kg_per_declared_unit"] == pytest.approx(GRAPHITE_PER_KWH * 0.5, rel=1e-6)
    assert [c["supplier_input"] for c in fp["contributions"] if c.get("supplier_specific")] \
        == ["graphite-anode"]
    assert fp["primary_data"]["percent"] == pytest.approx(
        100 * GRAPHITE_PER_KWH * 0.5 * 6.0 / fp["per_declared_unit"]["total"], abs=0.01)
    # the same answers again are recognised, even saved again as a file with other bytes
    # (an .xlsx carries its save time and properties)
    resaved = filled(edit=lambda wb: setattr(wb.properties, "title", "saved again"))
    assert resaved != filled()
    again = import_workbook(store, resaved, company="sunwoda", year=2024, share=0.5, now=NOW)
    assert again["stored"] == [] and len(again["already_stored"]) == 1
    assert again["already_stored"][0]["id"] == record["id"]


def _row(key: str) -> int:
    from pcf.service.supplier_questionnaire import FIELDS

    return 2 + [f.key for f in FIELDS].index(key)


@pytest.mark.parametrize("answers, edit, message, field", [
    ({**ANSWERS, "kg_co2e_total": "six"}, None, "'six' is not a number",
     "sheet 'Footprint', row {kg_co2e_total}, column D (kg_co2e_total)"),
    ({**ANSWERS, "supplier_name": None}, None, "a value is required",
     "sheet 'Footprint', row {supplier_name}, column D (supplier_name)"),
    ({**ANSWERS, "kg_co2e_fossil": 3.0}, None, "must agree within 1 %",
     "sheet 'Footprint', row {kg_co2e_total}, column D (kg_co2e_total)"),
    ({**ANSWERS, "primary_data_share": 140}, None, "out of range",
     "sheet 'Footprint', row {primary_data_share}, column D (primary_data_share)"),
    ({**ANSWERS, "reference_period_end": "31/12/2024"}, None, "is not a date",
     "sheet 'Footprint', row {reference_period_end}, column D (reference_period_end)"),
    (ANSWERS, lambda wb: wb["Footprint"].cell(row=_row("boundary"), column=4,
                                              value="cradle-to-shelf"),
     "'cradle-to-shelf' is not an allowed value",
     "sheet 'Footprint', row {boundary}, column D (boundary)"),
    (ANSWERS, lambda wb: wb["Footprint"].cell(row=_row("gwp_set"), column=1, value="gwp"),
     "unknown field 'gwp'", "sheet 'Footprint', row {gwp_set}, column A (gwp)"),
    (ANSWERS, lambda wb: setattr(wb["Footprint"], "title", "Data"),
     "the sheet 'Footprint' is missing", "sheet 'Footprint'"),
])
def test_malformed_workbooks_name_sheet_row_column(store, answers, edit, message, field):
    from pcf.service.suppliers import import_workbook

    with pytest.raises(SupplierFootprintRejected) as info:
        import_workbook(store, filled(answers, edit=edit), company="sunwoda", year=2024,
                        now=NOW)
    rows = {k: _row(k) for k in ("kg_co2e_total", "supplier_name", "primary_data_share",
                                 "reference_period_end", "boundary", "gwp_set")}
    assert info.value.check == "workbook" and message in info.value.message, info.value
    assert info.value.field == field.format(**rows)
    assert stored(store) == []


def test_questionnaire_checks_are_the_same_validator(store):
    from pcf.service.suppliers import import_file, import_workbook

    for answers, check in (({**ANSWERS, "boundary": "gate-to-gate"}, "boundary"),
                           ({**ANSWERS, "gwp_set": "AR5"}, "gwp"),
                           ({**ANSWERS, "reference_period_start": "2019-01-01",
                             "reference_period_end": "2020-01-01"}, "expiry")):
        with pytest.raises(SupplierFootprintRejected) as info:
            import_workbook(store, filled(answers), company="sunwoda", year=2024, now=NOW)
        assert info.value.check == check
    with pytest.raises(SupplierFootprintRejected) as info:
        import_workbook(store, filled(), company="sunwoda", year=2024, now=NOW,
                        input_id="lithium-hydroxide")
    assert "the questionnaire is for 'graphite-anode'" in info.value.message
    with pytest.raises(SupplierFootprintRejected) as info:
        import_file(store, b"PK\x03\x04not really a zip", name="x.xlsx", company="sunwoda",
                    year=2024, now=NOW)
    assert info.value.check == "workbook" and info.value.field == "file"
    assert stored(store) == []


# --------------------------------------------------------------------------- way 3: pull


class FakeHost:
    """A PACT host's ListFootprints as PactClient sees it (pages already followed)."""

    def __init__(self, documents):
        self.documents = documents
        self.params = None

    def list_footprints(self, params=None):
        self.params = params
        return self.documents


def test_pull_stores_active_footprints_with_their_origin(store):
    from pcf.service.suppliers import pull

    wanted = "urn:pact:yha.example:product-id:p1020"
    old = pact_doc(status="Deprecated")
    other = pact_doc(productIds=["urn:pact:yha.example:product-id:billet"])
    new = pact_doc(precedingPfIds=[old["id"]])
    host = FakeHost([old, other, new])
    result = pull(store, "https://pact.yha.example", "shengtong", "secret",
                  product_ids=[wanted], company="shengtong", year=2025,
                  input_id="aluminium-ingot", page_size=1, client=host, now=NOW)
    assert host.params == [("productId", wanted), ("limit", "1")]
    (record,) = result["stored"]
    assert record["pf_id"] == new["id"] and record["way_in"] == "pact-pull"
    assert record["verification"] == {"status": "pact-host",
                                      "host": "https://pact.yha.example"}
    assert record["origin"]["host"] == "https://pact.yha.example"
    assert record["origin"]["pfId"] == new["id"]
    assert result["skipped"] == [{"id": old["id"], "status": "Deprecated"}]


def test_pull_refusals_store_nothing(store):
    from pcf.errors import UpstreamFailed
    from pcf.pact.client import PactClientError
    from pcf.service.suppliers import pull

    kwargs = {"company": "shengtong", "year": 2025, "input_id": "aluminium-ingot", "now": NOW}
    with pytest.raises(SupplierFootprintRejected) as info:
        pull(store, "https://h.example", "c", "s", client=FakeHost(
            [pact_doc(), pact_doc(pcf_declaredUnitOfMeasurement="piece")]), **kwargs)
    assert info.value.check == "unit"          # one bad footprint: none stored
    with pytest.raises(UnknownSupplierFootprint):
        pull(store, "https://h.example", "c", "s", client=FakeHost([]), **kwargs)

    class Down:
        def list_footprints(self, params=None):
            raise PactClientError("POST https://h.example/auth/token: 401", 401, "")

    with pytest.raises(UpstreamFailed):
        pull(store, "https://h.example", "c", "s", client=Down(), **kwargs)
    with pytest.raises(InvalidInput) as bad_host:
        pull(store, "http://h.example", "c", "s", client=FakeHost([pact_doc()]), **kwargs)
    assert bad_host.value.field == "host"    # plain http only on loopback
    assert stored(store) == []


# --------------------------------------------------------------------------- use


def test_several_suppliers_blend_by_share_and_replace_the_back_solved_ingot(store):
    """Shengtong 2025: no ingot setting of its own (issue 16 replaced the back-solved
    primary_ingot_footprint 4.846 by a supply mix on pcf's modelled ingot); two stored ingot
    figures (0.5 at 4.1, 0.3 at 8.0) cover 0.8 of the primary ingot, the rest stays modelled."""
    from pcf.service.suppliers import company_footprint, company_parameters

    do_import(store, pact_doc(), share=0.5)
    do_import(store, pact_doc(total="8.0", fossil="8.0", land_use="0",
                              companyName="Another smelter"), share=0.3)
    params, info = company_parameters(store, "aluminium-coil", "shengtong", 2025)
    covered, mean = 0.8, (0.5 * 4.1 + 0.3 * 8.0) / 0.8
    assert params["primary_ingot_supplier_share"] == pytest.approx(covered, rel=1e-12)
    assert params["primary_ingot_footprint"] == pytest.approx(mean, rel=1e-12)
    assert not any("replace the company setting" in n for n in info["notes"])
    assert "aluminium-ingot: the stored supplier figures (2025) cover 0.8 of it; the other " \
           "0.2 stays on pcf's modelled average" in info["notes"]
    fp = company_footprint(store, "aluminium-coil", "shengtong", 2025)
    # the company's 2025 supply mix: 0.792 primary ingot (recycled_content 0) and 0.208
    # post-consumer scrap; the stored ingot figures apply to both lines (on the scrap line no
    # primary ingot is bought, so they change nothing there)
    primary = service.compute_footprint("aluminium-coil",
                                        parameters={**params, "recycled_content": 0})
    scrap = service.compute_footprint("aluminium-coil", parameters={
        **params, "recycled_content": 1, "post_consumer_share": 1})
    for part in ("total", "fossil", "biogenic", "land_use"):
        assert fp["per_declared_unit"][part] == pytest.approx(
            0.792 * primary["per_declared_unit"][part]
            + 0.208 * scrap["per_declared_unit"][part], rel=1e-12, abs=1e-15)
    (used,) = fp["supplier_footprints"]
    assert [r["supplier"] for r in used["records"]] == ["Yunnan Hydro Aluminium",
                                                        "Another smelter"]
    # kg of ingot per kg coil from the coil file: 1 + melt_loss / yield at the 2025 settings,
    # bought on the primary line only (share 0.792)
    metal = fp["parameters"]
    metal_per_kg = 1 + metal["melt_loss"] / metal["yield"]
    assert used["kg_per_declared_unit"] == pytest.approx(0.792 * covered * metal_per_kg,
                                                         rel=1e-6)
    assert used["kg_co2e_per_declared_unit"] == pytest.approx(
        0.792 * (0.5 * 4.1 + 0.3 * 8.0) * metal_per_kg, rel=1e-6)
    with pytest.raises(InvalidInput) as info_clash:
        company_footprint(store, "aluminium-coil", "shengtong", 2025,
                          parameters={"primary_ingot_footprint": 3})
    assert info_clash.value.field == "parameters.primary_ingot_footprint"


def test_reductions_use_the_stored_figures_per_year_and_say_where_they_do_not(store):
    do_import(store, pact_doc(), share=1.0)      # 2025 only
    with_store = service.reductions("aluminium-coil", "shengtong", 2025, store=store)
    without = service.reductions("aluminium-coil", "shengtong", 2025)
    row = next(r for r in with_store["stages"] if r["stage"] == "raw-materials")
    old = next(r for r in without["stages"] if r["stage"] == "raw-materials")
    assert row["base_year_value"] == pytest.approx(old["base_year_value"], rel=1e-12)
    assert row["year_value"] < old["year_value"]       # 4.1 instead of the modelled ingot
    # the year is the company's supply mix (issue 16), each line with the settings, its own
    # parameters and the stored supplier figure on top, weighted by the line shares
    expected = 0.0
    for line in with_store["supply_mix"]["year"]:
        line_fp = service.compute_footprint("aluminium-coil", parameters={
            **{k: v["value"] for k, v in with_store["settings"]["year"].items()},
            **line["parameters"],
            "primary_ingot_footprint": 4.1, "primary_ingot_supplier_share": 1.0})
        raw = next(s for s in line_fp["stages"] if s["stage"] == "raw-materials")
        expected += line["share"] * raw["kg_co2e_per_declared_unit"]
    assert len(with_store["supply_mix"]["year"]) == 2
    assert row["year_value"] == pytest.approx(expected, rel=1e-12)
    assert with_store["supplier_footprints"]["base_year"] == []
    assert with_store["supplier_footprints"]["year"][0]["kg_co2e_per_kg"] == 4.1
    # since issue 16 neither year has an ingot setting of the company's to replace or flag
    # (the supply mix carries the purchased metal), and 2025's figure covers all the ingot
    assert not any("aluminium-ingot" in w for w in with_store["warnings"])


def test_certificate_of_a_company_line_reports_the_supplier_figures(store):
    from pcf.certificates.pact import decimal_str
    from pcf.service.certificates import issue_certificate
    from pcf.service.orders import OrderLineInput, submit_order

    import_result = do_import(store, pact_doc(), share=0.6)
    tenant, _ = store.create_tenant("coil-buyer", "customer")
    submit_order(store, tenant.id, "PO-9", [OrderLineInput(
        "1", "aluminium-coil", 20, "t", company="shengtong", year=2025)])
    record = issue_certificate(store.engine, tenant_id=tenant.id, order_id="PO-9",
                               line_id="1", issued_by="tester")
    pf = record.document["productFootprint"]
    ext = pf["extensions"][0]["data"]
    from pcf.service.suppliers import company_footprint

    fp = company_footprint(store, "aluminium-coil", "shengtong", 2025)
    assert pf["pcf"]["pcfExcludingBiogenicUptake"] == decimal_str(
        fp["per_declared_unit"]["total"])
    assert pf["pcf"]["primaryDataShare"] == decimal_str(fp["primary_data"]["percent"])
    assert float(pf["pcf"]["primaryDataShare"]) > 0
    assert ext["company"] == {"id": "shengtong", "year": 2025}
    (used,) = ext["supplierFootprints"]
    assert used["coveredShare"] == 0.6 and used["kgCO2ePerKg"] == 4.1
    assert used["records"][0]["id"] == import_result["stored"][0]["id"]


# --------------------------------------------------------------------------- command line


def test_command_line_questionnaire_round_trip(built_home, tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PCF_HOME": str(built_home),
           "PCF_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}

    def pcf(*args):
        return subprocess.run([sys.executable, "-m", "pcf.cli", *args], capture_output=True,
                              text=True, env=env, timeout=300)

    blank = tmp_path / "questionnaire.xlsx"
    assert pcf("suppliers", "template", "-o", str(blank), "--input", "graphite-anode") \
        .returncode == 0
    from openpyxl import load_workbook

    wb = load_workbook(blank)
    ws = wb["Footprint"]
    for row in range(2, ws.max_row + 1):
        key = ws.cell(row=row, column=1).value
        if key in ANSWERS:
            ws.cell(row=row, column=4).value = ANSWERS[key]
    ws.cell(row=_row("kg_co2e_fossil"), column=4).value = "lots"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    refused = pcf("suppliers", "import", str(bad), "--company", "sunwoda", "--year", "2024")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"error: sheet 'Footprint', row {_row('kg_co2e_fossil')}, column D (kg_co2e_fossil): "
        "'lots' is not a number (allowed: kg CO2e per kg (>= 0))")
    ws.cell(row=_row("kg_co2e_fossil"), column=4).value = 5.9
    good = tmp_path / "good.xlsx"
    wb.save(good)
    stored_now = pcf("suppliers", "import", str(good), "--company", "sunwoda", "--year",
                     "2024", "--share", "0.5", "--format", "json")
    assert stored_now.returncode == 0, stored_now.stderr
    (record,) = json.loads(stored_now.stdout)["stored"]
    listed = json.loads(pcf("suppliers", "list", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [record["id"]]
    fp = json.loads(pcf("footprint", NMC, "--company", "sunwoda", "--year", "2024",
                        "--format", "json").stdout)
    assert fp["supplier_footprints"][0]["records"][0]["id"] == record["id"]
    assert pcf("suppliers", "remove", record["id"]).returncode == 0
    assert json.loads(pcf("suppliers", "list", "--format", "json").stdout) == []
