"""The network as a directed graph of integer nodes, built for the analyses in this package.

Why directed: an agency's CPE is not a transit router. Traffic from the core may enter a CPE and
go on to a CPE behind it, but never back out into MetroNet; otherwise a dual-homed agency would
"carry" a PoP whose uplinks are cut, and that PoP's single-homed agencies would look connected.

Why links are nodes: a link failure then is a node failure, so one dominator tree answers both
"which device" and "which link" questions (blast radius, root cause) without all-pairs work.

Node 0 is a virtual root with arcs to the core devices (the core is where reachability starts).
An agency with several devices gets a virtual sink fed by each of them; an agency with one
device is that device's node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from netmon.model import Inventory

ROOT = 0
NodeKind = Literal["root", "device", "link", "agency"]


@dataclass(frozen=True)
class Edge:
    """One link to put in the graph: declared (id = link id) or discovered (id = "a:x--b:y")."""

    id: str
    a: str  # device id
    b: str
    declared: bool = True


@dataclass
class Digraph:
    kinds: list[NodeKind] = field(default_factory=lambda: ["root"])
    names: list[str] = field(default_factory=lambda: [""])
    succ: list[list[int]] = field(default_factory=lambda: [[]])
    pred: list[list[int]] = field(default_factory=lambda: [[]])
    device: dict[str, int] = field(default_factory=dict)
    link: dict[str, int] = field(default_factory=dict)
    agency: dict[str, int] = field(default_factory=dict)  # node that stands for the agency
    ends: dict[int, tuple[int, int]] = field(default_factory=dict)  # link node -> device nodes
    # Failed nodes (down devices, down links): searches treat them as already visited. The
    # current network is the declared one with nodes blocked, sharing every list with it,
    # instead of a second graph built from scratch each cycle.
    blocked: bytearray = field(default_factory=bytearray)

    def unvisited(self) -> bytearray:
        """A fresh "seen" array for a search: blocked nodes start seen, so are never entered."""
        return bytearray(self.blocked) if self.blocked else bytearray(len(self.kinds))

    def add(self, kind: NodeKind, name: str) -> int:
        self.kinds.append(kind)
        self.names.append(name)
        self.succ.append([])
        self.pred.append([])
        return len(self.kinds) - 1

    def arc(self, u: int, v: int) -> None:
        self.succ[u].append(v)
        self.pred[v].append(u)

    def __len__(self) -> int:
        return len(self.kinds)


def build_graph(inventory: Inventory, edges: Iterable[Edge]) -> Digraph:
    """Devices, the given edges, the root and the agency sinks (see the module docstring)."""
    g = Digraph()
    kinds, names, succ, pred = g.kinds, g.names, g.succ, g.pred
    transit: list[bool] = [True]
    for d in inventory.devices:
        g.device[d.id] = g.add("device", d.id)
        transit.append(d.role != "cpe")
    for e in edges:
        u, v = g.device[e.a], g.device[e.b]
        n = len(kinds)  # inlined g.add and g.arc: 33,000 links, 130,000 arcs
        kinds.append("link")
        names.append(e.id)
        succ.append([])
        pred.append([])
        if e.declared:
            g.link[e.id] = n
        g.ends[n] = (u, v)
        # Traffic may cross from x to y unless x is a CPE heading back up into MetroNet.
        if transit[u] or not transit[v]:
            succ[u].append(n)
            pred[n].append(u)
            succ[n].append(v)
            pred[v].append(n)
        if transit[v] or not transit[u]:
            succ[v].append(n)
            pred[n].append(v)
            succ[n].append(u)
            pred[u].append(n)
    for core in inventory.core_devices():
        g.arc(ROOT, g.device[core.id])
    for a in inventory.agencies:
        devices = inventory.devices_of_agency.get(a.id, ())
        if len(devices) == 1:
            g.agency[a.id] = g.device[devices[0].id]
        elif devices:
            sink = g.add("agency", a.id)
            g.agency[a.id] = sink
            for d in devices:
                g.arc(g.device[d.id], sink)
    return g


def with_failures(g: Digraph, devices: Iterable[str], links: Iterable[str]) -> Digraph:
    """The same graph with down devices and down declared links blocked.

    A cable seen on the wrong port has a node of its own (not in g.link), so blocking its
    declared link, whose port reads down, leaves the cable LLDP shows in service.
    """
    blocked = bytearray(len(g))
    for d in devices:
        blocked[g.device[d]] = 1
    for lk in links:
        blocked[g.link[lk]] = 1
    return replace(g, blocked=blocked)


def reachable_from(g: Digraph, sources: Iterable[int]) -> list[bool]:
    """Nodes reachable along arcs from any of the sources (the sources included)."""
    seen = g.unvisited()
    stack = []
    for s in sources:
        if not seen[s]:
            seen[s] = 1
            stack.append(s)
    while stack:
        u = stack.pop()
        for v in g.succ[u]:
            if not seen[v]:
                seen[v] = 1
                stack.append(v)
    # Blocked nodes started "seen": they are not reached.
    return [bool(x) and not b for x, b in zip(seen, g.blocked or bytes(len(seen)), strict=True)]
