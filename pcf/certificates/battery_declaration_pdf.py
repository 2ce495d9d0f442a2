"""The EU battery carbon footprint declaration as a PDF (issue 20): pure, computes nothing.

Handed the document of :func:`pcf.service.battery_declaration.declaration`, it lays it out in
the order of the declaration's content (Regulation (EU) 2023/1542 Article 7(1), methods.md
section 2.3): administrative information, battery model, plant, total carbon footprint per kWh
of total energy over the service life, the four life-cycle stages, the EU declaration of
conformity id and the link to the supporting study (left for the manufacturer), then how it
was calculated (functional unit, electricity, CFF, distribution, end of life), the performance
class (empty until its act exists) and the rule set and version.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

SECTIONS = ("1. Manufacturer", "2. Battery model", "3. Manufacturing plant",
            "4. Carbon footprint", "5. Carbon footprint per life-cycle stage",
            "6. EU declaration of conformity", "7. Supporting study",
            "How it was calculated", "Performance class", "Rule set")
"""Section headings, in order."""


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "(not given)"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _table(rows: list[list[Any]], widths: tuple[float, ...]) -> Table:
    styles = getSampleStyleSheet()
    body = [[Paragraph(escape(_fmt(c)), styles["BodyText"]) for c in row] for row in rows]
    table = Table(body, colWidths=[w * mm for w in widths])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def pdf(doc: dict[str, Any]) -> bytes:
    """Render a battery carbon footprint declaration document as PDF bytes.

    Parameters
    ----------
    doc : dict
        :func:`pcf.service.battery_declaration.declaration`'s document.

    Returns
    -------
    bytes
        A PDF (A4) with the sections :data:`SECTIONS`.
    """
    styles = getSampleStyleSheet()
    h, p = styles["Heading3"], styles["BodyText"]
    out = io.BytesIO()
    story: list[Any] = [Paragraph("Battery carbon footprint declaration", styles["Title"]),
                        Paragraph(escape("Regulation (EU) 2023/1542, Article 7(1); calculated "
                                         "under " + doc["rule_set"]["title"]), p)]
    adm = doc["administrative"]
    model = doc["battery_model"]
    plant = doc["manufacturing_plant"]
    cf = doc["carbon_footprint"]
    fu = doc["functional_unit"]

    def section(title: str, *flowables: Any) -> None:
        story.append(Paragraph(escape(title), h))
        story.extend(flowables)
        story.append(Spacer(1, 3 * mm))

    section(SECTIONS[0], Paragraph(escape(_fmt(adm["manufacturer"])), p))
    section(SECTIONS[1], Paragraph(escape(f"{model['name']} ({model['product']}, variant "
                                          f"{_fmt(model['variant'])})"), p))
    section(SECTIONS[2], Paragraph(escape(f"country {plant['country']}; electricity: "
                                          f"{plant['grid']}"), p))
    section(SECTIONS[3], Paragraph(escape(
        f"{cf['per_kwh_total_energy']:.4f} kg CO2e per kWh of total energy provided over the "
        f"service life ({cf['per_kwh_capacity']:.2f} kg CO2e per kWh of rated energy; "
        f"{fu['kwh_total_energy_per_kwh_capacity']:g} kWh delivered per kWh rated)"), p))
    section(SECTIONS[4], _table(
        [["Life-cycle stage", "kg CO2e per kWh total energy", "kg CO2e per kWh rated"]]
        + [[s["label"], s["kg_co2e_per_kwh_total_energy"], s["kg_co2e_per_kwh_capacity"]]
           for s in doc["life_cycle_stages"]], (70, 50, 50)))
    section(SECTIONS[5], Paragraph(escape(_fmt(adm["eu_declaration_of_conformity_id"])), p))
    section(SECTIONS[6], Paragraph(escape(_fmt(adm["supporting_study_link"])), p))
    eol = doc["end_of_life"]
    el = doc["electricity_modelling"]
    section(SECTIONS[7], _table([
        ["Item", "Value"],
        ["Functional unit", f"{fu['formula']} = {fu['usable_share']:g} x "
                            f"{fu['cycles_per_year']:g} x {fu['service_years']:g} "
                            f"(vehicle category {fu['vehicle_category']}; cycles: "
                            f"{fu['cycles_source']}; years: {fu['service_years_source']})"],
        ["Electricity", f"{el['rule']} -> {el['grid']} (direct connection: "
                        f"{el['direct_connection']}; status {el['status']})"],
        ["Recycled content", f"Circular Footprint Formula ({doc['cff']['rule_set']['id']} "
                             f"{doc['cff']['rule_set']['version']}); adjustment "
                             f"{doc['cff']['adjustment']['total']:.4g} kg CO2e per kWh rated"],
        ["Distribution", f"{doc['distribution']['kg_cell_per_kwh']:.3g} kg cell per kWh x "
                         f"{doc['distribution']['kg_co2e_per_kg_cell']:.4g} kg CO2e/kg: "
                         f"{doc['distribution']['basis']}"],
        ["End of life", f"{eol['formula']}; A = {eol['A']:g}; recycling "
                        f"{eol['recycling_kg_co2e_per_kwh_capacity']:.4g}, credits "
                        f"{eol['credits_kg_co2e']:.4g} kg CO2e per kWh rated"],
        ["Cradle-to-gate footprint (cut-off, location-based)",
         f"{doc['cradle_to_gate']['kg_co2e_per_kwh_capacity']:.4g} kg CO2e per kWh rated"],
    ], (45, 125)))
    section(SECTIONS[8], Paragraph(escape(f"{_fmt(doc['performance_class'])}: "
                                          f"{doc['performance_class_basis']}"), p))
    section(SECTIONS[9], Paragraph(escape(
        f"{doc['rule_set']['id']} version {doc['rule_set']['version']}; database "
        f"{doc['database']['version']}"), p),
        *[Paragraph(escape(f"Note: {w}"), p) for w in doc.get("warnings") or []])
    SimpleDocTemplate(out, pagesize=A4, title="Battery carbon footprint declaration",
                      leftMargin=18 * mm, rightMargin=18 * mm).build(story)
    return out.getvalue()


__all__ = ["pdf", "SECTIONS"]
