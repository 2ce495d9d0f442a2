"""Use case: supplier-specific footprints in, and footprints of a company and reporting year
that use them (issue 15).

Three ways in, one validator
----------------------------
1. a PACT v3 ``ProductFootprint`` JSON, or a pcf certificate file whose Ed25519 signature
   verifies with a supplier key registered with :func:`trust`
   (:func:`import_document`; ``POST /v1/supplier-footprints``, ``pcf suppliers import
   FILE.json``);
2. the Excel questionnaire (:func:`questionnaire_template`, :func:`import_workbook`;
   ``pcf suppliers template|import FILE.xlsx``);
3. a pull from a supplier's PACT host: token, ``/3/footprints`` with filters, ``Link`` pages
   (:func:`pull`; ``pcf suppliers pull``).

Each is read into a :class:`pcf.accounting.supplier_footprints.SupplierFigure` and checked by
:func:`pcf.accounting.supplier_footprints.check_figure` (unit, boundary, GWP set, status,
expiry, share) and against the range of the products' footprint parameters; then stored with
its origin (:mod:`pcf.store.suppliers`). A refusal stores nothing; so does a pull or an import
in which any footprint is refused. The same document again for the same company, year and
input is recognised and not stored twice.

Footprints that use them
------------------------
:func:`company_footprint` computes a product for a company and reporting year: the company's
settings of that year (``databases/companies/``), then, for every replaceable input of the
product (:mod:`pcf.supplier_inputs`) with stored figures, the covered share ``S`` and the
share-weighted mean figure ``F`` (:func:`pcf.accounting.supplier_footprints.blend`) as the
product's ``<input>_supplier_share`` and ``<input>_footprint`` parameters: the covered share
takes the suppliers' figure, the rest stays on pcf's average. With a stored ``supply_mix`` of
that year it is the share-weighted mix of one footprint per line, as reductions use
(:func:`pcf.service.supply_mix.mixed_footprint`). The contributions of the covered
parts are marked, and ``primary_data`` (PACT ``primaryDataShare``) counts them. Where a
footprint parameter comes from the company's settings instead (e.g. an ingot footprint derived
from reported intensities), the footprint says so in ``warnings``.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pcf.accounting.supplier_footprints import SupplierFigure, blend, check_figure
from pcf.certificates.signing import canonical_json, sha256_hex
from pcf.certificates.supplier_documents import (
    is_certificate_file,
    parse_certificate,
    parse_product_footprint,
)
from pcf.errors import (
    InvalidInput,
    PcfError,
    SupplierFootprintRejected,
    UnknownSupplierFootprint,
    UpstreamFailed,
)
from pcf.service.footprints import compute_footprint, model
from pcf.service.supply_mix import mixed_footprint, supply_mix_of
from pcf.store import suppliers as supplier_store
from pcf.store.models import utcnow
from pcf.supplier_inputs import INPUTS, products_using, replacement, replacements_of

WAYS_IN = ("pact-json", "pcf-certificate", "questionnaire", "pact-pull")
"""How a stored figure came in."""

MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_PULLED = 1000
"""Most footprints one pull stores."""


# --------------------------------------------------------------------------- checks


_COMPANIES: tuple[str | None, dict] = (None, {})


def companies() -> dict:
    """The companies of ``databases/companies/`` as built by ``pcf setup`` (read once per
    database version): ``{id: {"id", "name", "description", "products": {...}}}``."""
    global _COMPANIES
    from pcf.engine import get_engine
    from pcf.inventory.companies import read_snapshot

    version = get_engine().version
    if _COMPANIES[0] != version:
        _COMPANIES = (version, read_snapshot())
    return _COMPANIES[1]


def _company(company: Any) -> dict:
    known = companies()
    if not isinstance(company, str) or company not in known:
        raise InvalidInput(f"unknown company {company!r} (companies are the ids in "
                           "databases/companies/)", field="company", allowed=sorted(known))
    return known[company]


def _year(year: Any, field: str = "year") -> int:
    value: int | None = None
    if isinstance(year, int) and not isinstance(year, bool):
        value = year
    elif isinstance(year, str) and year.strip().isdigit():
        value = int(year.strip())
    if value is None or not MIN_YEAR <= value <= MAX_YEAR:
        raise InvalidInput(f"year {year!r} must be an integer {MIN_YEAR}..{MAX_YEAR}",
                           field=field, allowed=f"{MIN_YEAR}..{MAX_YEAR}")
    return value


def _input(input_id: Any) -> str:
    if input_id not in INPUTS:
        raise InvalidInput(f"unknown input {input_id!r}: the inputs a supplier figure may "
                           "replace are listed in pcf/supplier_inputs.py", field="input",
                           allowed=sorted(INPUTS))
    return str(input_id)


def _share(share: Any) -> float:
    if share is None:
        return 1.0
    try:
        value = float(share)
    except (TypeError, ValueError):
        value = float("nan")
    if isinstance(share, bool) or not math.isfinite(value) or not 0.0 < value <= 1.0:
        raise SupplierFootprintRejected(f"share {share!r}: the share of the input this figure "
                                        "covers must be in (0, 1]", field="share",
                                        allowed="0 < share <= 1", check="share")
    return value


def _check_range(figure: SupplierFigure, input_id: str) -> None:
    """The figure must fit the footprint parameter of every product that uses the input."""
    total = figure.kg_co2e["total"]
    for product in products_using(input_id):
        place = replacement(product, input_id)
        if place is None:
            continue
        spec = model(product).specs[place.footprint]
        if spec.max is not None and total > spec.max:
            raise SupplierFootprintRejected(
                f"{total:g} kg CO2e per kg is above the range of {product}'s "
                f"{place.footprint} (at most {spec.max:g}): check the unit (kg, not t)",
                field=figure.where("kg_co2e.total"), allowed=f"<= {spec.max:g}", check="unit")


def _digest(document: Any) -> str:
    try:
        return sha256_hex(canonical_json(document))
    except PcfError:
        return sha256_hex(json.dumps(document, sort_keys=True, default=str).encode())


# --------------------------------------------------------------------------- views


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_view(record: supplier_store.SupplierRecord) -> dict[str, Any]:
    """JSON view of a stored supplier figure."""
    detail = record.detail
    return {
        "id": record.record_id,
        "company": record.company,
        "year": record.year,
        "input": record.input,
        "supplier": record.supplier,
        "product_name": detail.get("product_name"),
        "share": record.share,
        "kg_co2e_per_kg": dict(record.kg_co2e),
        "unit": "kg CO2e per kg",
        "declared_unit": record.declared_unit,
        "boundary": record.boundary,
        "boundary_basis": detail.get("boundary_basis"),
        "reference_period": {"start": _iso(record.reference_start),
                             "end": _iso(record.reference_end)},
        "valid_until": _iso(record.valid_until),
        "primary_data_share": record.primary_data_share,
        "data_quality": detail.get("data_quality"),
        "characterization": detail.get("characterization"),
        "verification": detail.get("verification") or {"status": record.verification},
        "way_in": record.way_in,
        "origin": detail.get("origin"),
        "pf_id": record.pf_id,
        "flags": detail.get("flags") or [],
        "source_sha256": record.source_sha256,
        "created_at": _iso(record.created_at),
        "created_by": record.created_by,
    }


# --------------------------------------------------------------------------- ways in


def _accept(store: Any, items: list[dict], *, company: Any, year: Any, input_id: Any,
            share: Any, created_by: str, now: datetime | None) -> dict[str, Any]:
    """Check every figure, then store them all (or nothing)."""
    _company(company)
    year = _year(year)
    input_id = _input(input_id)
    share = _share(share)
    now = (now or utcnow()).astimezone(UTC)
    records = []
    for item in items:
        figure: SupplierFigure = item["figure"]
        flags = check_figure(figure, input_id=input_id, year=year, share=share, now=now)
        _check_range(figure, input_id)
        detail = {
            "product_name": figure.product_name, "supplier_ids": figure.supplier_ids,
            "product_ids": figure.product_ids, "boundary_basis": figure.boundary_basis,
            "validity_start": _iso(figure.validity_start),
            "characterization": figure.characterization, "data_quality": figure.data_quality,
            "verification": figure.verification, "origin": item["origin"], "flags": flags,
        }
        if "answers" in item:
            detail["answers"] = item["answers"]
        records.append({
            "company": company, "year": year, "input": input_id,
            "supplier": figure.supplier[:300], "share": share,
            "kg_co2e_total": figure.kg_co2e["total"],
            "kg_co2e_fossil": figure.kg_co2e["fossil"],
            "kg_co2e_biogenic": figure.kg_co2e["biogenic"],
            "kg_co2e_land_use": figure.kg_co2e["land_use"],
            "declared_unit": figure.declared_unit, "boundary": figure.boundary,
            "reference_start": figure.reference_start, "reference_end": figure.reference_end,
            "valid_until": figure.valid_until(),
            "primary_data_share": figure.primary_data_share,
            "verification": str(figure.verification.get("status"))[:40],
            "way_in": item["way_in"], "pf_id": (figure.pf_id or None),
            "source_sha256": item["sha256"], "detail": detail,
            "source_document": item["source"], "created_by": created_by[:200],
        })
    saved = supplier_store.save_records(store.engine, records)
    return {"stored": [record_view(r) for r, created in saved if created],
            "already_stored": [record_view(r) for r, created in saved if not created]}


def trusted_keys(store: Any) -> dict[str, tuple[str, Any]]:
    """Key id -> (name, Ed25519 public key) of the supplier keys registered with
    :func:`trust`."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return {k["key_id"]: (k["name"], Ed25519PublicKey.from_public_bytes(
        base64.b64decode(k["public_key"]))) for k in supplier_store.list_keys(store.engine)}


def import_document(store: Any, document: Any, *, company: Any, year: Any, input_id: Any,
                    share: Any = None, source_name: str | None = None,
                    created_by: str = "cli", now: datetime | None = None) -> dict[str, Any]:
    """Store a supplier figure from a PACT v3 ``ProductFootprint`` or a pcf certificate file.

    Parameters
    ----------
    store : pcf.store.Store
    document : dict
        The ProductFootprint, or a certificate file ``{"document", "sha256", "signature"}``
        (a saved ``GET /v1/certificates/{id}`` answer works too).
    company : str
        Company id (``databases/companies/``) whose footprints it is for.
    year : int
        Reporting year it applies to.
    input_id : str
        The replaceable input it replaces (:data:`pcf.supplier_inputs.INPUTS`).
    share : float, optional
        Share of the company's purchases of the input it covers (default 1).
    source_name : str, optional
        File name or other origin, kept with the record.
    created_by : str
        Who stores it (tenant name, or ``cli``).
    now : datetime, optional
        Time of the import (tests).

    Returns
    -------
    dict
        ``{"stored": [record view], "already_stored": [record view]}``.

    Raises
    ------
    SupplierFootprintRejected
        A check failed (the ``check`` names it; nothing is stored): malformed document,
        unit, boundary, GWP set, status, expiry, share, untrusted key, bad signature,
        inconsistent certificate.
    SupplierFootprintConflict
        The covered shares would add up to more than 1.
    InvalidInput
        Unknown company, input or a bad year.
    """
    if is_certificate_file(document):
        figure = parse_certificate(document, trusted_keys(store))
        way_in, body = "pcf-certificate", document
    else:
        figure = parse_product_footprint(document)
        way_in, body = "pact-json", document
    item = {"figure": figure, "way_in": way_in, "sha256": _digest(body),
            "source": json.dumps(body, sort_keys=True, ensure_ascii=False),
            "origin": {"kind": way_in, "name": source_name}}
    return _accept(store, [item], company=company, year=year, input_id=input_id, share=share,
                   created_by=created_by, now=now)


def questionnaire_template(input_id: str | None = None) -> bytes:
    """The supplier questionnaire as ``.xlsx`` bytes
    (:func:`pcf.service.supplier_questionnaire.write_template`)."""
    from pcf.service.supplier_questionnaire import write_template

    return write_template(input_id)


def import_workbook(store: Any, data: bytes, *, company: Any, year: Any,
                    input_id: Any = None, share: Any = None, source_name: str | None = None,
                    created_by: str = "cli", now: datetime | None = None) -> dict[str, Any]:
    """Store a supplier figure from a filled questionnaire.

    ``input_id`` may be left out: the questionnaire's ``input`` answer is used; when both are
    given they must agree. Other parameters and the result as :func:`import_document`.

    Raises
    ------
    SupplierFootprintRejected
        ``check="workbook"`` naming sheet, row and column of the offending cell, or any check
        of :func:`import_document`.
    """
    from pcf.service.supplier_questionnaire import read_workbook

    figure, answers = read_workbook(data)
    answered = answers["input"]
    if input_id not in (None, "") and input_id != answered:
        raise SupplierFootprintRejected(
            f"the questionnaire is for {answered!r}, the import for {input_id!r}",
            field=figure.where("input"), allowed=[answered], check="workbook")
    serial = {k: _iso(v) if isinstance(v, datetime) else v for k, v in answers.items()}
    # The digest is of the answers, not of the file's bytes: a workbook saved again with the
    # same answers (new timestamps inside the .xlsx) is the same document, and the digest
    # matches the ``source`` that is stored.
    item = {"figure": figure, "way_in": "questionnaire", "sha256": _digest(serial),
            "source": json.dumps(serial, sort_keys=True, ensure_ascii=False),
            "origin": {"kind": "questionnaire", "name": source_name}, "answers": serial}
    return _accept(store, [item], company=company, year=year, input_id=answered, share=share,
                   created_by=created_by, now=now)


def import_file(store: Any, data: bytes, *, name: str, **kwargs: Any) -> dict[str, Any]:
    """Store from a file's bytes: an ``.xlsx`` questionnaire (a ZIP file) or JSON (a PACT
    ProductFootprint or a pcf certificate file). Keyword arguments as
    :func:`import_document`.

    Raises
    ------
    SupplierFootprintRejected
        ``check="format"``: neither; or what the import raises.
    """
    if data[:2] == b"PK":
        return import_workbook(store, data, source_name=name, **kwargs)
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SupplierFootprintRejected(f"{name}: neither an .xlsx questionnaire nor JSON "
                                        f"({exc})", field="file", check="format") from None
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document = document["data"]  # a saved GetFootprint answer {"data": {...}}
    return import_document(store, document, source_name=name, **kwargs)


def pull(store: Any, host: str, client_id: str, client_secret: str, *,
         product_ids: Iterable[str] = (), company: Any, year: Any, input_id: Any,
         share: Any = None, created_by: str = "cli", now: datetime | None = None,
         page_size: int | None = None, client: Any = None) -> dict[str, Any]:
    """Pull a supplier's footprints from its PACT v3 host and store the Active ones.

    Token with the client credentials, ``GET /3/footprints`` with ``productId`` filters,
    following ``Link: rel="next"`` pages (:class:`pcf.pact.client.PactClient`); footprints
    whose ``productIds`` do not include a requested id are ignored (a host may not filter),
    Deprecated ones are skipped. Each is read and checked as :func:`import_document` does and
    stored with its origin (host, PACT id, time); verification status ``pact-host`` (received
    over authenticated HTTPS from that host) unless the footprint states a third-party
    verification.

    Parameters
    ----------
    host : str
        The supplier's PACT base URL (``https://...``; plain ``http`` only on loopback).
    client_id, client_secret : str
        The credentials the supplier's host issued.
    product_ids : iterable of str
        PACT product ids (URNs) to ask for; none: every footprint shared with the client.
    page_size : int, optional
        PACT ``limit`` of the first request (the host's default otherwise); later pages
        follow the host's ``Link`` header.
    client : PactClient, optional
        A client to use instead (tests).

    Returns
    -------
    dict
        ``{"stored", "already_stored", "skipped": [{"id", "status"}], "found": int}``.

    Raises
    ------
    UpstreamFailed
        The host does not answer, refuses the credentials or answers badly.
    UnknownSupplierFootprint
        No Active footprint found.
    SupplierFootprintRejected
        A footprint fails a check (named by its PACT id; nothing is stored).
    """
    from pcf.pact.client import PactClient, PactClientError
    from pcf.pact.events import base_of, origin

    wanted = [p for p in product_ids if p]
    try:
        origin(host)
    except InvalidInput as exc:
        raise exc.relocated("host") from None
    base = base_of(host if "://" in host else f"https://{host}")
    if not client_id or not client_secret:
        raise InvalidInput("a pull needs the client id and secret the supplier's host issued",
                           field="client_id")
    client = client or PactClient(base, client_id, client_secret)
    params = [("productId", p) for p in wanted]
    if page_size is not None:
        if isinstance(page_size, bool) or not isinstance(page_size, int) \
                or not 1 <= page_size <= 1000:
            raise InvalidInput(f"page size {page_size!r}", field="page_size",
                               allowed="1..1000")
        params.append(("limit", str(page_size)))
    try:
        documents = client.list_footprints(params or None)
    except PactClientError as exc:
        raise UpstreamFailed(f"{base}: {exc}" + (f" ({exc.body[:200]})" if exc.body else ""),
                             field="host") from None
    except ValueError as exc:  # an answer that is not JSON
        raise UpstreamFailed(f"{base}: the answer is not JSON ({exc})", field="host") from None
    now = (now or utcnow()).astimezone(UTC)
    items, skipped = [], []
    for i, doc in enumerate(documents[:MAX_PULLED]):
        if not isinstance(doc, dict):
            raise UpstreamFailed(f"{base}: data[{i}] is not a ProductFootprint", field="host")
        if wanted and not set(wanted) & set(doc.get("productIds") or []):
            continue
        if doc.get("status") != "Active":
            skipped.append({"id": doc.get("id"), "status": doc.get("status")})
            continue
        try:
            figure = parse_product_footprint(doc, prefix=f"{base} footprint {doc.get('id')}: ")
        except SupplierFootprintRejected as exc:
            raise exc.relocated(exc.field) from None
        if figure.verification.get("status") != "third-party":
            figure.verification = {"status": "pact-host", "host": base}
        else:
            figure.verification = {**figure.verification, "host": base}
        items.append({"figure": figure, "way_in": "pact-pull", "sha256": _digest(doc),
                      "source": json.dumps(doc, sort_keys=True, ensure_ascii=False),
                      "origin": {"kind": "pact-pull", "host": base, "clientId": client_id,
                                 "pfId": doc.get("id"), "pulledAt": _iso(now),
                                 "productIds": wanted}})
    if not items:
        raise UnknownSupplierFootprint(
            f"{base} shares no Active footprint with {client_id!r}"
            + (f" for {', '.join(wanted)}" if wanted else "")
            + (f" ({len(skipped)} not Active)" if skipped else ""), field="product_id")
    result = _accept(store, items, company=company, year=year, input_id=input_id, share=share,
                     created_by=created_by, now=now)
    return {**result, "skipped": skipped, "found": len(documents)}


# --------------------------------------------------------------------------- records, keys


def list_footprints(store: Any, company: str | None = None, year: Any = None,
                    input_id: str | None = None) -> list[dict[str, Any]]:
    """Stored supplier figures (views), optionally of one company, year, input."""
    if year is not None:
        year = _year(year)
    if input_id is not None:
        _input(input_id)
    return [record_view(r) for r in supplier_store.list_records(store.engine, company, year,
                                                                input_id)]


def get_footprint(store: Any, record_id: str) -> dict[str, Any]:
    """One stored supplier figure (view). Raises UnknownSupplierFootprint."""
    return record_view(supplier_store.get_record(store.engine, record_id))


def remove_footprint(store: Any, record_id: str) -> dict[str, Any]:
    """Remove a stored supplier figure; returns its view. Raises UnknownSupplierFootprint."""
    return record_view(supplier_store.delete_record(store.engine, record_id))


def trust(store: Any, name: str, public_key: str | bytes, created_by: str = "cli") -> dict:
    """Register a supplier's Ed25519 public key: its pcf certificates are then accepted.

    Parameters
    ----------
    name : str
        The supplier's name here (1-200 characters).
    public_key : str or bytes
        PEM, base64 of the 32 raw bytes, or the JSON of the supplier's
        ``GET /v1/certificates/public-key``.

    Raises
    ------
    InvalidInput
        Not an Ed25519 public key, or a bad name.
    SupplierFootprintConflict
        The name or the key is registered already.
    """
    from pcf.certificates.signing import parse_public_key, public_key_info

    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidInput("a supplier key needs a name of 1-200 characters", field="name")
    info = public_key_info(parse_public_key(public_key))
    return supplier_store.add_key(store.engine, name.strip(), info["keyId"], info["publicKey"],
                                  created_by)


def untrust(store: Any, name: str) -> bool:
    """Forget a supplier key; True if it was registered."""
    return supplier_store.remove_key(store.engine, name)


def trusted(store: Any) -> list[dict[str, Any]]:
    """The registered supplier keys: ``[{"name", "key_id", "public_key", "created_at",
    "created_by"}]``."""
    return [{**k, "created_at": _iso(k["created_at"])}
            for k in supplier_store.list_keys(store.engine)]


# --------------------------------------------------------------------------- use


def _brief(record: supplier_store.SupplierRecord) -> dict[str, Any]:
    return {"id": record.record_id, "supplier": record.supplier, "share": record.share,
            "kg_co2e_per_kg": record.kg_co2e["total"],
            "primary_data_share": record.primary_data_share,
            "verification": record.verification, "way_in": record.way_in,
            "pf_id": record.pf_id,
            "reference_period": {"start": _iso(record.reference_start),
                                 "end": _iso(record.reference_end)},
            "flags": record.detail.get("flags") or []}


def supplier_parameters(store: Any, product: str, company: str,
                        year: int) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """The product parameters the stored figures of a company and year set.

    For every replaceable input of ``product`` with stored figures: ``<footprint> = F`` and
    ``<share> = S`` (:func:`pcf.accounting.supplier_footprints.blend`).

    Returns
    -------
    (dict, list)
        Parameters, and per input ``{"input", "covered_share", "kg_co2e_per_kg",
        "parameters", "records": [...]}``.
    """
    records = supplier_store.list_records(store.engine, company, year)
    params: dict[str, float] = {}
    applied: list[dict[str, Any]] = []
    for place in replacements_of(product):
        mine = [r for r in records if r.input == place.input]
        if not mine:
            continue
        covered, mean = blend([(r.share, r.kg_co2e["total"]) for r in mine])
        params[place.footprint], params[place.share] = mean, covered
        applied.append({"input": place.input, "covered_share": covered,
                        "kg_co2e_per_kg": mean,
                        "parameters": {place.footprint: mean, place.share: covered},
                        "records": [_brief(r) for r in mine]})
    return params, applied


def company_parameters(store: Any, product: str, company: Any,
                       year: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parameters of a product for a company and reporting year, and where they come from.

    The company's settings of that year (``databases/companies/``, when it has any for the
    product), overridden by the parameters the stored supplier figures set
    (:func:`supplier_parameters`).

    Returns
    -------
    (dict, dict)
        Parameters, and ``{"company": {...}, "supplier_footprints": [...],
        "supplier_parameters": [names], "notes": [str]}``.

    Raises
    ------
    InvalidInput
        Unknown company (field ``company``) or bad year.
    """
    info = _company(company)
    year = _year(year)
    record = info["products"].get(product)
    settings = (record or {}).get("years", {}).get(year, {}).get("settings", {})
    params = {name: fig["value"] for name, fig in settings.items()}
    supplier, applied = supplier_parameters(store, product, company, year)
    notes = []
    for place in replacements_of(product):
        fig = settings.get(place.footprint)
        if place.footprint in supplier and supplier[place.share] < 1.0:
            notes.append(f"{place.input}: the stored supplier figures ({year}) cover "
                         f"{supplier[place.share]:.4g} of it; the other "
                         f"{1.0 - supplier[place.share]:.4g} stays on pcf's modelled average"
                         + (f", not on the company setting {place.footprint}"
                            if fig is not None else ""))
        if place.footprint in supplier and fig is not None:
            notes.append(f"{place.input}: the stored supplier figures ({year}) replace the "
                         f"company setting {place.footprint} = {fig['value']} ({fig['origin']}: "
                         f"{fig['basis']})")
        elif fig is not None:
            origin = "the company's reported figure" if fig["origin"] == "company" else \
                f"a {fig['origin']} figure, not a supplier's"
            notes.append(f"{place.input}: no stored supplier figure for {company} {year}; "
                         f"{place.footprint} = {fig['value']} is {origin} ({fig['basis']})")
    params.update(supplier)
    return params, {
        "company": {"id": info["id"], "name": info["name"], "year": year,
                    "settings": {name: {"value": fig["value"], "origin": fig["origin"]}
                                 for name, fig in settings.items()},
                    "settings_year": year if settings else None},
        "supplier_footprints": applied, "supplier_parameters": sorted(supplier),
        "notes": notes}


def annotate(footprint: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """Add the company and the applied supplier figures to a footprint computed with
    :func:`company_parameters`; mark the supplier-specific contributions with their input."""
    product = footprint["product"]
    covered = {i["input"]: i for i in footprint.get("supplier_specific_inputs") or []}
    applied = []
    for entry in info["supplier_footprints"]:
        place = replacement(product, entry["input"])
        rows = [c for c in footprint.get("contributions") or []
                if place is not None and c.get("supplier_parameter") == place.footprint]
        for c in rows:
            c["supplier_input"] = entry["input"]
        applied.append({**entry,
                        "kg_per_declared_unit": covered.get(entry["input"], {}).get(
                            "kg_per_declared_unit", 0.0),
                        "kg_co2e_per_declared_unit": math.fsum(
                            c["kg_co2e_per_declared_unit"] for c in rows)})
    footprint["company"] = info["company"]
    footprint["supplier_footprints"] = applied
    footprint["warnings"] = list(footprint.get("warnings") or []) + info["notes"]
    return footprint


def company_footprint(store: Any, product: str, company: Any, year: Any, *,
                      variant: str | None = None, parameters: dict | None = None,
                      quantity: Any = None, unit: str | None = None,
                      contributions: bool = True, provenance: bool = False,
                      recycled_content_method: str = "cut-off") -> dict[str, Any]:
    """The Footprint of ``product`` for a company and reporting year (module docstring).

    Parameters beyond :func:`pcf.service.footprints.compute_footprint`'s
    ---------------------------------------------------------------------
    company : str
        Company id (``databases/companies/``).
    year : int
        Reporting year.

    Supply mix
    ----------
    When the company's year stores a ``supply_mix`` (the purchased-material mix,
    ``databases/companies/``), the footprint is that mix, computed by the same code as
    reductions, CBAM and the audit (:func:`pcf.service.supply_mix.mixed_footprint`): one
    footprint per line with ``{settings, line parameters, supplier parameters, parameters}``,
    mixed share-weighted (per declared unit, total, stages, contributions, supplier
    footprints, primary data; GWP basis and dqi recomputed on the mix); the result lists the
    lines under ``supply_mix``. ``parameters`` given here override every line; where a line
    sets the same parameter the caller's value wins and ``warnings`` names it.

    Returns
    -------
    dict
        The Footprint, plus ``company`` ({"id", "name", "year", "settings", "settings_year"})
        and ``supplier_footprints`` (per covered input: covered share, mean figure, kg per
        declared unit covered and their kg CO2e, the records used); the covered parts'
        contributions carry ``supplier_input``; with a supply mix, ``supply_mix`` (per line:
        label, share, origin, parameters, resolved_parameters, per_declared_unit, stages).

    Raises
    ------
    InvalidInput
        Unknown company, bad year, or a parameter given that the stored supplier figures set.
    UnknownResource, InvalidParameter
        As :func:`~pcf.service.footprints.compute_footprint`.
    """
    model(product)
    params, info = company_parameters(store, product, company, year)
    explicit = dict(parameters or {})
    clash = sorted(set(explicit) & set(info["supplier_parameters"]))
    if clash:
        raise InvalidInput(f"{', '.join(clash)} is set by the stored supplier footprints of "
                           f"{info['company']['id']} {info['company']['year']}; leave it out "
                           "or leave out company and year", field=f"parameters.{clash[0]}")
    record = _company(company)["products"].get(product)
    lines = supply_mix_of(record, info["company"]["year"])
    if lines:
        return mixed_footprint(product, lines, params, explicit=explicit, info=info,
                               annotate=annotate, variant=variant, quantity=quantity, unit=unit,
                               contributions=contributions, provenance=provenance,
                               recycled_content_method=recycled_content_method)
    fp = compute_footprint(product, variant=variant, parameters={**params, **explicit},
                           quantity=quantity, unit=unit, contributions=contributions,
                           provenance=provenance,
                           recycled_content_method=recycled_content_method)
    return annotate(fp, info)


__all__ = ["import_document", "import_workbook", "import_file", "pull", "trust", "untrust",
           "trusted", "list_footprints", "get_footprint", "remove_footprint",
           "questionnaire_template", "supplier_parameters", "company_parameters",
           "company_footprint", "annotate", "record_view", "WAYS_IN"]
