"""The report at a terminal (rich): the selection's figures, per service, level and group,
the agencies under the threshold, the longest outages, netmon's own gaps."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table

from netmon.export.report.availability.text import cause_text, flags, minutes, pct, when
from netmon.model.availability import AvailabilityReport, Cell

LONGEST = 10
_RIGHT = {"agencies", "availability %", "down", "unknown", "below", "100 %", "outages", "duration"}


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if c in _RIGHT else "left", overflow="fold")
    for r in rows:
        t.add_row(*(str(x) for x in r))
    return t


def _cells(title: str, cells: Iterable[Cell]) -> Table:
    return _table(
        title,
        (
            "id",
            "name",
            "agencies",
            "availability %",
            "down",
            "unknown",
            "100 %",
            "below",
            "outages",
        ),
        (
            (
                c.id,
                c.name,
                c.agencies,
                pct(c.figures),
                minutes(c.figures.down_s),
                minutes(c.figures.unknown_s),
                c.full,
                c.below,
                c.outages,
            )
            for c in cells
        ),
    )


def tables(r: AvailabilityReport) -> list[Table]:
    tz = r.period.tz
    span = f"{when(r.period.start, tz)} – {when(r.period.end, tz)} {tz}"
    head = f"Availability {r.period.label} ({span})"
    if r.period.clipped:
        head += ", up to now"
    out = [_cells(head, [r.total]), _cells("By service", r.services)]
    out += [_cells("By level", r.levels), _cells("By group", r.groups)]
    out.append(
        _table(
            f"Agencies below {r.threshold:g} %",
            ("agency", "name", "level", "group", "availability %", "down", "outages"),
            (
                (
                    a.id,
                    a.name,
                    a.level,
                    a.group,
                    pct(a.figures),
                    minutes(a.figures.down_s),
                    len(a.outages),
                )
                for a in r.below()
            ),
        )
    )
    out.append(
        _table(
            f"Longest outages ({min(LONGEST, len(r.outages()))} of {len(r.outages())})",
            ("agency", "start", "end", "duration", "cause (as netmon named it)", "note"),
            (
                (
                    o.agency,
                    when(o.start, tz),
                    when(o.end, tz),
                    minutes(o.duration_s),
                    cause_text(o.causes),
                    flags(o),
                )
                for o in r.longest(LONGEST)
            ),
        )
    )
    out.append(
        _table(
            "netmon not watching (unknown, counted neither up nor down)",
            ("instance", "start", "end", "unknown", "what"),
            (
                (
                    g.instance,
                    when(g.start, tz),
                    when(g.end, tz),
                    minutes(g.unknown_s),
                    "netmon did not answer" if g.scraped else "no data in Prometheus",
                )
                for g in r.gaps
                if g.unknown_s >= 60
            ),
        )
    )
    return out


def render(r: AvailabilityReport) -> str:
    width = max(100, shutil.get_terminal_size((140, 24)).columns)
    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, highlight=False, soft_wrap=False)
    for t in tables(r):
        console.print(t)
    s = r.sources
    console.print(
        f"{s.prometheus}: {minutes(s.recorded_s)} from recorded hours, {minutes(s.raw_s)} from "
        f"raw samples; {s.queries} queries, {s.elapsed_s:.2f} s"
    )
    return buf.getvalue()
