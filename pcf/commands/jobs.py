"""``pcf jobs``: the order-job queue (orders sent with ``Prefer: respond-async``).

``pcf jobs work`` scores queued orders in the foreground (``pcf serve`` starts one such
worker by itself unless ``--job-workers 0``); ``pcf jobs status`` counts jobs by state.
"""

from __future__ import annotations

import json

import click

from pcf.commands._common import open_store


@click.group()
def jobs() -> None:
    """The queue of orders scored off the request path."""


@jobs.command("work")
@click.option("--once", is_flag=True, help="Score the queued jobs, then exit.")
def work(once: bool) -> None:
    """Score queued orders until interrupted (Ctrl-C)."""
    import logging
    import threading

    from pcf.commands._common import ensure_project
    from pcf.service.order_jobs import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    ensure_project()
    stop = threading.Event()
    try:
        n = run_worker(open_store(), stop, idle_exit=0.5 if once else None)
    except KeyboardInterrupt:
        stop.set()
        return
    click.echo(f"{n} job(s) processed", err=True)


@jobs.command("status")
def status() -> None:
    """Jobs by state (JSON)."""
    click.echo(json.dumps(open_store().count_jobs()))
