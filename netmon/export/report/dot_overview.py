"""The overview drawing: the network at a glance, one box per district, legible on one page.

Left to right: the upstream services, the core, then one box per district holding its PoP and a
summary node; the backbone links between them. Agencies are not drawn one by one (467 boxes
shrunk to a screen are unreadable): each district box links to its own pages
(`dot_district`). Districts are ordered along the backbone, so ring links stay short. At
national size (more than OVERVIEW_GROUPS districts) a region (a province) is one box.

`Overview` says what the topology report shows (state, and the cause of each cut-off); the
spof and links reports subclass it and change what the boxes and lines say (`dot_views`).
"""

from __future__ import annotations

from typing import ClassVar

from netmon.export.report.drawing import (
    CLUSTER_PT,
    CORE,
    CUT,
    DESIGN,
    DOWN,
    ISOLATED,
    LINK_DOWN,
    LINK_OK,
    OK,
    POP,
    STATE_VI,
    Style,
    attrs,
    cause_counts,
    device_style,
    header,
    legend_html,
    q,
    site_name,
    title,
    wrap,
)
from netmon.export.report.regions import Shape
from netmon.model.snapshot import CoverageCount, DeviceState, Element, LinkState, Snapshot

# Above this many districts the overview draws regions (provinces), not districts.
OVERVIEW_GROUPS = 40


def page_href(group: str, page: int = 1, folder: str = "topology/") -> str:
    """A district page relative to the overview (`/topology.svg` or DIR/topology.svg), or,
    with folder="", to another page of the same folder."""
    return f"{folder}{group}.svg" if page == 1 else f"{folder}{group}.{page}.svg"


def share_style(snapshot: Snapshot, count: CoverageCount) -> Style:
    if not snapshot.probed:
        return DESIGN
    if count.cut_off == 0:
        return OK
    return CUT if count.reachable < count.total / 2 else ISOLATED


# (colour, style, pen width, label) of a line
LinkLook = tuple[str, str, float, str]


class Overview:
    what = "tổng quan (overview)"
    legend: ClassVar[list[tuple[str, Style]]] = [
        ("Lõi mạng / core", CORE),
        ("PoP hoạt động / PoP up", POP),
        ("PoP bị cô lập / isolated (answers, no path to the core)", ISOLATED),
        ("Thiết bị mất kết nối / device down", DOWN),
        ("Khu vực: mọi cơ quan kết nối / district: all reachable", OK),
        ("Khu vực: một phần mất kết nối / some agencies cut off", ISOLATED),
        ("Khu vực: quá nửa mất kết nối / most agencies cut off", CUT),
        ("Viền đỏ ✗: nguyên nhân / red frame ✗: the cause", Style(POP.fill, LINK_DOWN)),
        ("Thiết kế khai báo, chưa thăm dò / declared design", DESIGN),
    ]

    def __init__(self, snapshot: Snapshot) -> None:
        self.s = snapshot
        self.shape = Shape.of(snapshot)
        self.causes = cause_counts(snapshot)
        self.lines: list[str] = []

    # --- what the boxes and lines say: the hooks subclasses change -------------------------

    def device_note(self, d: DeviceState) -> tuple[str, str | None]:
        """(extra label lines, frame colour or None) of a core or PoP device."""
        n = self.causes.get(Element("device", d.id), 0)
        if n:
            return f"\n✗ nguyên nhân: {n} cơ quan mất kết nối", LINK_DOWN
        return "", None

    def group_text(self, count: CoverageCount) -> tuple[str, Style]:
        style = share_style(self.s, count)
        if not self.s.probed:
            return f"{count.total} cơ quan", style
        text = f"{count.reachable}/{count.total} cơ quan kết nối"
        if count.cut_off:
            text += f"\n✗ {count.cut_off} {STATE_VI['cut']}"
        return text, style

    def link_look(self, lk: LinkState) -> LinkLook:
        if not self.s.probed:
            return DESIGN.border, "solid", 2.0, ""
        if lk.status == "down":
            n = self.causes.get(Element("link", lk.id), 0)
            return LINK_DOWN, "dashed", 3.0, f"✗ {lk.id}" + (f": {n} cơ quan" if n else "")
        return LINK_OK, "solid", 2.0, ""

    # --- the drawing --------------------------------------------------------------------------

    def device(self, device: str, indent: str) -> None:
        d = self.s.device_by_id[device]
        style, state = device_style(self.s, d)
        note, frame = self.device_note(d)
        text = f"{site_name(self.s, d.id)}\n{d.id}" + (f"\n{state}" if state else "") + note
        self.lines.append(
            f"{indent}{q('device:' + device)} "
            + attrs(
                label=text,
                fillcolor=style.fill,
                color=frame or style.border,
                penwidth=3 if frame else 1,
                tooltip=f"{d.id} ({d.role}, {d.status})",
            )
        )

    def group_box(self, i: int, count: CoverageCount, pops: list[str]) -> None:
        text, style = self.group_text(count)
        self.lines += [
            f"  subgraph cluster_g{i} {{",
            "    graph "
            + attrs(
                label=count.name,
                fontsize=CLUSTER_PT,
                style="rounded",
                color=style.border,
                penwidth=2 if style in (CUT, ISOLATED) else 1,
                URL=page_href(count.id),
                tooltip=f"{count.name} ({count.id})",
            ),
        ]
        for p in pops:
            self.device(p, "    ")
        node = f"group:{count.id}"
        self.lines.append(
            f"    {q(node)} "
            + attrs(
                label=text + "\n→ xem chi tiết (details)",
                fillcolor=style.fill,
                color=style.border,
                URL=page_href(count.id),
                tooltip=f"{count.name}: {count.reachable}/{count.total}",
            )
        )
        self.lines.append("  }")
        for p in pops:
            self.lines.append(f"  {q('device:' + p)} -> {q(node)} " + attrs(color="#aaaaaa"))
        # Layout only: every district in the column right of the core.
        for core in self.shape.cores[:1]:
            for target in [f"device:{p}" for p in pops] or [node]:
                self.lines.append(f"  {q('device:' + core)} -> {q(target)} [style=invis]")

    def draw(self) -> str:
        s, c = self.s, self.s.coverage.total
        self.lines = header(
            title(s, self.what, c.reachable, c.total),
            rankdir="LR",
            nodesep=0.12,
            ranksep=0.5,
            newrank="true",
            forcelabels="true",
        )
        self.lines.append("  subgraph cluster_core {")
        self.lines.append(
            "    graph " + attrs(label="Lõi mạng (core)", fontsize=CLUSTER_PT, style="rounded")
        )
        for core in self.shape.cores:
            self.device(core, "    ")
        self.lines.append("  }")
        self.services()
        counts = {g.id: g for g in s.coverage.by_group}
        if len(s.groups) > OVERVIEW_GROUPS and self.shape.regions:
            self.regions(counts)
        else:
            names = {g.id: g.name for g in s.groups}
            for i, g in enumerate(self.shape.group_order):
                count = counts.get(g, CoverageCount(g, names[g], 0, 0))
                self.group_box(i, count, self.shape.pops.get(g, []))
            self.backbone()
        self.lines.append(f"  {q('legend')} " + legend_html(self.legend))
        self.lines.append("}")
        return "\n".join(self.lines) + "\n"

    def services(self) -> None:
        served = {sv.id: sv for sv in self.s.coverage.by_service}
        for service in self.s.services:
            count = served.get(service.id)
            text = service.name
            if count and self.s.probed:
                text += f"\n{count.reachable}/{count.total}"
            style = share_style(self.s, count) if count else DESIGN
            self.lines.append(
                f"  {q('service:' + service.id)} "
                + attrs(label=wrap(text), fillcolor=style.fill, color=style.border)
            )
            for dev in service.devices:
                self.lines.append(
                    f"  {q('service:' + service.id)} -> {q('device:' + dev)} "
                    + attrs(color="#aaaaaa", style="dotted")
                )

    def backbone(self) -> None:
        infra = {d.id for d in self.shape.infra}
        for lk in self.s.links:
            if lk.a.device not in infra or lk.b.device not in infra:
                continue
            colour, style, width, text = self.link_look(lk)
            self.lines.append(
                f"  {q('device:' + lk.a.device)} -> {q('device:' + lk.b.device)} "
                + attrs(
                    color=colour,
                    style=style,
                    penwidth=width,
                    xlabel=text or None,
                    fontcolor=colour,
                    tooltip=f"{lk.id} ({lk.kind}, {lk.status})",
                    constraint="false",
                )
            )

    def regions(self, counts: dict[str, CoverageCount]) -> None:
        """National size: one box per region, its districts summed."""
        for i, region in enumerate(self.shape.regions):
            rows = [counts[g] for g in region.groups if g in counts]
            total = CoverageCount(
                region.id, region.name, sum(r.total for r in rows), sum(r.reachable for r in rows)
            )
            style = share_style(self.s, total)
            text = f"{region.name}\n{len(region.groups)} khu vực (districts)\n" + (
                f"{total.reachable}/{total.total} cơ quan kết nối"
                if self.s.probed
                else f"{total.total} cơ quan"
            )
            self.lines.append(
                f"  {q(f'region:{i}')} "
                + attrs(label=text, fillcolor=style.fill, color=style.border, tooltip=region.id)
            )
            if self.shape.cores:
                self.lines.append(
                    f"  {q('device:' + self.shape.cores[0])} -> {q(f'region:{i}')} "
                    + attrs(color="#aaaaaa")
                )


def overview(snapshot: Snapshot) -> str:
    return Overview(snapshot).draw()
