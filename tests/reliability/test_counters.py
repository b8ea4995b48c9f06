"""Item 7: an agent restart is detected (sysUpTime goes back -> ProbeResult.restarted), and a
restart or a counter wrap never gives Prometheus a decreasing counter without a reset signal.

What Prometheus expects: a counter only goes up, and any decrease is a reset (rate() and
increase() then count from 0), so a rate is never negative. netmon exports the devices' raw
counters as counters, and netmon_device_uptime_seconds, which drops at the same moment when
the decrease is a restart.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from export import synth
from poller.fleet import COMMUNITY_ENV, fleet, settings
from probes.snmpd import COMMUNITY, free_udp_port, snmpd, snmpd_missing
from prometheus_client.parser import text_string_to_metric_families

from netmon.export.metrics import exposition
from netmon.model import ProbeResult
from netmon.poller import Poller
from reliability.rig import figure


@pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing()))
def test_item07_a_restarted_agent_is_detected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(COMMUNITY_ENV, COMMUNITY)
    address, port = "127.0.12.2", free_udp_port()
    inv = fleet([address])

    async def cycle(poller: Poller) -> ProbeResult:
        (r,) = [r for r in (await poller.cycle()).results if r.probe == "snmp"]
        return r

    async def go() -> list[ProbeResult]:
        poller = Poller(inv, settings(), ports={"snmp": port})
        try:
            with snmpd(tmp_path / "a", [address], port=port):
                first = await cycle(poller)
                await asyncio.sleep(1.5)  # uptime must be ahead of the restarted agent's
                second = await cycle(poller)
            with snmpd(tmp_path / "b", [address], port=port):  # a new process: sysUpTime ~0
                third = await cycle(poller)
                fourth = await cycle(poller)
            return [first, second, third, fourth]
        finally:
            await poller.aclose()

    rs = asyncio.run(go())
    figure(
        7,
        "loopback snmpd restarted between cycles 2 and 3: (uptime s, restarted) per cycle "
        + str([(r.uptime_s, r.restarted) for r in rs])
        + "; detail of cycle 3: "
        + rs[2].detail,
    )
    assert all(r.success for r in rs)
    assert [r.restarted for r in rs] == [False, False, True, False]
    assert rs[2].detail.startswith("full read")  # a restart re-reads the tables


def samples(text: str) -> tuple[dict[tuple[str, tuple[tuple[str, str], ...]], float], set[str]]:
    values, counters = {}, set()
    for fam in text_string_to_metric_families(text):
        if fam.type == "counter":
            counters.add(fam.name)
        for s in fam.samples:
            values[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return values, counters


def test_item07_restart_and_wrap_never_give_a_negative_rate() -> None:
    inv = synth.inventory()
    before = synth.results(inv, octets=10**12)
    # cycle 2: every device restarted (counters back near 0, sysUpTime back to 5 s), except
    # one that did not restart but whose 32-bit error counter wrapped
    wrapped = "cpe-so-tttt"
    after = []
    for r in synth.results(inv, octets=1000):
        if r.probe != "snmp" or not r.success:
            after.append(r)
        elif r.device == wrapped:
            old = {
                i.name: i
                for i in next(
                    x for x in before if x.device == wrapped and x.probe == "snmp"
                ).interfaces
            }
            ifaces = tuple(
                replace(old[i.name], in_errors=3) for i in r.interfaces
            )  # 2**32-ish -> 3
            after.append(replace(r, interfaces=ifaces, uptime_s=2000.0))
        else:
            after.append(replace(r, uptime_s=5.0, restarted=True))
    before = [
        replace(r, interfaces=tuple(replace(i, in_errors=2**32 - 2) for i in r.interfaces))
        if r.probe == "snmp" and r.success
        else r
        for r in before
    ]
    t1 = exposition(synth.state(inv, before)).decode()
    t2 = exposition(synth.state(inv, after)).decode()
    v1, counters = samples(t1)
    v2, _ = samples(t2)
    link_counters = sorted(n for n in counters if n.startswith("netmon_link_"))
    assert len(link_counters) == 6  # raw device counters, exported as counters
    uptime = {
        dict(k[1])["device"]: v for k, v in v2.items() if k[0] == "netmon_device_uptime_seconds"
    }
    uptime1 = {
        dict(k[1])["device"]: v for k, v in v1.items() if k[0] == "netmon_device_uptime_seconds"
    }
    decreased, unexplained, rates = 0, [], []
    for key, new in v2.items():
        if not key[0].startswith("netmon_link_") or not key[0].endswith("_total") or key not in v1:
            continue
        old = v1[key]
        # Prometheus: a decrease is a reset, so the increase is the new value itself
        rates.append(new - old if new >= old else new)
        if new < old:
            decreased += 1
            device = dict(key[1])["device"]
            if not uptime[device] < uptime1[device]:
                unexplained.append((key[0], device))
    figure(
        7,
        f"{decreased} counter series decreased across a restart of every device; reset signal "
        f"(netmon_device_uptime_seconds dropped) for all but {len(set(unexplained))} series "
        f"of the non-restarted device with a wrapped 32-bit counter {sorted(set(unexplained))}; "
        f"min Prometheus-style increase {min(rates)} (never negative)",
    )
    assert decreased > 0 and min(rates) >= 0
    # the only decrease without an uptime drop is the 32-bit wrap, which Prometheus also
    # reads as a reset (under-counting that one window, never negative)
    assert {d for _, d in unexplained} == {wrapped}
    assert {n for n, _ in unexplained} == {"netmon_link_receive_errors_total"}
    if shutil.which("promtool"):
        done = subprocess.run(["promtool", "check", "metrics"], input=t2, text=True,
                              capture_output=True, check=False)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
