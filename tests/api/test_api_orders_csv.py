"""``pcf orders score`` and the shared scoring function (pcf.service.orders)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from api_helpers import PRODUCT
from pcf.commands.orders import ProgressBar, orders as orders_cmd
from pcf.service.order_files import OUTPUT_COLUMNS, score_csv
from pcf.service.orders import OrderLineInput, OrderLinesError, score_lines

REPO = Path(__file__).resolve().parents[2]

HEADER = "order_id,line_id,customer,product,variant,quantity,unit,param.recycled_content,note\n"
GOOD = [
    f"PO-1,1,ACME,{PRODUCT},virgin,24,t,,first\n",
    f"PO-1,2,ACME,{PRODUCT},recycled,500,kg,,\"multi\nline note\"\n",
    f"PO-2,1,Foil SA,{PRODUCT},,1.5,t,0.35,\n",
    f"PO-2,2,Foil SA,{PRODUCT},,1500,kg,0.35,same footprint as line above\n",
]


def _write(tmp_path, rows, header=HEADER, name="in.csv") -> Path:
    path = tmp_path / name
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def _read(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _score(*args):
    return CliRunner().invoke(orders_cmd, ["score", *map(str, args)])


def test_score_csv_appends_columns_and_passes_others_through(home, tmp_path):
    src = _write(tmp_path, GOOD)
    out = tmp_path / "out.csv"
    result = _score(src, "-o", out)
    assert result.exit_code == 0, result.output
    rows = _read(out)
    with open(out, newline="") as f:
        header = next(csv.reader(f))
    assert header == HEADER.strip().split(",") + list(OUTPUT_COLUMNS)
    assert [r["note"] for r in rows] == ["first", "multi\nline note", "",
                                         "same footprint as line above"]
    assert [r["customer"] for r in rows] == ["ACME", "ACME", "Foil SA", "Foil SA"]
    assert all(r["declared_unit"] == "kg" for r in rows)
    from pcf import service

    for r in rows:
        fp = service.compute_footprint(PRODUCT, variant=r["variant"] or None,
                                       parameters={"recycled_content": r["param.recycled_content"]}
                                       if r["param.recycled_content"] else None,
                                       quantity=float(r["quantity"]), unit=r["unit"])
        assert float(r["kg_co2e_per_declared_unit"]) == fp["per_declared_unit"]["total"]
        assert float(r["kg_co2e_total"]) == pytest.approx(fp["total"]["total"], rel=1e-12)
        assert r["database_version"] == fp["database"]["version"]
    # 1.5 t and 1500 kg of the same footprint
    assert float(rows[2]["kg_co2e_total"]) == pytest.approx(float(rows[3]["kg_co2e_total"]),
                                                            rel=1e-12)


def test_bad_lines_are_reported_by_line_number_and_nothing_is_written(home, tmp_path):
    rows = GOOD + [
        f"PO-3,1,X,{PRODUCT},,-2,t,,\n",            # line 7 (line 3 holds a 2-line cell)
        f"PO-3,2,X,{PRODUCT},,2,kWh,,\n",           # line 8
        f"PO-3,3,X,{PRODUCT},,2,t,1.7,\n",          # line 9
        "PO-3,4,X,unobtainium,,2,t,,\n",          # line 10
        f"PO-3,4,X,{PRODUCT},,2,t,,\n",             # line 11: duplicate line id
        f"PO-3,5,X,{PRODUCT},platinum,2,t,,\n",     # line 12
        f"PO-3,6,X,{PRODUCT},,nan,t,,\n",           # line 13
    ]
    src = _write(tmp_path, rows)
    out = tmp_path / "out.csv"
    out.write_text("previous content")
    result = _score(src, "-o", out)
    assert result.exit_code == 2
    for n, word in ((7, "quantity"), (8, "unit"), (9, "recycled_content"), (10, "product"),
                    (11, "line_id"), (12, "variant"), (13, "quantity")):
        assert f"line {n}: " in result.output and word in result.output, (n, result.output)
    assert "nothing written" in result.output
    assert out.read_text() == "previous content"
    assert not list(tmp_path.glob(".out.csv.*"))


def test_skip_scores_the_rest(home, tmp_path):
    rows = [GOOD[0], f"PO-3,1,X,{PRODUCT},,0,t,,\n", GOOD[2]]
    src = _write(tmp_path, rows)
    out = tmp_path / "out.csv"
    result = _score(src, "-o", out, "--on-error", "skip")
    assert result.exit_code == 0, result.output
    assert "line 3: quantity" in result.output
    assert [(r["order_id"], r["line_id"]) for r in _read(out)] == [("PO-1", "1"), ("PO-2", "1")]


def test_missing_columns(home, tmp_path):
    src = _write(tmp_path, ["1,2\n"], header="order_id,product\n")
    result = _score(src, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert "line_id" in result.output and "quantity" in result.output and "unit" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_too_many_cells(home, tmp_path):
    src = _write(tmp_path, [GOOD[0].strip() + ",extra\n"])
    result = _score(src, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2 and "line 2" in result.output


def test_empty_file(home, tmp_path):
    src = tmp_path / "empty.csv"
    src.write_text("")
    result = _score(src, "-o", tmp_path / "out.csv")
    assert result.exit_code == 2 and "empty" in result.output


def test_cli_and_api_give_the_same_numbers(api, keys, tmp_path):
    src = _write(tmp_path, GOOD)
    out = tmp_path / "out.csv"
    assert _score(src, "-o", out).exit_code == 0
    csv_rows = _read(out)
    for order_id in ("PO-1", "PO-2"):
        rows = [r for r in csv_rows if r["order_id"] == order_id]
        lines = []
        for r in rows:
            line = {"line_id": r["line_id"], "product": r["product"],
                    "quantity": float(r["quantity"]), "unit": r["unit"]}
            if r["variant"]:
                line["variant"] = r["variant"]
            if r["param.recycled_content"]:
                line["parameters"] = {"recycled_content": float(r["param.recycled_content"])}
            lines.append(line)
        doc = api.post("/v1/orders", json={"order_id": order_id, "lines": lines},
                       headers=keys["alice"]).get_json()
        for r, line in zip(rows, doc["lines"], strict=True):
            assert float(r["kg_co2e_total"]) == line["footprint"]["total"]["total"]
            assert float(r["kg_co2e_per_declared_unit"]) == \
                line["footprint"]["per_declared_unit"]["total"]


def test_lines_are_grouped_by_distinct_footprint(home, monkeypatch):
    from pcf.service import footprints as service

    calls = []
    real = service.compute_footprint

    def counting(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "compute_footprint", counting)
    lines = [OrderLineInput(str(i), PRODUCT, quantity=1 + i, unit="t" if i % 2 else "kg",
                            parameters={"recycled_content": (i % 3) / 2})
             for i in range(3000)]
    result = score_lines(lines)
    assert len(result.scored) == 3000 and result.groups == 3
    assert len(calls) == 3


def test_score_lines_fail_lists_every_error(home):
    lines = [OrderLineInput("1", PRODUCT, 1, "kg"), OrderLineInput("2", PRODUCT, 0, "kg"),
             OrderLineInput("3", PRODUCT, 1, "kWh")]
    with pytest.raises(OrderLinesError) as info:
        score_lines(lines)
    assert [(e.index, e.field) for e in info.value.errors] == [(1, "quantity"), (2, "unit")]
    skipped = score_lines(lines, on_error="skip")
    assert [s.index for s in skipped.scored] == [0] and len(skipped.errors) == 2


def test_progress_bar_when_asked(home, tmp_path, monkeypatch):
    import sys

    buf = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buf)
    bar = ProgressBar(True)
    score_csv(src := _write(tmp_path, GOOD), tmp_path / "out.csv", progress=bar)
    bar.close()
    assert "scoring" in buf.getvalue() and "4/4" in buf.getvalue()
    buf.truncate(0)
    bar = ProgressBar(None)
    score_csv(src, tmp_path / "out.csv", progress=bar)  # default: not a terminal, no bar
    bar.close()
    assert buf.getvalue().strip("\x00") == ""


def test_example_order_book(api, keys, product_ids, tmp_path):
    path = REPO / "examples" / "orders.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 50
    products = {r["product"] for r in rows}
    assert products == {"ndfeb-magnet", "aluminium-coil", "battery-cell-nmc811",
                        "battery-cell-lfp"}
    units = {(r["product"], r["unit"]) for r in rows}
    assert ("aluminium-coil", "t") in units and ("ndfeb-magnet", "kg") in units
    assert ("battery-cell-lfp", "MWh") in units and ("battery-cell-nmc811", "kWh") in units
    assert {r["variant"] for r in rows} >= {"virgin", "recycled", ""}
    if not products <= set(product_ids):
        pytest.skip(f"products missing from the project: {sorted(products - set(product_ids))}")
    out = tmp_path / "scored.csv"
    result = _score(path, "-o", out)
    assert result.exit_code == 0, result.output
    scored = _read(out)
    assert len(scored) == len(rows)
    assert all(float(r["kg_co2e_total"]) > 0 for r in scored)
    # the same order book through the API gives the same numbers, line for line
    by_order: dict[str, list[dict]] = {}
    for r in scored:
        by_order.setdefault(r["order_id"], []).append(r)
    for order_id, order_rows in by_order.items():
        lines = []
        for r in order_rows:
            line = {"line_id": r["line_id"], "product": r["product"],
                    "quantity": float(r["quantity"]), "unit": r["unit"],
                    "parameters": {k[6:]: v for k, v in r.items()
                                   if k.startswith("param.") and v}}
            if r["variant"]:
                line["variant"] = r["variant"]
            lines.append(line)
        resp = api.client.post("/v1/orders", json={"order_id": order_id, "lines": lines},
                               headers=keys["alice"])
        assert resp.status_code == 201, resp.get_json()
        for r, line in zip(order_rows, resp.get_json()["lines"], strict=True):
            assert float(r["kg_co2e_total"]) == line["footprint"]["total"]["total"]
            assert r["database_version"] == line["footprint"]["database"]["version"]


@pytest.mark.slow
def test_100k_lines(home, tmp_path):
    buf = io.StringIO()
    buf.write("order_id,line_id,product,variant,quantity,unit,param.recycled_content\n")
    for i in range(100_000):
        buf.write(f"O{i // 100},{i % 100},{PRODUCT},{'recycled' if i % 3 == 0 else ''},"
                  f"{1 + i % 50},{'t' if i % 2 else 'kg'},{(i % 11) / 10}\n")
    src = tmp_path / "big.csv"
    src.write_text(buf.getvalue())
    report = score_csv(src, tmp_path / "big-out.csv")
    assert report.scored == 100_000 and not report.errors
    assert report.groups <= 22
    assert sum(1 for _ in open(tmp_path / "big-out.csv")) == 100_001
