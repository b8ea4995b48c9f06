"""Shards: which netmon instance owns which agencies, devices and links.

Several `netmon serve --shard I/N` instances split one inventory. Each agency has exactly one
owner, and so has each device and each link: only the owner exports it, so every figure
summed over the instances counts each thing once (docs/scale.md). Ownership is a stable hash
(blake2b, never the built-in hash(), which is salted per process) of:

- `by="hash"`: the agency id (even shares whatever the groups);
- `by="group"`: the agency's group (a district, a province), so that one instance watches
  whole groups, as a country sharded by province wants.

A CPE and its access links go with the CPE's agency. A core or PoP device goes with its site
(by group: the site's group, or the site itself when it has none); a backbone link with the
site of its first end. What an instance polls is wider than what it owns (it also needs the
state of the shared infrastructure on its agencies' paths): topology/shard.py says what.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from netmon.model.inventory import Agency, Device, Inventory, Link

ShardBy = Literal["hash", "group"]
SHARD_BY: tuple[ShardBy, ...] = ("hash", "group")


def stable_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Shard:
    index: int  # 0-based
    count: int
    by: ShardBy = "hash"

    @classmethod
    def parse(cls, text: str, by: str = "hash") -> Shard:
        """ValueError names what is wrong."""
        m = re.fullmatch(r"(\d+)/(\d+)", text.strip())
        if not m or not 0 <= int(m[1]) < int(m[2]):
            raise ValueError(
                f"--shard {text!r} is not I/N with 0 <= I < N (for example 0/3, 1/3, 2/3)"
            )
        if by not in SHARD_BY:
            raise ValueError(f"--shard-by {by!r}: use one of {', '.join(SHARD_BY)}")
        return cls(int(m[1]), int(m[2]), by)

    @classmethod
    def whole(cls) -> Shard:
        """An instance that is not sharded: the one shard of one, owning everything."""
        return cls(0, 1)

    def owns_key(self, key: str) -> bool:
        return stable_hash(key) % self.count == self.index

    def sibling(self, index: int) -> Shard:
        return Shard(index, self.count, self.by)

    def siblings(self) -> tuple[Shard, ...]:
        """Every shard of the split, this one included."""
        return tuple(self.sibling(i) for i in range(self.count))

    def owns_agency(self, agency: Agency) -> bool:
        return self.owns_key(agency.group if self.by == "group" else agency.id)

    def owns_device(self, inventory: Inventory, device: Device) -> bool:
        """A CPE goes with its agency; a core or PoP device with its site."""
        if device.agency is not None:
            return self.owns_agency(inventory.agency_by_id[device.agency])
        if device.site is None:  # the inventory checks forbid it; own it by its id
            return self.owns_key(device.id)
        site = inventory.site_by_id[device.site]
        return self.owns_key(site.group if self.by == "group" and site.group else site.id)

    def owns_link(self, inventory: Inventory, link: Link) -> bool:
        """An access link goes with its CPE's agency; a backbone link with its first end."""
        a, b = (inventory.device_by_id[e.device] for e in link.ends())
        end = b if b.agency is not None and a.agency is None else a
        return self.owns_device(inventory, end)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
