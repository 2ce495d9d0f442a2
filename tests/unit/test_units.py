"""pcf.units: conversion factors and quantity checks (pint only, no Brightway)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, strategies as st

from pcf.errors import InvalidInput, InvalidQuantity
from pcf.units import MAX_QUANTITY, check_quantity, conversion_factor


@pytest.mark.parametrize("from_unit, to_unit, factor", [
    ("t", "kg", 1000.0),          # 1 t = 1000 kg
    ("tonne", "kg", 1000.0),
    ("metric_ton", "kg", 1000.0),
    ("g", "kg", 0.001),           # 1 g = 1/1000 kg
    ("kg", "t", 0.001),
    ("kg", "kg", 1.0),
    ("MWh", "kWh", 1000.0),       # 1 MWh = 1000 kWh
    ("Wh", "kWh", 0.001),
    ("kWh", "MJ", 3.6),           # 1 kWh = 1000 W * 3600 s = 3.6e6 J = 3.6 MJ
    ("GJ", "MJ", 1000.0),
    ("GJ", "kWh", 1000 / 3.6),    # 1000 MJ / 3.6 MJ per kWh = 277.78 kWh
    ("tkm", "kg*km", 1000.0),     # pcf defines tkm = tonne * kilometer
])
def test_conversion_factors(from_unit, to_unit, factor):
    assert conversion_factor(from_unit, to_unit) == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize("from_unit, to_unit", [
    ("kg", "kWh"), ("kWh", "kg"), ("tkm", "kg"), ("m3", "kg"), ("MJ", "kWh/kg"),
])
def test_incompatible_units_name_field_and_allowed(from_unit, to_unit):
    with pytest.raises(InvalidQuantity) as info:
        conversion_factor(from_unit, to_unit, field="lines[2].unit")
    err = info.value
    assert err.field == "lines[2].unit"
    assert to_unit in err.allowed and "same dimension" in err.allowed
    assert repr(from_unit) in err.message


def test_default_field_is_unit():
    with pytest.raises(InvalidQuantity) as info:
        conversion_factor("kg", "kWh")
    assert info.value.field == "unit"
    assert isinstance(info.value, InvalidInput)  # the API maps the parent class


@pytest.mark.parametrize("bad", [
    "furlongs-per-fortnight", "", "kg)", "2 kg", "0 kg", "-1 kg", "1000*kg", "kg/0",
    "__import__('os')", "kg; kWh",
])
def test_unknown_or_scaled_unit_text_is_refused(bad):
    # numbers inside the unit text would silently rescale (or zero, or negate) a quantity
    with pytest.raises(InvalidQuantity):
        conversion_factor(bad, "kg")


@pytest.mark.parametrize("ton", ["ton", "tons", " ton ", "short_ton", "long_ton", "US_ton",
                                 "UK_ton", "tonne_short"])
def test_ambiguous_ton_is_refused(ton):
    # pint reads "ton" as the US short ton (907.18474 kg); a buyer usually means 1000 kg
    with pytest.raises(InvalidQuantity) as info:
        conversion_factor(ton, "kg", field="unit")
    assert "ambiguous" in info.value.message
    assert info.value.field == "unit"
    assert "t (metric tonne)" in info.value.allowed


def test_metric_tonne_is_not_ambiguous():
    assert conversion_factor("t", "kg") == 1000.0  # not 907.18474


# --- check_quantity ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (5, 5.0), (2.5, 2.5), ("2.5", 2.5), (" 7 ", 7.0), ("1e3", 1000.0), (Decimal("0.1"), 0.1),
    (np.float64(3.0), 3.0), (1e-300, 1e-300), (MAX_QUANTITY, MAX_QUANTITY),
])
def test_valid_quantities(value, expected):
    out = check_quantity(value)
    assert out == expected and type(out) is float


@pytest.mark.parametrize("value", [
    0, 0.0, -0.0, -1, -1e-9, float("nan"), float("inf"), float("-inf"), "nan", "inf", "-5",
    "abc", "", None, [], {}, [1.0], True, False, MAX_QUANTITY * 1.000001, "1e16", np.nan,
])
def test_invalid_quantities(value):
    with pytest.raises(InvalidQuantity) as info:
        check_quantity(value, field="lines[3].quantity")
    assert info.value.field == "lines[3].quantity"
    assert info.value.allowed  # names what is accepted


def test_too_large_names_the_limit():
    with pytest.raises(InvalidQuantity) as info:
        check_quantity(2e15)
    assert info.value.field == "quantity"
    assert "1e+15" in info.value.allowed


# --- properties -------------------------------------------------------------------------------

_MASS = ["kg", "g", "t", "mg", "tonne", "lb"]
_ENERGY = ["kWh", "MWh", "Wh", "MJ", "GJ", "kJ"]


@given(st.sampled_from([_MASS, _ENERGY]).flatmap(
    lambda units: st.tuples(st.sampled_from(units), st.sampled_from(units))))
def test_conversion_round_trip(pair):
    a, b = pair
    assert conversion_factor(a, b) * conversion_factor(b, a) == pytest.approx(1.0, rel=1e-12)


@given(st.floats(1e-6, 1e9), st.sampled_from(["kg", "t", "g"]), st.sampled_from(["kg", "t", "g"]),
       st.sampled_from(["kg", "t", "g"]))
def test_conversion_is_transitive(x, a, b, c):
    # x a -> b -> c equals x a -> c
    via = x * conversion_factor(a, b) * conversion_factor(b, c)
    assert via == pytest.approx(x * conversion_factor(a, c), rel=1e-12)


@given(st.floats(min_value=0.0, max_value=MAX_QUANTITY, exclude_min=True))
def test_check_quantity_returns_any_valid_float_unchanged(x):
    assert check_quantity(x) == x
    assert check_quantity(repr(x)) == x  # CSV text of the same number


@given(st.floats(allow_nan=True, allow_infinity=True).filter(
    lambda x: not (0 < x <= MAX_QUANTITY)))
def test_check_quantity_refuses_every_float_outside_the_range(x):
    with pytest.raises(InvalidQuantity):
        check_quantity(x)


@pytest.mark.parametrize("sign, digits", [(1, 400), (1, 5000), (-1, 400)])
def test_integer_beyond_float_range_is_an_invalid_quantity(sign, digits):
    value = sign * 10 ** digits
    # float(10**400) raises OverflowError, and repr(10**5000) raises ValueError in Python 3.11
    # (int -> str digit limit); neither may escape as a stack trace
    with pytest.raises(InvalidQuantity) as info:
        check_quantity(value, field="lines[0].quantity")
    assert info.value.field == "lines[0].quantity"


@pytest.mark.parametrize("from_unit, to_unit, factor", [
    ("m3", "l", 1000.0),          # 1 m3 = (10 dm)^3 = 1000 dm3 = 1000 l (documented unit)
    ("m3", "m**3", 1.0),
    ("cm3", "l", 0.001),          # 1 cm3 = 1 ml; NOT centi-(m3) = 0.01 m3 = 10 l
    ("km3", "m3", 1e9),           # (1000 m)^3
    ("dm3", "l", 1.0),
    ("m2", "cm2", 1e4),           # (100 cm)^2
    ("kg/m3", "g/l", 1.0),        # 1000 g / 1000 l
    ("MJ/m3", "MJ/l", 0.001),
])
def test_area_and_volume_units(from_unit, to_unit, factor):
    assert conversion_factor(from_unit, to_unit) == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize("unit", ["Nm3", "m33", "m3m", "xm3"])
def test_only_length_units_take_a_trailing_power(unit):
    with pytest.raises(InvalidQuantity):
        conversion_factor(unit, "m**3")


def test_co2e_unit_is_not_rewritten():
    # "CO2e" ends in a digit-letter pair; the m2/m3 rule must leave it alone
    assert conversion_factor("kg CO2e/kg", "kg CO2e/t") == pytest.approx(1000.0, rel=1e-12)


def test_identity_shortcut_agrees_with_pint_and_registry_is_lazy():
    """A unit converted to itself skips pint (issue 21); pint agrees it is exactly 1."""
    import subprocess
    import sys

    from pcf import units

    for unit in sorted(units.IDENTITY_UNITS):
        assert units.conversion_factor(unit, unit) == 1.0
        assert float(units.registry().Quantity(1.0, unit).to(unit).magnitude) == 1.0
    assert units.ureg is units.registry()
    code = ("import sys\nfrom pcf.units import conversion_factor\n"
            "assert conversion_factor('kg', 'kg') == 1.0\nprint('pint' in sys.modules)\n"
            "assert conversion_factor('t', 'kg') == 1000.0\nprint('pint' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "True"]
