"""``pcf tenants``: API tenants, their keys and limits.

``pcf tenants create NAME --role customer|engineer|admin`` prints the new API key on stdout
(once: only its SHA-256 is stored); ``pcf tenants list``; ``pcf tenants add-key NAME``;
``pcf tenants keys NAME`` lists keys by prefix with status and last use; ``pcf tenants
revoke-key NAME PREFIX`` revokes one (effective at once on every worker);
``pcf tenants limits NAME [--rate R] [--daily-lines N]`` shows or sets the tenant's limits.
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

_EXPIRES = click.option("--expires-in-days", type=click.FloatRange(min=0, min_open=True),
                        default=None, help="The key stops working after this many days.")
_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                       show_default=True)


def _expiry(days: float | None):
    from pcf.service.tenants import parse_expiry

    return parse_expiry(days)


@click.group()
def tenants() -> None:
    """Manage API tenants, their keys and limits."""


@tenants.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="customer", show_default=True,
              help="customer: footprints and own orders; engineer: also comparisons; "
                   "admin: everything.")
@_EXPIRES
@_FORMAT
def create(name: str, role: str, expires_in_days: float | None, fmt: str) -> None:
    """Create tenant NAME and print its API key (shown once; store it safely)."""
    try:
        info, key = open_store().create_tenant(name, role, _expiry(expires_in_days))
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
@_EXPIRES
def add_key(name: str, expires_in_days: float | None) -> None:
    """Issue another API key for tenant NAME and print it (shown once)."""
    try:
        key = open_store().add_key(name, _expiry(expires_in_days))
    except PcfError as exc:
        fail(exc)
    click.echo(key)


@tenants.command("keys")
@click.argument("name")
@_FORMAT
def keys(name: str, fmt: str) -> None:
    """List tenant NAME's keys: prefix, status, created, expires, last used."""
    try:
        rows = open_store().list_keys(name)
    except PcfError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps([k.to_dict() for k in rows]))
        return
    for k in rows:
        d = k.to_dict()
        click.echo("\t".join([d["prefix"], d["status"], d["created_at"] or "",
                              f"expires {d['expires_at'] or 'never'}",
                              f"last used {d['last_used_at'] or 'never'}"]))


@tenants.command("revoke-key")
@click.argument("name")
@click.argument("prefix")
def revoke_key(name: str, prefix: str) -> None:
    """Revoke tenant NAME's key PREFIX (as listed by 'pcf tenants keys', or the whole key).

    Every worker refuses the key from its next request on.
    """
    try:
        info = open_store().revoke_key(name, prefix)
    except PcfError as exc:
        fail(exc)
    click.echo(f"revoked {info.prefix} of {name!r} at {info.to_dict()['revoked_at']}")


@tenants.command("limits")
@click.argument("name")
@click.option("--rate", default=None,
              help="Requests per tenant, e.g. 120/minute or 10/second;600/hour; 'none' for "
                   "no limit; 'default' for the server default.")
@click.option("--daily-lines", default=None,
              help="Order lines per UTC day (0: no quota; 'default': the server default).")
@_FORMAT
def limits(name: str, rate: str | None, daily_lines: str | None, fmt: str) -> None:
    """Show or set tenant NAME's request rate limit and daily order-line quota."""
    from pcf.errors import InvalidInput
    from pcf.service.tenants import effective_limits, set_limits

    store = open_store()
    try:
        tenant = store.get_tenant(name)
        changes: dict = {}
        if rate is not None:
            changes["rate_limit"] = rate
        if daily_lines is not None:
            if daily_lines.strip().lower() == "default":
                changes["daily_order_lines"] = None
            else:
                try:
                    changes["daily_order_lines"] = int(daily_lines)
                except ValueError:
                    raise InvalidInput("must be an integer or 'default'",
                                       field="daily_order_lines") from None
        if changes:
            tenant = set_limits(store, name, **changes)
        shown = effective_limits(store, tenant)
    except PcfError as exc:
        fail(exc)
    if fmt == "json":
        click.echo(json.dumps({"name": tenant.name, **shown}))
        return
    click.echo(f"{tenant.name}: rate {shown['rate_limit']}"
               f"{' (default)' if shown['rate_limit_is_default'] else ''}, "
               f"{shown['daily_order_lines']} order lines/day"
               f"{' (default)' if shown['daily_order_lines_is_default'] else ''}, "
               f"{shown['order_lines_used_today']} used today")


@tenants.command("list")
@_FORMAT
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
