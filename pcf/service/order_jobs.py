"""Use case: orders scored off the request path (``POST /v1/orders`` with
``Prefer: respond-async``), and the worker that scores them.

Submitting (:func:`submit_order_job`) checks what is cheap to check at once (the request is
already valid against the schema; the order id, a replay of a stored order, a conflicting
body, the tenant's pending jobs and daily quota) and queues the order in the store: the
caller answers 202 with a status URL. The job worker (:func:`run_worker`, started by
``pcf serve`` in a process of its own at a lower CPU priority) claims jobs one at a time,
scores each order with :func:`pcf.service.orders.score_order` and stores the order and the
job's ``done`` mark in one transaction (:mod:`pcf.store.jobs` says why nothing is lost or
stored twice when the worker is killed). A job whose order turns out invalid (unknown
product, parameter out of range, unit that does not convert) is ``failed`` with the same
problem a synchronous request would have answered, and its lines are given back to the quota.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pcf.errors import OrderConflict, PcfError
from pcf.service.orders import (
    OrderLineInput,
    OrderLinesError,
    _check_id,
    canonical_request,
    daily_order_lines,
    order_records,
    request_digest,
    score_order,
)

log = logging.getLogger("pcf.jobs")

POLL_SECONDS = 0.2
"""How often an idle worker looks for a job."""
REQUEUE_SECONDS = 5.0
"""How often a worker puts back the running jobs of this host's workers that are gone (at
start, then between jobs): a worker that starts before a killed one is reaped still finds
its job (issue 21: workers start in a fraction of a second now)."""


@dataclass
class JobSubmission:
    """What :func:`submit_order_job` did.

    Attributes
    ----------
    job : pcf.store.JobRecord or None
        The queued job (None when the order was stored already).
    created : bool
        A new job was queued (False: the same request was queued or stored before).
    order : dict or None
        The stored order document when the request is a replay of a stored order.
    """

    job: Any
    created: bool
    order: dict[str, Any] | None = None


def submit_order_job(store: Any, tenant: Any, order_id: str,
                     lines: Sequence[OrderLineInput]) -> JobSubmission:
    """Queue an order for scoring off the request path.

    Parameters
    ----------
    store : pcf.store.Store
    tenant : pcf.store.TenantInfo
        Owner; its daily quota and pending-job limit apply.
    order_id : str
    lines : sequence of OrderLineInput

    Returns
    -------
    JobSubmission

    Raises
    ------
    OrderConflict
        A stored order or a pending job has this id with a different body.
    TooManyJobs
        The tenant has too many orders waiting (:func:`pcf.config.max_pending_jobs`).
    QuotaExceeded
        The order would exceed the tenant's daily quota.
    InvalidInput
        Bad order id or no lines.
    """
    from pcf.config import max_pending_jobs

    _check_id(order_id, "order_id")
    canonical = canonical_request(order_id, lines)
    digest = request_digest(canonical)
    stored = store.replay_order(tenant.id, order_id, digest)
    if stored is not None:
        return JobSubmission(None, False, stored)
    job, created = store.enqueue_job(tenant.id, order_id, digest, canonical, len(lines),
                                     quota=daily_order_lines(tenant),
                                     max_pending=max_pending_jobs() or None)
    return JobSubmission(job, created)


def job_view(job: Any, base: str = "/v1") -> dict[str, Any]:
    """The job as answered while it is pending or when it failed (JSON-ready)."""
    out: dict[str, Any] = {
        "job_id": job.job_id, "status": job.state, "order_id": job.order_id,
        "line_count": job.line_count, "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "links": {"self": f"{base}/order-jobs/{job.job_id}",
                  "order": f"{base}/orders/{job.order_id}"},
    }
    return out


def job_result(store: Any, tenant: Any, job_id: str,
               limit: int | None = None) -> tuple[str, Any, dict[str, Any] | None]:
    """The state of an order job: ``("pending", job, None)``, ``("done", job, order
    document)`` or ``("failed", job, problem dict)``.

    Raises
    ------
    UnknownResource
        No such job of this tenant.
    """
    job = store.get_job(tenant.id, job_id)
    if job.state in ("queued", "running"):
        return "pending", job, None
    if job.state == "failed":
        return "failed", job, job.outcome
    return "done", job, store.get_order(job.tenant_id, job.order_id, 0, limit)


def _problem(exc: PcfError, status: int, slug: str, title: str) -> dict[str, Any]:
    problem: dict[str, Any] = {"status": status, "slug": slug, "title": title,
                               "detail": exc.message}
    line_errors = getattr(exc, "errors", None)
    if line_errors:
        errors: dict[str, list[str]] = {}
        allowed: dict[str, Any] = {}
        for le in line_errors:
            path = le.location + (f".{le.field}" if le.field else "")
            errors.setdefault(path, []).append(le.message)
            if le.allowed is not None:
                allowed[path] = le.allowed
        problem["errors"] = errors
        if allowed:
            problem["allowed"] = allowed
    elif exc.field:
        problem["errors"] = {exc.field: [exc.message]}
        if exc.allowed is not None:
            problem["allowed"] = {exc.field: exc.allowed}
    return problem


def _lines_of(request: dict[str, Any]) -> list[OrderLineInput]:
    return [OrderLineInput(line_id=item["line_id"], product=item["product"],
                           quantity=item["quantity"], unit=item["unit"],
                           variant=item.get("variant"), parameters=item.get("parameters") or {},
                           location=f"lines[{i}]", company=item.get("company"),
                           year=item.get("year"))
            for i, item in enumerate(request["lines"])]


def process_job(store: Any, job: Any, worker: str) -> str:
    """Score a claimed job's order and finish the job; return its new state.

    The order and the ``done`` mark are stored in one transaction; an invalid order fails the
    job with the problem a synchronous request would have answered.
    """
    try:
        lines = _lines_of(job.request)
        scored = score_order(job.order_id, lines, store)
        footprints, records = order_records(scored, canonical_request(job.order_id, lines))
    except OrderLinesError as exc:
        store.finish_job(job, worker, None, _problem(exc, 422, "invalid-input", "Invalid input"))
        return "failed"
    except PcfError as exc:
        if type(exc).__name__ in ("ProjectNotReady", "StoreUnavailable"):
            raise  # not the order's fault: the job stays claimed and is retried
        store.finish_job(job, worker, None, _problem(exc, 422, "invalid-input", "Invalid input"))
        return "failed"
    try:
        done = store.complete_order_job(job, worker, scored.total, scored.database_version,
                                        footprints, records)
    except OrderConflict as exc:
        store.finish_job(job, worker, None, _problem(exc, 409, "conflict", "Conflict"))
        return "failed"
    return "done" if done else "lost"


def _alive(pid: int) -> bool:
    """True if process ``pid`` runs; a zombie (killed, not yet reaped by its new parent)
    is dead: it holds no lock and will never finish its job."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True  # no /proc (not Linux): trust the signal check


def run_worker(store: Any, stop: threading.Event | None = None, *, worker: str | None = None,
               max_jobs: int | None = None, idle_exit: float | None = None,
               on_job: Callable[[Any, str], None] | None = None) -> int:
    """Score queued order jobs until ``stop`` is set (the job worker's main loop).

    Parameters
    ----------
    store : pcf.store.Store
    stop : threading.Event, optional
        Set it to end the loop after the current job.
    worker : str, optional
        Name recorded on claimed jobs (default ``host:pid``).
    max_jobs : int, optional
        Stop after this many jobs (tests, ``pcf jobs work --once``).
    idle_exit : float, optional
        Stop after this many seconds without a job.
    on_job : callable, optional
        Called with ``(job, state)`` after each job.

    Returns
    -------
    int
        Jobs processed.
    """
    from pcf.store.jobs import worker_name

    stop = stop or threading.Event()
    worker = worker or worker_name()
    done = 0
    idle_since = time.monotonic()
    requeue_at = 0.0  # at start, then every REQUEUE_SECONDS while idle
    while not stop.is_set():
        if time.monotonic() >= requeue_at:
            try:
                requeued = store.requeue_abandoned(_alive)
            except PcfError as exc:
                log.warning("order jobs: %s", exc)
                requeued = 0
            if requeued:
                log.warning("requeued %d order job(s) of workers that are gone", requeued)
            requeue_at = time.monotonic() + REQUEUE_SECONDS
        try:
            job = store.claim_job(worker)
        except PcfError as exc:  # the database is unavailable: wait and retry
            log.warning("order jobs: %s", exc)
            stop.wait(1.0)
            continue
        if job is None:
            if idle_exit is not None and time.monotonic() - idle_since > idle_exit:
                break
            stop.wait(POLL_SECONDS)
            continue
        started = time.perf_counter()
        try:
            state = process_job(store, job, worker)
        except Exception:  # noqa: BLE001 - the job stays claimed and is retried
            log.exception("order job %s failed unexpectedly", job.job_id)
            state = "error"
            stop.wait(1.0)
        log.info("order job %s (%s, %d lines): %s in %.2f s", job.job_id, job.order_id,
                 job.line_count, state, time.perf_counter() - started)
        if on_job is not None:
            on_job(job, state)
        done += 1
        idle_since = time.monotonic()
        if max_jobs is not None and done >= max_jobs:
            break
    return done
