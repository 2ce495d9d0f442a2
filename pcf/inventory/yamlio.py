"""YAML reading that keeps line numbers, so validation errors can name file and line.

Built on ruamel.yaml's round-trip loader: its mappings and sequences (``CommentedMap``,
``CommentedSeq``) carry the line and column of every key and item (``.lc``). Files are read as
YAML 1.2 (``NO``, ``yes``, ``off`` are strings, only ``true``/``false`` are booleans), duplicate
keys are an error, and tags other than the core types are refused.

:func:`load_yaml` returns that tree (for positions), :func:`plain` the same data as plain
Python objects (for validation and for storing), :func:`line_of` the line of a path in the tree.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarbool import ScalarBoolean

__all__ = ["YAMLError", "describe", "line_of", "load_yaml", "plain"]

_SCALARS = (str, int, float, datetime.date, type(None))
_MAP, _SEQ, _STR = (f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str"))


def load_yaml(path: Path) -> Any:
    """Parse a YAML file into ruamel.yaml's round-trip tree.

    Parameters
    ----------
    path : Path
        The file (UTF-8).

    Returns
    -------
    CommentedMap, CommentedSeq or scalar
        The document; mappings and sequences know their positions (see :func:`line_of`).

    Raises
    ------
    YAMLError
        On a syntax error or a duplicate key (the message carries the line).
    OSError
        If the file cannot be read.
    """
    with open(path, encoding="utf-8") as handle:
        return YAML(typ="rt", pure=True).load(handle)


def describe(exc: YAMLError) -> str:
    """Return a one-line description of a YAML error with its line and column (1-based)."""
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        text = "; ".join(str(p) for p in (exc.context, exc.problem) if p)
        mark = exc.problem_mark
        return f"{text} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(exc).split())


def plain(node: Any) -> Any:
    """Return ``node`` as plain Python data: dict, list, str, int, float, bool, None, dates.

    ruamel.yaml's round-trip scalars (``ScalarFloat``, ``ScalarInt``, ``LiteralScalarString``,
    ...) subclass the built-in types; they are converted, so nothing ruamel-specific is
    validated, compared or stored.

    Raises
    ------
    YAMLError
        For a value of a type YAML's core schema does not have (a ``!tag``, ``!!binary``,
        ``!!set``).
    """
    tag = getattr(getattr(node, "tag", None), "value", None)
    if tag == _STR and isinstance(node, TaggedScalar):
        return str(node.value)                      # `!!str 3`
    if tag is not None and tag not in (_MAP, _SEQ):
        raise YAMLError(f"unsupported YAML tag {tag!r} (only the core types are allowed)")
    if isinstance(node, dict):
        return {plain(key): plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain(value) for value in node]
    if isinstance(node, ScalarBoolean):              # an anchored true/false (an int subclass)
        return bool(node)
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    if isinstance(node, _SCALARS):
        return node
    raise YAMLError(f"unsupported YAML value {node!r} (only the core types are allowed)")


def line_of(node: Any, path: Sequence[Any] = ()) -> int:
    """Return the 1-based line of ``path`` inside ``node``.

    Parameters
    ----------
    node : CommentedMap or CommentedSeq
        A tree from :func:`load_yaml`.
    path : sequence of str and int
        Mapping keys and sequence indexes, e.g. ``("activities", 3, "exchanges", 0, "amount")``.

    Returns
    -------
    int
        The line of the last key (or sequence item) of ``path``. Where ``path`` leaves the tree
        (a key that is missing), the line where the deepest mapping or sequence reached starts,
        or of the last key found if that is a scalar. 0 if ``node`` has no position.
    """
    line = node.lc.line + 1 if hasattr(node, "lc") else 0
    for step in path:
        if isinstance(node, dict) and step in node:
            line, node = node.lc.key(step)[0] + 1, node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            line, node = node.lc.item(step)[0] + 1, node[step]
        else:
            return node.lc.line + 1 if hasattr(node, "lc") else line
    return line
