"""The queries of one report: a handful for a month when the recording rules are installed.

1. the hourly group's heartbeat over the period (which hours are recorded);
2. per run of recorded hours, one query summing known and down seconds per agency and per
   agency and service, with the agencies' names; per stretch not recorded (at least the
   period's first and last hour), the same from raw samples, a day at most per query;
3. the names of levels and groups;
4. the minute series (scrape coverage per netmon instance, downtime and causes per agency)
   over the period and one minute on either side, and from raw samples where none was
   recorded.

No query_range: instant queries of range vectors and subqueries return raw samples or
exactly the minute points asked for, so Prometheus' 11,000-points-per-series limit of
query_range never applies, and no lookback stretches a sample over a minute it was not in.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from netmon.export.availability import plan
from netmon.export.availability import promql as q
from netmon.export.availability.client import PrometheusClient, Series

AgencyKey = str
CauseKey = tuple[str, str, str, str]  # kind, id, state, single_homed


@dataclass
class Collected:
    """What the queries returned, summed, before any arithmetic on availability. Filled in
    place by the concurrent queries of one report (one event loop, no threads), then only
    read by `compute.build`; it never leaves the package."""

    known: dict[AgencyKey, float] = field(default_factory=lambda: defaultdict(float))
    down: dict[AgencyKey, float] = field(default_factory=lambda: defaultdict(float))
    svc_known: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    svc_down: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    agency: dict[AgencyKey, tuple[str, str]] = field(default_factory=dict)  # level, group
    names: dict[AgencyKey, str] = field(default_factory=dict)
    level_names: dict[str, str] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)
    # minute start -> seconds, per netmon instance (job/instance)
    scraped: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    down_minutes: dict[AgencyKey, dict[int, float]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    instance_of: dict[AgencyKey, str] = field(default_factory=dict)
    causes: dict[AgencyKey, dict[CauseKey, dict[int, float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(dict))
    )
    recorded_s: int = 0
    raw_s: int = 0


def _instance(labels: dict[str, str]) -> str:
    return f"{labels.get('job', '')}/{labels.get('instance', '')}"


def _either(*parts: tuple[str, str]) -> str:
    return " or ".join(q.tagged(expr, tag) for expr, tag in parts)


async def collect(client: PrometheusClient, start: int, end: int) -> Collected:
    out = Collected()
    stamps = await _stamps(client, start, end)
    runs, gaps = plan.plan_hours(stamps, start, end)
    jobs = [_run(client, out, r) for r in runs]
    jobs += [_raw_sums(client, out, a, b) for a, b in plan.chunks(gaps)]
    jobs.append(_names(client, out, start, end))
    jobs.append(_minutes(client, out, start - 60, end + 60))
    await asyncio.gather(*jobs)
    out.recorded_s = sum(r.end - r.start for r in runs)
    out.raw_s = sum(b - a for a, b in gaps)
    return out


async def _stamps(client: PrometheusClient, start: int, end: int) -> list[float]:
    at = end + 2 * q.RULE_LAG_S + 60
    got = await client.query(f"{q.HOUR_EVALUATED}[{at - start}s]", at)
    return [t for s in got for t, _ in s.samples]


def _sum_parts(span: str) -> list[tuple[str, str]]:
    return [
        (f"sum_over_time({q.AGENCY_KNOWN_1H}[{span}])", "known"),
        (f"sum_over_time({q.AGENCY_DOWN_1H}[{span}])", "down"),
        (f"sum_over_time({q.SERVICE_KNOWN_1H}[{span}])", "svc_known"),
        (f"sum_over_time({q.SERVICE_DOWN_1H}[{span}])", "svc_down"),
        (f"last_over_time({q.AGENCY_INFO_1H}[{span}])", "info"),
    ]


async def _run(client: PrometheusClient, out: Collected, run: plan.Run) -> None:
    # [first - 1 ms, last] holds exactly the run's stamps, whether ranges are closed (2.x)
    # or left-open (3.x): no other stamp of the group lies within a millisecond of `first`.
    span = f"{round((run.last - run.first) * 1000) + 1}ms"
    _add_sums(out, await client.query(_either(*_sum_parts(span)), run.last))


async def _raw_sums(client: PrometheusClient, out: Collected, a: int, b: int) -> None:
    span = b - a
    parts = [
        (q.minutes_sum(q.AGENCY_KNOWN, span), "known"),
        (q.minutes_sum(q.AGENCY_DOWN, span), "down"),
        (q.minutes_sum(q.SERVICE_KNOWN, span), "svc_known"),
        (q.minutes_sum(q.SERVICE_DOWN, span), "svc_down"),
        (
            "group by (job, instance, agency, level, group, name)"
            f" (last_over_time(netmon_agency_info[{span}s]))",
            "info",
        ),
    ]
    _add_sums(out, await client.query(_either(*parts), b))


def _add_sums(out: Collected, got: Iterable[Series]) -> None:
    for s in got:
        lb, part = s.labels, s.labels.get("netmon_part", "")
        agency = lb.get("agency", "")
        if part in ("known", "down", "info"):
            out.agency.setdefault(agency, (lb.get("level", ""), lb.get("group", "")))
        if part == "known":
            out.known[agency] += s.value
        elif part == "down":
            out.down[agency] += s.value
        elif part == "svc_known":
            out.svc_known[agency, lb.get("service", "")] += s.value
        elif part == "svc_down":
            out.svc_down[agency, lb.get("service", "")] += s.value
        elif part == "info" and lb.get("name"):
            out.names[agency] = lb["name"]


async def _names(client: PrometheusClient, out: Collected, start: int, end: int) -> None:
    span = f"{end - start}s"
    expr = _either(
        (f"last_over_time(netmon_level_info[{span}])", "level"),
        (f"last_over_time(netmon_group_info[{span}])", "group"),
    )
    for s in await client.query(expr, end):
        lb = s.labels
        if lb.get("netmon_part") == "level" and "level" in lb:
            out.level_names[lb["level"]] = lb.get("name", lb["level"])
        elif lb.get("netmon_part") == "group" and "group" in lb:
            out.group_names[lb["group"]] = lb.get("name", lb["group"])


async def _minutes(client: PrometheusClient, out: Collected, start: int, end: int) -> None:
    """Minute data for [start, end): recorded where the minute group ran, raw elsewhere."""
    # A minute m is recorded by samples stamped in [m + 120 s, m + 180 s) (promql.minute_of).
    at = end + 2 * q.RULE_LAG_S
    span = f"{at - start - 60}s"
    recorded = await asyncio.gather(
        client.query(f"{q.INSTANCE_KNOWN_1M}[{span}]", at),
        client.query(f"{q.AGENCY_DOWN_1M}[{span}]", at),
        client.query(f"{q.CAUSE_1M}[{span}]", at),
    )
    for part, got in zip(("scraped", "down", "cause"), recorded, strict=True):
        for s in got:
            for t, v in s.samples:
                _add_minute(out, part, s.labels, q.minute_of(t), v, start, end)
    covered = {m for minutes in out.scraped.values() for m in minutes}
    gaps = plan.chunks(plan.minute_gaps(covered, start, end))
    await asyncio.gather(*(_raw_minutes(client, out, a, b) for a, b in gaps))


async def _raw_minutes(client: PrometheusClient, out: Collected, a: int, b: int) -> None:
    inner = _either(
        (q.INSTANCE_KNOWN, "scraped"), (f"{q.AGENCY_DOWN} > 0", "down"), (q.CAUSE, "cause")
    )
    for s in await client.query(q.minutes_of(inner, b - a), b):
        for t, v in s.samples:
            # the point p covers the minute [p - 60 s, p)
            _add_minute(out, s.labels.get("netmon_part", ""), s.labels, int(t) - 60, v, a, b)


def _add_minute(
    out: Collected, part: str, lb: dict[str, str], m: int, v: float, start: int, end: int
) -> None:
    if not start <= m < end:
        return
    if part == "scraped":
        out.scraped[_instance(lb)][m] = v
    elif part == "down":
        agency = lb.get("agency", "")
        out.down_minutes[agency][m] = v
        out.instance_of.setdefault(agency, _instance(lb))
    elif part == "cause":
        key = (
            lb.get("cause_kind", ""),
            lb.get("cause_id", ""),
            lb.get("cause_state", ""),
            lb.get("single_homed", ""),
        )
        out.causes[lb.get("agency", "")][key][m] = v
