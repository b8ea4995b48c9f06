"""Runs the real Poller inside a lab's noc and prints one JSON line per cycle (for lab tests).

    python tests/poller/lab_driver.py STATE_DIR INVENTORY CONFIG CYCLES [INTERVAL_S]

CONFIG is a config.yaml; INTERVAL_S (optional) overrides poll.interval_s (and the deadline to
0.9 of it) for tests that need many cycles, leaving the probe timeouts and retries alone. Each
line: cycle number, monotonic start and end, the agencies topology finds unreachable, the
agencies debounced down, and failed (fresh) probes. Waits for the interval between cycles the
way `Poller.run` does (without jitter), and stops after CYCLES.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path


async def main(
    state_dir: Path, inventory: Path, config: Path, cycles: int, interval: float
) -> None:
    from netmon.cli.safety import ensure_may_probe
    from netmon.config import load_config
    from netmon.inventory import load_inventory
    from netmon.poller import Poller, Selection
    from netmon.topology import build_snapshot

    inv = load_inventory(inventory)
    ensure_may_probe(inv, lab_state_dir=state_dir)
    settings = load_config(config)
    if interval:
        settings = dataclasses.replace(settings, interval_s=interval, deadline_s=0.9 * interval)
    poller = Poller(inv, settings, Selection(probes=("icmp", "snmp")))
    print(
        json.dumps(
            {
                "settings": dataclasses.asdict(settings)["probes"]
                | {
                    "interval_s": settings.interval_s,
                    "deadline_s": settings.deadline_s,
                    "down_after": settings.down_after,
                }
            }
        ),
        flush=True,
    )
    next_start = time.monotonic()
    for _ in range(cycles):
        await asyncio.sleep(max(0.0, next_start - time.monotonic()))
        started = time.monotonic()
        result = await poller.cycle()
        snap = build_snapshot(inv, result.results)
        line = {
            "cycle": result.number,
            "start": started,
            "end": time.monotonic(),
            "unreachable": sorted(a.id for a in snap.agencies if not a.reachable),
            "down": sorted(a.id for a in result.agencies if a.down),
            "retransmits": getattr(poller.env.snmp, "retransmits", 0),
            "failed": sorted(
                f"{r.device}/{r.probe}:{r.reason}" for r in result.fresh if not r.success
            ),
        }
        print(json.dumps(line), flush=True)
        next_start += settings.interval_s
    await poller.aclose()


if __name__ == "__main__":
    state, inv, conf, n = sys.argv[1:5]
    every = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    asyncio.run(main(Path(state), Path(inv), Path(conf), int(n), every))
