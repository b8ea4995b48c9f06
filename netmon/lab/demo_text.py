"""What the demo prints: one-line notes, where to look, the incident's figures, timings."""

from __future__ import annotations

from netmon.lab import demo_incident as incident
from netmon.lab import demo_stack as stack
from netmon.lab.demo_incident import fmt
from netmon.lab.paths import LabPaths
from netmon.lab.state import LabState


def lab_line(state: LabState, took: float) -> str:
    plan = state.plan
    how = (
        "the noc reaches every device over the lab's cables (in-band, OSPF)"
        if plan.management == "inband"
        else "the noc reaches every device over a management bridge (out-of-band)"
    )
    return (
        f"lab up in {took:.1f} s: {len(plan.nodes)} devices in network namespaces, "
        f"{sum(1 for w in plan.wires if w.b)} cables, {len(plan.deviations)} seeded differences "
        f"from the inventory (field reality); {how}"
    )


def where(ports: stack.Ports, paths: LabPaths) -> str:
    n, p, a = ports.netmon, ports.prometheus, ports.alertmanager
    return (
        "\nWhere to look (forwarded from the lab's noc to this host):\n"
        f"  netmon          http://127.0.0.1:{n}/   (coverage, causes, links)\n"
        f"  map             http://127.0.0.1:{n}/map   (search an agency, click a district)\n"
        f"  topology        http://127.0.0.1:{n}/topology.svg   (printable, a page a district)\n"
        f"  Prometheus      http://127.0.0.1:{p}/   (rules: http://127.0.0.1:{p}/rules)\n"
        f"  alerts          http://127.0.0.1:{p}/alerts\n"
        f"  Alertmanager    http://127.0.0.1:{a}/\n"
        f"  lab             netmon lab status --state-dir {paths.root}"
    )


def cut_report(
    t: incident.Target, s: incident.Outcome, pages: dict[str, dict[str, int]], missing: set[str]
) -> str:
    lines = [
        f"  coverage (netmon_coverage_*, via Prometheus): {fmt(s.before)} -> {fmt(s.lowest)}"
        + (f", dropped {s.dropped_s:.0f} s after the cut" if s.dropped_s is not None else ""),
        "  cut off, by the cause netmon names (netmon_agency_cut_off_cause):",
    ]
    by_agency: dict[str, set[str]] = {}
    for c in s.causes:
        cid = c.get("cause_id", "?")
        why = " (a cable the lab leaves out on purpose)" if cid in missing else ""
        text = f"{c.get('cause_kind', '?')} {cid} {c.get('cause_state', '?')}{why}"
        by_agency.setdefault(c.get("agency", "?"), set()).add(text)
    by_cause: dict[str, list[str]] = {}
    for agency, causes in by_agency.items():
        by_cause.setdefault(" + ".join(sorted(causes)), []).append(agency)
    for cause, agencies in sorted(by_cause.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        names = sorted(agencies)
        more = " ..." if len(names) > 5 else ""
        count = f"{len(names)} agenc{'y' if len(names) == 1 else 'ies'}"
        lines.append(f"    {cause}: {count} ({', '.join(names[:5])}{more})")
    lines.append(
        f"  devices silent behind the cut: {s.unreachable_devices} unreachable "
        "(netmon_device_unreachable_cause), none of them paged as down; devices down "
        f"(netmon_device_up 0): {len(s.down_devices)}"
        + (f" ({', '.join(sorted(s.down_devices)[:5])})" if s.down_devices else "")
    )
    fired = len(s.firing & s.cut_agencies)
    lines += [
        f"  PoPDown for {t.pop}: "
        + (f"firing {s.popdown_s:.0f} s after the cut" if s.popdown_s is not None else "NOT")
        + ("" if s.popdown_s is not None else " firing"),
        "  AgencyUnreachable: "
        + (
            f"firing {s.unreachable_s:.0f} s after the cut, for all {fired} agencies cut off"
            f" after {s.all_firing_s:.0f} s"
            if s.unreachable_s is not None and s.all_firing_s is not None
            else f"firing for {fired} of {len(s.cut_agencies)} agencies cut off"
        ),
    ]
    if pages:
        parts = [
            f"{name} " + ", ".join(f"{n} {state}" for state, n in sorted(c.items()))
            for name, c in sorted(pages.items())
        ]
        lines.append("  Alertmanager: " + "; ".join(parts) + " (AgencyUnreachable: agencies)")
        lines.append(
            "    suppressed: single-homed agencies, inhibited by the alert of their PoP or uplink"
            " (one page, not one per agency); dual-homed ones are never inhibited"
        )
    return "\n".join(lines)


def restore_report(t: incident.Target, s: incident.Outcome) -> str:
    back = (
        f"coverage back to {incident.fmt(s.after)} {s.coverage_back_s:.0f} s after the restore"
        if s.coverage_back_s is not None
        else f"coverage NOT back (last {incident.fmt(s.after)})"
    )
    clear = (
        f"the incident's alerts stopped firing {s.alerts_clear_s:.0f} s after the restore"
        if s.alerts_clear_s is not None
        else "some of the incident's alerts still firing"
    )
    return f"  recovery: {back}; {clear}"


def timings(times: dict[str, float], total: float) -> str:
    parts = ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
    return f"\nTimings: {parts}; total {total:.1f} s"
