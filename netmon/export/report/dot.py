"""Graphviz DOT of the topology, drawn for people: readable at 467 agencies.

Layout (left to right): the core, then one box per district (group) holding its PoP and its
agencies in a grid of columns, so the picture is about as tall as it is wide instead of one
467-node column. An agency inside a district box hangs from that district's PoP; healthy access
links are not drawn (467 lines fanning out, plus the backup links criss-crossing between
districts, is the hairball this avoids): a dual-homed agency has a double border and names its
backup PoP. Drawn are the backbone and every link that is down, drifted or undeclared. Colour
by state; single points of failure and cut-off agencies marked.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime

from netmon.export.report.views import View
from netmon.model.snapshot import AgencyState, CoverageCount, Element, LinkState, Snapshot

FONT = "DejaVu Sans"  # has the Vietnamese glyphs; installed with fonts-dejavu-core
# Node height over width as drawn, used to size the district grids into a square picture.
NODE_ASPECT = 0.18

OK, CUT, DOWN, ISOLATED, CORE, POP = (
    "#d7f0d4",
    "#f6c4c4",
    "#e06666",
    "#f6b26b",
    "#9fc5e8",
    "#cfe2f3",
)


def q(text: str) -> str:
    """A DOT double-quoted string (labels may hold any Vietnamese text)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**kw: object) -> str:
    return "[" + ", ".join(f"{k}={q(str(v))}" for k, v in kw.items() if v is not None) + "]"


class _Drawing:
    def __init__(self, snapshot: Snapshot, view: View) -> None:
        self.s = snapshot
        self.view = view
        self.lines: list[str] = []
        self.spof = {b.element: len(b.agencies) for b in snapshot.current.spofs}
        self.group_of_site = {site.id: site.group for site in snapshot.sites}
        self.site_size: dict[str, int] = defaultdict(int)
        for d in snapshot.devices:
            if d.site:
                self.site_size[d.site] += 1
        self.agency_node: dict[str, str] = {}  # device id -> node id, for CPEs
        for a in snapshot.agencies:
            for cpe in a.devices:
                self.agency_node[cpe] = f"agency:{a.id}"
        self.uplinks: dict[str, list[str]] = defaultdict(list)
        for lk in snapshot.links:
            up = self.uplink(lk)
            if up:
                self.uplinks[up[0]].append(up[1])

    def node_of(self, device: str) -> str:
        return self.agency_node.get(device, f"device:{device}")

    def blast(self, device: str) -> int:
        """The agencies this device's failure cuts off: its site's figure when it is the
        site's only device (a core site with two devices is not one device's blast)."""
        dev = self.s.device_by_id[device]
        alone = dev.site is not None and self.site_size[dev.site] == 1
        if alone and dev.site is not None:
            return self.spof.get(Element("site", dev.site), 0)
        return self.spof.get(Element("device", device), 0)

    def device(self, device: str, indent: str) -> None:
        d = self.s.device_by_id[device]
        site = next((x for x in self.s.sites if x.id == d.site), None)
        text = f"{site.name if site else d.id}\n{d.id}"
        fill = CORE if d.role == "core" else POP
        if d.status == "down":
            fill, text = DOWN, text + "\n✗ down / mất kết nối"
        elif d.status == "unreachable" and any(c.id != d.id for c in d.causes):
            behind = ", ".join(c.id for c in d.causes)
            fill, text = ISOLATED, text + f"\n? unreachable behind / sau {behind}"
        elif not d.reachable:
            fill, text = ISOLATED, text + "\n✗ isolated / bị cô lập"
        n = self.blast(device)
        if n:
            text += f"\n⚠ SPOF: {n} agencies / cơ quan"
        self.lines.append(
            indent
            + q(f"device:{device}")
            + " "
            + _attrs(
                label=text,
                fillcolor=fill,
                shape="box",
                style="filled,bold" if n else "filled",
                color="#cc0000" if n else "#555555",
                penwidth=3 if n else 1,
                tooltip=d.id,
            )
        )

    def agency(self, a: AgencyState, indent: str) -> None:
        text, fill = a.name, OK
        backups = [
            self.site_name(p)
            for p in self.uplinks.get(a.id, ())
            if self.group_of_site.get(self.s.device_by_id[p].site or "") != a.group
        ]
        if backups:
            text += "\n⇄ " + ", ".join(backups)
        if not a.reachable:
            fill = CUT
            why = ", ".join(c.id for c in a.causes) or "no declared path"
            text += f"\n✗ {why}"
        self.lines.append(
            indent
            + q(f"agency:{a.id}")
            + " "
            + _attrs(
                label=text,
                fillcolor=fill,
                color="#cc0000" if not a.reachable else "#6a9f5e",
                penwidth=2 if not a.reachable else 1,
                peripheries=1 if a.single_path or not a.reachable else 2,
                tooltip=f"{a.id} ({a.level}, {a.group})",
            )
        )

    def site_name(self, device: str) -> str:
        site = self.s.device_by_id[device].site
        return next((x.name for x in self.s.sites if x.id == site), device)

    def uplink(self, lk: LinkState) -> tuple[str, str] | None:
        """(agency, PoP device) when the link joins an agency's CPE to MetroNet."""
        ends = [lk.a.device, lk.b.device]
        cpe = [e for e in ends if e in self.agency_node]
        if len(cpe) != 1:
            return None
        pop = ends[1 - ends.index(cpe[0])]
        return self.agency_node[cpe[0]].split(":", 1)[1], pop

    def implied(self, lk: LinkState) -> bool:
        """A healthy access link: the agency's box (and its ⇄ line) already says it."""
        if lk.status == "down" or lk.drift or lk.kind != "access":
            return False
        return self.uplink(lk) is not None

    def link(self, lk: LinkState) -> None:
        if self.implied(lk):
            return
        colour, style, width, text = "#777777", "solid", 1.0, ""
        if lk.kind != "access":
            colour, width = "#3d6fb6", 2.0
        if self.spof.get(Element("link", lk.id)):
            colour, width = "#e69138", 3.0
            text = f"⚠ {self.spof[Element('link', lk.id)]}"
        if lk.drift:
            colour, text = "#8e44ad", f"{lk.drift}"
        if lk.status == "down":
            colour, style, width, text = "#cc0000", "dashed", 2.5, "✗ down"
        self.lines.append(
            f"  {q(self.node_of(lk.a.device))} -> {q(self.node_of(lk.b.device))} "
            + _attrs(
                color=colour,
                style=style,
                penwidth=width,
                label=text or None,
                fontcolor=colour,
                tooltip=lk.id,
                constraint="false",
            )
        )

    def draw(self) -> str:
        s = self.s
        c = s.coverage.total
        when = datetime.fromtimestamp(s.at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        mode = "live" if s.probed else "declared design / thiết kế khai báo"
        title = (
            f"{s.inventory} — {c.reachable}/{c.total} cơ quan kết nối (agencies reachable)"
            f" — {mode} — {when}"
        )
        self.lines += [
            "digraph netmon {",
            "  "
            + "graph "
            + _attrs(
                label=title,
                labelloc="t",
                fontsize=22,
                rankdir="LR",
                newrank="true",
                nodesep=0.06,
                ranksep=0.35,
                fontname=FONT,
                tooltip=s.inventory,
            ),
            "  node "
            + _attrs(
                fontname=FONT,
                fontsize=10,
                shape="box",
                style="rounded,filled",
                height=0.3,
                margin="0.06,0.02",
            ),
            "  edge " + _attrs(fontname=FONT, fontsize=9, dir="none", arrowhead="none"),
        ]
        by_group: dict[str | None, list[AgencyState]] = defaultdict(list)
        for a in s.agencies:
            by_group[a.group].append(a)
        pops: dict[str | None, list[str]] = defaultdict(list)
        cores = []
        for d in s.devices:
            if d.agency:
                continue
            if d.role == "core" or self.group_of_site.get(d.site or "") is None:
                cores.append(d.id)
            else:
                pops[self.group_of_site.get(d.site or "")].append(d.id)
        for core in cores:
            self.device(core, "  ")
        columns = max(1, math.ceil(math.sqrt(len(s.agencies) * NODE_ASPECT)))
        coverage = {c.id: c for c in s.coverage.by_group}
        for i, g in enumerate(s.groups):
            count = coverage.get(g.id, CoverageCount(g.id, g.name, 0, 0))
            self._cluster(i, count, pops.get(g.id, []), by_group.get(g.id, []), cores, columns)
        for lk in s.links:
            self.link(lk)
        for seen in s.discovered:
            self.lines.append(
                f"  {q(self.node_of(seen.a.device))} -> "
                f"{q(self.node_of(seen.b.device))} "
                + _attrs(
                    color="#8e44ad",
                    style="dotted",
                    penwidth=2,
                    label="undeclared",
                    fontcolor="#8e44ad",
                    constraint="false",
                )
            )
        self._legend()
        self.lines.append("}")
        return "\n".join(self.lines) + "\n"

    def _cluster(
        self,
        i: int,
        group: CoverageCount,
        pops: list[str],
        agencies: list[AgencyState],
        cores: list[str],
        columns: int,
    ) -> None:
        """One box per group, labelled with the group's coverage as the Snapshot counted it."""
        self.lines.append(f"  subgraph cluster_{i} {{")
        self.lines.append(
            "    graph "
            + _attrs(
                label=f"{group.name} — {group.reachable}/{group.total}",
                fontsize=14,
                style="rounded",
                color="#cc0000" if group.cut_off else "#888888",
                tooltip=group.id,
            )
        )
        for p in pops:
            self.device(p, "    ")
        for a in agencies:
            self.agency(a, "    ")
        # Invisible edges only shape the layout: core -> PoP -> first column -> next column.
        heads = [f"device:{p}" for p in pops] or [f"device:{c}" for c in cores[:1]]
        rows = max(1, math.ceil(len(agencies) / columns))
        nodes = [f"agency:{a.id}" for a in agencies]
        for j, n in enumerate(nodes):
            src = heads[0] if j < rows else nodes[j - rows]
            self.lines.append(f"    {q(src)} -> {q(n)} [style=invis]")
        self.lines.append("  }")
        for c in cores[:1]:
            for p in pops:
                self.lines.append(f"  {q('device:' + c)} -> {q('device:' + p)} [style=invis]")

    def _legend(self) -> None:
        rows = [
            ("Agency reachable / cơ quan kết nối", OK, 1),
            ("Two paths / hai đường (double border)", OK, 2),
            ("Cut off / mất kết nối (✗ cause)", CUT, 1),
            ("Device down / thiết bị hỏng", DOWN, 1),
            ("Isolated / bị cô lập", ISOLATED, 1),
        ]
        self.lines.append("  subgraph cluster_legend {")
        self.lines.append(
            "    graph "
            + _attrs(label="Legend / Chú giải", fontsize=12, style="rounded", color="#888888")
        )
        for k, (text, fill, per) in enumerate(rows):
            self.lines.append(
                f"    {q(f'legend:{k}')} " + _attrs(label=text, fillcolor=fill, peripheries=per)
            )
        self.lines.append(
            "    "
            + q("legend:spof")
            + " "
            + _attrs(
                label="⚠ SPOF: single point of failure / điểm lỗi đơn",
                fillcolor=POP,
                color="#cc0000",
                penwidth=3,
                style="filled,bold",
            )
        )
        self.lines.append("  }")


def render(snapshot: Snapshot, view: View) -> str:
    return _Drawing(snapshot, view).draw()
