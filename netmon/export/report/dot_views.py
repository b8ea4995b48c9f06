"""The drawings of the spof, links and drift reports: each its own picture, not the topology's.

- spof: the overview's shape, each single point of failure framed amber with the agencies its
  failure would cut off (as designed, and now when polled); the district boxes count the
  agencies that depend on one path. Amber, not red: a design's SPOF is a fact, not an alarm.
- links: the backbone labelled with capacity and state; per district one line of its access
  links (how many, how many down or drifted), never one red line per agency.
- drift: only what LLDP contradicts: declared links not seen, cables not declared, wrong ports.
"""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from netmon.export.report.dot_overview import LinkLook, Overview
from netmon.export.report.drawing import (
    DESIGN,
    LINK_DOWN,
    LINK_DRIFT,
    LINK_OK,
    LINK_SPOF,
    OK,
    POP,
    UNKNOWN,
    WARN,
    Style,
    attrs,
    header,
    legend_html,
    q,
    site_name,
    title,
)
from netmon.model.snapshot import (
    CoverageCount,
    DeviceState,
    Element,
    LinkState,
    Redundancy,
    Snapshot,
)


def _blast(r: Redundancy) -> dict[Element, int]:
    return {b.element: len(b.agencies) for b in r.spofs}


def _mbps(bps: int) -> str:
    return f"{bps / 1e9:g} Gbit/s" if bps >= 1_000_000_000 else f"{bps / 1e6:g} Mbit/s"


class SpofDrawing(Overview):
    what = "điểm lỗi đơn (single points of failure)"
    legend: ClassVar[list[tuple[str, Style]]] = [
        ("Viền vàng ⚠: điểm lỗi đơn, N cơ quan phụ thuộc / SPOF, N agencies", WARN),
        ("Khu vực: có cơ quan chỉ một đường / single-path agencies", WARN),
        ("Khu vực: mọi cơ quan có hai đường / all dual-homed", OK),
        ("PoP, lõi mạng / PoP, core", POP),
    ]

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__(snapshot)
        self.declared = _blast(snapshot.declared)
        self.current = _blast(snapshot.current)
        self.site_size = Counter(d.site for d in self.shape.infra if d.site)

    def element(self, d: DeviceState) -> Element:
        """A device alone at its site fails with its site: the site's figure is its own."""
        if d.site and self.site_size[d.site] == 1:
            return Element("site", d.site)
        return Element("device", d.id)

    def figures(self, element: Element) -> str:
        n = self.declared.get(element, 0)
        if not self.s.probed:
            return f"⚠ điểm lỗi đơn: {n} cơ quan" if n else ""
        m = self.current.get(element, 0)
        return f"⚠ điểm lỗi đơn: {n} cơ quan (thiết kế), {m} (hiện tại)" if n or m else ""

    def device_note(self, d: DeviceState) -> tuple[str, str | None]:
        text = self.figures(self.element(d))
        return (f"\n{text}", WARN.border) if text else ("", None)

    def group_text(self, count: CoverageCount) -> tuple[str, Style]:
        members = self.shape.agencies_by_group.get(count.id, [])
        single = sum(bool(a.spofs_declared) for a in members)
        text = f"{single}/{len(members)} cơ quan chỉ có một đường (thiết kế)"
        if self.s.probed:
            text += f"\n{sum(bool(a.spofs_current) for a in members)} hiện tại (now)"
        return text, WARN if single else OK

    def link_look(self, lk: LinkState) -> LinkLook:
        text = self.figures(Element("link", lk.id))
        if text:
            return LINK_SPOF, "solid", 3.0, text
        return DESIGN.border, "solid", 2.0, ""


class LinksDrawing(Overview):
    what = "đường truyền (links)"
    legend: ClassVar[list[tuple[str, Style]]] = [
        ("Đường hoạt động / link up", Style(OK.fill, LINK_OK)),
        ("Đường mất kết nối / link down", Style("#ffffff", LINK_DOWN)),
        ("Sai lệch so với khai báo / drift", Style("#ffffff", LINK_DRIFT)),
        ("Chưa rõ / unknown", UNKNOWN),
    ]

    def device_note(self, d: DeviceState) -> tuple[str, str | None]:
        return "", None

    def group_text(self, count: CoverageCount) -> tuple[str, Style]:
        cpes = {d for a in self.shape.agencies_by_group.get(count.id, []) for d in a.devices}
        access = [lk for lk in self.s.links if lk.a.device in cpes or lk.b.device in cpes]
        down = sum(lk.status == "down" for lk in access)
        drift = sum(lk.drift is not None for lk in access)
        text = f"{len(access)} đường truy nhập (access links)"
        if self.s.probed:
            text += f"\n{down} mất kết nối, {drift} sai lệch"
        style = DESIGN if not self.s.probed else OK if not down else Style("#f6c4c4", LINK_DOWN)
        return text, style

    def link_look(self, lk: LinkState) -> LinkLook:
        text = f"{_mbps(lk.capacity_bps)}"
        if not self.s.probed:
            return DESIGN.border, "solid", 2.0, text
        if lk.status == "down":
            return LINK_DOWN, "dashed", 3.0, f"✗ {text}, mất kết nối"
        if lk.drift:
            return LINK_DRIFT, "solid", 2.0, f"{text}, {lk.drift}"
        if lk.status == "unknown":
            return UNKNOWN.border, "dotted", 2.0, f"{text}, chưa rõ"
        return LINK_OK, "solid", 2.0, text


DRIFT_VI = {
    "missing": "khai báo nhưng không thấy (missing)",
    "undeclared": "có cáp nhưng chưa khai báo (undeclared)",
    "wrong_port": "sai cổng (wrong port)",
    "unknown_neighbour": "thiết bị lạ (unknown neighbour)",
}


def drift(snapshot: Snapshot) -> str:
    """Only the devices LLDP contradicts the inventory about, and how."""
    lines = header(
        title(
            snapshot,
            "sai lệch giữa LLDP và khai báo (drift)",
            snapshot.coverage.total.reachable,
            snapshot.coverage.total.total,
        ),
        rankdir="LR",
    )
    nodes: dict[str, None] = {}

    def node(device: str) -> str:
        nodes.setdefault(device, None)
        return q("device:" + device)

    edges = []
    for i, d in enumerate(snapshot.drift):
        what = DRIFT_VI[d.kind]
        if d.kind == "unknown_neighbour" and d.seen:
            edges.append(
                f"  {node(d.seen[0].device)} -> {q(f'unknown:{i}')} "
                + attrs(color=LINK_DRIFT, style="dotted", label=f"{d.seen[0].interface}: {what}")
            )
            lines.append(f"  {q(f'unknown:{i}')} " + attrs(label=d.remote or "?", fillcolor="#fff"))
            continue
        for ends, style, colour in (
            (d.declared, "dashed", "#999999"),
            (d.seen, "bold", LINK_DRIFT),
        ):
            if len(ends) == 2:
                label = f"{d.link or ''} {what}: {ends[0].interface} – {ends[1].interface}"
                edges.append(
                    f"  {node(ends[0].device)} -> {node(ends[1].device)} "
                    + attrs(color=colour, style=style, label=label.strip(), fontcolor=colour)
                )
    for device in nodes:
        lines.append(
            f"  {q('device:' + device)} "
            + attrs(label=f"{site_name(snapshot, device)}\n{device}", fillcolor=POP.fill)
        )
    lines += edges
    if not snapshot.drift:
        text = (
            "Không có sai lệch giữa LLDP và khai báo (no drift)"
            if snapshot.probed
            else "Chưa thăm dò: chưa đọc LLDP (no poll: LLDP not read)"
        )
        lines.append(f"  {q('none')} " + attrs(label=text, fillcolor=OK.fill))
    rows = [
        ("Nét đứt xám: khai báo / dashed grey: declared", DESIGN),
        ("Nét đậm tím: LLDP thấy / bold purple: seen by LLDP", Style("#ffffff", LINK_DRIFT)),
    ]
    lines.append(f"  {q('legend')} " + legend_html(rows))
    lines.append("}")
    return "\n".join(lines) + "\n"


def spof(snapshot: Snapshot) -> str:
    return SpofDrawing(snapshot).draw()


def links(snapshot: Snapshot) -> str:
    return LinksDrawing(snapshot).draw()
