"""The in-band lab: addresses and routing as planned (no root needed), then a live lab-small
routed by bird, where the data plane itself shows that in-band has no side door."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from lab.labtools import LAB_SMALL, LiveLab, lab_unavailable, wait_for
from netmon.errors import SafetyError
from netmon.lab import LabPaths, inject, plan_lab, routing, safety
from netmon.lab.lifecycle import UpRequest, up

INVENTORY = Path(__file__).parents[2] / "inventory"


def test_addresses_stay_inside_the_management_network_and_never_collide() -> None:
    plan = plan_lab(INVENTORY, deviations=1)
    assert plan.management == "inband" and plan.transfer is not None
    assert plan.transfer.subnet_of(plan.network)
    mgmt = {n.mgmt for n in plan.all_nodes()}
    assert not any(a in plan.transfer for a in mgmt)
    legs = [leg for ends in routing.legs(plan).values() for leg in ends]
    addresses = [leg.address for leg in legs]
    assert len(addresses) == len(set(addresses)) == 2 * len(routing.cables(plan))
    for leg in legs:  # each end's peer is the other address of its /31
        assert IPv4Network(f"{leg.address}/31", strict=False) == IPv4Network(
            f"{leg.peer}/31", strict=False
        )


def test_routing_plan_ospf_on_the_backbone_static_for_single_homed_cpes() -> None:
    plan = plan_lab(LAB_SMALL, deviations=0)
    routers = routing.routers(plan)
    assert routers == {"noc", "core-1", "core-2", "pop-phu-vang", "pop-huong-thuy", "cpe-so-tttt"}
    conf = routing.bird_conf(
        next(n for n in plan.nodes if n.name == "pop-phu-vang"), plan, Path("/x")
    )
    assert 'interface "core1" { type ptp; hello 1; dead 4; retransmit 2; cost 10; }' in conf
    assert 'interface "acc1" { type ptp; hello 1; dead 4; retransmit 2; cost 1000; }' in conf
    assert "check link yes" in conf and "route 10.46.16.2/32 via" in conf
    # Only loopbacks are announced (a restored cable then changes the LSA once, not twice
    # within MinLSInterval), and they are what every node sends from.
    assert f"stubnet {plan.transfer} {{ hidden; summary; }};" in conf
    assert "krt_prefsrc = 10.46.1.11;" in conf
    assert f"netlink rx buffer {routing.NETLINK_RX_BUFFER};" in conf
    cpe = next(n for n in plan.nodes if n.name == "cpe-ubnd-phu-vang")
    batch = routing.ip_batch(cpe, plan)
    assert "addr add 10.46.16.2/32 dev lo" in batch
    assert "route add 10.46.0.0/16 via" in batch and "src 10.46.16.2" in batch
    assert "default" not in batch
    # No ARP on a cable: fixed MACs, and a permanent entry for the far end.
    (leg,) = routing.legs(plan)[cpe.name]
    assert f"link set {leg.interface} address {routing.mac(leg.address)}" in batch
    assert (
        f"neigh replace {leg.peer} lladdr {routing.mac(leg.peer)} dev {leg.interface} nud permanent"
    ) in batch
    dual = next(n for n in plan.nodes if n.name == "cpe-so-tttt")
    assert "echo 0 > /proc/sys/net/ipv4/ip_forward" in routing.sysctls(dual, plan)
    oob = plan_lab(LAB_SMALL, management="oob")
    assert oob.transfer is None and routing.routers(oob) == set()


def test_up_refuses_a_transfer_block_the_host_routes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plan = plan_lab(LAB_SMALL)
    assert plan.transfer is not None
    monkeypatch.setattr(safety, "require_root", lambda: None)
    monkeypatch.setattr(safety, "require_tools", lambda **_: None)
    monkeypatch.setattr(safety, "host_networks", lambda: [plan.transfer])
    with pytest.raises(SafetyError, match="overlaps the host"):
        up(UpRequest(plan, str(LAB_SMALL)), LabPaths(tmp_path / "lab"))
    assert not (tmp_path / "lab").exists()  # refused before anything was touched


@pytest.fixture(scope="module")
def inband(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveLab]:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    from netmon.lab import lab_down, lab_up

    state = tmp_path_factory.mktemp("inband") / "state"
    try:
        lab_up(LAB_SMALL, state, deviations=0, forwards=(), management="inband")
        yield LiveLab(state, 0)
    finally:
        lab_down(state)


def _dynamic_neighbours(lab: LiveLab, node: str) -> list[str]:
    """The node's neighbour entries that are not permanent (the lab's cables need none)."""
    done = subprocess.run(
        ["nsenter", f"--net={lab.state_dir / 'ns' / node}", "--", "ip", "-4", "neigh"],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return [ln for ln in done.stdout.splitlines() if "PERMANENT" not in ln]


def _alive(lab: LiveLab, *addresses: str) -> set[str]:
    done = lab.noc("fping", "-a", "-q", "-t", "300", "-r", "1", *addresses, check=False)
    return set(done.stdout.split())


@pytest.mark.lab
def test_status_routes_and_no_way_off_the_lab(inband: LiveLab) -> None:
    status = inband.status
    assert status["lab"]["management"] == "inband"
    birds = {n["name"]: n["daemons"].get("bird") for n in status["nodes"]}
    assert birds["noc"] and birds["core-1"] and birds["cpe-so-tttt"]
    assert birds["cpe-ubnd-phu-vang"] is None  # single-homed: a static route, no daemon
    network = IPv4Network(status["lab"]["network"])
    routes = json.loads(inband.noc("ip", "-j", "-4", "route").stdout)
    assert routes and all(r["dst"] != "default" for r in routes)
    for r in routes:
        dst = r["dst"] if "/" in r["dst"] else r["dst"] + "/32"
        assert IPv4Network(dst).subnet_of(network), r
    every = [n["mgmt"] for n in status["nodes"] if n["role"] != "noc"]
    assert _alive(inband, *every) == set(every)
    # Every cable end knows its peer without ARP: the kernel's neighbour table is shared by
    # all namespaces, and a 467 lab's ARP entries alone filled it (routing.py).
    for node in ("noc", "core-1", "pop-phu-vang", "cpe-ubnd-phu-vang", "cpe-so-tttt"):
        assert _dynamic_neighbours(inband, node) == [], node
    # The host has no lab address and no lab route.
    host = safety.host_networks()
    assert not any(net.overlaps(network) for net in host)


@pytest.mark.lab
def test_behind_a_dead_pop_everything_is_silent_and_comes_back(inband: LiveLab) -> None:
    paths = LabPaths(inband.state_dir)
    mgmt = {n["name"]: n["mgmt"] for n in inband.status["nodes"]}
    behind = [mgmt[d] for d in ("pop-huong-thuy", "cpe-ubnd-huong-thuy", "cpe-ubnd-phu-bai")]
    dual = mgmt["cpe-so-tttt"]  # also cabled to pop-phu-vang: fails over
    inject.set_powered_off(paths, "pop-huong-thuy", True)
    try:
        gone = wait_for(lambda: not _alive(inband, *behind), 15)
        assert gone, "in-band there is no side door: behind a dead PoP nothing answers"
        assert wait_for(lambda: _alive(inband, dual) == {dual}, 15), "the dual-homed CPE fails over"
    finally:
        inject.set_powered_off(paths, "pop-huong-thuy", False)
    assert wait_for(lambda: _alive(inband, *behind) == set(behind), 30)
    assert IPv4Address(dual) in {IPv4Address(a) for a in _alive(inband, dual)}
    # Power-off shut the PoP's ports, which flushed their permanent neighbour entries;
    # power-on wrote them again (and a cut cable's, when it is restored).
    assert _dynamic_neighbours(inband, "pop-huong-thuy") == []
    inject.set_cut(paths, "pop-huong-thuy--cpe-ubnd-phu-bai", True)
    inject.set_cut(paths, "pop-huong-thuy--cpe-ubnd-phu-bai", False)
    assert wait_for(lambda: _alive(inband, mgmt["cpe-ubnd-phu-bai"]) != set(), 30)
    assert _dynamic_neighbours(inband, "cpe-ubnd-phu-bai") == []
