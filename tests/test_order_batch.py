"""The batch engine and the chunked CSV scorer (issue 21) against the per-call path: random
parameter sets of every product and random order books, the same numbers to 1e-12, the same
errors word for word."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import random_parameters


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b)) or a == b


def test_batch_equals_per_call_on_random_sets_of_every_product(engine):
    from pcf.engine.batch import BatchSystem
    from pcf.inventory.methods import SPLIT
    from pcf.models import ProductModel

    rng = random.Random(2121)
    for pid, system in sorted(engine.products.items()):
        model = ProductModel(system.definition)
        sets = [model.resolve(None, random_parameters(model, rng)).encoded for _ in range(60)]
        values = {k: np.array([s[k] for s in sets]) for k in sets[0]}
        result = BatchSystem(system).evaluate(values, stages=True)
        assert result.per_declared_unit.shape == (60, 4)
        for i, encoded in enumerate(sets):
            one = system.evaluate(encoded, contributions=False)
            for j, part in enumerate(SPLIT):
                assert _close(result.per_declared_unit[i, j], one.per_declared_unit[part]), \
                    (pid, i, part)
            for j, stage in enumerate(system.stages):
                assert _close(result.stages[i, j], one.stages[stage]), (pid, i, stage)
        # amounts given directly (a Monte Carlo on exchange amounts) solve the same way
        batch = BatchSystem(system)
        direct = batch.solve_amounts(batch.amounts(values, 60))
        assert np.array_equal(direct.per_declared_unit, result.per_declared_unit)
        # names left out take the project values; scalars broadcast
        defaults = batch.evaluate({}, n=3).part("total")
        assert np.all(defaults == system.evaluate({}, contributions=False)
                      .per_declared_unit["total"])


def _random_book(engine, path: Path, n: int, rng: random.Random, separator: str = ",",
                 bad: bool = True) -> None:
    from pcf.models import ProductModel

    models = [ProductModel(s.definition) for _, s in sorted(engine.products.items())]
    params = sorted({name for m in models for name in m.specs})
    units = {"kg": ["kg", "t", "g"], "kWh": ["kWh", "MWh"]}
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=separator, lineterminator="\n")
        w.writerow(["order_id", "line_id", "product", "variant", "quantity", "unit",
                    "customer"] + [f"param.{p}" for p in params])
        for i in range(n):
            model = rng.choice(models)
            values = random_parameters(model, rng)
            cells = {}
            for name, value in values.items():
                if rng.random() < 0.5:
                    continue
                text = "" if value is None else (repr(value) if isinstance(value, float)
                                                 else str(value).lower())
                if separator == ";" and isinstance(value, float) and rng.random() < 0.5:
                    text = f"{value:.6f}".replace(".", ",")   # a decimal comma
                cells[name] = text
            quantity = repr(round(rng.uniform(0.01, 500), 4))
            row = [f"PO-{i // 40}", str(i % 40), model.id,
                   rng.choice(["", "virgin", "recycled"]), quantity,
                   rng.choice(units.get(model.declared_unit, [model.declared_unit])),
                   "ACME, Inc."] + [cells.get(p, "") for p in params]
            if bad and rng.random() < 0.03:
                k = rng.randrange(8)
                if k == 0:
                    row[2] = "no-such-product"
                elif k == 1:
                    row[4] = rng.choice(["-1", "abc", "inf", ""])
                elif k == 2:
                    row[1] = "0"         # a duplicate id within its order (most of the time)
                elif k == 3:
                    row[3] = "greenest"
                elif k == 4:
                    row[5] = rng.choice(["ton", "m3", ""])
                elif k == 5:
                    row[7 + params.index("recycled_content")] = rng.choice(["2", "x"])
                elif k == 6:
                    row[1] = " "
                else:
                    w.writerow([])         # a blank line: skipped, still counted in line numbers
            w.writerow(row)


@pytest.mark.parametrize("separator", [",", ";"])
def test_chunked_scorer_equals_the_per_line_scorer_on_random_books(engine, tmp_path, separator,
                                                                   monkeypatch):
    import pcf.service.order_batch as batch
    from pcf.service.order_files import score_file
    from pcf.service.orders import OrderLinesError

    monkeypatch.setattr(batch, "CHUNK_LINES", 257)  # several chunks, ids across chunks
    book = tmp_path / "book.csv"
    _random_book(engine, book, 1500, random.Random(21 if separator == "," else 22), separator)
    # skip: the same rows scored, the same numbers, the same errors
    old = score_file(book, tmp_path / "old.csv", on_error="skip")
    new = batch.score_csv_batched(book, tmp_path / "new.csv", on_error="skip")
    assert old.errors, "the book should have bad lines"
    assert [str(e) for e in new.errors] == [str(e) for e in old.errors]
    assert [e.index for e in new.errors] == [e.index for e in old.errors]
    assert (new.lines, new.scored) == (old.lines, old.scored)
    with open(tmp_path / "old.csv", newline="", encoding="utf-8") as f:
        old_rows = list(csv.reader(f, delimiter=separator))
    with open(tmp_path / "new.csv", newline="", encoding="utf-8") as f:
        new_rows = list(csv.reader(f, delimiter=separator))
    assert len(new_rows) == len(old_rows) and new_rows[0] == old_rows[0]
    for a, b in zip(old_rows[1:], new_rows[1:], strict=True):
        assert a[:-3] == b[:-3] and a[-1] == b[-1]
        assert _close(float(a[-3]), float(b[-3])) and _close(float(a[-2]), float(b[-2]))
    # fail: every bad line reported, nothing written
    with pytest.raises(OrderLinesError) as err:
        batch.score_csv_batched(book, tmp_path / "none.csv")
    assert [str(e) for e in err.value.errors] == [str(e) for e in old.errors]
    assert not (tmp_path / "none.csv").exists()
    assert not list(tmp_path.glob(".none.csv*"))


def test_chunked_scorer_refuses_files_like_the_per_line_reader(engine, tmp_path):
    from pcf.errors import InvalidInput
    from pcf.service.order_batch import score_csv_batched
    from pcf.service.order_files import score_file

    cases = {
        "empty.csv": b"",
        "header.csv": b"order_id,line_id,product,unit\n1,2,aluminium-coil,kg\n",
        "long.csv": b"order_id,line_id,product,quantity,unit\n1,1,aluminium-coil,1,kg,extra\n",
        "latin1.csv": "order_id,line_id,product,quantity,unit,note\n1,1,aluminium-coil,1,kg,"
                      "caf\u00e9\n".encode("latin-1"),
    }
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InvalidInput) as new:
            score_csv_batched(path, tmp_path / "out.csv")
        with pytest.raises(InvalidInput) as old:
            score_file(path, tmp_path / "out.csv")
        assert new.value.field == old.value.field, name
        if name != "latin1.csv":  # the per-line reader names the byte of the whole file
            assert new.value.message == old.value.message, name
        assert not (tmp_path / "out.csv").exists()


def test_cli_scores_csv_through_the_chunked_scorer(engine, tmp_path):
    from click.testing import CliRunner

    from pcf.commands.orders import orders
    from pcf.service.order_files import score_file

    book = tmp_path / "book.csv"
    _random_book(engine, book, 300, random.Random(5), bad=False)
    out = CliRunner().invoke(orders, ["score", str(book), "-o", str(tmp_path / "cli.csv"),
                                      "--no-progress"])
    assert out.exit_code == 0, out.output
    assert "scored 300 of 300 lines" in out.output
    score_file(book, tmp_path / "old.csv")
    assert (tmp_path / "cli.csv").read_bytes() == (tmp_path / "old.csv").read_bytes()


def test_few_distinct_sets_are_solved_once_each(engine, tmp_path, monkeypatch):
    import pcf.engine.batch as engine_batch
    from pcf.service.order_batch import score_csv_batched
    from pcf.service.order_files import score_file

    pool = tmp_path / "pool.csv"
    _random_book(engine, pool, 6, random.Random(9), bad=False)
    with open(pool, newline="") as f:
        header, *lines = list(csv.reader(f))
    rng = random.Random(10)
    book = tmp_path / "book.csv"
    with open(book, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for i in range(3000):
            w.writerow([f"O{i // 100}", str(i % 100)] + rng.choice(lines)[2:])
    solved = []
    real = engine_batch.BatchSystem.evaluate

    def counting(self, values, n=None, stages=False):
        solved.append(n)
        return real(self, values, n, stages)

    monkeypatch.setattr(engine_batch.BatchSystem, "evaluate", counting)
    report = score_csv_batched(book, tmp_path / "new.csv")
    assert sum(solved) <= 6 and report.scored == 3000
    score_file(book, tmp_path / "old.csv")
    assert (tmp_path / "new.csv").read_bytes() == (tmp_path / "old.csv").read_bytes()
