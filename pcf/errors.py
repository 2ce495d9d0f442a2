"""Errors raised by pcf's service layer.

Every error a user can cause is a :class:`PcfError` that names the offending ``field`` and,
where there is a closed set, the ``allowed`` values. The CLI prints them as one line; the API
maps them to ``application/problem+json`` (RFC 9457). Nothing in pcf lets a bad input surface
as a stack trace.
"""

from __future__ import annotations

from typing import Any


class PcfError(Exception):
    """Base class of pcf errors.

    Parameters
    ----------
    message : str
        Human-readable explanation (goes to ``detail`` in problem+json).
    field : str, optional
        Dotted path of the offending input field, e.g. ``"parameters.recycled_content"``.
    allowed : list or str, optional
        The allowed values or range, e.g. ``["virgin", "recycled"]`` or ``"0 <= x <= 1"``.
    """

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, message: str, field: str | None = None, allowed: Any = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.allowed = allowed

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"message", "field", "allowed"}`` (keys with None values omitted)."""
        out: dict[str, Any] = {"message": self.message}
        if self.field is not None:
            out["field"] = self.field
        if self.allowed is not None:
            out["allowed"] = self.allowed
        return out

    def __str__(self) -> str:  # one line for the CLI
        parts = [self.message]
        if self.allowed is not None:
            allowed = self.allowed
            if isinstance(allowed, (list, tuple)):
                allowed = ", ".join(str(a) for a in allowed)
            parts.append(f"(allowed: {allowed})")
        return " ".join(parts)


class InputError(PcfError):
    """A request value is invalid: unknown product, variant or parameter, out of range,
    wrong type, non-positive quantity, or a unit that does not convert to the declared unit."""

    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class NotFoundError(PcfError):
    """A named resource (product, order, certificate) does not exist (or is not visible)."""

    status = 404
    title = "Not found"
    type_slug = "not-found"


class ConflictError(PcfError):
    """A resource exists with different content (e.g. an order id reused with another body)."""

    status = 409
    title = "Conflict"
    type_slug = "conflict"


class DataError(PcfError):
    """The inventory in ``databases/`` is invalid; ``message`` names the file and line."""

    status = 500
    title = "Inventory data error"
    type_slug = "data-error"


class ProjectNotReadyError(PcfError):
    """The Brightway project is missing or stale; run ``pcf setup``."""

    status = 503
    title = "Brightway project not ready"
    type_slug = "project-not-ready"
