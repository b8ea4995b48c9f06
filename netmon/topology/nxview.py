"""The merged topology of a Snapshot as a networkx MultiGraph, for ad-hoc analysis.

Built from the Snapshot alone (a saved one will do, no inventory needed): devices are nodes
(their id), links are edges keyed by link id, with the status the snapshot recorded. Every
edge says where it came from: declared only, discovered only (LLDP), or both. The graphs the
analyses run on (links as nodes, directed, a root) are `Topology.design` and
`Topology.live(snapshot)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netmon.model.snapshot import Snapshot

if TYPE_CHECKING:
    import networkx as nx


def merged_graph(snapshot: Snapshot) -> nx.MultiGraph:
    import networkx as nx  # here: importing it costs 0.13 s, and only this asks for it

    g = nx.MultiGraph(name=snapshot.inventory)
    for d in snapshot.devices:
        g.add_node(
            d.id, role=d.role, site=d.site, agency=d.agency, status=d.status, reachable=d.reachable
        )
    for lk in snapshot.links:
        g.add_edge(
            lk.a.device,
            lk.b.device,
            key=lk.id,
            origin=lk.origin,
            status=lk.status,
            drift=lk.drift,
            kind=lk.kind,
            ends=(str(lk.a), str(lk.b)),
        )
    for seen in snapshot.discovered:
        g.add_edge(
            seen.a.device,
            seen.b.device,
            key=f"{seen.a}--{seen.b}",
            origin=seen.origin,
            status="up",
            drift="undeclared",
            kind="discovered",
            ends=(str(seen.a), str(seen.b)),
        )
    return g
