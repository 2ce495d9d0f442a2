r"""Text rules shared by every input path (API bodies, URLs, CSV files, the command line).

A string from outside must be valid Unicode text: no lone surrogates (``"\ud800"`` in JSON
decodes to one; it cannot be encoded as UTF-8, so it could be neither stored nor answered)
and, in identifiers, no control characters (a NUL cannot be stored in PostgreSQL text; a
trailing newline in an id breaks headers and URLs). :func:`find_invalid_text` locates the
first bad string in a decoded JSON document by its field path, so the error names the field.
"""

from __future__ import annotations

import re
from typing import Any

from pcf.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_valid_unicode(value: str) -> bool:
    """True when ``value`` has no lone surrogate (it encodes as UTF-8)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(value: str, identifier: bool = True) -> str | None:
    """Return why ``value`` is not acceptable text, or None.

    Parameters
    ----------
    value : str
    identifier : bool
        Also refuse control characters (C0 and DEL), as in ids, names and units.
    """
    if not is_valid_unicode(value):
        return "Must be valid Unicode text (it contains a lone surrogate)."
    if "\x00" in value:
        return "Must not contain a NUL character."
    if identifier and _CONTROL.search(value):
        return "Must not contain control characters (such as a newline or a tab)."
    return None


def check_text(value: str, field: str, identifier: bool = True) -> str:
    """Return ``value`` if it is acceptable text (see :func:`text_problem`).

    Raises
    ------
    InvalidInput
        Naming ``field``.
    """
    problem = text_problem(value, identifier)
    if problem is not None:
        raise InvalidInput(f"{field}: {problem}", field=field)
    return value


def find_invalid_text(document: Any, path: str = "") -> tuple[str, str] | None:
    """Return ``(field path, message)`` of the first string of a decoded JSON document that
    is not valid Unicode or contains a NUL (keys included), or None.

    Paths are dotted with ``[i]`` for list items (``lines[3].line_id``); a bad key is
    reported at the path of its object. Cost: one UTF-8 encoding of the whole document when
    it is valid (C speed); the walk happens only when it is not.
    """
    import json

    try:
        text = json.dumps(document, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        if "\\u0000" not in text:
            return None
    return _walk(document, path)


def _walk(node: Any, path: str) -> tuple[str, str] | None:
    if isinstance(node, str):
        problem = text_problem(node, identifier=False)
        return (path or "body", problem) if problem else None
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                problem = text_problem(key, identifier=False)
                if problem:
                    return (path or "body", f"A field name is not acceptable: {problem}")
            found = _walk(value, where if is_valid_unicode(where) else path)
            if found:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _walk(value, f"{path}[{i}]")
            if found:
                return found
    return None
