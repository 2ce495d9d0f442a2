"""The GWP methods in the built project are the bundled IPCC 2021 (AR6) GWP100 set."""

import pytest

from pcf.inventory.methods import METHODS


@pytest.fixture(scope="module")
def factors(built_home):
    """{part: {(flow name, categories): factor}} read back from the Brightway project."""
    from pcf.bw import bw2data

    bd = bw2data()
    bd.projects.set_current("pcf")
    out = {}
    for part, ident in METHODS.items():
        table = {}
        for key, value in bd.Method(ident).load():
            flow = bd.get_node(id=key) if isinstance(key, int) else bd.get_node(
                database=key[0], code=key[1])
            table[(flow["name"], tuple(flow["categories"]))] = value
        out[part] = table
    return out


@pytest.mark.parametrize("name, factor", [
    ("Methane, tetrafluoro-, R-14", 7380.0),          # CF4, AR6 Table 7.SM.7
    ("Ethane, hexafluoro-, HFC-116", 12400.0),        # C2F6
    ("Methane, fossil", 29.8),
    ("Methane, non-fossil", 27.0),
    ("Dinitrogen monoxide", 273.0),
    ("Carbon dioxide, fossil", 1.0),
])
def test_ar6_gwp100_factors(factors, name, factor):
    assert factors["total"][(name, ("air",))] == pytest.approx(factor)


def test_total_is_fossil_plus_biogenic_plus_land_use(factors):
    parts = {**factors["fossil"], **factors["biogenic"], **factors["land_use"]}
    assert len(parts) == len(factors["fossil"]) + len(factors["biogenic"]) + \
        len(factors["land_use"])
    assert parts == factors["total"]


def test_fossil_and_land_use_methods_split_co2(factors):
    assert ("Carbon dioxide, fossil", ("air",)) in factors["fossil"]
    assert ("Carbon dioxide, from soil or biomass stock", ("air",)) in factors["land_use"]
    assert ("Methane, non-fossil", ("air",)) in factors["biogenic"]
