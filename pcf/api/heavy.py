"""The low-priority lane of an HTTP worker process for large synchronous orders.

A synchronous ``POST /v1/orders`` of thousands of lines is scored in the HTTP worker (the
contract answers 201 with the order). Run on a request thread at normal priority, it slows
every other request of that process. :func:`run_heavy` runs it instead on the process's one
"heavy" thread, whose OS scheduling priority is lowered (Linux sets the nice value per
thread): large orders of a worker then run one at a time, after the short requests of both
HTTP workers have had the CPU. The request thread waits for the result without holding the
GIL. (``Prefer: respond-async`` moves the work out of the HTTP workers altogether.)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

HEAVY_ORDER_LINES = 1000
"""Synchronous orders with more lines than this run on the heavy lane."""
HEAVY_NICE = 10
"""Nice value of the heavy thread (the HTTP threads run at 0)."""

T = TypeVar("T")
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pid = 0


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HEAVY_NICE)
    except (OSError, AttributeError):  # not Linux, or not allowed: run at normal priority
        pass


def run_heavy(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``func(*args, **kwargs)`` on this process's low-priority thread; return its result
    (or raise its exception)."""
    global _executor, _pid
    with _lock:
        if _executor is None or _pid != os.getpid():  # one lane per (forked) process
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pcf-heavy",
                                           initializer=_lower_priority)
            _pid = os.getpid()
        executor = _executor
    return executor.submit(func, *args, **kwargs).result()
