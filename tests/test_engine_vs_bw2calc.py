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


def plain_bw2calc(bd, product_id: str, encoded: dict, suppliers: dict | None = None) -> dict:
    """Scores of a plain bw2calc.LCA after writing ``encoded`` through bw2data parameters.

    ``suppliers`` (supplier product id -> encoded values) are written into the supplier
    products' own groups: a product that uses another product is equal to a project whose
    supplier parameters hold the values the consumer passes them."""
    from bw2data.parameters import ActivityParameter, Group

    from pcf.bw import bw2calc

    bd.projects.set_current(SCRATCH)
    try:
        groups = {product_id: encoded, **(suppliers or {})}
        for group, values in groups.items():
            for name, value in values.items():
                ActivityParameter.update(amount=value).where(
                    ActivityParameter.group == group, ActivityParameter.name == name).execute()
            Group.get(name=group).expire()
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


# seed 0 in the fast suite; the other seeds (6-7 s each: a fresh bw2calc LCA per product) in
# make test-all
@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in (1, 2, 3))])
def test_random_parameter_sets_equal_plain_lca(scratch, engine, product_ids, seed):
    rng = random.Random(1000 + seed)
    for pid in product_ids:
        model = service.model(pid)
        params = random_parameters(model, rng)
        settings = model.resolve(parameters=params)
        footprint = service.compute_footprint(pid, parameters=params)
        suppliers = engine.system(pid).supplier_values(settings.encoded)
        reference = plain_bw2calc(scratch, pid, settings.encoded, suppliers)
        for part in SPLIT:
            assert_close(footprint["per_declared_unit"][part], reference[part])


@pytest.mark.slow  # 12 s: rewrites supplier parameters and rebuilds LCAs
def test_linked_products_agree_with_plain_lca_after_a_supplier_change(scratch, engine):
    """One graphite model: a graphitization grid set on a cell is the graphite product's own
    parameter in the project, and both products agree with bw2calc on that project."""
    for cell in ("battery-cell-nmc811", "battery-cell-lfp"):
        for grid in ("cn-yunnan", "cn-north", "world"):
            settings = service.model(cell).resolve(parameters={"graphitization_grid": grid})
            suppliers = engine.system(cell).supplier_values(settings.encoded)
            assert suppliers["graphite-anode"][f"graphitization_grid__{grid.replace('-', '_')}"] \
                == 1.0
            reference = plain_bw2calc(scratch, cell, settings.encoded, suppliers)
            footprint = service.compute_footprint(cell, parameters={"graphitization_grid": grid})
            for part in SPLIT:
                assert_close(footprint["per_declared_unit"][part], reference[part])
            graphite = service.model("graphite-anode").resolve(
                parameters={"graphitization_grid": grid})
            reference = plain_bw2calc(scratch, "graphite-anode", graphite.encoded)
            assert_close(service.compute_footprint(
                "graphite-anode", parameters={"graphitization_grid": grid}
            )["per_declared_unit"]["total"], reference["total"])
