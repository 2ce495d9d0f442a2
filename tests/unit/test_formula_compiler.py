"""pcf.formulas: the compiled evaluator against plain Python, the refused syntax, and the order
of derived parameters (adds to tests/test_formulas.py; no Brightway)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from pcf.formulas import FormulaError, check, compile_formulas, evaluation_order, names_in

# formula -> the same arithmetic written as a Python lambda by hand
CASES = {
    "a - b - c": lambda a, b, c: (a - b) - c,                 # left-associative
    "a / b / c": lambda a, b, c: (a / b) / c,
    "-a ** 2": lambda a, b, c: -(a ** 2),                     # ** binds tighter than unary -
    "2 ** -1 * a": lambda a, b, c: 0.5 * a,
    "a + b * c": lambda a, b, c: a + (b * c),
    "(a + b) * c": lambda a, b, c: (a + b) * c,
    "+a - -b": lambda a, b, c: a + b,
    "abs(a - b) + min(a, b, c) - max(a, c)": lambda a, b, c: abs(a - b) + min(a, b, c) - max(a, c),
    "a if b > c else c": lambda a, b, c: a if b > c else c,
    "1 if 0 <= a <= 1 else 0": lambda a, b, c: 1 if 0 <= a <= 1 else 0,   # chained comparison
    "(a == b) + (a != b) * 2": lambda a, b, c: int(a == b) + int(a != b) * 2,
    "1 - a * (1 - b) / c": lambda a, b, c: 1 - a * (1 - b) / c,
}


@pytest.mark.parametrize("formula", list(CASES))
@pytest.mark.parametrize("a, b, c", [(0.35, 0.85, 2.0), (2.0, 2.0, 0.5), (-1.5, 3.0, 7.0)])
def test_compiled_matches_hand_written_python(formula, a, b, c):
    f = compile_formulas({}, [formula], ["a", "b", "c"])
    assert f({"a": a, "b": b, "c": c})[0] == pytest.approx(CASES[formula](a, b, c), rel=1e-15)


def test_hand_computed_values():
    # aluminium-style metal balance: 1 + melt_loss / yield = 1 + 0.017/0.85 = 1.02
    # and a grid mix: 0.3 * 0.02 + (1 - 0.3) * 0.9 = 0.006 + 0.63 = 0.636
    f = compile_formulas({"metal": "1 + melt_loss / yield_"},
                         ["metal", "share * 0.02 + (1 - share) * 0.9"],
                         ["melt_loss", "yield_", "share"])
    metal, grid = f({"melt_loss": 0.017, "yield_": 0.85, "share": 0.3})
    assert metal == pytest.approx(1.02, rel=1e-12)
    assert grid == pytest.approx(0.636, rel=1e-12)


def test_optional_given_indicator_pattern():
    # the products' "__given" pattern: li_rec = given * x + (1 - given) * recycled_content
    f = compile_formulas(
        {"li_rec": "share__given * share + (1 - share__given) * recycled_content"},
        ["li_rec"], ["share", "share__given", "recycled_content"])
    assert f({"share": 0.0, "share__given": 0.0, "recycled_content": 0.4}) == [0.4]
    assert f({"share": 0.7, "share__given": 1.0, "recycled_content": 0.4}) == [0.7]


def test_outputs_keep_their_order_and_may_repeat():
    f = compile_formulas({"d": "a * 10"}, ["d", "a", "d + a", "d"], ["a"])
    assert f({"a": 2.0}) == [20.0, 2.0, 22.0, 20.0]


def test_extra_values_are_ignored_and_missing_ones_fail():
    f = compile_formulas({}, ["a + 1"], ["a"])
    assert f({"a": 1.0, "unused": 5.0}) == [2.0]
    with pytest.raises(KeyError):
        f({})


def test_division_by_zero_is_a_runtime_error_not_a_formula_error():
    f = compile_formulas({}, ["1 / a"], ["a"])
    with pytest.raises(ZeroDivisionError):
        f({"a": 0.0})


# --- refused syntax ---------------------------------------------------------------------------

@pytest.mark.parametrize("formula", [
    "a % 2", "a // 2", "a ^ 2", "a & 1", "a | 1", "~a", "a << 1", "not a", "a or 1",
    "a is b", "a in b", "(a := 2)", "a.real", "[x for x in b]", "{a}", "{'k': a}", "(a, b)",
    "f'{a}'", "None", "1j", "b'x'", "...", "print(a)", "round(a)", "min(*b)",
    "max(**b)", "abs(a)(b)", "(lambda: a)()", "a = 1", "import os", "a if b", "a +",
])
def test_refused_syntax(formula):
    with pytest.raises(FormulaError):
        check(formula, ["a", "b"])


@pytest.mark.parametrize("formula", [
    "max * 2", "abs", "a + min", "max if a > 0 else min", "min(a, max)", "abs(abs)",
    "min(a)", "max(a)", "min()", "abs()", "abs(a, b)",
])
def test_functions_must_be_called_with_their_arity(formula):
    # each of these passed check() before and only failed when evaluated (TypeError at
    # `pcf setup` instead of an InventoryInvalid naming the file and line)
    with pytest.raises(FormulaError):
        check(formula, ["a", "b"])


def test_functions_with_valid_arity_still_compile():
    f = compile_formulas({}, ["min(a, b)", "max(a, b, 3)", "abs(min(a, -b))"], ["a", "b"])
    assert f({"a": 2.0, "b": 5.0}) == [2.0, 5.0, 5.0]


def test_refused_formula_is_named_in_the_message():
    with pytest.raises(FormulaError, match=r"a % 2"):
        names_in("a % 2")


def test_refused_syntax_never_reaches_compile():
    # compile_formulas checks every derived and output formula before it builds code
    with pytest.raises(FormulaError):
        compile_formulas({"d": "a.__class__"}, ["d"], ["a"])
    with pytest.raises(FormulaError):
        compile_formulas({}, ["__import__('os').getcwd()"], [])


def test_unknown_names_in_outputs_or_derived():
    with pytest.raises(FormulaError, match="zeta"):
        compile_formulas({}, ["a + zeta"], ["a"])
    with pytest.raises(FormulaError, match="omega"):
        compile_formulas({"d": "omega * 2"}, ["d"], ["a"])


def test_names_in_reports_names_not_functions():
    assert names_in("max(x_1, yield_) * abs(z) + 2") == {"x_1", "yield_", "z"}
    assert names_in("3.5 * 2") == set()


# --- evaluation order of derived parameters ---------------------------------------------------

def test_chain_is_ordered_after_its_dependencies():
    derived = {"e": "d + c", "d": "c * 2", "c": "b + 1", "b": "a * 3"}
    order = evaluation_order(derived, ["a"])
    assert sorted(order) == ["b", "c", "d", "e"]
    pos = {name: i for i, name in enumerate(order)}
    assert pos["b"] < pos["c"] < pos["d"] < pos["e"]
    # and the compiled function evaluates them in that order: a=1 -> b=3, c=4, d=8, e=12
    f = compile_formulas(derived, ["e", "d", "c", "b"], ["a"])
    assert f({"a": 1.0}) == [12.0, 8.0, 4.0, 3.0]


def test_diamond_dependencies():
    # top uses left and right, both use base: a=2 -> base=4, left=5, right=8, top=40
    derived = {"top": "left * right", "left": "base + 1", "right": "base * 2", "base": "a * a"}
    order = evaluation_order(derived, ["a"])
    assert order.index("base") < order.index("left") < order.index("top")
    assert order.index("right") < order.index("top")
    assert compile_formulas(derived, ["top"], ["a"])({"a": 2.0}) == [40.0]


def test_no_derived_gives_empty_order():
    assert evaluation_order({}, ["a", "b"]) == []


@pytest.mark.parametrize("derived", [
    {"x": "x + 1"},                                       # self-reference
    {"x": "y + 1", "y": "x * 2"},                         # two
    {"p": "q", "q": "r", "r": "p + a"},                   # three, through an input
    {"ok": "a + 1", "p": "q + ok", "q": "p"},             # a cycle next to a valid name
])
def test_cycles_are_refused(derived):
    with pytest.raises(FormulaError, match="cycle"):
        evaluation_order(derived, ["a"])
    with pytest.raises(FormulaError, match="cycle"):
        compile_formulas(derived, [], ["a"])


# --- property ---------------------------------------------------------------------------------

_num = st.floats(-1e3, 1e3, allow_nan=False)


@given(_num, _num, st.floats(0.01, 1e3))
def test_derived_pipeline_equals_python(a, b, c):
    # share = clamp(a / c, 0, 1); mix = share * b + (1 - share) * c; out = mix ** 2 if a > b
    f = compile_formulas(
        {"share": "min(max(a / c, 0), 1)", "mix": "share * b + (1 - share) * c"},
        ["mix ** 2 if a > b else -mix", "share"], ["a", "b", "c"])
    share = min(max(a / c, 0), 1)
    mix = share * b + (1 - share) * c
    out, got_share = f({"a": a, "b": b, "c": c})
    assert got_share == share
    assert math.isclose(out, mix ** 2 if a > b else -mix, rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("name", ["a; import os", "__class__", "_v", "for", "1x", "a b"])
def test_parameter_names_must_be_plain_identifiers(name):
    from pcf.formulas import FormulaError, compile_formulas

    with pytest.raises(FormulaError, match="not a plain identifier"):
        compile_formulas({}, ["1"], [name])
    with pytest.raises(FormulaError, match="not a plain identifier"):
        compile_formulas({name: "1"}, ["1"], [])


@pytest.mark.parametrize("formula", list(CASES))
def test_rename_keeps_the_arithmetic(formula):
    """A supplier's formulas are namespaced inside the consumer: renaming the parameters (and
    nothing else, not the functions) must not change a value."""
    from pcf.formulas import rename

    renamed = rename(formula, {"a": "s__a", "c": "s__c"})
    assert names_in(renamed) <= {"s__a", "b", "s__c"}
    values = {"a": 1.7, "b": 0.3, "c": 2.9}
    original = compile_formulas({}, [formula], ["a", "b", "c"])(values)[0]
    spaced = compile_formulas({}, [renamed], ["s__a", "b", "s__c"])(
        {"s__a": 1.7, "b": 0.3, "s__c": 2.9})[0]
    assert spaced == original


def test_rename_leaves_function_names():
    from pcf.formulas import rename

    assert rename("max(y, 2) + abs(x)", {"y": "s__y", "x": "s__x", "abs": "no", "max": "no"}) \
        == "max(s__y, 2) + abs(s__x)"


def test_array_compiler_equals_the_scalar_one_set_by_set():
    """compile_formulas_array (issue 21): min/max/abs, conditionals and chained comparisons
    elementwise, the same values as compile_formulas on each set."""
    import random

    import numpy as np

    from pcf.formulas import compile_formulas, compile_formulas_array

    derived = {"d": "max(a, b, 0.25) * (1 if a < b <= 0.9 else 2)", "e": "abs(a - b) / (1 + c)"}
    outputs = ["d + e", "min(a, c) ** 2", "a * 3 - 1", "(b > 0.5) * d", "7.5", "a ** 0.5 + e"]
    scalar = compile_formulas(derived, outputs, ["a", "b", "c"])
    vector = compile_formulas_array(derived, outputs, ["a", "b", "c"])
    rng = random.Random(1)
    sets = [{k: rng.uniform(0, 1) for k in "abc"} for _ in range(200)]
    columns = vector({k: np.array([s[k] for s in sets]) for k in "abc"})
    for i, s in enumerate(sets):
        for j, value in enumerate(scalar(s)):
            got = np.broadcast_to(columns[j], (len(sets),))[i]
            assert abs(got - value) <= 1e-15 * max(1.0, abs(value)), (outputs[j], s)
