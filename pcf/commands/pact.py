"""``pcf pact``: the PACT requests tenants sent, their answers and deliveries.

``pcf pact requests [--tenant NAME] [--format json]``
    The RequestCreatedEvents received (newest first) with the state of their answer:
    ``received`` (not answered yet), ``fulfilled``/``rejected`` (answer built, delivery
    pending: attempts, next attempt, last error), ``delivered``, ``abandoned``.
``pcf pact run``
    Answer what is due now (fulfil, deliver, retry) and exit: what every server process's
    PACT worker does in the background; useful when no server runs.
"""

from __future__ import annotations

import json

import click

from pcf.commands._common import fail, open_store
from pcf.errors import PcfError


@click.group()
def pact() -> None:
    """PACT requests received and the delivery of their answers."""


@pact.command("requests")
@click.option("--tenant", default=None, help="Only this tenant's requests.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def requests_(tenant: str | None, limit: int, fmt: str) -> None:
    """List PACT requests and their answers (newest first)."""
    from pcf.service.pact import list_requests
    from pcf.store import TenantInfo

    try:
        store = open_store()
        caller = store.get_tenant(tenant) if tenant else TenantInfo(0, "cli", "admin")
        rows = list_requests(store, caller, limit)
    except PcfError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        answer = r["answer"] or {}
        what = answer.get("type") or "-"
        if answer.get("error"):
            what += f" {answer['error']['code']}"
        elif answer.get("footprints"):
            what += f" {len(answer['footprints'])} footprint(s)"
        click.echo(f"{r['id']}\t{r['tenant']}\t{r['received_at']}\t{r['state']}\t{what}\t"
                   f"attempts {r['attempts']}\t{r['callback_url']}"
                   + (f"\tlast error: {r['last_error']}" if r["last_error"] else ""))


@pact.command("run")
@click.option("--dev", is_flag=True, help="Issue without the issuer settings (development).")
def run(dev: bool) -> None:
    """Answer the PACT requests that are due now (fulfil, deliver, retry) and exit."""
    from pcf.commands._common import ensure_project
    from pcf.service.pact import run_due

    try:
        ensure_project()
        wait = run_due(open_store(), require_issuer=not dev)
    except PcfError as exc:
        fail(exc)
    click.echo("nothing pending" if wait is None else f"next due in {wait:.0f} s", err=True)
