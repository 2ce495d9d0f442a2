"""Electricity accounting label of a result (DESIGN.md, "Rules of the method").

Location-based (grid average) is the default. A product's ``renewable_electricity_share`` is
the separate, documented market-based setting: contractual renewable supply or on-site
generation covering that share of site electricity. A result says which one applies.
"""

from __future__ import annotations

LOCATION_BASED = "location-based"
MARKET_BASED = "market-based"


def electricity_accounting(values: dict) -> str:
    """Return ``"location-based"`` when no renewable share is claimed, else ``"market-based"``.

    Parameters
    ----------
    values : dict
        Resolved user parameters (must contain ``renewable_electricity_share``, 0..1).
    """
    share = float(values.get("renewable_electricity_share") or 0.0)
    return LOCATION_BASED if share == 0.0 else MARKET_BASED
