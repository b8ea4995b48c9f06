"""One row per agency, for a spreadsheet (the outage list is in -o json and -o html)."""

from __future__ import annotations

import csv
import io

from netmon.export.report.availability.text import pct_value
from netmon.model.availability import AvailabilityReport

COLUMNS = (
    "agency",
    "name",
    "level",
    "group",
    "availability_percent",
    "known_s",
    "down_s",
    "unknown_s",
    "outages",
    "longest_outage_s",
    "below_threshold",
)


def render(r: AvailabilityReport) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    below = {a.id for a in r.below()}
    for a in r.agencies:
        f = a.figures
        pct = pct_value(f)
        w.writerow(
            (
                a.id,
                a.name,
                a.level,
                a.group,
                "" if pct is None else f"{pct:.6f}",
                f"{f.known_s:.0f}",
                f"{f.down_s:.0f}",
                f"{f.unknown_s:.0f}",
                len(a.outages),
                max((o.duration_s for o in a.outages), default=0),
                "yes" if a.id in below else "no",
            )
        )
    return out.getvalue()
