"""The graphs netmon.topology hands out: the declared design and the live graph of a snapshot,
as networkx DiGraphs with the documented nodes and attributes; and a held Topology gives the
same snapshots as a fresh one, cycle after cycle."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from netmon.model import ProbeResult
from netmon.topology import ROOT, Topology, build_snapshot
from topology.net import healthy, metronet
from topology.test_drift import seeded


def test_design_graph_has_the_documented_nodes_and_attributes() -> None:
    inv = metronet().inventory()
    g = Topology(inv).design
    assert isinstance(g, nx.DiGraph)
    kinds = {n: d["kind"] for n, d in g.nodes(data=True)}
    assert kinds[ROOT] == "root"
    assert {n for n, k in kinds.items() if k == "device"} == {f"device:{d.id}" for d in inv.devices}
    assert {n for n, k in kinds.items() if k == "link"} == {f"link:{lk.id}" for lk in inv.links}
    assert {n for n, k in kinds.items() if k == "agency"} == {"agency:ubnd-tinh"}  # two CPEs
    assert set(g.successors(ROOT)) == {"device:core-1"}
    link = inv.link_by_id["core-1--pop-phu-vang"]
    attrs = g.nodes["link:core-1--pop-phu-vang"]
    assert (attrs["id"], attrs["a"], attrs["b"], attrs["declared"]) == (
        link.id,
        link.a.device,
        link.b.device,
        True,
    )
    assert g.nodes["device:cpe-so-tttt"]["agency"] == "so-tttt"
    assert g.nodes["device:pop-phu-vang"]["role"] == "pop"


def test_a_cpe_carries_no_transit_back_into_metronet() -> None:
    """so-tttt hangs off both PoPs: traffic may enter its CPE, never leave it for a PoP."""
    g = Topology(metronet().inventory()).design
    cpe = "device:cpe-so-tttt"
    assert list(g.successors(cpe)) == []
    assert len(list(g.predecessors(cpe))) == 2
    ring = "link:pop-phu-vang--pop-huong-tra"
    pops = {"device:pop-phu-vang", "device:pop-huong-tra"}
    assert set(g.successors(ring)) == set(g.predecessors(ring)) == pops


def test_the_design_graph_is_frozen() -> None:
    g = Topology(metronet().inventory()).design
    with pytest.raises(nx.NetworkXError):
        g.add_node("device:intruder")
    g.copy().add_node("device:intruder")  # a copy is the user's to change


def _scenarios() -> list[tuple[str, list[ProbeResult]]]:
    inv = metronet().inventory()
    ring = inv.link_by_id["pop-phu-vang--pop-huong-tra"]
    up_a = inv.link_by_id["core-1--pop-phu-vang"]
    return [
        ("healthy", healthy(inv)),
        ("pop dead", healthy(inv, dead={"pop-phu-vang"})),
        ("pop isolated", healthy(inv, down_ifaces={ring.a, up_a.b})),
        ("two-CPE agency half dead", healthy(inv, dead={"cpe-ubnd-tinh-0"})),
    ]


@pytest.mark.parametrize(("name", "results"), _scenarios(), ids=[n for n, _ in _scenarios()])
def test_the_core_reaches_in_the_live_graph_what_the_snapshot_says(
    name: str, results: list[ProbeResult]
) -> None:
    topology = Topology(metronet().inventory())
    snap = topology.snapshot(results, at=0)
    live = topology.live(snap)
    reached = nx.descendants(live, ROOT)
    assert {n.removeprefix("device:") for n in reached if n.startswith("device:")} == {
        d.id for d in snap.devices if d.reachable
    }
    down = {d.id for d in snap.devices if d.status == "down"}
    assert {f"device:{d}" for d in down}.isdisjoint(live)
    assert topology.design.number_of_nodes() >= live.number_of_nodes()


def test_the_live_graph_carries_the_cables_lldp_showed() -> None:
    inv, results = seeded()
    topology = Topology(inv)
    snap = topology.snapshot(results, at=0)
    live = topology.live(snap)
    seen = {n: d for n, d in live.nodes(data=True) if n.startswith("seen:")}
    wrong = {d.link for d in snap.drift if d.kind == "wrong_port"}
    undeclared = {f"{s.a}--{s.b}" for s in snap.discovered}
    assert wrong and undeclared
    assert {d["id"] for d in seen.values()} == wrong | undeclared
    assert not any(d["declared"] for d in seen.values())
    reached = nx.descendants(live, ROOT)
    assert {n.removeprefix("device:") for n in reached if n.startswith("device:")} == {
        d.id for d in snap.devices if d.reachable
    }


def test_both_graphs_write_to_graphml(tmp_path: Path) -> None:
    topology = Topology(metronet().inventory())
    snap = topology.snapshot(_scenarios()[1][1], at=0)
    for name, g in (("design", topology.design), ("live", topology.live(snap))):
        path = tmp_path / f"{name}.graphml"
        nx.write_graphml(g, path)
        back = nx.read_graphml(path)
        assert set(back.nodes) == set(g.nodes)
        assert set(back.edges) == set(g.edges)
        assert dict(back.nodes(data="kind")) == dict(g.nodes(data="kind"))


def test_a_held_topology_gives_the_snapshots_a_fresh_one_gives() -> None:
    """The reuse between cycles (healthy agencies, unchanged devices) never shows."""
    inv = metronet().inventory()
    topology = Topology(inv)
    cycles = [r for _, r in _scenarios()] + [healthy(inv), [], healthy(inv, dead={"core-1"})]
    for results in cycles:
        assert topology.snapshot(results, at=0) == build_snapshot(inv, results, at=0)


def test_fill_builds_what_networkx_add_calls_build() -> None:
    """graph.fill writes networkx's dicts itself: the same graph as add_nodes_from and
    add_edges_from, with a node given twice (attributes merged), an arc given twice, an arc
    to a node never given, and arcs each way sharing nothing."""
    from netmon.topology.graph import fill

    nodes = [("a", {"kind": "device"}), ("b", {"kind": "link"}), ("a", {"role": "pop"})]
    arcs = [("a", "b"), ("b", "a"), ("a", "b"), ("b", "c")]
    by_networkx, by_fill = nx.DiGraph(name="t"), nx.DiGraph(name="t")
    by_networkx.add_nodes_from(nodes)
    by_networkx.add_edges_from(arcs)
    fill(by_fill, nodes, arcs)
    assert nx.utils.graphs_equal(by_networkx, by_fill)
    assert by_fill.nodes["a"] == {"kind": "device", "role": "pop"}
    assert list(by_fill.successors("b")) == list(by_networkx.successors("b")) == ["a", "c"]
    assert by_fill.pred["b"]["a"] is by_fill.succ["a"]["b"]  # one dict per arc, as networkx
    assert by_fill.succ["b"]["a"] is not by_fill.succ["a"]["b"]
    assert nodes[0][1] == {"kind": "device"}  # the caller's attribute dicts are not changed
