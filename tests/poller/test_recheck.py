"""When a device falls silent, the ports of its answering neighbours are read once more in the
same cycle (poller/settle.py, recheck): an agent that serves its interface states from a cache
said "up" a moment after the cable was cut, and the cut would show a whole interval later."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from netmon.model import CredentialRefs, InterfaceState, ProbeResult
from netmon.poller import CycleResult, Poller
from netmon.probes import Probe, ProbeEnv, ProbeTarget
from poller.fleet import fleet, settings

ADDRS = [f"127.0.0.{i}" for i in range(2, 6)]  # never contacted: the probes here are fakes
CUT = 1  # cpe-001's cable to pop-1 (port acc1) is cut before this cycle


class Agents:
    """pop-1 serves its ports from a cache one read old, as snmpd's interface cache lags."""

    def __init__(self) -> None:
        self.cut: set[int] = set()  # ports of pop-1 whose cable is cut (their CPE is silent)
        self.cached = self.ports()
        self.reads: list[int] = []  # pop-1's SNMP reads, by cycle

    def ports(self) -> tuple[InterfaceState, ...]:
        return tuple(
            InterfaceState(f"acc{i}", i + 1, admin_up=True, oper_up=i not in self.cut)
            for i in range(len(ADDRS))
        )

    def probes(self, cycle: list[int]) -> dict[str, Probe]:
        async def icmp(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
            dev = target.device.id
            if dev.startswith("cpe-") and int(dev[4:]) in self.cut:
                return ProbeResult(dev, "icmp", False, 0.0, reason="timeout", detail="no reply")
            return ProbeResult(dev, "icmp", True, 0.0, rtt_s=0.001)

        async def snmp(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
            dev = target.device.id
            if dev != "pop-1":
                return await icmp(target, env)  # the CPEs: answered or not, no ports of note
            self.reads[cycle[0]] += 1
            served, self.cached = self.cached, self.ports()
            return ProbeResult(dev, "snmp", True, 0.0, interfaces=served)

        return {"icmp": icmp, "snmp": snmp}


def run(cycles: int) -> tuple[list[CycleResult], Agents]:
    agents = Agents()
    inv = fleet(ADDRS, probes=("icmp", "snmp"))
    pop = replace(inv.devices[0], probes=("icmp", "snmp"), credentials=CredentialRefs(snmp="loop"))
    inv = replace(inv, devices=(pop, *inv.devices[1:]))
    cycle = [0]

    async def go() -> list[CycleResult]:
        poller = Poller(inv, settings(), probes=agents.probes(cycle), env=ProbeEnv())
        out = []
        try:
            for n in range(cycles):
                cycle[0] = n
                agents.reads.append(0)
                if n == CUT:
                    agents.cut.add(1)
                out.append(await poller.cycle())
            return out
        finally:
            await poller.aclose()

    return asyncio.run(go()), agents


def test_the_cut_shows_in_the_cycle_its_cpe_fell_silent() -> None:
    done, agents = run(cycles=3)
    ports = [
        {
            i.name: i.oper_up
            for r in c.results
            if r.device == "pop-1" and r.probe == "snmp"
            for i in r.interfaces
        }
        for c in done
    ]
    assert ports[0]["acc1"] is True
    assert ports[CUT]["acc1"] is False  # the second read, not the cached first
    assert ports[2]["acc1"] is False
    # Read again only in the cycle its CPE fell silent; a quiet cycle costs nothing more.
    assert agents.reads == [1, 2, 1]
