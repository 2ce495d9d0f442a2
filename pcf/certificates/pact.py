"""Map a Footprint (DESIGN.md) of a stored order line to a PACT v3 ``ProductFootprint``.

Pure: it is handed a computed Footprint (with provenance on its contributions) and the facts
derived from it by :mod:`pcf.accounting` (see :func:`pcf.service.certificates.analyse`); it
imports no engine, Brightway or service module.

PACT Technical Specifications v3.0.3 (shared/reference/pact.md, section 2, and the DEP
``spec/v3/openapi.yaml`` data model). All amounts are per declared unit, decimals are JSON
strings without exponent, ids are URNs.

Fields filled, and how (kg CO2e per declared unit unless stated)
------------------------------------------------------------------
``pcfExcludingBiogenicUptake`` = ``pcfIncludingBiogenicUptake`` = Footprint total
    (= fossil + biogenic + land use). pcf's inventory has no biogenic CO2 uptake: the
    modelled products are metals and battery cells, and the IPCC 2021 methods give biogenic
    CO2 a factor of 0, so uptake is not quantified (``biogenicCO2Uptake`` left out).
``fossilGhgEmissions`` = the ``fossil`` part (IPCC 2021 "climate change: fossil").
``biogenicNonCO2Emissions`` = the ``biogenic`` part ("climate change: biogenic": biogenic CH4).
``landUseChangeGhgEmissions`` = the ``land_use`` part ("climate change: land use"); pcf cannot
    split it into land-use change and land management, so the land-management fields are left
    out.
``aircraftGhgEmissions`` = first-tier contributions of the background activity
    ``transport-air``; left out when the product system has no first-tier air freight (air
    freight inside aggregated background datasets is not known, so "0" would overstate).
``fossilCarbonContent`` (kg C) = sum over first-tier material inputs with a known carbon mass
    fraction (``databases/rules/carbon-content.yaml``: graphite, polyolefins, epoxy, boron
    carbide, carbonate electrolyte), all of fossil or geogenic origin; metals count as
    carbon-free (:func:`pcf.accounting.carbon_content.fossil_carbon_content`).
``productMassPerDeclaredUnit`` (kg): 1 declared unit converted to kg for mass units; for a
    product declared per kWh with an ``energy_density`` parameter (Wh/kg), 1000 / energy
    density; else "0" (PACT: not relevant).
``referencePeriodStart/End``: see :func:`pcf.accounting.data_quality.reference_period`.
``geography*``: from the location of the product's reference activity (ISO 3166-2 code ->
    ``geographyCountrySubdivision``, ISO 3166-1 -> ``geographyCountry``, else global).
``primaryDataShare`` (%): see :func:`pcf.accounting.data_quality.primary_data`.
``secondaryEmissionFactorSources``: pcf's compiled inventory (name ``pcf databases/``, version =
    database version) plus every ``(source id, year)`` of the secondary figures behind the
    footprint (the sources are listed in ``databases/sources.yaml``).
``crossSectoralStandards`` = ``["ISO14067"]``; ``ipccCharacterizationFactors`` = ``["AR6"]``;
``productClassifications``: the product's HS 2022 code as a URN
    (:mod:`pcf.certificates.classifications`; the source is in the extension).
``extensions[0].dataSchema``: the URL of the extension's JSON Schema on the public base URL
    (served by the app, :data:`pcf.certificates.settings.EXTENSION_SCHEMA_PATH`).
``exemptedEmissionsPercent`` = "0" (no cut-off exemption is applied; known data gaps are
    described in ``databases/`` and not quantified); ``packagingEmissionsIncluded`` and
    ``ccsTechnologicalCO2CaptureIncluded`` = false.

Left out, and why
-----------------
``dqi`` (issue 17): ``temporalDQR`` is :func:`pcf.accounting.data_quality.temporal_dqr`
    against the reference period; ``technologicalDQR`` and ``geographicalDQR`` are
    :func:`pcf.accounting.data_quality.pedigree_dqi`: the pedigree scores of the inputs making up
    >= 5 % of the footprint (databases/uncertainty.yaml), weighted by |kg CO2e|. Both use the
    pedigree's 1 (best) to 5 (worst) scale, PACT v3's. Left out when a rating is missing.

Left out, and why
-----------------
``verification``: no third-party verification. ``biogenicCarbonContent``,
``biogenicCO2Uptake``, ``recycledCarbonContent``, land-management, CCS/CCU, packaging and
outbound-logistics amounts: not modelled. ``productOrSectorSpecificRules``: none applied.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pcf.accounting.data_quality import is_primary, metas
from pcf.certificates.classifications import classification_urns
from pcf.certificates.settings import PACT_SPEC_VERSION, Issuer, extension_schema_url
from pcf.errors import CertificateConflict, PcfError
from pcf.units import conversion_factor

PACT_UNITS = {
    "kg": "kilogram", "kilogram": "kilogram",
    "kWh": "kilowatt hour", "kilowatt_hour": "kilowatt hour",
    "MJ": "megajoule", "megajoule": "megajoule",
    "l": "liter", "L": "liter", "liter": "liter", "litre": "liter",
    "m3": "cubic meter", "m**3": "cubic meter",
    "m2": "square meter", "m**2": "square meter",
    "tkm": "ton kilometer",
    "piece": "piece", "unit": "piece", "item": "piece",
}
"""pcf declared unit -> PACT ``declaredUnitOfMeasurement``."""

AIR_FREIGHT_CODES = frozenset({"transport-air"})
"""Background activities whose contributions are ``aircraftGhgEmissions``."""

GEOGRAPHY_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
GEOGRAPHY_COUNTRY = re.compile(r"^[A-Z]{2}$")


# --------------------------------------------------------------------------- formatting


def decimal_str(value: float) -> str:
    """Format a float as a PACT Decimal string: plain digits, no exponent, exact.

    ``1e-07`` -> ``"0.0000001"``, ``17.0`` -> ``"17"``, ``-0.0`` -> ``"0"``. The digits are
    those of ``repr(value)`` (the shortest string that reads back as the same float).

    Raises
    ------
    ValueError
        For NaN or infinities.
    """
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def iso_utc(moment: datetime) -> str:
    """``2026-11-21T16:46:19Z`` (UTC, whole seconds)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def pact_unit(declared_unit: str) -> str:
    """PACT ``declaredUnitOfMeasurement`` of a pcf declared unit.

    Raises
    ------
    StateConflict
        ``field="declared_unit"`` if PACT has no such unit.
    """
    unit = PACT_UNITS.get(declared_unit)
    if unit is None:
        raise CertificateConflict(f"declared unit {declared_unit!r} has no PACT equivalent",
                            field="declared_unit", allowed=sorted(PACT_UNITS))
    return unit


def geography(location: str | None) -> dict[str, str]:
    """PACT geography properties of a location code (at most one; none means global)."""
    if location and GEOGRAPHY_SUBDIVISION.match(location):
        return {"geographyCountrySubdivision": location}
    if location and GEOGRAPHY_COUNTRY.match(location):
        return {"geographyCountry": location}
    return {}


# --------------------------------------------------------------------------- derived facts


def aircraft_emissions(footprint: dict) -> float:
    """kg CO2e per declared unit of first-tier air freight (:data:`AIR_FREIGHT_CODES`); the
    footprint's contributions carry their provenance."""
    total = 0.0
    for c in footprint.get("contributions") or []:
        found = metas(c)
        if found and found[0]["input_code"] in AIR_FREIGHT_CODES:
            total += float(c["kg_co2e_per_declared_unit"])
    return total


def secondary_sources(footprint: dict, primary_params: list[str]) -> list[dict[str, str]]:
    """PACT ``secondaryEmissionFactorSources``: ``[{"name", "version"}]``.

    pcf's compiled inventory first (``pcf databases/``, version = database version), then each
    ``(source id, year)`` found in the upstream chains of the non-primary contributions,
    sorted. Source ids resolve in ``databases/sources.yaml``.
    """
    found: set[tuple[str, str]] = set()
    for c in footprint.get("contributions") or []:
        if float(c["kg_co2e_per_declared_unit"]) == 0.0:
            continue
        if primary_params and is_primary(c, primary_params):
            continue
        for meta in metas(c):
            for source, year in meta.get("chain_sources") or []:
                found.add((source, str(year) if year is not None else "undated"))
    out = [{"name": "pcf databases/", "version": footprint["database"]["version"]}]
    out += [{"name": s, "version": v} for s, v in sorted(found)]
    return out


def product_mass(footprint: dict) -> tuple[float, str]:
    """``productMassPerDeclaredUnit`` in kg and how it was obtained."""
    declared = footprint["declared_unit"]
    try:
        return conversion_factor(declared, "kg"), "declared unit is a mass"
    except PcfError:
        pass
    density = (footprint.get("parameters") or {}).get("energy_density")
    if declared == "kWh" and isinstance(density, (int, float)) and density > 0:
        return 1000.0 / float(density), "1000 / energy_density (Wh/kg) of the cell"
    return 0.0, "not relevant for this declared unit (PACT: 0)"


# --------------------------------------------------------------------------- the document


def _nonnegative(name: str, value: float) -> str:
    if value < 0:
        raise CertificateConflict(f"{name} is negative ({value!r} kg CO2e per declared unit) and "
                            "cannot be stated in PACT v3, which requires >= 0", field=name)
    return decimal_str(value)


def _boundary_description(footprint: dict, product: dict) -> str:
    stages = ", ".join(s["stage"] for s in footprint["stages"])
    description = (product.get("description") or product["name"]).strip()
    if not description.lower().startswith("cradle-to-gate"):
        description = f"Cradle-to-gate: {description}"
    return (f"{description} "
            f"Life-cycle stages: {stages}. Electricity is modelled with life-cycle factors "
            f"(generation, upstream and losses), {footprint['electricity_accounting']}. "
            "Capital goods, packaging, distribution, use and end of life are outside the "
            "boundary.")


def _allocation_description(footprint: dict) -> str:
    text = (f"Recycled content: {footprint['recycled_content_method']} (recycled inputs carry "
            "only their collection, sorting and reprocessing; no credit for recycling at end "
            "of life).")
    rule = (footprint.get("parameters") or {}).get("pre_consumer_scrap_rule")
    if rule:
        text += f" Pre-consumer scrap: {rule}."
    return text + (" Multi-output processes of the inventory are allocated as documented per "
                   "activity in pcf's databases/.")


def build_product_footprint(*, pf_id: str, created: datetime, validity: tuple[datetime, datetime],
                            footprint: dict, product: dict, issuer: Issuer, facts: dict,
                            preceding_ids: list[str], extension: dict,
                            schema_url: str | None = None) -> dict[str, Any]:
    """Build a PACT v3 ``ProductFootprint`` (status ``Active``).

    Parameters
    ----------
    pf_id : str
        UUID of this footprint (= the certificate id).
    created : datetime
        Issue time.
    validity : (datetime, datetime)
        ``validityPeriodStart`` and ``validityPeriodEnd``.
    footprint : dict
        The Footprint (DESIGN.md) the certificate states.
    product : dict
        :func:`pcf.service.footprints.get_product` of the footprint's product.
    issuer : Issuer
    facts : dict
        :func:`pcf.service.certificates.analyse` of the footprint.
    preceding_ids : list of str
        PACT ids of the certificates this one supersedes (newest first); may be empty.
    extension : dict
        ``data`` of pcf's extension.
    schema_url : str, optional
        ``dataSchema`` of the extension (default
        :func:`pcf.certificates.settings.extension_schema_url`).

    Returns
    -------
    dict
        JSON-ready ProductFootprint.

    Raises
    ------
    StateConflict
        A part that PACT requires to be >= 0 is negative, or the declared unit has no PACT
        equivalent.
    """
    per = footprint["per_declared_unit"]
    start, end = facts["referencePeriod"]
    mass, _ = facts["mass"]
    total = float(per["total"])
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": pact_unit(footprint["declared_unit"]),
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": decimal_str(mass),
        "referencePeriodStart": iso_utc(start),
        "referencePeriodEnd": iso_utc(end),
        **geography(facts.get("location")),
        "boundaryProcessesDescription": _boundary_description(footprint, product),
        "pcfExcludingBiogenicUptake": decimal_str(total),
        "pcfIncludingBiogenicUptake": decimal_str(total),
        "fossilGhgEmissions": _nonnegative("fossilGhgEmissions", float(per["fossil"])),
        "fossilCarbonContent": decimal_str(facts["carbon"]["kgCPerDeclaredUnit"]),
        "landUseChangeGhgEmissions": _nonnegative("landUseChangeGhgEmissions",
                                                  float(per["land_use"])),
        "biogenicNonCO2Emissions": _nonnegative("biogenicNonCO2Emissions",
                                                float(per["biogenic"])),
        "packagingEmissionsIncluded": False,
        "ccsTechnologicalCO2CaptureIncluded": False,
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0",
        "exemptedEmissionsDescription": (
            "No emissions were exempted by a cut-off rule. Known data gaps of the inventory "
            "(marked as lower bounds or proxies in pcf's databases/) are not quantified."),
        "allocationRulesDescription": _allocation_description(footprint),
        "secondaryEmissionFactorSources": facts["sources"],
        "primaryDataShare": decimal_str(facts["primary"]["percent"]),
    }
    ratings = {"technologicalDQR": (facts.get("dqi") or {}).get("technologicalDQR"),
               "geographicalDQR": (facts.get("dqi") or {}).get("geographicalDQR"),
               "temporalDQR": (facts.get("temporal") or {}).get("rating")}
    if all(v is not None for v in ratings.values()):
        pcf["dqi"] = {k: decimal_str(float(v or 0.0)) for k, v in ratings.items()}
    if facts["aircraft"] > 0:
        pcf["aircraftGhgEmissions"] = _nonnegative("aircraftGhgEmissions", facts["aircraft"])
    comment = (
        "Calculated by pcf with Brightway (IPCC 2021 GWP100, AR6) from an open inventory; "
        f"recycled content {footprint['recycled_content_method']}, electricity "
        f"{footprint['electricity_accounting']}. Biogenic CO2 uptake is not modelled (metal "
        "and battery products; the IPCC 2021 methods give biogenic CO2 a factor of 0), so "
        "pcfIncludingBiogenicUptake equals pcfExcludingBiogenicUptake. The land-use part is "
        "reported as landUseChangeGhgEmissions. dqi: pedigree scores of the inputs weighted by "
        "their share of the footprint (see the extension). Not third-party verified.")
    document: dict[str, Any] = {
        "id": pf_id,
        "specVersion": PACT_SPEC_VERSION,
    }
    if preceding_ids:
        document["precedingPfIds"] = list(dict.fromkeys(preceding_ids))
    document.update({
        "created": iso_utc(created),
        "status": "Active",
        "validityPeriodStart": iso_utc(validity[0]),
        "validityPeriodEnd": iso_utc(validity[1]),
        "companyName": issuer.name,
        "companyIds": issuer.company_ids,
        "productDescription": product.get("description") or product["name"],
        "productIds": [issuer.product_urn(footprint["product"])],
    })
    classes = classification_urns(footprint["product"])
    if classes:
        document["productClassifications"] = classes
    document.update({
        "productNameCompany": product["name"],
        "comment": comment,
        "pcf": pcf,
        "extensions": [{
            "specVersion": "2.0.0",
            "dataSchema": schema_url or extension_schema_url(),
            "data": extension,
        }],
    })
    return document
