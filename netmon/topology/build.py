"""build_snapshot: inventory + probe results -> Snapshot. The one entry point of this package."""

from __future__ import annotations

import functools
import gc
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from netmon.model import Inventory, ProbeResult
from netmon.model.snapshot import (
    AgencyState,
    DeviceState,
    Element,
    LinkState,
    Redundancy,
    Snapshot,
)
from netmon.topology.cause import explain, frontier
from netmon.topology.coverage import coverage
from netmon.topology.dominators import Dominance, dominators
from netmon.topology.drift import compare, forget
from netmon.topology.graph import Digraph, Edge, build_graph, reachable_from, with_failures
from netmon.topology.observe import Index, Observed, observe
from netmon.topology.redundancy import Elements, agency_spofs, redundancy


@dataclass(frozen=True)
class Design:
    """What depends on the inventory alone: computed once per Inventory object and reused
    every cycle (the inventory is immutable; a reload brings a new object)."""

    edges: tuple[Edge, ...]
    graph: Digraph
    dom: Dominance
    spofs: dict[str, tuple[Element, ...]]
    redundancy: Redundancy
    index: Index
    elements: Elements
    healthy: dict[str, AgencyState]  # each agency as it is when all is well, to reuse
    last: dict[str, DeviceState]  # each device as the previous snapshot had it, to reuse


_designs: dict[int, tuple[weakref.ref[Inventory], Design]] = {}


def design_of(inventory: Inventory) -> Design:
    hit = _designs.get(id(inventory))
    if hit is not None and hit[0]() is inventory:
        return hit[1]
    edges = tuple(Edge(lk.id, lk.a.device, lk.b.device) for lk in inventory.links)
    graph = build_graph(inventory, edges)
    dom = dominators(graph)
    core = frozenset(d.id for d in inventory.core_devices())
    elements = Elements()
    spofs = agency_spofs(graph, dom, inventory, core, elements)
    design = Design(
        edges,
        graph,
        dom,
        spofs,
        redundancy(graph, dom, inventory, spofs, elements),
        Index.of(inventory),
        elements,
        {},
        {},
    )
    key = id(inventory)
    # The callback holds the dict itself: at interpreter exit the module global may be gone.
    _designs[key] = (weakref.ref(inventory, functools.partial(forget, _designs, key)), design)
    return design


def clear_design_cache() -> None:
    """Forget every cached design analysis (benchmarks measure the cold path with it)."""
    _designs.clear()


def build_snapshot(
    inventory: Inventory, results: Iterable[ProbeResult] = (), at: float | None = None
) -> Snapshot:
    """The network as of `at` (default: now). With no results: the declared design, every
    element assumed to work, no drift."""
    # Hundreds of thousands of small objects and no reference cycles: the cyclic collector
    # would walk the heap again and again for nothing (a third of the time at 30,000).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(inventory, tuple(results), at)
    finally:
        if was_enabled:
            gc.enable()


def _build(inventory: Inventory, results: tuple[ProbeResult, ...], at: float | None) -> Snapshot:
    d = design_of(inventory)
    design, dom_design = d.graph, d.dom
    obs = observe(inventory, results, d.index)
    links = obs.link_states(inventory.links)
    link_status = {k: v[0] for k, v in links.items()}
    dr = compare(inventory, obs, links)
    down_devices = frozenset(k for k, s in obs.status.items() if s == "down")
    down_links = frozenset(k for k, s in link_status.items() if s == "down")
    # LLDP may add edges (undeclared, wrong port): then a graph with them, numbered alike.
    merged = build_graph(inventory, d.edges + dr.seen_edges) if dr.seen_edges else design
    current = (
        with_failures(merged, down_devices, down_links) if down_devices or down_links else merged
    )
    if current is design:
        dom_now, spofs_now, now = dom_design, d.spofs, d.redundancy
    else:
        dom_now = dominators(current)
        core = frozenset(x.id for x in inventory.core_devices())
        spofs_now = agency_spofs(current, dom_now, inventory, core, d.elements)
        now = redundancy(current, dom_now, inventory, spofs_now, d.elements, d.redundancy)
    agencies = _agencies(
        inventory,
        obs,
        merged,
        current,
        dom_now,
        lambda agency: _chain(design, dom_design, merged, agency),
        d,
        spofs_now,
    )
    return Snapshot(
        inventory=inventory.name,
        at=time.time() if at is None else at,
        probed=bool(results),
        levels=inventory.levels,
        groups=inventory.groups,
        services=inventory.services,
        sites=inventory.sites,
        devices=_devices(
            inventory, d, obs, [dom_now.reached[current.device[x.id]] for x in inventory.devices]
        ),
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
            for lk in inventory.links
            for state, a_if, b_if in (links[lk.id],)
        ),
        discovered=dr.discovered,
        agencies=agencies,
        coverage=coverage(inventory, agencies),
        declared=d.redundancy,
        current=now,
        drift=dr.drift,
    )


def _chain(design: Digraph, dom: Dominance, merged: Digraph, agency: str) -> list[int]:
    """The agency's dominators in the declared design, core side first, then the agency's own
    node; as nodes of the merged graph (which numbers its sinks differently)."""
    v = design.agency.get(agency)
    if v is None:
        return []
    table = {"device": merged.device, "link": merged.link, "agency": merged.agency}
    return [
        table[design.kinds[x]][design.names[x]]
        for x in [*reversed(dom.chain(v)), v]
        if design.kinds[x] in table
    ]


def _devices(
    inventory: Inventory, design: Design, obs: Observed, reached: list[bool]
) -> tuple[DeviceState, ...]:
    """Device states, reusing last cycle's object for each device whose state did not change
    (most of them, most cycles: 30,000 fewer objects to build)."""
    out = []
    last = design.last
    ok, failed, status = obs.probes_ok, obs.probes_failed, obs.status
    for d, up in zip(inventory.devices, reached, strict=True):
        now, good, bad = status[d.id], ok.get(d.id, ()), failed.get(d.id, ())
        before = last.get(d.id)
        if (
            before is not None
            and before.status == now
            and before.reachable == up
            and before.probes_ok == good
            and before.probes_failed == bad
        ):
            out.append(before)
            continue
        state = last[d.id] = DeviceState(d.id, d.role, d.site, d.agency, now, up, good, bad)
        out.append(state)
    return tuple(out)


def _agencies(
    inventory: Inventory,
    obs: Observed,
    merged: Digraph,
    current: Digraph,
    dom: Dominance,
    chain_of: Callable[[str], list[int]],
    design: Design,
    spofs_now: dict[str, tuple[Element, ...]],
) -> tuple[AgencyState, ...]:
    reached = dom.reached
    first = (
        frontier(merged, reached) if not all(reached[v] for v in current.agency.values()) else {}
    )
    down: set[str] = {d for d, s in obs.status.items() if s == "down"}
    by_service = {
        s.id: reachable_from(current, [current.device[d] for d in s.devices if d not in down])
        for s in inventory.services
    }
    out = []
    for a in inventory.agencies:
        node = current.agency.get(a.id)
        ok = node is not None and reached[node]
        own = tuple(d.id for d in inventory.devices_of_agency.get(a.id, ()))
        why = (
            ()
            if ok or node is None
            else explain(merged, chain_of(a.id), first, reached, obs.status, own)
        )
        cut = tuple(
            s for s in a.services if s in by_service and (node is None or not by_service[s][node])
        )
        spofs = spofs_now[a.id]
        if ok and not cut and spofs == design.spofs[a.id]:
            # The usual case, every cycle: reuse one object per agency instead of 30,000 new.
            same = design.healthy.get(a.id)
            if same is None:
                same = design.healthy[a.id] = AgencyState(
                    a.id,
                    a.name,
                    a.level,
                    a.group,
                    own,
                    True,
                    (),
                    a.services,
                    (),
                    design.spofs[a.id],
                    design.spofs[a.id],
                )
            out.append(same)
            continue
        out.append(
            AgencyState(
                a.id,
                a.name,
                a.level,
                a.group,
                own,
                ok,
                why,
                a.services,
                cut,
                design.spofs[a.id],
                spofs,
            )
        )
    return tuple(out)


__all__ = ["Design", "build_snapshot", "clear_design_cache", "design_of"]
