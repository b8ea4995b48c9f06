"""Conformance: netmon polls real-device recordings and reads what net-snmp reads.

Each recording of the corpus (devices.py) is served by snmpsim on loopback (conftest.py) and
polled by netmon's SNMP probe through its own client, cycle after cycle as the poller would,
until no table is still being discovered; every cycle must succeed (a device still
discovering is up, never down). The last result is compared with the independent reading
(reference.py: net-snmp's snmpbulkwalk of the same agent): every interface (ifIndex, name,
oper status) and every LLDP row (local port, remote chassis id, port id, sysName); where
net-snmp cannot walk the LLDP table either (OIDs that do not increase), netmon must say the
LLDP table failed, and must still have read every interface.

The last test prints the corpus table (device, vendor, interfaces, neighbours, cycles, wall
and netmon's CPU); NETMON_CORPUS_TABLE=FILE also writes it there.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from dataclasses import dataclass, replace
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from corpus import reference
from corpus.conftest import Served
from corpus.devices import CORPUS, HUGE, Recording
from netmon.model import CredentialRefs, Device, ProbeResult
from netmon.probes import ProbeEnv, ProbeTarget
from netmon.probes.snmp.client import SnmpCommunity
from netmon.probes.snmp.probe import SnmpSettings, probe
from netmon.probes.snmp.wire import WireClient

MAX_CYCLES = 30  # a discovery still going after this many cycles fails the test


@dataclass(frozen=True)
class Row:
    device: str
    vendor: str
    interfaces: tuple[int, int]  # expected, read
    neighbours: tuple[str, str]  # expected, read ("broken" when the agent's table is)
    cycles: int
    wall_s: float
    cpu_s: float


TABLE: list[Row] = []


def device(rec: Recording, port: int, declared: tuple[str, ...]) -> Device:
    """The recording as an inventory device: on 127.0.0.1, its own SNMP port."""
    return Device(
        id=rec.community,
        role="pop",
        mgmt=IPv4Address("127.0.0.1"),
        platform=rec.platform,
        probes=("snmp",),
        credentials=CredentialRefs(snmp="corpus"),
        interfaces=declared,
        site="corpus",
        ports=(("snmp", port),),
    )


async def poll(
    dev: Device, community: str, budget: float | None = None
) -> tuple[list[ProbeResult], float, float]:
    """Cycles until nothing is discovering: (every result, wall s, netmon's CPU s)."""
    client = WireClient()
    env = ProbeEnv(snmp=client)
    # snmpsim costs its host 90-170 us per varbind, on a machine others share: a patient
    # timeout, so a slow answer is not a lost one.
    settings = SnmpSettings(timeout_s=2.0, retries=2)
    if budget is not None:
        settings = replace(settings, walk_budget_s=budget)
    target = ProbeTarget(dev, settings, uplinks=dev.interfaces, auth=SnmpCommunity(community))
    results: list[ProbeResult] = []
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        for _ in range(MAX_CYCLES):
            results.append(await probe(target, env))
            if not results[-1].success or not results[-1].discovering:
                break
    finally:
        await client.aclose()
    return results, time.perf_counter() - wall, time.process_time() - cpu


@pytest.mark.parametrize("rec", CORPUS, ids=[r.community for r in CORPUS])
def test_netmon_reads_what_net_snmp_reads(corpus: Served, rec: Recording) -> None:
    expected = reference.read(corpus.port, rec.community)
    assert expected.interfaces, f"net-snmp read no interface from {rec.community}"
    declared = tuple(name for _, (name, _) in sorted(expected.interfaces.items())[:2])
    # the huge tables with a small walk budget: their discovery goes on over several cycles
    # against a real agent (snmpsim stops at 64 varbinds a reply), each cycle a success
    budget = 0.5 if rec.community in HUGE else None
    dev = device(rec, corpus.port, declared)
    results, wall, cpu = asyncio.run(poll(dev, rec.community, budget))
    failed = [(r.reason, r.detail) for r in results if not r.success]
    assert not failed, f"a cycle failed (the device would read down): {failed}"
    last = results[-1]
    assert not last.discovering, f"still discovering after {MAX_CYCLES} cycles: {last.detail}"
    read = {i.index: (i.name, i.oper_up is True) for i in last.interfaces}
    assert read == expected.interfaces
    lldp = last.table("lldp")
    assert lldp is not None
    if expected.lldp_error:
        assert "not increasing" in expected.lldp_error
        assert (lldp.status, lldp.reason) == ("failed", "malformed_reply"), lldp
        assert "not increasing" in lldp.detail
        assert last.neighbours == () and not last.lldp_read
        seen = ("broken", "broken")
    else:
        got = Counter(
            (n.local_interface, n.chassis_id, n.port_id, n.sys_name) for n in last.neighbours
        )
        assert got == Counter(expected.neighbours)
        assert lldp.status in ("read", "absent"), lldp
        seen = (str(len(expected.neighbours)), str(len(last.neighbours)))
    TABLE.append(
        Row(
            rec.community,
            rec.vendor,
            (len(expected.interfaces), len(last.interfaces)),
            seen,
            len(results),
            wall,
            cpu,
        )
    )


def test_corpus_table(corpus: Served, capsys: pytest.CaptureFixture[str]) -> None:
    """The table of the closing note (after the devices above)."""
    assert len(TABLE) == len(CORPUS), "run the whole module: every device has a row"
    vendors = {r.vendor for r in TABLE}
    assert len(TABLE) >= 15 and len(vendors) >= 6
    lines = [
        "| device | vendor | interfaces expected/read | neighbours expected/read | cycles "
        "| wall s | netmon CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in TABLE:
        lines.append(
            f"| {r.device} | {r.vendor} | {r.interfaces[0]}/{r.interfaces[1]} "
            f"| {r.neighbours[0]}/{r.neighbours[1]} | {r.cycles} | {r.wall_s:.2f} "
            f"| {r.cpu_s:.2f} |"
        )
    text = "\n".join(lines)
    if os.environ.get("NETMON_CORPUS_TABLE"):
        Path(os.environ["NETMON_CORPUS_TABLE"]).write_text(text + "\n")
    with capsys.disabled():
        print("\n" + text)
