"""Map a Footprint (DESIGN.md) of a stored order line to a PACT v3 ``ProductFootprint``.

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
    fraction (:data:`CARBON_FRACTIONS`: graphite, polyolefins, epoxy, boron carbide, carbonate
    electrolyte), all of fossil or geogenic origin; metals count as carbon-free.
``productMassPerDeclaredUnit`` (kg): 1 declared unit converted to kg for mass units; for a
    product declared per kWh with an ``energy_density`` parameter (Wh/kg), 1000 / energy
    density; else "0" (PACT: not relevant).
``referencePeriodStart/End``: see :func:`reference_period`.
``geography*``: from the location of the product's reference activity (ISO 3166-2 code ->
    ``geographyCountrySubdivision``, ISO 3166-1 -> ``geographyCountry``, else global).
``primaryDataShare`` (%): see :func:`primary_data`.
``secondaryEmissionFactorSources``: pcf's compiled inventory (name ``pcf databases/``, version =
    database version) plus every ``(source id, year)`` of the secondary figures behind the
    footprint (the sources are listed in ``databases/sources.yaml``).
``crossSectoralStandards`` = ``["ISO14067"]``; ``ipccCharacterizationFactors`` = ``["AR6"]``;
``exemptedEmissionsPercent`` = "0" (no cut-off exemption is applied; known data gaps are
    described in ``databases/`` and not quantified); ``packagingEmissionsIncluded`` and
    ``ccsTechnologicalCO2CaptureIncluded`` = false.

Left out, and why
-----------------
``dqi``: PACT v3 requires technological, geographical *and* temporal ratings. Only the
temporal one can be derived from recorded data (:func:`temporal_dqr`); the others need
judgements about the actual supply chain that pcf does not record. The temporal rating is given
in the extension instead. ``productClassifications``: products carry no CPC/HS code.
``verification``: no third-party verification. ``biogenicCarbonContent``,
``biogenicCO2Uptake``, ``recycledCarbonContent``, land-management, CCS/CCU, packaging and
outbound-logistics amounts: not modelled. ``productOrSectorSpecificRules``: none applied.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from pcf.certificates.provenance import ExchangeMeta, ProductProvenance
from pcf.certificates.settings import EXTENSION_SCHEMA, PACT_SPEC_VERSION, Issuer
from pcf.errors import CertificateConflict

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

CARBON_FRACTIONS: dict[str, tuple[float, str]] = {
    "battery-graphite-natural": (
        1.0, "graphite is elemental carbon (battery grade >= 99.9 % C); geogenic, counted "
             "as fossil"),
    "battery-synthetic-graphite-ex-graphitization-power": (
        1.0, "synthetic graphite is elemental carbon, made from petroleum coke (fossil)"),
    "battery-polyethylene": (
        0.8563, "polyethylene (C2H4)n: 2 x 12.011 / 28.054"),
    "battery-polymer-proxy": (
        0.8563, "the model's proxy for binders, conductive carbon and solvents is "
                "polypropylene (C3H6)n: 3 x 12.011 / 42.081 (counted as fossil; the CMC "
                "share of binders would be biogenic)"),
    "battery-electrolyte": (
        0.3552, "1 M LiPF6 electrolyte: 12.2 wt% LiPF6 (no carbon, as in the model) in "
                "EC/DMC 1:1 by mass (assumed): 0.878 x (0.4092 + 0.4000) / 2"),
    "ndfeb-epoxy-resin": (
        0.7409, "epoxy as bisphenol-A diglycidyl ether C21H24O4: 21 x 12.011 / 340.42"),
    "ndfeb-boron-carbide": (
        0.2174, "boron carbide B4C: 12.011 / 55.25"),
}
"""Background activity code -> (kg C per kg, basis): carbon-bearing materials that end up in
the product. Stoichiometric fractions from IUPAC 2021 atomic weights. Metals (aluminium,
copper, steel, rare-earth alloys, cathode oxides) are counted as carbon-free; trace carbon
below ~1 wt% (steel, LFP carbon coating) is not counted."""

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
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def reference_period(prov: ProductProvenance, fallback_year: int) -> tuple[datetime, datetime]:
    """Reference period of a product's footprint.

    Rule: the calendar years of the product's own activity data, i.e. the ``year`` of the
    exchanges of its reference activity (the plant-gate process in ``databases/products``):
    ``[1 Jan of the earliest, 1 Jan after the latest)``. ``fallback_year`` (the issue year)
    is used only if no year is recorded.

    Returns
    -------
    (datetime, datetime)
        Start (inclusive) and end (exclusive), UTC.
    """
    years = prov.reference_years or (fallback_year,)
    start = datetime(min(years), 1, 1, tzinfo=timezone.utc)
    end = datetime(max(years) + 1, 1, 1, tzinfo=timezone.utc)
    return start, end


def temporal_score(age_years: int | None) -> int:
    """Pedigree temporal correlation score (Weidema; ecoinvent v3 data quality guideline).

    1: < 3 years between the data year and the reference year; 2: < 6; 3: < 10; 4: < 15;
    5: 15 or more, or unknown.
    """
    if age_years is None:
        return 5
    age = abs(age_years)
    for limit, score in ((3, 1), (6, 2), (10, 3), (15, 4)):
        if age < limit:
            return score
    return 5


def _meta_temporal(meta: ExchangeMeta, reference_year: int) -> int:
    score = temporal_score(None if meta.year is None else reference_year - meta.year)
    if meta.kind == "technosphere":
        oldest = min(meta.ef_years) if meta.ef_years else None
        score = max(score, temporal_score(None if oldest is None else reference_year - oldest))
    return score


def temporal_dqr(footprint: dict, prov: ProductProvenance, reference_year: int) -> dict:
    """Temporal data quality rating (1 best .. 5 worst) of a footprint.

    Formula::

        DQR_T = sum_i |c_i| * s_i / sum_i |c_i|

    over the first-tier contributions ``c_i`` (kg CO2e per declared unit), where ``s_i`` is
    the worse of the pedigree temporal scores (:func:`temporal_score`) of the exchange amount's
    year and of the oldest own figure of the background activity it draws on, against
    ``reference_year`` (the last year of the reference period). Contributions whose exchange
    cannot be identified score 5.

    Returns
    -------
    dict
        ``{"rating": float or None (one decimal), "referenceYear": int,
        "coveragePercent": float}``.
    """
    num = den = covered = 0.0
    for c in footprint.get("contributions") or []:
        weight = abs(float(c["kg_co2e_per_declared_unit"]))
        metas = prov.lookup(c)
        score = max((_meta_temporal(m, reference_year) for m in metas), default=5)
        num += weight * score
        den += weight
        if metas:
            covered += weight
    rating = round(num / den, 1) if den > 0 else None
    return {"rating": rating, "referenceYear": reference_year,
            "coveragePercent": round(100.0 * covered / den, 2) if den > 0 else 0.0}


def supplier_parameters(product_id: str, parameters: dict) -> list[str]:
    """Names of supplier-specific footprint parameters that were given a value.

    A supplier-specific parameter is a number whose unit is a footprint (contains ``CO2e``),
    e.g. aluminium ``primary_ingot_footprint`` (kg CO2e/kg). These are primary data.
    """
    from pcf import service

    out = []
    for name, spec in service.model(product_id).specs.items():
        unit = getattr(spec, "unit", None) or ""
        if spec.type == "number" and "CO2e" in unit and parameters.get(name) is not None:
            out.append(name)
    return out


def primary_data(footprint: dict, prov: ProductProvenance) -> dict:
    """Primary data share (PACT ``primaryDataShare``, % of ``pcfExcludingBiogenicUptake``).

    Rule: a contribution is primary when its exchange amount is a supplier-specific footprint
    entered through a parameter (:func:`supplier_parameters`, e.g. aluminium
    ``primary_ingot_footprint``); everything else in pcf's inventory (published averages,
    literature, the companies' own inventories turned into per-kg averages, assumptions) is
    secondary. Formula::

        share = 100 * sum_primary c_i / total

    Returns
    -------
    dict
        ``{"percent": float, "kgCO2ePerDeclaredUnit": float, "parameters": [names],
        "basis": str}``.
    """
    params = supplier_parameters(footprint["product"], footprint.get("parameters") or {})
    primary = 0.0
    if params:
        for c in footprint.get("contributions") or []:
            if is_primary(c, prov, params):
                primary += float(c["kg_co2e_per_declared_unit"])
    total = float(footprint["per_declared_unit"]["total"])
    percent = 100.0 * primary / total if total > 0 else 0.0
    basis = ("supplier-specific footprints entered as parameters (" + ", ".join(params) + ")"
             if params else
             "no supplier-specific figure was given: every figure is secondary (published "
             "averages, literature, company inventories averaged per unit, assumptions)")
    return {"percent": round(min(max(percent, 0.0), 100.0), 2), "kgCO2ePerDeclaredUnit": primary,
            "parameters": params, "basis": basis}


def _formula_name(name: str) -> str:
    from pcf.paramspec import formula_name

    return formula_name(name)


def is_primary(contribution: dict, prov: ProductProvenance, params: list[str]) -> bool:
    """True when a contribution's figure comes from a supplier-specific parameter."""
    patterns = [re.compile(rf"\b{re.escape(_formula_name(p))}\b") for p in params]
    metas = prov.lookup(contribution)
    return bool(metas) and all(any(p.search(m.formula or "") for p in patterns) for m in metas)


def fossil_carbon_content(footprint: dict, prov: ProductProvenance) -> dict:
    """Fossil carbon content of the product, kg C per declared unit.

    Formula::

        C = sum_i m_i * f_i

    over first-tier material inputs ``i`` in kg per declared unit whose background activity is
    in :data:`CARBON_FRACTIONS` (carbon mass fraction ``f_i``).

    Returns
    -------
    dict
        ``{"kgCPerDeclaredUnit": float, "counted": [{"input", "kgPerDeclaredUnit",
        "kgCPerKg", "basis"}], "basis": str}``.
    """
    counted: dict[str, float] = {}
    for c in footprint.get("contributions") or []:
        if c.get("kind") != "technosphere" or c.get("unit") != "kg":
            continue
        for meta in prov.lookup(c)[:1]:
            if meta.input_code in CARBON_FRACTIONS:
                counted[meta.input_code] = counted.get(meta.input_code, 0.0) + float(c["amount"])
    items = [{"input": code, "kgPerDeclaredUnit": kg, "kgCPerKg": CARBON_FRACTIONS[code][0],
              "basis": CARBON_FRACTIONS[code][1]} for code, kg in sorted(counted.items())]
    total = math.fsum(i["kgPerDeclaredUnit"] * i["kgCPerKg"] for i in items)
    return {"kgCPerDeclaredUnit": total, "counted": items,
            "basis": "carbon-bearing first-tier materials times their carbon mass fraction; "
                     "metals counted as carbon-free, trace carbon (< ~1 wt%) not counted"}


def aircraft_emissions(footprint: dict, prov: ProductProvenance) -> float:
    """kg CO2e per declared unit of first-tier air freight (:data:`AIR_FREIGHT_CODES`)."""
    total = 0.0
    for c in footprint.get("contributions") or []:
        metas = prov.lookup(c)
        if metas and metas[0].input_code in AIR_FREIGHT_CODES:
            total += float(c["kg_co2e_per_declared_unit"])
    return total


def secondary_sources(footprint: dict, prov: ProductProvenance,
                      primary_params: list[str]) -> list[dict[str, str]]:
    """PACT ``secondaryEmissionFactorSources``: ``[{"name", "version"}]``.

    pcf's compiled inventory first (``pcf databases/``, version = database version), then each
    ``(source id, year)`` found in the upstream chains of the non-primary contributions,
    sorted. Source ids resolve in ``databases/sources.yaml``.
    """
    found: set[tuple[str, str]] = set()
    for c in footprint.get("contributions") or []:
        if float(c["kg_co2e_per_declared_unit"]) == 0.0:
            continue
        if primary_params and is_primary(c, prov, primary_params):
            continue
        for meta in prov.lookup(c):
            for source, year in meta.chain_sources:
                found.add((source, str(year) if year is not None else "undated"))
    out = [{"name": "pcf databases/", "version": footprint["database"]["version"]}]
    out += [{"name": s, "version": v} for s, v in sorted(found)]
    return out


def assumption_share(footprint: dict, prov: ProductProvenance, primary_params: list[str]
                     ) -> float:
    """Share (%) of the footprint resting on pcf modelling assumptions.

    Formula: ``100 * sum_a |c_a| / sum_i |c_i|`` over first-tier contributions, where ``a``
    are those whose amount, or the own emission figures of the background activity they draw
    on, have source ``pcf-assumption``; supplier-specific (primary) figures entered as
    parameters are not assumptions.
    """
    assumed = den = 0.0
    for c in footprint.get("contributions") or []:
        weight = abs(float(c["kg_co2e_per_declared_unit"]))
        den += weight
        if primary_params and is_primary(c, prov, primary_params):
            continue
        if any(m.source == "pcf-assumption" or "pcf-assumption" in m.ef_sources
               for m in prov.lookup(c)):
            assumed += weight
    return round(100.0 * assumed / den, 2) if den > 0 else 0.0


def product_mass(footprint: dict) -> tuple[float, str]:
    """``productMassPerDeclaredUnit`` in kg and how it was obtained."""
    from pcf.errors import PcfError
    from pcf.units import conversion_factor

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


def analyse(footprint: dict, prov: ProductProvenance, issue_year: int) -> dict[str, Any]:
    """Everything a certificate derives from a Footprint besides the numbers themselves.

    Returns
    -------
    dict
        ``referencePeriod`` (start, end datetimes), ``temporal`` (:func:`temporal_dqr`),
        ``primary`` (:func:`primary_data`), ``carbon`` (:func:`fossil_carbon_content`),
        ``aircraft`` (float), ``sources`` (:func:`secondary_sources`), ``mass`` ((kg, basis)),
        ``assumptionSharePercent`` (:func:`assumption_share`).
    """
    start, end = reference_period(prov, issue_year)
    primary = primary_data(footprint, prov)
    return {
        "referencePeriod": (start, end),
        "temporal": temporal_dqr(footprint, prov, end.year - 1),
        "primary": primary,
        "carbon": fossil_carbon_content(footprint, prov),
        "aircraft": aircraft_emissions(footprint, prov),
        "sources": secondary_sources(footprint, prov, primary["parameters"]),
        "mass": product_mass(footprint),
        "assumptionSharePercent": assumption_share(footprint, prov, primary["parameters"]),
        "location": prov.location,
    }


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
                            preceding_ids: list[str], extension: dict) -> dict[str, Any]:
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
        :func:`pcf.service.get_product` of the footprint's product.
    issuer : Issuer
    facts : dict
        :func:`analyse` of the footprint.
    preceding_ids : list of str
        PACT ids of the certificates this one supersedes (newest first); may be empty.
    extension : dict
        ``data`` of pcf's extension.

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
    if facts["aircraft"] > 0:
        pcf["aircraftGhgEmissions"] = _nonnegative("aircraftGhgEmissions", facts["aircraft"])
    comment = (
        "Calculated by pcf with Brightway (IPCC 2021 GWP100, AR6) from an open inventory; "
        f"recycled content {footprint['recycled_content_method']}, electricity "
        f"{footprint['electricity_accounting']}. Biogenic CO2 uptake is not modelled (metal "
        "and battery products; the IPCC 2021 methods give biogenic CO2 a factor of 0), so "
        "pcfIncludingBiogenicUptake equals pcfExcludingBiogenicUptake. The land-use part is "
        "reported as landUseChangeGhgEmissions. dqi is not given: only a temporal rating "
        "can be derived from pcf's data (see the extension). Not third-party verified.")
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
        "productNameCompany": product["name"],
        "comment": comment,
        "pcf": pcf,
        "extensions": [{
            "specVersion": "2.0.0",
            "dataSchema": EXTENSION_SCHEMA,
            "data": extension,
        }],
    })
    return document
