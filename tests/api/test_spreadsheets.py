"""Order files as spreadsheets: CSV (comma or semicolon, BOM or not) and Excel (.xlsx) in the
CLI (``pcf orders score``) and the API (``POST /v1/orders`` bodies, ``GET /v1/orders/{id}``
downloads); unknown extensions refused; bad cells named by sheet, row and column."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from click.testing import CliRunner

from api_helpers import PRODUCT, problem
from pcf.commands.orders import orders as orders_cmd
from pcf.service.order_files import OUTPUT_COLUMNS, XLSX_MEDIA_TYPE

HEADER = ["order_id", "line_id", "customer", "product", "variant", "quantity", "unit",
          "param.recycled_content"]
ROWS = [
    ["PO-7", "10", "ACME", PRODUCT, "virgin", "24", "t", ""],
    ["PO-7", "20", "ACME", PRODUCT, "recycled", "500", "kg", ""],
    ["PO-7", "30", "ACME", PRODUCT, "", "1.5", "t", "0.35"],
]


def _expected(rows=ROWS) -> list[float]:
    """kg CO2e of each line, from the service directly."""
    from pcf import service

    out = []
    for r in rows:
        fp = service.compute_footprint(r[3], variant=r[4] or None,
                                       parameters={"recycled_content": float(r[7])}
                                       if r[7] else None,
                                       quantity=float(r[5]), unit=r[6])
        out.append(fp["total"]["total"])
    return out


def _csv_text(sep=",", rows=ROWS, decimal_comma=False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in rows:
        r = list(r)
        if decimal_comma:
            r[5], r[7] = r[5].replace(".", ","), r[7].replace(".", ",")
        writer.writerow(r)
    return buf.getvalue()


def _cached_formulas(data: bytes, values: dict[str, float]) -> bytes:
    """Give formula cells the values a spreadsheet program saves with them (openpyxl writes
    formulas without values): ``{"F4": 1500.0}``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    done = dict.fromkeys(values, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = body.decode()
                for cell, value in values.items():
                    text, n = re.subn(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(</v>)?',
                                      rf"\g<1>\g<2><v>{value!r}</v>", text)
                    done[cell] += n
                body = text.encode()
            dst.writestr(item, body)
    assert set(done.values()) == {1}, done
    return out.getvalue()


def _xlsx(rows=ROWS, *, formulas=True, blank_rows=True, cache=True, title="Orders",
          first_sheet: str | None = "Notes") -> bytes:
    """A workbook as a buyer sends it: a notes sheet first, then the order sheet with a title
    row gap, blank rows between lines, numbers as numbers and the last quantity a formula."""
    from openpyxl import Workbook

    book = Workbook()
    if first_sheet:
        book.active.title = first_sheet
        book.active["A1"] = "Prices exclude VAT"
        ws = book.create_sheet(title)
    else:
        ws = book.active
        ws.title = title
    ws.append([])                       # row 1 blank: the header is the first non-blank row
    ws.append(HEADER)                   # row 2
    cache_values = {}
    row_no = 2
    for i, r in enumerate(rows):
        if blank_rows and i:
            ws.append([None] * len(HEADER))
            row_no += 1
        cells: list = [r[0], int(r[1]), r[2], r[3], r[4] or None, float(r[5]), r[6],
                       float(r[7]) if r[7] else None]
        row_no += 1
        if formulas and i == len(rows) - 1:
            cells[5] = f"=3*{float(r[5]) / 3!r}"
            cache_values[f"F{row_no}"] = float(r[5])
        ws.append(cells)
    buf = io.BytesIO()
    book.save(buf)
    data = buf.getvalue()
    return _cached_formulas(data, cache_values) if cache and cache_values else data


def _score(*args):
    return CliRunner().invoke(orders_cmd, ["score", *map(str, args)])


def _read_xlsx(data: bytes) -> tuple[list, list[list]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("sep,bom,decimal_comma", [(",", False, False), (",", True, False),
                                                    (";", False, False), (";", True, True)])
def test_cli_reads_both_separators_with_or_without_bom(home, tmp_path, sep, bom, decimal_comma):
    src = tmp_path / "in.csv"
    src.write_bytes((b"\xef\xbb\xbf" if bom else b"") +
                    _csv_text(sep, decimal_comma=decimal_comma).encode())
    out = tmp_path / "out.csv"
    result = _score(src, "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))   # output keeps the separator
    assert rows[0] == HEADER + list(OUTPUT_COLUMNS)
    totals = [float(r[rows[0].index("kg_co2e_total")]) for r in rows[1:]]
    assert totals == pytest.approx(_expected(), rel=1e-12)
    assert [r[2] for r in rows[1:]] == ["ACME"] * 3               # pass-through column


def test_cli_xlsx_in_with_formulas_and_blank_rows_xlsx_out(home, tmp_path):
    src = tmp_path / "order.xlsx"
    src.write_bytes(_xlsx())
    out = tmp_path / "scored.xlsx"
    result = _score(src, "-o", out)
    assert result.exit_code == 0, result.output
    header, rows = _read_xlsx(out.read_bytes())
    assert header == HEADER + list(OUTPUT_COLUMNS)
    assert len(rows) == 3                                        # blank rows left out
    i = header.index("kg_co2e_total")
    assert all(isinstance(r[i], float) for r in rows)            # numbers stay numbers
    assert [r[i] for r in rows] == pytest.approx(_expected(), rel=1e-12)
    assert rows[2][header.index("quantity")] == 1.5              # the formula's saved value


def test_cli_xlsx_to_csv_and_csv_to_xlsx_agree(home, tmp_path):
    (tmp_path / "a.xlsx").write_bytes(_xlsx())
    (tmp_path / "b.csv").write_text(_csv_text())
    assert _score(tmp_path / "a.xlsx", "-o", tmp_path / "a.csv").exit_code == 0
    assert _score(tmp_path / "b.csv", "-o", tmp_path / "b.xlsx").exit_code == 0
    with open(tmp_path / "a.csv", newline="") as f:
        a = list(csv.DictReader(f))
    header, rows = _read_xlsx((tmp_path / "b.xlsx").read_bytes())
    b = [dict(zip(header, r, strict=True)) for r in rows]
    assert [float(r["kg_co2e_total"]) for r in a] == \
        pytest.approx([r["kg_co2e_total"] for r in b], rel=1e-15)
    assert [r["line_id"] for r in a] == ["10", "20", "30"]      # Excel's 10 read as "10"


def test_bad_xlsx_cell_is_named_by_sheet_row_and_column(home, tmp_path):
    rows = [list(r) for r in ROWS]
    rows[1][5] = "-500"
    rows[2][7] = "1.7"
    src = tmp_path / "bad.xlsx"
    src.write_bytes(_xlsx(rows, formulas=False))
    out = tmp_path / "out.xlsx"
    result = _score(src, "-o", out)
    assert result.exit_code == 2
    # header on row 2, lines on rows 3, 5 and 7 (blank rows between)
    assert "sheet 'Orders', row 5, column F: quantity:" in result.output, result.output
    assert "sheet 'Orders', row 7, column H: parameters.recycled_content:" in result.output
    assert not out.exists()


def test_formula_saved_without_its_value_is_named(home, tmp_path):
    src = tmp_path / "nocache.xlsx"
    src.write_bytes(_xlsx(cache=False))
    result = _score(src, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert "sheet 'Orders', row 7, column F (quantity): the formula =3*0.5" in result.output


def test_unknown_output_extension_is_an_error(home, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(_csv_text())
    for name in ("out.json", "out", "out.xls", "out.ods"):
        result = _score(src, "-o", tmp_path / name)
        assert result.exit_code == 2, name
        assert "unknown extension" in result.output and ".xlsx" in result.output
        assert not (tmp_path / name).exists()
    old = tmp_path / "in.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    result = _score(old, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2 and "save it as .xlsx" in result.output


def test_not_a_workbook(home, tmp_path):
    src = tmp_path / "fake.xlsx"
    src.write_text(_csv_text())
    result = _score(src, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2 and "not an Excel .xlsx workbook" in result.output


def test_sheet_called_orders_is_preferred_else_the_first(home, tmp_path):
    (tmp_path / "a.xlsx").write_bytes(_xlsx(title="ORDERS"))
    assert _score(tmp_path / "a.xlsx", "-o", tmp_path / "a.csv").exit_code == 0
    (tmp_path / "b.xlsx").write_bytes(_xlsx(title="PO", first_sheet=None))
    assert _score(tmp_path / "b.xlsx", "-o", tmp_path / "b.csv").exit_code == 0
    (tmp_path / "c.xlsx").write_bytes(_xlsx(title="PO"))          # first sheet is the notes
    result = _score(tmp_path / "c.xlsx", "-o", tmp_path / "c.csv")
    assert result.exit_code == 2 and "sheet 'Notes'" in result.output
    assert "missing column(s)" in result.output


# --------------------------------------------------------------------------- API


def test_api_accepts_csv_and_xlsx_bodies(api, keys, store):
    expected = _expected()
    body = b"\xef\xbb\xbf" + _csv_text(";", decimal_comma=True).encode()
    resp = api.post("/v1/orders", data=body, content_type="text/csv; charset=utf-8",
                    headers=keys["alice"])
    assert resp.status_code == 201, resp.get_json()
    doc = resp.get_json()
    assert doc["order_id"] == "PO-7" and resp.headers["Location"] == "/v1/orders/PO-7"
    assert [ln["footprint"]["total"]["total"] for ln in doc["lines"]] == \
        pytest.approx(expected, rel=1e-12)
    # the same order as JSON is the same order (idempotent replay), not a conflict
    lines = [{"line_id": r[1], "product": r[3], "quantity": float(r[5]), "unit": r[6],
              **({"variant": r[4]} if r[4] else {}),
              **({"parameters": {"recycled_content": float(r[7])}} if r[7] else {})}
             for r in ROWS]
    again = api.post("/v1/orders", json={"order_id": "PO-7", "lines": lines},
                     headers=keys["alice"])
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    # xlsx under another tenant
    resp = api.post("/v1/orders", data=_xlsx(), content_type=XLSX_MEDIA_TYPE,
                    headers=keys["bob"])
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["total"]["total"] == pytest.approx(sum(expected), rel=1e-12)
    assert store.count_orders() == (2, 6)


def test_api_spreadsheet_errors_name_the_cell_and_store_nothing(api, keys, store):
    rows = [list(r) for r in ROWS]
    rows[2][6] = "kWh"
    resp = api.post("/v1/orders", data=_xlsx(rows, formulas=False),
                    content_type=XLSX_MEDIA_TYPE, headers=keys["alice"])
    body = problem(resp, 422)
    assert list(body["errors"]) == ["sheet 'Orders', row 7, column G.unit"]
    resp = api.post("/v1/orders", data=_csv_text(rows=rows), content_type="text/csv",
                    headers=keys["alice"])
    assert list(problem(resp, 422)["errors"]) == ["line 4.unit"]
    two = _csv_text() + "PO-8,1,ACME,aluminium-coil,,1,t,\r\n"
    resp = api.post("/v1/orders", data=two, content_type="text/csv", headers=keys["alice"])
    assert "exactly one order_id" in problem(resp, 422)["detail"]
    resp = api.post("/v1/orders", data=b"", content_type="text/csv", headers=keys["alice"])
    problem(resp, 422)
    assert store.count_orders() == (0, 0)


def test_api_order_id_in_the_query_when_the_file_has_none(api, keys):
    text = "\n".join(",".join(r[1:]) for r in [HEADER] + ROWS) + "\n"
    resp = api.post("/v1/orders?order_id=PO-Q", data=text, content_type="text/csv",
                    headers=keys["alice"])
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["order_id"] == "PO-Q"
    resp = api.post("/v1/orders", data=text, content_type="text/csv", headers=keys["alice"])
    assert "order_id" in problem(resp, 422)["detail"]


def test_api_downloads_the_order_as_csv_and_xlsx(api, keys):
    created = api.post("/v1/orders", data=_csv_text(), content_type="text/csv",
                       headers=keys["alice"]).get_json()
    totals = [ln["footprint"]["total"]["total"] for ln in created["lines"]]
    resp = api.get("/v1/orders/PO-7?format=csv", headers=keys["alice"])
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert 'filename="PO-7.csv"' in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.data.decode())))
    assert [float(r["kg_co2e_total"]) for r in rows] == totals
    assert [r["param.recycled_content"] for r in rows] == ["", "", "0.35"]
    resp = api.get("/v1/orders/PO-7", headers={**keys["alice"], "Accept": XLSX_MEDIA_TYPE})
    assert resp.status_code == 200 and resp.mimetype == XLSX_MEDIA_TYPE
    header, xrows = _read_xlsx(resp.data)
    # an xlsx number keeps 15-17 significant digits (Excel shows 15)
    assert [r[header.index("kg_co2e_total")] for r in xrows] == pytest.approx(totals, rel=1e-15)
    # browsers and curl send */*: JSON
    resp = api.get("/v1/orders/PO-7", headers={**keys["alice"], "Accept": "*/*"})
    assert resp.get_json() == created
    problem(api.get("/v1/orders/PO-7?format=xls", headers=keys["alice"]), 422)
    problem(api.get("/v1/orders/PO-7?format=csv", headers=keys["bob"]), 404)


def test_api_spreadsheet_download_holds_every_line_not_one_page(api, keys):
    # the JSON document holds a page of lines (100 by default); the file holds all of them
    rows = [["PO-L", str(i), "ACME", PRODUCT, "", str(1 + i % 7), "t",
             "0.35" if i % 2 else ""] for i in range(250)]
    created = api.post("/v1/orders", data=_csv_text(rows=rows), content_type="text/csv",
                       headers=keys["alice"])
    assert created.status_code == 201, created.get_json()
    doc = created.get_json()
    assert doc["line_count"] == 250 and len(doc["lines"]) == 100
    assert doc["lines_page"]["next_offset"] == 100
    resp = api.get("/v1/orders/PO-L?format=csv", headers=keys["alice"])
    got = list(csv.DictReader(io.StringIO(resp.data.decode())))
    assert [r["line_id"] for r in got] == [str(i) for i in range(250)]
    assert [r["param.recycled_content"] for r in got] == \
        ["0.35" if i % 2 else "" for i in range(250)]
    assert sum(float(r["kg_co2e_total"]) for r in got) == \
        pytest.approx(doc["total"]["total"], rel=1e-12)
    header, xrows = _read_xlsx(api.get("/v1/orders/PO-L?format=xlsx",
                                       headers=keys["alice"]).data)
    assert len(xrows) == 250


def test_api_spreadsheet_orders_take_the_quota_and_the_async_path(api, keys, store):
    from pcf.service.order_jobs import run_worker

    store.set_limits("alice", daily_order_lines=4)
    resp = api.post("/v1/orders", data=_csv_text(), content_type="text/csv",
                    headers=keys["alice"])
    assert resp.status_code == 201
    more = [[*r[:1], str(int(r[1]) + 1), *r[2:]] for r in ROWS]
    resp = api.post("/v1/orders", data=_csv_text(rows=[["PO-9", *r[1:]] for r in more]),
                    content_type="text/csv", headers=keys["alice"])
    assert problem(resp, 429)["type"] == "urn:pcf:problem:quota-exceeded"
    assert store.count_orders() == (1, 3)
    resp = api.post("/v1/orders", data=_xlsx(), content_type=XLSX_MEDIA_TYPE,
                    headers={**keys["bob"], "Prefer": "respond-async"})
    assert resp.status_code == 202, resp.get_json()
    assert resp.headers["Location"].startswith("/v1/order-jobs/")
    assert run_worker(store, max_jobs=1) == 1
    done = api.get(resp.headers["Location"], headers=keys["bob"])
    assert done.status_code == 200 and done.get_json()["order_id"] == "PO-7"
    assert store.count_orders() == (2, 6)
