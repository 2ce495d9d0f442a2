"""Formula parsing and compilation (pcf.formulas): pure, no Brightway."""

import math

import pytest
from hypothesis import given, strategies as st

from pcf.formulas import FormulaError, check, compile_formulas, evaluation_order, names_in


def test_names_exclude_functions():
    assert names_in("min(a, b) * 2 + abs(c) if d > 0 else e") == {"a", "b", "c", "d", "e"}


@pytest.mark.parametrize("formula", [
    '__import__("os")', "a.b", "a[0]", '"text"', "lambda: 1", "foo(a)", "min(a, key=b)",
    "[a]", "a and b", "a; b", "",
])
def test_forbidden_constructs_are_refused(formula):
    with pytest.raises(FormulaError):
        check(formula, ["a", "b"])


def test_unknown_name_is_named():
    with pytest.raises(FormulaError, match="zeta"):
        check("alpha + zeta", ["alpha"])


def test_cycle_is_refused():
    with pytest.raises(FormulaError, match="cycle"):
        evaluation_order({"x": "y + 1", "y": "x * 2"}, ["a"])


def test_derived_evaluated_in_dependency_order():
    f = compile_formulas({"c": "b + 1", "b": "a * 2"}, ["c * 3", "b"], ["a"])
    assert f({"a": 2.0}) == [15.0, 4.0]


@given(st.floats(-1e6, 1e6), st.floats(0.001, 1e6))
def test_compiled_matches_python_arithmetic(a, b):
    f = compile_formulas({"q": "a / b"}, ["q ** 2 - a * (1 - b)", "max(a, b) if a > b else -b"],
                         ["a", "b"])
    first, second = f({"a": a, "b": b})
    assert math.isclose(first, (a / b) ** 2 - a * (1 - b), rel_tol=1e-12, abs_tol=1e-9)
    assert second == (max(a, b) if a > b else -b)
