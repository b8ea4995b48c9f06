"""bench/soak: memory and cycle times of the poller + snapshot + /metrics over 1,000 cycles.

Brings up a small lab (tests/data/lab-small, real snmpd + lldpd) in its own state folder, runs
the cycles inside the lab's noc namespace (re-running this script there), then tears the lab
down. Each cycle does what `netmon serve` does per cycle: poll every device (icmp + snmp),
build the Snapshot, render /metrics. Prints RSS growth after the warm-up and cycle times.

    .venv/bin/python bench/soak.py [--cycles 1000] [--warmup 100] [--interval 0.05]

Bounded: stops after --max-seconds (default 900) whatever the cycle count. Needs root.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAB_SMALL = REPO / "tests" / "data" / "lab-small"


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def config(state: Path, folder: Path) -> Path:
    from netmon.lab.creds import config_credentials
    from netmon.lab.paths import LabPaths

    path = folder / "config.yaml"
    text = "poll: {interval_s: 10, deadline_s: 5}\n" + config_credentials(LabPaths(state))
    path.write_text(text, encoding="utf-8")
    return path


async def soak(args: argparse.Namespace) -> dict[str, object]:
    from netmon.cli.safety import ensure_may_probe
    from netmon.cli.serve_cmd import summary
    from netmon.config import load_config
    from netmon.export.metrics import exposition
    from netmon.export.state import ExportState, LoadStatus, ServiceFacts
    from netmon.inventory import load_inventory
    from netmon.poller import Poller, Selection
    from netmon.topology import Topology

    inv = load_inventory(LAB_SMALL)
    ensure_may_probe(inv)
    settings = replace(load_config(Path(args.config)), interval_s=args.interval)
    now = time.time()
    facts = ServiceFacts("soak", now, 1, 5, 3, LoadStatus(True, now), LoadStatus(True, now))
    state = ExportState(facts)
    poller = Poller(inv, settings, Selection(probes=("icmp", "snmp")))
    topology = Topology(inv)  # held across cycles, as `netmon serve` holds it
    times, failures, rss = [], 0, {}
    end = time.monotonic() + args.max_seconds
    try:
        for n in range(args.cycles):
            if time.monotonic() > end:
                break
            t0 = time.monotonic()
            result = await poller.cycle()
            snap = topology.snapshot(result.results)
            state = state.with_cycle(snap, summary(result))
            exposition(state)
            times.append(time.monotonic() - t0)
            failures += sum(not r.success for r in result.results)
            if n + 1 in (args.warmup, args.cycles) or (n + 1) % 100 == 0:
                gc.collect()
                rss[n + 1] = rss_kib()
            await asyncio.sleep(args.interval)
    finally:
        await poller.aclose()
    return {"times": times, "failures": failures, "rss_kib": rss, "probes": len(poller.targets)}


def report(data: dict[str, object], args: argparse.Namespace) -> None:
    times = sorted(data["times"])  # type: ignore[call-overload]
    rss = {int(k): v for k, v in data["rss_kib"].items()}  # type: ignore[attr-defined]
    done = len(times)
    warm = rss.get(args.warmup)
    last = rss[max(rss)]
    print(f"cycles: {done} (probes per cycle {data['probes']}), failed probes {data['failures']}")
    print(
        f"cycle time: p50 {1000 * statistics.median(times):.1f} ms, "
        f"p99 {1000 * times[int(0.99 * (done - 1))]:.1f} ms, max {1000 * times[-1]:.1f} ms"
    )
    print(
        "RSS by cycle (MiB): " + ", ".join(f"{k}: {v / 1024:.1f}" for k, v in sorted(rss.items()))
    )
    if warm is not None:
        growth = (last - warm) / 1024
        verdict = "ok" if growth < 5 else "OVER the 5 MB target"
        print(
            f"RSS growth after warm-up ({args.warmup} -> {max(rss)} cycles): "
            f"{growth:+.2f} MiB ({verdict})"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cycles", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--interval", type=float, default=0.05, help="pause between cycles, s")
    p.add_argument("--max-seconds", type=float, default=900)
    p.add_argument("--inside", help=argparse.SUPPRESS)  # the config, when re-run in the noc
    p.add_argument("--config", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.inside:
        print(json.dumps(asyncio.run(soak(args))))
        return
    if os.geteuid() != 0:
        sys.exit("bench/soak.py needs root (the lab is network namespaces)")
    from netmon.lab import lab_down, lab_up

    with tempfile.TemporaryDirectory(prefix="netmon-soak-") as tmp:
        state = Path(tmp) / "state"
        t0 = time.monotonic()
        lab_up(LAB_SMALL, state, lldp_interval=1, forwards=())
        print(f"lab up in {time.monotonic() - t0:.1f} s ({state})", file=sys.stderr)
        try:
            conf = config(state, Path(tmp))
            done = subprocess.run(
                ["nsenter", f"--net={state / 'ns' / 'noc'}", "--", sys.executable, __file__,
                 "--inside", "1", "--config", str(conf), "--cycles", str(args.cycles),
                 "--warmup", str(args.warmup), "--interval", str(args.interval),
                 "--max-seconds", str(args.max_seconds)],
                capture_output=True, text=True, check=False, timeout=args.max_seconds + 120,
                env=dict(os.environ, NETMON_LAB_DIR=str(state)),
            )  # fmt: skip
            if done.returncode != 0:
                sys.exit(f"soak failed inside the lab:\n{done.stderr}")
            report(json.loads(done.stdout.splitlines()[-1]), args)
        finally:
            lab_down(state)
            print("lab down", file=sys.stderr)


if __name__ == "__main__":
    main()
