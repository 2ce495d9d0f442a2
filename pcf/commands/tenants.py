"""``pcf tenants``: API tenants and keys.

``pcf tenants create NAME --role customer|engineer|admin`` prints the new API key on stdout
(once: only its SHA-256 is stored); ``pcf tenants list``; ``pcf tenants add-key NAME``.
The tenant name and any of its keys are also its PACT client credentials (``/auth/token``).

``pcf tenants pact-callback NAME --allow-host HOST --client-id ID --client-secret SECRET``
allows pcf to send the answers to NAME's PACT requests to HOST (``https://host[:port]``, or a
bare host; plain ``http`` only to a loopback address), with the client credentials HOST
gave for pcf; ``--remove HOST`` disallows it; with neither, the allowed hosts are listed.
"""

from __future__ import annotations

import json

import click

from pcf.commands._common import fail, open_store
from pcf.errors import PcfError
from pcf.roles import ROLES  # the one list of roles


@click.group()
def tenants() -> None:
    """Manage API tenants and their keys."""


@tenants.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="customer", show_default=True,
              help="customer: footprints and own orders; engineer: also comparisons; "
                   "admin: everything.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def create(name: str, role: str, fmt: str) -> None:
    """Create tenant NAME and print its API key (shown once; store it safely)."""
    try:
        info, key = open_store().create_tenant(name, role)
    except PcfError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps({"name": info.name, "role": info.role, "api_key": key}))
    else:
        click.echo(f"Created tenant {info.name!r} with role {info.role}. API key (shown once):",
                   err=True)
        click.echo(key)


@tenants.command("add-key")
@click.argument("name")
def add_key(name: str) -> None:
    """Issue another API key for tenant NAME and print it (shown once)."""
    try:
        key = open_store().add_key(name)
    except PcfError as exc:
        fail(exc)
    click.echo(key)


@tenants.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def list_(fmt: str) -> None:
    """List tenants (name, role, created)."""
    rows = open_store().list_tenants()
    if fmt == "json":
        click.echo(json.dumps([t.to_dict() for t in rows]))
        return
    for t in rows:
        click.echo(f"{t.name}\t{t.role}\t{t.created_at.isoformat() if t.created_at else ''}")


@tenants.command("pact-callback")
@click.argument("name")
@click.option("--allow-host", "host", default=None,
              help="Origin to allow: https://host[:port] or a bare host (http only for "
                   "loopback).")
@click.option("--client-id", default=None, help="Client id pcf uses at that host.")
@click.option("--client-secret", default=None,
              help="Client secret pcf uses at that host (stored encrypted; or set "
                   "PCF_PACT_CLIENT_SECRET to keep it off the command line).")
@click.option("--remove", "remove_host", default=None, help="Origin to disallow.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def pact_callback(name: str, host: str | None, client_id: str | None,
                  client_secret: str | None, remove_host: str | None, fmt: str) -> None:
    """Allow (or --remove, or list) the hosts NAME's PACT callbacks may go to."""
    import os

    from pcf.service.pact import callbacks, remove_callback, set_callback

    try:
        store = open_store()
        if remove_host:
            removed = remove_callback(store, name, remove_host)
            click.echo(f"{'removed' if removed else 'not allowed anyway'}: {remove_host}",
                       err=True)
        if host:
            secret = client_secret or os.environ.get("PCF_PACT_CLIENT_SECRET", "")
            from pcf.errors import InvalidInput

            if not client_id or not secret:
                raise InvalidInput("--allow-host needs --client-id and --client-secret",
                                   field="--client-id")
            done = set_callback(store, name, host, client_id, secret)
            click.echo(f"allowed {done['origin']} for {done['tenant']} (client id "
                       f"{done['client_id']})", err=True)
        rows = callbacks(store, name)
    except PcfError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps([{**r, "created_at": r["created_at"].isoformat()}
                               for r in rows]))
        return
    for row in rows:
        click.echo(f"{row['origin']}\t{row['client_id']}\t{row['created_at'].isoformat()}")
