"""The inputs a supplier-specific footprint may replace: one list, defined once.

A *replaceable input* is a purchased material whose average (modelled) footprint a supplier's
own cradle-to-gate figure may replace, for a company and reporting year
(:mod:`pcf.service.suppliers`). Each is per kg and appears in one or more products as a
*replacement*: a supplier-specific activity in the product's file
(``databases/products/<product>.yaml``) whose CO2 emission is the footprint parameter, and a
pair of product parameters:

``<footprint>`` (kg CO2e/kg, optional number)
    The supplier figure: the share-weighted mean of the stored figures that apply
    (:func:`pcf.accounting.supplier_footprints.blend`); not given = the average only.
``<share>`` (kg/kg, 0..1, default 1)
    The share of the input covered by those figures; the rest stays on the average.

In the product, the input's exchange is split as ``amount * (1 - cover)`` to the modelled input
and ``amount * cover`` to the supplier-specific activity, with ``cover = <footprint>__given *
<share>``. At the project's defaults (footprint not given) ``cover = 0`` and the product is the
one it was; a Brightway user sees both exchanges and the parameters in the product's group.

``pcf setup`` checks that every replacement names an activity and two parameters of its
product with these units (:func:`pcf.inventory.loader`), so this list and ``databases/`` cannot
drift apart. Pure data, no imports beyond the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupplierInput:
    """A purchased material a supplier figure may replace.

    Attributes
    ----------
    id : str
        Stable identifier (``lithium-hydroxide``), used in records, the API, the CLI and the
        questionnaire.
    name : str
        What it is, precisely (chemical form, grade).
    unit : str
        Unit of the figure's declared unit: every input here is per ``kg``.
    pact_unit : str
        The PACT ``declaredUnitOfMeasurement`` a supplier's figure must have.
    model_product : str or None
        The pcf product that models the average of this input, when there is one (its carbon
        content then counts for the covered kilograms too).
    """

    id: str
    name: str
    unit: str = "kg"
    pact_unit: str = "kilogram"
    model_product: str | None = None


@dataclass(frozen=True)
class Replacement:
    """Where a replaceable input enters one product.

    Attributes
    ----------
    product : str
        Product id.
    input : str
        :attr:`SupplierInput.id`.
    activity : str
        Code of the supplier-specific activity in the product's file (its level is the kg of
        the input covered per declared unit).
    footprint : str
        Product parameter holding the supplier figure, kg CO2e per kg (optional number).
    share : str
        Product parameter holding the covered share, kg/kg (0..1, default 1).
    replaces : str
        The modelled exchange the covered share takes the place of.
    """

    product: str
    input: str
    activity: str
    footprint: str
    share: str
    replaces: str


INPUTS: dict[str, SupplierInput] = {i.id: i for i in (
    SupplierInput("aluminium-ingot", "primary aluminium ingot (unwrought, cradle-to-gate)"),
    SupplierInput("rare-earth-oxide", "neodymium/praseodymium oxide (NdPr oxide, separated)"),
    SupplierInput("rare-earth-metal", "neodymium/praseodymium metal (NdPr metal, electrolysed)"),
    SupplierInput("lithium-hydroxide", "lithium hydroxide monohydrate (LiOH.H2O), battery grade",
                  model_product="lithium-hydroxide"),
    SupplierInput("lithium-carbonate", "lithium carbonate (Li2CO3), battery grade",
                  model_product="lithium-carbonate"),
    SupplierInput("graphite-anode", "synthetic graphite anode material (spherical, coated)",
                  model_product="graphite-anode"),
    SupplierInput("nickel-sulfate", "nickel sulfate hexahydrate (NiSO4.6H2O), battery grade"),
    SupplierInput("cobalt-sulfate", "cobalt sulfate heptahydrate (CoSO4.7H2O), battery grade"),
)}
"""Every replaceable input, by id."""

REPLACEMENTS: tuple[Replacement, ...] = (
    Replacement("aluminium-coil", "aluminium-ingot", "al-primary-ingot-supplier",
                "primary_ingot_footprint", "primary_ingot_supplier_share",
                "the modelled primary ingot (al-primary-ingot) of the primary metal share"),
    Replacement("ndfeb-magnet", "rare-earth-metal", "ndfeb-ndpr-metal-supplier",
                "ndpr_metal_footprint", "ndpr_metal_supplier_share",
                "the modelled NdPr metal electrolysis (ndfeb-ndpr-metal) of the sintered block"),
    Replacement("ndfeb-magnet", "rare-earth-oxide", "ndfeb-ndpr-oxide-supplier",
                "ndpr_oxide_footprint", "ndpr_oxide_supplier_share",
                "the modelled NdPr oxide mix (ndfeb-ndpr-oxide) fed to the NdPr electrolysis"),
    Replacement("battery-cell-nmc811", "lithium-hydroxide",
                "battery-cell-nmc811-lithium-hydroxide-supplier",
                "lithium_hydroxide_footprint", "lithium_hydroxide_supplier_share",
                "the lithium-hydroxide product taken by the cathode active material"),
    Replacement("battery-cell-nmc811", "graphite-anode",
                "battery-cell-nmc811-graphite-anode-supplier",
                "graphite_anode_footprint", "graphite_anode_supplier_share",
                "the graphite-anode product (synthetic graphite) of the anode"),
    Replacement("battery-cell-nmc811", "nickel-sulfate",
                "battery-cell-nmc811-nickel-sulfate-supplier",
                "nickel_sulfate_footprint", "nickel_sulfate_supplier_share",
                "the virgin and recycled nickel sulfate of the precursor (pCAM)"),
    Replacement("battery-cell-nmc811", "cobalt-sulfate",
                "battery-cell-nmc811-cobalt-sulfate-supplier",
                "cobalt_sulfate_footprint", "cobalt_sulfate_supplier_share",
                "the virgin and recycled cobalt sulfate of the precursor (pCAM)"),
    Replacement("battery-cell-lfp", "lithium-carbonate",
                "battery-cell-lfp-lithium-carbonate-supplier",
                "lithium_carbonate_footprint", "lithium_carbonate_supplier_share",
                "the lithium-carbonate product taken by the LiFePO4 synthesis"),
    Replacement("battery-cell-lfp", "graphite-anode",
                "battery-cell-lfp-graphite-anode-supplier",
                "graphite_anode_footprint", "graphite_anode_supplier_share",
                "the graphite-anode product (synthetic graphite) of the anode"),
)
"""Every (product, input) pair, in a fixed order."""

FOOTPRINT_UNIT = "kg CO2e/kg"
"""Unit of every footprint parameter."""

SHARE_UNIT = "kg/kg"
"""Unit of every share parameter."""


def replacements_of(product: str) -> list[Replacement]:
    """The replacements of one product (empty for a product without replaceable inputs)."""
    return [r for r in REPLACEMENTS if r.product == product]


def replacement(product: str, input_id: str) -> Replacement | None:
    """The replacement of ``input_id`` in ``product``, or None."""
    for r in REPLACEMENTS:
        if r.product == product and r.input == input_id:
            return r
    return None


def products_using(input_id: str) -> list[str]:
    """Products in which ``input_id`` is replaceable."""
    return [r.product for r in REPLACEMENTS if r.input == input_id]
