"""Company data for the use cases: the companies snapshot written by ``pcf setup``, a
company's record for a product, and a company year's footprint from its stored data (site
settings, supply mix of purchased material). Used by reductions (:mod:`pcf.service.targets`),
consistency checks (:mod:`pcf.service.consistency`) and the audit (:mod:`pcf.service.audit`).
"""

from __future__ import annotations

from typing import Any

from pcf.engine import get_engine
from pcf.errors import InvalidInput, UnknownCompany
from pcf.service.footprints import compute_footprint, model
from pcf.service.supply_mix import mixed_footprint, supply_mix_of

_COMPANIES: tuple[str | None, dict] = (None, {})


def _companies() -> dict:
    """The companies snapshot of the project in use, read once per database version."""
    global _COMPANIES
    from pcf.inventory.companies import read_snapshot

    version = get_engine().version
    if _COMPANIES[0] != version:
        _COMPANIES = (version, read_snapshot())
    return _COMPANIES[1]


def snapshot() -> dict:
    """The companies snapshot of the project in use (``{company id: {...}}``), read once per
    database version."""
    return _companies()


def companies_for(product: str) -> list[str]:
    """Ids of the companies with data for ``product`` (sorted)."""
    model(product)
    return sorted(c for c, data in _companies().items() if product in data["products"])


def company_record(product: str, company: str | None) -> tuple[dict, dict]:
    """The company ``{"id", "name", ...}`` and its record for ``product``.

    Raises
    ------
    UnknownResource
        Unknown product or company, or the company has no data for the product.
    InvalidInput
        ``company`` omitted while not exactly one company has data for the product.
    """
    model(product)  # unknown product -> UnknownResource
    companies = _companies()
    if company in (None, ""):
        having = sorted(c for c, data in companies.items() if product in data["products"])
        if len(having) != 1:
            raise InvalidInput(f"{len(having)} companies have data for {product!r}: name one",
                             field="company", allowed=having)
        company = having[0]
    if company not in companies:
        raise UnknownCompany(f"unknown company {company!r}", field="company",
                            allowed=sorted(companies))
    record = companies[company]["products"].get(product)
    if record is None:
        raise UnknownCompany(f"company {company!r} has no data for product {product!r}",
                            field="product", allowed=sorted(companies[company]["products"]))
    return companies[company], record


def year_parameters(record: dict, year: int) -> dict[str, Any]:
    """The product parameters of a company year (its ``settings``), values only."""
    return {k: v["value"] for k, v in record["years"][year]["settings"].items()}


def year_footprint(product: str, record: dict, year: int, field: str = "year",
                   extra: dict | None = None, *, store: Any = None,
                   company: str | None = None) -> dict:
    """Footprint of a company year from its stored data, per declared unit.

    The year's ``settings`` are the parameters; with a ``supply_mix`` (stored supplier data)
    the footprint is the share-weighted sum of one footprint per line, each with the line's
    parameters over the settings (:func:`pcf.service.supply_mix.mixed_footprint`, the same code as
    :func:`pcf.service.suppliers.company_footprint`; exact, the product models are linear in
    their material-mix shares). ``extra`` parameters override both.
    Reported intensities are never used here.

    With ``store`` (the application database) and ``company``, the supplier footprints stored
    for that company and year (:func:`pcf.service.suppliers.company_parameters`) set the
    parameters of the inputs they cover on top of the settings and of every supply-mix line
    (``extra`` still overrides); the footprint then carries ``company`` and
    ``supplier_footprints`` (:func:`pcf.service.suppliers.annotate`; with a supply mix the
    covered kg and kg CO2e are share-weighted over the lines) and the notes in ``warnings``.

    Returns
    -------
    dict
        A Footprint (without contributions unless ``store`` is given); with a supply mix,
        every linear block is the mixed value
        (:func:`~pcf.service.supply_mix.mixed_footprint`), ``parameters`` are the year's
        settings with ``extra`` and ``supply_mix`` lists each line's values.

    Raises
    ------
    InvalidInput
        No data for ``year`` (naming ``field``).
    """
    if year not in record["years"]:
        raise InvalidInput(f"no data for year {year}", field=field,
                         allowed=sorted(record["years"]))
    info = None
    under = year_parameters(record, year)
    if store is not None:
        from pcf.service.suppliers import annotate, company_parameters

        params, info = company_parameters(store, product, company, year)
        under.update({k: params[k] for k in info["supplier_parameters"]})
    with_contributions = info is not None  # annotate finds the covered rows in them
    base = {**under, **(extra or {})}
    lines = supply_mix_of(record, year)
    if not lines:
        fp = compute_footprint(product, parameters=base, contributions=with_contributions)
        return fp if info is None else annotate(fp, info)
    out = mixed_footprint(product, lines, under, explicit=extra, info=info,
                          annotate=None if info is None else annotate,
                          contributions=with_contributions)
    out["parameters"] = base  # the year's settings as stored; each line's are in supply_mix
    return out


