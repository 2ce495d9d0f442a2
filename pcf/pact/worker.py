"""A background thread that runs due PACT work (fulfilment and delivery) in a server process.

Each server process may run one (gunicorn workers start it after loading the app; the
development server before serving). It calls ``run_once()``, which handles what is due and
returns the seconds until the next due item (or None), then sleeps that long, at most
:data:`POLL_SECONDS`, or until :meth:`Worker.wake` (a new event). Several processes share the
work through the store's claims, so each item is handled by one of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

POLL_SECONDS = 5.0

log = logging.getLogger("pcf.pact")


class Worker:
    """Run ``run_once`` in a daemon thread until :meth:`stop`.

    Parameters
    ----------
    run_once : callable
        ``run_once() -> float | None``: does what is due; returns seconds until the next
        due item.
    poll : float
        Longest sleep, seconds.
    """

    def __init__(self, run_once: Callable[[], float | None], poll: float = POLL_SECONDS):
        self.run_once = run_once
        self.poll = poll
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Worker:
        """Start the thread (once)."""
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="pcf-pact-worker",
                                            daemon=True)
            self._thread.start()
        return self

    def wake(self) -> None:
        """Run now (a new event arrived)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                wait = self.run_once()
            except Exception:  # noqa: BLE001 - the loop must survive a bad item
                log.exception("PACT worker: run failed")
                wait = self.poll
            wait = self.poll if wait is None else min(max(wait, 0.01), self.poll)
            self._wake.wait(wait)
