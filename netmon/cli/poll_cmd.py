"""`netmon poll`: probe the inventory, one cycle (--once) or on the configured interval.

Progress goes to stderr (a rich progress bar), data to stdout: a table per agency, or with
`-o json` one object whose `agencies` list carries, per agency, whether it is reachable, every
probe's outcome (success, duration, error), interface states with their raw counters, and LLDP
neighbours. `--once -o json` prints one indented document; several cycles print JSON Lines, one
compact object per cycle and line (`jq -c`, `json.loads` per line), never documents run
together. Exit code 1 with --check when any selected agency is unreachable.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from netmon.cli.options import ConfigOpt, InventoryOpt
from netmon.cli.safety import ensure_may_probe, ensure_secrets
from netmon.cli.sharding import Plan, ShardByOpt, ShardOpt
from netmon.config import Settings, load_config
from netmon.inventory import load_inventory
from netmon.inventory.cache import InventoryCache
from netmon.model import Inventory, ProbeResult, snapshot_to_json
from netmon.poller import CycleResult, Poller, Selection, Shard


class Output(StrEnum):
    table = "table"
    json = "json"


def poll(
    once: Annotated[bool, typer.Option("--once", help="one cycle, then exit")] = False,
    output: Annotated[Output, typer.Option("--output", "-o")] = Output.table,
    agency: Annotated[
        list[str] | None, typer.Option("--agency", "-a", help="only this agency (repeatable)")
    ] = None,
    probe: Annotated[
        list[str] | None, typer.Option("--probe", "-p", help="only this probe (repeatable)")
    ] = None,
    inventory: InventoryOpt = Path("inventory"),
    config: ConfigOpt = Path("config.yaml"),
    shard: ShardOpt = None,
    shard_by: ShardByOpt = "hash",
    save: Annotated[
        Path | None, typer.Option("--save", help="write the cycle's topology snapshot (JSON)")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 when any agency is unreachable")
    ] = False,
    cycles: Annotated[int | None, typer.Option("--cycles", help="stop after N cycles")] = None,
) -> None:
    """Probe devices (icmp, tcp, snmp, ssh) and print what they answered.

    With --once -o json: one JSON document. With --cycles N (or no limit) -o json: JSON Lines,
    one object per cycle and line.

    \b
    Examples:
      netmon lab exec noc -- netmon poll --once        (in a lab: the lab's own inventory)
      netmon poll --once -o json --agency so-tttt --probe snmp
      netmon poll --once --save snap.json && netmon report coverage --snapshot snap.json
      netmon poll --shard 0/2 --cycles 10 -o json | jq -c '.cycle'
    """
    inv = load_inventory(inventory, cache=InventoryCache.default())
    settings = load_config(config, on_warning=lambda p: print(p.render(), file=sys.stderr))
    unknown = sorted(set(agency or ()) - set(inv.agency_by_id))
    if unknown:
        print(f"netmon: error: unknown agency: {', '.join(unknown)}", file=sys.stderr)
        raise typer.Exit(2)
    ensure_may_probe(inv)
    plan = Plan.of(
        inv, Shard.parse(shard, shard_by) if shard else None, management=settings.management
    )
    selection = plan.selection(Selection(agencies=tuple(agency or ()), probes=tuple(probe or ())))
    ensure_secrets(settings, inv, selection)
    count = 1 if once else cycles
    saving = (plan, save) if save is not None else None
    last = asyncio.run(_run(inv, settings, selection, count, output, saving))
    if last is not None and plan.view is not None:  # a shard answers for its agencies only
        mine = plan.view.scope.agencies
        last = replace(last, agencies=tuple(a for a in last.agencies if a.id in mine))
    if check and last is not None and any(a.reachable is False for a in last.agencies):
        raise typer.Exit(1)


async def _run(
    inv: Inventory,
    settings: Settings,
    selection: Selection,
    count: int | None,
    output: Output,
    saving: tuple[Plan, Path] | None,
) -> CycleResult | None:
    err = Console(stderr=True)
    # --save writes a snapshot every cycle: one Topology (the plan's) analyses the design once.
    poller = Poller(inv, settings, selection)
    if poller.skipped:
        err.print(f"not available yet, skipped: {', '.join(poller.skipped)}")
    for problem in poller.credential_problems:
        err.print(f"credentials: {problem}", markup=False, highlight=False, soft_wrap=True)
    last: CycleResult | None = None
    try:
        if count == 1:
            last = await _one_cycle(poller, err)
            _emit(inv, last, output, saving, settings.deadline_s, err, lines=False)
            return last
        stop = asyncio.Event()

        async def on_cycle(result: CycleResult) -> None:
            nonlocal last
            last = result
            _emit(inv, result, output, saving, settings.deadline_s, err, lines=True)

        await poller.run(on_cycle, stop, count)
        return last
    finally:
        await poller.aclose()


async def _one_cycle(poller: Poller, err: Console) -> CycleResult:
    with Progress(
        TextColumn("polling"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("poll", total=len(poller.targets))
        return await poller.cycle(on_result=lambda _r: bar.advance(task))


def _emit(
    inv: Inventory,
    result: CycleResult,
    output: Output,
    saving: tuple[Plan, Path] | None,
    deadline_s: float,
    err: Console,
    *,
    lines: bool,
) -> None:
    """Print one cycle; `lines`: JSON Lines (several cycles), else one indented document."""
    if saving is not None:
        plan, path = saving
        snap = plan.snapshot(plan.topology.snapshot(result.results))
        path.write_text(snapshot_to_json(snap), encoding="utf-8")
    if output is Output.json:
        doc = cycle_json(inv, result, deadline_s)
        print(json.dumps(doc, ensure_ascii=False, indent=None if lines else 2), flush=True)
    else:
        Console().print(table(inv, result))
    ok = sum(r.success for r in result.results)
    err.print(
        f"cycle {result.number}: {ok}/{len(result.results)} probes ok, "
        f"{sum(a.reachable is True for a in result.agencies)}/{len(result.agencies)} agencies "
        f"reachable, {result.duration_s:.2f} s, {result.cut_by_deadline} cut by the deadline"
    )
    if result.cut_by_deadline:
        err.print(
            f"{result.cut_by_deadline} probes did not finish within poll.deadline_s "
            f"({deadline_s} s). A first cycle also discovers every SNMPv3 engine and reads "
            "every table; later cycles read only uplinks. Raise poll.deadline_s for one-off "
            "runs, or split the fleet with --shard."
        )


def _probe_json(r: ProbeResult) -> dict[str, Any]:
    return {
        "device": r.device,
        "probe": r.probe,
        "success": r.success,
        "duration_s": round(r.duration_s, 6),
        "error": r.reason,
        "detail": r.detail,
        **({"rtt_s": round(r.rtt_s, 6)} if r.rtt_s is not None else {}),
        **({"sys_name": r.sys_name} if r.sys_name else {}),  # the name the device gives itself
        # how each table was read (read, unchanged, discovering, failed with why, absent)
        **(
            {"discovering": r.discovering, "tables": [asdict(t) for t in r.tables]}
            if r.tables
            else {}
        ),
    }


def _device_json(results: list[ProbeResult]) -> dict[str, Any]:
    out: dict[str, Any] = {"probes": [_probe_json(r) for r in results]}
    out["interfaces"] = [
        {"device": r.device, **asdict(i)} for r in results if r.success for i in r.interfaces
    ]
    out["neighbours"] = [
        {"device": r.device, **asdict(n)} for r in results if r.success for n in r.neighbours
    ]
    for r in results:
        if r.success and r.uptime_s is not None:
            out.setdefault("uptime", []).append(
                {"device": r.device, "uptime_s": r.uptime_s, "restarted": r.restarted}
            )
    return out


def cycle_json(inv: Inventory, result: CycleResult, deadline_s: float) -> dict[str, Any]:
    by_device: dict[str, list[ProbeResult]] = {}
    for r in result.results:
        by_device.setdefault(r.device, []).append(r)
    agencies = []
    for a in result.agencies:
        results = [r for d in inv.devices_of_agency[a.id] for r in by_device.get(d.id, [])]
        agencies.append(
            {
                "id": a.id,
                "reachable": a.reachable,
                "consecutive_failures": a.consecutive_failures,
                "down": a.down,
                **_device_json(results),
            }
        )
    infra = [
        {"id": d.id, "role": d.role, **_device_json(by_device[d.id])}
        for d in inv.devices
        if d.agency is None and d.id in by_device
    ]
    return {
        "cycle": {
            "number": result.number,
            "started_at": result.started_at,
            "duration_s": round(result.duration_s, 4),
            "deadline_s": deadline_s,
            "cut_by_deadline": result.cut_by_deadline,
            "full_reads": result.full_reads,
        },
        "agencies": agencies,
        "infrastructure": infra,
    }


def table(inv: Inventory, result: CycleResult) -> Table:
    """One row per agency and infrastructure device. The probes column wraps between probes
    and never cuts one short ("snmp:authentication", not "snmp:authenticat…")."""
    by_device: dict[str, list[ProbeResult]] = {}
    for r in result.results:
        by_device.setdefault(r.device, []).append(r)
    out = Table(title=f"poll cycle {result.number} ({result.duration_s:.2f} s)")
    rows: list[tuple[str, str, list[ProbeResult]]] = [
        (
            a.id,
            {True: "yes", False: "NO", None: "-"}[a.reachable],
            [r for d in inv.devices_of_agency[a.id] for r in by_device.get(d.id, [])],
        )
        for a in result.agencies
    ]
    rows += [
        (d.id, "", by_device[d.id]) for d in inv.devices if d.agency is None and d.id in by_device
    ]
    cells = [
        (name, reach, [f"{r.probe}:ok" if r.success else f"{r.probe}:{r.reason}" for r in results])
        for name, reach, results in rows
    ]
    widest = max((len(p) for _, _, probes in cells for p in probes), default=8)
    out.add_column("agency / device", overflow="fold")
    out.add_column("reachable", no_wrap=True)
    out.add_column("probes", min_width=widest, overflow="fold")
    out.add_column("interfaces up", no_wrap=True)
    out.add_column("neighbours", no_wrap=True)
    for (name, reach, probes), (_, _, results) in zip(cells, rows, strict=True):
        ifs = [i for r in results if r.success for i in r.interfaces]
        up = f"{sum(bool(i.oper_up) for i in ifs)}/{len(ifs)}" if ifs else "-"
        nbrs = sum(len(r.neighbours) for r in results if r.success and r.lldp_read)
        out.add_row(name, reach, " ".join(probes), up, str(nbrs))
    return out
