"""Data quality of a footprint: reference period, temporal rating, primary data share and
assumption share (shared/reference/methods.md section 6; PACT v3 ``primaryDataShare``).

Pure functions over a Footprint whose contributions carry their provenance
(:func:`pcf.service.footprints.compute_footprint` with ``provenance=True``): each contribution
has ``"provenance"``, the list of its exchanges' metadata (``source``, ``year``,
``geography``, ``formula``, ``ef_years``, ``ef_sources``, ``chain_sources``, see
:class:`pcf.engine.provenance.ExchangeMeta`), and the footprint has ``"site"`` with the
``reference_years`` and ``location`` of the product's reference activity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pcf.paramspec import formula_name

ASSUMPTION_SOURCE = "pcf-assumption"
"""Source id of pcf's modelling assumptions (``databases/sources.yaml``)."""


def metas(contribution: dict[str, Any]) -> list[dict[str, Any]]:
    """The provenance entries of a contribution (empty when unknown)."""
    return contribution.get("provenance") or []


def reference_period(reference_years: list[int] | tuple[int, ...],
                     fallback_year: int) -> tuple[datetime, datetime]:
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
    years = tuple(reference_years) or (fallback_year,)
    start = datetime(min(years), 1, 1, tzinfo=UTC)
    end = datetime(max(years) + 1, 1, 1, tzinfo=UTC)
    return start, end


def temporal_score(age_years: int | None, below: tuple[int, ...]) -> int:
    """Pedigree temporal correlation score (Weidema; ecoinvent v3 data quality guideline).

    1 + the number of thresholds in ``below`` the age reaches: with the table of
    ``databases/uncertainty.yaml`` (``temporal.below`` = 3, 6, 10, 15 years, read by
    :func:`pcf.inventory.uncertainty.temporal_thresholds`, the table the Monte Carlo pedigree
    uses too) 1: < 3 years between the data year and the reference year; 2: < 6; 3: < 10;
    4: < 15; 5: 15 or more, or unknown (``None``).
    """
    if age_years is None:
        return len(below) + 1
    age = abs(age_years)
    return 1 + sum(age >= limit for limit in below)


def temporal_method(below: tuple[int, ...]) -> str:
    """How :func:`temporal_dqr` rates, in words (the certificate's ``temporalDQRMethod``),
    for the thresholds ``below`` (years)."""
    steps = [f"1: < {below[0]} years between data year and reference year"]
    steps += [f"{i + 2}: < {limit}" for i, limit in enumerate(below[1:])]
    steps.append(f"{len(below) + 1}: older or unknown")
    return (f"pedigree temporal score ({', '.join(steps)}) of each first-tier contribution, "
            "the worse of its amount and its emission figures, weighted by |kg CO2e|")


def _meta_temporal(meta: dict[str, Any], reference_year: int, below: tuple[int, ...]) -> int:
    year = meta.get("year")
    score = temporal_score(None if year is None else reference_year - year, below)
    if meta.get("kind") == "technosphere":
        ef_years = meta.get("ef_years") or []
        oldest = min(ef_years) if ef_years else None
        score = max(score, temporal_score(None if oldest is None else reference_year - oldest,
                                          below))
    return score


def temporal_dqr(footprint: dict, reference_year: int, below: tuple[int, ...]) -> dict:
    """Temporal data quality rating (1 best .. 5 worst) of a footprint.

    Formula::

        DQR_T = sum_i |c_i| * s_i / sum_i |c_i|

    over the first-tier contributions ``c_i`` (kg CO2e per declared unit), where ``s_i`` is
    the worse of the pedigree temporal scores (:func:`temporal_score`) of the exchange amount's
    year and of the oldest own figure of the background activity it draws on, against
    ``reference_year`` (the last year of the reference period), with the thresholds ``below``
    (years, :func:`temporal_score`). Contributions whose exchange cannot be identified score 5.

    Returns
    -------
    dict
        ``{"rating": float or None (one decimal), "referenceYear": int,
        "coveragePercent": float}``.
    """
    num = den = covered = 0.0
    for c in footprint.get("contributions") or []:
        weight = abs(float(c["kg_co2e_per_declared_unit"]))
        found = metas(c)
        score = max((_meta_temporal(m, reference_year, below) for m in found),
                    default=len(below) + 1)
        num += weight * score
        den += weight
        if found:
            covered += weight
    rating = round(num / den, 1) if den > 0 else None
    return {"rating": rating, "referenceYear": reference_year,
            "coveragePercent": round(100.0 * covered / den, 2) if den > 0 else 0.0}


def supplier_parameters(parameter_specs: Sequence[dict[str, Any]],
                        parameters: dict) -> list[str]:
    """Names of supplier-specific footprint parameters that were given a value.

    A supplier-specific parameter is a number whose unit is a footprint (contains ``CO2e``),
    e.g. aluminium ``primary_ingot_footprint`` (kg CO2e/kg). These are primary data.

    Parameters
    ----------
    parameter_specs : list of dict
        The product's parameters as described by ``pcf products`` (``name``, ``type``,
        ``unit``).
    parameters : dict
        The footprint's resolved parameter values.
    """
    out = []
    for spec in parameter_specs:
        unit = spec.get("unit") or ""
        if spec.get("type") == "number" and "CO2e" in unit \
                and parameters.get(spec["name"]) is not None:
            out.append(spec["name"])
    return out


def is_primary(contribution: dict, params: list[str]) -> bool:
    """True when a contribution's figure comes from a supplier-specific parameter: the engine
    marked it (``"supplier_specific"``, its exchange's formula names a footprint parameter) or
    its exchanges' formulas name one of ``params``."""
    if contribution.get("supplier_specific"):
        return True
    patterns = [re.compile(rf"\b{re.escape(formula_name(p))}\b") for p in params]
    found = metas(contribution)
    return bool(found) and all(any(p.search(m.get("formula") or "") for p in patterns)
                               for m in found)


def primary_data(footprint: dict, parameter_specs: Sequence[dict[str, Any]]) -> dict:
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
    params = supplier_parameters(parameter_specs, footprint.get("parameters") or {})
    primary = 0.0
    for c in footprint.get("contributions") or []:
        if (params or c.get("supplier_specific")) and is_primary(c, params):
            primary += float(c["kg_co2e_per_declared_unit"])
    total = float(footprint["per_declared_unit"]["total"])
    percent = 100.0 * primary / total if total > 0 else 0.0
    basis = ("supplier-specific footprints entered as parameters (" + ", ".join(params) + ")"
             if params else
             "no supplier-specific figure was given: every figure is secondary (published "
             "averages, literature, company inventories averaged per unit, assumptions)")
    return {"percent": round(min(max(percent, 0.0), 100.0), 2), "kgCO2ePerDeclaredUnit": primary,
            "parameters": params, "basis": basis}


def assumption_share(footprint: dict, primary_params: list[str]) -> float:
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
        if primary_params and is_primary(c, primary_params):
            continue
        if any(m.get("source") == ASSUMPTION_SOURCE
               or ASSUMPTION_SOURCE in (m.get("ef_sources") or []) for m in metas(c)):
            assumed += weight
    return round(100.0 * assumed / den, 2) if den > 0 else 0.0


DQI_THRESHOLD = 0.05
"""Share of the footprint (by |kg CO2e|) above which an input is rated (PACT: the data quality
ratings are weighted over the inputs making up more than 5 % of the PCF; methods.md 6.3)."""
PEDIGREE_INDICATORS = ("technological", "geographical", "temporal", "completeness",
                       "reliability")


def contribution_scores(contribution: dict[str, Any]) -> dict[str, float] | None:
    """Pedigree scores (1 best .. 5 worst) of one first-tier contribution, or None if unrated.

    Rule: per indicator, the worse (higher) of the score of the contribution's own exchange
    amount and, for an input from the background, the score of the background dataset's own
    figures (their mean weighted by each figure's share of the dataset's cumulative kg CO2e;
    :attr:`pcf.engine.provenance.ExchangeMeta.ef_pedigree`); several exchanges behind one
    contribution: the worst. Exact figures (no pedigree) are not rated.
    """
    found = [m for m in metas(contribution) if m.get("pedigree") or m.get("ef_pedigree")]
    if not found:
        return None
    out: dict[str, float] = {}
    for key in PEDIGREE_INDICATORS:
        values = [v for m in found for v in ((m.get("pedigree") or {}).get(key),
                                             (m.get("ef_pedigree") or {}).get(key))
                  if v is not None]
        if values:
            out[key] = float(max(values))
    return out or None


def pedigree_dqi(footprint: dict,
                 scores: list[dict[str, float] | None] | None = None) -> dict[str, Any]:
    """Data quality ratings of a footprint from the pedigree scores of its inputs (issue 17).

    Formula, per indicator ``k`` (technological, geographical, temporal, completeness,
    reliability)::

        DQR_k = sum_i |c_i| * s_ik / sum_i |c_i|

    over the first-tier contributions ``c_i`` (kg CO2e per declared unit) with
    ``|c_i| >= 5 %`` of ``sum |c|`` that have scores ``s_ik`` (:func:`contribution_scores`).
    The scale is the pedigree's, 1 (best) to 5 (worst), which is PACT v3's DQR scale.
    ``coveragePercent`` is the share of ``sum |c|`` the rated contributions make.

    Parameters
    ----------
    footprint : dict
        A Footprint whose contributions carry provenance (or any, with ``scores``).
    scores : list, optional
        :func:`contribution_scores` of each contribution, in order, when the caller has them
        already (they depend only on a contribution's provenance, so a service can compute
        them once per contribution row of a product); by default computed here.

    Returns
    -------
    dict
        ``{"technologicalDQR", "geographicalDQR", "temporalDQR", "completenessDQR",
        "reliabilityDQR"}`` (floats rounded to 0.1, None when nothing is rated),
        ``coveragePercent`` and ``rule``.

    Raises
    ------
    ValueError
        ``scores`` not as long as the contributions.
    """
    contributions = footprint.get("contributions") or []
    if scores is not None and len(scores) != len(contributions):
        raise ValueError(f"{len(scores)} scores for {len(contributions)} contributions")
    den_all = sum(abs(float(c["kg_co2e_per_declared_unit"])) for c in contributions)
    num = dict.fromkeys(PEDIGREE_INDICATORS, 0.0)
    den = dict.fromkeys(PEDIGREE_INDICATORS, 0.0)
    covered = 0.0
    for i, c in enumerate(contributions):
        weight = abs(float(c["kg_co2e_per_declared_unit"]))
        if den_all <= 0 or weight < DQI_THRESHOLD * den_all:
            continue
        rated = contribution_scores(c) if scores is None else scores[i]
        if rated is None:
            continue
        covered += weight
        for key, value in rated.items():
            num[key] += weight * value
            den[key] += weight
    out: dict[str, Any] = {f"{k}DQR": (round(num[k] / den[k], 1) if den[k] > 0 else None)
                           for k in PEDIGREE_INDICATORS}
    out["coveragePercent"] = round(100.0 * covered / den_all, 2) if den_all > 0 else 0.0
    out["rule"] = ("pedigree scores (ecoinvent v3, 1 best .. 5 worst) of each input making up "
                   ">= 5 % of the footprint: the worse of its amount's and its background "
                   "dataset's (impact-weighted) score, averaged with |kg CO2e| weights")
    return out
