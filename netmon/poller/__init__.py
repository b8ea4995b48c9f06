"""The poller: cycles, scheduling, concurrency, deadlines, debounce, shards."""

from netmon.poller.cycle import CycleResult, Poller, Selection
from netmon.poller.debounce import AgencyStatus, Debounce
from netmon.poller.shard import Shard, stable_hash

__all__ = ["AgencyStatus", "CycleResult", "Debounce", "Poller", "Selection", "Shard", "stable_hash"]
