"""`--shard I/N`: a stable share of the fleet, so several netmon instances can split it.

The share is decided by a hash of the agency id (or, for core and PoP devices, the site id)
that is the same in every process and Python version: blake2b, never the built-in hash(),
which is salted per process.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from netmon.errors import NetmonError
from netmon.model import Device


def stable_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Shard:
    index: int  # 0-based
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        m = re.fullmatch(r"(\d+)/(\d+)", text.strip())
        if not m or not 0 <= int(m[1]) < int(m[2]):
            raise NetmonError(
                f"--shard {text!r} is not I/N with 0 <= I < N (for example 0/3, 1/3, 2/3)"
            )
        return cls(int(m[1]), int(m[2]))

    def owns_key(self, key: str) -> bool:
        return stable_hash(key) % self.count == self.index

    def owns(self, device: Device) -> bool:
        """A CPE goes with its agency; a core or PoP device with its site."""
        return self.owns_key(device.agency or device.site or device.id)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
