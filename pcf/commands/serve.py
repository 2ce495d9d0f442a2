"""``pcf serve [--host H --port P] [--workers N --threads T --connections C --job-workers J]
[--certfile F --keyfile F] [--dev]``: run the HTTP API (HTTPS with a certificate and key)."""

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
@click.option("--certfile", type=click.Path(exists=True, dir_okay=False),
              help="TLS certificate (PEM, with its chain): serve HTTPS.")
@click.option("--keyfile", type=click.Path(exists=True, dir_okay=False),
              help="TLS private key (PEM) of --certfile.")
@click.option("--forwarded-allow-ips", default=None,
              help="Behind a TLS reverse proxy: addresses whose X-Forwarded-Proto is trusted "
                   "(gunicorn's default: 127.0.0.1,::1).")
@click.option("--dev", is_flag=True, help="Flask development server (debug, one process); "
                                          "PACT over plain HTTP, certificates without "
                                          "issuer settings.")
def serve(host: str, port: int, workers: int, threads: int, connections: int,
          job_workers: int, timeout: int, access_log: bool, certfile: str | None,
          keyfile: str | None, forwarded_allow_ips: str | None, dev: bool) -> None:
    """Run the API (gunicorn; --dev: Flask development server).

    Docs at /docs, OpenAPI at /openapi.json, the PACT v3 host at /auth/token and /3/...
    (HTTPS only, except with --dev). State under $PCF_HOME; PCF_DATABASE_URL selects
    PostgreSQL; PCF_PUBLIC_URL is the base of every absolute link. Behind a reverse proxy in
    production (README, "Serving"); the slow-client buffering of the HTTP workers applies to
    plain HTTP (TLS terminated by the proxy), not to --certfile connections.
    """
    from pcf.api.server import check_tls_files, run_dev, run_production
    from pcf.commands._common import ensure_project, fail
    from pcf.errors import PcfError

    try:
        check_tls_files(certfile, keyfile)
    except PcfError as exc:
        fail(exc)
    try:
        ensure_project()
    except PcfError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    scheme = "https" if certfile else "http"
    if dev:
        run_dev(host, port, certfile, keyfile, job_workers=job_workers)
    else:
        click.echo(f"pcf API on {scheme}://{host}:{port} ({workers} workers x {threads} "
                   f"threads, {job_workers} order-job worker(s)); docs at "
                   f"{scheme}://{host}:{port}/docs", err=True)
        run_production(host, port, workers=workers, timeout=timeout, access_log=access_log,
                       threads=threads, worker_connections=connections,
                       job_workers=job_workers, certfile=certfile, keyfile=keyfile,
                       forwarded_allow_ips=forwarded_allow_ips)
