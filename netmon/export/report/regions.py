"""The shape of the network for drawings: core, regions, PoPs and the groups they serve.

A province has one core site; a national inventory has a national core and one core site per
province. A *region* is a core site other than the root one, with the PoPs nearest to it over
backbone links; the overview collapses a region to one box when there are too many groups to
draw one by one. Computed from the Snapshot alone (sites, devices, links), in plain Python.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from functools import cached_property

from netmon.model.snapshot import AgencyState, Snapshot

# Shape.of's memory: the last snapshot's Shape (one: a server's next cycle replaces it).
_LAST: list[Shape] = []


@dataclass(frozen=True)
class Region:
    id: str  # the core site's id
    name: str
    groups: tuple[str, ...]


class Shape:
    """Which devices are core and PoPs, which group each PoP serves, the regions."""

    @classmethod
    def of(cls, snapshot: Snapshot) -> Shape:
        """The snapshot's Shape, made once for the pages drawn from it one after another (an
        atlas of 567 district pages at national size scanned 30,000 agencies for each)."""
        for last in _LAST:
            if last.s is snapshot:
                return last
        shape = cls(snapshot)
        _LAST[:] = [shape]
        return shape

    def __init__(self, snapshot: Snapshot) -> None:
        self.s = snapshot
        self.site_group = {site.id: site.group for site in snapshot.sites}
        self.infra = [d for d in snapshot.devices if d.agency is None]
        self.cores = [d.id for d in self.infra if d.role == "core"]
        self.pops: dict[str | None, list[str]] = defaultdict(list)
        for d in self.infra:
            if d.role != "core":
                self.pops[self.site_group.get(d.site or "")].append(d.id)

    @cached_property
    def agencies_by_group(self) -> dict[str, list[AgencyState]]:
        out: dict[str, list[AgencyState]] = defaultdict(list)
        for a in self.s.agencies:
            out[a.group].append(a)
        return out

    @cached_property
    def cabled(self) -> dict[str, list[str]]:
        """Each device's peers over declared links."""
        out: dict[str, list[str]] = defaultdict(list)
        for lk in self.s.links:
            out[lk.a.device].append(lk.b.device)
            out[lk.b.device].append(lk.a.device)
        return out

    @cached_property
    def backbone(self) -> dict[str, list[str]]:
        """Adjacency over links between infrastructure devices."""
        infra = {d.id for d in self.infra}
        adj: dict[str, list[str]] = defaultdict(list)
        for lk in self.s.links:
            if lk.a.device in infra and lk.b.device in infra:
                adj[lk.a.device].append(lk.b.device)
                adj[lk.b.device].append(lk.a.device)
        return adj

    @cached_property
    def group_order(self) -> list[str]:
        """Groups in the order a depth-first walk of the backbone from the core meets their
        PoPs: neighbours on a ring come out next to each other, so ring links drawn between
        consecutive district boxes stay short. Groups without a PoP come last."""
        seen: dict[str, None] = {}
        stack = list(reversed(self.cores))
        while stack:
            cur = stack.pop()
            if cur in seen:
                continue
            seen[cur] = None
            stack.extend(n for n in reversed(self.backbone[cur]) if n not in seen)
        first: dict[str, int] = {}
        for rank, dev in enumerate(seen):
            group = self.site_group.get(self.s.device_by_id[dev].site or "")
            if group is not None and self.s.device_by_id[dev].role != "core":
                first.setdefault(group, rank)
        ids = [g.id for g in self.s.groups]
        return sorted(ids, key=lambda g: (first.get(g, len(seen)), ids.index(g)))

    @cached_property
    def regions(self) -> tuple[Region, ...]:
        """Core sites under the root core, each with the groups of the PoPs nearest to it;
        empty when the inventory has a single core site (a province)."""
        core_sites = sorted({d.site for d in self.infra if d.role == "core" and d.site})
        if len(core_sites) < 2:
            return ()
        devices_of = defaultdict(list)
        for d in self.infra:
            if d.site:
                devices_of[d.site].append(d.id)
        site_of = {d.id: d.site for d in self.infra}

        # The root: the core site with backbone links to the most other core sites.
        def touching(site: str) -> int:
            return len(
                {
                    site_of[n]
                    for dev in devices_of[site]
                    for n in self.backbone[dev]
                    if site_of[n] in core_sites and site_of[n] != site
                }
            )

        root = max(core_sites, key=lambda s: (touching(s), -core_sites.index(s)))
        # Multi-source BFS from every other core site, never through the root's devices.
        owner: dict[str, str] = {}
        queue: deque[str] = deque()
        for site in core_sites:
            if site != root:
                for dev in devices_of[site]:
                    owner[dev] = site
                    queue.append(dev)
        blocked = set(devices_of[root])
        while queue:
            cur = queue.popleft()
            for nxt in self.backbone[cur]:
                if nxt not in owner and nxt not in blocked:
                    owner[nxt] = owner[cur]
                    queue.append(nxt)
        names = {site.id: site.name for site in self.s.sites}
        groups: dict[str, list[str]] = defaultdict(list)
        for g in self.s.groups:
            pops = self.pops.get(g.id, [])
            region = next((owner[p] for p in pops if p in owner), None)
            if region is not None:
                groups[region].append(g.id)
        return tuple(
            Region(site, names.get(site, site), tuple(groups[site]))
            for site in core_sites
            if site != root
        )
