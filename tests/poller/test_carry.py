"""Carry: an unanswered probe stands on its last good result until the agency is debounced down.

Unit tests on hand-made results, then through the Poller with a fake probe and into topology
(build_snapshot), because flapping coverage is what the carry is there to prevent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from netmon.model import InterfaceState, ProbeResult
from netmon.poller import CycleResult, Poller
from netmon.poller.carry import Carry
from netmon.probes import ProbeEnv, ProbeTarget
from netmon.topology import build_snapshot
from poller.fleet import fleet, settings

UP = InterfaceState(name="lo", index=1, admin_up=True, oper_up=True)
DOWN = InterfaceState(name="lo", index=1, admin_up=True, oper_up=False)


def good(device: str = "cpe-000", iface: InterfaceState = UP) -> ProbeResult:
    return ProbeResult(device, "snmp", True, 0.1, interfaces=(iface,), lldp_read=True)


def lost(device: str = "cpe-000", reason: str = "timeout") -> ProbeResult:
    return ProbeResult(device, "snmp", False, 2.0, reason=reason, detail="no reply")  # type: ignore[arg-type]


def test_unanswered_probes_carry_the_last_good_result_until_down_after() -> None:
    carry = Carry(down_after=3)
    first = good()
    assert carry.apply([first]) == (first,)
    (one,) = carry.apply([lost()])
    (two,) = carry.apply([lost()])
    (three,) = carry.apply([lost()])
    assert (one.success, one.interfaces, one.lldp_read) == (True, (UP,), True)
    assert one.detail.startswith("carried: no answer this cycle (1 of 3 before down): timeout")
    assert two.success and "(2 of 3" in two.detail
    assert (three.success, three.reason) == (False, "timeout")  # debounced down: the truth


def test_an_answer_ends_the_carry_and_restarts_the_count() -> None:
    carry = Carry(down_after=2)
    carry.apply([good()])
    assert carry.apply([lost()])[0].success
    assert carry.apply([good(iface=DOWN)])[0].interfaces == (DOWN,)
    (again,) = carry.apply([lost()])
    assert again.success and again.interfaces == (DOWN,) and "(1 of 2" in again.detail
    assert carry.carried() == 1


def test_only_silence_is_carried() -> None:
    carry = Carry(down_after=3)
    carry.apply([good()])
    (auth,) = carry.apply([lost(reason="authentication")])
    assert (auth.success, auth.reason) == (False, "authentication")
    (after,) = carry.apply([lost()])  # the last good result was forgotten with the answer
    assert (after.success, after.reason) == (False, "timeout")


def test_nothing_to_carry_before_a_first_success() -> None:
    carry = Carry(down_after=3)
    assert carry.apply([lost(reason="deadline")])[0].reason == "deadline"


def test_devices_are_carried_independently() -> None:
    carry = Carry(down_after=3)
    carry.apply([good("a"), good("b")])
    a, b = carry.apply([lost("a"), good("b", DOWN)])
    assert a.success and a.device == "a" and b.interfaces == (DOWN,)


def _cycles(answers: Callable[[int], bool], cycles: int) -> list[CycleResult]:
    """One CPE (cpe-000, single-homed on pop-1) answering in the cycles `answers` says."""
    number = 0

    async def probe(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
        if target.device.id != "cpe-000" or answers(number):
            return good(target.device.id)
        return lost(target.device.id)

    async def go() -> list[CycleResult]:
        nonlocal number
        poller = Poller(
            fleet(["127.0.0.2", "127.0.0.3"]),
            settings(down_after=3),
            probes={"snmp": probe},
            env=ProbeEnv(),
        )
        out = []
        for number in range(cycles):  # noqa: B007 - the probe reads it
            out.append(await poller.cycle())
        await poller.aclose()
        return out

    return asyncio.run(go())


def _status(result: CycleResult) -> str:
    """What topology makes of cpe-000 (the loopback fleet has no core, so no reachability:
    the device status is what coverage is built from). Out-of-band: the fleet is probed
    directly, so a silent device is down (in-band, with no path from a core at all, it would
    read unreachable)."""
    snap = build_snapshot(fleet(["127.0.0.2", "127.0.0.3"]), result.results, management="oob")
    return {d.id: d.status for d in snap.devices}["cpe-000"]


def test_one_lost_cycle_does_not_flap_coverage() -> None:
    results = _cycles(lambda n: n != 1, cycles=3)
    assert [_status(r) for r in results] == ["up", "up", "up"]
    fresh = {r.device: r for r in results[1].fresh}
    assert fresh["cpe-000"].success is False  # what the probe itself said is kept too
    assert [a.down for a in results[1].agencies if a.id == "agency-000"] == [False]


def test_silence_for_down_after_cycles_marks_the_agency_down_in_both_views() -> None:
    results = _cycles(lambda n: n == 0, cycles=4)
    assert [_status(r) for r in results] == ["up", "up", "up", "down"]
    downs = [next(a.down for a in r.agencies if a.id == "agency-000") for r in results]
    assert downs == [False, False, False, True]
