"""POST /v1/declarations/cbam and /cbam.xlsx (issue 20), through the real app."""

from __future__ import annotations

import io

import pytest

from api_helpers import problem


def test_cbam_json_matches_the_service(api, keys):
    from pcf.service.cbam import communication

    resp = api.post("/v1/declarations/cbam", json={"product": "aluminium-coil",
                                                   "company": "shengtong", "year": 2025},
                    headers=keys["erin"])
    assert resp.status_code == 200, resp.data
    body = resp.get_json()
    expected = communication("aluminium-coil", company="shengtong", year=2025)
    assert body["specific_embedded_emissions"]["direct"] == pytest.approx(
        expected["specific_embedded_emissions"]["direct"], rel=1e-12)
    assert body["rule_set"]["version"] == expected["rule_set"]["version"]


def test_cbam_xlsx(api, keys):
    from openpyxl import load_workbook

    resp = api.post("/v1/declarations/cbam.xlsx", json={"product": "aluminium-coil",
                                                        "quantity": 20, "unit": "t"},
                    headers=keys["ada"])
    assert resp.status_code == 200
    assert "A_InstData" in load_workbook(io.BytesIO(resp.data)).sheetnames


def test_cbam_roles_and_bad_input(api, keys):
    url = "/v1/declarations/cbam"
    assert problem(api.post(url, json={"product": "aluminium-coil"}), 401)
    assert problem(api.post(url, json={"product": "aluminium-coil"}, headers=keys["alice"]),
                   403)
    body = problem(api.post(url, json={"product": "aluminium-coil", "country": "US"},
                            headers=keys["erin"]), 422)
    assert "country" in str(body)
    problem(api.post(url, json={"product": "ndfeb-magnet"}, headers=keys["erin"]), 422)
    problem(api.post(url, json={"product": "unobtainium"}, headers=keys["erin"]), 404)
    problem(api.post(url, json={"product": "aluminium-coil", "colour": "red"},
                     headers=keys["erin"]), 422)
    problem(api.post(url, json={"product": "aluminium-coil", "precursor_see": -2},
                     headers=keys["erin"]), 422)


def test_footprint_and_comparison_with_cff(api, keys):
    resp = api.post("/v1/footprints", json={"product": "aluminium-coil", "variant": "recycled",
                                            "recycled_content_method": "cff"},
                    headers=keys["alice"])
    assert resp.status_code == 200, resp.data
    assert resp.get_json()["recycled_content_method"] == "cff"
    resp = api.post("/v1/comparisons", json={"product": "aluminium-coil", "cases": [
        {"label": "cut-off", "variant": "recycled"},
        {"label": "cff", "variant": "recycled", "recycled_content_method": "cff"}]},
        headers=keys["erin"])
    assert resp.status_code == 200, resp.data
    problem(api.post("/v1/footprints", json={"product": "aluminium-coil",
                                             "recycled_content_method": "eol"},
                     headers=keys["alice"]), 422)


def test_battery_declaration_json_and_pdf(api, keys):
    resp = api.post("/v1/declarations/battery", json={"product": "battery-cell-lfp",
                                                      "parameters": {"service_years": 10}},
                    headers=keys["erin"])
    assert resp.status_code == 200, resp.data
    body = resp.get_json()
    assert body["functional_unit"]["kwh_total_energy_per_kwh_capacity"] == 600.0
    assert len(body["life_cycle_stages"]) == 4
    resp = api.post("/v1/declarations/battery.pdf", json={"product": "battery-cell-nmc811"},
                    headers=keys["ada"])
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    problem(api.post("/v1/declarations/battery", json={"product": "battery-cell-lfp",
                                                       "parameters": {"plant_country": "ZZ"}},
                     headers=keys["erin"]), 422)
    problem(api.post("/v1/declarations/battery", json={"product": "battery-cell-lfp"},
                     headers=keys["alice"]), 403)
