"""What every availability format writes the same way: percentages, durations, local times."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from netmon.model.availability import CauseShare, Figures, Outage


def pct(f: Figures) -> str:
    """Availability with three decimals, rounded down: 10 s of downtime in a month must not
    print as 100."""
    a = f.availability
    if a is None:
        return "—"
    if f.down_s == 0:
        return "100"
    return f"{math.floor(a * 1000) / 1000:.3f}"


def pct_value(f: Figures) -> float | None:
    a = f.availability
    return None if a is None else round(a, 6)


def minutes(seconds: float) -> str:
    """1 d 2 h 3 min, to the minute."""
    total = round(seconds / 60)
    d, rest = divmod(total, 1440)
    h, m = divmod(rest, 60)
    parts = [f"{d} d"] if d else []
    if h:
        parts.append(f"{h} h")
    if m or not parts:
        parts.append(f"{m} min")
    return " ".join(parts)


def when(t: float, tz: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return datetime.fromtimestamp(t, ZoneInfo(tz)).strftime(fmt)


def iso(t: float, tz: str) -> str:
    return datetime.fromtimestamp(t, ZoneInfo(tz)).isoformat()


def cause_text(causes: tuple[CauseShare, ...]) -> str:
    """As netmon names them, the longest first: "device pop-hue isolated + link x down"."""
    return " + ".join(c.text() for c in causes) if causes else "no cause recorded"


def flags(o: Outage) -> str:
    marks = []
    if o.before:
        marks.append("began before the period")
    elif o.open_start:
        marks.append("may have begun earlier (netmon not watching)")
    if o.after:
        marks.append("still cut off at the end")
    elif o.open_end:
        marks.append("may have lasted longer (netmon not watching)")
    if o.unknown_s >= 60:
        marks.append(f"{minutes(o.unknown_s)} unknown inside")
    return "; ".join(marks)
