"""``pcf orders score`` on CSV books as arrays, in chunks (issue 21).

:func:`pcf.service.orders.score_lines` handles a line at a time: an ``OrderLineInput``, a
parameter resolution and a group key per line, and one engine call per distinct parameter
set. On a book where every line has its own parameter set that is ~100 µs of Python per line.
:func:`score_csv_batched` reads the file in chunks of :data:`CHUNK_LINES` rows (the C ``csv``
tokenizer, so line numbers, quoting, blank lines and short rows are exactly the per-line
reader's), turns each chunk into columns and, per product:

1. parses each distinct cell once with the per-line path's own functions (``_value``,
   ``_id_text``, :meth:`pcf.paramspec.ParameterSpec.coerce`, :func:`pcf.units.check_quantity`,
   :func:`pcf.units.conversion_factor`);
2. resolves defaults, variant and parameters and encodes them (:mod:`pcf.paramspec`) as
   arrays, one per encoded Brightway parameter;
3. deduplicates the parameter sets and solves the distinct ones with
   :class:`pcf.engine.batch.BatchSystem` (formulas vectorized, all foregrounds at once);
4. writes the chunk's scored rows and forgets it, so memory stays flat (only the
   ``(order_id, line_id)`` pairs seen are kept, to refuse duplicates).

A row that any of these steps cannot take as it is (a bad or unknown value, a duplicate id)
goes to :func:`~pcf.service.orders.score_lines`, so every error reads exactly as before (same
message, field, allowed values, line number) and ``--on-error fail|skip`` behave as before.
The numbers equal the per-line path's (tests/test_order_batch.py: random books, 1e-12).
"""

from __future__ import annotations

import csv
import gc
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from pcf.errors import InvalidInput, PcfError
from pcf.service.order_files import (
    OUTPUT_COLUMNS,
    PARAM_PREFIX,
    REQUIRED_COLUMNS,
    CsvReport,
    _check_header,
    _id_text,
    _lines,
    _sniff_separator,
    _value,
    _write_atomic,
)
from pcf.service.orders import MAX_ID_LENGTH, LineError, OrderLinesError, score_lines

CHUNK_LINES = 50_000
"""Rows per chunk (bounds memory: a chunk's cells, arrays and output rows)."""


def _row_chunks(reader: Any, width: int) -> Iterator[tuple[list[list[str]], list[int]]]:
    """Rows and their physical line numbers, ``CHUNK_LINES`` at a time, with the per-line
    reader's rules (blank lines skipped, short rows padded, long rows refused)."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    for row in reader:
        if len(row) != width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) > width:
                raise InvalidInput(f"line {reader.line_num}: {len(row)} cells but the header "
                                   f"has {width}", field="row")
            row = row + [""] * (width - len(row))
        rows.append(row)
        numbers.append(reader.line_num)
        if len(rows) >= CHUNK_LINES:
            yield rows, numbers
            rows, numbers = [], []
    if rows:
        yield rows, numbers


def _distinct(values: Any) -> tuple[np.ndarray, list[Any]]:
    """(codes, distinct values in order of first appearance) of a column of strings
    (``pandas.factorize``: one hash pass in C)."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), list(uniques)


class _Product:
    """Per-product vectorized resolution: defaults, variants and parameter columns to the
    encoded Brightway parameters, with the per-line path's rules."""

    def __init__(self, model: Any, batch: Any, version: str):
        self.model = model
        self.batch = batch
        self.version = version
        self.declared_unit = model.declared_unit
        self.variant_values = {name: {k: model.specs[k].coerce(v) for k, v in values.items()}
                               for name, values in model.variants.items()}

    def encode(self, variant: list[str | None], params: dict[str, tuple[np.ndarray, list[str]]],
               ok: np.ndarray) -> dict[str, np.ndarray]:
        """Encoded parameter arrays of the rows; rows that cannot be taken are cleared in
        ``ok`` (they go to the per-line path).

        Parameters
        ----------
        variant : list of str or None
            Each row's variant.
        params : dict
            Parameter name -> (positions of the rows whose cell is not blank, those cells
            ``_value``-converted).
        ok : ndarray of bool
            Rows still taken; updated in place.
        """
        specs = self.model.specs
        for name, (pos, _) in params.items():
            if name not in specs and len(pos):  # a value for a parameter it does not have
                ok[pos] = False
        v_codes, v_names = _distinct(["" if v is None else v for v in variant])
        bad_variant = [i for i, name in enumerate(v_names)
                       if name and name not in self.variant_values]
        if bad_variant:
            ok &= ~np.isin(v_codes, bad_variant)
        encoded: dict[str, np.ndarray] = {}
        for name, spec in specs.items():
            # default, then the variant's value, then the cell (ParameterModel.resolve)
            per_variant = [self.variant_values.get(v, {}).get(name, spec.default)
                           if v in self.variant_values else spec.default for v in v_names]
            columns = {k: np.asarray(v)[v_codes] for k, v in _encode(spec, per_variant).items()}
            entry = params.get(name)
            if entry is not None and len(entry[0]):
                pos, cells = entry
                c_codes, c_values = _distinct(cells)
                numbers = _numbers(spec, c_values)
                if numbers is not None:  # plain numbers in range: coerce and encode at once
                    coded = {k: numbers for k in spec.brightway_names()}
                    if spec.optional:
                        coded[spec.brightway_names()[1]] = np.ones(len(numbers))
                    failed = np.zeros(len(c_values), dtype=bool)
                else:
                    coerced: list[Any] = []
                    failed = np.zeros(len(c_values), dtype=bool)
                    for j, cell in enumerate(c_values):
                        try:
                            coerced.append(spec.coerce(cell))
                        except PcfError:
                            coerced.append(spec.default)
                            failed[j] = True
                    coded = _encode(spec, coerced)
                if failed.any():
                    ok[pos[failed[c_codes]]] = False
                for key, values in coded.items():
                    columns[key][pos] = np.asarray(values)[c_codes]
            encoded.update(columns)
        return encoded


def _row_hashes(matrix: np.ndarray, salt: str) -> np.ndarray:
    """A 64-bit hash per row of ``matrix`` (pandas' row hash), combined with ``salt``."""
    import pandas as pd

    rows = pd.util.hash_pandas_object(pd.DataFrame(matrix), index=False).to_numpy()
    return rows ^ np.uint64(abs(hash(salt)) & 0x7FFFFFFFFFFFFFFF)


def _dedupe(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows in order of first appearance, row -> distinct row) of a matrix of
    encoded parameter sets, by hashing (pandas), not sorting; no copy when all differ."""
    import pandas as pd

    frame = pd.DataFrame(matrix)
    repeated = frame.duplicated().to_numpy()
    if not repeated.any():
        return matrix, np.arange(len(matrix))
    codes = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    return matrix[~repeated], codes.astype(np.int64, copy=False)


def _numbers(spec: Any, cells: list[str]) -> np.ndarray | None:
    """The cells of a number parameter as floats when every one is a finite number within
    the range (what :meth:`~pcf.paramspec.ParameterSpec.coerce` returns for them: Python's
    ``float`` of the text); None when any is not (they are then coerced one by one)."""
    if spec.type != "number":
        return None
    try:
        values = np.array([float(c) for c in cells], dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    if not np.isfinite(values).all():
        return None
    if (spec.min is not None and (values < spec.min).any()) or (
            spec.max is not None and (values > spec.max).any()):
        return None
    return values


def _encode(spec: Any, values: list[Any]) -> dict[str, np.ndarray]:
    """:meth:`pcf.paramspec.ParameterSpec.encode` over a list of canonical values: one float
    array per encoded name."""
    if not values:
        return {name: np.zeros(0) for name in spec.brightway_names()}
    rows = [spec.encode(v) for v in values]
    return {key: np.array([r[key] for r in rows], dtype=float) for key in rows[0]}


def score_csv_batched(in_path: str | Path, out_path: str | Path, *, on_error: str = "fail",
                      progress: Callable[[int, int], None] | None = None) -> CsvReport:
    """Score a CSV order-line file into a CSV file, in chunks (see the module docstring);
    the same contract as :func:`pcf.service.order_files.score_file` for CSV in and out.

    Parameters
    ----------
    in_path, out_path : path
        CSV files (UTF-8 with or without BOM; comma or semicolon, the header decides).
    on_error : {"fail", "skip"}
    progress : callable, optional
        ``progress(advance, total)``; ``total`` is the file's line count less the header.

    Returns
    -------
    CsvReport

    Raises
    ------
    OrderLinesError
        ``on_error="fail"`` and any bad line (every one listed); nothing is written.
    InvalidInput
        Not UTF-8, empty, missing or duplicate columns, a row longer than the header.
    """
    from pcf.service import footprints as service

    if on_error not in ("fail", "skip"):
        raise InvalidInput(f"unknown on_error {on_error!r}", field="on_error",
                           allowed=["fail", "skip"])
    in_path = Path(in_path)
    try:
        with open(in_path, "rb") as f:
            total_lines = max(0, sum(block.count(b"\n") for block in iter(
                lambda: f.read(1 << 20), b"")) - 1)
        handle = open(in_path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed below
        first = handle.readline()
        handle.seek(0)
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{in_path.name} is not UTF-8 text (byte {exc.start}: {exc.reason});"
                           " save it as CSV UTF-8", field="file", allowed="UTF-8 CSV") from None
    with handle:
        separator = _sniff_separator(first.lstrip("\ufeff").rstrip("\r\n"))
        reader = csv.reader(handle, delimiter=separator)
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidInput("the file is empty; expected a header row", field="header",
                               allowed=list(REQUIRED_COLUMNS)) from None
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{in_path.name} is not UTF-8 text ({exc.reason}); save it as "
                               "CSV UTF-8", field="file", allowed="UTF-8 CSV") from None
        header = [h.strip() for h in header]
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        _check_header(header, "line 1")
        state = _State(header, separator, service)
        out_header = list(header) + list(OUTPUT_COLUMNS)

        def write(out: Any) -> None:
            writer = csv.writer(out, delimiter=separator, lineterminator="\n")
            writer.writerow(out_header)
            try:
                for rows, numbers in _row_chunks(reader, len(header)):
                    scored = state.chunk(rows, numbers)
                    if not (state.errors and on_error == "fail"):
                        writer.writerows(scored)
                    if progress is not None:
                        progress(len(rows), total_lines)
            except UnicodeDecodeError as exc:
                raise InvalidInput(f"{in_path.name} is not UTF-8 text ({exc.reason}); save it "
                                   "as CSV UTF-8", field="file", allowed="UTF-8 CSV") from None
            if state.errors and on_error == "fail":
                raise OrderLinesError(state.errors)

        # the chunks are millions of small lists without cycles: the cyclic garbage
        # collector would walk them again and again for nothing (15-34 % of the run time of
        # the per-line path, issue 21); reference counting frees each chunk
        collecting = gc.isenabled()
        gc.disable()
        try:
            _write_atomic(Path(out_path), "csv", write)
        finally:
            if collecting:
                gc.enable()
    return CsvReport(state.lines, state.scored, state.errors, state.distinct(), True)


class _State:
    """What scoring a file keeps across chunks: ids seen, errors, counts."""

    def __init__(self, header: list[str], separator: str, service: Any):
        self.header = header
        self.decimal_comma = separator == ";"
        self.service = service
        idx = {name: i for i, name in enumerate(header)}
        self.i_order, self.i_line = idx["order_id"], idx["line_id"]
        self.i_product, self.i_qty, self.i_unit = idx["product"], idx["quantity"], idx["unit"]
        self.i_variant = idx.get("variant")
        self.params = [(name[len(PARAM_PREFIX):], i) for name, i in idx.items()
                       if name.startswith(PARAM_PREFIX)]
        self.seen: set[str] = set()
        """``order_id NUL line_id`` of every line with a valid id so far (ids hold no NUL:
        the text checks refuse it, and a NUL can only make two keys differ, never equal)."""
        self.errors: list[LineError] = []
        self.groups: list[np.ndarray] = []
        """64-bit hashes of the distinct parameter sets solved, per chunk and product."""
        self.slow_groups: set[int] = set()
        self.lines = 0
        self.scored = 0
        self.products: dict[str, _Product | None] = {}
        self.factors: dict[tuple[str, str], float | None] = {}

    def distinct(self) -> int:
        """Distinct footprints computed: parameter sets solved as arrays (by 64-bit hash)
        plus the groups of the per-line path."""
        hashes = np.unique(np.concatenate(self.groups)) if self.groups else ()
        return len(hashes) + len(self.slow_groups)

    def product(self, product_id: str) -> _Product | None:
        if product_id not in self.products:
            try:
                model = self.service.model(product_id)
            except PcfError:
                self.products[product_id] = None
            else:
                from pcf.engine import get_engine
                from pcf.engine.batch import BatchSystem

                engine = get_engine()
                self.products[product_id] = _Product(
                    model, BatchSystem(engine.system(product_id)), engine.version)
        return self.products[product_id]

    def factor(self, unit: str, declared: str) -> float | None:
        key = (unit, declared)
        if key not in self.factors:
            from pcf.units import conversion_factor

            try:
                self.factors[key] = conversion_factor(unit, declared, "unit")
            except PcfError:
                self.factors[key] = None
        return self.factors[key]

    def chunk(self, rows: list[list[str]], numbers: list[int]) -> list[list[Any]]:
        """Score one chunk; return its output rows (input cells + the four columns), in
        order, without the bad rows (recorded in ``errors``)."""
        from pcf.units import check_quantity

        n = len(rows)
        base = self.lines
        self.lines += n
        columns = list(zip(*rows, strict=True))
        # ids as the per-line reader reads them (_id_text of a text cell is its strip())
        order_ids = [v.strip() for v in columns[self.i_order]]
        line_ids = [v.strip() for v in columns[self.i_line]]
        ok = np.ones(n, dtype=bool)
        dropped = np.zeros(n, dtype=bool)  # refused here, with the per-line message
        # line ids: the per-line checks, in the per-line order (valid, then unique)
        seen = self.seen
        for i, (order_id, line_id) in enumerate(zip(order_ids, line_ids, strict=True)):
            if not line_id or len(line_id) > MAX_ID_LENGTH or line_id.isspace():
                ok[i] = False  # the per-line path names the problem
                continue
            key = f"{order_id}\x00{line_id}"  # one string per line: half a tuple's memory
            if key in seen:
                where = f"order {order_id!r}" if order_id else "the order"
                self.errors.append(LineError(base + i, f"line {numbers[i]}", "line_id",
                                             f"duplicate line_id {line_id!r} in {where}"))
                dropped[i] = True
                ok[i] = False
            else:
                seen.add(key)
        # quantities: each distinct cell parsed once
        q_codes, q_cells = _distinct(columns[self.i_qty])
        q_values = np.empty(len(q_cells))
        for j, cell in enumerate(q_cells):
            try:
                q_values[j] = check_quantity(_value(cell, self.decimal_comma), "quantity")
            except PcfError:
                q_values[j] = math.nan
        quantity = q_values[q_codes]
        ok &= ~np.isnan(quantity)
        u_codes, u_cells = _distinct(columns[self.i_unit])
        units = [_id_text(u) for u in u_cells]
        if self.i_variant is not None:
            v_codes, v_cells = _distinct(columns[self.i_variant])
            v_text = [_id_text(v) or None for v in v_cells]
        else:
            v_codes, v_text = np.zeros(n, dtype=np.int64), [None]
        # parameter cells: most are blank; keep where they are not, converted once
        param_cells: dict[str, tuple[np.ndarray, dict[int, Any]]] = {}
        for name, col in self.params:
            column = np.array(columns[col], dtype=object)
            given = column != ""
            for i in np.flatnonzero(given).tolist():
                if column[i].isspace():
                    given[i] = False
            param_cells[name] = (given, {i: _value(column[i], self.decimal_comma)
                                         for i in np.flatnonzero(given).tolist()})
        per = np.full(n, math.nan)
        factor = np.full(n, math.nan)
        declared: list[Any] = [None] * n
        version: list[Any] = [None] * n
        p_codes, p_cells = _distinct(columns[self.i_product])
        for code, cell in enumerate(p_cells):
            product_id = _id_text(cell)
            rows_of = np.flatnonzero((p_codes == code) & ok)
            if not len(rows_of):
                continue
            product = (self.product(product_id)
                       if product_id and len(product_id) <= MAX_ID_LENGTH else None)
            if product is None:
                ok[rows_of] = False
                continue
            unit_factor = np.array([
                math.nan if not u or u.isspace() or (f := self.factor(u, product.declared_unit))
                is None else f for u in units])
            factor[rows_of] = unit_factor[u_codes[rows_of]]
            local_ok = ok[rows_of] & ~np.isnan(factor[rows_of])
            cells = {}
            for name, (given, values) in param_cells.items():
                pos = np.flatnonzero(given[rows_of])
                cells[name] = (pos, [values[i] for i in rows_of[pos].tolist()])
            variants = [v_text[c] for c in v_codes[rows_of].tolist()]
            encoded = product.encode(variants, cells, local_ok)
            ok[rows_of] = local_ok
            good = np.flatnonzero(local_ok)
            if not len(good):
                continue
            names = [k for k in product.batch.inputs if k in encoded]
            matrix = np.column_stack([encoded[k][good] for k in names])
            distinct, inverse = _dedupe(matrix)
            self.groups.append(_row_hashes(distinct, product_id))
            result = product.batch.evaluate({k: distinct[:, j] for j, k in enumerate(names)},
                                            n=len(distinct))
            target = rows_of[good]
            per[target] = result.part("total")[inverse]
            for i in target.tolist():
                declared[i] = product.declared_unit
                version[i] = product.version
        out: list[list[Any]] = []
        slow = np.flatnonzero(~ok & ~dropped)
        slow_scored = self._slow(rows, numbers, slow, base) if len(slow) else {}
        totals = per * (quantity * factor)
        per_list, total_list = per.tolist(), totals.tolist()
        if not len(slow) and not dropped.any():
            out = [row + [d, p, t, v] for row, d, p, t, v in zip(
                rows, declared, per_list, total_list, version, strict=True)]
        else:
            for i in range(n):
                if ok[i]:
                    out.append(rows[i] + [declared[i], per_list[i], total_list[i], version[i]])
                elif i in slow_scored:
                    out.append(rows[i] + slow_scored[i])
        self.scored += len(out)
        return out

    def _slow(self, rows: list[list[str]], numbers: list[int], slow: np.ndarray,
              base: int) -> dict[int, list[Any]]:
        """Rows the arrays did not take, through the per-line path: errors as it words them,
        and the output columns of the rows it scores after all."""
        picked = slow.tolist()
        lines = _lines(self.header, [(numbers[i], rows[i]) for i in picked],
                       lambda number: f"line {number}", self.decimal_comma, [])
        result = score_lines(lines, on_error="skip", contributions=False)
        for err in result.errors:
            self.errors.append(LineError(base + picked[err.index], err.location, err.field,
                                         err.message, err.allowed))
        self.errors.sort(key=lambda e: e.index)
        out = {}
        for s in result.scored:
            self.slow_groups.add(id(s.group))
            out[picked[s.index]] = [s.group.declared_unit, float(s.group.per["total"]),
                                    float(s.group.per["total"] * s.quantity_declared),
                                    s.group.version]
        return out


