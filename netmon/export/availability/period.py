"""Dates as an operator writes them, in their time zone, to a UTC period of whole minutes."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from netmon.model.availability import Period

EXAMPLE_TZ = "Asia/Ho_Chi_Minh"  # in messages only: the default is config's
# A minute is over for the report once its last scrape is in: scrapes are stamped when they
# start and take at most their timeout (10 s in the shipped prometheus.yml).
SETTLE_S = 15
MAX_DAYS = 400  # a year and a bit: longer asks are mistakes, and cost Prometheus
EXAMPLE = "e.g. --from 2025-11-01 --to 2025-12-01, or --month 2025-11"
_FORMS = (
    (re.compile(r"^\d{4}-\d{2}$"), "%Y-%m"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}$"), "%Y-%m-%dT%H:%M"),
)


class PeriodError(ValueError):
    """A date or period the operator wrote cannot be used; the message says why (callers add
    an example in their own syntax: EXAMPLE for the command line)."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PeriodError(
            f"unknown time zone {name!r}: use an IANA name such as {EXAMPLE_TZ}"
        ) from None


def parse_when(text: str, tz: ZoneInfo) -> datetime:
    """YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM, in `tz`."""
    text = text.strip()
    for pattern, fmt in _FORMS:
        if pattern.match(text):
            try:
                naive = datetime.strptime(text.replace(" ", "T"), fmt)
            except ValueError:
                raise PeriodError(f"{text!r} is not a date of the calendar") from None
            return naive.replace(tzinfo=tz)
    raise PeriodError(f"{text!r} is not a date: write YYYY-MM-DD or YYYY-MM-DDTHH:MM")


def next_month(d: datetime) -> datetime:
    return d.replace(year=d.year + d.month // 12, month=d.month % 12 + 1)


def make_period(
    start: str | None, end: str | None, month: str | None, tz_name: str, now: float
) -> Period:
    """--month YYYY-MM, or --from and --to (--to excluded: `--to 2025-12-01` ends with the
    last minute of November). An end in the future is clipped to the end of the last whole
    minute whose scrapes are in (SETTLE_S)."""
    tz = zone(tz_name)
    if month is not None:
        if start is not None or end is not None:
            raise PeriodError("give --month or --from/--to, not both")
        if not re.match(r"^\d{4}-\d{2}$", month.strip()):
            raise PeriodError(f"--month {month!r}: write YYYY-MM")
        first = parse_when(month, tz)
        begin, finish, label = first, next_month(first), month.strip()
    else:
        if start is None or end is None:
            raise PeriodError("give both --from and --to, or --month")
        begin, finish = parse_when(start, tz), parse_when(end, tz)
        if re.match(r"^\d{4}-\d{2}$", end.strip()):
            finish = next_month(finish)  # --to 2025-11: through the end of November
        label = f"{start.strip()} – {end.strip()}"
    a, b = _minute(begin), _minute(finish)
    if b <= a:
        raise PeriodError("the period is empty: --to must come after --from")
    if b - a > MAX_DAYS * 86400:
        raise PeriodError(f"the period is longer than {MAX_DAYS} days: ask for less")
    settled = (int(now) - SETTLE_S) // 60 * 60
    if a >= settled:
        raise PeriodError("the period starts in the future")
    clipped = b > settled
    return Period(a, min(b, settled), tz_name, label, clipped)


def _minute(d: datetime) -> int:
    # Time zones' offsets are whole minutes since the 1970s; round anything else down.
    return int(d.timestamp()) // 60 * 60


__all__ = [
    "EXAMPLE",
    "EXAMPLE_TZ",
    "PeriodError",
    "make_period",
    "parse_when",
    "zone",
]
