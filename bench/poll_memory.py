"""bench/poll_memory: does the poller's memory stay flat over many cycles? (issue 4: < 5 MB / 200)

Run from the repository root as root, with a lab up (snmp daemons are enough):

    netmon lab up -i inventory --daemons snmp --state-dir /tmp/nmlab467 --forward 19467
    .venv/bin/python bench/poll_memory.py --state-dir /tmp/nmlab467 [--cycles 200] [--trace]

It re-runs itself inside the lab's noc namespace, polls every SNMP and ICMP device of the
inventory with the staggered plan netmon serve uses (targeted cycles, a tenth of the devices
re-read in full each cycle), back to back, and prints RSS after 10 warm-up cycles and at the
end. With --trace it also takes tracemalloc snapshots there and prints the 10 source lines whose
allocations grew most (tracemalloc slows the cycles about twofold: RSS then includes its own
bookkeeping). Figures, never assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
WARM_UP = 10


def _poll_bench() -> ModuleType:
    """bench/poll.py, for its lab helpers (write_config, rss_mb)."""
    spec = importlib.util.spec_from_file_location("bench_poll", Path(__file__).with_name("poll.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_poll"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


async def soak(args: argparse.Namespace, conf: Path, bench: ModuleType) -> None:
    from netmon.cli.safety import ensure_may_probe
    from netmon.config import load_config
    from netmon.inventory import load_inventory
    from netmon.poller import Poller, Selection

    inv = load_inventory(args.inventory)
    ensure_may_probe(inv, lab_state_dir=args.state_dir)
    poller = Poller(inv, load_config(conf), Selection(probes=("snmp", "icmp")))
    rss0 = 0.0
    first = None
    t0 = time.monotonic()
    failed = 0
    walls = []
    for n in range(args.cycles):
        result = await poller.cycle()
        walls.append(result.duration_s)
        failed += sum(not r.success for r in result.fresh)
        if n + 1 == WARM_UP:
            gc.collect()
            rss0 = bench.rss_mb()
            if args.trace:
                first = tracemalloc.take_snapshot()
    gc.collect()
    rss1 = bench.rss_mb()
    walls.sort()
    print(
        f"poll_memory: {args.cycles} cycles of {len(poller.targets)} probes in "
        f"{time.monotonic() - t0:.0f} s (cycle wall median {walls[len(walls) // 2]:.2f} s, "
        f"max {walls[-1]:.2f} s), {failed} failed probes; RSS after {WARM_UP} warm-up cycles "
        f"{rss0:.1f} MB, at the end {rss1:.1f} MB: growth {rss1 - rss0:+.1f} MB"
    )
    if first is not None:
        top = tracemalloc.take_snapshot().compare_to(first, "lineno")[:10]
        total = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(first, "lineno"))
        print(f"tracemalloc: Python allocations grew {total / 2**20:+.2f} MB; top lines:")
        for stat in top:
            print(f"  {stat}")
    await poller.aclose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--state-dir", type=Path, required=True, help="the lab's state folder")
    p.add_argument("-i", "--inventory", type=Path, default=REPO / "inventory")
    p.add_argument("--cycles", type=int, default=200)
    p.add_argument("--trace", action="store_true", help="tracemalloc: what grew, by line")
    p.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    args.state_dir = args.state_dir.resolve()
    args.inventory = args.inventory.resolve()
    args.cycles = max(args.cycles, WARM_UP + 1)
    if not args.inside:  # into the noc: the lab's addresses exist only there
        cmd = ["nsenter", f"--net={args.state_dir / 'ns' / 'noc'}", "--", sys.executable]
        env = {**os.environ, "NETMON_LAB_DIR": str(args.state_dir)}
        done = subprocess.run([*cmd, __file__, "--inside", *sys.argv[1:]], env=env, check=False)
        sys.exit(done.returncode)
    if args.trace:
        tracemalloc.start()
    bench = _poll_bench()
    with tempfile.TemporaryDirectory() as tmp:
        conf = bench.write_config(args.state_dir, Path(tmp))
        asyncio.run(soak(args, conf, bench))


if __name__ == "__main__":
    main()
