"""Engine results: totals by GWP part, stages and first-tier contributions per declared unit."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contribution:
    """One first-tier contribution, per declared unit of the product.

    Attributes
    ----------
    input : str
        Name of the background activity supplied, or of the elementary flow emitted.
    activity : str
        Name of the foreground activity where the input enters (or that emits the flow).
    kind : {"technosphere", "biosphere"}
    stage : str
    amount : float
        Amount of the input per declared unit, in ``unit``.
    unit : str
    kg_co2e : dict[str, float]
        ``{"total", "fossil", "biogenic", "land_use"}`` in kg CO2e per declared unit.
    supplier_parameter : str or None
        When the amount is a supplier-specific footprint entered through a parameter (the
        exchange's formula names a parameter in kg CO2e per unit, e.g.
        ``lithium_hydroxide_footprint``): that parameter (primary data). None otherwise.
    """

    input: str
    activity: str
    kind: str
    stage: str
    amount: float
    unit: str
    kg_co2e: dict
    supplier_parameter: str | None = None


@dataclass(frozen=True)
class Result:
    """Footprint of one product for one set of parameter values, per declared unit.

    Attributes
    ----------
    product : str
    per_declared_unit : dict[str, float]
        kg CO2e per declared unit: ``total``, ``fossil``, ``biogenic``, ``land_use``.
    stages : dict[str, float]
        Stage -> kg CO2e (total) per declared unit, in the product's stage order; sums to
        ``per_declared_unit["total"]``.
    contributions : list[Contribution]
        Non-zero first-tier contributions, largest absolute total first; they sum to the total.
    database_version : str
    notes : list[str]
        Caveats about the data used, e.g. a combustion-only electricity factor.
    linked : dict[str, float]
        Supplier product id -> amount of the supplier's declared unit per declared unit of
        this product (products used as linked sub-systems).
    supplier_specific : dict[str, float]
        Replaceable input (:mod:`pcf.supplier_inputs`) -> kg of it per declared unit covered by
        a supplier-specific figure (0 when none is given); one entry per replaceable input of
        the product.
    """

    product: str
    per_declared_unit: dict
    stages: dict
    contributions: list = field(default_factory=list)
    database_version: str = ""
    notes: list = field(default_factory=list)
    linked: dict = field(default_factory=dict)
    supplier_specific: dict = field(default_factory=dict)
