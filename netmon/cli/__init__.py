"""The `netmon` command: the composition root, the only place that wires stages together.

Each command lives in its own module, registered in COMMANDS. Data goes to stdout, progress
and messages to stderr. Exit codes: 0 ok, 1 problems found, 2 usage.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from typing import Annotated, NoReturn

import typer

import netmon
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


HELP = """Inventory, reachability and topology monitor for the MetroNet NOC.

\b
Examples:
  netmon validate                           check inventory/ and config.yaml
  netmon report coverage                    agencies reachable (the design, without a poll)
  netmon poll --once --save snap.json       one poll cycle, its snapshot saved
  netmon report coverage --snapshot snap.json --check
  netmon serve                              /metrics, /map, /api/snapshot on 127.0.0.1:10467
  netmon --install-completion               tab completion for your shell (bash, zsh, fish)

Exit codes: 0 ok, 1 problems found, 2 usage. Data on stdout, messages on stderr.
"""


def _print_version(value: bool) -> None:
    """`netmon --version`: the version netmon_build_info exports too."""
    if value:
        print(f"netmon {netmon.__version__} (Python {platform.python_version()})")
        raise typer.Exit(0)


def build_app(names: Iterable[str] = COMMANDS) -> typer.Typer:
    app = typer.Typer(
        name="netmon",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # --install-completion / --show-completion: typer's completion for bash, zsh, fish,
        # PowerShell; completing `netmon rep<TAB>` builds every command (commands_for).
        add_completion=True,
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


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print netmon's version and exit.",
        ),
    ] = False,
) -> None:
    """Inventory, reachability and topology monitor for the MetroNet NOC."""


def commands_for(argv: Sequence[str]) -> list[str]:
    """The one command argv runs, or all of them (for --help, or a usage error that lists them);
    none for `netmon --version`, which needs no command module."""
    if list(argv) == ["--version"]:
        return []
    first = next((a for a in argv if not a.startswith("-")), None)
    return [first] if first in COMMANDS else list(COMMANDS)


# Commands that read the inventory, print and end: once their output is flushed the process
# ends at once. Python would otherwise free the model object by object and walk the heap at
# shutdown: 0.6 s of `netmon report spof`'s 4.2 s at national size (30,000 agencies).
QUICK_EXIT = frozenset({"validate", "report", "inventory"})
# What such a command need not free: kept here until the process ends at once, which frees it
# all in one go. Freed object by object, a national report's read data, analysis and snapshot
# cost 0.1 s. None unless main() runs a QUICK_EXIT command (a process that goes on, such as
# the in-process tests, frees as usual).
_left: list[object] | None = None


def left_to_exit() -> list[object] | None:
    """The list where a one-off command leaves objects unfreed until its process ends at once
    (`main()` with a QUICK_EXIT command), else None: pass it as `keep` to the inventory's
    loaders, or add to it with leave_to_exit()."""
    return _left


def leave_to_exit(*objects: object) -> None:
    """Keep objects to the process's end when it ends at once (left_to_exit), instead of
    freeing them when their last reference goes."""
    if _left is not None:
        _left.extend(objects)


def main() -> None:
    """Entry point: turns NetmonError into a message and exit 1, never a traceback."""
    global _left
    names = commands_for(sys.argv[1:])
    quick = bool(names) and set(names) <= QUICK_EXIT
    _left = [] if quick else None
    try:
        try:
            build_app(names)()
        except SystemExit as done:
            if _interrupted(done):
                print("netmon: interrupted", file=sys.stderr)
            if quick:
                _exit_now(done.code)
            raise
    except NetmonError as exc:
        print(f"netmon: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("netmon: interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        # the reader of the output went away (`| head`): nothing more to say, nowhere to say it
        os._exit(1)
    except OSError as exc:  # the output cannot be written (a full disk): a message, not a trace
        with contextlib.suppress(OSError):
            os.write(2, f"netmon: error: {exc}\n".encode())
        os._exit(1)


def _interrupted(done: SystemExit) -> bool:
    """Whether typer turned a Ctrl-C into this exit: it raises Exit(130) from the
    KeyboardInterrupt and exits with its code, silently. (A command that says it was
    interrupted itself, as the demo does, raises its Exit from None.)"""
    inner = done.__context__
    return inner is not None and isinstance(inner.__cause__, KeyboardInterrupt)


def _exit_now(code: object) -> NoReturn:
    """sys.exit(code) without the interpreter's teardown (nothing of it is needed here: no
    file or thread is left open by these commands, and the atexit handlers, which run, wait
    for their children: logging's, the inventory cache's writer), the output is flushed, and
    the process ends."""
    if isinstance(code, str):
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else 0 if code is None else 1
    atexit._run_exitfuncs()  # what sys.exit would run, in the same order
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        status = status or 1  # the reader went away (`| head`): what it did not read is lost
    except OSError as exc:  # a full disk, say: the output is not whole, and that is an error
        status = status or 1
        with contextlib.suppress(OSError):
            os.write(2, f"netmon: error: cannot write the output: {exc.strerror}\n".encode())
    os._exit(status)
