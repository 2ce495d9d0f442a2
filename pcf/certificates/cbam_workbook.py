"""The operator's CBAM communication as an Excel workbook (issue 20): pure, computes nothing.

Handed the document of :func:`pcf.service.cbam.communication`, it lays it out in the sheets of
the Commission's communication template for installation operators, as far as their layout
could be sourced (methods.md section 3.4, S20: the template's sheet list; the cell-by-cell
layout of the official .xlsx was not reachable offline, so each sheet is a labelled table with
the template's sheet name, not a copy of its cells):

``A_InstData``      installation, reporting period, goods category and production route,
                    purchased precursors, the rule set and its version
``B_EmInst``        source streams (fuels): activity data, emission factor, emissions
``C_Emissions&Energy``  direct and indirect (information) emissions, electricity
``D_Processes``     attributed emissions, activity level, SEE, qualifying parameters
``E_PurchPrec``     purchased precursors with their SEE and where it comes from
``Summary_Communication``  the figures a declarant receives
``Sources``         every figure's source and status (``secondary`` = not from the OJ table)
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

SHEETS = ("A_InstData", "B_EmInst", "C_Emissions&Energy", "D_Processes", "E_PurchPrec",
          "Summary_Communication", "Sources")
"""Sheet names, in order (the template's names where it has them)."""


def _table(ws: Any, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws.append([title])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True, size=12)
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.append([])
    for column, width in zip("ABCDEFG", (44, 22, 22, 22, 30, 30, 60), strict=False):
        ws.column_dimensions[column].width = width


def workbook(doc: dict[str, Any]) -> bytes:
    """Write a CBAM communication document as .xlsx.

    Parameters
    ----------
    doc : dict
        The document of :func:`pcf.service.cbam.communication`.

    Returns
    -------
    bytes
        The workbook (sheets :data:`SHEETS`).
    """
    wb = Workbook()
    first = wb.active
    wb.remove(first)
    rule = doc["rule_set"]
    good = doc["good"]
    inst = doc.get("installation") or {}
    period = doc.get("reporting_period") or {}

    ws = wb.create_sheet("A_InstData")
    _table(ws, "Installation and reporting period", ["Field", "Value"], [
        ["Operator / installation", inst.get("name") or "(not given: order-line calculation)"],
        ["Installation id (pcf company)", inst.get("id")],
        ["Country of production", doc["country_of_production"]],
        ["Reporting period (year)", period.get("year")],
        ["Rule set", rule["id"]], ["Rule set version", rule["version"]],
        ["Rule set title", rule["title"]],
        ["Emissions counted", rule["emissions_counted"]],
    ])
    _table(ws, "Goods category and production route", ["CN code", "Goods category",
                                                       "Description", "Production route"],
           [[good["cn_code"], good["goods_category"], good["description"],
             good["production_route"]]])
    _table(ws, "Purchased precursors", ["Precursor", "CN code", "Route"],
           [[p["name"], p["cn_code"], p["route"]] for p in doc["precursors"]])
    _table(ws, "Legal acts", ["Act", "Source id"],
           [[a["act"], a["source"]] for a in rule["legal_acts"]])

    ws = wb.create_sheet("B_EmInst")
    _table(ws, "Source streams (combustion)", [
        "Fuel", "Activity data per t of good", "Unit", "Emission factor", "EF unit",
        "t CO2e per t of good", "Source (status)"], [
        [f["fuel"], f["amount_per_t"], f["unit"], f["emission_factor"],
         f["emission_factor_unit"], f["t_co2e_per_t"], f"{f['source']} ({f['status']})"]
        for f in doc["direct_emissions"]["fuels"]])

    ws = wb.create_sheet("C_Emissions&Energy")
    ind = doc["indirect_emissions_for_information"]
    _table(ws, "Emissions and energy per t of good", ["Item", "Value", "Unit"], [
        ["Direct emissions attributed to the installation",
         doc["direct_emissions"]["attributed_t_co2e_per_t"], "t CO2e/t"],
        ["Electricity consumed", ind["electricity_mwh_per_t"], "MWh/t"],
        ["Electricity emission factor", ind["emission_factor"], ind["emission_factor_unit"]],
        ["Indirect emissions (for information)", ind["t_co2e_per_t"], "t CO2e/t"],
    ])

    ws = wb.create_sheet("D_Processes")
    qp = doc["qualifying_parameters"]
    al = doc["activity_level"]
    _table(ws, "Production process", ["Item", "Value", "Unit"], [
        ["Activity level", al["t"], "t"],
        ["Attributed direct emissions", doc["direct_emissions"]["attributed_t_co2e_per_t"]
         * al["t"], "t CO2e"],
        ["Embedded emissions of precursors",
         sum(p["t_co2e_per_t"] for p in doc["precursors"]) * al["t"], "t CO2e"],
        ["Specific embedded emissions (direct)", doc["specific_embedded_emissions"]["direct"],
         "t CO2e/t"],
        ["Embedded emissions of the goods (direct)",
         doc["embedded_emissions"]["direct_t_co2e"], "t CO2e"],
    ])
    _table(ws, "Qualifying parameters (IR 2025/2547 Annex IV section 2)",
           ["Parameter", "Value", "Unit"], [
               ["Scrap used per t of product", qp["scrap_t_per_t"], "t/t"],
               ["Pre-consumer share of that scrap", qp["pre_consumer_scrap_percent"], "%"],
               ["Elements other than aluminium above 1 %",
                qp["alloying_elements_above_1_percent"], "yes/no (empty = unknown)"],
               ["Total content of those elements", qp["alloying_elements_percent"], "%"],
           ])
    _table(ws, "Scrap (embedded emissions by the scrap rule)",
           ["Kind", "t per t of good", "SEE (t CO2e/t)", "Rule"],
           [[s["kind"], s["t_per_t"], s["see"], s["rule"]] for s in doc["scrap"]])

    ws = wb.create_sheet("E_PurchPrec")
    _table(ws, "Purchased precursors", [
        "Precursor", "CN code", "t per t of good", "SEE (t CO2e/t)", "Value from",
        "t CO2e per t of good", "Basis"], [
        [p["name"], p["cn_code"], p["t_per_t"], p["see"], p["value_source"],
         p["t_co2e_per_t"], p.get("basis", "")] for p in doc["precursors"]])

    ws = wb.create_sheet("Summary_Communication")
    dv = doc.get("default_value_of_good") or {}
    _table(ws, "Communication to the declarant", ["Item", "Value", "Unit"], [
        ["CN code", good["cn_code"], ""],
        ["Country of production", doc["country_of_production"], ""],
        ["Specific embedded emissions, direct", doc["specific_embedded_emissions"]["direct"],
         "t CO2e/t"],
        ["Specific indirect emissions (information)", ind["t_co2e_per_t"], "t CO2e/t"],
        ["Scrap per t of product", qp["scrap_t_per_t"], "t/t"],
        ["Pre-consumer scrap share", qp["pre_consumer_scrap_percent"], "%"],
        ["Default value of the good (country, table)", dv.get("direct"), "t CO2e/t"],
        ["Default value with mark-up of the import year", dv.get("direct_with_markup"),
         "t CO2e/t"],
        ["Rule set / version", f"{rule['id']} {rule['version']}", ""],
    ])
    ws.append(["Warnings"])
    for warning in doc.get("warnings") or []:
        ws.append([warning])

    ws = wb.create_sheet("Sources")
    _table(ws, "Figures from secondary sources (official table not reachable)",
           ["Figure", "Value", "Source id"],
           [[s["figure"], s["value"], s["source"]] for s in doc.get("secondary_figures", [])])
    _table(ws, "Scrap rule", ["Embedded emissions", "Source", "Status", "Basis"],
           [[doc["scrap_rule"]["embedded_emissions"], doc["scrap_rule"]["source"],
             doc["scrap_rule"]["status"], doc["scrap_rule"]["basis"]]])
    _table(ws, "Database", ["Version"], [[doc["database"]["version"]]])

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["workbook", "SHEETS"]
