"""Polls a lab from inside its noc on request, for the ground-truth tests: one line in, one out.

    python tests/lab/truth_driver.py STATE_DIR INVENTORY CONFIG

Reads commands on stdin: `poll` runs one cycle of the real Poller (icmp and snmp) and prints
one JSON line with what netmon concluded (netmon's own Topology, with config.yaml's
poll.management): the agencies cut off with their causes, every device's status and the
causes of the unreachable ones, coverage. `quit` (or end of input) stops. The Poller runs with
down_after 1, so a cycle says what the network is now, not what it was a cycle ago.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path


async def main(state_dir: Path, inventory: Path, config: Path) -> None:
    from netmon.cli.safety import ensure_may_probe
    from netmon.config import load_config
    from netmon.inventory import load_inventory
    from netmon.poller import Poller, Selection
    from netmon.topology import Topology

    inv = load_inventory(inventory)
    ensure_may_probe(inv, lab_state_dir=state_dir)
    settings = dataclasses.replace(load_config(config), down_after=1, full_every=1)
    topology = Topology(inv, settings.management)
    poller = Poller(inv, settings, Selection(probes=("icmp", "snmp")))
    print(json.dumps({"ready": settings.management}), flush=True)
    loop = asyncio.get_running_loop()
    try:
        for _ in range(10_000):  # bounded: the test sends a few hundred commands at most
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line != "poll":
                break
            started = time.monotonic()
            result = await poller.cycle()
            snap = topology.snapshot(result.results)
            c = snap.coverage.total
            silent = {d.id for d in snap.devices if d.status in ("down", "unreachable")}
            probes: dict[str, list[list[str | None]]] = {}
            for r in result.fresh:
                if not r.success and r.device in silent:
                    probes.setdefault(r.device, []).append([r.probe, r.reason, r.detail])
            out = {
                "cycle_s": round(time.monotonic() - started, 2),
                "cut_off": {
                    a.id: sorted([x.kind, x.id, x.state] for x in a.causes)
                    for a in snap.agencies
                    if not a.reachable
                },
                "status": {d.id: d.status for d in snap.devices},
                "behind": {
                    d.id: sorted([x.kind, x.id, x.state] for x in d.causes)
                    for d in snap.devices
                    if d.status == "unreachable"
                },
                "coverage": [c.reachable, c.total],
                # Why netmon calls a device silent: what its own probes returned this cycle
                # (`fresh`: before carry), for a failure message to say more than "down".
                "probes": probes,
                "links": {lk.id: lk.status for lk in snap.links if lk.status != "up"},
            }
            print(json.dumps(out), flush=True)
    finally:
        await poller.aclose()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
