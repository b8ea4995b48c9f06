"""bench/discovery: full discovery of the two huge real interface tables, netmon against
net-snmp's snmpbulkwalk of the same columns, and the device's state meanwhile.

    .venv/bin/python bench/discovery.py [--budget 3.0] [--small-budget 0.5] [--runs 3]

The recordings are snmpsim-data's H3C Comware (1,317 interfaces) and Ruijie M18000 (3,271),
served by snmpsim on loopback exactly as the conformance corpus serves them
(tests/corpus/simulator.py: its own venv, made on demand from PyPI). For each:

- netmon: the SNMP probe through its own client, cycle after cycle until the interface table
  is complete, at the default walk budget (--budget) and at a small one (--small-budget) that
  spreads the discovery over several cycles. Printed: cycles, requests, wall, netmon's CPU,
  snmpsim's CPU, and each cycle's outcome: every cycle must answer success ("up, discovering"):
  a device is never reported down while its table is read;
- net-snmp: `snmpbulkwalk -Cr25` of each column netmon walks (ifName, ifAlias, ifHighSpeed,
  ifAdminStatus, ifOperStatus, ifLastChange: a large table is walked for those), one after
  the other as a person would; wall, its CPU, snmpsim's CPU.

Medians of --runs. snmpsim costs its host 90-170 us per varbind, far more than a real agent or
snmpd: these figures compare pollers on one agent, they are not what a device would cost.
Figures depend on the machine and its load (printed): print, never assert.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from corpus import simulator  # noqa: E402

from netmon.model import CredentialRefs, Device  # noqa: E402
from netmon.probes import ProbeEnv, ProbeTarget  # noqa: E402
from netmon.probes.snmp.client import SnmpCommunity, oid_str  # noqa: E402
from netmon.probes.snmp.mib import IFX  # noqa: E402
from netmon.probes.snmp.probe import SnmpSettings, probe  # noqa: E402
from netmon.probes.snmp.wire import WireClient  # noqa: E402

HUGE = ("network/switch/h3c-comware-lsq1wcmd0-2509p61", "network/wifi/ruijie-m18000")
TICK = os.sysconf("SC_CLK_TCK")


def agent_cpu(pid: int) -> float:
    """snmpsim's CPU seconds so far (utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class Run:
    cycles: int
    requests: int
    wall: float
    cpu: float
    agent: float
    rows: int
    outcomes: list[str]


async def netmon(port: int, community: str, budget: float, pid: int) -> Run:
    client = WireClient()
    device = Device(
        id=community, role="pop", mgmt=IPv4Address("127.0.0.1"), platform="other",
        probes=("snmp",), credentials=CredentialRefs(snmp="bench"), interfaces=(),
        site="bench", ports=(("snmp", port),),
    )  # fmt: skip
    settings = SnmpSettings(timeout_s=2.0, retries=2, walk_budget_s=budget)
    target = ProbeTarget(device, settings, auth=SnmpCommunity(community))
    env = ProbeEnv(snmp=client)
    outcomes: list[str] = []
    wall, cpu, agent = time.perf_counter(), time.process_time(), agent_cpu(pid)
    rows = 0
    try:
        for _ in range(100):
            r = await probe(target, env)
            table = r.table("interfaces")
            state = "down" if not r.success else "up, discovering" if r.discovering else "up"
            outcomes.append(f"{state} ({table.detail if table else r.detail})")
            rows = len(r.interfaces)
            if not r.success or not r.discovering:
                break
    finally:
        await client.aclose()
    return Run(
        len(outcomes), client.stats.requests, time.perf_counter() - wall,
        time.process_time() - cpu, agent_cpu(pid) - agent, rows, outcomes,
    )  # fmt: skip


def bulkwalk(port: int, community: str, pid: int) -> Run:
    """snmpbulkwalk -Cr25 of each column netmon walks on a large table, one after the other."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, agent = time.perf_counter(), agent_cpu(pid)
    lines = 0
    for column in IFX.rows.values():
        done = subprocess.run(
            ["snmpbulkwalk", "-v2c", "-c", community, "-Cr25", "-ObentU", "-t", "5", "-r", "2",
             f"127.0.0.1:{port}", oid_str(column)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        lines += done.stdout.count("\n")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(len(IFX.rows), 0, time.perf_counter() - wall, cpu, agent_cpu(pid) - agent,
               lines // len(IFX.rows), [])  # fmt: skip


def median(runs: list[Run], key: str) -> float:
    return statistics.median(getattr(r, key) for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--budget", type=float, default=SnmpSettings().walk_budget_s)
    ap.add_argument("--small-budget", type=float, default=0.5)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    python = simulator.ensure_venv()
    data = simulator.VENV / "corpus"
    simulator.prepare(python, HUGE, data)
    communities = [Path(h).name for h in HUGE]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sim = simulator.start(data, simulator.VENV / "cache", communities)
    try:
        for community in communities:
            print(f"\n== {community}")
            for budget in (args.budget, args.small_budget):
                runs = [
                    asyncio.run(netmon(sim.port, community, budget, sim.pid))
                    for _ in range(args.runs)
                ]
                print(
                    f"netmon (walk_budget_s {budget:g}): {runs[0].rows} interfaces, "
                    f"cycles {median(runs, 'cycles'):.0f}, "
                    f"requests {median(runs, 'requests'):.0f}, "
                    f"wall {median(runs, 'wall'):.2f} s, netmon CPU {median(runs, 'cpu'):.2f} s, "
                    f"snmpsim CPU {median(runs, 'agent'):.2f} s"
                )
                down = [o for r in runs for o in r.outcomes if o.startswith("down")]
                seen = f"DOWN seen: {down}" if down else "up (never down)"
                print(f"  every cycle of {args.runs} runs: {seen}")
                for n, outcome in enumerate(runs[-1].outcomes, 1):
                    print(f"    cycle {n}: {outcome}")
            walks = [bulkwalk(sim.port, community, sim.pid) for _ in range(args.runs)]
            print(
                f"snmpbulkwalk -Cr25, {len(IFX.rows)} columns one after the other: "
                f"{walks[0].rows} rows each, wall {median(walks, 'wall'):.2f} s, "
                f"its CPU {median(walks, 'cpu'):.2f} s, snmpsim CPU {median(walks, 'agent'):.2f} s"
            )
    finally:
        sim.stop()
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
