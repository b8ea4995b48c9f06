"""The poller: cycles, scheduling, concurrency, deadlines, debounce, shards."""

from netmon.poller.cycle import CycleResult, Poller, Selection, credential_sets
from netmon.poller.debounce import AgencyStatus, Debounce
from netmon.poller.shard import Shard, stable_hash

__all__ = [
    "AgencyStatus",
    "CycleResult",
    "Debounce",
    "Poller",
    "Selection",
    "Shard",
    "credential_sets",
    "stable_hash",
]
