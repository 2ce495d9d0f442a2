"""PACT fossilCarbonContent: carbon-bearing first-tier materials, products that are themselves
a carbon-bearing material, and the carbon a linked product brings into its consumer."""

from __future__ import annotations

import pytest


def _carbon(product: str, **kwargs) -> dict:
    from pcf.accounting.carbon_content import fossil_carbon_content
    from pcf.service.footprints import compute_footprint

    return fossil_carbon_content(compute_footprint(product, provenance=True, **kwargs))


def test_graphite_anode_material_is_carbon(built_home):
    assert _carbon("graphite-anode")["kgCPerDeclaredUnit"] == 1.0


def test_cell_counts_the_graphite_of_its_linked_anode_product(built_home):
    from pcf.service.footprints import compute_footprint

    fp = compute_footprint("battery-cell-nmc811", provenance=True)
    linked = {x["product"]: x["amount"] for x in fp["linked_products"]}
    counted = {i["input"]: i for i in _carbon("battery-cell-nmc811")["counted"]}
    # the cell takes its synthetic graphite from graphite-anode: kg per kWh as linked
    assert counted["graphite-anode"]["kgPerDeclaredUnit"] == pytest.approx(
        linked["graphite-anode"], rel=1e-12)
    # independent arithmetic: sum of kg x carbon fraction (polyethylene (C2H4)n 24.022/28.054,
    # electrolyte 0.3552, natural and synthetic graphite 1.0)
    expected = sum(i["kgPerDeclaredUnit"] * i["kgCPerKg"] for i in counted.values())
    assert _carbon("battery-cell-nmc811")["kgCPerDeclaredUnit"] == pytest.approx(expected)
    assert counted["battery-polyethylene"]["kgCPerKg"] == pytest.approx(24.022 / 28.054,
                                                                        abs=1e-4)
    assert linked["graphite-anode"] > 0.3   # premise NMC811: 0.48 kg synthetic per kWh


def test_metals_carry_no_carbon(built_home):
    assert _carbon("aluminium-coil")["kgCPerDeclaredUnit"] == 0.0
