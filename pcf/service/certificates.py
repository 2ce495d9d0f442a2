"""Use case: issue, supersede, revoke and verify certificates; the JSON view of a stored one.

This module computes (the footprint, with provenance, and the facts :mod:`pcf.accounting`
derives from it) and stores (:mod:`pcf.store.certificates`); :mod:`pcf.certificates` only
builds, signs, renders and checks documents it is handed. The functions take the application
database engine (``Store.engine``) and tenant ids; who may call them is decided by the caller
(the API's roles, the admin CLI). See :mod:`pcf.certificates` for the rules (numbering,
validity, supersession, reference period).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, overload

import pcf
from pcf.accounting import data_quality
from pcf.accounting.carbon_content import fossil_carbon_content
from pcf.certificates import settings
from pcf.certificates.classifications import classifications
from pcf.certificates.pact import (
    aircraft_emissions,
    build_product_footprint,
    decimal_str,
    iso_utc,
    product_mass,
    secondary_sources,
)
from pcf.certificates.signing import canonical_json, public_key_info, sha256_hex, sign
from pcf.certificates.verify import verify_envelope
from pcf.errors import (
    CertificateConflict,
    InvalidInput,
    NotConfigured,
    PcfError,
    ProjectNotReady,
)
from pcf.inventory.uncertainty import temporal_thresholds
from pcf.service import footprints
from pcf.store.certificates import (
    CertificateRecord,
    OrderLineRecord,
    SignedDocument,
    chain_ids,
    create_certificate,
    find_order_line,
    get_certificate,
    revoke_certificate as _store_revoke,
)
from pcf.store.models import utcnow

MAX_REASON = 1000
"""Longest revocation or supersession reason, characters."""


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _parts(values: dict) -> dict[str, float]:
    return {"total": float(values["total"]), "fossil": float(values["fossil"]),
            "biogenic": float(values["biogenic"]), "landUse": float(values["land_use"])}


@overload
def _check_reason(reason: str | None, required: Literal[True]) -> str: ...
@overload
def _check_reason(reason: str | None, required: bool) -> str | None: ...
def _check_reason(reason: str | None, required: bool) -> str | None:
    if reason is None or not str(reason).strip():
        if required:
            raise InvalidInput("a reason is required", field="reason")
        return None
    reason = str(reason).strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason has more than {MAX_REASON} characters", field="reason")
    return reason


CERTIFICATE_UNCERTAINTY = {"draws": 10_000, "seed": 0}
"""Monte Carlo of the interval a certificate states (issue 17): fixed draws and seed, so the
same line and database give the same interval."""


def compute_line(line: OrderLineRecord) -> dict:
    """Recompute the Footprint of a stored order line with the current database.

    Inputs: product, variant and resolved parameters of the stored Footprint, quantity and
    unit of the line (:func:`pcf.service.footprints.compute_footprint`, with provenance on the
    contributions).

    Raises
    ------
    StateConflict
        ``field="line_id"`` when the current database can no longer compute the line (a
        product or parameter was removed).
    ProjectNotReady
        The Brightway project is not built.
    """
    stored = line.footprint
    if stored.get("supply_mix"):
        return _compute_mixed_line(line)
    try:
        fp = footprints.compute_footprint(
            line.product, variant=stored.get("variant", line.variant),
            parameters=stored.get("parameters") or None, quantity=line.quantity,
            unit=line.unit, provenance=True, uncertainty=CERTIFICATE_UNCERTAINTY)
    except ProjectNotReady:
        raise
    except PcfError as exc:
        raise CertificateConflict(f"line {line.line_id!r} cannot be computed with the current "
                            f"database ({exc}); it cannot be certified",
                            field="line_id") from None
    if stored.get("company") is not None:
        # a company's line: the stored supplier figures it was scored with are in its
        # parameters; say which records they were
        from pcf.service.suppliers import annotate

        applied = [{k: v for k, v in entry.items()
                    if k not in ("kg_per_declared_unit", "kg_co2e_per_declared_unit")}
                   for entry in stored.get("supplier_footprints") or []]
        annotate(fp, {"company": stored["company"], "supplier_footprints": applied,
                      "notes": []})
    return fp


def _mix_lines(stored_mix: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Supply-mix lines in the form :func:`pcf.service.supply_mix.mixed_footprint` takes,
    each with every parameter it was computed with (a Footprint's ``supply_mix`` items, or a
    certificate's ``calculation.supplyMix`` items)."""
    return [{"label": item["label"],
             "share": {"value": float(item["share"]), "origin": item.get("origin")},
             "parameters": dict(item.get("resolved_parameters") or item["parameters"])}
            for item in stored_mix]


def _compute_mixed_line(line: OrderLineRecord) -> dict:
    """A company line scored with a supply mix: the mix recomputed line by line with the
    parameters each supply-mix line was scored with (:func:`compute_line`).

    The Monte Carlo interval is not computed for a mix (uncertainty with company and year is
    refused elsewhere too): the certificate states no interval and ``warnings`` says why.
    """
    from pcf.service.suppliers import annotate
    from pcf.service.supply_mix import mixed_footprint

    stored = line.footprint
    applied = [{k: v for k, v in entry.items()
                if k not in ("kg_per_declared_unit", "kg_co2e_per_declared_unit")}
               for entry in stored.get("supplier_footprints") or []]
    info = {"company": stored["company"], "supplier_footprints": applied, "notes": [],
            "supplier_parameters": []}
    try:
        fp = mixed_footprint(line.product, _mix_lines(stored["supply_mix"]), {},
                             info=info if stored.get("company") is not None else None,
                             annotate=annotate,
                             variant=stored.get("variant", line.variant),
                             quantity=line.quantity, unit=line.unit, provenance=True)
    except ProjectNotReady:
        raise
    except PcfError as exc:
        raise CertificateConflict(f"line {line.line_id!r} cannot be computed with the current "
                            f"database ({exc}); it cannot be certified",
                            field="line_id") from None
    fp["warnings"] = [*fp["warnings"], "no Monte Carlo interval: the footprint is a supply "
                      "mix, and uncertainty over a mix is not available yet"]
    return fp


def validity_period(issued_at: datetime, reference_end: datetime) -> tuple[datetime, datetime]:
    """``(start, end)`` of a certificate's validity.

    start = max(issue time, referencePeriodEnd); end = min(issue + VALIDITY_YEARS years,
    referencePeriodEnd + PACT_MAX_VALIDITY_YEARS years).

    Raises
    ------
    StateConflict
        ``field="line_id"`` when the period is empty (data too old to certify).
    """
    start = max(issued_at, reference_end)
    end = min(_add_years(issued_at, settings.VALIDITY_YEARS),
              _add_years(reference_end, settings.PACT_MAX_VALIDITY_YEARS))
    if end <= start:
        raise CertificateConflict(
            f"the footprint's reference period ended {iso_utc(reference_end)}; PACT allows "
            f"validity up to {settings.PACT_MAX_VALIDITY_YEARS} years after it, so it cannot "
            "be certified any more", field="line_id")
    return start, end


def _extension(line: OrderLineRecord, fp: dict, facts: dict, number: str,
               definition_sha256: str) -> dict[str, Any]:
    temporal = facts["temporal"]
    primary = facts["primary"]
    return {
        "certificateNumber": number,
        "orderLine": {
            "orderId": line.order_id,
            "lineId": line.line_id,
            "customer": line.tenant,
            "orderedAt": iso_utc(line.ordered_at),
            "quantity": float(fp["quantity"]),
            "unit": fp["quantity_unit"],
            "quantityInDeclaredUnit": float(fp["quantity_in_declared_unit"]),
            "kgCO2e": _parts(fp["total"]),
            "asScored": {
                "databaseVersion": line.footprint.get("database", {}).get("version"),
                "kgCO2eTotal": float(line.footprint.get("total", {}).get("total", 0.0)),
            },
        },
        "calculation": {
            "product": fp["product"],
            "variant": fp["variant"],
            "parameters": fp["parameters"],
            "requestedParameters": line.requested_parameters,
            "declaredUnit": fp["declared_unit"],
            "kgCO2ePerDeclaredUnit": _parts(fp["per_declared_unit"]),
            "stages": [{"stage": s["stage"],
                        "kgCO2ePerDeclaredUnit": float(s["kg_co2e_per_declared_unit"])}
                       for s in fp["stages"]],
            "boundary": fp["boundary"],
            "recycledContentMethod": fp["recycled_content_method"],
            "electricityAccounting": fp["electricity_accounting"],
            "method": {"name": fp["method"]["name"],
                       "characterizationFactors": fp["method"]["characterization_factors"]},
            "databaseVersion": fp["database"]["version"],
            "databaseBuiltAt": fp["database"].get("built_at"),
            "modelVersion": f"pcf {pcf.__version__}",
            "productDefinitionSha256": definition_sha256,
            **({"supplyMix": [{"label": m["label"], "share": m["share"],
                               "origin": m.get("origin"),
                               "parameters": m.get("resolved_parameters") or m["parameters"],
                               "kgCO2ePerDeclaredUnit": float(m["per_declared_unit"])}
                              for m in fp["supply_mix"]]} if fp.get("supply_mix") else {}),
        },
        "dataQuality": {
            "temporalDQR": (decimal_str(temporal["rating"])
                            if temporal["rating"] is not None else None),
            "temporalDQRMethod": temporal["method"],
            "referenceYear": temporal["referenceYear"],
            "coveragePercent": temporal["coveragePercent"],
            "geographicalDQR": _dqr(facts["dqi"]["geographicalDQR"]),
            "technologicalDQR": _dqr(facts["dqi"]["technologicalDQR"]),
            "completenessDQR": _dqr(facts["dqi"]["completenessDQR"]),
            "reliabilityDQR": _dqr(facts["dqi"]["reliabilityDQR"]),
            "pedigreeDQRMethod": facts["dqi"]["rule"],
            "pedigreeCoveragePercent": facts["dqi"]["coveragePercent"],
            "primaryDataSharePercent": primary["percent"],
            "primaryDataBasis": primary["basis"],
            "assumptionSharePercent": facts["assumptionSharePercent"],
            "assumptionShareMethod": (
                "share of |kg CO2e| of first-tier contributions whose amount or whose input's "
                "own emission figures are pcf modelling assumptions (databases/, source "
                "pcf-assumption); supplier-specific figures are not assumptions"),
        },
        **_uncertainty_extension(fp),
        "productClassifications": classifications(fp["product"]),
        "carbonContent": facts["carbon"],
        "productMassPerDeclaredUnitBasis": facts["mass"][1],
        **_supplier_extension(fp),
    }


def _dqr(value: float | None) -> str | None:
    return decimal_str(value) if value is not None else None


def _uncertainty_extension(fp: dict) -> dict[str, Any]:
    """The Monte Carlo interval of the footprint per declared unit (none: ``{}``)."""
    mc = fp.get("uncertainty")
    if not mc:
        return {}
    total = mc["per_declared_unit"]["total"]
    return {"uncertainty": {
        "draws": mc["draws"], "seed": mc["seed"], "method": mc["method"],
        "kgCO2ePerDeclaredUnit": {k: total[k] for k in ("mean", "median", "p2_5", "p97_5",
                                                        "gsd")}}}


def _supplier_extension(fp: dict) -> dict[str, Any]:
    """The company and the stored supplier figures a company's line used (none: ``{}``)."""
    if fp.get("company") is None:
        return {}
    return {
        "company": {"id": fp["company"]["id"], "year": fp["company"]["year"]},
        "supplierFootprints": [{
            "input": e["input"], "coveredShare": e["covered_share"],
            "kgCO2ePerKg": e["kg_co2e_per_kg"],
            "kgPerDeclaredUnit": e.get("kg_per_declared_unit"),
            "kgCO2ePerDeclaredUnit": e.get("kg_co2e_per_declared_unit"),
            "records": [{"id": r["id"], "supplier": r["supplier"], "share": r["share"],
                         "kgCO2ePerKg": r["kg_co2e_per_kg"],
                         "primaryDataShare": r.get("primary_data_share"),
                         "verification": r.get("verification"), "wayIn": r.get("way_in"),
                         "pfId": r.get("pf_id"), "referencePeriod": r.get("reference_period")}
                        for r in e.get("records") or []],
        } for e in fp.get("supplier_footprints") or []],
    }


def analyse(footprint: dict, product: dict, issue_year: int) -> dict[str, Any]:
    """Everything a certificate derives from a Footprint besides the numbers themselves.

    Parameters
    ----------
    footprint : dict
        A Footprint computed with ``provenance=True`` (contributions carry their sources,
        years and carbon content; ``site`` the reference activity's years and location).
    product : dict
        The product's description (:func:`pcf.service.footprints.get_product`).
    issue_year : int
        Fallback reference year when the product records none.

    Returns
    -------
    dict
        ``referencePeriod`` (start, end datetimes), ``temporal``
        (:func:`pcf.accounting.data_quality.temporal_dqr`), ``primary``
        (:func:`~pcf.accounting.data_quality.primary_data`), ``carbon``
        (:func:`pcf.accounting.carbon_content.fossil_carbon_content`), ``aircraft`` (kg CO2e
        per declared unit), ``sources`` (:func:`pcf.certificates.pact.secondary_sources`),
        ``mass`` ((kg, basis)), ``assumptionSharePercent``, ``location``, ``dqi``
        (:func:`pcf.accounting.data_quality.pedigree_dqi`).
    """
    site = footprint.get("site") or {}
    start, end = data_quality.reference_period(site.get("reference_years") or (), issue_year)
    below = temporal_thresholds()
    primary = data_quality.primary_data(footprint, product["parameters"])
    return {
        "referencePeriod": (start, end),
        "temporal": {**data_quality.temporal_dqr(footprint, end.year - 1, below),
                     "method": data_quality.temporal_method(below)},
        "primary": primary,
        "carbon": fossil_carbon_content(footprint),
        "aircraft": aircraft_emissions(footprint),
        "sources": secondary_sources(footprint, primary["parameters"]),
        "mass": product_mass(footprint),
        "assumptionSharePercent": data_quality.assumption_share(footprint,
                                                                primary["parameters"]),
        "dqi": data_quality.pedigree_dqi(footprint),
        "location": site.get("location"),
    }


def recompute_certified(calculation: dict[str, Any], order_line: dict[str, Any]) -> dict:
    """Recompute a certified footprint from the inputs a certificate states.

    Parameters
    ----------
    calculation : dict
        The extension's ``calculation`` (``product``, ``variant``, ``parameters``; with
        ``supplyMix``, a company's purchased-material mix, the share-weighted mix of one
        footprint per line with that line's parameters).
    order_line : dict
        The extension's ``orderLine`` (``quantity``, ``unit``).

    Returns
    -------
    dict
        The Footprint computed with the local database (no contributions).

    Raises
    ------
    PcfError
        The inputs do not compute (unknown product, parameter...); ``ProjectNotReady`` when
        the Brightway project is not built.
    """
    if calculation.get("supplyMix"):
        from pcf.service.supply_mix import mixed_footprint

        return mixed_footprint(calculation["product"], _mix_lines(calculation["supplyMix"]),
                               {}, variant=calculation.get("variant"),
                               quantity=order_line["quantity"], unit=order_line["unit"],
                               contributions=False)
    return footprints.compute_footprint(
        calculation["product"], variant=calculation.get("variant"),
        parameters=calculation.get("parameters") or None, quantity=order_line["quantity"],
        unit=order_line["unit"], contributions=False)


def verify_certificate(envelope: Any, public_key: Any, recompute: bool = True) -> dict:
    """Verify a certificate file: hash, signature, consistency and (optionally) the footprint
    recomputed with the local database (:func:`pcf.certificates.verify.verify_envelope`).

    Parameters
    ----------
    envelope : dict
        ``{"document", "sha256", "signature"}``.
    public_key : Ed25519PublicKey or None
        The key the verifier trusts.
    recompute : bool
        Recompute the footprint (needs the Brightway project).

    Returns
    -------
    dict
        See :func:`pcf.certificates.verify.verify_envelope`.

    Raises
    ------
    InvalidInput
        The file is not a certificate file.
    """
    return verify_envelope(envelope, public_key,
                           recompute=recompute_certified if recompute else None,
                           database_version=(lambda: footprints.database_info()["version"])
                           if recompute else None)


def require_issuer_settings() -> None:
    """Refuse to issue unless the issuer is configured (outside development).

    Raises
    ------
    NotConfigured
        Naming the missing settings (``allowed``: all of them).
    """
    missing = settings.issuer_settings_missing()
    if missing:
        raise NotConfigured(
            f"certificates name their issuer: set {', '.join(missing)} (the issuing "
            "company's name, its internet domain and its company id) before issuing; "
            "only 'pcf serve --dev' issues without them", field="issuer",
            allowed=list(settings.ISSUER_SETTINGS))


def issue_certificate(engine, *, tenant_id: int, order_id: str, line_id: str, issued_by: str,
                      supersedes_id: str | None = None, reason: str | None = None,
                      now: datetime | None = None, base_url: str | None = None,
                      require_issuer: bool = False) -> CertificateRecord:
    """Issue a certificate for line ``line_id`` of the tenant's order ``order_id``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The application database (``Store.engine``).
    tenant_id : int
        Owner of the order.
    order_id, line_id : str
    issued_by : str
        Who issues (tenant name, or ``cli``); recorded and signed.
    supersedes_id : str, optional
        Certificate of the same line that this one corrects.
    reason : str, optional
        Why (required with ``supersedes_id``).
    now : datetime, optional
        Issue time (tests); default the current time.
    base_url : str, optional
        Public base URL for the absolute links in the document (verification page,
        extension schema); default ``PCF_PUBLIC_URL`` or the development address.
    require_issuer : bool
        Refuse unless the issuer settings are all set (:func:`require_issuer_settings`);
        the API and the CLI set it outside development.

    Returns
    -------
    CertificateRecord

    Raises
    ------
    NotConfigured
        ``require_issuer`` and an issuer setting is missing.
    UnknownResource
        Unknown order (``order_id``), line (``line_id``) or superseded certificate.
    StateConflict
        The line already has an active certificate; the certificate to supersede is revoked
        or superseded; the line cannot be computed any more; its data are too old; a part
        PACT requires to be >= 0 is negative.
    InvalidInput
        Missing or too long ``reason``.
    """
    if require_issuer:
        require_issuer_settings()
    reason = _check_reason(reason, required=supersedes_id is not None)
    line = find_order_line(engine, tenant_id, order_id, line_id)
    fp = compute_line(line)
    product = footprints.get_product(line.product)
    issued_at = (now or utcnow()).astimezone(UTC).replace(microsecond=0)
    facts = analyse(fp, product, issued_at.year)
    validity = validity_period(issued_at, facts["referencePeriod"][1])
    definition_sha256 = definition_digest(line.product)
    issuer = settings.issuer()
    certificate_id = str(uuid.uuid4())
    preceding = chain_ids(engine, supersedes_id) if supersedes_id else []
    predecessor = get_certificate(engine, supersedes_id) if supersedes_id else None

    def build(number: str) -> SignedDocument:
        extension = _extension(line, fp, facts, number, definition_sha256)
        pf = build_product_footprint(
            pf_id=certificate_id, created=issued_at, validity=validity, footprint=fp,
            product=product, issuer=issuer, facts=facts, preceding_ids=preceding,
            extension=extension, schema_url=settings.extension_schema_url(base_url))
        header: dict[str, Any] = {
            "format": settings.CERTIFICATE_FORMAT,
            "id": certificate_id,
            "number": number,
            "issuedAt": iso_utc(issued_at),
            "validFrom": iso_utc(validity[0]),
            "validUntil": iso_utc(validity[1]),
            "issuer": {"name": issuer.name, "companyIds": issuer.company_ids},
            "customer": {"name": line.tenant},
            "orderId": line.order_id,
            "lineId": line.line_id,
            "issuedBy": issued_by,
            "verification": {
                "path": f"/v1/certificates/{certificate_id}/verification",
                "url": settings.verify_url(certificate_id, base_url),
                "publicKeyPath": "/v1/certificates/public-key",
                "canonicalization": "RFC 8785",
                "hash": "SHA-256 of the canonical JSON of this document",
                "signature": "Ed25519 over the canonical JSON of this document",
            },
        }
        if predecessor is not None:
            header["supersedes"] = {"id": predecessor.certificate_id,
                                    "number": predecessor.number, "reason": reason}
        key = public_key_info()
        header["signingKey"] = {"algorithm": key["algorithm"], "keyId": key["keyId"]}
        document = {"certificate": header, "productFootprint": pf}
        canonical = canonical_json(document)
        signature = sign(canonical)
        return SignedDocument(
            document=json.loads(canonical), canonical=canonical.decode("utf-8"),
            sha256=sha256_hex(canonical), signature=signature, valid_until=validity[1],
            database_version=fp["database"]["version"],
            kg_co2e_total=float(fp["total"]["total"]))

    return create_certificate(engine, line=line, certificate_id=certificate_id,
                              issued_at=issued_at, issued_by=issued_by, sign=build,
                              supersedes_id=supersedes_id, reason=reason)


def supersede_certificate(engine, certificate_id: str, *, tenant_id: int | None,
                          issued_by: str, reason: str, now: datetime | None = None,
                          base_url: str | None = None, require_issuer: bool = False
                          ) -> CertificateRecord:
    """Issue a correction: a new certificate for the same line that supersedes
    ``certificate_id`` (recomputed with the current database).

    Parameters
    ----------
    tenant_id : int or None
        The tenant that must own the certificate (None: any, for admins).
    reason : str
        Why (required, at most :data:`MAX_REASON` characters).
    base_url, require_issuer
        As :func:`issue_certificate`.

    Raises
    ------
    NotConfigured, UnknownResource, StateConflict, InvalidInput
        As :func:`issue_certificate`.
    """
    if require_issuer:
        require_issuer_settings()
    reason = _check_reason(reason, required=True)
    old = get_certificate(engine, certificate_id, tenant_id)
    return issue_certificate(engine, tenant_id=old.tenant_id, order_id=old.order_id,
                             line_id=old.line_id, issued_by=issued_by,
                             supersedes_id=old.certificate_id, reason=reason, now=now,
                             base_url=base_url, require_issuer=require_issuer)


def revoke_certificate(engine, certificate_id: str, *, tenant_id: int | None, revoked_by: str,
                       reason: str) -> CertificateRecord:
    """Record a revocation (the certificate itself is not changed).

    Raises
    ------
    UnknownResource
        Unknown certificate, or owned by another tenant.
    StateConflict
        Already revoked.
    InvalidInput
        Missing or too long ``reason``.
    """
    reason = _check_reason(reason, required=True)
    return _store_revoke(engine, certificate_id, tenant_id, revoked_by, reason)


def certificate_view(record: CertificateRecord, base_url: str = "",
                     now: datetime | None = None) -> dict[str, Any]:
    """JSON view of a stored certificate (``GET /v1/certificates/{id}``).

    The view contains the certificate file (``document``, ``sha256``, ``signature``), so it can
    be saved and checked with ``pcf certificates verify FILE.json``, plus the current status
    (derived, not signed), links, and the predecessor / successor / revocation.

    Parameters
    ----------
    record : CertificateRecord
    base_url : str
        Prefix of the links (``""`` for relative links).
    """
    status = record.status(now)
    cid = record.certificate_id
    prefix = f"{base_url.rstrip('/')}/v1/certificates"
    revocation = None
    if record.revocation is not None:
        revocation = {"revoked_at": iso_utc(record.revocation["revoked_at"]),
                      "revoked_by": record.revocation["revoked_by"],
                      "reason": record.revocation["reason"]}
    header = record.document.get("certificate", {})
    return {
        "id": cid,
        "number": record.number,
        "status": status,
        "pact_status": "Active" if status == "active" else "Deprecated",
        "customer": record.tenant,
        "order_id": record.order_id,
        "line_id": record.line_id,
        "product": record.product,
        "issued_at": iso_utc(record.issued_at),
        "issued_by": record.issued_by,
        "valid_from": header.get("validFrom"),
        "valid_until": iso_utc(record.valid_until),
        "database_version": record.database_version,
        "kg_co2e_total": record.kg_co2e_total,
        "supersedes": record.supersedes,
        "superseded_by": record.superseded_by,
        "supersession_reason": record.reason,
        "revocation": revocation,
        "links": {
            "self": f"{prefix}/{cid}",
            "pdf": f"{prefix}/{cid}.pdf",
            "verification": f"{prefix}/{cid}/verification",
            "public_key": f"{prefix}/public-key",
            "public_verification": f"{base_url.rstrip('/')}/verify/{cid}",
        },
        "sha256": record.sha256,
        "signature": record.signature,
        "document": record.document,
    }


def definition_digest(product_id: str) -> str:
    """SHA-256 of the canonical JSON of a product's definition (its model version)."""
    definition = json.loads(json.dumps(footprints.model(product_id).definition))
    return hashlib.sha256(canonical_json(definition)).hexdigest()


__all__ = ["issue_certificate", "supersede_certificate", "revoke_certificate",
           "certificate_view", "compute_line", "validity_period", "definition_digest",
           "require_issuer_settings",
           "analyse", "verify_certificate", "recompute_certified"]
