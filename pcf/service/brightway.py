"""Use case: working with the Brightway project from Activity Browser (``pcf brightway``).

- :func:`scenario_table`: the products' variants as an Activity Browser *parameter-scenario*
  table: columns ``Name``, ``Group``, ``default`` and one column per variant (AB's
  "Parameters > Scenarios > Import parameter-scenarios" reads this layout from the first sheet
  of an .xlsx file). Rows are the independent Brightway parameters of each product (group =
  product id), in their encoded form (:mod:`pcf.paramspec`: a choice is one 0/1 indicator per
  choice); derived parameters are left out (Activity Browser recomputes them from their
  formulas). A product without a variant of that name keeps its default values in that
  column, so every scenario is a complete parameter set.
- :func:`project_edits`: what was changed in the project outside pcf since ``pcf setup``.
"""

from __future__ import annotations

from typing import Any

from pcf.errors import UnknownProduct

SCENARIO_COLUMNS = ("Name", "Group", "default")
"""The fixed columns of an Activity Browser parameter-scenario table."""


def scenario_table(products: list[str] | None = None) -> tuple[list[str], list[list[Any]]]:
    """The variants of ``products`` (default: all) as a parameter-scenario table.

    Returns
    -------
    (header, rows)
        ``["Name", "Group", "default", <variant>...]`` and one row per encoded parameter;
        values are the numbers written to Brightway (fractions, kWh/kWh, 0/1 indicators).

    Raises
    ------
    UnknownProduct
        A product id that is not in the project.
    """
    from pcf.service.footprints import list_products, model

    ids = [p["id"] for p in list_products()]
    chosen = list(products) if products else ids
    for pid in chosen:
        if pid not in ids:
            raise UnknownProduct(f"unknown product {pid!r}", field="product", allowed=ids)
    variants: list[str] = []
    for pid in chosen:
        variants += [v for v in model(pid).variants if v not in variants]
    rows: list[list[Any]] = []
    for pid in chosen:
        m = model(pid)
        defaults = m.resolve().encoded
        columns = [m.resolve(v).encoded if v in m.variants else defaults for v in variants]
        for name, value in defaults.items():
            rows.append([name, pid, value, *(c[name] for c in columns)])
    return [*SCENARIO_COLUMNS, *variants], rows


def write_scenario_file(path: str, products: list[str] | None = None) -> int:
    """Write :func:`scenario_table` to an .xlsx file (sheet ``parameter-scenarios``); return the
    number of parameter rows.

    Raises
    ------
    InvalidInput
        ``path`` does not end in .xlsx (Activity Browser reads Excel files).
    """
    from pathlib import Path

    from pcf.errors import InvalidInput
    from pcf.service.order_files import table_bytes

    if Path(path).suffix.lower() != ".xlsx":
        raise InvalidInput(f"{path!r}: an Activity Browser parameter-scenario file is .xlsx",
                           field="output", allowed=[".xlsx"])
    header, rows = scenario_table(products)
    Path(path).write_bytes(table_bytes("xlsx", header, rows, sheet="parameter-scenarios"))
    return len(rows)


def project_edits() -> dict[str, Any]:
    """``{"fresh", "data_changed", "edits": [lines]}``: whether the project is as
    ``pcf setup`` built it and, if not, what was changed in it outside pcf."""
    from pcf.inventory.build import project_state

    state = project_state()
    return {"fresh": state.fresh, "data_changed": state.data_changed, "edits": state.edits}
