"""``/v1/certificates``: signed footprint certificates for stored order lines.

Rules (also in the OpenAPI descriptions; the service is :mod:`pcf.certificates`):

- **Issue** ``POST /v1/certificates {order_id, line_id}``: roles ``engineer`` and ``admin``;
  ``customer`` only when the deployment allows it (``PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES=1``
  or the app config key of that name). The line is one of the caller's own tenant's orders;
  an admin may add ``tenant`` to certify another tenant's order. 201 with the certificate;
  404 (naming ``order_id`` or ``line_id``) for an unknown order or line; 409 when the line
  already has an active certificate (supersede it) or cannot be certified.
- **Read** ``GET /v1/certificates[/{id}]``, ``/{id}.pdf``, ``/{id}/verification``: the
  certificate's owner (the tenant of the order) and admins; any other id answers 404.
- **Correct** ``POST /v1/certificates/{id}/supersession {reason}`` (engineer of the owner
  tenant, or admin): 201 with a new certificate that supersedes the old one; the old one stays
  readable with status ``superseded``.
- **Revoke** ``POST /v1/certificates/{id}/revocation {reason}`` (engineer of the owner tenant,
  or admin): recorded, never deleted; status ``revoked``. 409 if already revoked.
- **Public key** ``GET /v1/certificates/public-key``: public (no API key).
- **Verify a file** ``POST /v1/certificates/verification`` with a certificate file (or a saved
  ``GET /v1/certificates/{id}`` answer): signature, hash and recomputation, without using
  the stored copy.
"""

from __future__ import annotations

import re

import marshmallow as ma
from flask import Response, current_app
from marshmallow import fields, validate

from pcf.api.auth import current_tenant, public
from pcf.api.blueprint import Blueprint, json_response
from pcf.api.pagination import (
    LINK_HEADER_DOC,
    cursor_field,
    decode_cursor,
    encode_cursor,
    limit_field,
    link_header,
)
from pcf.api.problems import ApiProblem
from pcf.api.schemas import ORDER_ID_PATTERN, RequestSchema, ResponseSchema
from pcf.api.urls import dev_mode
from pcf.errors import InvalidInput, UnknownResource
from pcf.service.tenants import acting_for, read_scope

blp = Blueprint("certificates", __name__, url_prefix="/v1/certificates",
                description="Signed, immutable footprint certificates (PACT v3 ProductFootprint, "
                            "Ed25519 over RFC 8785 canonical JSON) for stored order lines.")

ISSUER_ROLES = ("engineer", "admin")
from pcf.store.certificates import STATUSES, CertificateRecord  # noqa: E402 - one list of statuses

# --------------------------------------------------------------------------- schemas


class CertificateRequestSchema(RequestSchema):
    """Body of ``POST /v1/certificates``."""

    order_id = fields.String(
        required=True,
        validate=validate.Regexp(ORDER_ID_PATTERN, error="Must be 1-128 characters of A-Z a-z "
                                 "0-9 . _ ~ : @ + = -, starting with a letter or digit."),
        metadata={"description": "A stored order of your tenant (POST /v1/orders).",
                  "example": "PO-2025-0042"})
    line_id = fields.String(required=True, validate=validate.Length(min=1, max=128),
                            metadata={"description": "Line of that order.", "example": "10"})
    tenant = fields.String(validate=validate.Length(min=1, max=200),
                           metadata={"description": "Admins only: the tenant whose order it is "
                                                    "(default: your own)."})


class ReasonSchema(RequestSchema):
    """Body of a revocation or supersession."""

    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000),
                           metadata={"description": "Why (kept with the record, 1-1000 "
                                                    "characters).",
                                     "example": "grid factor of the site corrected"})


class CertificateQuerySchema(RequestSchema):
    """Query of ``GET /v1/certificates``."""

    order_id = fields.String(validate=validate.Length(min=1, max=128))
    line_id = fields.String(validate=validate.Length(min=1, max=128))
    status = fields.String(validate=validate.OneOf(STATUSES))
    tenant = fields.String(validate=validate.Length(min=1, max=200),
                           metadata={"description": "Admins only: list this tenant's "
                                                    "certificates (default for admins: all)."})
    limit = limit_field(500)
    cursor = cursor_field()


class CertificateFileSchema(ma.Schema):
    """A certificate file ``{document, sha256, signature}``; other keys are ignored, so a
    saved ``GET /v1/certificates/{id}`` answer can be sent as it is."""

    class Meta:
        unknown = ma.EXCLUDE

    document = fields.Dict(required=True, metadata={"description": "The signed document."})
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    signature = fields.Dict(required=True,
                            metadata={"description": "{algorithm, keyId, value, publicKey}"})


class SignatureSchema(ResponseSchema):
    """Ed25519 signature over the canonical document (base64)."""

    algorithm = fields.String(required=True, metadata={"example": "Ed25519"})
    keyId = fields.String(required=True)
    value = fields.String(required=True)
    publicKey = fields.String(metadata={"description": "For information; verify with the key "
                                                       "from GET /v1/certificates/public-key."})


class CertificateRefSchema(ResponseSchema):
    """Another certificate of the same line."""

    id = fields.String(required=True)
    number = fields.String(required=True)


class RevocationSchema(ResponseSchema):
    """A recorded revocation."""

    revoked_at = fields.String(required=True, metadata={"format": "date-time"})
    revoked_by = fields.String(required=True)
    reason = fields.String(required=True)


class CertificateLinksSchema(ResponseSchema):
    """Where to get the certificate's PDF, verification and the public key."""

    self = fields.String(required=True)
    pdf = fields.String(required=True)
    verification = fields.String(required=True)
    public_key = fields.String(required=True)
    public_verification = fields.String(metadata={
        "description": "Public verification page (no key needed): /verify/{id}."})


class CertificateSchema(ResponseSchema):
    """A certificate: the signed file (``document``, ``sha256``, ``signature``) plus its current
    status (derived, not signed) and links. Save it and check it offline with
    ``pcf certificates verify FILE.json``."""

    id = fields.String(required=True, metadata={"format": "uuid"})
    number = fields.String(required=True, metadata={"example": "PCF-2026-000042"})
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    pact_status = fields.String(required=True, metadata={"enum": ["Active", "Deprecated"]})
    customer = fields.String(required=True)
    order_id = fields.String(required=True)
    line_id = fields.String(required=True)
    product = fields.String(required=True)
    issued_at = fields.String(required=True, metadata={"format": "date-time"})
    issued_by = fields.String(required=True)
    valid_from = fields.String(required=True, metadata={"format": "date-time"})
    valid_until = fields.String(required=True, metadata={"format": "date-time"})
    database_version = fields.String(required=True)
    kg_co2e_total = fields.Float(required=True, metadata={"description": "Order-line total."})
    supersedes = fields.Nested(CertificateRefSchema, allow_none=True, required=True)
    superseded_by = fields.Nested(CertificateRefSchema, allow_none=True, required=True)
    supersession_reason = fields.String(allow_none=True, required=True)
    revocation = fields.Nested(RevocationSchema, allow_none=True, required=True)
    links = fields.Nested(CertificateLinksSchema, required=True)
    sha256 = fields.String(required=True)
    signature = fields.Nested(SignatureSchema, required=True)
    document = fields.Dict(required=True, metadata={
        "description": "{certificate: {number, id, issuedAt, validFrom, validUntil, issuer, "
                       "customer, orderId, lineId, supersedes, signingKey, ...}, "
                       "productFootprint: PACT v3 ProductFootprint with pcf's extension}"})


class CertificateListSchema(ResponseSchema):
    """``GET /v1/certificates``: one page, newest first (at most `limit`, default 500)."""

    certificates = fields.List(fields.Nested(CertificateSchema), required=True)
    truncated = fields.Boolean(metadata={"description": "More matched than this page holds"})
    next_cursor = fields.String(metadata={
        "description": "Cursor of the next page; present only when `truncated` is true."})


class PublicKeySchema(ResponseSchema):
    """The issuer's Ed25519 public key."""

    algorithm = fields.String(required=True, metadata={"example": "Ed25519"})
    keyId = fields.String(required=True, metadata={
        "description": "First 16 hex characters of SHA-256 of the raw public key."})
    publicKey = fields.String(required=True, metadata={"description": "Base64 of the 32 raw "
                                                                      "bytes."})
    pem = fields.String(required=True, metadata={"description": "SubjectPublicKeyInfo PEM."})
    x509Certificate = fields.String(metadata={
        "description": "Self-signed X.509 certificate (PEM) of the same key: the signer of "
                       "the certificate PDFs (PAdES)."})


class VerificationSchema(ResponseSchema):
    """Result of a verification.

    ``valid``: hash, signature and internal consistency hold and the recomputation is not a
    mismatch under the same database version. ``checks.recomputation.status`` is ``match``,
    ``mismatch``, ``database-changed`` (both numbers shown), ``error`` or ``not-run``.
    ``status`` (stored certificates only): ``active``, ``superseded``, ``revoked``,
    ``expired``; ``valid_now`` = ``valid`` and ``status == "active"``.
    """

    valid = fields.Boolean(required=True)
    valid_now = fields.Boolean(allow_none=True)
    id = fields.String(allow_none=True, required=True)
    number = fields.String(allow_none=True, required=True)
    status = fields.String(allow_none=True, metadata={"enum": list(STATUSES) + [None]})
    superseded_by = fields.Nested(CertificateRefSchema, allow_none=True)
    revocation = fields.Nested(RevocationSchema, allow_none=True)
    checks = fields.Dict(required=True, metadata={
        "description": "hash {ok, expected, actual}, signature {ok, keyId, message}, "
                       "consistency {ok, problems}, recomputation {status, message, certified, "
                       "recomputed, relativeDifference}"})


# --------------------------------------------------------------------------- helpers


def _store():
    return current_app.extensions["pcf"].store


def _base_url() -> str:
    """Base URL for certificate links and the PDF's QR code (:func:`pcf.api.urls.
    public_base_url`: ``PCF_PUBLIC_URL``, or the request's URL for loopback requests only).

    Raises
    ------
    ApiProblem
        503 when ``PCF_PUBLIC_URL`` is not set and the request is not to a loopback host.
    """
    from pcf.api.urls import public_base_url
    from pcf.errors import NotConfigured

    try:
        return public_base_url()
    except NotConfigured:
        raise ApiProblem(503, "PCF_PUBLIC_URL is not set: certificate links and QR codes "
                              "need the server's public base URL (a request's Host header "
                              "is not trusted).", title="Public URL not configured",
                         slug="public-url-not-configured") from None


def _customers_may_issue() -> bool:
    from pcf.certificates.settings import customers_may_issue

    flag = current_app.config.get("PCF_CUSTOMERS_MAY_ISSUE_CERTIFICATES")
    if flag is not None:
        return bool(flag) and str(flag).lower() not in ("0", "false", "no", "off")
    return customers_may_issue()


def _require_issuer_role(tenant, action: str) -> None:
    if tenant.role not in ISSUER_ROLES:
        raise ApiProblem(403, f"Role {tenant.role!r} may not {action}; allowed roles: "
                              f"{', '.join(ISSUER_ROLES)}.",
                         allowed={"role": list(ISSUER_ROLES)})


def _view(record) -> dict:
    from pcf.service.certificates import certificate_view

    return certificate_view(record, _base_url())


def _get(certificate_id) -> CertificateRecord:
    from pcf.store.certificates import get_certificate

    return get_certificate(_store().engine, str(certificate_id),
                           read_scope(current_tenant()))


_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


# --------------------------------------------------------------------------- routes


@blp.route("", methods=["POST"])
@blp.arguments(CertificateRequestSchema, example={"order_id": "PO-2025-0042", "line_id": "10"})
@blp.response(201, CertificateSchema, description="Certificate issued.",
              headers={"Location": {"description": "/v1/certificates/{id}",
                                    "schema": {"type": "string"}}})
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def issue(args: dict):
    """Issue a certificate for a stored order line.

    Roles: engineer, admin (and customer if the deployment allows it). The line must belong to
    one of your tenant's orders; admins may name another `tenant`. The footprint is recomputed
    from the stored line (product, variant, parameters, quantity, unit) with the current
    database; the order's as-scored number is kept in the certificate. 409 if the line already
    has an active certificate: supersede it instead.
    """
    from pcf.service.certificates import issue_certificate

    tenant = current_tenant()
    if tenant.role not in ISSUER_ROLES and not (tenant.role == "customer"
                                                and _customers_may_issue()):
        raise ApiProblem(403, f"Role {tenant.role!r} may not issue certificates in this "
                              "deployment; allowed roles: engineer, admin.",
                         allowed={"role": list(ISSUER_ROLES)})
    store = _store()
    try:
        owner = acting_for(store, tenant, args.get("tenant"), "certify another tenant's orders")
    except UnknownResource as exc:  # a body field naming nobody is a bad value, not a 404
        raise InvalidInput(exc.message, field="tenant") from None
    record = issue_certificate(store.engine, tenant_id=owner.id, order_id=args["order_id"],
                               line_id=args["line_id"], issued_by=tenant.name,
                               base_url=_base_url(), require_issuer=not dev_mode())
    view = _view(record)
    return json_response(view, 201, {"Location": view["links"]["self"]})


@blp.route("", methods=["GET"])
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.arguments(CertificateQuerySchema, location="query")
@blp.response(200, CertificateListSchema, headers=LINK_HEADER_DOC)
@blp.alt_response(403, response="FORBIDDEN")
def list_(query: dict):
    """List your tenant's certificates, newest first (admins: all, or `?tenant=NAME`).

    Filter with `order_id`, `line_id` and `status`. One page of `limit` (default and at most
    500); `truncated: true` and `next_cursor` say there are more: pass `cursor=<next_cursor>`
    (or follow the `Link: <...>; rel="next"` header) for the next page.
    """
    from pcf.service.certificates import certificate_view
    from pcf.store.certificates import list_certificates

    tenant = current_tenant()
    store = _store()
    scope = read_scope(tenant)
    if query.get("tenant") is not None and query["tenant"] != tenant.name:
        scope = acting_for(store, tenant, query["tenant"],
                           "list another tenant's certificates").id
    # the status is derived (revoked > superseded > expired > active), so it is filtered
    # after loading: read batches until the page is full
    limit = query.get("limit") or 500
    before = decode_cursor("certificate", query.get("cursor"))
    base = _base_url()
    page: list[tuple[int, dict]] = []
    more = False
    while True:
        records = list_certificates(store.engine, scope, query.get("order_id"),
                                    query.get("line_id"), limit=limit + 1, before=before)
        for record in records:
            view = certificate_view(record, base)
            if query.get("status") and view["status"] != query["status"]:
                continue
            if len(page) == limit:
                more = True
                break
            page.append((record.pk, view))
        if more or len(records) <= limit:
            break
        before = records[-1].pk
    cursor = encode_cursor("certificate", page[-1][0]) if more else None
    body: dict = {"certificates": [v for _, v in page], "truncated": more}
    if cursor is not None:  # only when there is a next page (the list's first shape kept)
        body["next_cursor"] = cursor
    return json_response(body, 200, link_header(cursor, limit))


@blp.route("/public-key", methods=["GET"])
@public
@blp.response(200, PublicKeySchema)
def public_key():
    """The issuer's Ed25519 public key (public: no API key needed).

    Verify a certificate with it: canonicalise `document` (RFC 8785), check that its SHA-256
    is `sha256` and that `signature.value` is a valid Ed25519 signature of it.
    """
    from pcf.certificates.pdfsign import certificate_pem
    from pcf.certificates.settings import issuer
    from pcf.certificates.signing import public_key_info

    return json_response({**public_key_info(), "x509Certificate": certificate_pem(issuer().name)})


@blp.route("/verification", methods=["POST"])
@blp.arguments(CertificateFileSchema)
@blp.response(200, VerificationSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def verify_file(args: dict):
    """Verify a certificate file you hold, without using the stored copy.

    Checks hash and signature against this server's public key, the internal consistency and
    the footprint recomputed from the inputs stated in the file. `status` is added when the
    certificate is one of yours.
    """
    from pcf.certificates.signing import local_public_key
    from pcf.service.certificates import verify_certificate
    from pcf.store.certificates import get_certificate

    result = verify_certificate(args, local_public_key())
    result.update({"status": None, "valid_now": None})
    cid = result.get("id")
    if isinstance(cid, str) and len(cid) <= 64:
        try:
            record = get_certificate(_store().engine, cid, read_scope(current_tenant()))
        except UnknownResource:
            record = None
        if record is not None and record.sha256 == result["checks"]["hash"]["actual"]:
            _add_status(result, record)
    return json_response(result)


def _add_status(result: dict, record) -> None:
    from pcf.service.certificates import certificate_view

    view = certificate_view(record)
    result["status"] = view["status"]
    result["valid_now"] = bool(result["valid"] and view["status"] == "active")
    result["superseded_by"] = view["superseded_by"]
    result["revocation"] = view["revocation"]


@blp.route("/<uuid:certificate_id>", methods=["GET"])
@blp.response(200, CertificateSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def get(certificate_id):
    """Read a certificate (yours, or any for admins; other ids answer 404)."""
    return json_response(_view(_get(certificate_id)))


@blp.route("/<uuid:certificate_id>.pdf", methods=["GET"])
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf",
              description="One A4 page (application/pdf).")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def pdf(certificate_id):
    """The certificate as a signed one-page PDF for a buyer.

    The QR code leads to the public verification page (`/verify/{id}`); the certificate file
    (JSON) is attached, and the PDF carries a PAdES signature by the issuer's key (its
    self-signed X.509 certificate is in `GET /v1/certificates/public-key`). Check it with
    `pcf certificates verify FILE.pdf`.
    """
    from pcf.certificates.pdf import render_pdf
    from pcf.certificates.pdfsign import sign_pdf
    from pcf.certificates.settings import issuer

    record = _get(certificate_id)
    base = _base_url()
    body = render_pdf(record.envelope(), verification_url=f"{base}/verify/{record.certificate_id}",
                      status=record.status(),
                      api_verification_url=f"{base}/v1/certificates/{record.certificate_id}"
                                           "/verification")
    body = sign_pdf(body, record.envelope(), issuer_name=issuer().name)
    name = _FILENAME.sub("_", record.number)
    return Response(body, status=200, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})


@blp.route("/<uuid:certificate_id>/verification", methods=["GET"])
@blp.response(200, VerificationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def verification(certificate_id):
    """Verify a stored certificate: hash, signature, consistency, recomputation and status.

    When the database version differs from the certified one, `checks.recomputation.status`
    is `database-changed` and both numbers are shown.
    """
    from pcf.certificates.signing import local_public_key
    from pcf.service.certificates import verify_certificate

    record = _get(certificate_id)
    result = verify_certificate(record.envelope(), local_public_key())
    _add_status(result, record)
    return json_response(result)


@blp.route("/<uuid:certificate_id>/revocation", methods=["POST"])
@blp.arguments(ReasonSchema, example={"reason": "issued for the wrong order line"})
@blp.response(200, CertificateSchema, description="Revocation recorded; the certificate with "
                                                  "status revoked.")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def revoke(args: dict, certificate_id):
    """Revoke a certificate (engineer of the owning tenant, or admin). 409 if already revoked.

    The certificate is not deleted or edited: the revocation is a separate record.
    """
    from pcf.service.certificates import revoke_certificate

    tenant = current_tenant()
    _require_issuer_role(tenant, "revoke certificates")
    record = revoke_certificate(_store().engine, str(certificate_id),
                                tenant_id=read_scope(tenant), revoked_by=tenant.name,
                                reason=args["reason"])
    return json_response(_view(record))


@blp.route("/<uuid:certificate_id>/supersession", methods=["POST"])
@blp.arguments(ReasonSchema, example={"reason": "grid factor of the site corrected"})
@blp.response(201, CertificateSchema, description="The new certificate.",
              headers={"Location": {"description": "/v1/certificates/{new id}",
                                    "schema": {"type": "string"}}})
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
@blp.alt_response(409, response="CONFLICT")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def supersede(args: dict, certificate_id):
    """Correct a certificate: issue a new one for the same line that supersedes it.

    Engineer of the owning tenant, or admin. The new certificate is recomputed with the
    current database and lists the old one in PACT `precedingPfIds`; the old one gets status
    `superseded`. 409 if it is revoked or already superseded.
    """
    from pcf.service.certificates import supersede_certificate

    tenant = current_tenant()
    _require_issuer_role(tenant, "supersede certificates")
    record = supersede_certificate(_store().engine, str(certificate_id),
                                   tenant_id=read_scope(tenant), issued_by=tenant.name,
                                   reason=args["reason"], base_url=_base_url(),
                                   require_issuer=not dev_mode())
    view = _view(record)
    return json_response(view, 201, {"Location": view["links"]["self"]})


__all__ = ["blp"]
