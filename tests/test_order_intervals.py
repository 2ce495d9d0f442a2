"""An order book scored with intervals: pcf orders score --mc N, locally and on Dask (issue 17)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from pcf.errors import InvalidInput

ORDERS = ("order_id,line_id,product,quantity,unit,variant\n"
          "A,1,aluminium-coil,20,t,recycled\n"
          "A,2,aluminium-coil,5,t,recycled\n"
          "A,3,ndfeb-magnet,100,kg,virgin\n"
          "B,1,battery-cell-lfp,60,kWh,\n")


def _score(tmp_path, **kwargs):
    from pcf.service.order_files import score_file

    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "orders.csv"
    src.write_text(ORDERS)
    out = tmp_path / "scored.csv"
    report = score_file(src, out, uncertainty={"draws": 1500, "seed": 8}, **kwargs)
    with out.open() as f:
        return report, list(csv.DictReader(f))


def test_line_intervals_and_total_by_hand(built_home, tmp_path):
    from pcf.engine import get_engine
    from pcf.engine.montecarlo import simulate
    from pcf.service.footprints import compute_footprint, model

    report, rows = _score(tmp_path)
    engine = get_engine()
    total = np.zeros(1500)
    for row in rows:
        fp = compute_footprint(row["product"], variant=row["variant"] or None,
                               quantity=float(row["quantity"]), unit=row["unit"],
                               uncertainty={"draws": 1500, "seed": 8})
        band = fp["uncertainty"]["total"]["total"]
        assert float(row["kg_co2e_total_p2_5"]) == pytest.approx(band["p2_5"], rel=1e-9)
        assert float(row["kg_co2e_total_median"]) == pytest.approx(band["median"], rel=1e-9)
        assert float(row["kg_co2e_total_p97_5"]) == pytest.approx(band["p97_5"], rel=1e-9)
        encoded = model(row["product"]).resolve(row["variant"] or None, None).encoded
        x = simulate(engine.system(row["product"]), engine.background(), encoded, 1500, 8)
        total += x.parts["total"] * fp["quantity_in_declared_unit"]
    assert report.groups == 3
    assert report.total_interval["p2_5"] == pytest.approx(np.percentile(total, 2.5), rel=1e-9)
    assert report.total_interval["p97_5"] == pytest.approx(np.percentile(total, 97.5),
                                                           rel=1e-9)


def test_dask_local_cluster_gives_the_same_file(built_home, tmp_path):
    from dask.distributed import LocalCluster

    local_report, local_rows = _score(tmp_path / "here")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        report, rows = _score(tmp_path / "dask", dask_scheduler=cluster.scheduler_address)
    assert rows == local_rows
    assert report.total_interval == pytest.approx(local_report.total_interval, rel=1e-12)


@pytest.mark.slow  # 10 s: dask waits out its connect timeout
def test_unreachable_scheduler_and_scheduler_without_mc(built_home, tmp_path):
    from pcf.service.order_files import score_file

    with pytest.raises(InvalidInput) as info:
        _score(tmp_path, dask_scheduler="tcp://127.0.0.1:9")
    assert info.value.field == "dask_scheduler"
    (tmp_path / "o.csv").write_text(ORDERS)
    with pytest.raises(InvalidInput) as info:
        score_file(tmp_path / "o.csv", tmp_path / "x.csv", dask_scheduler="tcp://127.0.0.1:9")
    assert info.value.field == "dask_scheduler"


@pytest.mark.slow
def test_dask_local_cluster_of_processes(built_home, tmp_path):
    from dask.distributed import LocalCluster

    _, local_rows = _score(tmp_path / "here")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        _, rows = _score(tmp_path / "dask", dask_scheduler=cluster.scheduler_address)
    assert rows == local_rows
