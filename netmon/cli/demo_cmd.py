"""`netmon demo`: the README's main command. The lab, netmon, Prometheus and Alertmanager,
a scripted incident, and everything taken down again (netmon/lab/demo.py plays it).

Progress goes to stderr (Rich), the reports and the incident's figures to stdout.
Exit codes: 0 the incident played as expected, 1 it did not (or the demo cannot run here),
130 interrupted (Ctrl-C or SIGTERM: everything is torn down first).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from netmon.cli.options import InventoryOpt
from netmon.lab.paths import resolve_state_dir

NOT_ROOT = """\
netmon demo: needs root, and this is uid {uid}.
The demo builds a replica of the network on this machine: one Linux network namespace per
device (hundreds), veth pairs for the cables, a bridge for management, and real snmpd, lldpd
and sshd in each namespace. Creating namespaces and interfaces and mounting a private /run
per device are root-only operations.

Run it as root:        sudo make demo        (installs what it needs, then runs the demo)
                  or   sudo .venv/bin/netmon demo
Without root, check the declared design instead of a live one:
  netmon validate                  the inventory and config.yaml
  netmon report coverage           what every agency's declared paths give
  netmon report spof               single points of failure and who they cut off
"""


class Daemons(StrEnum):
    full = "full"
    snmp = "snmp"


class Management(StrEnum):
    inband = "inband"
    oob = "oob"


class RichScreen:
    """Progress and notes on stderr with the time since start; data on stdout."""

    def __init__(self) -> None:
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        self.t0 = time.monotonic()

    def note(self, text: str) -> None:
        self.err.print(f"[{time.monotonic() - self.t0:6.1f} s] {text}", markup=False)

    def out(self, text: str) -> None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()

    @contextmanager
    def waiting(self, text: str) -> Iterator[Callable[[str], None]]:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        # Not a terminal (a log, a test): no spinner, the notes say what happened.
        live = self.err.is_terminal
        with Progress(*columns, console=self.err, transient=True, disable=not live) as progress:
            task = progress.add_task(text)
            yield lambda t: progress.update(task, description=t)


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def demo(
    inventory: InventoryOpt = Path("inventory"),
    agencies: Annotated[
        int | None, typer.Option(help="Only the first N agencies: a smaller, quicker lab.")
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Leave the lab and the services running at the end.")
    ] = False,
    state_dir: Annotated[
        Path | None,
        typer.Option("--state-dir", help="Lab state folder (default: $NETMON_LAB_DIR or var/lab)."),
    ] = None,
    daemons: Annotated[
        Daemons, typer.Option(help="Lab daemons: full (snmpd, lldpd, sshd) or snmp (no sshd).")
    ] = Daemons.full,
    exporters: Annotated[
        Path, typer.Option(help="The shipped rules and Alertmanager config (repository's).")
    ] = Path("exporters"),
    pop: Annotated[
        str | None,
        typer.Option(help="The PoP to cut off (default: the one whose loss cuts off most)."),
    ] = None,
    management: Annotated[
        Management,
        typer.Option(
            help="inband: netmon reaches the devices over the lab's own cables (a PoP cut "
            "silences everything behind it); oob: over a separate management bridge."
        ),
    ] = Management.inband,
) -> None:
    """Bring up the live MetroNet replica, monitor it, cut a PoP off and watch the alerts.

    Needs root. About 2-3 minutes for all 467 agencies; Ctrl-C tears everything down.

    \b
    Examples:
      sudo make demo
      sudo .venv/bin/netmon demo --agencies 40 --keep
    """
    if os.geteuid() != 0:
        print(NOT_ROOT.format(uid=os.geteuid()), file=sys.stderr, end="")
        raise typer.Exit(1)
    if agencies is not None and agencies < 1:
        raise typer.BadParameter("give at least 1 agency", param_hint="--agencies")
    # Imported here: the lab and the report renderers are not needed to print the message above.
    from netmon.lab.demo import Demo, DemoOptions

    opts = DemoOptions(
        inventory=inventory,
        state_dir=resolve_state_dir(state_dir),
        agencies=agencies,
        keep=keep,
        daemons="snmp" if daemons is Daemons.snmp else "full",
        exporters=exporters,
        pop=pop,
        management="oob" if management is Management.oob else "inband",
    )
    screen = RichScreen()
    # SIGTERM tears down like Ctrl-C. SIGINT too, even when started with SIGINT ignored (a
    # background job of a non-interactive shell inherits SIG_IGN, and Python then leaves it).
    old = {s: signal.signal(s, _interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = Demo(opts, screen).run()
    except KeyboardInterrupt as exc:
        why = str(exc) or "SIGINT"
        screen.note(f"interrupted ({why}): everything the demo started is torn down")
        raise typer.Exit(130) from None
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    raise typer.Exit(code)
