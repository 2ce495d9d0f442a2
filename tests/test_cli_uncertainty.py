"""`pcf footprint ... --mc N --seed S` as a user runs it (issue 17)."""

from __future__ import annotations

import json

from tests.test_cli import run


def test_mc_is_reproducible_and_matches_the_service(built_home):
    from pcf.service.footprints import compute_footprint

    args = ("footprint", "battery-cell-lfp", "--variant", "recycled", "--mc", "800", "--seed",
            "9", "--format", "json")
    first, second = run(*args, home=built_home), run(*args, home=built_home)
    assert first.returncode == 0, first.stderr
    mc = json.loads(first.stdout)["uncertainty"]
    assert mc == json.loads(second.stdout)["uncertainty"]
    expected = compute_footprint("battery-cell-lfp", variant="recycled",
                                 uncertainty={"draws": 800, "seed": 9})["uncertainty"]
    assert mc == json.loads(json.dumps(expected))
    table = run("footprint", "battery-cell-lfp", "--mc", "200", home=built_home)
    assert "Monte Carlo (200 draws, seed 0)" in table.stdout and "95 % interval" in table.stdout


def test_bad_mc_and_seed_name_the_option(built_home):
    out = run("footprint", "battery-cell-lfp", "--mc", "0", home=built_home)
    assert out.returncode == 2 and "--mc" in out.stderr and "1..100000" in out.stderr
    out = run("footprint", "battery-cell-lfp", "--mc", "10", "--seed", "-3", home=built_home)
    assert out.returncode == 2 and "--seed" in out.stderr
    out = run("footprint", "battery-cell-lfp", "--seed", "3", home=built_home)
    assert out.returncode == 2 and "--seed needs --mc" in out.stderr


def test_dask_scheduler_needs_mc(built_home, tmp_path):
    """Found in review: the batched CSV path ignored --dask-scheduler without --mc."""
    book = tmp_path / "book.csv"
    book.write_text("order_id,line_id,product,quantity,unit\nPO-1,1,aluminium-coil,1,t\n")
    for out_name in ("out.csv", "out.xlsx"):
        out = run("orders", "score", str(book), "-o", str(tmp_path / out_name),
                  "--dask-scheduler", "tcp://127.0.0.1:1", home=built_home)
        assert out.returncode == 2 and "--dask-scheduler" in out.stderr and "--mc" in out.stderr
        assert not (tmp_path / out_name).exists()
