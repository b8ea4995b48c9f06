"""Failure injection on the live lab, observed from the noc with net-snmp's CLI."""

from __future__ import annotations

import time
from typing import Any

import pytest

from lab.labtools import LiveLab, wait_for

pytestmark = pytest.mark.lab

SYS_NAME = "1.3.6.1.2.1.1.5.0"
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"
LLDP_LOC_PORT_ID = "1.0.8802.1.1.2.1.3.7.1.3"
LLDP_REM_SYSNAME = "1.0.8802.1.1.2.1.4.1.1.9"


def mgmt(lab: LiveLab, name: str) -> str:
    return str(lab.node(name)["mgmt"])


def oper(lab: LiveLab, node: str, port: str) -> str:
    descr = lab.walk(mgmt(lab, node), IF_DESCR)
    index = next(k for k, v in descr.items() if v == port)
    return lab.walk(mgmt(lab, node), IF_OPER)[index]


def neighbour_on(lab: LiveLab, node: str, port: str) -> str | None:
    loc = lab.walk(mgmt(lab, node), LLDP_LOC_PORT_ID)
    num = next((k for k, v in loc.items() if v == port), None)
    if num is None:
        return None  # lldpd has not registered with snmpd (AgentX) yet
    for index, name in lab.walk(mgmt(lab, node), LLDP_REM_SYSNAME).items():
        if index.split(".")[1] == num:
            return name
    return None


def plain_link(lab: LiveLab) -> dict[str, Any]:
    """A declared, cabled link no deviation touches."""
    touched = {d["link"] for d in lab.status["deviations"]}
    return next(
        lk
        for lk in lab.status["links"]
        if lk["declared"]
        and lk["state"] == "up"
        and lk["id"] not in touched
        and lk["id"] == "core-1--core-2"
    )


# A bound against a hang, not a speed goal: on a quiet machine both ends read down with their
# neighbour gone in 1-2 s (lldpd's and snmpd's caches); under a loaded full suite 3.4 s was seen.
CUT_SHOWS_S = 10.0


def test_a_cut_link_reads_down_and_loses_lldp_at_both_ends(lab: LiveLab) -> None:
    lk = plain_link(lab)
    a, b = lk["a"], lk["b"]
    ends = [(a["device"], a["interface"], b["device"]), (b["device"], b["interface"], a["device"])]
    for dev, port, peer in ends:  # the starting point: up, neighbour seen
        assert wait_for(lambda d=dev, p=port, q=peer: neighbour_on(lab, d, p) == q, 10)
        assert wait_for(lambda d=dev, p=port: oper(lab, d, p) == "1", 5)
    assert lab.cli("cut", lk["id"]).returncode == 0
    started = time.monotonic()
    try:
        for dev, port, _ in ends:
            assert wait_for(
                lambda d=dev, p=port: oper(lab, d, p) == "2" and neighbour_on(lab, d, p) is None,
                CUT_SHOWS_S - (time.monotonic() - started),
            )
        print(f"cut shown at both ends after {time.monotonic() - started:.1f} s")
        assert next(x for x in lab.status["links"] if x["id"] == lk["id"])["state"] == "cut"
    finally:
        assert lab.cli("restore", lk["id"]).returncode == 0
    for dev, port, peer in ends:
        assert wait_for(lambda d=dev, p=port, q=peer: neighbour_on(lab, d, p) == q, 10)


def test_loss_injection_drops_packets(lab: LiveLab) -> None:
    node = "cpe-ubnd-phu-ho"
    addr = mgmt(lab, node)
    assert all(lab.get(addr, SYS_NAME, timeout="0.5") == node for _ in range(10))
    assert lab.cli("loss", node, "60").returncode == 0
    try:
        assert lab.node(node)["loss_pct"] == 60
        answered = sum(lab.get(addr, SYS_NAME, timeout="0.15") is not None for _ in range(40))
        # 40 tries at 60 % loss: 16 answers expected; 30 or more has odds below 1 in 10^5.
        assert answered < 30
    finally:
        assert lab.cli("loss", node, "0").returncode == 0
    assert all(lab.get(addr, SYS_NAME, timeout="0.5") == node for _ in range(10))


def test_delay_holds_requests_for_the_given_time(lab: LiveLab) -> None:
    node = "cpe-ubnd-thuy-phu"
    addr = mgmt(lab, node)
    assert lab.cli("delay", node, "400").returncode == 0
    try:
        started = time.monotonic()
        assert lab.get(addr, SYS_NAME, timeout="3") == node
        assert time.monotonic() - started >= 0.38
        assert lab.get(addr, SYS_NAME, timeout="0.2") is None  # too impatient now
    finally:
        assert lab.cli("delay", node, "0").returncode == 0
    started = time.monotonic()
    assert lab.get(addr, SYS_NAME, timeout="1") == node
    assert time.monotonic() - started < 0.3


def test_freeze_is_a_black_hole_and_thaw_brings_it_back(lab: LiveLab) -> None:
    node = "cpe-ubnd-huong-thuy"
    addr = mgmt(lab, node)
    assert lab.get(addr, SYS_NAME, timeout="0.5") == node
    assert lab.cli("freeze", node).returncode == 0
    try:
        assert lab.node(node)["frozen"] is True
        assert lab.get(addr, SYS_NAME, timeout="0.5", retries="1") is None
        assert lab.noc("fping", "-c1", "-t500", addr, check=False).returncode == 0  # kernel alive
    finally:
        assert lab.cli("thaw", node).returncode == 0
    assert lab.get(addr, SYS_NAME, timeout="1") == node
