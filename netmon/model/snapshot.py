"""The Snapshot: what the topology stage concluded about the network at one moment.

Immutable, built once per cycle by `netmon.topology.build_snapshot`, read by the reports and the
Prometheus collector. It carries everything they need, so neither has to look at the inventory
or the probe results again, and it round-trips through JSON (`--snapshot FILE`, `/api/snapshot`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from netmon.model.codec import dumper, load
from netmon.model.inventory import Endpoint, Group, Level, Service, Site
from netmon.model.observation import InterfaceState

# Written into every saved snapshot; bump it when a field changes meaning.
FORMAT = "netmon-snapshot/1"

# A device's status: "up" (a probe succeeded), "down" (every probe failed and the NOC can see
# nothing failed in front of it), "unreachable" (every probe failed, and every path from the
# NOC crosses an element seen failed: in-band, the silence says nothing about the device
# itself), "unknown" (never probed). A link is up, down or unknown.
Status = Literal["up", "down", "unknown", "unreachable"]
Origin = Literal["declared", "discovered", "both"]
DriftKind = Literal["missing", "undeclared", "wrong_port", "unknown_neighbour"]
ElementKind = Literal["device", "link", "site"]
# "down": the element itself failed. "isolated": the device answers probes but every one of
# its paths towards the core is broken (e.g. a PoP whose uplinks were all cut).
CauseState = Literal["down", "isolated"]
DRIFT_KINDS: tuple[DriftKind, ...] = ("missing", "undeclared", "wrong_port", "unknown_neighbour")


@dataclass(frozen=True)
class Element:
    """A device, link or site, named unambiguously (device and link ids are separate sections)."""

    kind: ElementKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Cause:
    """Why an agency is cut off: a failed element nearest to the core on its broken paths."""

    kind: Literal["device", "link"]
    id: str
    state: CauseState


@dataclass(frozen=True)
class DeviceState:
    id: str
    role: str
    site: str | None
    agency: str | None
    status: Status  # down: every probe failed; unknown: never probed (see Status)
    reachable: bool  # a path from the upstream devices (where services attach) exists now
    probes_ok: tuple[str, ...] = ()
    probes_failed: tuple[str, ...] = ()
    # unreachable: the failed elements in front of it that the NOC sees, core side first
    # (Cause semantics as for an agency; its own uplinks all down reads "device ID isolated").
    causes: tuple[Cause, ...] = ()


@dataclass(frozen=True)
class LinkState:
    """A declared link as of now; a_if/b_if are what each end reported (None: not read)."""

    id: str
    a: Endpoint
    b: Endpoint
    kind: str
    capacity_bps: int
    status: Status
    origin: Origin  # declared only, or declared and seen by LLDP ("both")
    drift: DriftKind | None = None
    a_if: InterfaceState | None = None
    b_if: InterfaceState | None = None


@dataclass(frozen=True)
class SeenLink:
    """An adjacency LLDP shows between two inventory devices that no declared link explains.

    b.interface is "" when the far port id could not be resolved to an interface.
    """

    a: Endpoint
    b: Endpoint
    origin: Origin = "discovered"


@dataclass(frozen=True)
class AgencyState:
    id: str
    name: str
    level: str
    group: str
    devices: tuple[str, ...]
    # Connected: reaches every upstream service it uses (topology/coverage.py `connected`,
    # the one definition); the name predates that definition and stays for saved snapshots.
    reachable: bool
    causes: tuple[Cause, ...] = ()  # empty when reachable, or when no path was ever declared
    services: tuple[str, ...] = ()  # services the agency uses
    services_cut: tuple[str, ...] = ()  # of those, the ones it cannot reach now
    spofs_declared: tuple[Element, ...] = ()  # single points of failure, core side first
    spofs_current: tuple[Element, ...] = ()

    @property
    def single_path(self) -> bool:
        return bool(self.spofs_current)

    @property
    def single_path_declared(self) -> bool:
        return bool(self.spofs_declared)


@dataclass(frozen=True)
class BlastRadius:
    """The agencies one element's failure would cut off from the core."""

    element: Element
    agencies: tuple[str, ...]


@dataclass(frozen=True)
class Redundancy:
    articulation_points: tuple[str, ...]  # device ids
    bridges: tuple[str, ...]  # link ids (declared), or "a--b" for discovered adjacencies
    blast: tuple[BlastRadius, ...]  # every non-core site and link, and devices that cut others
    single_path: tuple[str, ...]  # agencies with at least one single point of failure

    @property
    def spofs(self) -> tuple[BlastRadius, ...]:
        """Elements whose failure cuts off at least one agency, largest blast radius first."""
        hit = [b for b in self.blast if b.agencies]
        return tuple(sorted(hit, key=lambda b: (-len(b.agencies), b.element.kind, b.element.id)))


@dataclass(frozen=True)
class CoverageCount:
    id: str
    name: str
    total: int
    reachable: int

    @property
    def cut_off(self) -> int:
        return self.total - self.reachable

    @property
    def ratio(self) -> float:
        # An empty group is fully covered: nothing in it is cut off.
        return self.reachable / self.total if self.total else 1.0


@dataclass(frozen=True)
class CoverageCell:
    """The agencies of one level in one group: the unit /metrics exports, so that sums over
    levels, groups and shards all come out right."""

    level: str
    group: str
    total: int
    reachable: int


@dataclass(frozen=True)
class Coverage:
    total: CoverageCount
    by_level: tuple[CoverageCount, ...]
    by_group: tuple[CoverageCount, ...]
    by_service: tuple[CoverageCount, ...]
    # Every (level, group) pair with at least one agency, sorted by level id then group id.
    # Empty in snapshots saved before it existed (they still load).
    cells: tuple[CoverageCell, ...] = ()


@dataclass(frozen=True)
class Drift:
    """One difference between the declared topology and what LLDP shows.

    declared: the ends of the declared link (missing, wrong_port); seen: the ends LLDP shows
    (undeclared, wrong_port; for unknown_neighbour the local end only); remote: how the
    unknown neighbour described itself.
    """

    kind: DriftKind
    link: str | None = None
    declared: tuple[Endpoint, ...] = ()
    seen: tuple[Endpoint, ...] = ()
    remote: str = ""


@dataclass(frozen=True)
class Snapshot:
    inventory: str
    at: float  # seconds since the epoch
    probed: bool  # False: the declared design, no probe results
    levels: tuple[Level, ...]
    groups: tuple[Group, ...]
    services: tuple[Service, ...]
    sites: tuple[Site, ...]
    devices: tuple[DeviceState, ...]
    links: tuple[LinkState, ...]
    discovered: tuple[SeenLink, ...]
    agencies: tuple[AgencyState, ...]
    coverage: Coverage
    declared: Redundancy
    current: Redundancy
    drift: tuple[Drift, ...]

    @cached_property
    def agency_by_id(self) -> dict[str, AgencyState]:
        return {a.id: a for a in self.agencies}

    @cached_property
    def device_by_id(self) -> dict[str, DeviceState]:
        return {d.id: d for d in self.devices}

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        """The first site of each id (reports name elements by it: 54,000 at national size)."""
        return {st.id: st for st in reversed(self.sites)}

    @cached_property
    def link_by_id(self) -> dict[str, LinkState]:
        return {lk.id: lk for lk in self.links}

    def cut_off(self) -> tuple[AgencyState, ...]:
        return tuple(a for a in self.agencies if not a.reachable)

    def drift_counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(DRIFT_KINDS, 0)
        for d in self.drift:
            counts[d.kind] += 1
        return counts


# --- JSON ---------------------------------------------------------------------------------------
# Generic over the dataclasses above, driven by their type hints (codec.py), so a new field needs
# no serialiser change. Derived values (ratio, spofs...) are written for readers of the file and
# ignored on load.

to_data = dumper({CoverageCount: lambda c: {"ratio": round(c.ratio, 6)}})
to_data.__doc__ = "Plain JSON-able data: dataclasses become objects, tuples lists."


def snapshot_to_json(snapshot: Snapshot, indent: int | None = None) -> str:
    data = {"format": FORMAT, **to_data(snapshot)}
    return json.dumps(data, ensure_ascii=False, indent=indent)


def snapshot_from_json(text: str) -> Snapshot:
    """Load a saved snapshot; ValueError names what is wrong."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(
            f"not a {FORMAT} file (format: {data.get('format')!r})"
            if isinstance(data, dict)
            else f"not a {FORMAT} file"
        )
    result = load(Snapshot, data, "snapshot")
    assert isinstance(result, Snapshot)
    return result
