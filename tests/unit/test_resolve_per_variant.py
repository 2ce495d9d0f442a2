"""ProductModel.resolve with the variant's values and encoding built once per variant (issue
21) gives what resolving everything per call gave: the same values and encoded parameters,
keys in the same order, the same errors, and nothing shared between calls."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pcf.errors import InvalidParameter
from pcf.models import ProductModel
from tests.unit.test_product_model import DEFINITION


def _resolve_as_before(model: ProductModel, variant, parameters):
    values = {name: spec.default for name, spec in model.specs.items()}
    if variant is not None:
        for name, value in model.variants[variant].items():
            values[name] = model.specs[name].coerce(value)
    for name, value in (parameters or {}).items():
        values[name] = model.specs[name].coerce(value)
    encoded: dict[str, float] = {}
    for name, spec in model.specs.items():
        encoded.update(spec.encode(values[name]))
    return values, encoded


_parameters = st.fixed_dictionaries({}, optional={
    "recycled_content": st.floats(0, 1),
    "renewable_electricity_share": st.floats(0, 1) | st.sampled_from(["0.25", "1"]),
    "smelter_grid": st.sampled_from(["cn-coal-captive", "cn-yunnan"]),
    "electric_furnace": st.booleans() | st.sampled_from(["true", "no", 1, 0]),
    "primary_ingot_footprint": st.none() | st.floats(0, 40),
    "yield": st.floats(0.5, 1.0),
})


@given(variant=st.sampled_from([None, "virgin", "recycled", "hydro"]),
       parameters=st.none() | _parameters)
def test_resolve_equals_resolving_everything_per_call(variant, parameters):
    model = ProductModel(DEFINITION)
    expected_values, expected_encoded = _resolve_as_before(model, variant, parameters)
    for _ in range(2):  # the second call is served from the variant's base
        got = model.resolve(variant, parameters)
        assert list(got.values.items()) == list(expected_values.items())
        assert list(got.encoded.items()) == list(expected_encoded.items())
        got.values["yield"] = -1.0          # a caller's changes stay its own
        got.encoded.clear()


def test_a_bad_variant_value_is_refused_every_time():
    definition = {**DEFINITION, "variants": {**DEFINITION["variants"],
                                             "broken": {"yield": 3.0}}}
    model = ProductModel(definition)
    for _ in range(2):
        with pytest.raises(InvalidParameter) as refused:
            model.resolve("broken")
        assert refused.value.field == "parameters.yield"
