"""Graphviz DOT: a drawing per report, for people (`svg` lays it out with graphviz).

- topology: the overview (`dot_overview`), or with a page one district (`dot_district`);
- spof, links, drift: their own pictures (`dot_views`);
- coverage has no drawing: its numbers are the overview's district boxes.

A page is a district id (its first page) or `ID.N` (page N of a district that takes several).
"""

from __future__ import annotations

from netmon.export.report import dot_district, dot_overview, dot_views
from netmon.export.report.views import View
from netmon.model.snapshot import Snapshot


def parse_page(page: str) -> tuple[str, int]:
    """'hue' -> ('hue', 1); 'hue.2' -> ('hue', 2); ValueError otherwise."""
    group, _, number = page.partition(".")
    if number and not (number.isdigit() and int(number) >= 1):
        raise ValueError(f"page {page!r}: expected DISTRICT or DISTRICT.N (N from 1)")
    return group, int(number or 1)


def pages(snapshot: Snapshot) -> list[str]:
    """Every district page, in the overview's order: 'hue', 'hue.2', ..., 'phu-vang'."""
    out = []
    for g in dot_overview.Overview(snapshot).shape.group_order:
        for n in range(1, dot_district.district_pages(snapshot, g) + 1):
            out.append(g if n == 1 else f"{g}.{n}")
    return out


def render(snapshot: Snapshot, view: View, page: str | None = None) -> str:
    if page is not None:
        if view != "topology":
            raise ValueError(f"report {view} has one page; district pages are topology's")
        group, number = parse_page(page)
        return dot_district.district(snapshot, group, number)
    if view == "spof":
        return dot_views.spof(snapshot)
    if view == "links":
        return dot_views.links(snapshot)
    if view == "drift":
        return dot_views.drift(snapshot)
    if view == "topology":
        return dot_overview.overview(snapshot)
    raise ValueError(f"report {view} has no drawing (choose table or json)")
