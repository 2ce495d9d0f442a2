"""The EU PEF Circular Footprint Formula (issue 20): pure functions, no I/O.

Commission Recommendation (EU) 2021/2279, Annex I section 4.4.8 (methods.md section 1.2)::

    Material:  (1 - R1) Ev + R1 (A Erecycled + (1 - A) Ev Qsin/Qp)
               + (1 - A) R2 (ErecyclingEoL - E*v Qsout/Qp)
    Energy:    (1 - B) R3 (EER - LHV XER,heat ESE,heat - LHV XER,elec ESE,elec)
    Disposal:  (1 - R2 - R3) ED

pcf's cradle-to-gate results carry only the R1 terms (the material input); the R2 term is the
end-of-life module (:func:`eol_material_term`), reported apart. Cut-off is the CFF with A = 1
for the recycled content (:func:`cutoff_material_term`). All burdens in kg CO2e per kg of
material; R1, R2, A, Q ratios dimensionless.
"""

from __future__ import annotations

RECYCLED_CONTENT_METHODS = ("cut-off", "cff")
"""Recycled-content rules a footprint can be computed under: ``cut-off`` (the 100:0 / recycled
content approach, ISO 14067 and the PACT default) and ``cff`` (the EU PEF Circular Footprint
Formula, :func:`recycled_content_adjustment`). The one list the API schema, the CLI option and
:mod:`pcf.service.cff` check against."""


def _check(name: str, value: float, low: float = 0.0, high: float = 1.0) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be within {low:g}..{high:g}, got {value!r}")


def material_term(r1: float, ev: float, e_recycled: float, a: float,
                  qsin_qp: float = 1.0) -> float:
    """CFF burden of 1 kg of material input (R1 terms).

    Formula: ``(1 - R1) Ev + R1 (A Erecycled + (1 - A) Ev Qsin/Qp)``.

    Parameters
    ----------
    r1 : float
        Recycled content of the input, 0..1.
    ev, e_recycled : float
        kg CO2e per kg of virgin material and of recycled material (recycling process).
    a : float
        Allocation factor, 0..1.
    qsin_qp : float
        Quality of the secondary input relative to primary, (0, 1].

    Raises
    ------
    ValueError
        ``r1``, ``a`` or ``qsin_qp`` out of range.
    """
    _check("R1", r1)
    _check("A", a)
    _check("Qsin/Qp", qsin_qp)
    return (1 - r1) * ev + r1 * (a * e_recycled + (1 - a) * ev * qsin_qp)


def cutoff_material_term(r1: float, ev: float, e_recycled: float) -> float:
    """Cut-off (recycled content, 100:0) burden of 1 kg of material input.

    Formula: ``(1 - R1) Ev + R1 Erecycled`` (= :func:`material_term` with A = 1).
    """
    _check("R1", r1)
    return (1 - r1) * ev + r1 * e_recycled


def recycled_content_adjustment(recycled_kg: float, ev: float, e_recycled: float, a: float,
                                qsin_qp: float = 1.0) -> float:
    """What the CFF adds to a cut-off result for ``recycled_kg`` of recycled input.

    Formula: ``M_rec (1 - A) (Ev Qsin/Qp - Erecycled)``: the difference of
    :func:`material_term` and :func:`cutoff_material_term` times the material mass
    (``M R1 = M_rec``). Zero for A = 1.

    Parameters
    ----------
    recycled_kg : float
        kg of recycled material per declared unit (>= 0).
    ev, e_recycled, a, qsin_qp
        As :func:`material_term`.

    Returns
    -------
    float
        kg CO2e per declared unit (positive when the virgin burden exceeds the recycling
        burden: the CFF gives recycled content less credit than cut-off).
    """
    if recycled_kg < 0:
        raise ValueError("recycled_kg must be >= 0")
    _check("A", a)
    _check("Qsin/Qp", qsin_qp)
    return recycled_kg * (1 - a) * (ev * qsin_qp - e_recycled)


def eol_material_term(r2: float, a: float, e_recycling_eol: float, e_star_v: float,
                      qsout_qp: float = 1.0) -> float:
    """End-of-life material term of the CFF for 1 kg of material leaving the product.

    Formula: ``(1 - A) R2 (ErecyclingEoL - E*v Qsout/Qp)`` (negative: a credit).

    Raises
    ------
    ValueError
        ``r2``, ``a`` or ``qsout_qp`` out of range.
    """
    _check("R2", r2)
    _check("A", a)
    _check("Qsout/Qp", qsout_qp)
    return (1 - a) * r2 * (e_recycling_eol - e_star_v * qsout_qp)


__all__ = ["material_term", "cutoff_material_term", "recycled_content_adjustment",
           "eol_material_term"]
