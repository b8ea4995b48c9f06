"""A district's pages: its PoPs, then its agencies in a grid per administrative level.

Cut-off agencies come first with their cause (the cause most of them share is said once, in
the title); a dual-homed agency has a double border; the PoPs of other districts that back up
this district's agencies are shown too. Laid out by graphviz `osage` (arrays of boxes) and
sized to print on A3 landscape at 100 % (fonts of 8.5 pt and more): a district with more than
PAGE_AGENCIES agencies is split into pages of equal size that link to each other.
"""

from __future__ import annotations

from collections import Counter

from netmon.export.report.dot_overview import page_href
from netmon.export.report.drawing import (
    CLUSTER_PT,
    CUT,
    DESIGN,
    DOWN,
    ISOLATED,
    LINK_DOWN,
    OK,
    Style,
    attrs,
    cause_counts,
    cause_text,
    device_style,
    header,
    legend_html,
    q,
    site_name,
    title,
    wrap,
)
from netmon.export.report.regions import Shape
from netmon.model.snapshot import AgencyState, CoverageCount, Element, Snapshot

# A district page prints on A3 landscape at 100 %: 6 columns of boxes 2.2 in wide, about
# 10 rows of two-line names; a larger district is split into pages of equal size.
AGENCY_WIDTH_IN = 2.2
COLUMNS = 6
PAGE_AGENCIES = 54

PAGE_LEGEND: list[tuple[str, Style]] = [
    ("Cơ quan kết nối / agency reachable", OK),
    ("Cơ quan mất kết nối / agency cut off", CUT),
    ("Viền đôi: hai đường / double border: two paths", OK),
    ("PoP bị cô lập / PoP isolated", ISOLATED),
    ("Thiết bị mất kết nối / device down", DOWN),
    ("Thiết kế khai báo / declared design", DESIGN),
]


class DistrictPage:
    """One printed page of a district: PoPs on top, then its agencies by level."""

    def __init__(self, snapshot: Snapshot, group: str, page: int) -> None:
        self.s = snapshot
        self.group = group
        self.page = page
        self.shape = Shape.of(snapshot)
        self.causes = cause_counts(snapshot)
        agencies = sorted(
            self.shape.agencies_by_group.get(group, []),
            key=lambda a: (self.level_rank(a.level), a.reachable, a.name),
        )
        self.pages = _pages(len(agencies))
        if not 1 <= page <= self.pages:
            raise ValueError(f"district {group!r} has {self.pages} page(s), not {page}")
        size = -(-len(agencies) // self.pages)
        self.agencies = agencies[(page - 1) * size : page * size]
        # The cause most agencies of the district share is said once, in the title.
        shared = Counter(a.causes for a in agencies if not a.reachable and a.causes)
        self.shared = shared.most_common(1)[0][0] if shared else ()

    def level_rank(self, level: str) -> int:
        return next((i for i, lv in enumerate(self.s.levels) if lv.id == level), 99)

    def agency(self, a: AgencyState, order: int) -> str:
        text = wrap(a.name)
        style = DESIGN if not self.s.probed else OK if a.reachable else CUT
        if self.s.probed and not a.reachable and a.causes != self.shared:
            why = "; ".join(cause_text(self.s, c) for c in a.causes) or "không có đường khai báo"
            text += "\n✗ " + wrap(why, lines=2)
        return f"    {q('agency:' + a.id)} " + attrs(
            label=text,
            fillcolor=style.fill,
            color=style.border,
            penwidth=2 if self.s.probed and not a.reachable else 1,
            peripheries=1 if a.spofs_declared else 2,  # two paths by design: double border
            width=AGENCY_WIDTH_IN,
            sortv=order,
            tooltip=f"{a.id} ({a.level})",
        )

    def heading(self, g_name: str, count: CoverageCount) -> str:
        text = title(self.s, g_name, count.reachable, count.total)
        if self.pages > 1:
            text += f" — trang {self.page}/{self.pages} (page)"
        if self.s.probed and self.shared:
            n = sum(1 for a in self.shape.agencies_by_group[self.group] if a.causes == self.shared)
            why = "; ".join(cause_text(self.s, c) for c in self.shared)
            text += f"\n✗ {n} cơ quan mất kết nối do {why} (cause)"
        return text

    def draw(self) -> str:
        s = self.s
        g = next(x for x in s.groups if x.id == self.group)
        count = next(
            (c for c in s.coverage.by_group if c.id == g.id), CoverageCount(g.id, g.name, 0, 0)
        )
        lines = header(
            self.heading(g.name, count),
            kind="graph",
            layout="osage",
            pack=6,
            packmode="array_u1",  # the clusters in one column, in sortv order
        )
        lines += self.pops(self.backups())
        levels = {lv.id: lv.name for lv in s.levels}
        for i, lv in enumerate(levels, start=1):
            members = [a for a in self.agencies if a.level == lv]
            if not members:
                continue
            everyone = [a for a in self.shape.agencies_by_group[g.id] if a.level == lv]
            up = sum(a.reachable for a in everyone)
            head = levels[lv] + (f" — {up}/{len(everyone)}" if s.probed else f" — {len(everyone)}")
            lines += [
                f"  subgraph cluster_{i} {{",
                "    graph "
                + attrs(
                    label=head,
                    fontsize=CLUSTER_PT,
                    style="rounded",
                    sortv=i,
                    color="#888888",
                    packmode=f"array_u{COLUMNS}",
                ),
            ]
            lines += [self.agency(a, k) for k, a in enumerate(members)]
            lines.append("  }")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def backups(self) -> list[str]:
        """PoPs of other districts that this district's agencies are cabled to."""
        mine = set(self.shape.pops.get(self.group, []))
        cpes = {d for a in self.shape.agencies_by_group.get(self.group, []) for d in a.devices}
        out = set()
        for cpe in cpes:
            for other in self.shape.cabled.get(cpe, ()):
                peer = self.s.device_by_id.get(other)
                if peer and peer.agency is None and peer.id not in mine:
                    out.add(peer.id)
        return sorted(out)

    def pops(self, backups: list[str]) -> list[str]:
        s = self.s
        lines = [
            "  subgraph cluster_0 {",
            "    graph "
            + attrs(
                label="PoP",
                fontsize=CLUSTER_PT,
                style="rounded",
                sortv=0,
                color="#888888",
                packmode=f"array_u{COLUMNS}",
            ),
        ]
        for k, p in enumerate([*self.shape.pops.get(self.group, []), *backups]):
            style, state = device_style(s, s.device_by_id[p])
            n = self.causes.get(Element("device", p), 0)
            text = f"{site_name(s, p)}\n{p}" + (f"\n{state}" if state else "")
            if p in backups:
                text += "\n(dự phòng / backup)"
            if n:
                text += f"\n✗ nguyên nhân: {n} cơ quan"
            lines.append(
                f"    {q('device:' + p)} "
                + attrs(
                    label=text,
                    fillcolor=style.fill,
                    color=LINK_DOWN if n else style.border,
                    penwidth=3 if n else 1,
                    width=AGENCY_WIDTH_IN,
                    sortv=k,
                )
            )
        nav = [("← Tổng quan (overview)", "../topology.svg")]
        if self.page > 1:
            nav.append((f"← trang {self.page - 1}", page_href(self.group, self.page - 1, "")))
        if self.page < self.pages:
            nav.append((f"trang {self.page + 1} →", page_href(self.group, self.page + 1, "")))
        for j, (text, href) in enumerate(nav):
            lines.append(
                f"    {q(f'nav:{j}')} "
                + attrs(label=text, URL=href, fillcolor="#ffffff", width=1.6, sortv=90 + j)
            )
        lines.append(f"    {q('legend')} " + legend_html(PAGE_LEGEND) + " [sortv=99]")
        lines.append("  }")
        return lines


def district_pages(snapshot: Snapshot, group: str) -> int:
    """How many printed pages the district takes (PAGE_AGENCIES agencies a page)."""
    return _pages(len(Shape.of(snapshot).agencies_by_group.get(group, ())))


def _pages(agencies: int) -> int:
    return max(1, -(-agencies // PAGE_AGENCIES))


def district(snapshot: Snapshot, group: str, page: int = 1) -> str:
    """Page `page` (1-based) of a district; ValueError names the districts or pages there are."""
    if group not in {g.id for g in snapshot.groups}:
        known = ", ".join(g.id for g in snapshot.groups)
        raise ValueError(f"no district {group!r} (known: {known})")
    return DistrictPage(snapshot, group, page).draw()
