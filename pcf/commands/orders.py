"""``pcf orders score IN.csv|IN.xlsx -o OUT.csv|OUT.xlsx [--on-error skip|fail]``: score an
order-line file.

Shares :func:`pcf.service.orders.score_lines` with ``POST /v1/orders``
(:func:`pcf.service.order_files.score_file` reads and writes the files: CSV with comma or
semicolon, with or without BOM, and Excel .xlsx; any other extension is an error). Exit
status (as the rest of the ``pcf`` command): 0 when the output was written (with
``--on-error skip``, bad lines are reported on stderr and left out), 2 when bad input stops
the run (default ``--on-error fail``: every bad line is listed and nothing is written).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from pcf.commands._common import fail, options_for
from pcf.errors import InvalidInput, PcfError

MAX_REPORTED = 50


def _report(errors, out=sys.stderr) -> None:
    for err in errors[:MAX_REPORTED]:
        click.echo(f"error: {err}", err=True)
    if len(errors) > MAX_REPORTED:
        click.echo(f"error: ... and {len(errors) - MAX_REPORTED} more bad lines", err=True)


class ProgressBar:
    """``progress(advance, total)`` callback of :func:`pcf.service.order_files.score_csv` that
    draws a tqdm bar on stderr.

    Parameters
    ----------
    enabled : bool or None
        True: always; False: never; None: when stderr is a terminal and the file has more
        than :data:`AUTO_LINES` lines.
    """

    AUTO_LINES = 10_000

    def __init__(self, enabled: bool | None):
        self.enabled = enabled
        self._bar: Any = None  # a tqdm bar, created on the first call that shows one

    def __call__(self, advance: int, total: int) -> None:
        """Advance the bar by ``advance`` of ``total`` lines."""
        if self._bar is None:
            show = self.enabled if self.enabled is not None else (
                sys.stderr.isatty() and total > self.AUTO_LINES)
            if not show:
                self.enabled = False
                return
            from tqdm import tqdm

            # disable=False: pcf.bw sets TQDM_DISABLE=1 to silence Brightway; this bar is wanted
            self._bar = tqdm(total=total, unit="line", desc="scoring", file=sys.stderr,
                             disable=False)
        self._bar.update(advance)

    def close(self) -> None:
        """Close the bar (if one was drawn)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@click.group()
def orders() -> None:
    """Order lines: score files of order lines."""


@orders.command("score")
@click.argument("in_csv", metavar="IN_FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "out_csv", required=True, type=click.Path(dir_okay=False),
              help="Scored file to write, .csv or .xlsx (input columns + declared_unit, "
                   "kg_co2e_per_declared_unit, kg_co2e_total, database_version).")
@click.option("--on-error", type=click.Choice(["fail", "skip"]), default="fail",
              show_default=True,
              help="fail: report every bad line and write nothing; skip: score the rest.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: when stderr is a terminal and the file "
                   "has more than 10,000 lines).")
@click.option("--mc", "draws", type=int, default=None, metavar="N",
              help="Monte Carlo draws per distinct footprint (1..100000): adds "
                   "kg_co2e_total_p2_5, kg_co2e_total_median, kg_co2e_total_p97_5 and gsd, "
                   "and prints the order book total's interval.")
@click.option("--seed", type=int, default=None, metavar="S",
              help="Seed of the Monte Carlo draws (default 0; with --mc).")
@click.option("--dask-scheduler", default=None, metavar="ADDR",
              help="Run the Monte Carlo on this dask.distributed scheduler "
                   "(e.g. tcp://10.0.0.5:8786); its workers need the same built project.")
def score(in_csv: str, out_csv: str, on_error: str, progress: bool | None, draws,
          seed, dask_scheduler) -> None:
    """Score the order lines of IN_FILE (.csv or .xlsx) and write the output (.csv or .xlsx).

    Columns: order_id, line_id, product, quantity, unit (required), variant and param.<name>
    (optional); other columns pass through. CSV: comma or semicolon, UTF-8 with or without
    BOM. Excel: the sheet "orders" or the first one. Bad lines are reported with their line
    number (Excel: sheet, row and column).
    """
    from pcf.commands._common import ensure_project
    from pcf.service.order_files import file_format, score_file
    from pcf.service.orders import OrderLinesError

    started = time.perf_counter()
    bar = ProgressBar(progress)
    try:
        out_fmt = file_format(out_csv, "output")  # an unknown extension fails before any work
        in_fmt = file_format(in_csv)
        ensure_project()
        if seed is not None and draws is None:
            raise InvalidInput("--seed needs --mc N", field="--seed")
        if dask_scheduler is not None and draws is None:
            raise InvalidInput("--dask-scheduler runs the Monte Carlo: it needs --mc N",
                               field="--dask-scheduler")
        if draws is None and in_fmt == "csv" and out_fmt == "csv":
            # in chunks, as arrays (issue 21)
            from pcf.service.order_batch import score_csv_batched

            report = score_csv_batched(in_csv, out_csv, on_error=on_error, progress=bar)
        else:
            with options_for({"uncertainty.draws": "--mc", "uncertainty.seed": "--seed",
                              "dask_scheduler": "--dask-scheduler"}):
                report = score_file(in_csv, out_csv, on_error=on_error, progress=bar,
                                    uncertainty=None if draws is None else
                                    {"draws": draws, "seed": seed},
                                    dask_scheduler=dask_scheduler)
    except OrderLinesError as exc:
        _report(exc.errors)
        click.echo(f"{len(exc.errors)} bad line(s); nothing written "
                   "(use --on-error skip to score the rest)", err=True)
        sys.exit(2)
    except PcfError as exc:
        fail(exc)
    finally:
        bar.close()
    _report(report.errors)
    elapsed = time.perf_counter() - started
    skipped = f", {len(report.errors)} bad line(s) skipped" if report.errors else ""
    if report.total_interval is not None:
        t = report.total_interval
        click.echo(f"total {t['median']:.6g} kg CO2e (median), 95 % interval {t['p2_5']:.6g} "
                   f".. {t['p97_5']:.6g} ({draws} draws per footprint, seed {seed or 0})",
                   err=True)
    click.echo(f"scored {report.scored} of {report.lines} lines ({report.groups} distinct "
               f"footprints){skipped} in {elapsed:.2f} s -> {out_csv}", err=True)
