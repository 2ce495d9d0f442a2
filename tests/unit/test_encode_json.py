"""Response bodies (pcf.api.blueprint.encode_json, orjson): the values, key order and errors of
the stdlib encoder it replaced (issue 21)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

from pcf.api.blueprint import encode_json


def _stdlib(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _pairs(text: bytes):
    """The document with every object as a list of (key, value) pairs: order counts."""
    return json.loads(text, object_pairs_hook=list)


_scalars = (st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text())
_documents = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=5)
                          | st.dictionaries(st.text(), inner, max_size=5), max_leaves=40)


@given(_documents)
def test_same_values_and_key_order_as_the_stdlib(doc):
    body = encode_json(doc)
    assert _pairs(body) == _pairs(_stdlib(doc))
    for a, b in zip(_floats(json.loads(body)), _floats(doc), strict=True):
        assert a == b and math.copysign(1, a) == math.copysign(1, b)  # same doubles, -0.0 too


def _floats(doc):
    if isinstance(doc, float):
        yield doc
    elif isinstance(doc, dict):
        for value in doc.values():
            yield from _floats(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _floats(value)


def test_compact_utf8_and_small_numbers():
    doc = {"b": 7.852540257496483e-05, "a": "é\u2028", "n": None, "t": (1, 2.5)}
    body = encode_json(doc)
    assert body == b'{"b":0.00007852540257496483,"a":"\xc3\xa9\xe2\x80\xa8","n":null,"t":[1,2.5]}'
    assert json.loads(body)["b"] == 7.852540257496483e-05


@pytest.mark.parametrize("bad", [
    float("nan"), {"a": [1, {"b": float("nan")}], "c": None}, (None, float("inf")),
    {"x": None, 1: -float("inf")}, [np.float64("nan"), None]])
def test_non_finite_numbers_are_refused(bad):
    with pytest.raises(ValueError, match="not JSON compliant"):
        encode_json(bad)


def test_what_orjson_does_not_take_natively():
    doc = {"big": 2**70, 3: None, "np": np.float64(0.1), "tuple": (None,)}
    assert json.loads(encode_json(doc)) == {"big": 2**70, "3": None, "np": 0.1,
                                            "tuple": [None]}
    assert json.loads(encode_json({"np": np.float64(0.1), "t": ()})) == {"np": 0.1, "t": []}
    for not_json in (object(), np.int64(7)):  # the stdlib refused them too
        with pytest.raises(TypeError):
            encode_json({"a": not_json})
