"""Use case: order-line CSV files scored (``pcf orders score IN.csv -o OUT.csv``).

CSV format
----------
Columns ``order_id, line_id, product, quantity, unit`` are required; ``variant`` and
``param.<name>`` columns are optional (an empty cell means "not given"); any other column is
passed through unchanged. The output has the input columns, in order, plus
``declared_unit, kg_co2e_per_declared_unit, kg_co2e_total, database_version``. Line numbers in
error messages are physical line numbers of the file (the header is line 1).

Scoring itself is :func:`pcf.service.orders.score_lines`, shared with ``POST /v1/orders``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pcf.errors import InvalidInput
from pcf.service.orders import LineError, OrderLineInput, ScoredLine, score_lines

REQUIRED_COLUMNS = ("order_id", "line_id", "product", "quantity", "unit")
"""Columns every order-line CSV must have."""

OUTPUT_COLUMNS = ("declared_unit", "kg_co2e_per_declared_unit", "kg_co2e_total",
                  "database_version")
"""Columns :func:`score_csv` appends to the input columns."""

PARAM_PREFIX = "param."
"""Prefix of the parameter columns: ``param.recycled_content``."""


def read_csv_lines(handle: TextIO) -> tuple[list[str], list[list[str]], list[OrderLineInput]]:
    """Read an order-line CSV.

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
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the file is empty; expected a header row", field="header",
                         allowed=list(REQUIRED_COLUMNS)) from None
    header = [h.strip() for h in header]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"line 1: missing column(s) {', '.join(missing)}", field="header",
                         allowed=list(REQUIRED_COLUMNS))
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InvalidInput(f"line 1: duplicate column(s) {', '.join(dupes)}", field="header")
    idx = {name: header.index(name) for name in header}
    i_order, i_line, i_product, i_qty, i_unit = (idx[c] for c in REQUIRED_COLUMNS)
    i_variant = idx.get("variant")
    params = [(name[len(PARAM_PREFIX):], i) for name, i in idx.items()
              if name.startswith(PARAM_PREFIX)]
    width = len(header)
    rows: list[list[str]] = []
    lines: list[OrderLineInput] = []
    append_row, append_line = rows.append, lines.append
    for row in reader:
        if len(row) != width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) > width:
                raise InvalidInput(f"line {reader.line_num}: {len(row)} cells but the header "
                                 f"has {width}", field="row")
            row = row + [""] * (width - len(row))
        parameters = {}
        for name, i in params:
            value = row[i]
            if value and not value.isspace():
                parameters[name] = value.strip()
        variant = row[i_variant].strip() if i_variant is not None else ""
        append_row(row)
        append_line(OrderLineInput(row[i_line].strip(), row[i_product].strip(), row[i_qty],
                                   row[i_unit].strip(), variant or None, parameters,
                                   row[i_order].strip(), "", reader.line_num))
    return header, rows, lines


@dataclass
class CsvReport:
    """What :func:`score_csv` did: lines read, scored, skipped errors, distinct footprints."""

    lines: int
    scored: int
    errors: list[LineError]
    groups: int
    written: bool


def score_csv(in_path: str | os.PathLike, out_path: str | os.PathLike, *,
              on_error: str = "fail",
              progress: Callable[[int, int], None] | None = None) -> CsvReport:
    """Score an order-line CSV file and write the scored CSV (``pcf orders score``).

    Parameters
    ----------
    in_path, out_path : path
        Input and output CSV (UTF-8). ``out_path`` is written atomically (temporary file +
        rename) and only when the file is scored: with ``on_error="fail"`` and any bad line,
        nothing is written.
    on_error : {"fail", "skip"}
        ``skip``: bad lines are left out of the output and reported.
    progress : callable, optional
        ``progress(advance, total)``: called with the number of lines handled since the last
        call and the number of lines in the file (the CLI draws a progress bar with it).

    Returns
    -------
    CsvReport

    Raises
    ------
    OrderLinesError
        ``on_error="fail"`` and at least one bad line (all are listed).
    InvalidInput
        Unreadable file structure (see :func:`read_csv_lines`).
    """
    try:
        with open(in_path, newline="", encoding="utf-8-sig") as handle:
            header, rows, lines = read_csv_lines(handle)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{in_path} is not UTF-8 text (byte {exc.start}: {exc.reason})",
                           field="file", allowed="UTF-8 CSV") from None
    total = len(lines)
    result = score_lines(lines, on_error=on_error,
                         progress=(lambda advance: progress(advance, total))
                         if progress is not None else None,
                         contributions=False)
    out_path = Path(out_path)
    out_dir = out_path.resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            write_scored_csv(out, header, rows, result.scored)
        os.replace(tmp, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return CsvReport(len(lines), len(result.scored), result.errors, result.groups, True)


def write_scored_csv(out: TextIO | io.StringIO, header: list[str], rows: list[list[str]],
                     scored: list[ScoredLine]) -> None:
    """Write the header plus :data:`OUTPUT_COLUMNS`, then one row per scored line."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(header) + list(OUTPUT_COLUMNS))
    writer.writerows(
        rows[s.index] + [s.group.declared_unit, s.group.per_total_text,
                         repr(float(s.group.per["total"] * s.quantity_declared)),
                         s.group.version]
        for s in scored
    )
