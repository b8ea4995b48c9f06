"""The report as JSON (`netmon-availability/1`): every figure in seconds and percent, times as
UTC seconds and as ISO 8601 in the operator's time zone."""

from __future__ import annotations

import json
from typing import Any

from netmon.export.report.availability.text import iso, pct_value
from netmon.model.availability import AvailabilityReport, Cell, Figures, Outage

FORMAT = "netmon-availability/1"


def figures(f: Figures) -> dict[str, Any]:
    return {
        "availability_percent": pct_value(f),
        "period_s": f.period_s,
        "known_s": round(f.known_s, 3),
        "up_s": round(f.up_s, 3),
        "down_s": round(f.down_s, 3),
        "unknown_s": round(f.unknown_s, 3),
    }


def _cell(c: Cell) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "agencies": c.agencies,
        **figures(c.figures),
        "agencies_full": c.full,
        "agencies_below": c.below,
        "outages": c.outages,
    }


def outage(o: Outage, tz: str) -> dict[str, Any]:
    return {
        "agency": o.agency,
        "start": o.start,
        "end": o.end,
        "start_local": iso(o.start, tz),
        "end_local": iso(o.end, tz),
        "duration_s": o.duration_s,
        "down_s": round(o.down_s, 3),
        "unknown_s": round(o.unknown_s, 3),
        "causes": [
            {
                "kind": c.kind,
                "id": c.id,
                "state": c.state,
                "single_homed": c.single_homed,
                "seconds": round(c.seconds, 3),
                "text": c.text(),
            }
            for c in o.causes
        ],
        "began_before_period": o.before,
        "lasted_beyond_period": o.after,
        "may_have_begun_earlier": o.open_start,
        "may_have_lasted_longer": o.open_end,
    }


def document(r: AvailabilityReport) -> dict[str, Any]:
    tz = r.period.tz
    return {
        "format": FORMAT,
        "period": {
            "label": r.period.label,
            "start": r.period.start,
            "end": r.period.end,
            "start_local": iso(r.period.start, tz),
            "end_local": iso(r.period.end, tz),
            "timezone": tz,
            "clipped_to_now": r.period.clipped,
        },
        "generated_at": r.generated_at,
        "selection": {"level": r.level, "group": r.group},
        "threshold_percent": r.threshold,
        "total": _cell(r.total),
        "levels": [_cell(c) for c in r.levels],
        "groups": [_cell(c) for c in r.groups],
        "services": [_cell(c) for c in r.services],
        "agencies": [
            {
                "id": a.id,
                "name": a.name,
                "level": a.level,
                "group": a.group,
                **figures(a.figures),
                "services": {s.service: figures(s.figures) for s in a.services},
                "outages": len(a.outages),
            }
            for a in r.agencies
        ],
        "below_threshold": [a.id for a in r.below()],
        "outages": [outage(o, tz) for o in r.outages()],
        "longest_outages": [outage(o, tz) for o in r.longest()],
        "gaps": [
            {
                "instance": g.instance,
                "start": g.start,
                "end": g.end,
                "start_local": iso(g.start, tz),
                "end_local": iso(g.end, tz),
                "unknown_s": round(g.unknown_s, 3),
                "netmon_scraped_but_silent": g.scraped,
            }
            for g in r.gaps
        ],
        "sources": {
            "prometheus": r.sources.prometheus,
            "recorded_s": r.sources.recorded_s,
            "raw_s": r.sources.raw_s,
            "queries": r.sources.queries,
            "elapsed_s": round(r.sources.elapsed_s, 3),
        },
    }


def render(r: AvailabilityReport) -> str:
    return json.dumps(document(r), ensure_ascii=False, indent=2) + "\n"
