"""Product classifications of pcf's products: Harmonized System (HS) codes, as PACT URNs.

PACT v3 ``productClassifications`` is what buyers' systems filter on (``classification=``).
pcf states the HS 2022 heading or subheading that a customs declaration of the product would
use. PACT has no registered URN namespace for HS codes, so they follow its convention for
classifications without one (DEP ``spec/v3`` "Product Classification URNs"):
``urn:pact:<domain of the issuer of the code>:<type>:<code>``, here
``urn:pact:wcoomd.org:hs-code:<digits>`` (the World Customs Organization issues the HS).

Sources (each code also names its source in the certificate's extension):

- WCO, Harmonized Commodity Description and Coding System, 2022 edition (HS 2022):
  heading 76.06 "Aluminium plates, sheets and strip, of a thickness exceeding 0.2 mm";
  subheading 8505.11 "Permanent magnets ... of metal"; subheading 8507.60 "Lithium-ion
  accumulators"; subheading 2825.20 "Lithium oxide and hydroxide"; subheading 2836.91
  "Lithium carbonates"; subheading 3801.10 "Artificial graphite".
  https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/hs-nomenclature-2022-edition.aspx
- The products' declared form (``databases/products``): cold-rolled coil of 1-6 mm (76.06),
  sintered NdFeB magnets (8505.11), lithium-ion cells (8507.60). A single cell is classified
  with the accumulators of 8507.60 (HS Explanatory Notes to heading 85.07).

Pure data; no engine or store.
"""

from __future__ import annotations

HS_EDITION = "HS 2022"
"""Edition of the Harmonized System the codes are taken from."""

HS_SOURCE = ("WCO Harmonized Commodity Description and Coding System, 2022 edition "
             "(https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/"
             "hs-nomenclature-2022-edition.aspx)")

_HS: dict[str, tuple[str, str]] = {
    "aluminium-coil": ("7606", "Aluminium plates, sheets and strip, of a thickness "
                               "exceeding 0.2 mm"),
    "ndfeb-magnet": ("850511", "Permanent magnets and articles intended to become permanent "
                               "magnets after magnetisation, of metal"),
    "battery-cell-nmc811": ("850760", "Lithium-ion accumulators"),
    "battery-cell-lfp": ("850760", "Lithium-ion accumulators"),
    "lithium-hydroxide": ("282520", "Lithium oxide and hydroxide"),
    "lithium-carbonate": ("283691", "Lithium carbonates"),
    "graphite-anode": ("380110", "Artificial graphite"),
}
"""pcf product id -> (HS code digits, description of the heading or subheading)."""


def hs_urn(code: str) -> str:
    """``urn:pact:wcoomd.org:hs-code:<digits>`` of an HS code (dots dropped)."""
    return f"urn:pact:wcoomd.org:hs-code:{code.replace('.', '')}"


def dotted(code: str) -> str:
    """``850511`` -> ``8505.11`` (the way HS codes are printed); headings stay ``7606``."""
    digits = code.replace(".", "")
    return digits if len(digits) <= 4 else f"{digits[:4]}.{digits[4:]}"


def classifications(product_id: str) -> list[dict[str, str]]:
    """The classifications of a product, with their source.

    Returns
    -------
    list of dict
        ``[{"urn", "system", "code", "description", "source"}]``; empty for a product
        without a known code.
    """
    found = _HS.get(product_id)
    if found is None:
        return []
    code, description = found
    return [{"urn": hs_urn(code), "system": HS_EDITION, "code": dotted(code),
             "description": description, "source": HS_SOURCE}]


def classification_urns(product_id: str) -> list[str]:
    """PACT ``productClassifications`` of a product (may be empty)."""
    return [c["urn"] for c in classifications(product_id)]
