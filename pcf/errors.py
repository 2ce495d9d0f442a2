"""Domain errors of pcf (no HTTP in here: :mod:`pcf.api.problems` maps them to status codes).

Every error a user can cause is a :class:`PcfError` that names the offending ``field`` and,
where there is a closed set, the ``allowed`` values. The CLI prints them as one line; the API
answers ``application/problem+json`` (RFC 9457). Nothing in pcf lets a bad input surface as a
stack trace.

The hierarchy (one line of docstring each, as bw2calc's ``errors.py``)::

    PcfError
    ├── InvalidInput            a value given by the caller is not acceptable
    │   ├── InvalidParameter    unknown variant or parameter, or a value out of its range
    │   ├── InvalidQuantity     quantity not finite / not > 0, or a unit that does not convert
    │   └── SupplierFootprintRejected  a supplier footprint fails a check (unit, boundary,
    │                           expiry, signature, trusted key, workbook cell...)
    ├── UnknownResource         a named thing does not exist (or is not visible to the caller)
    │   ├── UnknownProduct, UnknownCompany, UnknownOrder, UnknownOrderLine,
    │   └── UnknownCertificate, UnknownTenant, UnknownSupplierFootprint
    ├── StateConflict           the request contradicts what is stored
    │   ├── OrderConflict       an order id reused with a different body
    │   ├── TenantExists        a tenant name taken
    │   ├── CertificateConflict a line cannot be (re)certified or revoked in its current state
    │   └── SupplierFootprintConflict  stored supplier figures would cover more than the input
    ├── NotPermitted            the caller's role may not do this
    │   └── CallbackNotAllowed  a PACT callback to a host not allowed for the tenant
    ├── AuthenticationFailed    client credentials or an access token are not valid
    │   └── TokenExpired        a PACT access token has expired
    ├── NotConfigured           a deployment setting this needs is missing
    ├── LimitExceeded           a limit of the caller's tenant is reached (``retry_after`` s)
    │   ├── QuotaExceeded       the daily order-line quota is used up
    │   └── TooManyJobs         too many of the tenant's orders are waiting to be scored
    ├── UpstreamFailed          another system pcf called (a supplier's PACT host) failed
    ├── InventoryInvalid        ``databases/`` is invalid (message names file and line)
    ├── ProjectNotReady         the Brightway project is missing or stale (run ``pcf setup``)
    └── StoreUnavailable        the application database does not answer
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

    def relocated(self, field: str | None) -> PcfError:
        """A copy of this error (same class, message and allowed values) at another field."""
        return type(self)(self.message, field=field, allowed=self.allowed)

    def __str__(self) -> str:  # one line for the CLI
        parts = [self.message]
        if self.allowed is not None:
            allowed = self.allowed
            if isinstance(allowed, (list, tuple)):
                allowed = ", ".join(str(a) for a in allowed)
            parts.append(f"(allowed: {allowed})")
        return " ".join(parts)


class InvalidInput(PcfError):
    """A value given by the caller is not acceptable (type, range, format)."""


class InvalidParameter(InvalidInput):
    """An unknown variant or parameter, or a parameter value outside its range or choices."""


class InvalidQuantity(InvalidInput):
    """A quantity that is not finite and > 0, or a unit that does not convert to the declared
    unit."""


class SupplierFootprintRejected(InvalidInput):
    """A supplier footprint fails a check; ``check`` names it (``format``, ``unit``,
    ``boundary``, ``expiry``, ``gwp``, ``status``, ``share``, ``signature``,
    ``untrusted-key``, ``consistency``, ``workbook``)."""

    def __init__(self, message: str, field: str | None = None, allowed: Any = None,
                 check: str = "format"):
        super().__init__(message, field=field, allowed=allowed)
        self.check = check

    def to_dict(self) -> dict[str, Any]:
        """As :meth:`PcfError.to_dict`, plus ``check``."""
        return {**super().to_dict(), "check": self.check}

    def relocated(self, field: str | None) -> PcfError:
        """A copy at another field, keeping ``check``."""
        return type(self)(self.message, field=field, allowed=self.allowed, check=self.check)


class UnknownResource(PcfError):
    """A named resource does not exist (or is not visible to the caller)."""


class UnknownProduct(UnknownResource):
    """No product with this id in the Brightway project."""


class UnknownCompany(UnknownResource):
    """No company with this id, or the company has no data for the product."""


class UnknownOrder(UnknownResource):
    """No stored order with this id for the tenant."""


class UnknownOrderLine(UnknownResource):
    """The order has no line with this id."""


class UnknownCertificate(UnknownResource):
    """No certificate with this id (visible to the caller)."""


class UnknownTenant(UnknownResource):
    """No tenant with this name."""


class UnknownSupplierFootprint(UnknownResource):
    """No stored supplier footprint with this id (or none found at a supplier's host)."""


class StateConflict(PcfError):
    """The request contradicts what is stored."""


class OrderConflict(StateConflict):
    """An order id was reused with a different body."""


class TenantExists(StateConflict):
    """A tenant with this name exists."""


class CertificateConflict(StateConflict):
    """A line cannot be certified, superseded or revoked in its current state."""


class SupplierFootprintConflict(StateConflict):
    """Stored supplier figures would cover more than all of an input, or a key is taken."""


class NotPermitted(PcfError):
    """The caller's role may not do this."""


class CallbackNotAllowed(NotPermitted):
    """A PACT event's ``source`` is not a callback host allowed for the tenant."""


class AuthenticationFailed(PcfError):
    """Client credentials or an access token are not valid."""


class TokenExpired(AuthenticationFailed):
    """A PACT access token has expired (ask ``/auth/token`` for a new one)."""


class NotConfigured(PcfError):
    """A deployment setting this needs is missing; ``allowed`` names the settings."""


class LimitExceeded(PcfError):
    """A limit of the caller's tenant is reached; ``retry_after`` says when to try again.

    Parameters
    ----------
    message, field, allowed
        As :class:`PcfError`.
    retry_after : int
        Seconds after which the same request may succeed.
    """

    def __init__(self, message: str, field: str | None = None, allowed: Any = None,
                 retry_after: int = 1):
        super().__init__(message, field=field, allowed=allowed)
        self.retry_after = max(1, int(retry_after))

    def relocated(self, field: str | None) -> PcfError:
        """A copy at another field (keeps ``retry_after``)."""
        return type(self)(self.message, field=field, allowed=self.allowed,
                          retry_after=self.retry_after)


class QuotaExceeded(LimitExceeded):
    """The tenant's daily order-line quota is used up (resets at 00:00 UTC)."""


class TooManyJobs(LimitExceeded):
    """Too many of the tenant's orders are queued or being scored."""


class UpstreamFailed(PcfError):
    """Another system pcf called (a supplier's PACT host) failed or answered badly."""


class InventoryInvalid(PcfError):
    """The inventory in ``databases/`` is invalid; ``message`` names the file and line."""


class ProjectEdited(PcfError):
    """The Brightway project was edited outside pcf and a rebuild would discard the edits."""


class ProjectNotReady(PcfError):
    """The Brightway project is missing or stale; run ``pcf setup``."""


class StoreUnavailable(PcfError):
    """The application database does not answer."""
