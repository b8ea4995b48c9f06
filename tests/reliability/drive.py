"""A poller driven line by line from stdin, run inside the lab's noc namespace by the tests.

    python drive.py INVENTORY CONFIG     then on stdin: `cycle` (one JSON line out) or `quit`

One Poller for the whole session, so what the SNMP probe remembers between cycles (targeted
reads, restart detection) works as in `netmon serve`. Refuses, like every netmon command, to
probe a lab inventory from outside the lab.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from netmon.cli.safety import ensure_may_probe
from netmon.config import load_config
from netmon.inventory import load_inventory
from netmon.model import ProbeResult
from netmon.poller import Poller


def result_json(r: ProbeResult) -> dict[str, Any]:
    return {
        "device": r.device,
        "probe": r.probe,
        "success": r.success,
        "reason": r.reason,
        "detail": r.detail,
        "duration_s": r.duration_s,
        "sys_name": r.sys_name,
        "uptime_s": r.uptime_s,
        "restarted": r.restarted,
        "oper": {i.name: i.oper_up for i in r.interfaces},
        "octets": {i.name: i.in_octets for i in r.interfaces},
    }


async def main(inventory: Path, config: Path) -> None:
    inv = load_inventory(inventory)
    ensure_may_probe(inv)
    poller = Poller(inv, load_config(config))
    loop = asyncio.get_running_loop()
    try:
        while (line := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) != "quit":
            if not line:
                return  # stdin closed: the test is gone
            c = await poller.cycle()
            # `fresh`: what the probes returned this cycle; `results` carries the last good
            # answer over a few unanswered cycles (poller/carry.py), for topology.
            fresh = getattr(c, "fresh", ()) or c.results
            out = {
                "number": c.number,
                "duration_s": c.duration_s,
                "cut_by_deadline": c.cut_by_deadline,
                "results": [result_json(r) for r in fresh],
                "carried": sum(r.detail.startswith("carried") for r in c.results),
                "down": [a.id for a in c.agencies if a.down],
                "unreachable": [a.id for a in c.agencies if a.reachable is False],
            }
            print(json.dumps(out), flush=True)
    finally:
        await poller.aclose()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
