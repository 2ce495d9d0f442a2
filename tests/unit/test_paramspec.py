"""pcf.paramspec: validation (coercion) and numeric encoding of product parameters."""

from __future__ import annotations

import keyword

import pytest
from hypothesis import given, strategies as st

from pcf.errors import InvalidInput, InvalidParameter
from pcf.formulas import compile_formulas
from pcf.paramspec import NAME_RE, ParameterSpec, formula_name, indicator

SHARE = ParameterSpec(name="recycled_content", type="number", default=0.0, unit="kg/kg",
                      min=0.0, max=1.0, description="recycled share", source="pcf-assumption")
YIELD = ParameterSpec(name="yield", type="number", default=0.85, unit="kg/kg", min=0.5, max=1.0)
OPTIONAL = ParameterSpec(name="primary_ingot_footprint", type="number", default=None,
                         unit="kg CO2e/kg", min=0.0, max=40.0, optional=True)
UNBOUNDED = ParameterSpec(name="offset", type="number", default=0.0)
GRID = ParameterSpec(name="smelter_grid", type="choice", default="cn-coal-captive",
                     choices={"cn-coal-captive": "electricity-coal",
                              "cn-yunnan": "electricity-cn-yunnan", "world": None})
FLAG = ParameterSpec(name="grain_boundary_diffusion", type="boolean", default=False)


# --- names ------------------------------------------------------------------------------------

def test_indicator_replaces_dashes():
    assert indicator("smelter_grid", "cn-yunnan") == "smelter_grid__cn_yunnan"
    assert indicator("grid", "world") == "grid__world"


@pytest.mark.parametrize("name, expected", [
    ("yield", "yield_"), ("lambda", "lambda_"), ("in", "in_"), ("class", "class_"),
    ("recycled_content", "recycled_content"), ("yield_", "yield_"),
])
def test_formula_name(name, expected):
    assert formula_name(name) == expected


@pytest.mark.parametrize("kw", [k for k in keyword.kwlist if NAME_RE.match(k)])
def test_formula_name_of_every_keyword_is_usable_in_formulas(kw):
    # every lower-case Python keyword a parameter could be called must compile as a name
    name = formula_name(kw)
    f = compile_formulas({"twice": f"{name} * 2"}, ["twice + 1"], [name])
    assert f({name: 3.0}) == [7.0]


# --- numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (0.3, 0.3), (0, 0.0), (1, 1.0), ("0.3", 0.3), (" 0.25 ", 0.25), ("1e-1", 0.1),
    (0.0, 0.0), (1.0, 1.0),  # both ends of the range are allowed
])
def test_number_coercion(value, expected):
    out = SHARE.coerce(value)
    assert out == expected and type(out) is float


@pytest.mark.parametrize("value", [
    -0.01, 1.01, "1.5", "-1", float("nan"), float("inf"), "nan", "inf", "abc", "", None,
    True, False, [0.5], {"v": 0.5}, "0.5 kg",
])
def test_number_refused_with_field_and_range(value):
    with pytest.raises(InvalidParameter) as info:
        SHARE.coerce(value)
    err = info.value
    assert err.field == "parameters.recycled_content"
    assert err.allowed == "0.0 <= recycled_content <= 1.0"
    assert isinstance(err, InvalidInput)


def test_field_name_can_be_given():
    with pytest.raises(InvalidParameter) as info:
        SHARE.coerce(2, field_name="lines[4].parameters.recycled_content")
    assert info.value.field == "lines[4].parameters.recycled_content"


def test_unbounded_number_accepts_any_finite_value():
    assert UNBOUNDED.coerce(-1e300) == -1e300
    assert UNBOUNDED.allowed() == "None <= offset <= None"
    with pytest.raises(InvalidParameter):
        UNBOUNDED.coerce(float("-inf"))


@pytest.mark.parametrize("empty", [None, "", "null", "None", " NULL "])
def test_optional_number_may_be_unset(empty):
    assert OPTIONAL.coerce(empty) is None
    assert OPTIONAL.coerce("12.5") == 12.5


def test_optional_number_still_checks_its_range():
    with pytest.raises(InvalidParameter) as info:
        OPTIONAL.coerce(41)
    assert info.value.allowed == "0.0 <= primary_ingot_footprint <= 40.0 or null"


@pytest.mark.parametrize("empty", [None, "", "null"])
def test_required_number_needs_a_value(empty):
    with pytest.raises(InvalidParameter, match="needs a number"):
        SHARE.coerce(empty)


# --- choices and booleans ---------------------------------------------------------------------

def test_choice_accepts_exactly_its_names():
    assert GRID.coerce("cn-yunnan") == "cn-yunnan"
    assert GRID.allowed() == ["cn-coal-captive", "cn-yunnan", "world"]


@pytest.mark.parametrize("value", ["CN-YUNNAN", " cn-yunnan", "cn_yunnan", "electricity-coal",
                                   "", None, 1, True, ["world"]])
def test_choice_refused_with_choices(value):
    with pytest.raises(InvalidParameter) as info:
        GRID.coerce(value)
    assert info.value.field == "parameters.smelter_grid"
    assert info.value.allowed == ["cn-coal-captive", "cn-yunnan", "world"]


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (1, True), (0, False), (1.0, True), (0.0, False),
    ("true", True), ("True", True), (" yes ", True), ("ON", True), ("1", True),
    ("false", False), ("no", False), ("off", False), ("0", False),
])
def test_boolean_coercion(value, expected):
    assert FLAG.coerce(value) is expected


@pytest.mark.parametrize("value", [2, -1, 0.5, "maybe", "", "y", None, float("nan"), [True]])
def test_boolean_refused(value):
    with pytest.raises(InvalidParameter) as info:
        FLAG.coerce(value)
    assert info.value.field == "parameters.grain_boundary_diffusion"
    assert info.value.allowed == [True, False]


# --- encoding ---------------------------------------------------------------------------------

def test_encode_choice_as_one_hot_indicators():
    assert GRID.encode("cn-yunnan") == {"smelter_grid__cn_coal_captive": 0.0,
                                        "smelter_grid__cn_yunnan": 1.0,
                                        "smelter_grid__world": 0.0}


def test_encode_boolean_number_optional_and_keyword():
    assert FLAG.encode(True) == {"grain_boundary_diffusion": 1.0}
    assert FLAG.encode(False) == {"grain_boundary_diffusion": 0.0}
    assert SHARE.encode(0.35) == {"recycled_content": 0.35}
    assert YIELD.encode(0.9) == {"yield_": 0.9}
    assert OPTIONAL.encode(None) == {"primary_ingot_footprint": 0.0,
                                     "primary_ingot_footprint__given": 0.0}
    assert OPTIONAL.encode(12.5) == {"primary_ingot_footprint": 12.5,
                                     "primary_ingot_footprint__given": 1.0}
    # 0 given is not "not given"
    assert OPTIONAL.encode(0.0)["primary_ingot_footprint__given"] == 1.0


@pytest.mark.parametrize("spec, value", [
    (SHARE, 0.5), (YIELD, 0.9), (OPTIONAL, None), (OPTIONAL, 3.0), (GRID, "world"),
    (FLAG, True),
])
def test_brightway_names_are_the_encoded_names_in_order(spec, value):
    assert spec.brightway_names() == list(spec.encode(value))


@pytest.mark.parametrize("spec", [SHARE, YIELD, OPTIONAL, UNBOUNDED, GRID, FLAG])
def test_dict_round_trip(spec):
    data = spec.to_dict()
    assert ParameterSpec.from_dict(data) == spec
    assert data["choices"] == (list(spec.choices) if spec.type == "choice" else None)


def test_from_dict_with_plain_choice_list():
    # a definition may list choices without the activities they select
    spec = ParameterSpec.from_dict({"name": "route", "type": "choice", "default": "a",
                                    "choices": ["a", "b-c"]})
    assert spec.choices == {"a": None, "b-c": None}
    assert spec.encode("b-c") == {"route__a": 0.0, "route__b_c": 1.0}


# --- properties -------------------------------------------------------------------------------

@given(st.floats(min_value=0.0, max_value=1.0))
def test_any_in_range_float_is_returned_unchanged(x):
    assert SHARE.coerce(x) == x
    assert SHARE.coerce(repr(x)) == x  # the CSV/CLI text of the same number
    assert SHARE.encode(SHARE.coerce(x)) == {"recycled_content": x}


@given(st.floats(allow_nan=False).filter(lambda x: not 0.5 <= x <= 1.0))
def test_any_out_of_range_float_is_refused(x):
    with pytest.raises(InvalidParameter):
        YIELD.coerce(x)


@given(st.sampled_from(list(GRID.choices)))
def test_choice_encoding_has_exactly_one_indicator_set(choice):
    encoded = GRID.encode(GRID.coerce(choice))
    assert sorted(encoded.values()) == [0.0, 0.0, 1.0]
    assert encoded[indicator("smelter_grid", choice)] == 1.0


@pytest.mark.parametrize("sign, digits", [(1, 400), (-1, 400), (1, 5000)])
def test_integer_beyond_float_range_is_an_invalid_parameter(sign, digits):
    value = sign * 10 ** digits
    # a JSON body or Python caller may pass any int; float() of it raises OverflowError
    for spec in (SHARE, UNBOUNDED):
        with pytest.raises(InvalidParameter) as info:
            spec.coerce(value)
        assert info.value.field == f"parameters.{spec.name}"
        assert info.value.allowed == spec.allowed()
