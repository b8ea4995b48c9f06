"""A cycle's early view (poller/settle.py): out once the quick probes have ended, while the slow
ones (SSH logins) still run, only when something flipped, and without advancing carry or
debounce, so the complete cycles are the same with or without it."""

from __future__ import annotations

import asyncio

from netmon.model import InterfaceState, ProbeResult
from netmon.poller import CycleResult, Poller
from netmon.poller.settle import RUNNING_DETAIL, is_quick
from netmon.probes import Probe, ProbeEnv, ProbeTarget
from poller.fleet import fleet, settings

ADDRS = [f"127.0.0.{i}" for i in range(2, 8)]  # never contacted: the probes here are fakes
SILENT = "cpe-003"


class Fleet:
    """Fake icmp and snmp (quick) and ssh (slow) probes; `silent` devices answer none, and their
    SSH login hangs until the cycle deadline cuts it, as a login to a dead address does; snmp
    reports port lo of the devices in `port_down` oper down."""

    def __init__(self) -> None:
        self.silent: set[str] = set()
        self.port_down: set[str] = set()
        self.refused: set[str] = set()  # SSH logins refused at once
        self.logins = 0  # SSH probes under way

    def probes(self) -> dict[str, Probe]:
        async def icmp(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
            dev = target.device.id
            if dev in self.silent:
                return ProbeResult(dev, "icmp", False, 0.0, reason="timeout", detail="no reply")
            return ProbeResult(dev, "icmp", True, 0.0, rtt_s=0.001)

        async def snmp(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
            dev = target.device.id
            if dev in self.silent:
                return ProbeResult(dev, "snmp", False, 0.0, reason="timeout", detail="no reply")
            lo = InterfaceState("lo", 1, admin_up=True, oper_up=dev not in self.port_down)
            return ProbeResult(dev, "snmp", True, 0.0, interfaces=(lo,))

        async def ssh(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
            if target.device.id in self.refused:
                return ProbeResult(target.device.id, "ssh", False, 0.0, reason="authentication")
            self.logins += 1
            try:
                if target.device.id in self.silent:
                    await asyncio.Event().wait()  # only the deadline ends it
                await asyncio.sleep(0.1)  # a login takes a while
                return ProbeResult(target.device.id, "ssh", True, 0.1)
            finally:
                self.logins -= 1

        return {"icmp": icmp, "snmp": snmp, "ssh": ssh}


def run(
    silent_from: int,
    cycles: int,
    early: bool,
    port_down_from: int = 99,
    refused_from: int = 99,
    back_from: int = 99,
) -> tuple[list[CycleResult], list[tuple[CycleResult, int]]]:
    """`cycles` cycles, SILENT silent from cycle `silent_from` on and answering again from
    `back_from` on (and cpe-001 reporting its port down from `port_down_from` on): the complete
    results, and each early view with the number of SSH logins still under way when it came
    out."""
    rig = Fleet()
    views: list[tuple[CycleResult, int]] = []

    async def on_settled(view: CycleResult) -> None:
        views.append((view, rig.logins))

    async def go() -> list[CycleResult]:
        poller = Poller(
            fleet(ADDRS, probes=("icmp", "snmp", "ssh")),
            settings(deadline_s=0.5),
            probes=rig.probes(),
            env=ProbeEnv(),
        )
        out = []
        try:
            for n in range(cycles):
                if n == silent_from:
                    rig.silent.add(SILENT)
                if n == back_from:
                    rig.silent.discard(SILENT)
                    rig.port_down.discard("cpe-001")
                if n == port_down_from:
                    rig.port_down.add("cpe-001")
                if n == refused_from:
                    rig.refused.add("cpe-002")
                out.append(await poller.cycle(on_settled=on_settled if early else None))
            return out
        finally:
            await poller.aclose()

    return asyncio.run(go()), views


def by_key(results: tuple[ProbeResult, ...]) -> dict[tuple[str, str], ProbeResult]:
    return {(r.device, r.probe): r for r in results}


def test_ssh_is_the_slow_kind() -> None:
    assert not is_quick("ssh") and is_quick("icmp") and is_quick("snmp") and is_quick("tcp")


def test_no_early_view_while_nothing_flips() -> None:
    # A healthy fleet: the cycle publishes once, at its end (no second snapshot to pay for).
    _, views = run(silent_from=99, cycles=3, early=True)
    assert views == []


def test_a_device_falling_silent_is_published_while_the_logins_still_run() -> None:
    done, views = run(silent_from=1, cycles=4, early=True)
    # Cycle 1: the silence flipped icmp; cycle 2: nothing new (still carried); cycle 3: the
    # down_after-th (3rd) silent cycle, the carried result goes through: a flip again.
    assert [v.number for v, _ in views] == [1, 3]
    for view, logins in views:
        assert not view.complete and logins > 0  # the SSH logins were still under way
    first, third = (by_key(v.results) for v, _ in views)
    fresh = by_key(views[0][0].fresh)
    assert not fresh[(SILENT, "icmp")].success  # what the probe said
    assert first[(SILENT, "icmp")].success  # believed: carried, 1 of 3 before down
    assert first[(SILENT, "ssh")].success and RUNNING_DETAIL in first[(SILENT, "ssh")].detail
    assert first[("cpe-001", "ssh")].success  # a login under way keeps its last facts
    assert not third[(SILENT, "icmp")].success and not third[(SILENT, "ssh")].success
    (agency,) = [a for a in views[1][0].agencies if a.id == "agency-003"]
    assert (agency.consecutive_failures, agency.down) == (3, True)
    assert all(c.complete for c in done)


def test_recovery_waits_for_the_complete_cycle() -> None:
    # Silent for 4 cycles (cycle 3 brought the carried result's end: an early view), then back,
    # with cpe-001's port up again: better is published with the complete cycle.
    done, views = run(silent_from=1, cycles=6, early=True, port_down_from=1, back_from=5)
    assert [v.number for v, _ in views] == [1, 3]
    assert by_key(done[5].results)[(SILENT, "icmp")].success


def test_what_slow_probes_say_does_not_make_an_early_view() -> None:
    # The early view is about the quick probes: which SSH logins end before the quick probes
    # (or are cut by the deadline) varies from cycle to cycle.
    _, views = run(silent_from=99, cycles=3, early=True, refused_from=1)
    assert views == []


def test_a_port_reported_down_is_published_early_too() -> None:
    # Every device answers; one reports its port down (its neighbour's cable was cut, say).
    _, views = run(silent_from=99, cycles=3, early=True, port_down_from=1)
    assert [v.number for v, _ in views] == [1]  # once: the next cycle reports the same
    (view, logins), *_ = views
    ports = {r.device: r.interfaces for r in view.results if r.probe == "snmp"}
    assert ports["cpe-001"][0].oper_up is False and logins > 0


def test_the_early_view_changes_no_complete_cycle() -> None:
    # Carry and debounce are previewed, not advanced: the loss tolerance (down_after cycles
    # in a row) and every complete cycle's verdict stay what they were without early views.
    with_early, _ = run(silent_from=1, cycles=4, early=True)
    without, _ = run(silent_from=1, cycles=4, early=False)

    def verdict(c: CycleResult) -> object:
        return (
            [(r.device, r.probe, r.success, r.reason) for r in c.results],
            c.agencies,
        )

    assert [verdict(c) for c in with_early] == [verdict(c) for c in without]
