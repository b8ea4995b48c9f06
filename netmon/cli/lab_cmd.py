"""`netmon lab ...`: bring the replica network up and down, inspect it, break it on purpose."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from netmon.lab import (
    DEFAULT_FORWARDS,
    MANAGEMENT_MODES,
    LabPaths,
    inject,
    lab_down,
    lab_up,
    resolve_state_dir,
    status_json,
)
from netmon.lab.enter import exec_argv, exec_env

app = typer.Typer(
    help="The lab: the inventory replicated in network namespaces, real daemons.",
    no_args_is_help=True,
)
err = Console(stderr=True)

StateDir = Annotated[
    Path | None,
    typer.Option("--state-dir", help="Lab state folder (default: $NETMON_LAB_DIR or var/lab)."),
]


def _paths(state_dir: Path | None) -> LabPaths:
    return LabPaths(resolve_state_dir(state_dir))


@app.command()
def up(
    inventory: Annotated[Path, typer.Option("--inventory", "-i", help="Inventory folder.")] = Path(
        "inventory"
    ),
    agencies: Annotated[int | None, typer.Option(help="Only the first N agencies.")] = None,
    daemons: Annotated[str, typer.Option(help="full (snmpd, lldpd, sshd) or snmp.")] = "full",
    seed: Annotated[int, typer.Option(help="Seed of the deviations and delays.")] = 46,
    deviations: Annotated[int, typer.Option(help="Seeded deviations of each kind.")] = 1,
    lldp_interval: Annotated[
        int | None, typer.Option(help="LLDP tx interval, s (default: 1 small, 30 large).")
    ] = None,
    forward: Annotated[
        list[int] | None, typer.Option(help="Host 127.0.0.1 port forwarded into the noc.")
    ] = None,
    management: Annotated[
        str,
        typer.Option(
            help="inband: the noc reaches devices over the lab's cables, routed by bird "
            "(OSPF); oob: over a separate management bridge."
        ),
    ] = "inband",
    state_dir: StateDir = None,
) -> None:
    """Build the lab from a lab inventory (inventory: lab: true). With --agencies N the lab
    replicates the first N agencies, and `lab exec` runs netmon on those.

    \b
    Examples:
      sudo netmon lab up --agencies 6            a small lab in seconds
      sudo netmon lab up -i tests/data/lab-small --state-dir /tmp/lab
      sudo netmon lab up                         all 467 agencies (about 30 s, 3.3 GB)
    """
    if daemons not in ("full", "snmp"):
        raise typer.BadParameter("--daemons is full or snmp")
    if management not in MANAGEMENT_MODES:
        raise typer.BadParameter("--management is inband or oob")
    started = time.monotonic()
    state = lab_up(
        inventory,
        state_dir,
        agencies=agencies,
        daemons="snmp" if daemons == "snmp" else "full",
        seed=seed,
        deviations=deviations,
        lldp_interval=lldp_interval,
        forwards=tuple(forward) if forward else DEFAULT_FORWARDS,
        management="oob" if management == "oob" else "inband",
    )
    plan = state.plan
    err.print(
        f"lab up ({plan.management} management): {len(plan.nodes)} nodes, "
        f"{sum(1 for w in plan.wires if w.b)} cables, "
        f"{len(plan.deviations)} seeded deviations in {time.monotonic() - started:.1f} s "
        f"({_paths(state_dir).root})"
    )
    for port, _ in state.forwards:
        err.print(f"forwarding 127.0.0.1:{port} -> noc 127.0.0.1:{port}")


@app.command()
def down(state_dir: StateDir = None) -> None:
    """Stop every lab process, remove the namespaces and the state folder. Idempotent.

    \b
    Examples:
      sudo netmon lab down
      sudo netmon lab down --state-dir /tmp/lab
    """
    started = time.monotonic()
    killed = lab_down(state_dir)
    err.print(f"lab down: {killed} processes stopped in {time.monotonic() - started:.1f} s")


@app.command()
def status(
    output: Annotated[str, typer.Option("--output", "-o", help="table or json")] = "table",
    state_dir: StateDir = None,
) -> None:
    """The lab as built and as it is now; `-o json` includes the seeded deviations.

    \b
    Examples:
      netmon lab status
      netmon lab status -o json | jq '.links[] | select(.state == "cut")'
    """
    data = status_json(_paths(state_dir))
    if output == "json":
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if output != "table":
        raise typer.BadParameter("--output is table or json")
    _print_table(data)


def _print_table(data: dict[str, Any]) -> None:
    out = Console()
    lab = data["lab"]
    if not lab["up"]:
        out.print(f"no lab up in {lab['state_dir']}")
        return
    out.print(
        f"{lab['name']}: {len(data['nodes'])} nodes, noc {lab['noc']}, "
        f"{lab['management']} management, {lab['state_dir']}"
    )
    t = Table("node", "role", "mgmt", "processes", "frozen", "off", "loss %", "delay ms")
    for n in data["nodes"]:
        t.add_row(
            n["name"],
            n["role"],
            n["mgmt"],
            str(n["processes"]),
            "yes" if n["frozen"] else "",
            "power" if n["powered_off"] else "hung" if n["hung"] else "",
            str(n["loss_pct"] or ""),
            str(n["delay_ms"] or ""),
        )
    out.print(t)
    d = Table("deviation", "link", "declared", "actual")
    for x in data["deviations"]:
        d.add_row(x["kind"], x["link"], _pair(x["declared"]), _pair(x["actual"]))
    out.print(d)
    cut = [lk["id"] for lk in data["links"] if lk["state"] == "cut"]
    if cut:
        out.print("cut: " + ", ".join(cut))


def _pair(p: dict[str, Any] | None) -> str:
    if p is None:
        return "-"
    return f"{p['a']['device']}:{p['a']['interface']} -- {p['b']['device']}:{p['b']['interface']}"


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def exec(
    node: Annotated[str, typer.Argument(help="A device id, or noc.")],
    cmd: Annotated[list[str], typer.Argument(help="The command, after --.")],
    state_dir: StateDir = None,
) -> None:
    """Run CMD inside NODE (cwd kept). netmon run there uses the lab's own inventory
    (NETMON_INVENTORY) unless -i says otherwise.

    \b
    Examples:
      sudo netmon lab exec noc -- netmon poll --once
      sudo netmon lab exec cpe-so-tttt -- ip -br link
    """
    paths = _paths(state_dir)
    argv = exec_argv(paths, node, cmd)
    sys.stdout.flush()
    os.execvpe(argv[0], argv, exec_env(paths))  # noqa: S606 (replaces this process on purpose)


@app.command()
def cut(link: str, state_dir: StateDir = None) -> None:
    """Cut a link (its b end goes down; the a end sees no carrier).

    \b
    Example:
      sudo netmon lab cut core-1--pop-hue     then: netmon lab restore core-1--pop-hue
    """
    inject.set_cut(_paths(state_dir), link, True)


@app.command()
def restore(link: str, state_dir: StateDir = None) -> None:
    """Restore a cut link."""
    inject.set_cut(_paths(state_dir), link, False)


@app.command()
def freeze(node: str, state_dir: StateDir = None) -> None:
    """SIGSTOP every process of NODE: SNMP, SSH and LLDP become a black hole."""
    inject.set_frozen(_paths(state_dir), node, True)


@app.command()
def thaw(node: str, state_dir: StateDir = None) -> None:
    """SIGCONT every process of NODE."""
    inject.set_frozen(_paths(state_dir), node, False)


@app.command("power-off")
def power_off(node: str, state_dir: StateDir = None) -> None:
    """Power NODE off: every port goes dark (its neighbours read them down), every process stops."""
    inject.set_powered_off(_paths(state_dir), node, True)


@app.command("power-on")
def power_on(node: str, state_dir: StateDir = None) -> None:
    """Power NODE back on: ports up, processes continue."""
    inject.set_powered_off(_paths(state_dir), node, False)


@app.command()
def hang(node: str, state_dir: StateDir = None) -> None:
    """Hang NODE: it answers nothing and forwards nothing, its ports stay lit."""
    inject.set_hung(_paths(state_dir), node, True)


@app.command()
def unhang(node: str, state_dir: StateDir = None) -> None:
    """Undo `hang`."""
    inject.set_hung(_paths(state_dir), node, False)


@app.command()
def loss(node: str, pct: int, state_dir: StateDir = None) -> None:
    """Drop PCT % of packets arriving at NODE's management port (0 removes the rule)."""
    inject.set_loss(_paths(state_dir), node, pct)


@app.command()
def delay(
    node: str,
    ms: int,
    jitter: Annotated[int, typer.Option(help="± ms, seeded.")] = 0,
    state_dir: StateDir = None,
) -> None:
    """Hold SNMP and SSH requests to NODE for MS ms (a seeded relay; 0 removes it)."""
    inject.set_delay(_paths(state_dir), node, ms, jitter)
