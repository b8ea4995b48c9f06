"""`--shard I/N --shard-by hash|group` for poll and serve: one shard's plan for one inventory.

The composition of model.shard (who owns what), topology.shard (what a shard polls, and the
share of each Snapshot it exports) and the poller's Selection.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from netmon.export.state import CycleSummary
from netmon.model import Inventory, Management, Snapshot
from netmon.model.shard import Shard
from netmon.poller import Selection
from netmon.topology import Topology
from netmon.topology.shard import Scope, ShardView, shard_sizes

ShardOpt = Annotated[
    str | None,
    typer.Option(
        "--shard",
        help="I/N: this instance is shard I of N (0-based): it polls its agencies and the "
        "shared infrastructure on their paths, and exports only what it owns",
    ),
]
ShardByOpt = Annotated[
    str,
    typer.Option(
        "--shard-by",
        help="hash: agencies spread by a hash of their id; group: whole groups (districts, "
        "provinces) to one shard",
    ),
]


class Plan:
    """One inventory as one shard sees it (or the whole of it, unsharded): what it polls,
    the Topology its snapshots come from, and the share of them it exports."""

    def __init__(
        self,
        inventory: Inventory,
        shard: Shard | None,
        topology: Topology | None,
        management: Management = "inband",
    ):
        self.inventory = inventory
        self.management = management  # what a silent device means to the Topology
        self.shard = shard if shard is not None else Shard.whole()
        self.sizes = shard_sizes(inventory, self.shard)  # agencies of each shard of the split
        self._topology = topology
        self.view: ShardView | None = None  # None: not sharded, everything is exported
        if self.shard.count > 1:
            scope = Scope.of(self.topology, self.shard)
            self.view = ShardView(inventory, scope)

    @classmethod
    def of(
        cls,
        inventory: Inventory,
        shard: Shard | None,
        topology: Topology | None = None,
        management: Management = "inband",
    ) -> Plan:
        """topology: the inventory's, when the caller has one already; otherwise one is made
        when first needed (a shard needs it at once, to know what it polls), managed as
        `management` says (config.yaml's poll.management)."""
        return cls(inventory, shard, topology, management)

    @property
    def topology(self) -> Topology:
        if self._topology is None:
            self._topology = Topology(self.inventory, self.management)
        return self._topology

    def selection(self, base: Selection | None = None) -> Selection:
        """What the poller probes: base (default: everything) narrowed to this shard's."""
        base = base or Selection()
        return base if self.view is None else replace(base, devices=self.view.scope.polled)

    def snapshot(self, snap: Snapshot) -> Snapshot:
        return snap if self.view is None else self.view.restrict(snap)

    def cycle(self, c: CycleSummary) -> CycleSummary:
        """The cycle's probe results and debounce for what this shard owns: the shared
        infrastructure it polls is exported by its owner alone."""
        if self.view is None:
            return c
        scope = self.view.scope
        return replace(
            c,
            results=tuple(r for r in c.results if r.device in scope.devices),
            agencies=tuple(a for a in c.agencies if a.id in scope.agencies),
        )
