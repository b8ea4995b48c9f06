"""Topology: the analysis of one inventory, and the Snapshot of each cycle built from it."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from netmon.model import Agency, Inventory, Management, ProbeResult
from netmon.model.snapshot import (
    AgencyState,
    Cause,
    DeviceState,
    Element,
    LinkState,
    Redundancy,
    Snapshot,
)
from netmon.topology.cause import causes, explain, frontier
from netmon.topology.coverage import connected, coverage
from netmon.topology.dominators import Dominance, dominators
from netmon.topology.drift import LinkIndex, compare
from netmon.topology.graph import (
    Edge,
    Node,
    agency_nodes,
    design_graph,
    device_node,
    failed_nodes,
    live_graph,
    reach,
    successors,
    to_networkx,
    upstream,
    with_seen,
)
from netmon.topology.observe import Index, Observed, observe
from netmon.topology.redundancy import Elements, agency_spofs, redundancy
from netmon.topology.silent import unreachable_behind


@dataclass(frozen=True)
class Analysis:
    """What one graph says about reachability and redundancy."""

    dom: Dominance  # reached nodes and their immediate dominators
    spofs: dict[str, tuple[Element, ...]]  # agency -> single points of failure, core first
    redundancy: Redundancy
    services: dict[str, set[Node]]  # service -> the nodes it reaches


class Topology:
    """The declared design of one inventory, analysed once; a Snapshot per cycle from it.

    Long-running callers (`netmon serve`, `poll --save`, benchmarks) keep one Topology per
    inventory, so each cycle pays only for the current state; a reloaded inventory gets a new
    Topology. `design` is the declared graph and `live(snapshot)` the graph of a cycle, both
    networkx DiGraphs (graph.py lists their nodes and attributes) for notebooks and GraphML.

    Besides the design analysis it keeps, as ordinary state, what the previous snapshots let a
    cycle reuse: the AgencyState of each agency as it is when all is well and the last
    DeviceState of each device (30,000 objects a cycle not built), and one Element per device,
    link and site. Not for concurrent use: one snapshot at a time.
    """

    def __init__(self, inventory: Inventory, management: Management = "inband") -> None:
        with _no_cyclic_gc():
            self.inventory = inventory
            # What a silent device means (silent.py): in-band it may be unreachable behind a
            # failure; out-of-band it is down.
            self.management = management
            self._agency_node = agency_nodes(inventory)
            self._device_node = [device_node(d.id) for d in inventory.devices]
            self._own = {
                a.id: tuple(d.id for d in inventory.devices_of_agency.get(a.id, ()))
                for a in inventory.agencies
            }
            self._upstream = frozenset(upstream(inventory))
            self._service_devices = {sv.id: sv.devices for sv in inventory.services}
            self._index = Index.of(inventory)
            self._links = LinkIndex(inventory)
            self._elements = Elements()
            self._healthy: dict[str, AgencyState] = {}
            self._last: dict[str, DeviceState] = {}
            edges = (Edge(lk.id, lk.a.device, lk.b.device) for lk in inventory.links)
            graph = design_graph(inventory, edges, self._agency_node)
            self._design_graph = graph  # shared by every cycle: never changed
            self._design_nx: Any = None
            self._declared = self._analyse(graph)

    @property
    def design(self) -> Any:
        """The declared design as an nx.DiGraph (frozen: copy it to change it)."""
        if self._design_nx is None:
            import networkx as nx  # here: a report never asks for it

            self._design_nx = nx.freeze(to_networkx(self._design_graph))
        return self._design_nx

    @property
    def dominance(self) -> Dominance:
        """The declared design's dominator tree (who carries whom)."""
        return self._declared.dom

    def live(self, snapshot: Snapshot) -> Any:
        """The graph a snapshot of this inventory saw, as a new nx.DiGraph: the design, plus
        the cables LLDP showed that no declared link explains (`seen:` nodes), without the
        devices and links that were down. The core reaches exactly the snapshot's reachable
        devices in it."""
        seen = [
            Edge(d.link, d.seen[0].device, d.seen[1].device, declared=False)
            for d in snapshot.drift
            if d.kind == "wrong_port" and d.link is not None
        ] + [
            Edge(f"{s.a}--{s.b}", s.a.device, s.b.device, declared=False)
            for s in snapshot.discovered
        ]
        merged = with_seen(self.inventory, self._design_graph, seen)
        down = [d.id for d in snapshot.devices if d.status == "down"]
        return live_graph(merged, down, [lk.id for lk in snapshot.links if lk.status == "down"])

    def snapshot(self, results: Iterable[ProbeResult] = (), at: float | None = None) -> Snapshot:
        """The network as of `at` (default: now). With no results: the declared design, every
        element assumed to work, no drift."""
        with _no_cyclic_gc():
            return self._snapshot(tuple(results), at)

    def _snapshot(self, results: tuple[ProbeResult, ...], at: float | None) -> Snapshot:
        inv, declared = self.inventory, self._declared
        obs = observe(inv, results, self._index)
        links = obs.link_states(inv.links)
        dr = compare(inv, obs, links, self._links)
        # LLDP may add edges (undeclared, wrong port), failures remove nodes: each a new graph.
        merged = with_seen(inv, self._design_graph, dr.seen_edges)
        unreachable = unreachable_behind(inv, obs, merged, self.management, dr.drift)
        if unreachable:
            # Their silence says nothing about them or their links: judge the links again on
            # what the answering ends report, and drift with them.
            obs = replace(obs, status={**obs.status, **dict.fromkeys(unreachable, "unreachable")})
            links = obs.link_states(inv.links)
            dr = compare(inv, obs, links, self._links)
            merged = with_seen(inv, self._design_graph, dr.seen_edges)
        for d in dr.drift:  # a cable in another port: one finding (drift), the link works
            if d.kind == "wrong_port" and d.link is not None:
                links[d.link] = obs.cabled_state(*d.seen)
        down_devices = [k for k, s in obs.status.items() if s == "down"]
        down_links = [k for k, (s, _, _) in links.items() if s == "down"]
        failed = failed_nodes(down_devices, down_links)
        unchanged = merged is self._design_graph and not failed
        now = declared if unchanged else self._analyse(merged, declared, failed)
        reached = now.dom.idom
        cut_off = any(v not in reached for v in self._agency_node.values()) or bool(unreachable)
        first = frontier(merged, reached.keys()) if cut_off else {}
        agencies = self._agencies(obs, merged, now, first)
        behind = {
            d: explain(merged, self._chain(device_node(d)), first, reached.keys(), obs.status, (d,))
            for d in unreachable
        }
        return Snapshot(
            inventory=inv.name,
            at=time.time() if at is None else at,
            probed=bool(results),
            levels=inv.levels,
            groups=inv.groups,
            services=inv.services,
            sites=inv.sites,
            devices=self._devices(obs, [n in reached for n in self._device_node], behind),
            links=tuple(
                LinkState(
                    lk.id,
                    lk.a,
                    lk.b,
                    lk.kind,
                    lk.capacity_bps,
                    state,
                    dr.origin[lk.id],
                    dr.link_drift.get(lk.id),
                    a_if,
                    b_if,
                )
                for lk in inv.links
                for state, a_if, b_if in (links[lk.id],)
            ),
            discovered=dr.discovered,
            agencies=agencies,
            coverage=coverage(inv, agencies),
            declared=declared.redundancy,
            current=now.redundancy,
            drift=dr.drift,
        )

    def _analyse(
        self, g: Any, declared: Analysis | None = None, failed: frozenset[Node] = frozenset()
    ) -> Analysis:
        """What graph g says once the failed nodes are taken out: the live graph analysed
        without building it (graph.live_graph builds it for people: a copy cost 0.2-0.3 s a
        snapshot at 30,000 agencies)."""
        inv, nodes = self.inventory, self._agency_node
        dom = dominators(g, failed)
        spofs = agency_spofs(nodes, dom, inv, self._upstream, self._elements)
        previous = declared.redundancy if declared else None
        return Analysis(
            dom,
            spofs,
            redundancy(g, nodes, dom, inv, spofs, self._elements, previous, failed),
            self._services(g, failed),
        )

    def _services(self, g: Any, failed: frozenset[Node]) -> dict[str, set[Node]]:
        """What each service reaches in g without the failed nodes. Services fed by the same
        devices (often all the core's) share one search."""
        by_sources: dict[tuple[str, ...], set[Node]] = {}
        out = {}
        succ = successors(g)
        for s in self.inventory.services:
            if s.devices not in by_sources:
                sources = [device_node(d) for d in s.devices]
                by_sources[s.devices] = reach(succ, sources, failed)
            out[s.id] = by_sources[s.devices]
        return out

    def _chain(self, node: Node) -> list[Node]:
        """The agency node's dominators in the declared design, core side first, then itself
        (nodes keep their names in every graph, so they are the merged graph's nodes too)."""
        dom = self._declared.dom
        return [*reversed(dom.chain(node)), node] if dom.reached(node) else [node]

    def _devices(
        self, obs: Observed, reached: list[bool], behind: dict[str, tuple[Cause, ...]]
    ) -> tuple[DeviceState, ...]:
        """Device states, reusing last cycle's object for each device whose state did not change
        (most of them, most cycles: 30,000 fewer objects to build)."""
        out = []
        last = self._last
        ok, failed, status = obs.probes_ok, obs.probes_failed, obs.status
        for d, up in zip(self.inventory.devices, reached, strict=True):
            now, good, bad = status[d.id], ok.get(d.id, ()), failed.get(d.id, ())
            before = last.get(d.id)
            why = behind.get(d.id, ())
            if (
                before is not None
                and before.status == now
                and before.reachable == up
                and before.probes_ok == good
                and before.probes_failed == bad
                and before.causes == why
            ):
                out.append(before)
                continue
            state = last[d.id] = DeviceState(
                d.id, d.role, d.site, d.agency, now, up, good, bad, why
            )
            out.append(state)
        return tuple(out)

    def _agencies(
        self, obs: Observed, merged: Any, now: Analysis, first: dict[Node, frozenset[Node]]
    ) -> tuple[AgencyState, ...]:
        reached = now.dom.idom
        nodes = self._agency_node
        by_service: dict[str, dict[Node, frozenset[Node]]] = {}  # frontiers, when needed
        declared_spofs = self._declared.spofs
        out = []
        for a in self.inventory.agencies:
            node = nodes.get(a.id)
            upstream_ok = node is not None and node in reached
            cut = tuple(
                s
                for s in a.services
                if s in now.services and (node is None or node not in now.services[s])
            )
            ok = connected(upstream_ok, a.services, cut)
            if ok or node is None:
                why: tuple[Cause, ...] = ()
            elif not upstream_ok:
                why = explain(
                    merged, self._chain(node), first, reached.keys(), obs.status, self._own[a.id]
                )
            else:  # reaches where one service attaches, not where another does
                why = self._service_causes(merged, node, cut, now, obs, by_service, a.id)
            spofs = now.spofs[a.id]
            if ok and not cut and spofs == declared_spofs[a.id]:
                # The usual case, every cycle: reuse one object per agency instead of 30,000 new.
                same = self._healthy.get(a.id)
                if same is None:
                    same = self._healthy[a.id] = self._state(a, True, (), (), spofs)
                out.append(same)
            else:
                out.append(self._state(a, ok, why, cut, spofs))
        return tuple(out)

    def _service_causes(
        self,
        merged: Any,
        node: Node,
        cut: tuple[str, ...],
        now: Analysis,
        obs: Observed,
        frontiers: dict[str, dict[Node, frozenset[Node]]],
        agency: str,
    ) -> tuple[Cause, ...]:
        """The first failures on the paths from each cut service's devices to the agency: only
        for inventories whose services attach at different devices, where an agency can reach
        one service and not another."""
        found: set[Cause] = set()
        for s in cut:
            reached_s = now.services[s]
            if s not in frontiers:
                sources = [device_node(d) for d in self._service_devices[s]]
                frontiers[s] = frontier(merged, reached_s, sources)
            first = frontiers[s].get(node, frozenset())
            found.update(causes(merged, first, reached_s, obs.status, self._own[agency]))
        return tuple(sorted(found, key=lambda c: (c.kind, c.id)))

    def _state(
        self,
        a: Agency,
        reachable: bool,
        causes: tuple[Cause, ...],
        cut: tuple[str, ...],
        spofs: tuple[Element, ...],
    ) -> AgencyState:
        """The one place an AgencyState is made."""
        return AgencyState(
            id=a.id,
            name=a.name,
            level=a.level,
            group=a.group,
            devices=self._own[a.id],
            reachable=reachable,
            causes=causes,
            services=a.services,
            services_cut=cut,
            spofs_declared=self._declared.spofs[a.id],
            spofs_current=spofs,
        )


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector meanwhile. The graphs are hundreds of thousands of
    small dicts and no reference cycles, and the collections their allocations set off walk
    the whole heap again and again for nothing. Measured at 30,000 agencies (CPU, median of
    3, 2 cores at load 1-2): a new Topology 1.0-1.1 s paused, 2.0-2.8 s with the collector
    running; its first outage snapshot 1.6 s and 3.2-3.5 s.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_snapshot(
    inventory: Inventory,
    results: Iterable[ProbeResult] = (),
    at: float | None = None,
    management: Management = "inband",
) -> Snapshot:
    """The network as of `at` (default: now); with no results, the declared design.

    Analyses the design every call: for one-off use (a report, a test). A caller that builds a
    snapshot every cycle keeps a `Topology(inventory)` and calls its `snapshot()` instead.
    """
    return Topology(inventory, management).snapshot(results, at)


__all__ = ["Topology", "build_snapshot"]
