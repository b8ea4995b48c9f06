"""Drift: exactly the injected deviations, nothing else; LLDP port-id subtypes decoded right."""

from __future__ import annotations

from dataclasses import replace

import pytest

from netmon.model import InterfaceState, Inventory, Neighbour, ProbeResult
from netmon.topology import Topology, build_snapshot
from topology.net import healthy, metronet

POP_A, POP_B = "pop-phu-vang", "pop-huong-tra"
MOVED = "pop-phu-vang--cpe-ubnd-phu-an"  # its cable sits on another PoP port
SILENT = "pop-huong-tra--cpe-ubnd-huong-van"  # declared, up, but LLDP sees nothing


def add(
    results: list[ProbeResult],
    device: str,
    *,
    neighbours: tuple[Neighbour, ...] = (),
    interfaces: tuple[InterfaceState, ...] = (),
    down: tuple[str, ...] = (),
) -> None:
    """Extend one device's snmp result: more neighbours and interfaces, some ports down."""
    for i, r in enumerate(results):
        if r.device == device and r.probe == "snmp":
            ifaces = tuple(replace(x, oper_up=False) if x.name in down else x for x in r.interfaces)
            results[i] = replace(
                r, neighbours=r.neighbours + neighbours, interfaces=ifaces + interfaces
            )
            return
    raise AssertionError(f"no snmp result for {device}")


def lldp(local: str, inv: Inventory, remote: str, port: str, **kw: str) -> Neighbour:
    d = inv.device_by_id[remote]
    fields = {
        "chassis_id": f"02:00:{remote}",
        "chassis_id_subtype": "mac_address",
        "port_id": port,
        "port_id_subtype": "interface_name",
        "sys_name": remote,
        "mgmt_address": str(d.mgmt),
        **kw,
    }
    return Neighbour(local, **fields)  # type: ignore[arg-type]


def seeded() -> tuple[Inventory, list[ProbeResult]]:
    inv = metronet().inventory()
    moved, silent = inv.link_by_id[MOVED], inv.link_by_id[SILENT]
    results = healthy(inv, skip={moved, silent})
    # Wrong port: the CPE is cabled to spare1 on the PoP instead of its declared port.
    add(
        results,
        POP_A,
        down=(moved.a.interface,),
        interfaces=(InterfaceState("spare1", oper_up=True), InterfaceState("spare2", oper_up=True)),
        neighbours=(
            lldp("spare1", inv, moved.b.device, moved.b.interface),
            lldp("spare2", inv, POP_B, "spare2"),
        ),
    )
    add(results, moved.b.device, neighbours=(lldp(moved.b.interface, inv, POP_A, "spare1"),))
    # Undeclared: a patch between the two PoPs' spare2 ports, seen from both sides.
    add(
        results,
        POP_B,
        interfaces=(InterfaceState("spare2", oper_up=True), InterfaceState("spare3", oper_up=True)),
        neighbours=(
            lldp("spare2", inv, POP_A, "spare2"),
            # Unknown neighbour: a switch nobody declared, on spare3.
            Neighbour(
                "spare3",
                chassis_id="00:1b:21:aa:bb:cc",
                chassis_id_subtype="mac_address",
                port_id="Gi0/1",
                port_id_subtype="interface_name",
                sys_name="rogue-sw",
                mgmt_address="192.0.2.50",
            ),
        ),
    )
    return inv, results


def test_drift_lists_exactly_the_seeded_deviations() -> None:
    inv, results = seeded()
    snap = build_snapshot(inv, results, at=0)
    got = [
        (d.kind, d.link, tuple(map(str, d.declared)), tuple(map(str, d.seen))) for d in snap.drift
    ]
    moved = inv.link_by_id[MOVED]
    assert got == [
        ("missing", SILENT, tuple(map(str, inv.link_by_id[SILENT].ends())), ()),
        ("undeclared", None, (), (f"{POP_B}:spare2", f"{POP_A}:spare2")),
        ("unknown_neighbour", None, (), (f"{POP_B}:spare3",)),
        ("wrong_port", MOVED, (str(moved.a), str(moved.b)), (f"{POP_A}:spare1", str(moved.b))),
    ]
    assert "rogue-sw" in snap.drift[2].remote and "192.0.2.50" in snap.drift[2].remote
    assert snap.drift_counts() == {
        "missing": 1,
        "undeclared": 1,
        "wrong_port": 1,
        "unknown_neighbour": 1,
    }
    per_link = {lk.id: (lk.origin, lk.drift) for lk in snap.links}
    assert per_link[MOVED] == ("both", "wrong_port")
    assert per_link[SILENT] == ("declared", "missing")
    assert [v for k, v in per_link.items() if k not in (MOVED, SILENT)] == [("both", None)] * (
        len(per_link) - 2
    )
    assert [(str(s.a), str(s.b)) for s in snap.discovered] == [
        (f"{POP_B}:spare2", f"{POP_A}:spare2")
    ]
    # The moved cable carries the agency: one finding, the drift. The link's state is that of
    # the ports it is on (spare1 is up), not "down" because its declared port is empty.
    link = snap.link_by_id[MOVED]
    assert (link.status, link.a_if and link.a_if.name) == ("up", "spare1")
    assert snap.agency_by_id["ubnd-phu-an"].reachable


def test_a_cable_in_another_port_is_down_when_that_port_is_down() -> None:
    inv, results = seeded()
    add(results, POP_A, down=("spare1",))
    link = build_snapshot(inv, results, at=0).link_by_id[MOVED]
    assert (link.drift, link.status) == ("wrong_port", "down")


def test_a_neighbour_is_matched_by_the_chassis_id_its_device_reports() -> None:
    """A CPE whose sysName is not its inventory id and that sends no management address:
    its own lldpLocChassisId (read from the CPE itself) names it; unknown before."""
    inv = metronet().inventory()
    link = inv.link_by_id[MOVED]
    pop, cpe = link.a, link.b
    results = healthy(inv, skip={link})
    stranger = lldp(pop.interface, inv, cpe.device, cpe.interface, sys_name="Router",
                    mgmt_address="", chassis_id="00:1e:be:12:34:56")  # fmt: skip
    add(results, pop.device, neighbours=(stranger,))
    unknown = build_snapshot(inv, results, at=0)
    # before: a stranger on the port, and the declared link missing (two wrong findings)
    assert [d.kind for d in unknown.drift] == ["missing", "unknown_neighbour"]
    for i, r in enumerate(results):
        if r.device == cpe.device and r.probe == "snmp":
            results[i] = replace(
                r, chassis_id="00:1E:BE:12:34:56", chassis_id_subtype="mac_address"
            )
    matched = build_snapshot(inv, results, at=0)
    assert matched.drift == ()
    assert matched.link_by_id[MOVED].origin == "both"


def test_a_chassis_id_two_devices_claim_names_neither() -> None:
    inv = metronet().inventory()
    link = inv.link_by_id[MOVED]
    results = healthy(inv, skip={link})
    stranger = lldp(link.a.interface, inv, link.b.device, link.b.interface, sys_name="Router",
                    mgmt_address="", chassis_id="00:1e:be:12:34:56")  # fmt: skip
    add(results, link.a.device, neighbours=(stranger,))
    claim = {"chassis_id": "00:1e:be:12:34:56", "chassis_id_subtype": "mac_address"}
    for i, r in enumerate(results):
        if r.probe == "snmp" and r.device in (link.b.device, POP_B):
            results[i] = replace(r, **claim)  # type: ignore[arg-type]
    kinds = [d.kind for d in build_snapshot(inv, results, at=0).drift]
    assert kinds == ["missing", "unknown_neighbour"]


def test_a_healthy_network_has_no_drift() -> None:
    inv = metronet().inventory()
    snap = build_snapshot(inv, healthy(inv), at=0)
    assert snap.drift == ()
    assert {lk.origin for lk in snap.links} == {"both"}


def test_no_judgement_without_observation() -> None:
    """An end never polled, or polled without LLDP, or a link that is down: no 'missing'."""
    inv = metronet().inventory()
    silent = inv.link_by_id[SILENT]
    unpolled = [r for r in healthy(inv, skip={silent}) if r.device != silent.b.device]
    assert build_snapshot(inv, unpolled, at=0).drift == ()
    icmp_only = [
        r
        for r in healthy(inv, skip={silent})
        if not (r.device == silent.b.device and r.probe == "snmp")
    ]
    assert build_snapshot(inv, icmp_only, at=0).drift == ()
    cut = healthy(inv, down_ifaces={silent.a, silent.b})
    snap = build_snapshot(inv, cut, at=0)
    assert snap.drift == () and snap.link_by_id[SILENT].status == "down"


def _ends_down(inv: Inventory, link_id: str, **state: object) -> list[ProbeResult]:
    """Healthy results with both ends of one link reading oper down, with `state` set."""
    lk = inv.link_by_id[link_id]
    out = healthy(inv, down_ifaces={lk.a, lk.b})
    ends = {(lk.a.device, lk.a.interface), (lk.b.device, lk.b.interface)}
    return [
        replace(
            r,
            interfaces=tuple(
                replace(i, **state) if (r.device, i.name) in ends else i  # type: ignore[arg-type]
                for i in r.interfaces
            ),
        )
        for r in out
    ]


def test_a_link_down_since_the_agents_started_is_missing() -> None:
    """ifLastChange 0 on both down ends: never up while the agents ran, i.e. never cabled."""
    inv = metronet().inventory()
    snap = build_snapshot(inv, _ends_down(inv, SILENT, last_change_s=0.0), at=0)
    assert [(d.kind, d.link) for d in snap.drift] == [("missing", SILENT)]
    assert snap.link_by_id[SILENT].status == "down"  # still a link state too
    # A targeted poll read the CPE end without ifLastChange: the PoP end's 0 still decides.
    cpe = inv.link_by_id[SILENT].b
    mixed = [
        replace(
            r,
            interfaces=tuple(
                replace(i, last_change_s=None) if i.name == cpe.interface else i
                for i in r.interfaces
            ),
        )
        if r.device == cpe.device
        else r
        for r in _ends_down(inv, SILENT, last_change_s=0.0)
    ]
    assert [d.link for d in build_snapshot(inv, mixed, at=0).drift] == [SILENT]


@pytest.mark.parametrize(
    "state",
    [
        {"last_change_s": 903.0},  # went down while the agent ran: a cut, not drift
        {"last_change_s": None},  # ifLastChange not read (an SSH source): no judgement
        {"last_change_s": 0.0, "admin_up": False},  # shut on purpose
    ],
)
def test_a_link_that_went_down_is_not_drift(state: dict[str, object]) -> None:
    inv = metronet().inventory()
    snap = build_snapshot(inv, _ends_down(inv, SILENT, **state), at=0)
    assert snap.drift == () and snap.link_by_id[SILENT].status == "down"


@pytest.mark.parametrize(
    ("subtype", "port_id", "description"),
    [
        ("interface_name", "to-pop-phu-vang", ""),
        ("interface_alias", "WAN uplink", ""),  # ifAlias of the CPE's port
        ("local", "1", ""),  # ifIndex of the CPE's port
        ("mac_address", "52:54:00:12:34:56", "to-pop-phu-vang"),  # name from the description
        ("mac_address", "52:54:00:12:34:56", ""),  # port unknown: the device pair still matches
    ],
)
def test_port_id_subtypes(subtype: str, port_id: str, description: str) -> None:
    """The PoP alone reports the CPE; the CPE's own LLDP is silent for this link."""
    inv = metronet().inventory()
    link = inv.link_by_id["pop-phu-vang--cpe-ubnd-phu-thuan"]
    results = healthy(inv, skip={link})
    cpe = link.b.device
    for i, r in enumerate(results):
        if r.device == cpe and r.probe == "snmp":
            ifaces = tuple(
                replace(x, alias="WAN uplink") if x.name == link.b.interface else x
                for x in r.interfaces
            )
            results[i] = replace(r, interfaces=ifaces)
    add(
        results,
        POP_A,
        neighbours=(
            lldp(
                link.a.interface,
                inv,
                cpe,
                port_id,
                port_id_subtype=subtype,
                port_description=description,
            ),
        ),
    )
    snap = build_snapshot(inv, results, at=0)
    assert snap.drift == ()
    assert snap.link_by_id[link.id].origin == "both"


def test_a_mac_port_id_is_never_read_as_a_name() -> None:
    """A MAC port id that happens to look like a declared port of another link must not move
    the cable there (the classic subtype trap): with the subtype read, it stays unresolved."""
    inv = metronet().inventory()
    link = inv.link_by_id["pop-phu-vang--cpe-ubnd-phu-thuan"]
    results = healthy(inv, skip={link})
    add(
        results,
        POP_A,
        neighbours=(
            lldp(link.a.interface, inv, link.b.device, "wan-other", port_id_subtype="mac_address"),
        ),
    )
    snap = build_snapshot(inv, results, at=0)
    assert snap.drift == ()


def test_neighbours_matched_by_learned_chassis_and_by_domain_name() -> None:
    inv = metronet().inventory()
    pop = inv.device_by_id[POP_A]
    a = inv.link_by_id["pop-phu-vang--cpe-ubnd-phu-thuan"]
    b = inv.link_by_id["pop-phu-vang--cpe-ubnd-phu-an"]
    results = healthy(inv, skip={a, b})
    # One CPE reports the PoP fully (address, chassis); the other only by chassis id.
    add(
        results,
        a.b.device,
        neighbours=(
            Neighbour(
                a.b.interface,
                chassis_id="AA:BB:CC:00:00:01",
                chassis_id_subtype="mac_address",
                port_id=a.a.interface,
                port_id_subtype="interface_name",
                mgmt_address=str(pop.mgmt),
            ),
        ),
    )
    add(
        results,
        b.b.device,
        neighbours=(
            Neighbour(
                b.b.interface,
                chassis_id="aa:bb:cc:00:00:01",
                chassis_id_subtype="mac_address",
                port_id=b.a.interface,
                port_id_subtype="interface_name",
            ),
        ),
    )
    # The PoP sees a CPE announcing a fully qualified, upper-case system name.
    add(
        results,
        POP_A,
        neighbours=(
            Neighbour(
                a.a.interface,
                chassis_id="x",
                port_id=a.b.interface,
                port_id_subtype="interface_name",
                sys_name=f"{a.b.device.upper()}.metronet.hue.gov.vn",
            ),
        ),
    )
    snap = build_snapshot(inv, results, at=0)
    assert snap.drift == ()
    assert snap.link_by_id[a.id].origin == "both" and snap.link_by_id[b.id].origin == "both"


def test_an_ssh_view_of_the_same_ports_does_not_hide_what_snmp_read() -> None:
    """SSH reports the same interfaces without ifLastChange; SNMP's reading still counts."""
    inv = metronet().inventory()
    results = _ends_down(inv, SILENT, last_change_s=0.0)
    ssh = [
        replace(
            r, probe="ssh", interfaces=tuple(replace(i, last_change_s=None) for i in r.interfaces)
        )
        for r in results
        if r.probe == "snmp"
    ]
    for order in (results + ssh, ssh + results):
        assert [d.link for d in build_snapshot(inv, order, at=0).drift] == [SILENT]


def test_a_cycle_without_neighbours_never_indexes_the_addresses() -> None:
    # The declared design (and any cycle without LLDP) has no neighbour to match: indexing
    # every device's address was 0.09 s of the national spof report for nothing.
    inv = metronet().inventory()
    topology = Topology(inv)
    topology.snapshot(at=0)
    topology.snapshot(healthy(inv, lldp=False), at=0)
    assert "by_mgmt" not in vars(topology._index)
    snap = topology.snapshot(healthy(inv), at=0)  # neighbours: matched by address again
    assert "by_mgmt" in vars(topology._index)
    assert snap.drift == ()
