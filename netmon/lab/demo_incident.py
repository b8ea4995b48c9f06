"""The demo's scripted incident: cut one PoP off the backbone, watch netmon and the alerts
say so with the PoP as the cause, restore it, watch everything recover.

The figures shown come from the exporter as Prometheus scraped it (coverage sums, the cause
series) and from the alerts Prometheus evaluates with the shipped rules; nothing is computed
here that netmon did not say.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from netmon.errors import LabError
from netmon.lab import inject
from netmon.lab.demo_watch import Alertmanager, Prometheus
from netmon.lab.paths import LabPaths
from netmon.model import Snapshot

INCIDENT_BUDGET_S = 180.0  # longest wait for the alerts, and again for the recovery
POLL_S = 1.0
UNREACHABLE_DEVICES = "count by (device) (netmon_device_unreachable_cause == 1)"
DOWN_DEVICES = "netmon_device_up == 0"


@dataclass(frozen=True)
class Target:
    pop: str
    uplinks: tuple[str, ...]
    expected: tuple[str, ...]  # agencies netmon says the PoP's failure would cut off now


@dataclass
class Outcome:
    """What was seen, with seconds since the cut (or since the restore for the *_back ones)."""

    before: tuple[int, int] | None = None
    lowest: tuple[int, int] | None = None
    dropped_s: float | None = None
    popdown_s: float | None = None
    unreachable_s: float | None = None  # the first AgencyUnreachable
    all_firing_s: float | None = None  # AgencyUnreachable for every agency cut off
    causes: list[dict[str, str]] = field(default_factory=list)  # netmon_agency_cut_off_cause
    firing: set[str] = field(default_factory=set)  # agencies with AgencyUnreachable firing
    unreachable_devices: int = 0  # the most devices netmon said were unreachable behind the cut
    down_devices: set[str] = field(default_factory=set)  # devices netmon said were down
    coverage_back_s: float | None = None
    alerts_clear_s: float | None = None
    after: tuple[int, int] | None = None

    @property
    def cut_agencies(self) -> set[str]:
        return {c.get("agency", "?") for c in self.causes}

    @property
    def fired(self) -> bool:
        return self.popdown_s is not None and self.all_firing_s is not None

    @property
    def recovered(self) -> bool:
        return self.coverage_back_s is not None and self.alerts_clear_s is not None


def choose_target(snap: Snapshot, wanted: str | None = None) -> Target:
    """The PoP `wanted`, or else the one whose loss cuts off most agencies now (netmon's own
    blast radius), and its uplinks: every link to a device that is not a CPE."""
    roles = {d.id: d.role for d in snap.devices}
    pops = sorted(d.id for d in snap.devices if d.role == "pop")
    if not pops:
        raise LabError("the inventory has no PoP (role: pop): nothing to cut")
    if wanted is not None and wanted not in pops:
        raise LabError(f"--pop {wanted!r} is not a PoP of this lab; choose from {', '.join(pops)}")
    # netmon reports the blast radius of a PoP's site (and of a device only when it is the
    # sole device cutting others off): either names what losing the PoP costs.
    site_of = {d.id: d.site for d in snap.devices}
    blast = {(b.element.kind, b.element.id): b.agencies for b in snap.current.blast}
    radius = {
        p: blast.get(("device", p)) or blast.get(("site", site_of.get(p) or ""), ()) for p in pops
    }
    pop = wanted or min(pops, key=lambda p: (-len(radius.get(p, ())), p))
    uplinks = tuple(
        lk.id
        for lk in snap.links
        if pop in (lk.a.device, lk.b.device)
        and roles.get(lk.b.device if lk.a.device == pop else lk.a.device) != "cpe"
    )
    return Target(pop, uplinks, tuple(radius.get(pop, ())))


def cut(paths: LabPaths, target: Target, down: bool) -> None:
    for link in target.uplinks:
        inject.set_cut(paths, link, down)


def watch_cut(
    prom: Prometheus, target: Target, update: Callable[[str], None], out: Outcome
) -> None:
    """From the cut until PoPDown fires for the PoP and AgencyUnreachable for every agency
    netmon reports cut off (whatever cause it names), or the budget ends."""
    t0 = time.monotonic()
    while (now := time.monotonic() - t0) < INCIDENT_BUDGET_S:
        cov = prom.coverage()
        if cov is not None and (out.lowest is None or cov[0] < out.lowest[0]):
            out.lowest = cov
        if cov and out.before and cov[0] < out.before[0] and out.dropped_s is None:
            out.dropped_s = now
        if out.popdown_s is None and prom.firing("PoPDown", device=target.pop):
            out.popdown_s = now
        causes = [r["metric"] for r in prom.query("netmon_agency_cut_off_cause == 1")]
        if len({c.get("agency") for c in causes}) >= len(out.cut_agencies):
            out.causes = causes  # the widest picture seen: an alert set of one cycle may lag
        firing = {a.get("agency", "?") for a in prom.firing("AgencyUnreachable")}
        out.firing |= firing
        behind = {r["metric"].get("device") for r in prom.query(UNREACHABLE_DEVICES)}
        out.unreachable_devices = max(out.unreachable_devices, len(behind))
        out.down_devices |= {r["metric"].get("device", "?") for r in prom.query(DOWN_DEVICES)}
        if firing and out.unreachable_s is None:
            out.unreachable_s = now
        everyone = bool(out.cut_agencies) and out.cut_agencies <= out.firing
        if everyone and out.all_firing_s is None:
            out.all_firing_s = now
        update(
            f"{target.pop} cut off {now:.0f} s ago: coverage {fmt(cov)}, "
            f"PoPDown {'firing' if out.popdown_s is not None else 'not yet'}, "
            f"AgencyUnreachable firing for {len(out.firing & out.cut_agencies)} of "
            f"{len(out.cut_agencies)} agencies cut off"
        )
        if out.fired:
            return
        time.sleep(POLL_S)


def watch_restore(
    prom: Prometheus, target: Target, update: Callable[[str], None], out: Outcome
) -> None:
    """From the restore until coverage is back where it was and none of the incident's
    alerts (PoPDown for the PoP, AgencyUnreachable for the agencies cut off) fires."""
    t0 = time.monotonic()
    while (now := time.monotonic() - t0) < INCIDENT_BUDGET_S:
        cov = prom.coverage()
        if cov is not None:
            out.after = cov
        full = cov is not None and out.before is not None and cov[0] >= out.before[0]
        if full and out.coverage_back_s is None:
            out.coverage_back_s = now
        agencies = {a.get("agency") for a in prom.firing("AgencyUnreachable")}
        left = len(prom.firing("PoPDown", device=target.pop)) + len(agencies & out.cut_agencies)
        if not left and out.alerts_clear_s is None and out.coverage_back_s is not None:
            out.alerts_clear_s = now
        update(
            f"links restored {now:.0f} s ago: coverage {fmt(cov)}, "
            f"{left} of the incident's alerts still firing"
        )
        if out.recovered:
            return
        time.sleep(POLL_S)


def alertmanager_view(
    am: Alertmanager, target: Target, seen: Outcome, wait_s: float = 15.0
) -> dict[str, dict[str, int]]:
    """What Alertmanager holds about the incident (pages vs inhibited), once it has PoPDown."""
    end = time.monotonic() + wait_s
    while True:
        states = am.states(target.pop, target.uplinks, seen.cut_agencies)
        if "PoPDown" in states or time.monotonic() > end:
            return states
        time.sleep(POLL_S)


def fmt(cov: tuple[int, int] | None) -> str:
    return f"{cov[0]}/{cov[1]}" if cov else "?"
