"""The GWP-basis mix and the PACT dqi of a footprint, computed from per-row rules built once per
product (issue 21), are the very floats of the per-footprint computation they replace."""

from __future__ import annotations

import math
import random

from pcf.accounting.data_quality import metas, pedigree_dqi
from pcf.accounting.gwp_basis import basis_of_kg, basis_shares, split_contribution, split_value
from tests.conftest import random_parameters


def _split_as_before(contribution: dict) -> dict[str, float]:
    """split_contribution as written before issue 21 (the reference)."""
    value = float(contribution["kg_co2e_per_declared_unit"])
    found = metas(contribution)
    if not found:
        return {"unstated": value}
    if contribution.get("kind") == "biosphere":
        bases = {m.get("gwp") or "unstated" for m in found}
        return {bases.pop() if len(bases) == 1 else "unstated": value}
    shares = found[0].get("gwp_split") or {}
    total = math.fsum(shares.values())
    if not shares or total == 0.0:
        return {"unstated": value}
    return {basis: value * part / total for basis, part in shares.items()}


def _mix_as_before(contributions: list[dict]) -> dict:
    kg: dict[str, float] = {}
    for c in contributions:
        for basis, value in _split_as_before(c).items():
            kg[basis] = kg.get(basis, 0.0) + value
    return basis_of_kg(kg)


def test_split_by_shares_is_the_formula():
    cases = [
        {"kind": "technosphere", "kg_co2e_per_declared_unit": 0.1 + 0.2,
         "provenance": [{"gwp_split": {"gas": 3.3, "AR5": 0.7, "unstated": 1e-9}}]},
        {"kind": "biosphere", "kg_co2e_per_declared_unit": -7.25,
         "provenance": [{"gwp": "AR4"}, {"gwp": "AR4"}]},
        {"kind": "biosphere", "kg_co2e_per_declared_unit": 2.0,
         "provenance": [{"gwp": "gas"}, {"gwp": "AR5"}]},
        {"kind": "technosphere", "kg_co2e_per_declared_unit": 1.0 / 3.0,
         "provenance": [{"gwp_split": {"gas": 0.0}}]},
        {"kind": "technosphere", "kg_co2e_per_declared_unit": 5e-324},
    ]
    for c in cases:
        expected = _split_as_before(c)
        assert split_contribution(c) == expected
        got = split_value(float(c["kg_co2e_per_declared_unit"]), basis_shares(c))
        assert got == expected and list(got) == list(expected)


def test_footprint_ratings_equal_the_traced_computation(built_home, product_ids):
    from pcf.service.footprints import compute_footprint, model, traced_contributions

    rng = random.Random(2121)
    for pid in product_ids:
        sets = [None] + [random_parameters(model(pid), rng) for _ in range(4)]
        for params in sets:
            fp = compute_footprint(pid, parameters=params)
            traced = traced_contributions(pid, fp["contributions"])
            assert fp["gwp_basis"] == _mix_as_before(traced), pid
            assert fp["dqi"] == pedigree_dqi({"contributions": traced}), pid
            full = compute_footprint(pid, parameters=params, provenance=True)
            assert full["gwp_basis"] == fp["gwp_basis"] and full["dqi"] == fp["dqi"], pid
