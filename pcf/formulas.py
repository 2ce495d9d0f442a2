"""Parameter formulas: parse, check and compile Brightway-style formula strings.

Formulas are the strings Brightway stores on parameters and parameterized exchanges (evaluated
there by ``bw2parameters`` with asteval). pcf accepts the arithmetic subset that both Python and
asteval evaluate identically, so the Brightway project and pcf's engine agree:

- numbers, names, ``+ - * / **``, unary ``-``/``+``, parentheses;
- comparisons (``< <= > >= == !=``) and ``x if condition else y``;
- calls to ``min``, ``max`` and ``abs``.

Anything else (attribute access, subscripts, other calls, lambdas, strings) is refused, which is
what makes :func:`compile_formulas` safe to evaluate with ``eval``.
"""

from __future__ import annotations

import ast
import graphlib
import keyword
from collections.abc import Callable, Iterable, Mapping

ALLOWED_FUNCTIONS = {"min": min, "max": max, "abs": abs}

_ALLOWED_NODES = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.IfExp, ast.Name, ast.Load,
    ast.Constant, ast.Call, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
)


class FormulaError(ValueError):
    """A formula is not valid: syntax, a forbidden construct, or an unknown name."""


def names_in(formula: str) -> set[str]:
    """Return the parameter names a formula refers to (functions excluded).

    Raises
    ------
    FormulaError
        On a syntax error or a construct outside the allowed subset.
    """
    try:
        tree = ast.parse(str(formula), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula {formula!r} is not valid: {exc.msg}") from None
    names: set[str] = set()
    called: set[int] = set()  # ids of the Name nodes that are the function of an allowed call
    for node in ast.walk(tree):  # breadth-first: a Call comes before its function's Name
        if not isinstance(node, _ALLOWED_NODES):
            raise FormulaError(
                f"formula {formula!r} uses {type(node).__name__}, which is not allowed "
                "(allowed: numbers, names, + - * / **, comparisons, 'x if c else y', min/max/abs)"
            )
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise FormulaError(f"formula {formula!r} contains a non-numeric constant")
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id in ALLOWED_FUNCTIONS) \
                    or node.keywords:
                raise FormulaError(f"formula {formula!r}: only min, max and abs may be called")
            arity_ok = len(node.args) == 1 if node.func.id == "abs" else len(node.args) >= 2
            if not arity_ok:
                raise FormulaError(f"formula {formula!r}: {node.func.id} takes "
                                   + ("one argument" if node.func.id == "abs"
                                      else "two or more arguments"))
            called.add(id(node.func))
        elif isinstance(node, ast.Name) and node.id in ALLOWED_FUNCTIONS:
            if id(node) not in called:  # `max * 2` would pass here and fail when evaluated
                raise FormulaError(f"formula {formula!r} uses {node.id} without calling it")
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return names


def check(formula: str, known: Iterable[str]) -> set[str]:
    """Check a formula against the known names; return the names it uses.

    Raises
    ------
    FormulaError
        If the formula is invalid or names something not in ``known``.
    """
    used = names_in(formula)
    unknown = sorted(used - set(known))
    if unknown:
        raise FormulaError(f"formula {formula!r} names unknown parameter(s) {unknown}")
    return used


def evaluation_order(derived: Mapping[str, str], inputs: Iterable[str]) -> list[str]:
    """Order derived parameters so each comes after the names it uses.

    Parameters
    ----------
    derived : mapping name -> formula
    inputs : names given directly (independent parameters)

    Raises
    ------
    FormulaError
        On unknown names or a dependency cycle.
    """
    known = set(inputs) | set(derived)
    graph = {name: check(formula, known) & set(derived) for name, formula in derived.items()}
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise FormulaError(f"derived parameters form a cycle: {exc.args[1]}") from None


def compile_formulas(derived: Mapping[str, str], outputs: list[str],
                     inputs: Iterable[str]) -> Callable[[dict], list[float]]:
    """Compile derived parameters and a list of output formulas into one Python function.

    Parameters
    ----------
    derived : mapping name -> formula
        Intermediate parameters, evaluated in dependency order.
    outputs : list of str
        Formulas whose values are returned, in order (e.g. exchange amounts).
    inputs : iterable of str
        Names of the independent parameters the returned function reads from its argument.

    Returns
    -------
    callable
        ``f(values: dict[str, float]) -> list[float]``; ``values`` holds every input name.
        Evaluating ~100 formulas costs a few microseconds (one compiled code object).

    Raises
    ------
    FormulaError
        If any formula is invalid or refers to an unknown name, or a parameter name is not a
        plain identifier (names are written into the generated code: a project edited
        outside ``pcf setup`` must not be able to smuggle code in through a name).
    """
    inputs = list(inputs)
    for name in [*inputs, *derived]:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) \
                or name.startswith("_"):
            raise FormulaError(f"parameter name {name!r} is not a plain identifier")
    order = evaluation_order(derived, inputs)
    known = set(inputs) | set(derived)
    for formula in outputs:
        check(formula, known)
    lines = ["def _evaluate(_v):"]
    for name in inputs:
        lines.append(f"    {name} = _v[{name!r}]")
    for name in order:
        lines.append(f"    {name} = ({derived[name]})")
    lines.append("    return [" + ", ".join(f"({f})" for f in outputs) + "]")
    namespace: dict = {"__builtins__": {}, **ALLOWED_FUNCTIONS}
    exec(compile("\n".join(lines), "<pcf formulas>", "exec"), namespace)  # noqa: S102 - checked AST
    return namespace["_evaluate"]


def rename(formula: str, mapping: Mapping[str, str]) -> str:
    """Return ``formula`` with every parameter name in ``mapping`` replaced (functions and
    other names unchanged); used to namespace a supplier product's formulas inside the product
    that consumes it (``x * y`` with ``{"x": "s__x"}`` -> ``s__x * y``).

    Raises
    ------
    FormulaError
        If the formula is not valid.
    """
    names_in(formula)  # validates the subset

    class _Renamer(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            node.args = [self.visit(a) for a in node.args]
            return node  # the function's own Name is not a parameter

        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in mapping:
                return ast.copy_location(ast.Name(id=mapping[node.id], ctx=node.ctx), node)
            return node

    tree = _Renamer().visit(ast.parse(str(formula), mode="eval"))
    return ast.unparse(tree)


def _vectorized_source(formula: str) -> str:
    """``formula`` rewritten for NumPy arrays: ``min``/``max``/``abs`` -> ``_min``/``_max``/
    ``_abs`` (elementwise), ``x if c else y`` -> ``_where(c, x, y)``, ``a < b < c`` ->
    ``_and(a < b, b < c)``; arithmetic is already elementwise."""
    names_in(formula)  # validates the subset

    class _Vectorize(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            args = [self.visit(a) for a in node.args]
            func = {"min": "_min", "max": "_max", "abs": "_abs"}[node.func.id]  # type: ignore[attr-defined]
            return ast.copy_location(ast.Call(func=ast.Name(id=func, ctx=ast.Load()),
                                              args=args, keywords=[]), node)

        def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
            args = [self.visit(node.test), self.visit(node.body), self.visit(node.orelse)]
            return ast.copy_location(ast.Call(func=ast.Name(id="_where", ctx=ast.Load()),
                                              args=args, keywords=[]), node)

        def visit_Compare(self, node: ast.Compare) -> ast.AST:
            left = self.visit(node.left)
            comparators = [self.visit(c) for c in node.comparators]
            if len(comparators) == 1:
                return ast.copy_location(ast.Compare(left=left, ops=node.ops,
                                                     comparators=comparators), node)
            parts: list[ast.expr] = []
            prev = left
            for op, right in zip(node.ops, comparators, strict=True):
                parts.append(ast.Compare(left=prev, ops=[op], comparators=[right]))
                prev = right
            return ast.copy_location(ast.Call(func=ast.Name(id="_and", ctx=ast.Load()),
                                              args=parts, keywords=[]), node)

    tree = ast.fix_missing_locations(_Vectorize().visit(ast.parse(str(formula), mode="eval")))
    return ast.unparse(tree)


def compile_formulas_array(derived: Mapping[str, str], outputs: list[str],
                           inputs: Iterable[str]) -> Callable[[dict], list]:
    """Like :func:`compile_formulas`, for many parameter sets at once: the returned function
    takes ``{name: ndarray (N,)}`` and returns one ndarray (N,) (or a scalar, for a formula
    that uses no parameter) per output formula.

    Each formula is rewritten by :func:`_vectorized_source`; for finite values the results
    equal :func:`compile_formulas` applied set by set (the same IEEE operations, elementwise),
    except that NumPy may compute ``x ** 2`` as ``x * x`` and ``x ** 0.5`` as ``sqrt(x)``
    (within one unit in the last place). Both branches of a conditional are evaluated (NumPy's
    warnings are silenced; the branch not taken is discarded).

    Raises
    ------
    FormulaError
        As :func:`compile_formulas`.
    """
    import numpy as np

    compile_formulas(derived, outputs, inputs)  # the same checks, the same errors
    inputs = list(inputs)
    order = evaluation_order(derived, inputs)
    lines = ["def _evaluate(_v):"]
    for name in inputs:
        lines.append(f"    {name} = _v[{name!r}]")
    for name in order:
        lines.append(f"    {name} = ({_vectorized_source(derived[name])})")
    lines.append("    return [" + ", ".join(f"({_vectorized_source(f)})" for f in outputs) + "]")

    def _reduce(ufunc):
        def apply(*args):
            out = args[0]
            for arg in args[1:]:
                out = ufunc(out, arg)
            return out
        return apply

    namespace: dict = {"__builtins__": {}, "_min": _reduce(np.minimum), "_max": _reduce(np.maximum),
                       "_abs": np.abs, "_where": np.where, "_and": _reduce(np.logical_and)}
    exec(compile("\n".join(lines), "<pcf formulas (arrays)>", "exec"), namespace)  # noqa: S102
    inner = namespace["_evaluate"]

    def evaluate(values: dict) -> list:
        with np.errstate(all="ignore"):
            return inner(values)

    return evaluate
