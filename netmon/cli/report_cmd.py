"""`netmon report coverage|spof|drift|links|topology`: what the topology stage concluded.

From a saved snapshot (`--snapshot FILE`, as `poll --once --save FILE` writes it), or, without
one, from the inventory alone: the declared design, every element assumed to work (said on
stderr and in the report itself, so a design is never read as the live network).
Data goes to stdout; exit 0, or 1 with `coverage --check` when any agency is cut off.
Each report offers only the formats it has (`--help` lists them; completion too).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from netmon.cli import leave_to_exit, left_to_exit
from netmon.cli.availability_cmd import availability_cmd
from netmon.cli.options import InventoryOpt, NoCacheOpt
from netmon.errors import NetmonError
from netmon.export.report import View, render
from netmon.inventory import load_then
from netmon.inventory.cache import InventoryCache
from netmon.model import Inventory, Snapshot, snapshot_from_json
from netmon.topology import Topology
from netmon.yamlspec import no_cyclic_gc

app = typer.Typer(
    help="Topology reports: coverage, single points of failure, drift, links, the graph; "
    "availability over time (from Prometheus).",
    no_args_is_help=True,
)


class Numbers(StrEnum):
    """coverage: counts, no drawing."""

    table = "table"
    json = "json"


class Drawn(StrEnum):
    """spof, drift, links: each has its own drawing."""

    table = "table"
    json = "json"
    dot = "dot"
    svg = "svg"


class Graph(StrEnum):
    """topology: the drawing and the graph itself (GraphML)."""

    table = "table"
    json = "json"
    dot = "dot"
    graphml = "graphml"
    svg = "svg"


Output = Numbers | Drawn | Graph
NumbersOpt = Annotated[Numbers, typer.Option("--output", "-o", help="output format")]
DrawnOpt = Annotated[
    Drawn, typer.Option("--output", "-o", help="output format (dot, svg: a drawing)")
]
GraphOpt = Annotated[
    Graph,
    typer.Option("--output", "-o", help="output format (dot, svg: a drawing; graphml: the graph)"),
]
SnapshotOpt = Annotated[
    Path | None,
    typer.Option(
        "--snapshot", "-s", help="a saved snapshot (JSON) instead of the inventory", dir_okay=False
    ),
]


def load_snapshot(snapshot: Path | None, inventory: Path, no_cache: bool = False) -> Snapshot:
    if snapshot is None:
        # The design's analysis begins while a large inventory's last checks end (load_then).
        cache = InventoryCache.default(no_cache, background=True)
        return load_then(inventory, _design, cache=cache, keep=left_to_exit())
    try:
        return snapshot_from_json(snapshot.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NetmonError(f"cannot read snapshot {snapshot}: {exc.strerror}") from None
    except ValueError as exc:
        raise NetmonError(f"{snapshot}: not a netmon snapshot: {exc}") from None


def _design(inventory: Inventory) -> Snapshot:
    """The declared design's snapshot. Its analysis (graphs, dominators) is left to the end of
    a process that ends at once, unfreed (0.04 s at national size)."""
    topology = Topology(inventory)
    leave_to_exit(topology)
    return topology.snapshot()


DESIGN_NOTE = (
    "netmon: no --snapshot: this is the declared design (every element assumed up), not "
    "the network as it is; for that: netmon poll --once --save snap.json, then --snapshot "
    "snap.json"
)


def say_if_design(snap: Snapshot) -> None:
    """A declared design is said to be one, on stderr, once its report is made."""
    if not snap.probed:
        print(DESIGN_NOTE, file=sys.stderr)


def emit(
    view: View, output: Output, snapshot: Path | None, inventory: Path, no_cache: bool
) -> Snapshot:
    # A one-off command over a million objects that hold no reference cycles: the cyclic GC
    # would walk them again and again for nothing (0.5 s of the national spof report's render).
    with no_cyclic_gc():
        snap = load_snapshot(snapshot, inventory, no_cache)
        # A RenderError (graphviz missing or failing) is a NetmonError: main() prints it, exit 1.
        text = render(snap, view, output.value)
    say_if_design(snap)
    sys.stdout.write(text)
    leave_to_exit(snap)  # a million objects (0.04 s to free at national size)
    return snap


@app.command()
def coverage(
    output: NumbersOpt = Numbers.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 when any agency is cut off")
    ] = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Agencies connected (reaching every upstream service they use): total, per level, per
    group, per service; the cut off ones with their cause. (The drawing of these counts:
    `report topology -o svg`.)

    \b
    Examples:
      netmon report coverage                          the declared design
      netmon report coverage --snapshot snap.json --check   exit 1 if any agency is cut off
      netmon report coverage -o json | jq .total
    """
    snap = emit("coverage", output, snapshot, inventory, no_cache)
    if check and snap.cut_off():
        print(f"netmon: {len(snap.cut_off())} agencies cut off", file=sys.stderr)
        raise typer.Exit(1)


@app.command()
def spof(
    output: DrawnOpt = Drawn.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
    no_cache: NoCacheOpt = False,
) -> None:
    """Single points of failure with their blast radius, as designed and as of now.

    \b
    Examples:
      netmon report spof
      netmon report spof -o svg > spof.svg       each SPOF framed with its blast radius
      netmon report spof --snapshot snap.json -o json
    """
    emit("spof", output, snapshot, inventory, no_cache)


@app.command()
def drift(
    output: DrawnOpt = Drawn.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
    no_cache: NoCacheOpt = False,
) -> None:
    """Where LLDP disagrees with the inventory: missing, undeclared, wrong-port links and
    unknown neighbours (none without a snapshot from a poll).

    \b
    Examples:
      netmon report drift --snapshot snap.json
      netmon report drift --snapshot snap.json -o svg > drift.svg
    """
    emit("drift", output, snapshot, inventory, no_cache)


@app.command()
def links(
    output: DrawnOpt = Drawn.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
    no_cache: NoCacheOpt = False,
) -> None:
    """Every declared link: state, capacity, where it was seen; discovered links.

    \b
    Examples:
      netmon report links --snapshot snap.json
      netmon report links -o svg > links.svg     backbone capacities, access links per district
    """
    emit("links", output, snapshot, inventory, no_cache)


@app.command()
def topology(
    output: GraphOpt = Graph.table,
    snapshot: SnapshotOpt = None,
    inventory: InventoryOpt = Path("inventory"),
    no_cache: NoCacheOpt = False,
    district: Annotated[
        str | None,
        typer.Option(
            "--district",
            "-d",
            help="with -o svg|dot: one district's page (ID, or ID.N for page N of a large one)",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            file_okay=False,
            help="with -o svg|dot: write the overview and every district page there "
            "(DIR/topology.svg, DIR/topology/ID.svg), linked to each other, for printing",
        ),
    ] = None,
) -> None:
    """The whole picture: `-o svg` draws an overview (core, PoPs, one box per district with
    reachable/total), `--district ID` one district's agencies, `--out-dir` all of them;
    `-o graphml` is the graph itself; `-o json` the full snapshot (loadable with --snapshot).

    \b
    Examples:
      netmon report topology -o svg > overview.svg
      netmon report topology -o svg --district phu-vang > phu-vang.svg
      netmon report topology -o svg --snapshot snap.json --out-dir print/
      netmon report topology -o graphml > metronet.graphml
    """
    if (district or out_dir) and output.value not in ("dot", "svg"):
        raise typer.BadParameter(
            "--district and --out-dir draw pages: use -o svg or -o dot", param_hint="--output"
        )
    if district and out_dir:
        raise typer.BadParameter("use --district or --out-dir, not both", param_hint="--out-dir")
    if out_dir is None:
        if district is None:
            emit("topology", output, snapshot, inventory, no_cache)
            return
        snap = load_snapshot(snapshot, inventory, no_cache)
        try:
            text = render(snap, "topology", output.value, page=district)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--district") from None
        say_if_design(snap)
        sys.stdout.write(text)
        return
    from netmon.export.report.atlas import write_atlas  # here: threads for this command only

    snap = load_snapshot(snapshot, inventory, no_cache)
    written = write_atlas(snap, out_dir, output.value, say=_progress)
    say_if_design(snap)
    print(f"wrote {len(written)} pages to {out_dir} (start with {written[0]})", file=sys.stderr)


def _progress(text: str) -> None:
    print(f"netmon: {text}", file=sys.stderr, flush=True)


# Measured from Prometheus, not from a snapshot: its own module (issue 20).
app.command("availability")(availability_cmd)
