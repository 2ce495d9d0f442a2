"""Footprint certificates: signed, immutable PACT v3 documents for stored order lines.

A certificate certifies the footprint of one stored order line (``POST /v1/orders``). It is a
JSON *document* with two parts, signed as a whole::

    {"certificate": {number, id, issuedAt, validFrom, validUntil, issuer, customer, orderId,
                     lineId, supersedes, signingKey, ...},
     "productFootprint": <PACT Technical Specifications v3 ProductFootprint, with a pcf
                          extension carrying the order line, parameters, variant, method,
                          database and model versions>}

and the *certificate file* a customer or auditor keeps is::

    {"document": {...}, "sha256": "<hex of the canonical document>",
     "signature": {"algorithm": "Ed25519", "keyId": "...", "value": "<base64>",
                   "publicKey": "<base64, for information only>"}}

Canonical form: RFC 8785 (JSON Canonicalization Scheme). ``sha256`` is the SHA-256 of the
canonical bytes and the Ed25519 signature is over the same bytes (:mod:`.signing`).

Rules (also in the API description)
-----------------------------------
- **Who may issue**: tenants with role ``engineer`` or ``admin``; a ``customer`` only when the
  deployment sets ``PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES=1``. Engineers and customers certify
  lines of their own tenant's orders; admins may name another tenant (``tenant``).
- **Immutability**: a certificate row is written once (database triggers refuse UPDATE and
  DELETE of a finished certificate). A correction is a *new* certificate that supersedes the old
  one (PACT ``precedingPfIds``); a revocation is a separate record. Status is derived:
  ``revoked`` > ``superseded`` > ``expired`` > ``active``.
- **One active certificate per line**: issuing for a line that has an active certificate is
  409 (supersede it instead); after a revocation a new certificate may be issued.
- **Numbering**: ``PCF-<issue year>-<6-digit sequence>``, the sequence being the row id:
  unique and increasing, not gapless.
- **Validity**: from the issue time until the earlier of issue + :data:`settings.VALIDITY_YEARS`
  years and the PACT maximum (``referencePeriodEnd`` + 3 years). Data older than that cannot
  be certified (409).
- **Reference period**: the calendar year(s) of the product's own gate-to-gate activity data
  (the exchanges of its reference activity in ``databases/products``), start inclusive, end
  exclusive.
- **Footprint**: recomputed at issue time by :func:`pcf.service.certificates.compute_line`
  from the stored line's inputs (product, variant, resolved parameters, quantity, unit); the
  order's as-scored number and database version are kept in the extension.

This package computes nothing: :mod:`pcf.service.certificates` computes the footprint and
the facts :mod:`pcf.accounting` derives from it and hands them to :mod:`.pact` (the PACT
document), :mod:`.signing` (canonical JSON, Ed25519), :mod:`.pdf` and :mod:`.verify`. It
imports no engine, Brightway, store or service module, and no Flask (import contracts).
"""
