"""Effect of a fuel-switch measure (e.g. a gas furnace replaced by an electric one): pure
functions. Why such a measure can raise emissions location-based (issue 16).

Per unit of product, switching from gas to electricity changes the footprint by
``delta = E_el * f_el - G * f_gas`` (kWh and MJ per unit, factors per kWh and MJ). It lowers
the footprint only when the electricity factor is below the break-even factor
``f* = G * f_gas / E_el``.
"""

from __future__ import annotations

from typing import Any


def break_even_factor(gas_kg_co2e_per_unit: float, electricity_kwh_per_unit: float) -> float:
    """Electricity factor (kg CO2e/kWh) at which the switch changes nothing.

    Formula: ``f* = (G * f_gas) / E_el``, from the gas emissions removed (kg CO2e per unit,
    incl. upstream) and the electricity added (kWh per unit).
    """
    return gas_kg_co2e_per_unit / electricity_kwh_per_unit


def measure_effect(claimed_t_per_year: float, claim_counts: str,
                   combustion_kg_per_unit: float, delta_location_kg_per_unit: float,
                   delta_market_kg_per_unit: float) -> dict[str, Any]:
    """Scale a per-unit switch to the company's claim.

    Formula: the claim covers ``Q = -claimed / combustion`` units of product a year (when it
    counts avoided combustion CO2: ``claim_counts = "avoided-combustion"``); the modelled
    change is ``Q * delta`` t a year, location-based (grid) and market-based (the renewable
    supply of the measure). With ``claim_counts = "net"`` the claim is compared as it is, and
    ``Q`` is taken from the same division (the best available scale).

    Parameters
    ----------
    claimed_t_per_year : float
        The company's figure, t CO2e per year (negative = reduction).
    claim_counts : {"avoided-combustion", "net"}
    combustion_kg_per_unit : float
        Combustion CO2 of the gas the switch removes, kg per unit of product (> 0).
    delta_location_kg_per_unit, delta_market_kg_per_unit : float
        Footprint after minus before, kg CO2e per unit of product.

    Returns
    -------
    dict
        ``{"units_per_year", "location_based_t", "market_based_t", "claimed_t",
        "sign_agrees_location_based": bool}`` (t CO2e per year; units in the declared unit,
        e.g. kg).
    """
    units = -claimed_t_per_year * 1000.0 / combustion_kg_per_unit
    location = units * delta_location_kg_per_unit / 1000.0
    market = units * delta_market_kg_per_unit / 1000.0
    return {"units_per_year": units, "location_based_t": location, "market_based_t": market,
            "claimed_t": claimed_t_per_year, "claim_counts": claim_counts,
            "sign_agrees_location_based": (location < 0) == (claimed_t_per_year < 0)}
