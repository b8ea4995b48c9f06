"""The `netmon` command: the composition root, the only place that wires stages together.

Each command group lives in its own module and is registered here. Data goes to stdout,
progress and messages to stderr. Exit codes: 0 ok, 1 problems found, 2 usage.
"""

from __future__ import annotations

import sys

import typer

from netmon.cli import inventory_cmd, lab_cmd, validate_cmd
from netmon.errors import NetmonError

app = typer.Typer(
    name="netmon",
    help="Inventory, reachability and topology monitor for the MetroNet NOC.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.command("validate")(validate_cmd.validate)
app.add_typer(inventory_cmd.app, name="inventory")
app.add_typer(lab_cmd.app, name="lab")


def main() -> None:
    """Entry point: turns NetmonError into a message and exit 1, never a traceback."""
    try:
        app()
    except NetmonError as exc:
        print(f"netmon: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("netmon: interrupted", file=sys.stderr)
        sys.exit(130)
