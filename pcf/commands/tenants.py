"""``pcf tenants``: API tenants and keys.

``pcf tenants create NAME --role customer|engineer|admin`` prints the new API key on stdout
(once: only its SHA-256 is stored); ``pcf tenants list``; ``pcf tenants add-key NAME``.
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
