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
    Base URL printed in the PDF's QR code (default: the URL the request came in on).
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
"""``dataSchema`` of pcf's PACT data model extension (a URN: pcf publishes no schema URL)."""

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

    @property
    def company_ids(self) -> list[str]:
        """PACT ``companyIds``: ``["urn:pact:company:customcode:vendor-assigned:<code>"]``."""
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
    code = _slug(os.environ.get("PCF_ISSUER_ID", "").strip() or name)
    return Issuer(name=name, domain=domain, code=code)


def customers_may_issue() -> bool:
    """True when ``PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES`` is set to a true value."""
    return os.environ.get("PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES", "").strip().lower() in _TRUE


def public_url() -> str | None:
    """``PCF_PUBLIC_URL`` without a trailing slash, or None."""
    url = os.environ.get("PCF_PUBLIC_URL", "").strip().rstrip("/")
    return url or None
