"""Deployment settings of certificates (environment variables) and fixed rules.

``PCF_ISSUER_NAME``
    The company issuing certificates (PACT ``companyName``, the data owner). Default ``"pcf"``.
``PCF_ISSUER_DOMAIN``
    Internet domain of the issuer, used in product URNs ``urn:pact:<domain>:product-id:<id>``
    (PACT 2.3+ convention for custom product ids). Default ``"pcf.invalid"`` (RFC 6761: a name
    that is never valid), which shows that it has not been configured.
``PCF_ISSUER_ID``
    Company code in ``urn:pact:company:customcode:vendor-assigned:<code>``; default: the
    issuer name lower-cased with non-alphanumerics replaced by ``-``.
``PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES``
    ``1``/``true`` lets customers issue certificates for lines of their own orders.
``PCF_PUBLIC_URL``
    Base URL of every absolute link: certificate links, the PDF's QR code (``/verify/{id}``),
    the extension's ``dataSchema``, PACT pagination links (default: the URL the request came
    in on, for loopback requests only).

Outside development (``pcf serve --dev``) issuing a certificate needs ``PCF_ISSUER_NAME``,
``PCF_ISSUER_DOMAIN`` and ``PCF_ISSUER_ID`` (:func:`issuer_settings_missing`): a certificate
that names "pcf" at ``pcf.invalid`` is no use to a buyer.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

VALIDITY_YEARS = 2
"""A certificate is valid this many years from issue (Carbon Trust and the Chinese pilot
labels certify for 2 years, methods.md 4.3), capped at the PACT maximum below."""

PACT_MAX_VALIDITY_YEARS = 3
"""PACT: a footprint is valid at most 3 years after ``referencePeriodEnd``."""

PACT_SPEC_VERSION = "3.0.3"
"""PACT Technical Specifications version the ProductFootprint follows (current release)."""

CERTIFICATE_FORMAT = "urn:pcf:certificate:1"
"""Identifier of the certificate document layout (``certificate.format``)."""

EXTENSION_SCHEMA = "urn:pcf:pact-extension:order-line-certificate:1.0.0"
"""Identifier of pcf's PACT data model extension (``$id`` of its JSON Schema)."""

EXTENSION_SCHEMA_PATH = "/pact/extensions/order-line-certificate/1.0.0/schema.json"
"""Where the app serves the extension's JSON Schema; ``dataSchema`` is this path on the public
base URL (:func:`extension_schema_url`)."""

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""Base URL used when none is configured or known (the development server's address)."""

ISSUER_SETTINGS = ("PCF_ISSUER_NAME", "PCF_ISSUER_DOMAIN", "PCF_ISSUER_ID")
"""Settings that name the issuer; all are required outside development."""

_TRUE = {"1", "true", "yes", "on"}


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "pcf"


@dataclass(frozen=True)
class Issuer:
    """The issuing company.

    Attributes
    ----------
    name : str
        PACT ``companyName``.
    domain : str
        Domain used in product URNs.
    code : str
        Company code used in the company URN.
    """

    name: str
    domain: str
    code: str

    urn: str | None = None
    """``PCF_ISSUER_ID`` when it is itself a URN (``urn:uuid:...``, ``urn:lei:...``,
    ``urn:pact:...``): the maker's own company id, used as given."""

    @property
    def company_ids(self) -> list[str]:
        """PACT ``companyIds``: the issuer's own URN when ``PCF_ISSUER_ID`` is one, else
        ``["urn:pact:company:customcode:vendor-assigned:<code>"]``."""
        if self.urn:
            return [self.urn]
        return [f"urn:pact:company:customcode:vendor-assigned:{self.code}"]

    def product_urn(self, product_id: str) -> str:
        """PACT product id ``urn:pact:<domain>:product-id:<product id>``."""
        return f"urn:pact:{self.domain}:product-id:{product_id}"


def issuer() -> Issuer:
    """Return the issuer configured by the environment (see module doc)."""
    name = os.environ.get("PCF_ISSUER_NAME", "").strip() or "pcf"
    domain = os.environ.get("PCF_ISSUER_DOMAIN", "").strip().lower() or "pcf.invalid"
    if not re.fullmatch(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?", domain):
        domain = "pcf.invalid"
    raw_id = os.environ.get("PCF_ISSUER_ID", "").strip()
    urn = raw_id if _URN.fullmatch(raw_id) else None
    code = _slug(raw_id.split(":")[-1] if urn else (raw_id or name))
    return Issuer(name=name, domain=domain, code=code, urn=urn)


_URN = re.compile(r"[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[!-~]+")
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")


def issuer_settings_missing() -> list[str]:
    """Names of the issuer settings (:data:`ISSUER_SETTINGS`) that are unset or invalid
    (a domain that is not a host name); empty when the issuer is fully configured."""
    missing = [name for name in ISSUER_SETTINGS if not os.environ.get(name, "").strip()]
    domain = os.environ.get("PCF_ISSUER_DOMAIN", "").strip().lower()
    if domain and (not _DOMAIN.fullmatch(domain) or domain == "pcf.invalid"):
        missing.append("PCF_ISSUER_DOMAIN")
    return missing


def customers_may_issue() -> bool:
    """True when ``PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES`` is set to a true value."""
    return os.environ.get("PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES", "").strip().lower() in _TRUE


def public_url() -> str | None:
    """``PCF_PUBLIC_URL`` without a trailing slash, or None."""
    url = os.environ.get("PCF_PUBLIC_URL", "").strip().rstrip("/")
    return url or None


def extension_schema_url(base_url: str | None = None) -> str:
    """``dataSchema`` of pcf's extension: :data:`EXTENSION_SCHEMA_PATH` on ``base_url``
    (default ``PCF_PUBLIC_URL``, else :data:`DEFAULT_BASE_URL`)."""
    base = (base_url or public_url() or DEFAULT_BASE_URL).rstrip("/")
    return f"{base}{EXTENSION_SCHEMA_PATH}"


def verify_url(certificate_id: str, base_url: str | None = None) -> str:
    """Public verification page of a certificate: ``<base>/verify/<id>`` (the QR code)."""
    base = (base_url or public_url() or DEFAULT_BASE_URL).rstrip("/")
    return f"{base}/verify/{certificate_id}"
