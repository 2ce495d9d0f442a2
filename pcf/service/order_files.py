"""Use case: order-line files (CSV and Excel) read, scored and written.

``pcf orders score IN.csv|IN.xlsx -o OUT.csv|OUT.xlsx`` and the spreadsheet forms of
``POST /v1/orders`` and ``GET /v1/orders/{id}`` all go through this module.

Formats
-------
CSV
    UTF-8 with or without a byte-order mark; comma or semicolon separated (the separator is
    the one under which the header has the required columns). In a semicolon file a decimal
    comma is accepted in ``quantity`` and ``param.<name>`` cells (``24,5``). Line numbers in
    error messages are physical line numbers of the file (the header is line 1). A scored CSV
    is written with the input's separator, UTF-8 without BOM, decimal points.
Excel (.xlsx, .xlsm)
    Read with openpyxl: the sheet called ``orders`` (any case) or else the first sheet; the
    header is the first non-blank row; blank rows are skipped; formulas count with the value
    the spreadsheet program saved with them (a formula saved without a value is an error that
    names its cell). Errors name the sheet, row and column: ``sheet 'Orders', row 5,
    column F: quantity: ...``. A scored workbook has one sheet ``scored`` with numbers as
    numbers.

Columns ``order_id, line_id, product, quantity, unit`` are required; ``variant`` and
``param.<name>`` columns are optional (an empty cell means "not given"); any other column is
passed through unchanged. The output has the input columns, in order, plus
``declared_unit, kg_co2e_per_declared_unit, kg_co2e_total, database_version``. Any other file
extension is an error (never silently CSV).

Scoring itself is :func:`pcf.service.orders.score_lines`, shared with ``POST /v1/orders``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

from pcf.errors import InvalidInput
from pcf.service.orders import LineError, OrderLineInput, ScoredLine, score_lines

REQUIRED_COLUMNS = ("order_id", "line_id", "product", "quantity", "unit")
"""Columns every order-line file must have."""

OUTPUT_COLUMNS = ("declared_unit", "kg_co2e_per_declared_unit", "kg_co2e_total",
                  "database_version")
"""Columns :func:`score_file` appends to the input columns."""

from pcf.service.order_intervals import INTERVAL_COLUMNS  # noqa: E402 - one definition

PARAM_PREFIX = "param."
"""Prefix of the parameter columns: ``param.recycled_content``."""

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""Media types of the two spreadsheet formats (``POST /v1/orders`` bodies, downloads)."""

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
"""File extension -> format; any other extension is refused."""

MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}

SEPARATORS = (",", ";")
"""CSV separators recognised (the header decides)."""

XLSX_SHEET = "orders"
"""Preferred sheet name (any case); otherwise the first sheet is read."""

_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def file_format(path: str | os.PathLike, role: str = "input") -> str:
    """Return ``"csv"`` or ``"xlsx"`` from a file name's extension.

    Parameters
    ----------
    path : path
    role : str
        ``"input"`` or ``"output"``, for the message (the field is ``file`` or ``output``).

    Raises
    ------
    InvalidInput
        Any other extension (``.xls``: save it as .xlsx), naming the allowed ones.
    """
    suffix = Path(path).suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        hint = " (the old binary Excel format: save it as .xlsx)" if suffix == ".xls" else ""
        raise InvalidInput(f"{role} file {os.fspath(path)!r}: unknown extension "
                           f"{suffix or '(none)'!r}{hint}",
                           field="output" if role == "output" else "file",
                           allowed=sorted(FORMATS))
    return fmt


@dataclass
class OrderTable:
    """An order-line file read into memory.

    Attributes
    ----------
    header : list of str
        Column names, in file order.
    rows : list of list
        The data rows (blank rows left out), cells as read: strings from CSV, numbers,
        strings, booleans, dates or None from Excel. Used for pass-through columns.
    lines : list of OrderLineInput
        One per row, located as ``"line N"`` (CSV) or ``"sheet 'S', row N"`` (Excel).
    format : {"csv", "xlsx"}
    separator : str or None
        The CSV separator.
    sheet : str or None
        The Excel sheet read.
    """

    header: list[str]
    rows: list[list[Any]]
    lines: list[OrderLineInput]
    format: str = "csv"
    separator: str | None = ","
    sheet: str | None = None
    columns: dict[str, int] = field(default_factory=dict)

    def locate(self, errors: Iterable[LineError]) -> list[LineError]:
        """Add the column to Excel error locations: ``sheet 'S', row 5, column F``.

        The column is the one of the error's field (``quantity``, ``unit``, ``product``,
        ``variant``, ``line_id``, ``parameters.<name>`` -> ``param.<name>``); CSV locations
        are left as they are (``line 7``, the field names the column).
        """
        out = []
        for err in errors:
            if self.format == "xlsx":
                column = _field_column(err.field)
                index = self.columns.get(column) if column else None
                if index is not None:
                    err = LineError(err.index, f"{err.location}, column {_letter(index)}",
                                    err.field, err.message, err.allowed)
            out.append(err)
        return out


def _field_column(name: str | None) -> str | None:
    if not name:
        return None
    if name.startswith("parameters."):
        return PARAM_PREFIX + name[len("parameters."):].split(".", 1)[0]
    return name


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (spreadsheet column letters)."""
    text = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        text = chr(65 + rem) + text
    return text


def _check_header(header: list[str], where: str,
                  optional: tuple[str, ...] = ()) -> dict[str, int]:
    missing = [c for c in REQUIRED_COLUMNS if c not in header and c not in optional]
    if missing:
        raise InvalidInput(f"{where}: missing column(s) {', '.join(missing)}", field="header",
                           allowed=list(REQUIRED_COLUMNS))
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        raise InvalidInput(f"{where}: duplicate column(s) {', '.join(dupes)}", field="header")
    return {name: i for i, name in enumerate(header) if name}


def _id_text(value: Any) -> str:
    """An id cell as text: Excel stores ``10`` as a number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value).strip()


def _value(value: Any, decimal_comma: bool) -> Any:
    """A quantity or parameter cell: numbers stay numbers, text is stripped (decimal comma
    turned into a point when the file uses it)."""
    if isinstance(value, str):
        value = value.strip()
        if decimal_comma and _DECIMAL_COMMA.match(value):
            value = value.replace(",", ".")
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _lines(header: list[str], rows: Iterable[tuple[int, list[Any]]], where: Callable[[int], str],
           decimal_comma: bool, table_rows: list[list[Any]]) -> list[OrderLineInput]:
    """Build one :class:`OrderLineInput` per row (``(physical row number, cells)``)."""
    idx = {name: i for i, name in enumerate(header)}
    i_line, i_product, i_qty, i_unit = (idx[c] for c in REQUIRED_COLUMNS[1:])
    i_order = idx.get("order_id")  # optional when the order id is given apart
    i_variant = idx.get("variant")
    params = [(name[len(PARAM_PREFIX):], i) for name, i in idx.items()
              if name.startswith(PARAM_PREFIX)]
    lines: list[OrderLineInput] = []
    append_row, append_line = table_rows.append, lines.append
    for number, row in rows:
        parameters = {}
        for name, i in params:
            value = row[i]
            if not _blank(value):
                parameters[name] = _value(value, decimal_comma)
        variant = _id_text(row[i_variant]) if i_variant is not None else ""
        quantity = row[i_qty]
        append_row(row)
        append_line(OrderLineInput(
            _id_text(row[i_line]), _id_text(row[i_product]),
            _value(quantity, decimal_comma) if quantity is not None else "",
            _id_text(row[i_unit]), variant or None, parameters,
            _id_text(row[i_order]) if i_order is not None else None,
            where(number), number))
    return lines


# --------------------------------------------------------------------------- CSV


def _sniff_separator(first_line: str) -> str:
    """The separator under which the header line has the required columns (comma first)."""
    for sep in SEPARATORS:
        names = {h.strip().lstrip("\ufeff") for h in next(csv.reader([first_line],
                                                                    delimiter=sep), [])}
        if all(c in names for c in REQUIRED_COLUMNS[1:]):
            return sep
    # neither: the one that splits the header into more columns (the error names the columns)
    return max(SEPARATORS, key=lambda sep: first_line.count(sep))


def read_csv_lines(handle: TextIO, delimiter: str = ",", optional: tuple[str, ...] = ()
                   ) -> tuple[list[str], list[list[str]], list[OrderLineInput]]:
    """Read an order-line CSV.

    Parameters
    ----------
    handle : text file
        Opened with ``newline=""``.
    delimiter : str
        ``","`` or ``";"``; with ``";"`` a decimal comma is accepted in numbers.
    optional : tuple of str
        Required columns that may be missing here (``order_id`` of an uploaded order).

    Returns
    -------
    (header, rows, lines)
        The header, the raw rows (for pass-through) and one :class:`OrderLineInput` per row,
        located as ``"line N"`` (physical line number, header = line 1).

    Raises
    ------
    InvalidInput
        Empty file, missing required columns, duplicate column names, or a row with more
        cells than the header.
    """
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the file is empty; expected a header row", field="header",
                           allowed=list(REQUIRED_COLUMNS)) from None
    header = [h.strip() for h in header]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    _check_header(header, "line 1", optional)
    width = len(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for row in reader:
            if len(row) != width:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # blank line
                if len(row) > width:
                    raise InvalidInput(f"line {reader.line_num}: {len(row)} cells but the "
                                       f"header has {width}", field="row")
                row = row + [""] * (width - len(row))
            yield reader.line_num, row

    table_rows: list[list[Any]] = []
    lines = _lines(header, rows(), lambda n: f"line {n}", delimiter == ";", table_rows)
    return header, table_rows, lines


def read_csv_text(text: str, optional: tuple[str, ...] = ()) -> OrderTable:
    """Read CSV text (BOM already removed or not; comma or semicolon); see the module doc."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first = text.split("\n", 1)[0]
    separator = _sniff_separator(first)
    header, rows, lines = read_csv_lines(io.StringIO(text, newline=""), separator, optional)
    return OrderTable(header, rows, lines, "csv", separator, None,
                      {name: i for i, name in enumerate(header)})


def read_csv_bytes(data: bytes, name: str = "the file",
                   optional: tuple[str, ...] = ()) -> OrderTable:
    """Decode UTF-8 (with or without BOM) and read it with :func:`read_csv_text`.

    Raises
    ------
    InvalidInput
        Not UTF-8 (field ``file``), or see :func:`read_csv_lines`.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} is not UTF-8 text (byte {exc.start}: {exc.reason}); save "
                           "it as CSV UTF-8", field="file", allowed="UTF-8 CSV") from None
    return read_csv_text(text, optional)


# --------------------------------------------------------------------------- Excel


def read_xlsx_bytes(data: bytes, optional: tuple[str, ...] = ()) -> OrderTable:
    """Read an Excel workbook (.xlsx) of order lines; see the module doc.

    Raises
    ------
    InvalidInput
        Not an xlsx file, no header row, missing or duplicate columns, or a formula saved
        without its value (naming sheet, row and column).
    """
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise InvalidInput(f"not an Excel .xlsx workbook ({exc.__class__.__name__})",
                           field="file", allowed=sorted(FORMATS)) from None
    try:
        sheets = book.worksheets
        if not sheets:
            raise InvalidInput("the workbook has no sheet", field="file")
        sheet = next((s for s in sheets if s.title.strip().lower() == XLSX_SHEET), sheets[0])
        title = sheet.title
        raw = [list(r) for r in sheet.iter_rows(min_row=1, min_col=1, values_only=True)]
    finally:
        book.close()
    where = f"sheet {title!r}"
    numbered = [(n, row) for n, row in enumerate(raw, start=1)
                if any(not _blank(v) for v in row)]
    if not numbered:
        raise InvalidInput(f"{where} is empty; expected a header row", field="header",
                           allowed=list(REQUIRED_COLUMNS))
    header_row, header_cells = numbered[0]
    header = [_id_text(h) for h in header_cells]
    while header and not header[-1]:
        header.pop()
    header = [h or f"column {_letter(i)}" for i, h in enumerate(header)]
    columns = _check_header(header, f"{where}, row {header_row}", optional)
    width = len(header)
    data_rows = []
    for n, row in numbered[1:]:
        extra = [v for v in row[width:] if not _blank(v)]
        if extra:
            raise InvalidInput(f"{where}, row {n}: a value right of the last named column "
                               f"({_letter(width - 1)})", field="row")
        data_rows.append((n, (row + [None] * width)[:width]))
    _check_formulas(data, title, header, data_rows)
    table_rows: list[list[Any]] = []
    lines = _lines(header, data_rows, lambda n: f"{where}, row {n}", False, table_rows)
    return OrderTable(header, table_rows, lines, "xlsx", None, title, columns)


def _check_formulas(data: bytes, title: str, header: list[str],
                    rows: list[tuple[int, list[Any]]]) -> None:
    """An empty cell in a used column may be a formula saved without its value (files
    written by programs other than a spreadsheet): look at the formulas then, and name the
    first such cell."""
    used = [i for i, h in enumerate(header) if h in REQUIRED_COLUMNS or h == "variant"
            or h.startswith(PARAM_PREFIX)]
    empty = [(n, i) for n, row in rows for i in used if row[i] is None]
    if not empty:
        return
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        cells = {n: list(r) for n, r in enumerate(
            book[title].iter_rows(min_row=1, min_col=1, values_only=True), start=1)}
    finally:
        book.close()
    for n, i in empty:
        value = (cells.get(n) or [])[i] if i < len(cells.get(n) or []) else None
        if isinstance(value, str) and value.startswith("="):
            raise InvalidInput(
                f"sheet {title!r}, row {n}, column {_letter(i)} ({header[i]}): the formula "
                f"{value} was saved without its value; open and save the file in a "
                "spreadsheet program, or paste values", field=header[i])


# --------------------------------------------------------------------------- reading


def read_order_bytes(data: bytes, fmt: str, name: str = "the file",
                     optional: tuple[str, ...] = ()) -> OrderTable:
    """Read an order-line file of format ``fmt`` (``"csv"`` or ``"xlsx"``) from bytes;
    ``optional`` names required columns that may be missing (``order_id``)."""
    if fmt == "xlsx":
        return read_xlsx_bytes(data, optional)
    if fmt == "csv":
        return read_csv_bytes(data, name, optional)
    raise InvalidInput(f"unknown format {fmt!r}", field="format", allowed=sorted(MEDIA_TYPES))


def read_order_file(path: str | os.PathLike) -> OrderTable:
    """Read an order-line file; the format comes from the extension (:func:`file_format`)."""
    fmt = file_format(path)
    return read_order_bytes(Path(path).read_bytes(), fmt, os.fspath(path))


def order_from_table(table: OrderTable, order_id: str | None = None
                     ) -> tuple[str, list[OrderLineInput]]:
    """The one order of an uploaded file (``POST /v1/orders`` with a spreadsheet body).

    Parameters
    ----------
    table : OrderTable
    order_id : str, optional
        Used when given; every row's ``order_id`` must then be empty or equal to it.

    Returns
    -------
    (order_id, lines)
        Lines located as in the file (``line N``, ``sheet 'S', row N``); extra columns are
        not kept (they have no place in a stored order).

    Raises
    ------
    InvalidInput
        No line, or rows of more than one order (field ``order_id``).
    """
    ids = {line.order_id for line in table.lines if line.order_id}
    if order_id is not None:
        ids.discard(order_id)
        if ids:
            raise InvalidInput(f"the file has rows of order(s) {', '.join(sorted(ids))}, not "
                               f"only {order_id!r}", field="order_id")
        chosen = order_id
    else:
        if len(ids) != 1:
            raise InvalidInput("a file sent as one order needs exactly one order_id in its "
                               f"order_id column; found {', '.join(sorted(ids)) or 'none'}",
                               field="order_id")
        chosen = ids.pop()
    if not table.lines:
        raise InvalidInput("the file has no order line", field="lines")
    lines = []
    for line in table.lines:
        location = line.location or f"line {line.line_number}"
        lines.append(OrderLineInput(line.line_id, line.product, line.quantity, line.unit,
                                    line.variant, line.parameters, None, location,
                                    line.line_number))
    return chosen, lines


# --------------------------------------------------------------------------- writing


def _text(value: Any) -> str:
    """A cell as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return str(value)


def write_table(out: Any, fmt: str, header: list[str], rows: Iterable[list[Any]],
                separator: str = ",", sheet: str = "scored") -> None:
    """Write a table as CSV (text handle) or xlsx (binary handle).

    Parameters
    ----------
    out : file
        Text handle opened with ``newline=""`` for CSV, binary handle for xlsx.
    fmt : {"csv", "xlsx"}
    header : list of str
    rows : iterable of list
        Cells: str, int, float, bool or None. In xlsx, numbers stay numbers and text that is
        a plain decimal number in a ``quantity`` column is written as a number.
    separator : str
        CSV separator.
    sheet : str
        xlsx sheet title.
    """
    if fmt == "csv":
        writer = csv.writer(out, delimiter=separator, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_text(v) for v in row] for row in rows)
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(list(header))
    numeric = {i for i, h in enumerate(header) if h in ("quantity", *OUTPUT_COLUMNS[1:3])}
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            if i in numeric and isinstance(v, str):
                with contextlib.suppress(ValueError):
                    number = float(v)
                    if math.isfinite(number):
                        v = number
            cells.append(v)
        ws.append(cells)
    book.save(out)


def scored_rows(rows: list[list[Any]], scored: list[ScoredLine]) -> Iterator[list[Any]]:
    """The input row of each scored line plus :data:`OUTPUT_COLUMNS` (numbers as floats)."""
    for s in scored:
        yield list(rows[s.index]) + [s.group.declared_unit, float(s.group.per["total"]),
                                     float(s.group.per["total"] * s.quantity_declared),
                                     s.group.version]


def write_scored_csv(out: TextIO | io.StringIO, header: list[str], rows: list[list[str]],
                     scored: list[ScoredLine], separator: str = ",") -> None:
    """Write the header plus :data:`OUTPUT_COLUMNS`, then one row per scored line."""
    write_table(out, "csv", list(header) + list(OUTPUT_COLUMNS), scored_rows(rows, scored),
                separator)


def _write_atomic(out_path: Path, fmt: str, write: Callable[[Any], None]) -> None:
    out_dir = out_path.resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_dir)
    try:
        if fmt == "csv":
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
                write(out)
        else:
            with os.fdopen(fd, "wb") as out:
                write(out)
        os.replace(tmp, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- scoring


@dataclass
class CsvReport:
    """What :func:`score_file` did: lines read, scored, skipped errors, distinct footprints."""

    lines: int
    scored: int
    errors: list[LineError]
    groups: int
    written: bool
    total_interval: dict | None = None
    """With ``uncertainty``: the order book total's Monte Carlo statistics (kg CO2e)."""


def score_file(in_path: str | os.PathLike, out_path: str | os.PathLike, *,
               on_error: str = "fail",
               progress: Callable[[int, int], None] | None = None,
               uncertainty: dict | None = None,
               dask_scheduler: str | None = None) -> CsvReport:
    """Score an order-line file and write the scored file (``pcf orders score``).

    Parameters
    ----------
    in_path, out_path : path
        ``.csv`` or ``.xlsx`` each (:func:`file_format`; any other extension is refused
        before anything is read). ``out_path`` is written atomically (temporary file +
        rename) and only when the file is scored: with ``on_error="fail"`` and any bad line,
        nothing is written. A CSV output uses the input CSV's separator (comma otherwise).
    on_error : {"fail", "skip"}
        ``skip``: bad lines are left out of the output and reported.
    progress : callable, optional
        ``progress(advance, total)``: called with the number of lines handled since the last
        call and the number of lines in the file (the CLI draws a progress bar with it).
    uncertainty : dict, optional
        ``{"draws": N, "seed": S}``: append :data:`pcf.service.order_intervals.
        INTERVAL_COLUMNS` (each line's 2.5th percentile, median and 97.5th percentile in kg
        CO2e and its footprint's GSD) and report the total's interval
        (:func:`pcf.service.order_intervals.intervals`).
    dask_scheduler : str, optional
        With ``uncertainty``: run the Monte Carlo on this ``dask.distributed`` scheduler.

    Returns
    -------
    CsvReport

    Raises
    ------
    OrderLinesError
        ``on_error="fail"`` and at least one bad line (all are listed, Excel ones with
        sheet, row and column).
    InvalidInput
        Unknown extension, unreadable file structure.
    """
    from pcf.service.orders import OrderLinesError

    out_fmt = file_format(out_path, "output")
    mc = None
    if uncertainty is not None:
        from pcf.service.uncertainty import parse_request

        mc = parse_request(uncertainty)
    elif dask_scheduler is not None:
        raise InvalidInput("a Dask scheduler is only used for the Monte Carlo (give --mc N)",
                           field="dask_scheduler")
    table = read_order_file(in_path)
    total = len(table.lines)
    try:
        result = score_lines(table.lines, on_error=on_error,
                             progress=(lambda advance: progress(advance, total))
                             if progress is not None else None,
                             contributions=False)
    except OrderLinesError as exc:
        raise OrderLinesError(table.locate(exc.errors)) from None
    header = list(table.header) + list(OUTPUT_COLUMNS)
    rows: Iterable[list[Any]] = scored_rows(table.rows, result.scored)
    total_interval = None
    if mc is not None:
        rows, total_interval = _with_intervals(rows, result.scored, mc, dask_scheduler)
        header += list(INTERVAL_COLUMNS)
    _write_atomic(Path(out_path), out_fmt, lambda out: write_table(
        out, out_fmt, header, rows, table.separator or ","))
    return CsvReport(total, len(result.scored), table.locate(result.errors), result.groups,
                     True, total_interval)


def _with_intervals(rows: Iterable[list[Any]], scored: list[ScoredLine], mc: tuple[int, int],
                    dask_scheduler: str | None) -> tuple[list[list[Any]], dict]:
    """Rows with :data:`INTERVAL_COLUMNS`, and the total's statistics (one Monte Carlo per
    distinct footprint: :func:`pcf.service.order_intervals.intervals`)."""
    from pcf.service.footprints import model
    from pcf.service.order_intervals import intervals

    index: dict[int, int] = {}
    groups: list[list[Any]] = []
    for s in scored:
        key = id(s.group)
        if key not in index:
            base = s.group.base
            encoded = model(base["product"]).resolve(base["variant"],
                                                     base["parameters"]).encoded
            index[key] = len(groups)
            groups.append([base["product"], encoded, 0.0])
        groups[index[key]][2] += s.quantity_declared
    per_group, total = intervals([tuple(g) for g in groups], *mc, dask_scheduler=dask_scheduler)
    out = []
    for row, s in zip(rows, scored, strict=True):
        p2, median, p97, gsd = per_group[index[id(s.group)]]
        q = s.quantity_declared
        out.append(row + [p2 * q, median * q, p97 * q, gsd])
    return out, total


score_csv = score_file
"""Former name of :func:`score_file` (CSV only then)."""


# --------------------------------------------------------------------------- stored orders


def order_table(document: dict[str, Any], request: dict[str, Any] | None = None
                ) -> tuple[list[str], list[list[Any]]]:
    """A stored order as a scored table, as ``pcf orders score`` writes it.

    Columns: ``order_id, line_id, product, variant, quantity, unit``, a ``param.<name>``
    column per parameter given in the request, then :data:`OUTPUT_COLUMNS`; numbers as
    floats.

    Parameters
    ----------
    document : dict
        The stored order (``GET /v1/orders/{id}``).
    request : dict, optional
        The stored canonical request (:func:`pcf.service.orders.canonical_request`), for the
        parameters as given; without it no parameter column is written.

    Returns
    -------
    (header, rows)
    """
    given = [dict(line.get("parameters") or {}) for line in (request or {}).get("lines", [])]
    names: list[str] = []
    for params in given:
        names += [n for n in params if n not in names]
    header = ["order_id", "line_id", "product", "variant", "quantity", "unit"]
    header += [PARAM_PREFIX + n for n in names] + list(OUTPUT_COLUMNS)
    rows = []
    for i, line in enumerate(document["lines"]):
        fp = line["footprint"]
        params = given[i] if i < len(given) else {}
        rows.append([document["order_id"], line["line_id"], fp["product"], fp.get("variant"),
                     fp["quantity"], fp["quantity_unit"], *(params.get(n) for n in names),
                     fp["declared_unit"], fp["per_declared_unit"]["total"], fp["total"]["total"],
                     fp["database"]["version"]])
    return header, rows


def table_bytes(fmt: str, header: list[str], rows: list[list[Any]], sheet: str = "scored"
                ) -> bytes:
    """A table as the bytes of a CSV (UTF-8, comma) or xlsx file."""
    if fmt == "csv":
        buf = io.StringIO(newline="")
        write_table(buf, "csv", header, rows)
        return buf.getvalue().encode("utf-8")
    out = io.BytesIO()
    write_table(out, "xlsx", header, rows, sheet=sheet)
    return out.getvalue()


def order_lines_of_file(data: bytes, fmt: str, order_id: str | None = None
                        ) -> tuple[OrderTable, str, list[OrderLineInput]]:
    """Read an order sent as a spreadsheet: ``(table, order_id, lines)``; ``table.locate``
    turns the errors of the lines into places in the file.

    Raises
    ------
    InvalidInput
        Unreadable file, missing columns, more than one order id.
    """
    table = read_order_bytes(data, fmt, optional=("order_id",) if order_id else ())
    chosen, lines = order_from_table(table, order_id)
    return table, chosen, list(lines)


def submit_order_file(store: Any, tenant: Any, data: bytes, fmt: str,
                      order_id: str | None = None) -> tuple[dict[str, Any], bool]:
    """Score and store an order sent as a spreadsheet (``POST /v1/orders`` with ``text/csv``
    or the xlsx media type); the same flow as a JSON order
    (:func:`pcf.service.orders.submit_order`: idempotent, 409 on another body).

    Parameters
    ----------
    store : pcf.store.Store
    tenant : pcf.store.TenantInfo
        Owner of the order; its daily quota applies.
    data : bytes
        The file.
    fmt : {"csv", "xlsx"}
    order_id : str, optional
        When the file has no ``order_id`` column (or to check that it holds only this one).

    Returns
    -------
    (dict, bool)
        The order document and whether it was created now.

    Raises
    ------
    OrderLinesError
        Bad lines, located as in the file (``line N``; ``sheet 'S', row N, column C``).
    InvalidInput
        Unreadable file, missing columns, more than one order id.
    """
    from pcf.service.orders import OrderLinesError, submit_order

    table, chosen, lines = order_lines_of_file(data, fmt, order_id)
    try:
        return submit_order(store, tenant, chosen, lines)
    except OrderLinesError as exc:
        raise OrderLinesError(table.locate(exc.errors)) from None


def stored_order_table(stored: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Every line of a stored order (:meth:`pcf.store.Store.get_order_table`) as a scored
    table; the columns of :func:`order_table`."""
    names: list[str] = []
    for line in stored["lines"]:
        names += [n for n in line["parameters"] if n not in names]
    header = ["order_id", "line_id", "product", "variant", "quantity", "unit"]
    header += [PARAM_PREFIX + n for n in names] + list(OUTPUT_COLUMNS)
    rows = [[stored["order_id"], line["line_id"], line["product"], line["variant"],
             line["quantity"], line["unit"], *(line["parameters"].get(n) for n in names),
             line["declared_unit"], line["per_declared_unit_total"], line["total"],
             line["database_version"]]
            for line in stored["lines"]]
    return header, rows


def order_file(store: Any, tenant_id: int, order_id: str, fmt: str) -> bytes:
    """A stored order as a scored CSV (UTF-8, comma) or xlsx file
    (``GET /v1/orders/{id}`` with ``format=csv|xlsx``); columns as :func:`order_table`.
    Every line of the order, read from the store in short form (not the paged document).

    Raises
    ------
    UnknownResource
        The tenant has no such order.
    """
    header, rows = stored_order_table(store.get_order_table(tenant_id, order_id))
    return table_bytes(fmt, header, rows, sheet="order")
