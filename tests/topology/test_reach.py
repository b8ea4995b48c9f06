"""Reachability from the core, root cause, coverage, per-service reachability."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from netmon.model import Cause, Endpoint, Inventory
from netmon.topology import build_snapshot
from topology import oracle
from topology.net import Net, healthy, metronet

A, B = "pop-phu-vang", "pop-huong-tra"
UPLINKS_A = ("core-1--pop-phu-vang", "pop-phu-vang--pop-huong-tra")
SINGLE_A = {"ubnd-phu-thuan", "ubnd-phu-an"}


def ends(inv: Inventory, *links: str) -> set[Endpoint]:
    return {e for lid in links for e in inv.link_by_id[lid].ends()}


def test_declared_design_reaches_everyone_and_names_single_points_of_failure() -> None:
    inv = metronet().inventory()
    snap = build_snapshot(inv, at=0)
    assert not snap.probed
    assert all(a.reachable for a in snap.agencies)
    phu_thuan = snap.agency_by_id["ubnd-phu-thuan"]
    assert [str(e) for e in phu_thuan.spofs_declared] == [
        "device:pop-phu-vang",
        "link:pop-phu-vang--cpe-ubnd-phu-thuan",
    ]
    # Dual-homed (one CPE, two PoPs) and two CPEs on two PoPs: no single point of failure.
    assert snap.agency_by_id["so-tttt"].spofs_declared == ()
    assert snap.agency_by_id["ubnd-tinh"].spofs_declared == ()
    assert set(snap.declared.single_path) == SINGLE_A | {"ubnd-huong-van"}


def test_cutting_a_pops_uplinks_names_the_pop_and_spares_dual_homed() -> None:
    """Management out of band: the PoP still answers, but both its ring uplinks are down."""
    inv = metronet().inventory()
    snap = build_snapshot(inv, healthy(inv, down_ifaces=ends(inv, *UPLINKS_A)), at=0)
    cut = {a.id: a.causes for a in snap.agencies if not a.reachable}
    assert set(cut) == SINGLE_A
    for causes in cut.values():
        assert causes == (Cause("device", A, "isolated"),)
    for dual in ("so-tttt", "ubnd-tinh", "ubnd-huong-van"):
        assert snap.agency_by_id[dual].reachable and snap.agency_by_id[dual].causes == ()
    assert snap.device_by_id[A].status == "up" and not snap.device_by_id[A].reachable
    assert {lk.id for lk in snap.links if lk.status == "down"} == set(UPLINKS_A)


def test_in_band_management_a_pop_behind_its_dark_ports_is_isolated_not_down() -> None:
    """The PoP and everything behind it stop answering; its neighbours read their ports to it
    down. In-band, the NOC cannot tell a dead PoP from one whose two ring links were cut: the
    PoP is named, isolated, and neither it nor its CPEs are called down. Out-of-band the
    silence is the PoP's own: down, and its CPEs down too."""
    inv = metronet().inventory()
    dead = {A, "cpe-ubnd-phu-thuan", "cpe-ubnd-phu-an"}
    results = healthy(inv, down_ifaces=ends(inv, *UPLINKS_A), dead=dead)
    snap = build_snapshot(inv, results, at=0)
    cut = {a.id: a.causes for a in snap.agencies if not a.reachable}
    assert cut == {a: (Cause("device", A, "isolated"),) for a in SINGLE_A}
    assert {d: snap.device_by_id[d].status for d in dead} == dict.fromkeys(dead, "unreachable")
    assert snap.device_by_id[A].causes == tuple(Cause("link", lk, "down") for lk in UPLINKS_A)
    for cpe in dead - {A}:
        assert snap.device_by_id[cpe].causes == (Cause("device", A, "isolated"),)
    oob = build_snapshot(inv, results, at=0, management="oob")
    cut = {a.id: a.causes for a in oob.agencies if not a.reachable}
    assert cut == {a: (Cause("device", A, "down"),) for a in SINGLE_A}
    assert {d: oob.device_by_id[d].status for d in dead} == dict.fromkeys(dead, "down")


def test_in_band_a_silent_device_whose_upstream_answers_is_down() -> None:
    """The PoP hangs: it answers nothing, its neighbours still read their ports up. Nothing
    failed in front of it: down. Its CPEs, silent behind it, are unreachable (not down)."""
    inv = metronet().inventory()
    dead = {A, "cpe-ubnd-phu-thuan", "cpe-ubnd-phu-an"}
    snap = build_snapshot(inv, healthy(inv, dead=dead), at=0)
    cut = {a.id: a.causes for a in snap.agencies if not a.reachable}
    assert cut == {a: (Cause("device", A, "down"),) for a in SINGLE_A}
    assert snap.device_by_id[A].status == "down" and snap.device_by_id[A].causes == ()
    for cpe in dead - {A}:
        assert snap.device_by_id[cpe].status == "unreachable"
        assert snap.device_by_id[cpe].causes == (Cause("device", A, "down"),)


def test_one_uplink_cut_names_the_link() -> None:
    net = Net()
    net.group("g", "Huyện Nam Đông")
    core = net.core()
    pop = net.pop("pop-nam-dong", "g")
    up = net.link(core, pop)
    net.agency("ubnd-khe-tre", "UBND xã Khe Tre", "g", pop)
    inv = net.inventory()
    snap = build_snapshot(inv, healthy(inv, down_ifaces={inv.link_by_id[up].a}), at=0)
    assert snap.agency_by_id["ubnd-khe-tre"].causes == (Cause("link", up, "down"),)


def test_both_pops_down_dual_homed_names_both_single_homed_their_own() -> None:
    inv = metronet().inventory()
    snap = build_snapshot(inv, healthy(inv, dead={A, B}), at=0)
    both = (Cause("device", B, "down"), Cause("device", A, "down"))
    assert snap.agency_by_id["so-tttt"].causes == both
    assert snap.agency_by_id["ubnd-tinh"].causes == both
    assert snap.agency_by_id["ubnd-phu-an"].causes == (Cause("device", A, "down"),)
    assert snap.agency_by_id["ubnd-huong-van"].causes == (Cause("device", B, "down"),)


def test_a_dead_cpe_is_its_own_cause() -> None:
    inv = metronet().inventory()
    snap = build_snapshot(inv, healthy(inv, dead={"cpe-ubnd-phu-an"}), at=0)
    assert [a.id for a in snap.cut_off()] == ["ubnd-phu-an"]
    assert snap.agency_by_id["ubnd-phu-an"].causes == (Cause("device", "cpe-ubnd-phu-an", "down"),)


def test_never_probed_devices_are_assumed_to_work() -> None:
    inv = metronet().inventory()
    results = [r for r in healthy(inv) if r.device != A]
    snap = build_snapshot(inv, results, at=0)
    assert snap.device_by_id[A].status == "unknown"
    assert all(a.reachable for a in snap.agencies)


def test_services_follow_the_devices_they_attach_to() -> None:
    net = metronet()
    net.core("core-2")
    net.link("core-2", B, id="core-2--pop-huong-tra")
    net.service("internet", "Cổng kết nối Internet tập trung", "core-2")
    net.agency("xa-moi", "UBND xã Mới", "huong-tra", A, B)  # uses both services
    inv = net.inventory()
    snap = build_snapshot(inv, healthy(inv, dead={"core-2"}), at=0)
    new = snap.agency_by_id["xa-moi"]
    # Connected means reaching every service it uses: the data network alone is not enough,
    # and the cause is the dead device the Internet service attaches at.
    assert not new.reachable and new.services_cut == ("internet",)
    assert new.causes == (Cause("device", "core-2", "down"),)
    assert snap.device_by_id["cpe-xa-moi"].reachable  # the device itself is reached
    assert [a.id for a in snap.cut_off()] == ["xa-moi"]
    by_service = {c.id: c for c in snap.coverage.by_service}
    assert by_service["internet"].total == 1 and by_service["internet"].reachable == 0
    assert by_service["tslcd"].total == 6 and by_service["tslcd"].reachable == 6


def random_net(seed: int, pops: int = 6, agencies: int = 60) -> Net:
    """A ring of PoPs (some hanging off another PoP), agencies single-, dual-homed or two-CPE."""
    rnd = random.Random(seed)  # noqa: S311 (seeded test data, not secrets)
    net = Net()
    for g in range(3):
        net.group(f"g{g}", f"Huyện số {g}")
    core = net.core()
    ids = [net.pop(f"pop-{i}", f"g{i % 3}") for i in range(pops)]
    ring = [core, *ids[: pops - 2]]
    for x, y in zip(ring, ring[1:] + ring[:1], strict=True):
        net.link(x, y)
    for spur in ids[pops - 2 :]:  # PoPs on a spur: their uplink is a bridge
        net.link(rnd.choice(ids[: pops - 2]), spur)
    for i in range(agencies):
        kind = rnd.random()
        homes = rnd.sample(ids, 2)
        if kind < 0.6:
            net.agency(
                f"a{i}",
                f"Cơ quan {i}",
                f"g{i % 3}",
                homes[0],
                level=rnd.choice(["province", "commune"]),
            )
        elif kind < 0.85:
            net.agency(f"a{i}", f"Cơ quan {i}", f"g{i % 3}", *homes)
        else:
            net.agency(f"a{i}", f"Cơ quan {i}", f"g{i % 3}", *homes, devices=2)
    return net


@pytest.mark.parametrize("seed", range(8))
def test_coverage_equals_an_independent_count(seed: int) -> None:
    rnd = random.Random(seed)  # noqa: S311 (seeded test data, not secrets)
    inv = random_net(seed).inventory()
    dead = set(rnd.sample([d.id for d in inv.devices if d.role != "core"], 3))
    cut_links = rnd.sample(list(inv.links), 4)
    snap = build_snapshot(
        inv, healthy(inv, dead=dead, down_ifaces={lk.a for lk in cut_links}), at=0
    )
    ok = oracle.agencies_reached(inv, oracle.graph(inv, dead, [lk.id for lk in cut_links]))
    assert {a.id for a in snap.agencies if a.reachable} == ok
    level = Counter(a.level for a in inv.agencies if a.id in ok)
    group = Counter(a.group for a in inv.agencies if a.id in ok)
    assert {c.id: c.reachable for c in snap.coverage.by_level} == {
        lv.id: level[lv.id] for lv in inv.levels
    }
    assert {c.id: c.reachable for c in snap.coverage.by_group} == {
        g.id: group[g.id] for g in inv.groups
    }
    assert snap.coverage.total.total == len(inv.agencies)
    assert snap.coverage.total.reachable == len(ok)
    # Every agency cut off has a cause, and each cause really failed.
    failed = dead | {lk.id for lk in cut_links}
    for a in snap.cut_off():
        assert a.causes, a.id
        for c in a.causes:
            assert c.id in failed or c.state == "isolated", (a.id, c)
