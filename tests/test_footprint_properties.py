"""Rules that hold for every product and every parameter set (property tests)."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pcf.service import footprints as service
from tests.conftest import random_parameters

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_stages_and_contributions_sum_to_total(built_home, seed):
    rng = random.Random(seed)
    for pid in sorted(service._models()):
        params = random_parameters(service.model(pid), rng)
        fp = service.compute_footprint(pid, parameters=params)
        total = fp["per_declared_unit"]["total"]
        stages = sum(s["kg_co2e_per_declared_unit"] for s in fp["stages"])
        contributions = sum(c["kg_co2e_per_declared_unit"] for c in fp["contributions"])
        assert stages == pytest.approx(total, rel=1e-9, abs=1e-12)
        assert contributions == pytest.approx(total, rel=1e-9, abs=1e-12)
        parts = fp["per_declared_unit"]
        assert parts["fossil"] + parts["biogenic"] + parts["land_use"] == pytest.approx(
            total, rel=1e-9, abs=1e-12)
        assert [s["stage"] for s in fp["stages"]] == service.model(pid).stages


@SETTINGS
@given(quantity=st.floats(1e-6, 1e9, allow_nan=False, allow_infinity=False),
       seed=st.integers(0, 2**32 - 1))
def test_total_is_linear_in_quantity(built_home, quantity, seed):
    rng = random.Random(seed)
    for pid in sorted(service._models()):
        model = service.model(pid)
        params = random_parameters(model, rng)
        one = service.compute_footprint(pid, parameters=params)
        many = service.compute_footprint(pid, parameters=params, quantity=quantity)
        for part, value in one["per_declared_unit"].items():
            assert many["per_declared_unit"][part] == value
            assert many["total"][part] == pytest.approx(value * quantity, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("quantity, unit, factor", [
    (2, "t", 1000.0), (500, "g", 0.001), (1, "kg", 1.0)])
def test_mass_units_convert_for_kg_products(built_home, quantity, unit, factor):
    for pid in sorted(service._models()):
        model = service.model(pid)
        if model.declared_unit != "kg":
            continue
        fp = service.compute_footprint(pid, quantity=quantity, unit=unit)
        assert fp["quantity_in_declared_unit"] == pytest.approx(quantity * factor)
        assert fp["total"]["total"] == pytest.approx(
            fp["per_declared_unit"]["total"] * quantity * factor)


@pytest.mark.parametrize("quantity", [0, -1, float("nan"), float("inf"), "ten", True])
def test_bad_quantities_are_refused(built_home, quantity):
    from pcf.errors import InvalidInput

    pid = sorted(service._models())[0]
    with pytest.raises(InvalidInput) as info:
        service.compute_footprint(pid, quantity=quantity)
    assert info.value.field == "quantity"


def test_unit_of_other_dimension_is_refused(built_home):
    from pcf.errors import InvalidInput

    for pid in sorted(service._models()):
        wrong = "kWh" if service.model(pid).declared_unit == "kg" else "kg"
        with pytest.raises(InvalidInput) as info:
            service.compute_footprint(pid, quantity=1, unit=wrong)
        assert info.value.field == "unit"


def test_unknown_product_variant_parameter(built_home):
    from pcf.errors import InvalidInput, UnknownResource

    with pytest.raises(UnknownResource) as info:
        service.compute_footprint("unobtainium")
    assert info.value.field == "product" and "aluminium-coil" in info.value.allowed
    pid = sorted(service._models())[0]
    with pytest.raises(InvalidInput) as info:
        service.compute_footprint(pid, variant="gold-plated")
    assert info.value.field == "variant" and "virgin" in info.value.allowed
    with pytest.raises(InvalidInput) as info:
        service.compute_footprint(pid, parameters={"recycled_contnt": 0.5})
    assert info.value.field == "parameters.recycled_contnt"
    assert "recycled_content" in info.value.allowed
    with pytest.raises(InvalidInput) as info:
        service.compute_footprint(pid, parameters={"recycled_content": 1.01})
    assert info.value.field == "parameters.recycled_content"


def test_every_product_has_required_parameters_and_variants(built_home):
    for pid in sorted(service._models()):
        model = service.model(pid)
        assert {"recycled_content", "renewable_electricity_share"} <= set(model.specs)
        assert model.variants["virgin"]["recycled_content"] == 0
        assert model.variants["recycled"]["recycled_content"] == 1
        virgin = service.compute_footprint(pid, variant="virgin")
        assert virgin["parameters"]["recycled_content"] == 0
        assert math.isfinite(virgin["per_declared_unit"]["total"])
        assert virgin["per_declared_unit"]["total"] > 0


def test_parameters_override_the_variant(built_home):
    for pid in sorted(service._models()):
        fp = service.compute_footprint(pid, variant="recycled",
                                       parameters={"recycled_content": "0.25"})
        assert fp["variant"] == "recycled"
        assert fp["parameters"]["recycled_content"] == 0.25
