"""An independent, brute-force model of reachability, to check the fast analyses against.

Written from the rule, not from the code: agencies are reached from the core devices over
working links; a CPE is a leaf for transit purposes (traffic may go on from it to another CPE,
never back up into MetroNet). Quadratic when used for every element: tests only.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from netmon.model import Inventory


def graph(
    inv: Inventory, dead_devices: Iterable[str] = (), dead_links: Iterable[str] = ()
) -> nx.MultiGraph:
    g = nx.MultiGraph()
    dead = set(dead_devices)
    gone = set(dead_links)
    g.add_nodes_from(d.id for d in inv.devices if d.id not in dead)
    for lk in inv.links:
        if lk.id not in gone and lk.a.device not in dead and lk.b.device not in dead:
            g.add_edge(lk.a.device, lk.b.device, key=lk.id)
    return g


def reached(inv: Inventory, g: nx.MultiGraph) -> set[str]:
    role = {d.id: d.role for d in inv.devices}
    start = [d.id for d in inv.core_devices() if d.id in g]
    seen = set(start)
    todo = list(start)
    while todo:
        u = todo.pop()
        for v in g.neighbors(u):
            if v in seen:
                continue
            if role[u] == "cpe" and role[v] != "cpe":
                continue  # no transit through an agency back into MetroNet
            seen.add(v)
            todo.append(v)
    return seen


def agencies_reached(inv: Inventory, g: nx.MultiGraph) -> set[str]:
    devices = reached(inv, g)
    return {a.id for a in inv.agencies if any(d.id in devices for d in inv.devices_of_agency[a.id])}
