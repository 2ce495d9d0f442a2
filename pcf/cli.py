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

COMMANDS: dict[str, tuple[str, str]] = {
    "setup": ("pcf.commands.setup:setup",
              "Validate databases/ and build the Brightway project."),
    "products": ("pcf.commands.products:products",
                 "List products with their parameters and variants."),
    "footprint": ("pcf.commands.footprint:footprint", "Footprint of one product."),
    "compare": ("pcf.commands.compare:compare", "Cases of one product side by side."),
    "sweep": ("pcf.commands.compare:sweep", "Footprint over the values of one parameter."),
    "reductions": ("pcf.commands.reductions:reductions",
                   "Reductions against the base year, targets."),
    "audit": ("pcf.commands.audit:audit",
              "Audit a footprint: ranges, mass balance, assumptions, GWP basis, flags."),
    "sensitivity": ("pcf.commands.sensitivity:sensitivity",
                    "What drives the uncertainty of a footprint (Monte Carlo)."),
    "orders": ("pcf.commands.orders:orders", "Score order-line files."),
    "tenants": ("pcf.commands.tenants:tenants", "API tenants, their keys and limits."),
    "jobs": ("pcf.commands.jobs:jobs", "Orders scored off the request path (queue)."),
    "certificates": ("pcf.commands.certificates:certificates",
                     "Verify, issue, revoke, supersede certificates."),
    "pact": ("pcf.commands.pact:pact", "PACT requests received and their answers."),
    "brightway": ("pcf.commands.brightway:brightway",
                  "Activity Browser: parameter-scenario file, edits to the project."),
    "suppliers": ("pcf.commands.suppliers:suppliers",
                  "Supplier footprints: import, questionnaire, pull, trusted keys."),
    "cbam": ("pcf.commands.cbam:cbam",
             "CBAM embedded emissions of a good (JSON, or the operator's xlsx)."),
    "battery-declaration": ("pcf.commands.battery_declaration:battery_declaration",
                            "EU battery carbon footprint declaration of a cell (JSON or PDF)."),
    "serve": ("pcf.commands.serve:serve", "Run the HTTP API."),
}
"""Subcommand name -> (``module:attribute`` of its click command, one-line help), in help
order. The help lines are here so that ``pcf --help`` imports no command module."""


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use (click's documented
    lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Names of the subcommands, in :data:`COMMANDS` order."""
        return list(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the subcommands with their help lines from :data:`COMMANDS` (no imports)."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, text) for name, (_, text) in COMMANDS.items()])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import and return subcommand ``cmd_name`` (None if unknown: click says so)."""
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, _, attribute = entry[0].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - wiring error
            raise TypeError(f"{entry[0]} is not a click command")
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="pcf")
def main() -> None:
    """pcf: product carbon footprints (cradle-to-gate, IPCC 2021 GWP100) from Brightway models.

    State lives under $PCF_HOME (default ./var).
    """


if __name__ == "__main__":  # pragma: no cover
    main()
