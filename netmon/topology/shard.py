"""A shard's part of the network: what it polls, and the share of each Snapshot it exports.

Ownership (model.shard) says who exports what. Polling is wider: to say whether its agencies
are connected, and why not, a shard needs the state of everything on their paths, shared
infrastructure included (the PoPs of a ring, a province's core, the national core). A device
never polled is "unknown" and assumed to work, so leaving one out would make its failure
invisible (the bug of issue 18: with every probe failing, three shards reported 0, 230 and 42
agencies reachable). So a shard polls its own devices and every device from which a path
leads to one of its agencies or to what it owns, and exports only what it owns.

"Every device from which a path leads" is searched backwards in the design graph, without
entering the upstream devices from anywhere but the root: the root reaches them directly, so
no path through another device into one of them ever matters. Without that rule, a national
inventory's province cores, each tied to both national core routers, would all lie on some
path to every agency, and each shard would poll the whole country's backbone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from netmon.model import Inventory, Snapshot
from netmon.model.shard import Shard, stable_hash
from netmon.model.snapshot import BlastRadius, Drift, Element, Redundancy, SeenLink
from netmon.topology.build import Topology
from netmon.topology.coverage import coverage
from netmon.topology.dominators import Dominance
from netmon.topology.graph import (
    ROOT,
    Node,
    agency_nodes,
    device_node,
    element_of,
    predecessors,
    upstream,
)


@dataclass(frozen=True)
class Scope:
    """What one shard owns (and exports) and what it polls, for one inventory."""

    shard: Shard
    agencies: frozenset[str]
    devices: frozenset[str]
    links: frozenset[str]
    sites: frozenset[str]
    polled: frozenset[str]  # its devices and the shared infrastructure on their paths

    @classmethod
    def of(cls, topology: Topology, shard: Shard) -> Scope:
        inventory = topology.inventory
        agencies = frozenset(a.id for a in inventory.agencies if shard.owns_agency(a))
        devices = frozenset(d.id for d in inventory.devices if shard.owns_device(inventory, d))
        links = [lk for lk in inventory.links if shard.owns_link(inventory, lk)]
        sites = frozenset(
            d.site for d in inventory.devices if d.site is not None and d.id in devices
        )
        nodes = agency_nodes(inventory)
        starts = {device_node(d) for d in upstream(inventory)}
        found = _paths_into(topology.design, [nodes[a] for a in agencies if a in nodes], starts)
        # The devices it owns, each searched alone (whether each is reachable is the owner's
        # to say): a device it dominates (the PoPs behind a province core) is on no path to
        # it. The far ends of its links are polled for their interfaces' state, no more.
        dom = topology.dominance
        for t in {device_node(d) for d in devices} - found:
            found |= _paths_into(topology.design, [t], starts, dom, t)
        polled = {name for n in found for kind, name in (element_of(n),) if kind == "device"}
        polled |= {e.device for lk in links for e in lk.ends()}
        return cls(
            shard,
            agencies,
            devices,
            frozenset(lk.id for lk in links),
            sites,
            frozenset(polled | devices),
        )


def _paths_into(
    g: Any,
    targets: Iterable[Node],
    starts: set[Node],
    dom: Dominance | None = None,
    under: Node = "",
) -> set[Node]:
    """The targets and every node with a path to one of them, not entering the upstream
    devices (`starts`) from anywhere but the root (see the module docstring), nor any node
    that `under` dominates (with dom)."""
    pred = predecessors(g)
    seen = set(targets)
    stack = list(seen)
    while stack:
        v = stack.pop()
        if v in starts:
            continue
        for u in pred[v]:
            if u in seen or u == ROOT:
                continue
            if dom is not None and dom.reached(u) and under in dom.chain(u):
                continue
            seen.add(u)
            stack.append(u)
    return seen


def shard_sizes(inventory: Inventory, shard: Shard) -> tuple[tuple[str, int], ...]:
    """How many agencies each shard of the split owns ("i/n", count): a fact of the inventory
    that every instance knows, so the total survives a shard that stopped."""
    counts = [0] * shard.count
    for a in inventory.agencies:
        counts[stable_hash(a.group if shard.by == "group" else a.id) % shard.count] += 1
    return tuple((str(shard.sibling(i)), n) for i, n in enumerate(counts))


class ShardView:
    """Cuts each Snapshot down to what one shard owns. The declared redundancy is the same
    object every cycle (the design's), so its share is cut once and kept."""

    def __init__(self, inventory: Inventory, scope: Scope) -> None:
        self.inventory = inventory
        self.scope = scope
        self._kept: tuple[Redundancy, Redundancy] | None = None
        # id(entry) -> (entry, its share or None): see _redundancy
        self._shares: dict[int, tuple[BlastRadius, BlastRadius | None]] = {}

    def restrict(self, s: Snapshot) -> Snapshot:
        sc = self.scope
        agencies = tuple(a for a in s.agencies if a.id in sc.agencies)
        if self._kept is not None and self._kept[0] is s.declared:
            declared = self._kept[1]
        else:
            declared = self._redundancy(s.declared)
            self._kept = (s.declared, declared)
        current = declared if s.current is s.declared else self._redundancy(s.current)
        return replace(
            s,
            devices=tuple(d for d in s.devices if d.id in sc.devices),
            links=tuple(lk for lk in s.links if lk.id in sc.links),
            discovered=tuple(x for x in s.discovered if self._seen(x)),
            agencies=agencies,
            coverage=coverage(self.inventory, agencies),
            declared=declared,
            current=current,
            drift=tuple(d for d in s.drift if self._drift(d)),
        )

    def _owns(self, e: Element) -> bool:
        sc = self.scope
        if e.kind == "site":
            return e.id in sc.sites
        if e.kind == "device":
            return e.id in sc.devices
        if e.id in self.inventory.link_by_id:
            return e.id in sc.links
        return e.id.partition(":")[0] in sc.devices  # a discovered link: "a:x--b:y"

    def _redundancy(self, r: Redundancy) -> Redundancy:
        """Blast radius counted in this shard's agencies only (so the shards' figures add up
        to the whole's), listed for what it owns and for whatever cuts one of its agencies;
        articulation points and bridges it owns; its single-path agencies."""
        mine = self.scope.agencies
        blast = []
        # Most entries are the same objects cycle after cycle (topology reuses the unchanged
        # ones): their share is cut once. Only this cycle's entries are kept, so the cache
        # never outgrows one snapshot. At national size: 0.3 s a cycle without it.
        done, self._shares = self._shares, {}
        for b in r.blast:
            known = done.get(id(b))
            if known is not None and known[0] is b:
                share = known[1]
            else:
                cut = tuple(a for a in b.agencies if a in mine)
                keep = cut or self._owns(b.element)
                share = (
                    (b if len(cut) == len(b.agencies) else BlastRadius(b.element, cut))
                    if keep
                    else None
                )
            self._shares[id(b)] = (b, share)
            if share is not None:
                blast.append(share)
        return Redundancy(
            tuple(d for d in r.articulation_points if d in self.scope.devices),
            tuple(lk for lk in r.bridges if self._owns(Element("link", lk))),
            tuple(blast),
            tuple(a for a in r.single_path if a in mine),
        )

    def _seen(self, x: SeenLink) -> bool:
        return x.a.device in self.scope.devices

    def _drift(self, d: Drift) -> bool:
        if d.link is not None and d.link in self.inventory.link_by_id:
            return d.link in self.scope.links
        ends = d.seen or d.declared
        return bool(ends) and ends[0].device in self.scope.devices


__all__ = ["Scope", "ShardView", "shard_sizes"]
