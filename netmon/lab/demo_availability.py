"""The demo's last word: availability over the incident, measured from the demo's Prometheus
exactly as `netmon report availability` measures a month (the same queries and arithmetic;
the hourly recorded series do not exist yet after a few minutes, so the minutes come from the
minute rules and from raw samples)."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from netmon.config import DEFAULT_TIMEZONE
from netmon.export.availability.client import PrometheusClient
from netmon.export.availability.compute import Selection, availability
from netmon.export.availability.period import SETTLE_S
from netmon.export.report.availability.text import cause_text, minutes, pct, when
from netmon.model.availability import AvailabilityReport, Period

# The demo waits for the minute after the restore to be over (SETTLE_S after its end).
WAIT_AFTER_S = SETTLE_S


def period_around(cut_at: float, restored_at: float, tz: str = DEFAULT_TIMEZONE) -> Period:
    """From the minute before the cut to the end of the minute the restore was seen in."""
    start = int(cut_at) // 60 * 60 - 60
    end = int(restored_at) // 60 * 60 + 60
    return Period(start, end, tz, "demo")


async def _measure(url: str, period: Period) -> AvailabilityReport:
    async with PrometheusClient(url, timeout_s=20) as client:
        return await availability(client, period, Selection())


def measure(url: str, period: Period) -> AvailabilityReport:
    return asyncio.run(_measure(url, period))


def summary(r: AvailabilityReport, url: str) -> str:
    tz = r.period.tz
    t = r.total
    span = f"{when(r.period.start, tz)} – {when(r.period.end, tz, '%H:%M')} ({tz})"
    lines = [
        "\nAvailability over the incident, measured from Prometheus (netmon report availability):",
        f"  {span}: {t.agencies} agencies, {pct(t.figures)} % available, {t.outages} outages, "
        f"{minutes(t.figures.down_s)} of agency time cut off"
        + (
            f", {minutes(t.figures.unknown_s)} unknown (no scrape yet, or netmon silent)"
            if t.figures.unknown_s >= 60
            else ""
        ),
    ]
    by_cause: dict[str, list[int]] = defaultdict(list)
    for o in r.outages():
        by_cause[cause_text(o.causes)].append(o.duration_s)
    for cause, durations in sorted(by_cause.items(), key=lambda kv: -len(kv[1])):
        lo, hi = minutes(min(durations)), minutes(max(durations))
        spread = lo if lo == hi else f"{lo} to {hi}"
        n = len(durations)
        lines.append(f"    {cause}: {n} outage{'s' if n != 1 else ''} of {spread}")
    lines.append(
        f"  full report: netmon report availability -p {url} "
        f"--from {when(r.period.start, tz, '%Y-%m-%dT%H:%M')} "
        f"--to {when(r.period.end, tz, '%Y-%m-%dT%H:%M')} -o html"
    )
    return "\n".join(lines)
