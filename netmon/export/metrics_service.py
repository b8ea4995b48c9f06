"""The service's own metrics and the last cycle's: loads, reloads, cycles, probes, debounce."""

from __future__ import annotations

import platform

import netmon
from netmon.export.families import Family, counter, gauge
from netmon.export.state import CycleSummary, ServiceFacts


def service_families(f: ServiceFacts) -> list[Family]:
    build = gauge(
        "netmon_build_info", "netmon version and Python it runs on.", ["version", "python"]
    )
    build.add([netmon.__version__, platform.python_version()], 1)
    out: list[Family] = [build]
    if f.shard:
        shard = gauge("netmon_shard_info", "The shard this instance polls (I/N).", ["shard"])
        shard.add([f.shard], 1)
        out.append(shard)
    for what, st in (("inventory", f.inventory), ("config", f.config)):
        ok = gauge(
            f"netmon_{what}_load_success",
            f"1 if the last attempt to load the {what} succeeded (a failed reload keeps the "
            "previous one in use).",
        )
        ok.add([], float(st.ok))
        at = gauge(
            f"netmon_{what}_load_timestamp_seconds",
            f"When the {what} now in use was loaded (Unix time).",
        )
        at.add([], st.loaded_at)
        out += [ok, at]
    for name, doc, value in (
        ("netmon_reloads", "Reloads attempted (SIGHUP or POST /-/reload).", f.reloads),
        ("netmon_reload_failures", "Reloads refused: the old state stayed.", f.reload_failures),
        ("netmon_cycles", "Poll cycles completed.", f.cycles),
        (
            "netmon_cycle_deadline_overruns",
            "Cycles in which the deadline cut at least one probe.",
            f.deadline_overruns,
        ),
    ):
        c = counter(name + "_total", doc)
        c.add([], value)
        out.append(c)
    for name, doc, v in (
        (
            "netmon_start_time_seconds",
            "When this netmon process started (Unix time).",
            f.started_at,
        ),
        ("netmon_cycle_interval_seconds", "Configured time between cycle starts.", f.interval_s),
        ("netmon_cycle_deadline_seconds", "Configured longest cycle.", f.deadline_s),
        (
            "netmon_debounce_cycles",
            "Consecutive failed cycles before an agency is down.",
            f.down_after,
        ),
    ):
        g = gauge(name, doc)
        g.add([], v)
        out.append(g)
    return out


def cycle_families(c: CycleSummary) -> list[Family]:
    dur = gauge("netmon_cycle_duration_seconds", "How long the last cycle took.")
    dur.add([], c.duration_s)
    last = gauge("netmon_cycle_last_timestamp_seconds", "When the last cycle ended (Unix time).")
    last.add([], c.finished_at)
    cut = gauge("netmon_cycle_probes_cut", "Probes the deadline cut in the last cycle.")
    cut.add([], c.cut_by_deadline)
    success = gauge(
        "netmon_probe_success", "1 if the probe succeeded in the last cycle.", ["device", "probe"]
    )
    duration = gauge(
        "netmon_probe_duration_seconds", "How long the probe took.", ["device", "probe"]
    )
    failure = gauge(
        "netmon_probe_failure_reason",
        "1 for a probe that failed in the last cycle, with why (absent while it succeeds).",
        ["device", "probe", "reason"],
    )
    rtt = gauge(
        "netmon_probe_rtt_seconds", "Round-trip time the probe measured.", ["device", "probe"]
    )
    # The reset signal for the raw interface counters: sysUpTime drops when a device restarts,
    # and its counters restart from 0 with it (rate() treats the drop as a reset either way).
    uptime = gauge(
        "netmon_device_uptime_seconds",
        "Uptime the device reported (SNMP sysUpTime) in the last cycle; it drops on a restart.",
        ["device"],
    )
    # A table read over several cycles (a 3,271-port chassis) is not a failure: the device
    # answered (netmon_probe_success 1); this says its tables are not all known yet.
    discovering = gauge(
        "netmon_probe_discovering",
        "1 while a table of the device is still being read over several cycles (it is up).",
        ["device", "probe"],
    )
    table_failed = gauge(
        "netmon_probe_table_failed",
        "1 for a table the probe could not read in the last cycle although the device "
        "answered (a degraded read: the other tables and the device's state stand).",
        ["device", "probe", "table", "reason"],
    )
    uptimes: dict[str, float] = {}
    for r in c.results:
        if r.success and r.uptime_s is not None and (r.device not in uptimes or r.probe == "snmp"):
            uptimes[r.device] = r.uptime_s  # one per device: SNMP's when several probes say
        key = [r.device, r.probe]
        success.add(key, float(r.success))
        duration.add(key, r.duration_s)
        if not r.success:
            failure.add([*key, r.reason or "error"], 1)
        if r.tables:
            discovering.add(key, float(r.discovering))
        for t in r.tables:
            if t.status == "failed":
                table_failed.add([*key, t.table, t.reason or "error"], 1)
        if r.rtt_s is not None:
            rtt.add(key, r.rtt_s)
    down = gauge(
        "netmon_agency_down",
        "1 once every probe of the agency failed for netmon_debounce_cycles cycles in a row.",
        ["agency"],
    )
    fails = gauge(
        "netmon_agency_consecutive_failed_cycles",
        "Cycles in a row in which no probe of the agency succeeded.",
        ["agency"],
    )
    for a in c.agencies:
        down.add([a.id], float(a.down))
        fails.add([a.id], a.consecutive_failures)
    for device, seconds in uptimes.items():
        uptime.add([device], seconds)
    probes = [success, duration, failure, discovering, table_failed, rtt]
    return [dur, last, cut, *probes, uptime, down, fails]
