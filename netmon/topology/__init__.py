"""Topology: declared graph, observed state, reachability, redundancy, drift -> Snapshot.

The only networkx user in netmon, and only when a graph is asked for: the analyses read the
graph's dicts directly (graph.py), so a report never imports networkx. `Topology(inventory)`
analyses the declared design once (a networkx DiGraph: `Topology.design`) and builds a
Snapshot per cycle (`snapshot()`), whose live graph `Topology.live(snapshot)` returns;
`build_snapshot` is the one-off form.
`merged_graph(snapshot)` is the device-level view of a Snapshot alone (a MultiGraph).
graph.py documents the nodes and their attributes.
"""

from netmon.topology.build import Topology, build_snapshot
from netmon.topology.graph import ROOT
from netmon.topology.nxview import merged_graph

__all__ = ["ROOT", "Topology", "build_snapshot", "merged_graph"]
