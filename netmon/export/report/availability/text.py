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


_FLAGS = {
    "before": ("bắt đầu trước kỳ báo cáo", "began before the period"),
    "open_start": (
        "có thể bắt đầu sớm hơn (netmon không giám sát)",
        "may have begun earlier (netmon not watching)",
    ),
    "after": ("vẫn mất kết nối cuối kỳ", "still cut off at the end"),
    "open_end": (
        "có thể kéo dài hơn (netmon không giám sát)",
        "may have lasted longer (netmon not watching)",
    ),
    "unknown": ("{} không rõ bên trong", "{} unknown inside"),
}


def flags(o: Outage, bilingual: bool = False) -> str:
    """What the reader should know about an outage's edges, in English (and Vietnamese)."""
    keys = []
    if o.before:
        keys.append("before")
    elif o.open_start:
        keys.append("open_start")
    if o.after:
        keys.append("after")
    elif o.open_end:
        keys.append("open_end")
    if o.unknown_s >= 60:
        keys.append("unknown")
    out = []
    for k in keys:
        vi, en = (t.format(minutes(o.unknown_s)) for t in _FLAGS[k])
        out.append(f"{vi} / {en}" if bilingual else en)
    return "; ".join(out)
