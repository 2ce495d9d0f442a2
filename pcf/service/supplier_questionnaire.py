"""The supplier questionnaire: an Excel workbook for suppliers without PACT software.

``pcf suppliers template -o questionnaire.xlsx`` writes it (:func:`write_template`);
``pcf suppliers import FILE.xlsx`` reads it back (:func:`read_workbook`) into the same
:class:`pcf.accounting.supplier_footprints.SupplierFigure` every other way in produces, so one
validator checks them all.

Layout (template version :data:`VERSION`)
-----------------------------------------
``Instructions``
    What to fill in, units, the allowed values, who to ask.
``Footprint``
    Row 1 is the header ``Field | Question | Unit or allowed values | Your answer |
    Required``; each later row is one field: its key in column A, the question in B, the unit
    or allowed values in C, the supplier's answer in D (cells with a list offer the allowed
    values), ``yes``/``no`` in E. Rows are found by their key, so reordering them is harmless.

Every cell is checked; an error names the sheet, the row and the column
(``sheet 'Footprint', row 7, column D (kg_co2e_total)``) and the allowed values.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pcf.accounting.supplier_footprints import BOUNDARIES, GWP_SET, SupplierFigure
from pcf.errors import SupplierFootprintRejected
from pcf.supplier_inputs import INPUTS

VERSION = "pcf supplier questionnaire 1"
"""Written to ``Instructions!A1``; a workbook without it is not this questionnaire."""

SHEET = "Footprint"
INSTRUCTIONS = "Instructions"
HEADER = ("Field", "Question", "Unit or allowed values", "Your answer", "Required")
ANSWER_COLUMN = "D"
VERIFICATION_LEVELS = ("none", "limited", "reasonable")
MAX_TEXT = 300


@dataclass(frozen=True)
class Field:
    """One question of the questionnaire."""

    key: str
    question: str
    kind: str            # text | number | date | choice
    required: bool
    unit: str = ""
    allowed: tuple = ()
    minimum: float | None = None
    maximum: float | None = None


FIELDS: tuple[Field, ...] = (
    Field("supplier_name", "Your company's name", "text", True),
    Field("supplier_id", "Your company identifier (URN, LEI, VAT number or the customer's "
          "supplier number)", "text", False),
    Field("product_name", "Your name for the product", "text", True),
    Field("input", "Which material the footprint is for", "choice", True,
          allowed=tuple(INPUTS)),
    Field("declared_unit", "Declared unit: the footprint is per this amount of product",
          "choice", True, allowed=("kg",)),
    Field("kg_co2e_total", "Carbon footprint, cradle-to-gate, excluding biogenic CO2 uptake",
          "number", True, unit="kg CO2e per kg", minimum=0.0),
    Field("kg_co2e_fossil", "Of which fossil greenhouse gas emissions", "number", True,
          unit="kg CO2e per kg", minimum=0.0),
    Field("kg_co2e_biogenic", "Of which biogenic emissions other than CO2 (e.g. biogenic "
          "methane); 0 if none", "number", False, unit="kg CO2e per kg", minimum=0.0),
    Field("kg_co2e_land_use", "Of which land-use change emissions; 0 if none", "number", False,
          unit="kg CO2e per kg", minimum=0.0),
    Field("boundary", "System boundary of the footprint", "choice", True, allowed=BOUNDARIES),
    Field("gwp_set", "IPCC assessment report of the GWP100 values used", "choice", True,
          allowed=("AR6", "AR5")),
    Field("reference_period_start", "First day of the period the data represent", "date",
          True, unit="date (YYYY-MM-DD)"),
    Field("reference_period_end", "First day after that period (e.g. 2025-01-01 for the "
          "calendar year 2024)", "date", True, unit="date (YYYY-MM-DD)"),
    Field("valid_until", "Last day the footprint may be used (empty: 3 years after the "
          "period, as PACT)", "date", False, unit="date (YYYY-MM-DD)"),
    Field("primary_data_share", "Share of the footprint from your own measured data (PACT "
          "primaryDataShare)", "number", False, unit="%", minimum=0.0, maximum=100.0),
    Field("technological_dqr", "Technological data quality rating (1 very good .. 5 very "
          "poor)", "number", False, unit="1..5", minimum=1.0, maximum=5.0),
    Field("temporal_dqr", "Temporal data quality rating (1 .. 5)", "number", False,
          unit="1..5", minimum=1.0, maximum=5.0),
    Field("geographical_dqr", "Geographical data quality rating (1 .. 5)", "number", False,
          unit="1..5", minimum=1.0, maximum=5.0),
    Field("verification", "Third-party verification of the footprint (assurance level)",
          "choice", True, allowed=VERIFICATION_LEVELS),
    Field("verifier", "Verifier's name (required when verified)", "text", False),
    Field("verification_standard", "Standard of the verification (e.g. ISO 14064-3)", "text",
          False),
    Field("contact", "Contact for questions (name, e-mail)", "text", False),
    Field("comment", "Anything the buyer should know", "text", False),
)
"""The questions, in the template's order."""

PARTS_TOLERANCE = 0.01
"""fossil + biogenic + land use may differ from the total by at most 1 %."""


def _allowed_text(f: Field) -> str:
    if f.kind == "choice":
        return ", ".join(f.allowed)
    if f.kind == "number":
        rng = []
        if f.minimum is not None:
            rng.append(f">= {f.minimum:g}")
        if f.maximum is not None:
            rng.append(f"<= {f.maximum:g}")
        return f"{f.unit}{' (' + ', '.join(rng) + ')' if rng else ''}"
    return f.unit or f.kind


def write_template(input_id: str | None = None) -> bytes:
    """The questionnaire as ``.xlsx`` bytes.

    Parameters
    ----------
    input_id : str, optional
        Pre-fill the ``input`` answer (one of :data:`pcf.supplier_inputs.INPUTS`).

    Raises
    ------
    SupplierFootprintRejected
        Unknown ``input_id``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    if input_id is not None and input_id not in INPUTS:
        raise SupplierFootprintRejected(f"unknown input {input_id!r}", field="input",
                                        allowed=sorted(INPUTS), check="format")
    wb = Workbook()
    info = wb.active
    info.title = INSTRUCTIONS
    lines = [
        VERSION,
        "",
        "Your customer asks for the cradle-to-gate carbon footprint of a material you supply,",
        "to use instead of an industry average in its own product footprint (GHG Protocol",
        "Scope 3 category 1, PACT). Fill in column D of the sheet 'Footprint', one answer",
        "per row, and send the file back. Rows marked 'yes' in column E are required.",
        "",
        "Rules:",
        "- per kg of product, cradle-to-gate (raw material extraction to your factory gate),",
        "  in kg CO2e with IPCC AR6 GWP100 values; biogenic CO2 uptake not subtracted;",
        "- fossil + biogenic + land-use parts add up to the total (within 1 %);",
        "- the reference period is the time the data represent (end: the first day after);",
        "- dates as YYYY-MM-DD; decimals with a point or as Excel numbers;",
        "- do not rename the sheets or change column A (the field keys).",
        "",
        "Materials (field 'input'):",
        *[f"  {i.id}: {i.name}" for i in INPUTS.values()],
    ]
    for row, text in enumerate(lines, start=1):
        info.cell(row=row, column=1, value=text)
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 100
    sheet = wb.create_sheet(SHEET)
    for col, title in enumerate(HEADER, start=1):
        cell = sheet.cell(row=1, column=col, value=title)
        cell.font = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for row, f in enumerate(FIELDS, start=2):
        sheet.cell(row=row, column=1, value=f.key)
        sheet.cell(row=row, column=2, value=f.question).alignment = Alignment(wrap_text=True)
        sheet.cell(row=row, column=3, value=_allowed_text(f))
        answer = sheet.cell(row=row, column=4)
        answer.fill = fill
        sheet.cell(row=row, column=5, value="yes" if f.required else "no")
        if f.kind == "choice":
            validation = DataValidation(type="list", formula1='"' + ",".join(f.allowed) + '"',
                                        allow_blank=not f.required)
            sheet.add_data_validation(validation)
            validation.add(answer.coordinate)
        elif f.kind == "date":
            answer.number_format = "yyyy-mm-dd"
        if f.key == "input" and input_id:
            answer.value = input_id
        if f.key == "declared_unit":
            answer.value = "kg"
        if f.key == "gwp_set":
            answer.value = GWP_SET
        if f.key == "boundary":
            answer.value = "cradle-to-gate"
    for letter, width in zip("ABCDE", (24, 70, 34, 28, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "D2"
    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _where(row: int, key: str, column: str = ANSWER_COLUMN) -> str:
    return f"sheet '{SHEET}', row {row}, column {column} ({key})"


def _bad(message: str, where: str, allowed: Any = None) -> SupplierFootprintRejected:
    return SupplierFootprintRejected(message, field=where, allowed=allowed, check="workbook")


def _value(f: Field, raw: Any, where: str) -> Any:
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        if f.required:
            raise _bad("a value is required", where,
                       allowed=list(f.allowed) if f.allowed else _allowed_text(f))
        return None
    if f.kind == "text":
        if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
            raise _bad("must be text", where)
        return str(raw)[:MAX_TEXT]
    if f.kind == "choice":
        text = str(raw).strip()
        if text not in f.allowed:
            raise _bad(f"{text!r} is not an allowed value", where, allowed=list(f.allowed))
        return text
    if f.kind == "number":
        if isinstance(raw, bool):
            raise _bad("must be a number", where, allowed=_allowed_text(f))
        try:
            number = float(str(raw).replace(",", ".")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            raise _bad(f"{raw!r} is not a number", where, allowed=_allowed_text(f)) from None
        if not math.isfinite(number) or (f.minimum is not None and number < f.minimum) \
                or (f.maximum is not None and number > f.maximum):
            raise _bad(f"{number:g} is out of range", where, allowed=_allowed_text(f))
        return number
    # date
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime(raw.year, raw.month, raw.day)
    elif isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise _bad(f"{raw!r} is not a date", where, allowed="YYYY-MM-DD") from None
    else:
        raise _bad(f"{raw!r} is not a date", where, allowed="YYYY-MM-DD")
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def read_workbook(data: bytes) -> tuple[SupplierFigure, dict[str, Any]]:
    """Read a filled questionnaire.

    Parameters
    ----------
    data : bytes
        The ``.xlsx`` file.

    Returns
    -------
    (SupplierFigure, dict)
        The figure (``fields`` map to the answer cells) and every answer by key.

    Raises
    ------
    SupplierFootprintRejected
        ``check="workbook"``: not an xlsx file, not this questionnaire (sheet or header
        missing), a field row missing or repeated, an unknown field, a cell that is missing,
        of the wrong type, out of range or not an allowed value, parts that do not add up to
        the total, a reference period that ends before it starts. The message names sheet, row
        and column.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise _bad(f"not an Excel workbook (.xlsx): {type(exc).__name__}", "file") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises its own InvalidFileException
        raise _bad(f"not a readable Excel workbook: {type(exc).__name__}", "file") from None
    if INSTRUCTIONS not in wb.sheetnames or wb[INSTRUCTIONS]["A1"].value != VERSION:
        raise _bad(f"not a pcf supplier questionnaire (cell A1 of sheet '{INSTRUCTIONS}' "
                   f"should say {VERSION!r}); write one with `pcf suppliers template`",
                   f"sheet '{INSTRUCTIONS}', row 1, column A")
    if SHEET not in wb.sheetnames:
        raise _bad(f"the sheet '{SHEET}' is missing", f"sheet '{SHEET}'",
                   allowed=[INSTRUCTIONS, SHEET])
    sheet = wb[SHEET]
    header = tuple(sheet.cell(row=1, column=c).value for c in range(1, len(HEADER) + 1))
    if header != HEADER:
        raise _bad(f"the header row is {header!r}", f"sheet '{SHEET}', row 1",
                   allowed=list(HEADER))
    by_key = {f.key: f for f in FIELDS}
    rows: dict[str, int] = {}
    for row in range(2, sheet.max_row + 1):
        key = sheet.cell(row=row, column=1).value
        if key is None or str(key).strip() == "":
            if sheet.cell(row=row, column=4).value not in (None, ""):
                raise _bad("an answer without a field key in column A", _where(row, "?", "A"))
            continue
        key = str(key).strip()
        if key not in by_key:
            raise _bad(f"unknown field {key!r}", _where(row, key, "A"), allowed=list(by_key))
        if key in rows:
            raise _bad(f"field {key!r} appears twice (also row {rows[key]})",
                       _where(row, key, "A"))
        rows[key] = row
    missing = [k for k in by_key if k not in rows]
    if missing:
        raise _bad(f"the rows of {', '.join(missing)} are missing (column A holds the field "
                   "keys; do not change it)", f"sheet '{SHEET}', column A",
                   allowed=list(by_key))
    values = {key: _value(by_key[key], sheet.cell(row=row, column=4).value, _where(row, key))
              for key, row in rows.items()}
    where = {key: _where(row, key) for key, row in rows.items()}
    parts = {"total": values["kg_co2e_total"], "fossil": values["kg_co2e_fossil"],
             "biogenic": values["kg_co2e_biogenic"] or 0.0,
             "land_use": values["kg_co2e_land_use"] or 0.0}
    summed = parts["fossil"] + parts["biogenic"] + parts["land_use"]
    if abs(summed - parts["total"]) > PARTS_TOLERANCE * parts["total"] + 1e-9:
        raise _bad(f"fossil + biogenic + land use = {summed:g} kg CO2e per kg, but the total "
                   f"is {parts['total']:g} (they must agree within 1 %)",
                   where["kg_co2e_total"])
    if values["reference_period_end"] <= values["reference_period_start"]:
        raise _bad("the period ends before it starts", where["reference_period_end"])
    level = values["verification"]
    if level != "none" and not values["verifier"]:
        raise _bad("a verified footprint names its verifier", where["verifier"])
    verification: dict[str, Any] = {"status": "supplier-declared"}
    if level != "none":
        verification = {"status": "third-party", "level": level,
                        "providerName": values["verifier"],
                        "standardName": values["verification_standard"]}
    dqr = {name: values[key] for name, key in (("technologicalDQR", "technological_dqr"),
                                               ("temporalDQR", "temporal_dqr"),
                                               ("geographicalDQR", "geographical_dqr"))
           if values[key] is not None}
    valid_until = values["valid_until"]
    figure = SupplierFigure(
        supplier=values["supplier_name"], product_name=values["product_name"],
        declared_unit="kilogram" if values["declared_unit"] == "kg" else values["declared_unit"],
        kg_co2e=parts, boundary=values["boundary"],
        boundary_basis="stated by the supplier in the questionnaire",
        reference_start=values["reference_period_start"],
        reference_end=values["reference_period_end"],
        # a date in "valid until" means through that day
        validity_end=(datetime.fromordinal(valid_until.toordinal() + 1).replace(tzinfo=UTC)
                      if valid_until else None),
        characterization=[values["gwp_set"]],
        primary_data_share=values["primary_data_share"], data_quality=dqr or None,
        verification=verification,
        supplier_ids=[values["supplier_id"]] if values["supplier_id"] else [],
        fields={"declared_unit": where["declared_unit"], "boundary": where["boundary"],
                "characterization": where["gwp_set"],
                "kg_co2e.total": where["kg_co2e_total"],
                "kg_co2e.fossil": where["kg_co2e_fossil"],
                "kg_co2e.biogenic": where["kg_co2e_biogenic"],
                "kg_co2e.land_use": where["kg_co2e_land_use"],
                "reference_start": where["reference_period_start"],
                "reference_end": where["reference_period_end"],
                "validity_end": where["valid_until"], "input": where["input"]})
    return figure, values
