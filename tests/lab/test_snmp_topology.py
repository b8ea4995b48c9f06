"""From the noc: every node's IF-MIB and LLDP-MIB, over v2c and v3, match the declared
topology plus the seeded deviations that `lab status -o json` reports as ground truth.

The expectation is computed from the inventory and the status JSON, not from the lab's own
wiring code, so a wiring bug and a reporting bug cannot cancel out.
"""

from __future__ import annotations

from typing import Any

import pytest

from lab.labtools import LAB_SMALL, LiveLab, wait_for
from netmon.inventory import load_inventory

pytestmark = pytest.mark.lab

IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_OPER = "1.3.6.1.2.1.2.2.1.8"
LLDP_LOC_PORT_ID = "1.0.8802.1.1.2.1.3.7.1.3"
LLDP_REM_PORT_ID = "1.0.8802.1.1.2.1.4.1.1.7"
LLDP_REM_SYSNAME = "1.0.8802.1.1.2.1.4.1.1.9"
LLDP_REM_MANADDR = "1.0.8802.1.1.2.1.4.2.1.3"

Pair = frozenset[tuple[str, str]]


def _end(e: dict[str, str]) -> tuple[str, str]:
    return (e["device"], e["interface"])


def expected_cables(status: dict[str, Any]) -> set[Pair]:
    inv = load_inventory(LAB_SMALL)
    cables = {
        frozenset({(lk.a.device, lk.a.interface), (lk.b.device, lk.b.interface)})
        for lk in inv.links
    }
    for d in status["deviations"]:
        if d["declared"]:
            cables.discard(frozenset({_end(d["declared"]["a"]), _end(d["declared"]["b"])}))
        if d["actual"]:
            cables.add(frozenset({_end(d["actual"]["a"]), _end(d["actual"]["b"])}))
    return cables


def expected_ports(status: dict[str, Any]) -> dict[str, set[str]]:
    inv = load_inventory(LAB_SMALL)
    ports = {d.id: set(d.interfaces) for d in inv.devices}
    for d in status["deviations"]:
        if d["actual"]:
            for e in (d["actual"]["a"], d["actual"]["b"]):
                ports[e["device"]].add(e["interface"])
    return ports


def test_the_seeded_deviations_are_all_there(lab: LiveLab) -> None:
    kinds = sorted(d["kind"] for d in lab.status["deviations"])
    assert kinds == ["missing_link", "undeclared_link", "wrong_port"]


@pytest.mark.parametrize("version", ["v2c", "v3"])
def test_if_mib_matches_declared_ports_and_cables(lab: LiveLab, version: str) -> None:
    status = lab.status
    ports, cables = expected_ports(status), expected_cables(status)
    cabled = {end for pair in cables for end in pair}
    for node in status["nodes"]:
        if node["role"] == "noc":
            continue
        name = node["name"]
        want = {p: "1" if (name, p) in cabled else "2" for p in ports[name]}  # up(1), down(2)

        def seen(node: dict[str, Any] = node) -> dict[str, str]:
            descr = lab.walk(node["mgmt"], IF_DESCR, version)
            oper = lab.walk(node["mgmt"], IF_OPER, version)
            return {v: oper[k] for k, v in descr.items() if v not in ("lo", "mgmt0")}

        # snmpd caches its interface table for a few seconds: allow a fresh lab to settle.
        got = wait_for(lambda s=seen, w=want: (v := s()) == w and v, timeout=6, interval=0.5)
        assert (got or seen()) == want, name


def lldp_view(lab: LiveLab, node: dict[str, Any], version: str) -> set[tuple[str, str, str, str]]:
    """(local device, local port, remote sysName, remote port id) for every LLDP neighbour."""
    loc = lab.walk(node["mgmt"], LLDP_LOC_PORT_ID, version)
    names = lab.walk(node["mgmt"], LLDP_REM_SYSNAME, version)
    port_ids = lab.walk(node["mgmt"], LLDP_REM_PORT_ID, version)
    seen = set()
    for index, sysname in names.items():
        local_port_num = index.split(".")[1]  # index: timemark.localPortNum.remIndex
        seen.add((node["name"], loc[local_port_num], sysname, port_ids[index]))
    return seen


@pytest.mark.parametrize("version", ["v2c", "v3"])
def test_lldp_mib_matches_declared_topology_plus_deviations(lab: LiveLab, version: str) -> None:
    status = lab.status
    want: set[tuple[str, str, str, str]] = set()
    for pair in expected_cables(status):
        (d1, p1), (d2, p2) = sorted(pair)
        want |= {(d1, p1, d2, p2), (d2, p2, d1, p1)}
    devices = [n for n in status["nodes"] if n["role"] != "noc"]

    def everything() -> set[tuple[str, str, str, str]]:
        return set().union(*(lldp_view(lab, n, version) for n in devices))

    got = wait_for(lambda: (v := everything()) == want and v, timeout=15, interval=0.5)
    assert got == want or everything() == want


def test_lldp_advertises_management_addresses(lab: LiveLab) -> None:
    status = lab.status
    mgmt = {n["name"]: n["mgmt"] for n in status["nodes"]}
    for pair in expected_cables(status):
        (d1, _), (d2, _) = sorted(pair)
        rows = wait_for(lambda d=d1: lab.walk(mgmt[d], LLDP_REM_MANADDR), timeout=10)
        # index ends in addrSubtype(1 = ipv4).addrLen(4).a.b.c.d
        addresses = {".".join(k.split(".")[-4:]) for k in rows}
        assert mgmt[d2] in addresses, f"{d1} does not see {d2}'s management address"
