"""Articulation points, bridges, blast radius and single-path agencies of one graph."""

from __future__ import annotations

from netmon.model import Inventory
from netmon.model.snapshot import BlastRadius, Element, ElementKind, Redundancy
from netmon.topology.dominators import Dominance, blast_sets
from netmon.topology.graph import ROOT, Digraph


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
    g: Digraph, dom: Dominance, inventory: Inventory, core: frozenset[str], elements: Elements
) -> dict[str, tuple[Element, ...]]:
    """For each agency, the devices and links whose single failure cuts it off, core side first.

    The core devices are left out (they are where reachability starts: every agency depends on
    the core, and an alert saying so for each would be noise; the core's own redundancy shows
    in the device blast radius), and so are the agency's own devices.

    Agencies behind one PoP share their chain above it, so chains are built once per node of
    the dominator tree and shared (a national inventory has 30,000 agencies, few PoPs).
    """
    above: dict[int, tuple[Element, ...]] = {ROOT: ()}  # node -> its dominators and itself

    def upto(x: int) -> tuple[Element, ...]:
        path = []
        while x not in above:
            path.append(x)
            x = dom.idom[x]
        chain = above[x]
        for y in reversed(path):
            kind, name = g.kinds[y], g.names[y]
            if kind == "link" or (kind == "device" and name not in core):
                chain = (*chain, elements.get(kind, name))
            above[y] = chain
        return chain

    out: dict[str, tuple[Element, ...]] = {}
    for agency, node in g.agency.items():
        if not dom.reached[node]:
            out[agency] = ()
            continue
        chain = upto(dom.idom[node])
        devices = inventory.devices_of_agency.get(agency, ())
        if len(devices) > 1:  # a sink: one of its own CPEs may dominate it
            own = {d.id for d in devices}
            chain = tuple(e for e in chain if e.id not in own or e.kind != "device")
        out[agency] = chain
    for a in inventory.agencies:
        out.setdefault(a.id, ())
    return out


def redundancy(
    g: Digraph,
    dom: Dominance,
    inventory: Inventory,
    spofs: dict[str, tuple[Element, ...]],
    elements: Elements,
    previous: Redundancy | None = None,
) -> Redundancy:
    """previous: the design's figures; entries that did not change are reused, not rebuilt
    (30,000 links, and an outage changes a few hundred)."""
    blast = blast_sets(g, dom)
    dominating = {dom.idom[v] for v in range(1, len(g)) if dom.reached[v]} - {ROOT}
    # A sole core device is the root itself: everything depends on it, which says nothing
    # about the graph's shape (the core site's blast radius reports it). With several core
    # devices, one that alone carries part of the network is a true articulation point.
    cores = [d.id for d in inventory.core_devices()]
    root_itself = set(cores) if len(cores) == 1 else set()
    articulation = sorted(
        g.names[x] for x in dominating if g.kinds[x] == "device" and g.names[x] not in root_itself
    )
    bridges = sorted(g.names[x] for x in dominating if g.kinds[x] == "link")
    found: list[tuple[Element, tuple[str, ...]]] = []
    by_site: dict[str, list[str]] = {s.id: [] for s in inventory.sites}
    for d in inventory.devices:
        if d.site is not None:
            by_site[d.site].append(d.id)
    for site, devices in by_site.items():
        if len(devices) == 1:
            cut = blast.get(g.device[devices[0]], [])
        else:
            cut = _cut_without(g, dom, {g.device[d] for d in devices})
        found.append((elements.get("site", site), tuple(sorted(cut))))
    for d in inventory.devices:
        if d.site is not None and len(by_site[d.site]) == 1:
            continue  # the site entry already says it
        cut = blast.get(g.device[d.id], [])
        if any(a != d.agency for a in cut):  # more than its own agency: worth reporting
            found.append((elements.get("device", d.id), tuple(sorted(cut))))
    # Every declared link, and discovered ones that carry someone alone. A cable found on the
    # wrong port keeps its declared id, so its two nodes (declared, seen) make one entry.
    by_link: dict[str, list[str]] = {}
    for n, cut_off in blast.items():
        if g.kinds[n] == "link":
            by_link.setdefault(g.names[n], []).extend(cut_off)
    for lk in inventory.links:
        found.append((elements.get("link", lk.id), tuple(sorted(set(by_link.pop(lk.id, ()))))))
    for name, cut_off in by_link.items():
        found.append((elements.get("link", name), tuple(sorted(set(cut_off)))))
    old = {(b.element.kind, b.element.id): b for b in previous.blast} if previous else {}
    entries = []
    for element, agencies in found:
        same = old.get((element.kind, element.id))
        entries.append(
            same
            if same is not None and same.agencies == agencies
            else BlastRadius(element, agencies)
        )
    single = sorted(a for a, chain in spofs.items() if chain)
    return Redundancy(tuple(articulation), tuple(bridges), tuple(entries), tuple(single))


def _cut_without(g: Digraph, dom: Dominance, removed: set[int]) -> list[str]:
    """Agencies cut off when several nodes fail together (a site with more than one device).

    One search per such site: sites have one device each in most inventories, and a site's
    devices jointly are not a single dominator, so the tree cannot answer this directly.
    """
    seen = g.unvisited()
    for r in removed:
        seen[r] = 1
    seen[ROOT] = 1
    stack = [ROOT]
    while stack:
        u = stack.pop()
        for v in g.succ[u]:
            if not seen[v]:
                seen[v] = 1
                stack.append(v)
    return [a for a, v in g.agency.items() if dom.reached[v] and (not seen[v] or v in removed)]
