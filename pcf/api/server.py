"""Running the API: gunicorn for production, the Flask development server for ``--dev``.

Production (:func:`run_production`): a gunicorn master (the ``pcf serve`` process) with

- ``workers`` HTTP worker processes (default 2) of class :class:`pcf.api.worker.
  PcfThreadWorker`: each with ``threads`` threads (default 4) for complete requests, reading
  requests in its event loop so that slow or idle clients hold no thread (header deadline
  10 s, body deadline 30 s, idle keep-alive 5 s, at most ``worker_connections`` connections,
  default 1000); each builds its own app (no preloading, so no database connection or
  Brightway state crosses a ``fork``), warms its engine in ``post_worker_init``
  (:func:`warm_engine`), starts its PACT worker thread that answers PACT requests
  (:mod:`pcf.pact.worker`) and freezes what it holds then out of the garbage collector
  (:func:`freeze_heap`: no full-heap collection pauses on the request path);
- ``job_workers`` order-job worker processes (default 1) that score orders submitted with
  ``Prefer: respond-async`` (:func:`pcf.service.order_jobs.run_worker`), at a lower CPU
  priority (nice 10) so that a tenant's large orders do not slow other tenants' requests.
  The master restarts a job worker that dies, and stops it with the HTTP workers.

The schema is migrated once in the master before any worker starts.

TLS: with ``certfile`` and ``keyfile`` gunicorn (or the development server) serves HTTPS
only; the PACT endpoints refuse plain HTTP outside ``--dev``. TLS connections are handed to
gunicorn's own thread worker unchanged: the request buffering of
:class:`pcf.api.worker.PcfThreadWorker` (deadlines for slow clients, early 413,
problem+json for server errors) applies to plain HTTP only, i.e. behind a reverse proxy
that terminates TLS (the recommended set-up). There gunicorn takes
``X-Forwarded-Proto: https`` only from ``forwarded_allow_ips`` (default loopback).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from typing import Any

log = logging.getLogger("pcf.api")

JOB_WORKER_NAME = "pcf-jobs"
"""Process name (``/proc/PID/comm``) of the order-job worker processes."""
JOB_WORKER_NICE = 10
"""Niceness added to job worker processes (lower CPU priority than the HTTP workers)."""


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


def preload_modules() -> bool:
    """In the gunicorn master, before the fork (issue 21): import the API's modules and load
    the engine from its on-disk cache, so every worker starts with them (copy-on-write)
    instead of importing and loading on its own. Only code and plain arrays cross the fork:
    no app, no database connection, no thread; when the cache is not valid nothing is built
    here (building reads Brightway's SQLite) and each worker builds its own, as before.

    Returns
    -------
    bool
        True if the engine was loaded from the cache.
    """
    import importlib

    from pcf.api import BLUEPRINTS, FLASK_BLUEPRINTS
    from pcf.engine import load_cached_engine

    for name in (*BLUEPRINTS, *FLASK_BLUEPRINTS):
        importlib.import_module(name)
    return load_cached_engine()


def freeze_heap() -> int:
    """Collect garbage once, then move every object alive now into the garbage collector's
    permanent generation (:func:`gc.freeze`); returns how many objects were frozen.

    Called by each HTTP worker once its app is built and its engine warm (issue 21). The
    modules, the app and the engine are ~130,000 long-lived objects that a full (generation
    2) collection would otherwise traverse every time: measured 26-45 ms per collection, about
    one every 4,000 footprint requests in one process, a stall of every request in flight on
    that worker (a tail of p99.9 and the maximum, too rare to move the p99). Frozen objects
    are never collected (they live as long as the worker anyway); objects created later are
    collected as usual.
    """
    import gc

    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _post_worker_init(worker) -> None:
    n = warm_engine()
    worker.log.info("pcf worker %s: engine warm (%d products)", worker.pid, n)
    start_pact_worker(getattr(worker, "wsgi", None))
    frozen = freeze_heap()
    worker.log.info("pcf worker %s: %d objects frozen out of the garbage collector",
                    worker.pid, frozen)


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
                     access_log: bool = False, threads: int = 4,
                     worker_connections: int = 1000, certfile: str | None = None,
                     keyfile: str | None = None,
                     forwarded_allow_ips: str | None = None) -> dict[str, Any]:
    """Return the gunicorn settings pcf uses (bind, workers, hooks, timeouts, limits, TLS).

    Parameters
    ----------
    host, port : str, int
    workers : int
        HTTP worker processes.
    timeout : int
        Seconds a worker may be silent (one request's computation) before it is restarted.
    access_log : bool
    threads : int
        Threads per worker for complete requests.
    worker_connections : int
        Open connections per worker (more wait in the listen backlog).
    certfile, keyfile : str, optional
        PEM certificate (chain) and private key: serve HTTPS (not buffered by the worker).
    forwarded_allow_ips : str, optional
        Addresses whose ``X-Forwarded-Proto`` is trusted (gunicorn's default: loopback).
    """
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "pcf.api.worker.PcfThreadWorker",
        "threads": threads,
        "worker_connections": worker_connections,
        "backlog": 2048,
        "timeout": timeout,
        "graceful_timeout": 30,
        "keepalive": 5,
        # request line <= 8,190 bytes (the app answers 414 over 8,000 characters), at most
        # 100 header fields of <= 8,190 bytes each (431 over)
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
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


# --------------------------------------------------------------------------- job workers


def _set_process_name(name: str) -> None:
    try:
        with open("/proc/self/comm", "w") as handle:
            handle.write(name[:15])
    except OSError:
        pass


def job_worker_main(listeners: list[Any] | None = None) -> None:
    """Body of a forked order-job worker process: score jobs until SIGTERM/SIGINT/SIGQUIT.

    Closes the inherited listening sockets, lowers its CPU priority, warms the engine, then
    runs :func:`pcf.service.order_jobs.run_worker`. Never returns (``os._exit``).
    """
    status = 0
    try:
        for listener in listeners or ():
            try:
                listener.close()
            except Exception:  # noqa: BLE001
                pass
        stop = threading.Event()

        def _stop(signum, frame):
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(sig, _stop)
        for sig in (signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH,
                    signal.SIGTTIN, signal.SIGTTOU, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        _set_process_name(JOB_WORKER_NAME)
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format=f"[%(asctime)s] [{os.getpid()}] [%(levelname)s] %(message)s")
        try:
            os.nice(JOB_WORKER_NICE)
        except OSError:
            pass
        from pcf.service.order_jobs import run_worker
        from pcf.store import Store

        store = Store.open(upgrade=False)
        warm_engine()
        log.info("pcf order-job worker %s ready", os.getpid())
        run_worker(store, stop)
        store.dispose()
    except BaseException:  # noqa: BLE001 - report and exit non-zero; the master restarts us
        log.exception("pcf order-job worker failed")
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def make_arbiter_class():
    """The gunicorn Arbiter of ``pcf serve``: gunicorn's, plus the order-job workers."""
    from gunicorn.arbiter import Arbiter

    class PcfArbiter(Arbiter):
        """Arbiter that also keeps ``job_workers`` order-job worker processes running."""

        job_workers = 1
        RESPAWN_DELAY = 1.0

        def __init__(self, app):
            super().__init__(app)
            self.job_pids: dict[int, float] = {}
            self._job_spawned_at = 0.0

        def _reap_job_workers(self) -> None:
            for pid in list(self.job_pids):
                try:
                    wpid, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:  # reaped by gunicorn's waitpid(-1) already
                    wpid, status = pid, 0
                if wpid:
                    self.job_pids.pop(pid, None)
                    self.log.warning("pcf order-job worker %s exited (status %s)", pid, status)

        def reap_workers(self):
            self._reap_job_workers()
            super().reap_workers()

        def manage_workers(self):
            super().manage_workers()
            for pid in [p for p in self.job_pids if not _alive(p)]:
                self.job_pids.pop(pid, None)
            missing = self.job_workers - len(self.job_pids)
            if missing > 0 and self.LISTENERS and \
                    time.monotonic() - self._job_spawned_at > self.RESPAWN_DELAY:
                for _ in range(missing):
                    self.spawn_job_worker()

        def spawn_job_worker(self) -> int:
            self._job_spawned_at = time.monotonic()
            pid = os.fork()
            if pid:
                self.job_pids[pid] = time.monotonic()
                self.log.info("Booting pcf order-job worker with pid: %s", pid)
                return pid
            job_worker_main(self.LISTENERS)  # never returns
            return 0  # pragma: no cover

        def stop(self, graceful=True):
            pids = list(self.job_pids)
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGTERM if graceful else signal.SIGQUIT)
                except OSError:
                    pass
            super().stop(graceful)
            limit = time.monotonic() + self.cfg.graceful_timeout
            while self.job_pids and time.monotonic() < limit:
                self._reap_job_workers()
                time.sleep(0.05)
            for pid in list(self.job_pids):
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except OSError:
                    pass
                self.job_pids.pop(pid, None)

    return PcfArbiter


def run_production(host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
                   timeout: int = 120, access_log: bool = False, threads: int = 4,
                   worker_connections: int = 1000, job_workers: int = 1,
                   certfile: str | None = None, keyfile: str | None = None,
                   forwarded_allow_ips: str | None = None) -> None:
    """Run the API under gunicorn (blocks until the master exits).

    Parameters
    ----------
    host, port : str, int
        Address to bind.
    workers : int
        HTTP worker processes (default 2); each keeps its own warm engine.
    timeout : int
        Seconds a worker may spend on one request before gunicorn restarts it.
    access_log : bool
        Log every request to stderr.
    threads : int
        Threads per HTTP worker for complete requests (default 4).
    worker_connections : int
        Open connections per HTTP worker (default 1000).
    job_workers : int
        Order-job worker processes (default 1; 0: run ``pcf jobs work`` elsewhere).
    certfile, keyfile : str, optional
        PEM certificate (chain) and private key: serve HTTPS.
    forwarded_allow_ips : str, optional
        Addresses whose ``X-Forwarded-Proto`` is trusted (gunicorn's default: loopback).
    """
    from gunicorn.app.base import BaseApplication

    preload_modules()
    options = gunicorn_options(host, port, workers, timeout, access_log, threads,
                               worker_connections, certfile, keyfile, forwarded_allow_ips)
    url = local_url(host, port, bool(certfile))
    arbiter_class = make_arbiter_class()
    arbiter_class.job_workers = job_workers

    class PcfGunicorn(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from pcf.api import create_app

            # the master migrated the database (_on_starting): workers skip Alembic (issue 21)
            return create_app({"PCF_DEV": False, "PCF_LOCAL_URL": url, "PCF_MIGRATE": False})

        def run(self):
            try:
                arbiter_class(self).run()
            except RuntimeError as exc:
                print(f"\nError: {exc}\n", file=sys.stderr)
                sys.stderr.flush()
                sys.exit(1)

    PcfGunicorn().run()


def run_dev(host: str = "127.0.0.1", port: int = 8000, certfile: str | None = None,
            keyfile: str | None = None, job_workers: int = 1) -> None:
    """Run the Flask development server (one process, no reloader; the debugger only when
    bound to a loopback address), with an order-job worker thread when ``job_workers``.
    Development mode: PACT also over plain HTTP, certificates without issuer settings."""
    from pcf.api import create_app

    tls = bool(certfile and keyfile)
    url = local_url(host, port, tls)
    app = create_app({"PCF_DEV": True, "PCF_LOCAL_URL": url})
    warm_engine()
    start_pact_worker(app)
    if job_workers:
        from pcf.service.order_jobs import run_worker

        store = app.extensions["pcf"].store
        threading.Thread(target=run_worker, args=(store,), daemon=True,
                         name="pcf-jobs").start()
    print(f"pcf API (development server) on {url}  docs: /docs", file=sys.stderr)
    # the Werkzeug debugger runs code in the browser: only on a loopback address
    debug = host in ("127.0.0.1", "localhost", "::1")
    app.run(host=host, port=port, debug=debug, use_reloader=False,
            ssl_context=(certfile, keyfile) if tls else None)
