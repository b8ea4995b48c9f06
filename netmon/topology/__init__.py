"""Topology: declared graph, observed state, reachability, redundancy, drift -> Snapshot.

The only networkx user in netmon: `nxview.merged_graph` hands a Snapshot to networkx for ad-hoc
analysis. The analyses on the hot path run on a compact integer graph of their own (graph.py
says why: no transit through agencies, links as nodes, 30,000 agencies in under two seconds);
the tests check them against networkx.
"""

from netmon.topology.build import build_snapshot, clear_design_cache
from netmon.topology.nxview import merged_graph

__all__ = ["build_snapshot", "clear_design_cache", "merged_graph"]
