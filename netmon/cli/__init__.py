"""The `netmon` command: the composition root, the only place that wires stages together.

Each command lives in its own module, registered in COMMANDS. Data goes to stdout, progress
and messages to stderr. Exit codes: 0 ok, 1 problems found, 2 usage.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Sequence

import typer

from netmon.errors import NetmonError

# name -> (module, attribute, is a group of subcommands), in the order --help lists them.
# Only the module of the command being run is imported: importing them all (pysnmp, networkx,
# aiohttp...) cost about a second on every `netmon validate`.
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "validate": ("netmon.cli.validate_cmd", "validate", False),
    "inventory": ("netmon.cli.inventory_cmd", "app", True),
    "poll": ("netmon.cli.poll_cmd", "poll", False),
    "report": ("netmon.cli.report_cmd", "app", True),
    "serve": ("netmon.cli.serve_cmd", "serve", False),
    "lab": ("netmon.cli.lab_cmd", "app", True),
    "demo": ("netmon.cli.demo_cmd", "demo", False),
}


def build_app(names: Iterable[str] = COMMANDS) -> typer.Typer:
    app = typer.Typer(
        name="netmon",
        help="Inventory, reachability and topology monitor for the MetroNet NOC.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
    )
    # A callback keeps netmon a group even when only one command is registered (typer would
    # otherwise run that command directly and refuse its name as an extra argument).
    app.callback()(_root)
    for name in names:
        module, attribute, group = COMMANDS[name]
        target = getattr(importlib.import_module(module), attribute)
        if group:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    return app


def _root() -> None:
    """Inventory, reachability and topology monitor for the MetroNet NOC."""


def commands_for(argv: Sequence[str]) -> list[str]:
    """The one command argv runs, or all of them (for --help, or a usage error that lists them)."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return [first] if first in COMMANDS else list(COMMANDS)


def main() -> None:
    """Entry point: turns NetmonError into a message and exit 1, never a traceback."""
    try:
        build_app(commands_for(sys.argv[1:]))()
    except NetmonError as exc:
        print(f"netmon: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("netmon: interrupted", file=sys.stderr)
        sys.exit(130)
