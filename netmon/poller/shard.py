"""`--shard I/N [--shard-by hash|group]` as the poller and the CLI take it.

Ownership itself (which agencies, devices and links a shard owns) is model.shard; what a shard
polls, its own devices and the shared infrastructure on their paths, is topology.shard's to
say (the CLI passes the poller that list as `Selection.devices`).
"""

from __future__ import annotations

from netmon.errors import NetmonError
from netmon.model.shard import Shard as _Shard
from netmon.model.shard import stable_hash


class Shard(_Shard):
    @classmethod
    def parse(cls, text: str, by: str = "hash") -> Shard:
        """A usage error a person can act on (NetmonError) for a bad --shard or --shard-by."""
        try:
            parsed = _Shard.parse(text, by)
        except ValueError as exc:
            raise NetmonError(str(exc)) from None
        return cls(parsed.index, parsed.count, parsed.by)


__all__ = ["Shard", "stable_hash"]
