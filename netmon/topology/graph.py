"""The network as a directed graph: the graph every analysis in this package runs on.

It is kept in networkx's own three dicts (`DiGraph` below) and handed to people and tools as
an nx.DiGraph over the same dicts (`to_networkx`, `Topology.design`, `Topology.live`): the
analyses read the dicts directly, and a report then never imports networkx (0.13 s).

Why directed: an agency's CPE is not a transit router. Traffic from the core may enter a CPE and
go on to a CPE behind it, but never back out into MetroNet; otherwise a dual-homed agency would
"carry" a PoP whose uplinks are cut, and that PoP's single-homed agencies would look connected.

Why links are nodes: a link failure then is a node failure, so one dominator tree answers both
"which device" and "which link" questions (blast radius, root cause) without all-pairs work.

Nodes are strings named like `Element` prints (`str(Element)`), so the same key means the same
thing in the design, in the live graph, in GraphML and in a report:

- `root` (kind root): a virtual root with an arc to every upstream device (`upstream`: where
  the services attach), where reachability starts.
- `device:<id>` (kind device): `role`; `agency` for an agency's device.
- `link:<id>` (kind link): a declared link; `a`, `b` (its end devices), `declared` True.
- `seen:<id>` (kind link): a cable LLDP shows that no declared link explains (id `a:x--b:y`),
  or a declared link seen cabled on other ports (the link's id); `a`, `b`, `declared` False.
- `agency:<id>` (kind agency): the sink of an agency with several devices, fed by each.

Every node has `kind` and `id` (the inventory id; "" for the root). An agency with one device
is that device's node. Arcs carry no attributes. Strings rather than tuples as keys: Python
caches a string's hash, so every dict lookup the algorithms make is cheaper (networkx's
immediate dominators on the national graph: 1.35 s with strings, 1.88 s with tuples).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any, Literal, NamedTuple, cast

from netmon.model import Inventory

ROOT = "root"
Node = str
NodeKind = Literal["root", "device", "link", "agency"]
# networkx is untyped: the algorithms read its adjacency through this typed alias (node ->
# neighbour -> arc attributes), so Any stays in this module.
Adjacency = Mapping[Node, Mapping[Node, object]]


class DiGraph:
    """A directed graph as networkx keeps one: `_node` (node -> its attributes), `_succ` and
    `_pred` (node -> neighbour -> the arc's attributes, one dict shared by both directions)."""

    __slots__ = ("_node", "_pred", "_succ", "name")

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._node: dict[Node, dict[str, object]] = {}
        self._succ: dict[Node, dict[Node, dict[str, object]]] = {}
        self._pred: dict[Node, dict[Node, dict[str, object]]] = {}

    def copy(self) -> DiGraph:
        """A graph of its own: new dicts, attributes copied (arcs carry none)."""
        g = DiGraph(self.name)
        fill(g, self._node.items(), ((u, v) for u, nbrs in self._succ.items() for v in nbrs))
        return g


def to_networkx(g: Any) -> Any:
    """g as an nx.DiGraph over the same dicts (no copy: copy it before changing it)."""
    import networkx as nx  # here: only people and tools ask for one

    if isinstance(g, nx.DiGraph):
        return g
    out = nx.DiGraph(name=g.name)
    out._node = g._node
    out._adj = out._succ = g._succ
    out._pred = g._pred
    return out


class Edge(NamedTuple):
    """One link to put in the graph: declared (id = link id) or discovered (id = "a:x--b:y").
    A named tuple: 33,000 a national design, made three times faster than a frozen dataclass."""

    id: str
    a: str  # device id
    b: str
    declared: bool = True


def upstream(inventory: Inventory) -> tuple[str, ...]:
    """The devices reachability starts from: those the upstream services attach at (the
    government data network, the centralised Internet gateway), in inventory order; the core
    devices when the inventory declares no service.

    Not "every device with role core": a national inventory gives each province a core
    router of its own, and an agency that reaches its province's core but not the national
    one where the services attach is cut off (docs/topology.md, "Connected").
    """
    attached = {d for s in inventory.services for d in s.devices}
    if not attached:
        return tuple(d.id for d in inventory.core_devices())
    return tuple(d.id for d in inventory.devices if d.id in attached)


def device_node(device: str) -> Node:
    return f"device:{device}"


def link_node(edge: Edge) -> Node:
    return f"link:{edge.id}" if edge.declared else f"seen:{edge.id}"


def agency_nodes(inventory: Inventory) -> dict[str, Node]:
    """The node that stands for each agency with devices (its device, or its sink)."""
    out: dict[str, Node] = {}
    for a in inventory.agencies:
        devices = inventory.devices_of_agency.get(a.id, ())
        if len(devices) == 1:
            out[a.id] = device_node(devices[0].id)
        elif devices:
            out[a.id] = f"agency:{a.id}"
    return out


def design_graph(
    inventory: Inventory, edges: Iterable[Edge], agencies: Mapping[str, Node]
) -> DiGraph:
    """Devices, the given edges, the root and the agency sinks (see the module docstring);
    agencies: agency_nodes(inventory)."""
    g = DiGraph(inventory.name)
    transit: dict[str, bool] = {}
    nodes: list[tuple[Node, dict[str, object]]] = [(ROOT, {"kind": "root", "id": ""})]
    for d in inventory.devices:
        attrs: dict[str, object] = {"kind": "device", "id": d.id, "role": d.role}
        if d.agency:
            attrs["agency"] = d.agency
        nodes.append((device_node(d.id), attrs))
        transit[d.id] = d.role != "cpe"
    arcs = [(ROOT, device_node(d)) for d in upstream(inventory)]
    for agency, node in agencies.items():
        if node.startswith("agency:"):
            nodes.append((node, {"kind": "agency", "id": agency}))
            arcs += ((device_node(d.id), node) for d in inventory.devices_of_agency[agency])
    _add_nodes(g, nodes)
    add_edges(g, edges, transit)
    fill(g, (), arcs)
    return g


def add_edges(g: Any, edges: Iterable[Edge], transit: Mapping[str, bool]) -> None:
    """A node per edge, and arcs through it in each direction traffic may take."""
    nodes: list[tuple[Node, dict[str, object]]] = []
    arcs: list[tuple[Node, Node]] = []
    for e in edges:
        a, b = e.a, e.b
        n, u, v = link_node(e), device_node(a), device_node(b)
        nodes.append((n, {"kind": "link", "id": e.id, "a": a, "b": b, "declared": e.declared}))
        # Traffic may cross from x to y unless x is a CPE heading back up into MetroNet.
        a_transit, b_transit = transit[a], transit[b]
        if a_transit or not b_transit:
            arcs += ((u, n), (n, v))
        if b_transit or not a_transit:
            arcs += ((v, n), (n, u))
    _add_nodes(g, nodes)
    fill(g, (), arcs)


def _add_nodes(g: Any, nodes: Iterable[tuple[Node, dict[str, object]]]) -> None:
    """fill(g, nodes, ()) for attribute dicts made for g: kept as they are, not copied."""
    node, succ, pred = g._node, g._succ, g._pred
    for n, attrs in nodes:
        if n in node:
            node[n].update(attrs)
        else:
            node[n], succ[n], pred[n] = attrs, {}, {}


def fill(
    g: Any, nodes: Iterable[tuple[Node, dict[str, object]]], arcs: Iterable[tuple[Node, Node]]
) -> None:
    """g.add_nodes_from(nodes) then g.add_edges_from(arcs), written straight into the dicts a
    networkx DiGraph is made of (_node: node -> its attributes; _succ and _pred: node ->
    neighbour -> the arc's attributes, one dict shared by both). The public calls cost 0.48 s
    for the national design's 63,000 nodes and 68,000 arcs, this 0.14 s; the graphs are equal
    (tests/topology/test_graph.py)."""
    _add_nodes(g, ((n, dict(attrs)) for n, attrs in nodes))  # the caller's dicts left alone
    node, succ, pred = g._node, g._succ, g._pred
    for u, v in arcs:
        if u not in node:
            node[u], succ[u], pred[u] = {}, {}, {}
        if v not in node:
            node[v], succ[v], pred[v] = {}, {}, {}
        out = succ[u]
        if v not in out:
            out[v] = pred[v][u] = {}
    cache = getattr(g, "__networkx_cache__", None)
    if cache:
        cache.clear()  # what networkx kept about the graph before (its own calls do this)


def with_seen(inventory: Inventory, design: Any, seen: Collection[Edge]) -> Any:
    """The design plus the cables LLDP shows that no declared link explains (a new graph;
    the design itself when there are none)."""
    if not seen:
        return design
    g = design.copy()  # the design is shared by every cycle: never changed
    add_edges(g, seen, {d.id: d.role != "cpe" for d in inventory.devices})
    return g


def failed_nodes(devices: Iterable[str], links: Iterable[str]) -> frozenset[Node]:
    """The nodes of the down devices and down declared links. A cable seen on the wrong port
    has a node of its own (`seen:`), so taking out its declared link, whose port reads down,
    leaves the cable LLDP shows in service."""
    return frozenset({device_node(d) for d in devices} | {f"link:{lk}" for lk in links})


def live_graph(merged: DiGraph, devices: Iterable[str], links: Iterable[str]) -> Any:
    """The merged graph without the down devices and down declared links: what works now, as
    a new nx.DiGraph for people and tools. The snapshot's own analyses read the merged graph
    with the failed nodes blocked instead (dominators.py, graph.reach): no copy per cycle."""
    g = to_networkx(merged.copy())  # the merged graph stays whole (causes are searched in it)
    g.remove_nodes_from(failed_nodes(devices, links))
    return g


def successors(g: Any) -> Adjacency:
    """g's successor lists as networkx keeps them (its dict of dicts, read-only here). Its
    public `g.succ` wraps every lookup in a view object: at 30,000 agencies, 200,000 lookups a
    snapshot cost 0.15 s more through the views."""
    return cast(Adjacency, g._succ)


def predecessors(g: Any) -> Adjacency:
    return cast(Adjacency, g._pred)


def reach(
    succ: Adjacency, sources: Iterable[Node], blocked: Collection[Node] = frozenset()
) -> set[Node]:
    """Every node reachable along arcs from the sources, never entering a blocked node.

    Beside networkx's searches, not instead of them everywhere: on the national graph (63,571
    nodes) `nx.descendants` took 0.17 s per service and `nx.generic_bfs_edges` with a filter
    0.27 s for the core site's cut (load 0.3; 2 cores), this 0.04 s and 0.05 s; the snapshot's
    outage case went from 1.7-2.4 s to the figure in bench/topology.py's note, against 2 s.
    """
    seen = {s for s in sources if s in succ and s not in blocked}
    stack = list(seen)
    while stack:
        for v in succ[stack.pop()]:
            if v not in seen and v not in blocked:
                seen.add(v)
                stack.append(v)
    return seen


def attributes(g: Any) -> Mapping[Node, Mapping[str, Any]]:
    """Each node's attributes (the dict a DiGraph and an nx.DiGraph both keep)."""
    return cast(Mapping[Node, Mapping[str, Any]], g._node)


def element_of(node: Node) -> tuple[NodeKind, str]:
    """(kind, id) of a node, read from its key (cheaper than its attributes, and valid for a
    node the live graph no longer has): ("device", id), ("link", id), ("agency", id)."""
    kind, _, name = node.partition(":")
    return cast(NodeKind, "link" if kind == "seen" else kind), name


def link_id(node: Node) -> str | None:
    """The link id of a `link:` or `seen:` node, None for any other (cheaper than element_of
    where most nodes are not links)."""
    return node[5:] if node.startswith(("link:", "seen:")) else None
