"""One frozen agent among 50 real ones: the cycle ends within its deadline, the 49 succeed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from probes.snmpd import COMMUNITY, black_hole, snmpd, snmpd_missing

from netmon.config import ProbeSettings
from netmon.poller import CycleResult, Poller
from poller.fleet import COMMUNITY_ENV, fleet, settings

pytestmark = pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing()))

GOOD = [f"127.0.0.{i}" for i in range(2, 51)]  # 49 agents served by one snmpd
FROZEN = "127.0.0.51"


@pytest.mark.parametrize(
    ("snmp", "deadline", "frozen_reason"),
    [
        # the frozen agent's own budget (1 s x 2 tries) ends first: it reads as timeout
        (ProbeSettings(1.0, 1), 10.0, "timeout"),
        # its budget (2 s x 10 tries) outlasts the cycle: the deadline cuts it, nothing else.
        # (Deadlines are generous so that a loaded CI machine still finishes the other 49.)
        (ProbeSettings(2.0, 9), 10.0, "deadline"),
    ],
    ids=["own-timeout", "cut-by-deadline"],
)
def test_frozen_agent_costs_only_itself(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    snmp: ProbeSettings,
    deadline: float,
    frozen_reason: str,
) -> None:
    monkeypatch.setenv(COMMUNITY_ENV, COMMUNITY)
    inv = fleet([*GOOD, FROZEN])
    conf = settings(deadline_s=deadline, probes={"snmp": snmp})
    with snmpd(tmp_path / "snmpd", GOOD) as agent, black_hole(FROZEN, agent.port):

        async def run() -> CycleResult:
            poller = Poller(inv, conf, ports={"snmp": agent.port})
            try:
                return await poller.cycle()
            finally:
                await poller.aclose()

        result = asyncio.run(run())
    by_device = {r.device: r for r in result.results}
    frozen = by_device.pop("cpe-049")
    assert (frozen.success, frozen.reason) == (False, frozen_reason)
    failed = {d: (r.reason, r.detail) for d, r in by_device.items() if not r.success}
    assert failed == {}
    assert len(by_device) == 49
    assert all(r.sys_name == "loopback-agent" for r in by_device.values())
    # the only bound on time asserted: the deadline itself (plus the cancel grace)
    assert result.duration_s <= deadline + 1.0
    assert result.cut_by_deadline == (1 if frozen_reason == "deadline" else 0)
    reach = {a.id: a.reachable for a in result.agencies}
    assert reach.pop("agency-049") is False and set(reach.values()) == {True}
