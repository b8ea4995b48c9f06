"""Single points of failure: blast radius against brute force, articulation points and bridges
against networkx, single-path agencies, declared versus current."""

from __future__ import annotations

import networkx as nx
import pytest

from netmon.model import Element, Inventory
from netmon.topology import build_snapshot
from topology import oracle
from topology.net import Net, healthy, metronet
from topology.test_reach import random_net


def brute_force_blast(inv: Inventory) -> dict[Element, set[str]]:
    """Fail each site and link in turn and count the agencies lost (quadratic; tests only)."""
    before = oracle.agencies_reached(inv, oracle.graph(inv))
    out: dict[Element, set[str]] = {}
    for site in inv.sites:
        dead = [d.id for d in inv.devices if d.site == site.id]
        out[Element("site", site.id)] = before - oracle.agencies_reached(
            inv, oracle.graph(inv, dead_devices=dead)
        )
    for lk in inv.links:
        out[Element("link", lk.id)] = before - oracle.agencies_reached(
            inv, oracle.graph(inv, dead_links=[lk.id])
        )
    return out


@pytest.mark.parametrize("seed", range(10))
def test_blast_radius_of_every_site_and_link_matches_brute_force(seed: int) -> None:
    net = random_net(seed)
    net.core("core-2")  # a core site with two devices: its blast needs both to fail
    net.link("core-2", "pop-1")
    inv = net.inventory()
    snap = build_snapshot(inv, at=0)
    got = {
        b.element: set(b.agencies)
        for b in snap.declared.blast
        if b.element.kind in ("site", "link")
    }
    assert got == brute_force_blast(inv)


def test_device_blast_counts_agencies_behind_a_cpe() -> None:
    """A CPE that an agency hangs from (no transit back up, but on to another CPE)."""
    net = metronet()
    net.agency("xa-con", "Trạm y tế xã", "phu-vang")
    net.link("cpe-ubnd-phu-an", "cpe-xa-con", kind="access")
    inv = net.inventory()
    snap = build_snapshot(inv, at=0)
    blast = {b.element: set(b.agencies) for b in snap.declared.blast}
    assert blast[Element("device", "cpe-ubnd-phu-an")] == {"ubnd-phu-an", "xa-con"}
    assert "cpe-ubnd-phu-thuan" not in {b.element.id for b in snap.declared.blast}


def test_articulation_points_and_bridges_match_networkx_on_a_tree_of_rings() -> None:
    """With single-homed agencies only, the directed (no-transit) analysis and the classic
    undirected one must agree."""
    net = Net()
    net.group("g", "Huyện Phú Lộc")
    core = net.core()
    pops = [net.pop(f"pop-{i}", "g") for i in range(7)]
    for x, y in [
        (core, pops[0]),
        (pops[0], pops[1]),
        (pops[1], core),
        (pops[1], pops[2]),
        (pops[2], pops[3]),
        (pops[3], pops[4]),
        (pops[4], pops[2]),
        (pops[4], pops[5]),
        (pops[0], pops[6]),
    ]:
        net.link(x, y)
    for i in range(20):
        net.agency(f"a{i}", f"Cơ quan {i}", "g", pops[i % 7])
    inv = net.inventory()
    g = nx.Graph(oracle.graph(inv))
    snap = build_snapshot(inv, at=0)
    assert set(snap.declared.articulation_points) == set(nx.articulation_points(g))
    link_of = {frozenset((lk.a.device, lk.b.device)): lk.id for lk in inv.links}
    assert set(snap.declared.bridges) == {link_of[frozenset(e)] for e in nx.bridges(g)}


def test_parallel_links_are_not_bridges() -> None:
    net = Net()
    net.group("g", "Huyện A Lưới")
    core = net.core()
    pop = net.pop("pop-a-luoi", "g")
    net.link(core, pop)
    net.link(core, pop)
    net.agency("ubnd-a-luoi", "UBND huyện A Lưới", "g", pop, pop)  # two links, one PoP
    snap = build_snapshot(net.inventory(), at=0)
    assert snap.declared.bridges == ()
    # Link-redundant but still single-path: the one PoP carries both links.
    assert [str(e) for e in snap.agency_by_id["ubnd-a-luoi"].spofs_declared] == [
        "device:pop-a-luoi"
    ]


def test_current_redundancy_reflects_a_broken_ring() -> None:
    """Cut one ring link: the design still has no SPOF on the ring, the network now has."""
    inv = metronet().inventory()
    ring = inv.link_by_id["pop-phu-vang--pop-huong-tra"]
    snap = build_snapshot(inv, healthy(inv, down_ifaces={ring.a}), at=0)
    assert all(a.reachable for a in snap.agencies)
    assert "core-1--pop-phu-vang" not in snap.declared.bridges
    assert "core-1--pop-phu-vang" in snap.current.bridges
    assert "so-tttt" not in snap.current.single_path  # still two PoPs, both reachable
    now = {b.element: set(b.agencies) for b in snap.current.spofs}
    assert now[Element("link", "core-1--pop-phu-vang")] == {"ubnd-phu-thuan", "ubnd-phu-an"}


@pytest.mark.parametrize("seed", range(20))
def test_dominator_tree_matches_networkx_on_random_digraphs(seed: int) -> None:
    """netmon's dominators (Cooper-Harvey-Kennedy with its short-cuts and alternating passes,
    kept beside networkx for speed) against networkx's own immediate_dominators."""
    import random

    from netmon.topology.dominators import dominators
    from netmon.topology.graph import ROOT

    rnd = random.Random(seed)  # noqa: S311 (seeded test data)
    nodes = [ROOT] + [f"device:n{i}" for i in range(60)]
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    for _ in range(rnd.randint(60, 150)):
        u, v = nodes[rnd.randrange(len(nodes))], nodes[rnd.randrange(1, len(nodes))]
        if u != v:
            g.add_edge(u, v)
    ring = rnd.sample(nodes[1:], 12)  # a long cycle: the slow case for forward passes
    for u, v in zip(ring, ring[1:] + ring[:1], strict=True):
        g.add_edge(u, v)
        g.add_edge(v, u)
    g.add_edge(ROOT, ring[0])
    expected = nx.immediate_dominators(g, ROOT)
    expected.pop(ROOT, None)  # networkx 3.6 leaves the start out; older versions map it to itself
    got = dict(dominators(g).idom)
    assert got.pop(ROOT) == ROOT
    assert got == expected
    assert len(got) >= 12  # the ring at least is reached: the comparison is not vacuous
