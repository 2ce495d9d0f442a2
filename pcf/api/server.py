"""Running the API: gunicorn for production, the Flask development server for ``--dev``.

Production (:func:`run_production`): gunicorn with ``workers`` synchronous worker processes
(default 2). Each worker builds its own app (no preloading, so no database connection or
Brightway state crosses a ``fork``) and then warms the engine in gunicorn's
``post_worker_init`` hook (:func:`warm_engine`): the first request of a worker is as fast as
the others. The schema is migrated once in the master before the workers start.

TLS: with ``certfile`` and ``keyfile`` gunicorn (or the development server) serves HTTPS
only; the PACT endpoints refuse plain HTTP outside ``--dev``. Behind a reverse proxy that
terminates TLS, gunicorn takes ``X-Forwarded-Proto: https`` only from ``forwarded_allow_ips``
(default loopback). Each process also starts the PACT worker thread that answers PACT
requests (:mod:`pcf.pact.worker`).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger("pcf.api")


def warm_engine() -> int:
    """Compute every product's default footprint once so the process's engine is warm.

    Returns
    -------
    int
        Number of products warmed (0 if the Brightway project is not ready; requests then
        answer 503 until ``pcf setup`` has run).
    """
    try:
        from pcf import service

        warm = getattr(service, "warm", None)
        if callable(warm):
            warm()
        products = service.list_products()
        for product in products:
            service.compute_footprint(product["id"])
        return len(products)
    except Exception as exc:  # noqa: BLE001 - a cold engine must not kill the worker
        log.warning("engine warm-up failed: %s", exc)
        return 0


def _post_worker_init(worker) -> None:
    n = warm_engine()
    worker.log.info("pcf worker %s: engine warm (%d products)", worker.pid, n)
    start_pact_worker(getattr(worker, "wsgi", None))


def start_pact_worker(app) -> None:
    """Start the app's PACT worker thread (answers PACT requests, retries deliveries)."""
    state = getattr(app, "extensions", {}).get("pcf") if app is not None else None
    if state is not None and state.pact_worker is not None:
        state.pact_worker.start()


def _on_starting(server) -> None:
    from pcf.store import Store

    store = Store.open()  # alembic upgrade head, once, in the master
    server.log.info("pcf application database at head: %s", store.url)
    store.dispose()


def local_url(host: str, port: int, tls: bool) -> str:
    """``http(s)://host:port`` of the listening socket (links when ``PCF_PUBLIC_URL`` is not
    set and no request is at hand)."""
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def gunicorn_options(host: str, port: int, workers: int = 2, timeout: int = 120,
                     access_log: bool = False, certfile: str | None = None,
                     keyfile: str | None = None,
                     forwarded_allow_ips: str | None = None) -> dict[str, Any]:
    """Return the gunicorn settings pcf uses (bind, workers, hooks, timeouts, TLS)."""
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 2,
        "preload_app": False,
        "post_worker_init": _post_worker_init,
        "on_starting": _on_starting,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "pcf-api",
        # gunicorn >= 25 opens a control socket at one fixed path per user
        # ($HOME/.gunicorn/gunicorn.ctl): two servers would fight over it. Not needed here.
        "control_socket_disable": True,
    }
    if access_log:
        options["accesslog"] = "-"
    if certfile or keyfile:
        options["certfile"] = certfile
        options["keyfile"] = keyfile
    if forwarded_allow_ips is not None:
        options["forwarded_allow_ips"] = forwarded_allow_ips
    return options


def check_tls_files(certfile: str | None, keyfile: str | None) -> None:
    """Both or neither, readable, and a loadable pair.

    Raises
    ------
    InvalidInput
        Naming ``--certfile`` or ``--keyfile``.
    """
    import ssl

    from pcf.errors import InvalidInput

    if not certfile and not keyfile:
        return
    if not certfile or not keyfile:
        raise InvalidInput("--certfile and --keyfile go together",
                           field="--keyfile" if certfile else "--certfile")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"cannot load the TLS certificate and key: {exc}",
                           field="--certfile") from None


def run_production(host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
                   timeout: int = 120, access_log: bool = False, certfile: str | None = None,
                   keyfile: str | None = None, forwarded_allow_ips: str | None = None) -> None:
    """Run the API under gunicorn (blocks until the master exits).

    Parameters
    ----------
    host, port : str, int
        Address to bind.
    workers : int
        Worker processes (default 2); each keeps its own warm engine.
    timeout : int
        Seconds a worker may spend on one request before gunicorn restarts it.
    access_log : bool
        Log every request to stderr.
    certfile, keyfile : str, optional
        PEM certificate (chain) and private key: serve HTTPS.
    forwarded_allow_ips : str, optional
        Addresses whose ``X-Forwarded-Proto`` is trusted (gunicorn's default: loopback).
    """
    from gunicorn.app.base import BaseApplication

    options = gunicorn_options(host, port, workers, timeout, access_log, certfile, keyfile,
                               forwarded_allow_ips)
    url = local_url(host, port, bool(certfile))

    class PcfGunicorn(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from pcf.api import create_app

            return create_app({"PCF_DEV": False, "PCF_LOCAL_URL": url})

    PcfGunicorn().run()


def run_dev(host: str = "127.0.0.1", port: int = 8000, certfile: str | None = None,
            keyfile: str | None = None) -> None:
    """Run the Flask development server (one process, no reloader; the debugger only when
    bound to a loopback address). Development mode: PACT also over plain HTTP, certificates
    without issuer settings."""
    from pcf.api import create_app

    tls = bool(certfile and keyfile)
    url = local_url(host, port, tls)
    app = create_app({"PCF_DEV": True, "PCF_LOCAL_URL": url})
    warm_engine()
    start_pact_worker(app)
    print(f"pcf API (development server) on {url}  docs: /docs", file=sys.stderr)
    # the Werkzeug debugger runs code in the browser: only on a loopback address
    debug = host in ("127.0.0.1", "localhost", "::1")
    app.run(host=host, port=port, debug=debug, use_reloader=False,
            ssl_context=(certfile, keyfile) if tls else None)
