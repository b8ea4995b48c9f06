"""The Prometheus collector: renders the latest ExportState on each scrape, never probes.

Conventions (DESIGN.md, docs/metrics.md): `netmon_` prefix, base units in the name (never
prometheus_client's `unit=`, which appends a second one), counters end in `_total`, booleans
are 0/1 gauges, static facts are `_info` gauges valued 1, and every label has a bound set by
the inventory (agency, level, group, device, link, probe, reason, cause). Interface octet,
error and discard counters are the devices' raw counters, exported as counters: rates are
PromQL's job. Coverage is exported as counts per (level, group) cell, never as a ratio, so
shards add up with sum().

Before the first cycle only the service's own metrics are exported: a declared design is not
evidence that anything is up.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator

from prometheus_client.core import Metric
from prometheus_client.registry import Collector

from netmon.export.families import Family, encode, gauge, to_client
from netmon.export.metrics_links import link_families
from netmon.export.metrics_service import cycle_families, service_families
from netmon.export.state import ExportState, StateHolder
from netmon.model import Snapshot

_AGENCY = ["agency", "level", "group"]
# "unknown" (never probed) and "unreachable" (silent behind a failure, in-band) are left out:
# neither says anything about the device itself.
_STATUS = {"up": 1.0, "down": 0.0}


class Exposition:
    """/metrics' body, encoded once per state: a scrape between cycles costs a dict lookup,
    so any number of scrapers cannot slow the poller down."""

    def __init__(self, holder: StateHolder) -> None:
        self.holder = holder
        self._cache: tuple[int, bytes] | None = None

    def body(self) -> bytes:
        version = self.holder.version
        if self._cache is None or self._cache[0] != version:
            self._cache = (version, exposition(self.holder.get()))
        return self._cache[1]


def exposition(state: ExportState) -> bytes:
    """The text format of `state`. The cyclic GC is paused meanwhile: rendering allocates tens
    of thousands of small tuples and no cycles, and a collection triggered by them would walk
    the whole heap (snapshots included), doubling the render time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return encode(render(state))
    finally:
        if was_enabled:
            gc.enable()


class SnapshotCollector(Collector):
    """Register on a fresh CollectorRegistry; collect() reads the holder once per scrape."""

    def __init__(self, holder: StateHolder) -> None:
        self.holder = holder

    def collect(self) -> Iterator[Metric]:
        return iter(to_client(render(self.holder.get())))

    def describe(self) -> Iterable[Metric]:
        # Nothing up front: the registry must not call collect() at registration time.
        return []


def render(state: ExportState) -> list[Family]:
    out = service_families(state.facts)
    if state.cycle is not None:
        out += cycle_families(state.cycle)
    if state.snapshot is not None:
        out += snapshot_families(state.snapshot)
        out += link_families(state.snapshot)
    return out


def snapshot_families(s: Snapshot) -> list[Family]:
    at = gauge("netmon_snapshot_timestamp_seconds", "When the snapshot shown was built.")
    at.add([], s.at)
    inv = gauge("netmon_inventory_info", "The inventory in use.", ["inventory"])
    inv.add([s.inventory], 1)
    out: list[Family] = [at, inv, *_names(s), *_agencies(s), *_coverage(s), *_devices(s)]
    return out + _redundancy(s) + _drift(s)


def _names(s: Snapshot) -> list[Family]:
    level = gauge("netmon_level_info", "An administrative level and its name.", ["level", "name"])
    for lv in s.levels:
        level.add([lv.id, lv.name], 1)
    group = gauge(
        "netmon_group_info", "A group (district) and its name.", ["group", "name", "kind"]
    )
    for g in s.groups:
        group.add([g.id, g.name, g.kind], 1)
    service = gauge(
        "netmon_service_info",
        "An upstream service agencies reach and its name.",
        ["service", "name"],
    )
    for svc in s.services:
        service.add([svc.id, svc.name], 1)
    return [level, group, service]


def _agencies(s: Snapshot) -> list[Family]:
    info = gauge("netmon_agency_info", "An agency and its name.", [*_AGENCY, "name"])
    up = gauge(
        "netmon_agency_up",
        "1 if the agency is connected: it reaches every upstream service it uses.",
        _AGENCY,
    )
    cause = gauge(
        "netmon_agency_cut_off_cause",
        "1 per element that cuts the agency off (absent while it is reachable); "
        "single_homed=true when that element is a single point of failure of the agency.",
        [*_AGENCY, "cause_kind", "cause_id", "cause_state", "single_homed"],
    )
    service = gauge(
        "netmon_agency_service_up",
        "1 if the agency reaches the upstream service.",
        ["agency", "service"],
    )
    for a in s.agencies:
        key = [a.id, a.level, a.group]
        info.add([*key, a.name], 1)
        up.add(key, float(a.reachable))
        if not a.reachable:
            spofs = {str(e) for e in a.spofs_declared}
            for c in a.causes or ():
                single = "true" if f"{c.kind}:{c.id}" in spofs else "false"
                cause.add([*key, c.kind, c.id, c.state, single], 1)
            if not a.causes:  # no declared path at all: still say so, with no element to blame
                cause.add([*key, "none", "none", "down", "false"], 1)
        for svc in a.services:
            service.add([a.id, svc], float(svc not in a.services_cut))
    return [info, up, cause, service]


def _coverage(s: Snapshot) -> list[Family]:
    declared = gauge(
        "netmon_coverage_agencies", "Agencies declared, per level and group.", ["level", "group"]
    )
    reachable = gauge(
        "netmon_coverage_reachable_agencies",
        "Agencies connected (reaching every upstream service they use), per level and group.",
        ["level", "group"],
    )
    for cell in s.coverage.cells:  # counted by topology (coverage.py), never here
        declared.add([cell.level, cell.group], cell.total)
        reachable.add([cell.level, cell.group], cell.reachable)
    svc_total = gauge(
        "netmon_service_coverage_agencies", "Agencies that use the service.", ["service"]
    )
    svc_ok = gauge(
        "netmon_service_coverage_reachable_agencies",
        "Agencies that use the service and reach it.",
        ["service"],
    )
    for c in s.coverage.by_service:
        svc_total.add([c.id], c.total)
        svc_ok.add([c.id], c.reachable)
    return [declared, reachable, svc_total, svc_ok]


def _devices(s: Snapshot) -> list[Family]:
    info = gauge(
        "netmon_device_info",
        "A device, its role and where it is.",
        ["device", "role", "site", "agency"],
    )
    up = gauge(
        "netmon_device_up",
        "1 if a probe of the device succeeded, 0 if all failed and nothing failed in front of "
        "it (absent: not probed, or unreachable behind a failure).",
        ["device", "role"],
    )
    behind = gauge(
        "netmon_device_unreachable_cause",
        "1 per failed element a silent device is unreachable behind (in-band management: "
        "every path from the NOC crosses it); absent unless the device is unreachable.",
        ["device", "role", "cause_kind", "cause_id", "cause_state"],
    )
    path = gauge(
        "netmon_device_reachable",
        "1 if the device has a working path from the upstream devices, where the services "
        "attach (a PoP whose uplinks are cut reads 0).",
        ["device", "role"],
    )
    for d in s.devices:
        info.add([d.id, d.role, d.site or "", d.agency or ""], 1)
        if d.status in _STATUS:
            up.add([d.id, d.role], _STATUS[d.status])
        path.add([d.id, d.role], float(d.reachable))
        if d.status == "unreachable":
            for c in d.causes:
                behind.add([d.id, d.role, c.kind, c.id, c.state], 1)
    return [info, up, path, behind]


def _redundancy(s: Snapshot) -> list[Family]:
    single = gauge(
        "netmon_agency_single_path",
        "1 if the agency has a single point of failure now (basis=current) or by design "
        "(basis=declared).",
        ["agency", "basis"],
    )
    for a in s.agencies:
        single.add([a.id, "current"], float(a.single_path))
        single.add([a.id, "declared"], float(a.single_path_declared))
    blast = gauge(
        "netmon_blast_radius_agencies",
        "Agencies that the failure of this site, link or device would cut off now.",
        ["element_kind", "element"],
    )
    for b in s.current.blast:
        blast.add([b.element.kind, b.element.id], len(b.agencies))
    counts = gauge(
        "netmon_redundancy_elements",
        "Articulation points (devices) and bridges (links) of the current graph.",
        ["kind"],
    )
    counts.add(["articulation_point"], len(s.current.articulation_points))
    counts.add(["bridge"], len(s.current.bridges))
    return [single, blast, counts]


def _drift(s: Snapshot) -> list[Family]:
    counts = gauge(
        "netmon_topology_drift",
        "Differences between the declared topology and LLDP, by kind.",
        ["kind"],
    )
    for kind, n in s.drift_counts().items():
        counts.add([kind], n)
    per_link = gauge(
        "netmon_link_drift",
        "1 for a declared link that LLDP contradicts, with how.",
        ["link", "kind"],
    )
    for lk in s.links:
        if lk.drift is not None:
            per_link.add([lk.id, lk.drift], 1)
    seen = gauge(
        "netmon_discovered_links", "Adjacencies LLDP shows that no declared link explains."
    )
    seen.add([], len(s.discovered))
    return [counts, per_link, seen]
