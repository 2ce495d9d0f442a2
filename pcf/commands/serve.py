"""``pcf serve [--host H --port P] [--workers N] [--dev]``: run the HTTP API."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="HTTP worker processes, each with a warm engine.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per HTTP worker for complete requests (slow clients hold none).")
@click.option("--connections", default=1000, show_default=True,
              type=click.IntRange(10, 100000), help="Open connections per HTTP worker.")
@click.option("--job-workers", default=1, show_default=True, type=click.IntRange(0, 16),
              help="Processes scoring orders sent with 'Prefer: respond-async' (0: run "
                   "'pcf jobs work' elsewhere).")
@click.option("--timeout", default=120, show_default=True, type=click.IntRange(5, 3600),
              help="Seconds one request may take before its worker is restarted.")
@click.option("--access-log", is_flag=True, help="Log every request to stderr.")
@click.option("--dev", is_flag=True, help="Flask development server (debug, one process).")
def serve(host: str, port: int, workers: int, threads: int, connections: int,
          job_workers: int, timeout: int, access_log: bool, dev: bool) -> None:
    """Run the API (gunicorn; --dev: Flask development server).

    Docs at /docs, OpenAPI at /openapi.json. State under $PCF_HOME; PCF_DATABASE_URL selects
    PostgreSQL. Behind a reverse proxy in production (README, "Serving").
    """
    from pcf.api.server import run_dev, run_production
    from pcf.commands._common import ensure_project
    from pcf.errors import PcfError

    try:
        ensure_project()
    except PcfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if dev:
        run_dev(host, port, job_workers=job_workers)
    else:
        click.echo(f"pcf API on http://{host}:{port} ({workers} workers x {threads} threads, "
                   f"{job_workers} order-job worker(s)); docs at http://{host}:{port}/docs",
                   err=True)
        run_production(host, port, workers=workers, timeout=timeout, access_log=access_log,
                       threads=threads, worker_connections=connections,
                       job_workers=job_workers)
