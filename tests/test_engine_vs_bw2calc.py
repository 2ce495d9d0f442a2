"""The engine equals a plain bw2calc.LCA on the same parameter values (DESIGN.md contract).

The reference path is independent of pcf's engine: parameter values are written into a scratch
copy of the Brightway project through bw2data, bw2data/bw2parameters (asteval) recalculate the
derived parameters and exchange amounts, and bw2calc builds and solves the full matrices.
"""

from __future__ import annotations

import random

import pytest

from pcf import service
from pcf.inventory.methods import METHODS, SPLIT
from tests.conftest import random_parameters

SCRATCH = "pcf-scratch-test"
REL = 1e-9


@pytest.fixture(scope="module")
def scratch(built_home, engine):
    from pcf.bw import bw2data

    bd = bw2data()
    bd.projects.set_current("pcf")
    if SCRATCH in bd.projects:
        bd.projects.delete_project(SCRATCH, delete_dir=True)
    bd.projects.copy_project(SCRATCH, switch=False)
    yield bd
    bd.projects.set_current("pcf")
    bd.projects.delete_project(SCRATCH, delete_dir=True)


def plain_bw2calc(bd, product_id: str, encoded: dict) -> dict:
    """Scores of a plain bw2calc.LCA after writing ``encoded`` through bw2data parameters."""
    from bw2data.parameters import ActivityParameter, Group

    from pcf.bw import bw2calc

    bd.projects.set_current(SCRATCH)
    try:
        for name, value in encoded.items():
            ActivityParameter.update(amount=value).where(
                ActivityParameter.group == product_id, ActivityParameter.name == name).execute()
        Group.get(name=product_id).expire()
        bd.parameters.recalculate()
        node = bd.get_activity(("pcf-products", product_id))
        scores = {}
        for part in SPLIT:
            lca = bw2calc().LCA({node: 1}, METHODS[part])
            lca.lci()
            lca.lcia()
            scores[part] = float(lca.score)
        return scores
    finally:
        bd.projects.set_current("pcf")


def assert_close(engine_value: float, reference: float) -> None:
    assert engine_value == pytest.approx(reference, rel=REL, abs=1e-12)


def test_defaults_equal_plain_lca_on_built_project(built_home, engine, product_ids):
    """With default parameters, bw2calc on the project as built gives the service's number."""
    from pcf.bw import bw2calc, bw2data

    bd = bw2data()
    bd.projects.set_current("pcf")
    for pid in product_ids:
        footprint = service.compute_footprint(pid)
        node = bd.get_activity(("pcf-products", pid))
        lca = bw2calc().LCA({node: 1}, METHODS["total"])
        lca.lci()
        lca.lcia()
        assert_close(footprint["per_declared_unit"]["total"], lca.score)


@pytest.mark.parametrize("seed", range(4))
def test_random_parameter_sets_equal_plain_lca(scratch, product_ids, seed):
    rng = random.Random(1000 + seed)
    for pid in product_ids:
        model = service.model(pid)
        params = random_parameters(model, rng)
        settings = model.resolve(parameters=params)
        footprint = service.compute_footprint(pid, parameters=params)
        reference = plain_bw2calc(scratch, pid, settings.encoded)
        for part in SPLIT:
            assert_close(footprint["per_declared_unit"][part], reference[part])
