"""What a silent device means: down, or unreachable behind something that failed in front of it.

In-band (the NOC reaches every device over MetroNet itself), a PoP that dies takes every device
behind it with it: they all stop answering at once. Calling them all "down" would blame a
hundred CPEs for one PoP, and a PoP whose ring links were both cut would be "down" too, though
nothing is wrong with it. So, on the NOC's view of the network:

- the NOC reaches what a search from the root reaches without entering a silent device or a
  link that an answering end reports down (what it can see working);
- a silent device with an arc from that reached part (its upstream answers, and the link in
  between is not seen down) is **down**: nothing failed in front of it;
- every other silent device is **unreachable**: each of its paths from the NOC crosses an
  element seen failed, so its silence says nothing about the device itself.

Out-of-band (a separate management network), a silent device is down: its management path does
not cross MetroNet. The causes named for cut-off agencies then follow the same rule in both
modes (cause.py): the failed elements nearest to the core in the NOC's view.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any

from netmon.model import Drift, Inventory, Management
from netmon.topology.graph import ROOT, Adjacency, Node, device_node, predecessors, successors
from netmon.topology.observe import Observed


def unreachable_behind(
    inventory: Inventory,
    obs: Observed,
    merged: Any,
    management: Management,
    drift: Iterable[Drift] = (),
) -> frozenset[str]:
    """In-band: the silent devices (every probe failed) that are unreachable behind a failure;
    none out-of-band. merged: the nx.DiGraph with failed elements still in."""
    silent = [k for k, s in obs.status.items() if s == "down"]
    if management != "inband" or not silent:
        return frozenset()
    # Links as their answering ends report them: a silent end proves nothing about its link.
    reported = replace(obs, status={}).link_states(inventory.links)
    for d in drift:  # a cable in another port works, as build.py judges it
        if d.kind == "wrong_port" and d.link is not None:
            reported[d.link] = obs.cabled_state(*d.seen)
    seen_down = [f"link:{k}" for k, (s, _, _) in reported.items() if s == "down"]
    return unreachable_silent(successors(merged), predecessors(merged), silent, seen_down)


def unreachable_silent(
    succ: Adjacency,
    pred: Adjacency,
    silent: Collection[str],
    links_seen_down: Collection[Node],
) -> frozenset[str]:
    """The silent devices (ids) that are unreachable rather than down.

    succ, pred: adjacency of the merged graph (declared and discovered links, failed ones
    included); links_seen_down: link nodes an answering end reports down.
    """
    blocked = {device_node(d) for d in silent} | set(links_seen_down)
    reached = {ROOT}
    stack = [ROOT]
    while stack:  # bounded: each node enters the stack once
        u = stack.pop()
        for v in succ[u]:
            if v not in reached and v not in blocked:
                reached.add(v)
                stack.append(v)
    return frozenset(d for d in silent if not any(p in reached for p in pred[device_node(d)]))
