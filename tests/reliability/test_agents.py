"""Items 2 and 3: hostile and silent agents on loopback cost only themselves.

Item 2: one agent per kind of bad behaviour (garbage, wrong types, noSuchObject, endOfMibView,
huge replies, genErr, someone else's request id) among real snmpd agents: the cycle and the
scrape succeed, the good agents succeed, each bad one's own probe says what went wrong.
Item 3: 200 agents that never answer: the cycle ends within its deadline.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from lab.labtools import free_port
from poller.fleet import COMMUNITY_ENV, fleet, settings
from probes.snmpd import COMMUNITY, free_udp_port, snmpd, snmpd_missing

from netmon.cli.serve_cmd import summary
from netmon.config import ProbeSettings
from netmon.export.http import build_app, start_server
from netmon.export.state import ExportState, LoadStatus, ServiceFacts, StateHolder
from netmon.model import Inventory
from netmon.poller import CycleResult, Poller
from netmon.topology import build_snapshot
from reliability.hostile import BEHAVIOURS, HostileAgent, silent_sockets
from reliability.rig import figure, get, parse

pytestmark = pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing()))

GOOD = [f"127.0.9.{i}" for i in range(2, 6)]
BAD = {name: f"127.0.9.{20 + i}" for i, name in enumerate(BEHAVIOURS)}
# What each bad agent's probe must say (a wrong request id and garbage are dropped by the
# SNMP engine, so they can only read as the agent not answering).
EXPECTED = {
    "garbage": {"timeout"},
    "wrong_types": {"malformed_reply"},
    "wrong_types_in_table": {"malformed_reply"},
    "no_such_object": {"no_such_object"},
    "end_of_mib_view": {"no_such_object"},
    "huge": {"malformed_reply"},
    "gen_err": {"error"},
    "wrong_request_id": {"timeout"},
}


def run_cycles(inv: Inventory, conf: object, port: int, n: int) -> list[CycleResult]:
    async def go() -> list[CycleResult]:
        poller = Poller(inv, conf, ports={"snmp": port})  # type: ignore[arg-type]
        try:
            return [await poller.cycle() for _ in range(n)]
        finally:
            await poller.aclose()

    return asyncio.run(go())


def scrape(inv: Inventory, result: CycleResult) -> tuple[int, str]:
    """/metrics of an exporter holding this cycle, over HTTP (the scrape must not fail)."""
    now = time.time()
    facts = ServiceFacts("t", now, 10, 3, 3, LoadStatus(True, now), LoadStatus(True, now))
    holder = StateHolder(ExportState(facts))
    holder.set(holder.get().with_cycle(build_snapshot(inv, result.results), summary(result)))
    port = free_port()

    async def go() -> None:
        runner = await start_server(build_app(holder, _no_reload), f"127.0.0.1:{port}")
        try:
            out.append(await asyncio.to_thread(get, f"http://127.0.0.1:{port}/metrics"))
        finally:
            await runner.cleanup()

    out: list[tuple[int, str]] = []
    asyncio.run(go())
    return out[0]


async def _no_reload():  # type: ignore[no-untyped-def]
    raise AssertionError("not reloaded here")


def test_item02_bad_agents_never_fail_a_cycle_or_a_scrape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COMMUNITY_ENV, COMMUNITY)
    addresses = [*GOOD, *BAD.values()]
    inv = fleet(addresses)
    device = {a: f"cpe-{i:03d}" for i, a in enumerate(addresses)}
    conf = settings(deadline_s=5.0, probes={"snmp": ProbeSettings(0.3, 1)})
    port = free_udp_port()
    with ExitStack() as stack:
        stack.enter_context(snmpd(tmp_path / "snmpd", GOOD, port=port))
        agents = {n: stack.enter_context(HostileAgent(a, port, n)) for n, a in BAD.items()}
        cycles = run_cycles(inv, conf, port, 2)
    for result in cycles:
        by = {r.device: r for r in result.results}
        assert all(by[device[a]].success for a in GOOD), [by[device[a]] for a in GOOD]
        got = {n: (by[device[a]].success, by[device[a]].reason) for n, a in BAD.items()}
        assert got == {n: (False, next(iter(EXPECTED[n]))) for n in BAD}, got
        assert all(agents[n].requests > 0 for n in BAD)
        assert result.cut_by_deadline == 0
    status, text = scrape(inv, cycles[-1])
    m = parse(text)
    assert status == 200
    for n, a in BAD.items():
        reason = next(iter(EXPECTED[n]))
        key = f'netmon_probe_failure_reason{{device="{device[a]}",probe="snmp",reason="{reason}"}}'
        assert m[key] == 1.0
    details = {n: by[device[a]].detail[:70] for n, a in BAD.items()}
    figure(
        2,
        f"{len(GOOD)} good + {len(BAD)} hostile agents, 2 cycles: good all ok, cycle "
        f"{cycles[-1].duration_s:.2f} s, scrape HTTP {status}; per agent: "
        + "; ".join(f"{n} -> {got[n][1]} ({details[n]})" for n in BAD),
    )


SILENT = [f"127.0.10.{i}" for i in range(1, 201)]
LIVE = [f"127.0.11.{i}" for i in range(1, 4)]
DEADLINE = 3.0


@pytest.fixture(scope="module")
def silent_cycle(tmp_path_factory: pytest.TempPathFactory) -> CycleResult:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(COMMUNITY_ENV, COMMUNITY)
        inv = fleet([*LIVE, *SILENT])
        # the default timeout and retries (0.5 s x 4 tries, 2.5 s budget) fit in the deadline
        conf = settings(deadline_s=DEADLINE, probes={"snmp": ProbeSettings(0.5, 3)})
        port = free_udp_port()
        with snmpd(tmp_path_factory.mktemp("snmpd"), LIVE, port=port), silent_sockets(SILENT, port):
            (result,) = run_cycles(inv, conf, port, 1)
    by = {r.device: r for r in result.results}
    reasons = sorted({r.reason or "" for r in result.results if not r.success})
    figure(
        3,
        f"200 silent agents + 3 live: cycle {result.duration_s:.2f} s (deadline {DEADLINE} s), "
        f"live ok {sum(by[f'cpe-{i:03d}'].success for i in range(3))}/3, silent failures "
        f"{reasons}, cut by deadline {result.cut_by_deadline}",
    )
    return result


def test_item03_two_hundred_silent_agents_end_within_the_deadline(
    silent_cycle: CycleResult,
) -> None:
    silent = [r for r in silent_cycle.results if int(r.device[4:]) >= len(LIVE)]
    assert len(silent) == 200 and not any(r.success for r in silent)
    assert {r.reason for r in silent} <= {"timeout", "deadline"}
    assert silent_cycle.duration_s <= DEADLINE + 1.0  # the deadline plus the cancel grace


def test_item03_silent_agents_do_not_starve_the_live_ones(silent_cycle: CycleResult) -> None:
    by = {r.device: r for r in silent_cycle.results}
    assert [by[f"cpe-{i:03d}"].success for i in range(len(LIVE))] == [True] * len(LIVE)
