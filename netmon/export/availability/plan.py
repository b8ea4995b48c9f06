"""Which stretches of a period the hourly recorded series cover, and which need raw samples.

The hourly group runs at an offset of Prometheus' choosing, so its hours are whole minutes
but not o'clock; it may have been installed mid-month, moved to another file (a new offset),
or missed evaluations. The report therefore reads the group's heartbeat, takes the recorded
hours that fit in the period without overlapping, and computes every other stretch (the
period's first and last hour at least) from raw samples at minute resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

from netmon.export.availability.promql import hour_of

# A raw-sample query covers at most this much: 1,440 minute steps per series keeps each
# answer far below Prometheus' --query.max-samples (50 M by default) for thousands of series.
RAW_CHUNK_S = 86400


@dataclass(frozen=True)
class Run:
    """Consecutive recorded hours that tile [start, end) without a gap: one query sums them,
    with a range from the first stamp to the last."""

    first: float
    last: float
    start: int
    end: int


def plan_hours(
    stamps: list[float], start: int, end: int
) -> tuple[list[Run], list[tuple[int, int]]]:
    """Runs of recorded hours inside [start, end), and the gaps between them."""
    runs: list[Run] = []
    cursor = start
    current: Run | None = None
    for t in sorted(set(stamps)):
        a, b = hour_of(t)
        if a < cursor or b > end:
            if current is not None and a < current.end:  # overlaps the run: break it
                runs.append(current)
                current = None
            continue
        if current is not None and a == current.end:
            current = Run(current.first, t, current.start, b)
        else:
            if current is not None:
                runs.append(current)
            current = Run(t, t, a, b)
        cursor = b
    if current is not None:
        runs.append(current)
    return runs, gaps_between([(r.start, r.end) for r in runs], start, end)


def gaps_between(covered: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) less the sorted, disjoint `covered` intervals."""
    out: list[tuple[int, int]] = []
    cursor = start
    for a, b in sorted(covered):
        if a > cursor:
            out.append((cursor, a))
        cursor = max(cursor, b)
    if cursor < end:
        out.append((cursor, end))
    return out


def chunks(spans: list[tuple[int, int]], size: int = RAW_CHUNK_S) -> list[tuple[int, int]]:
    """Each span cut into pieces of at most `size` seconds (whole minutes)."""
    out = []
    for a, b in spans:
        while a < b:
            out.append((a, min(b, a + size)))
            a += size
    return out


def minute_gaps(
    covered: set[int], start: int, end: int, join_s: int = 3600
) -> list[tuple[int, int]]:
    """Stretches of [start, end) whose minutes have no recorded sample, those less than
    `join_s` apart joined, so scattered missed evaluations cost one query, not hundreds."""
    spans: list[tuple[int, int]] = []
    for m in range(start, end, 60):
        if m in covered:
            continue
        if spans and m - spans[-1][1] < join_s:
            spans[-1] = (spans[-1][0], m + 60)
        else:
            spans.append((m, m + 60))
    return spans
