"""What the exporter shows: the latest Snapshot, the last cycle and the service's own facts.

One immutable `ExportState` at a time; the service builds a new one and swaps it in
(`StateHolder.set`), so a scrape always sees one consistent picture and never waits for a
cycle. The types here mirror the poller's CycleResult without importing it (export may import
only model and topology): the composition root (cli) converts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from netmon.model import ProbeResult, Snapshot


@dataclass(frozen=True)
class AgencyDebounce:
    """One agency's debounced state after a cycle (the poller's AgencyStatus)."""

    id: str
    reachable: bool | None  # this cycle; None: none of its devices was probed
    consecutive_failures: int
    down: bool  # debounced: unreachable for down_after cycles in a row


@dataclass(frozen=True)
class CycleSummary:
    number: int
    started_at: float  # Unix time
    duration_s: float
    results: tuple[ProbeResult, ...]
    agencies: tuple[AgencyDebounce, ...]
    cut_by_deadline: int

    @property
    def finished_at(self) -> float:
        return self.started_at + self.duration_s


@dataclass(frozen=True)
class LoadStatus:
    """The last attempt to load a file set (inventory or config).

    `ok` is that attempt's outcome; `loaded_at` is when the state now in use was loaded, so a
    failed reload leaves it unchanged. `error` goes to the log and the reload reply, never to
    /metrics (it may name paths, never secrets: loaders do not print secret values).
    """

    ok: bool = True
    loaded_at: float = 0.0
    error: str = ""


@dataclass(frozen=True)
class ServiceFacts:
    version: str
    started_at: float
    interval_s: float
    deadline_s: float
    down_after: int
    inventory: LoadStatus = LoadStatus()
    config: LoadStatus = LoadStatus()
    reloads: int = 0  # attempts, successful or not
    reload_failures: int = 0
    cycles: int = 0
    deadline_overruns: int = 0  # cycles in which the deadline cut at least one probe
    shard: str = "0/1"  # "i/n": this instance is shard i of n ("0/1": not sharded)
    shard_by: str = "hash"
    # Agencies each shard of the split owns ("i/n", count): every instance exports all of
    # them, so a shard that stopped still counts in the totals (as not reported).
    shard_agencies: tuple[tuple[str, int], ...] = ()
    # The inventory's name: the shards of one inventory share it, and instances of several
    # inventories (one per province) keep their counts apart by it.
    inventory_name: str = ""


@dataclass(frozen=True)
class ExportState:
    facts: ServiceFacts
    snapshot: Snapshot | None = None  # None until the first cycle: nothing is claimed before
    cycle: CycleSummary | None = None

    @property
    def ready(self) -> bool:
        return self.snapshot is not None and self.cycle is not None

    def with_cycle(self, snapshot: Snapshot, cycle: CycleSummary) -> ExportState:
        facts = replace(
            self.facts,
            cycles=self.facts.cycles + 1,
            deadline_overruns=self.facts.deadline_overruns + (cycle.cut_by_deadline > 0),
        )
        return ExportState(facts, snapshot, cycle)


@dataclass
class StateHolder:
    """The one mutable cell: readers take `get()` once and use that object throughout.

    Assigning a reference is atomic in CPython and everything runs in one event loop, so no
    lock is needed; `version` lets the renderer cache its output per state.
    """

    _state: ExportState
    version: int = field(default=0)

    def get(self) -> ExportState:
        return self._state

    def set(self, state: ExportState) -> None:
        self._state = state
        self.version += 1
