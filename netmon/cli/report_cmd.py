"""`netmon report coverage|spof|drift|links|topology`: what the topology stage concluded.

From a saved snapshot (`--snapshot FILE`, as `poll --once --save FILE` writes it), or, without
one, from the inventory alone: the declared design, every element assumed to work.
Data goes to stdout; exit 0, or 1 with `coverage --check` when any agency is cut off.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from netmon.cli.availability_cmd import availability_cmd
from netmon.cli.validate_cmd import InventoryOpt
from netmon.errors import NetmonError
from netmon.export.report import FORMATS_OF, View, render
from netmon.inventory import load_inventory
from netmon.model import Snapshot, snapshot_from_json
from netmon.topology import build_snapshot

app = typer.Typer(
    help="Topology reports: coverage, single points of failure, drift, links, the graph; "
    "availability over time (from Prometheus).",
    no_args_is_help=True,
)


class Output(StrEnum):
    table = "table"
    json = "json"
    dot = "dot"
    graphml = "graphml"
    svg = "svg"


OutputOpt = Annotated[
    Output, typer.Option("--output", "-o", help="table | json | dot | graphml | svg")
]
SnapshotOpt = Annotated[
    Path | None,
    typer.Option(
        "--snapshot", "-s", help="a saved snapshot (JSON) instead of the inventory", dir_okay=False
    ),
]


def load_snapshot(snapshot: Path | None, inventory: Path) -> Snapshot:
    if snapshot is None:
        return build_snapshot(load_inventory(inventory))
    try:
        return snapshot_from_json(snapshot.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NetmonError(f"cannot read snapshot {snapshot}: {exc.strerror}") from None
    except ValueError as exc:
        raise NetmonError(f"{snapshot}: not a netmon snapshot: {exc}") from None


def emit(view: View, output: Output, snapshot: Path | None, inventory: Path) -> Snapshot:
    if output.value not in FORMATS_OF[view]:
        raise typer.BadParameter(
            f"report {view} has no {output.value} output; use {' or '.join(FORMATS_OF[view])}",
            param_hint="--output",
        )
    snap = load_snapshot(snapshot, inventory)
    # A RenderError (graphviz missing or failing) is a NetmonError: main() prints it, exit 1.
    text = render(snap, view, output.value)
    sys.stdout.write(text)
    return snap


@app.command()
def coverage(
    output: OutputOpt = Output.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 when any agency is cut off")
    ] = False,
) -> None:
    """Agencies reachable from the core: total, per level, per group, per service; the cut off
    ones with their cause."""
    snap = emit("coverage", output, snapshot, inventory)
    if check and snap.cut_off():
        print(f"netmon: {len(snap.cut_off())} agencies cut off", file=sys.stderr)
        raise typer.Exit(1)


@app.command()
def spof(
    output: OutputOpt = Output.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
) -> None:
    """Single points of failure with their blast radius, as designed and as of now."""
    emit("spof", output, snapshot, inventory)


@app.command()
def drift(
    output: OutputOpt = Output.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
) -> None:
    """Where LLDP disagrees with the inventory: missing, undeclared, wrong-port links and
    unknown neighbours (none without a snapshot from a poll)."""
    emit("drift", output, snapshot, inventory)


@app.command()
def links(
    output: OutputOpt = Output.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
) -> None:
    """Every declared link: state, capacity, where it was seen; discovered links."""
    emit("links", output, snapshot, inventory)


@app.command()
def topology(
    output: OutputOpt = Output.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
) -> None:
    """The whole picture: `-o svg` draws it, `-o json` is the full snapshot (loadable with
    --snapshot)."""
    emit("topology", output, snapshot, inventory)


# Measured from Prometheus, not from a snapshot: its own module (issue 20).
app.command("availability")(availability_cmd)
