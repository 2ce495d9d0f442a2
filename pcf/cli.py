"""The ``pcf`` command: only the group. Subcommands live in :mod:`pcf.commands`, one module
each, and are imported when they are run (or listed by ``--help``), so a command that computes
nothing starts without Brightway, Flask or SQLAlchemy.

JSON on stdout with ``--format json``, tables otherwise. Errors a user can cause print one
line ``error: <field>: <message> (allowed: ...)`` on stderr and exit with status 2; an invalid
``databases/`` exits with status 1 and lists every problem as ``file:line: message``.
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "setup": "pcf.commands.setup:setup",
    "products": "pcf.commands.products:products",
    "footprint": "pcf.commands.footprint:footprint",
    "compare": "pcf.commands.compare:compare",
    "sweep": "pcf.commands.compare:sweep",
    "reductions": "pcf.commands.reductions:reductions",
    "orders": "pcf.commands.orders:orders",
    "tenants": "pcf.commands.tenants:tenants",
    "certificates": "pcf.commands.certificates:certificates",
    "serve": "pcf.commands.serve:serve",
}
"""Subcommand name -> ``module:attribute`` of its click command, in help order."""


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click's documented
    lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Names of the subcommands, in :data:`COMMANDS` order."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return subcommand ``cmd_name`` (None if unknown: click then suggests)."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - wiring error
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="pcf")
def main() -> None:
    """pcf: product carbon footprints (cradle-to-gate, IPCC 2021 GWP100) from Brightway models.

    State lives under $PCF_HOME (default ./var).
    """


if __name__ == "__main__":  # pragma: no cover
    main()
