"""Articulation points, bridges, blast radius and single-path agencies of one graph."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from netmon.model import Inventory
from netmon.model.snapshot import BlastRadius, Element, ElementKind, Redundancy
from netmon.topology.dominators import Dominance, blast_sets
from netmon.topology.graph import (
    ROOT,
    Node,
    device_node,
    element_of,
    link_id,
    reach,
    successors,
    upstream,
)


class Elements:
    """One Element object per device, link or site, shared by every snapshot of an inventory:
    fewer objects, and tuples of them compare by identity first (fast)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], Element] = {}

    def get(self, kind: ElementKind, name: str) -> Element:
        key = (kind, name)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = Element(kind, name)
        return found


def agency_spofs(
    agencies: Mapping[str, Node],
    dom: Dominance,
    inventory: Inventory,
    core: frozenset[str],
    elements: Elements,
) -> dict[str, tuple[Element, ...]]:
    """For each agency, the devices and links whose single failure cuts it off, core side first.

    The upstream devices are left out (they are where reachability starts: every agency
    depends on them, and an alert saying so for each would be noise; their own redundancy
    shows in their site's blast radius), and so are the agency's own devices.

    Agencies behind one PoP share their chain above it, so chains are built once per node of
    the dominator tree and shared (a national inventory has 30,000 agencies, few PoPs).
    """
    idom = dom.idom
    above: dict[Node, tuple[Element, ...]] = {ROOT: ()}  # node -> its dominators and itself

    def upto(x: Node) -> tuple[Element, ...]:
        path = []
        while x not in above:
            path.append(x)
            x = idom[x]
        chain = above[x]
        for y in reversed(path):
            kind, name = element_of(y)
            if kind == "link" or (kind == "device" and name not in core):
                chain = (*chain, elements.get(kind, name))
            above[y] = chain
        return chain

    out: dict[str, tuple[Element, ...]] = {}
    for agency, node in agencies.items():
        if node not in idom:
            out[agency] = ()
            continue
        chain = upto(idom[node])
        devices = inventory.devices_of_agency.get(agency, ())
        if len(devices) > 1:  # a sink: one of its own CPEs may dominate it
            own = {d.id for d in devices}
            chain = tuple(e for e in chain if e.id not in own or e.kind != "device")
        out[agency] = chain
    for a in inventory.agencies:
        out.setdefault(a.id, ())
    return out


def redundancy(
    g: Any,
    agencies: Mapping[str, Node],
    dom: Dominance,
    inventory: Inventory,
    spofs: dict[str, tuple[Element, ...]],
    elements: Elements,
    previous: Redundancy | None = None,
    blocked: Collection[Node] = frozenset(),
) -> Redundancy:
    """Articulation points, bridges and blast radius of graph g (an nx.DiGraph, without its
    blocked nodes) from its dominator tree; agencies: the node of each agency.

    previous: the design's figures; entries that did not change are reused, not rebuilt
    (30,000 links, and an outage changes a few hundred)."""
    blast = blast_sets(agencies, dom)
    dominating = set(dom.idom.values())
    dominating.discard(ROOT)
    # A sole upstream device is the root itself: everything depends on it, which says nothing
    # about the graph's shape (its site's blast radius reports it). With several, one that
    # alone carries part of the network is a true articulation point.
    starts = upstream(inventory)
    root_itself = set(starts) if len(starts) == 1 else set()
    named = [element_of(x) for x in dominating]
    articulation = sorted(n for k, n in named if k == "device" and n not in root_itself)
    bridges = sorted(n for k, n in named if k == "link")
    known = elements.get
    found: list[tuple[Element, tuple[str, ...]]] = []
    by_site: dict[str, list[str]] = {s.id: [] for s in inventory.sites}
    for d in inventory.devices:
        if d.site is not None:
            by_site[d.site].append(d.id)
    for site, devices in by_site.items():
        if len(devices) == 1:
            cut = blast.get(device_node(devices[0]), [])
        else:
            cut = _cut_without(g, agencies, dom, {device_node(d) for d in devices}, blocked)
        found.append((known("site", site), tuple(sorted(cut))))
    for d in inventory.devices:
        if d.site is not None and len(by_site[d.site]) == 1:
            continue  # the site entry already says it
        cut = blast.get(f"device:{d.id}", [])
        for a in cut:
            if a != d.agency:  # more than its own agency: worth reporting
                found.append((known("device", d.id), tuple(sorted(cut))))
                break
    # Every declared link, and discovered ones that carry someone alone. A cable found on the
    # wrong port keeps its declared id, so its two nodes (declared, seen) make one entry. A
    # node's own list names each agency once: only a joined one has repeats to take out.
    by_link: dict[str, list[str]] = {}
    joined: set[str] = set()
    for n, cut_off in blast.items():
        name = link_id(n)
        if name is not None:
            if name in by_link:
                joined.add(name)
                by_link[name] = by_link[name] + cut_off
            else:
                by_link[name] = cut_off

    def link_entry(name: str, cut_off: list[str] | tuple[()]) -> tuple[Element, tuple[str, ...]]:
        return known("link", name), tuple(sorted(set(cut_off) if name in joined else cut_off))

    for lk in inventory.links:
        found.append(link_entry(lk.id, by_link.pop(lk.id, ())))
    for name, cut_off in by_link.items():
        found.append(link_entry(name, cut_off))
    old = {(b.element.kind, b.element.id): b for b in previous.blast} if previous else {}
    entries = []
    for element, agencies_cut in found:
        same = old.get((element.kind, element.id))
        entries.append(
            same
            if same is not None and same.agencies == agencies_cut
            else BlastRadius(element, agencies_cut)
        )
    single = sorted(a for a, chain in spofs.items() if chain)
    return Redundancy(tuple(articulation), tuple(bridges), tuple(entries), tuple(single))


def _cut_without(
    g: Any,
    agencies: Mapping[str, Node],
    dom: Dominance,
    removed: set[Node],
    blocked: Collection[Node],
) -> list[str]:
    """Agencies cut off when several nodes fail together (a site with more than one device).

    One search per such site: sites have one device each in most inventories, and a site's
    devices jointly are not a single dominator, so the tree cannot answer this directly. The
    search never enters the removed nodes (graph.reach says why not networkx's here).
    """
    seen = reach(successors(g), [ROOT], removed.union(blocked))
    return [a for a, v in agencies.items() if v in dom.idom and (v not in seen or v in removed)]
