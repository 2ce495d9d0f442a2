"""Mass balance of a product system (issue 16): what enters, what leaves as losses, and how much
of the product's mass the model itemises.

A product's ``mass_balance`` (databases/products/*.yaml) lists, as formulas over its
parameters, the materials entering the system per declared unit, the process losses leaving
it, and the product mass per declared unit. The service evaluates the formulas for a
footprint's parameters; the functions here judge the numbers.
"""

from __future__ import annotations

import math
from typing import Any

ITEMISED_MIN = 0.95
"""Below this share of the product mass itemised, the model leaves material out (issue 16)."""

CLOSURE_TOLERANCE = 0.01
"""Above ``1 + CLOSURE_TOLERANCE`` the inputs net of losses exceed the product: mass counted
twice (e.g. a coating added on top of a full kg of body)."""


def mass_balance(product_kg: float, inputs: list[tuple[str, float]],
                 losses: list[tuple[str, float]]) -> dict[str, Any]:
    """Judge a product system's mass balance.

    Formula::

        itemised = sum(inputs) - sum(losses)             (kg per declared unit)
        share    = itemised / product_kg
        closed   = 1 - CLOSURE_TOLERANCE <= share <= 1 + CLOSURE_TOLERANCE

    Parameters
    ----------
    product_kg : float
        kg of product per declared unit (> 0).
    inputs, losses : list of (name, kg per declared unit)

    Returns
    -------
    dict
        ``{"product_kg", "inputs": [{"name", "kg"}], "losses": [...], "inputs_kg",
        "losses_kg", "itemised_kg", "itemised_share", "closed": bool, "status"}`` with status
        ``closed``, ``not itemised`` (share < :data:`ITEMISED_MIN`), ``incomplete`` (between
        that and closure) or ``over-closed`` (share above 1 + tolerance).

    Raises
    ------
    ValueError
        If ``product_kg`` is not > 0.
    """
    if not product_kg > 0:
        raise ValueError("product_kg must be > 0")
    inputs_kg = math.fsum(kg for _, kg in inputs)
    losses_kg = math.fsum(kg for _, kg in losses)
    itemised = inputs_kg - losses_kg
    share = itemised / product_kg
    if share > 1.0 + CLOSURE_TOLERANCE:
        status = "over-closed"
    elif share >= 1.0 - CLOSURE_TOLERANCE:
        status = "closed"
    elif share >= ITEMISED_MIN:
        status = "incomplete"
    else:
        status = "not itemised"
    return {"product_kg": product_kg,
            "inputs": [{"name": n, "kg": kg} for n, kg in inputs],
            "losses": [{"name": n, "kg": kg} for n, kg in losses],
            "inputs_kg": inputs_kg, "losses_kg": losses_kg, "itemised_kg": itemised,
            "itemised_share": share, "closed": status == "closed", "status": status}
