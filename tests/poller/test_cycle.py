"""The cycle machinery with fake probes: deadline, failures as values, concurrency, debounce."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from netmon.model import ProbeResult
from netmon.poller import CycleResult, Debounce, Poller
from netmon.poller.debounce import reachable_now
from netmon.probes import Probe, ProbeEnv, ProbeTarget
from poller.fleet import fleet, settings

ADDRS = [f"127.0.0.{i}" for i in range(2, 12)]  # never contacted: the probes here are fakes


def ok(target: ProbeTarget) -> ProbeResult:
    return ProbeResult(target.device.id, "icmp", True, 0.0, rtt_s=0.001)


def fake(behaviour: Callable[[ProbeTarget], ProbeResult | None]) -> Probe:
    """A probe that answers per device: a result, or None for 'hang forever'."""

    async def probe(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
        result = behaviour(target)
        if result is None:
            await asyncio.Event().wait()  # a hung probe: only the deadline ends it
        assert result is not None
        return result

    return probe


def run(probe: Probe, cycles: int = 1, **conf: object) -> list[CycleResult]:
    async def go() -> list[CycleResult]:
        poller = Poller(
            fleet(ADDRS, probes=("icmp",)),
            settings(**conf),
            probes={"icmp": probe},
            env=ProbeEnv(),
        )
        try:
            return [await poller.cycle() for _ in range(cycles)]
        finally:
            await poller.aclose()

    return asyncio.run(go())


def test_a_hung_probe_is_cut_at_the_deadline_and_the_rest_is_kept() -> None:
    hang = "cpe-003"
    (cycle,) = run(fake(lambda t: None if t.device.id == hang else ok(t)), deadline_s=0.5)
    by = {r.device: r for r in cycle.results}
    assert (by[hang].success, by[hang].reason) == (False, "deadline")
    assert all(r.success for d, r in by.items() if d != hang)
    assert cycle.cut_by_deadline == 1
    assert cycle.duration_s <= 0.5 + 1.0  # the deadline plus the cancel grace, nothing more


def test_a_probe_that_raises_fails_alone() -> None:
    def boom(t: ProbeTarget) -> ProbeResult:
        if t.device.id == "cpe-001":
            raise ValueError("a bug in a probe")
        return ok(t)

    (cycle,) = run(fake(boom))
    by = {r.device: r for r in cycle.results}
    assert (by["cpe-001"].reason, by["cpe-001"].detail) == (
        "error",
        "probe raised ValueError: a bug in a probe",
    )
    assert sum(r.success for r in cycle.results) == len(ADDRS) - 1


def test_concurrency_is_bounded() -> None:
    in_flight, peak = 0, 0

    async def slow(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return ok(target)

    (cycle,) = run(slow, concurrency=3)
    assert peak == 3 and all(r.success for r in cycle.results)


def test_down_only_after_n_consecutive_failed_cycles() -> None:
    outcomes = iter([False, False, True, False, False, False, True])
    d = Debounce(down_after=3)
    seen = []
    for now in outcomes:
        (status,) = d.update({"a": now})
        seen.append((status.reachable, status.consecutive_failures, status.down))
    assert seen == [
        (False, 1, False),
        (False, 2, False),
        (True, 0, False),  # one success resets the count: a lossy link does not flap
        (False, 1, False),
        (False, 2, False),
        (False, 3, True),
        (True, 0, False),
    ]


def test_not_probed_is_no_evidence() -> None:
    d = Debounce(down_after=1)
    assert d.update({"a": False})[0].down
    assert d.update({"a": None})[0] == d.update({"a": None})[0]  # unchanged, still down
    assert reachable_now({"a": ["x"], "b": []}, []) == {"a": None, "b": None}


def test_an_agency_is_reachable_when_any_device_answers() -> None:
    results = [
        ProbeResult("x", "icmp", False, 0.0, reason="timeout"),
        ProbeResult("y", "icmp", True, 0.0),
        ProbeResult("z", "snmp", False, 0.0, reason="timeout"),
    ]
    assert reachable_now({"a": ["x", "y"], "b": ["z"]}, results) == {"a": True, "b": False}


def test_agencies_go_down_through_the_poller() -> None:
    cycles = run(
        fake(lambda t: ProbeResult(t.device.id, "icmp", False, 0.0, reason="timeout")),
        cycles=3,
        down_after=3,
    )
    assert [c.agencies[0].down for c in cycles] == [False, False, True]
    assert [c.number for c in cycles] == [0, 1, 2]


@pytest.mark.parametrize("full_every", [1, 3, 10])
def test_full_reads_are_staggered_and_each_device_gets_one_every_n_cycles(full_every: int) -> None:
    fulls: dict[str, list[int]] = {}
    cycle_no = 0

    async def record(target: ProbeTarget, env: ProbeEnv) -> ProbeResult:
        if target.full:
            fulls.setdefault(target.device.id, []).append(cycle_no)
        return ProbeResult(target.device.id, "snmp", True, 0.0)

    async def go() -> None:
        nonlocal cycle_no
        poller = Poller(
            fleet(ADDRS), settings(full_every=full_every), probes={"snmp": record}, env=ProbeEnv()
        )
        for n in range(2 * full_every):
            cycle_no = n
            await poller.cycle()

    asyncio.run(go())
    assert sorted(fulls) == sorted(f"cpe-{i:03d}" for i in range(len(ADDRS)))
    assert all(len(v) == 2 and v[1] - v[0] == full_every for v in fulls.values())


def test_run_cycles_on_the_interval_until_told_to_stop() -> None:
    seen: list[int] = []

    async def go() -> None:
        poller = Poller(
            fleet(ADDRS, probes=("icmp",)),
            settings(interval_s=0.05, jitter_s=0.01, deadline_s=0.04),
            probes={"icmp": fake(ok)},
            env=ProbeEnv(),
        )
        stop = asyncio.Event()

        async def on_cycle(c: CycleResult) -> None:
            seen.append(c.number)
            if len(seen) == 3:
                stop.set()

        await asyncio.wait_for(poller.run(on_cycle, stop), timeout=10)

    asyncio.run(go())
    assert seen == [0, 1, 2]


def test_a_v3_passphrase_rfc3414_refuses_fails_its_devices_and_is_named_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Secrets are read when the poller starts (targets.py): a passphrase under 8 characters
    makes the set unusable, its devices fail with `authentication` and the set, the key and
    where it comes from (never the secret), and the poller lists it once for poll and serve
    to print. Nothing is sent: the real SNMP probe and client, aimed at a black hole."""
    from probes.snmpd import black_hole, free_udp_port

    from netmon.config import SecretRef, SnmpV3

    monkeypatch.setenv("NETMON_TEST_AUTH", "abc123")
    monkeypatch.setenv("NETMON_TEST_PRIV", "long-enough-priv")
    cred = SnmpV3(
        "netmon", "SHA", SecretRef(env="NETMON_TEST_AUTH"), "AES",
        SecretRef(env="NETMON_TEST_PRIV"),
    )  # fmt: skip
    expected = (
        "credential set 'loop': auth_key from environment variable NETMON_TEST_AUTH: "
        "6 characters, RFC 3414 requires at least 8"
    )

    async def go() -> tuple[tuple[str, ...], list[ProbeResult], bytes | None]:
        with black_hole("127.0.0.1", free_udp_port()) as hole:
            hole.setblocking(False)
            poller = Poller(
                fleet(["127.0.0.1"]), settings(credentials={"loop": cred}),
                ports={"snmp": hole.getsockname()[1]},
            )  # fmt: skip
            try:
                cycle = await poller.cycle()
            finally:
                await poller.aclose()
            try:
                sent: bytes | None = hole.recv(65535)
            except BlockingIOError:
                sent = None
        return poller.credential_problems, list(cycle.fresh), sent

    problems, results, sent = asyncio.run(go())
    assert problems == (expected,)
    assert [(r.success, r.reason, r.detail) for r in results] == [(False, "credentials", expected)]
    assert sent is None
