"""Multi-tier: a lithium hydroxide certificate issued by one pcf deployment, pulled over PACT
by another, changes the second's NMC811 cell footprint, primary data share and certificate by
exactly the arithmetic (issue 15).

Two real ``pcf serve --certfile --keyfile`` processes on loopback, each with its own
``PCF_HOME`` (and application database) and the same built Brightway project:

- **upstream** (the lithium producer, issuer "Tianqi Lithium") computes lithium hydroxide for
  its Sichuan plant on hydropower and certifies it for its customer's tenant ``sunwoda``;
  then supersedes it (the first becomes ``Deprecated``, so a pull meets both statuses and,
  with one footprint per page, follows a ``Link`` page);
- **downstream** (the cell maker) runs ``pcf suppliers pull`` against upstream's PACT host with
  the credentials upstream issued (tenant name + API key), stores the Active footprint for
  Sunwoda 2024, and computes and certifies its NMC811 cell.

By hand: the cell takes 481.4 / 1100 x 0.95 x 1000 / 280 = 1.48484 kg cathode active material
per kWh (teardown cathode coating share x active share, at 280 Wh/kg) x 0.4312 kg LiOH.H2O per
kg = 0.64026 kg LiOH.H2O per kWh (battery-cell-nmc811.yaml). With the whole LiOH covered (share
1) the cell moves by 0.64026 x (F_supplier - F_average), F_supplier the certified kg CO2e per kg
and F_average downstream's own lithium-hydroxide model at the cell's settings (spodumene, no
recycled lithium); the primary data share is 100 x 0.64026 x F_supplier / cell total.
"""

from __future__ import annotations

import json
import ssl
import urllib.request

import pytest

from tests.tls_servers import PcfServer, self_signed

pytestmark = pytest.mark.slow

LIOH_PER_KWH = 481.4 / 1100 * 0.95 * 1000 / 280 * 0.4312
UPSTREAM = {"PCF_ISSUER_NAME": "Tianqi Lithium", "PCF_ISSUER_DOMAIN": "tianqi.example",
            "PCF_ISSUER_ID": "tianqi"}
DOWNSTREAM = {"PCF_ISSUER_NAME": "Sunwoda", "PCF_ISSUER_DOMAIN": "sunwoda.example",
              "PCF_ISSUER_ID": "sunwoda"}
LIOH_URN = "urn:pact:tianqi.example:product-id:lithium-hydroxide"
SICHUAN_HYDRO = {"conversion_grid": "cn-sichuan", "renewable_electricity_share": 1,
                 "renewable_supply": "hydro"}


def call(server, method: str, path: str, key: str | None = None, body=None):
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(f"{server.url}{path}", data=data, method=method,
                                 headers=headers)
    context = ssl.create_default_context(cafile=str(server.certfile))
    with urllib.request.urlopen(req, context=context, timeout=120) as resp:
        return json.loads(resp.read())


def api_key(server, name: str, role: str) -> str:
    out = server.cli("tenants", "create", name, "--role", role, "--format", "json")
    return json.loads(out.stdout)["api_key"]


@pytest.fixture(scope="module")
def servers(built_home, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("supplier-exchange")
    certfile, keyfile = self_signed(tmp / "tls")
    up = PcfServer("upstream", built_home, tmp, certfile, keyfile, env=UPSTREAM)
    down = PcfServer("downstream", built_home, tmp, certfile, keyfile, env=DOWNSTREAM)
    keys = {"up_buyer": api_key(up, "sunwoda", "customer"),
            "down_engineer": api_key(down, "cells-engineering", "engineer")}
    try:
        up.start()
        down.start()
        yield {"up": up, "down": down, "keys": keys, "tmp": tmp}
    finally:
        up.stop()
        down.stop()


def test_pulled_lithium_certificate_moves_the_cell_by_the_arithmetic(servers):
    up, down, keys = servers["up"], servers["down"], servers["keys"]
    # upstream: the buyer's order of lithium hydroxide, certified, then corrected
    order = {"order_id": "PO-LI-2024", "lines": [{"line_id": "1", "product": "lithium-hydroxide",
                                                  "quantity": 20, "unit": "t",
                                                  "parameters": SICHUAN_HYDRO}]}
    call(up, "POST", "/v1/orders", keys["up_buyer"], order)
    first = json.loads(up.cli("certificates", "issue", "PO-LI-2024", "1", "--tenant", "sunwoda",
                              "--format", "json").stdout)
    second = json.loads(up.cli("certificates", "supersede", first["id"], "--reason",
                               "reissued with the 2024 plant data", "--format", "json").stdout)
    supplier_figure = float(second["document"]["productFootprint"]["pcf"][
        "pcfExcludingBiogenicUptake"])
    direct = call(up, "POST", "/v1/footprints", keys["up_buyer"],
                  {"product": "lithium-hydroxide", "parameters": SICHUAN_HYDRO})
    assert supplier_figure == direct["per_declared_unit"]["total"]   # the certified number

    # downstream, before: Sunwoda's 2024 cell on the average lithium hydroxide
    cell = {"product": "battery-cell-nmc811", "company": "sunwoda", "year": 2024}
    before = call(down, "POST", "/v1/footprints", keys["down_engineer"], cell)
    average = call(down, "POST", "/v1/footprints", keys["down_engineer"],
                   {"product": "lithium-hydroxide",
                    "parameters": {"route": "spodumene", "recycled_content": 0}})
    assert before["primary_data"]["percent"] == 0.0

    # the pull: token, /3/footprints?productId=...&limit=1, two pages, one Active
    pulled = down.cli("suppliers", "pull", "--host", up.url, "--client-id", "sunwoda",
                      "--client-secret", keys["up_buyer"], "--product-id", LIOH_URN,
                      "--page-size", "1", "--company", "sunwoda", "--year", "2024",
                      "--input", "lithium-hydroxide", "--format", "json", check=False)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    result = json.loads(pulled.stdout)
    (record,) = result["stored"]
    assert result["found"] == 2 and result["skipped"] == [{"id": first["id"],
                                                           "status": "Deprecated"}]
    assert record["pf_id"] == second["id"] and record["supplier"] == "Tianqi Lithium"
    assert record["verification"] == {"status": "pact-host", "host": up.url}
    assert record["kg_co2e_per_kg"]["total"] == supplier_figure

    # downstream, after: exactly the arithmetic
    after = call(down, "POST", "/v1/footprints", keys["down_engineer"], cell)
    moved = after["per_declared_unit"]["total"] - before["per_declared_unit"]["total"]
    expected = LIOH_PER_KWH * (supplier_figure - average["per_declared_unit"]["total"])
    assert moved == pytest.approx(expected, abs=2e-5)      # float32 exchange amounts
    assert moved < 0                                        # hydro beats the average grid
    primary = 100 * LIOH_PER_KWH * supplier_figure / after["per_declared_unit"]["total"]
    assert after["primary_data"]["percent"] == pytest.approx(primary, abs=0.006)
    print(f"\nsupplier F {supplier_figure:.4f}, average LiOH "
          f"{average['per_declared_unit']['total']:.4f}; cell "
          f"{before['per_declared_unit']['total']:.4f} -> {after['per_declared_unit']['total']:.4f}"
          f" (by hand {expected:+.6f}, pcf {moved:+.6f}); primary data share by hand "
          f"{primary:.3f} %, pcf {after['primary_data']['percent']} %")  # for the closing note

    # downstream certificate of an order line for Sunwoda 2024
    down_order = {"order_id": "SO-77", "lines": [{"line_id": "1", **cell, "quantity": 1.2,
                                                  "unit": "MWh"}]}
    call(down, "POST", "/v1/orders", keys["down_engineer"], down_order)
    cert = call(down, "POST", "/v1/certificates", keys["down_engineer"],
                {"order_id": "SO-77", "line_id": "1"})
    pf = cert["document"]["productFootprint"]
    assert float(pf["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(
        after["per_declared_unit"]["total"], rel=1e-12)
    assert float(pf["pcf"]["primaryDataShare"]) == pytest.approx(primary, abs=0.006)
    (used,) = pf["extensions"][0]["data"]["supplierFootprints"]
    assert used["records"][0]["pfId"] == second["id"] and used["coveredShare"] == 1.0
    assert cert["kg_co2e_total"] == pytest.approx(1200 * after["per_declared_unit"]["total"],
                                                  rel=1e-9)


def test_the_signed_certificate_itself_needs_the_suppliers_key(servers):
    """The same supplier's certificate file, imported for 2025: refused until upstream's
    public key is trusted downstream, then stored as signature-verified."""
    up, down, keys, tmp = servers["up"], servers["down"], servers["keys"], servers["tmp"]
    listed = call(up, "GET", "/v1/certificates?status=active", keys["up_buyer"])
    cert_id = listed["certificates"][0]["id"]
    (tmp / "cert.json").write_text(json.dumps(call(up, "GET", f"/v1/certificates/{cert_id}",
                                                   keys["up_buyer"])))
    (tmp / "tianqi-key.json").write_text(json.dumps(call(up, "GET",
                                                         "/v1/certificates/public-key")))
    args = ("suppliers", "import", str(tmp / "cert.json"), "--company", "sunwoda", "--year",
            "2025", "--input", "lithium-hydroxide")
    refused = down.cli(*args, check=False)
    assert refused.returncode == 2 and "not a trusted supplier key" in refused.stderr
    down.cli("suppliers", "trust", "tianqi", "--public-key", str(tmp / "tianqi-key.json"))
    accepted = down.cli(*args, "--format", "json", check=False)
    assert accepted.returncode == 0, accepted.stderr
    (record,) = json.loads(accepted.stdout)["stored"]
    assert record["verification"]["status"] == "signature-verified"
    assert record["verification"]["trustedAs"] == "tianqi"
