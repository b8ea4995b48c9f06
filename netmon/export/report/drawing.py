"""What every Graphviz drawing shares: quoting, the palette, the words for states, the title.

The drawings are for people, printed or on a screen: Vietnamese names in a font that has their
glyphs, labels wrapped to fit their boxes, a title that says whether the picture is the live
network or the declared design (a design drawing is grey: nothing in it was measured).
"""

from __future__ import annotations

import html
import textwrap
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from netmon.model.snapshot import Cause, DeviceState, Element, Snapshot

FONT = "DejaVu Sans"  # has the Vietnamese glyphs; installed with fonts-dejavu-core
# Font sizes in points: a page printed at 100 % stays legible (8 pt is the smallest).
TITLE_PT, CLUSTER_PT, NODE_PT, SMALL_PT = 16, 12, 10, 8.5
# Wrap agency names at this many characters (two lines of 10 pt fit a 1.9 in box).
WRAP = 26


@dataclass(frozen=True)
class Style:
    fill: str
    border: str


OK = Style("#d7f0d4", "#6a9f5e")
CUT = Style("#f6c4c4", "#cc0000")
DOWN = Style("#e06666", "#990000")
ISOLATED = Style("#f6b26b", "#b45f06")
UNKNOWN = Style("#e0e0e0", "#888888")
CORE = Style("#9fc5e8", "#3d6fb6")
POP = Style("#cfe2f3", "#3d6fb6")
DESIGN = Style("#f3f3f3", "#999999")  # the declared design: nothing measured, nothing coloured
WARN = Style("#fff2cc", "#bf9000")  # a single point of failure (spof view)

LINK_OK, LINK_DOWN, LINK_DRIFT, LINK_SPOF = "#3d6fb6", "#cc0000", "#8e44ad", "#bf9000"

# The words used for states in every drawing (and on the map): Vietnamese first.
STATE_VI = {
    "up": "hoạt động",
    "down": "mất kết nối",
    "isolated": "bị cô lập",
    "unknown": "chưa rõ",
    "cut": "mất kết nối",
    "unreachable": "không tới được",
}


def q(text: str) -> str:
    """A DOT double-quoted string (labels may hold any Vietnamese text)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def attrs(**kw: object) -> str:
    return "[" + ", ".join(f"{k}={q(str(v))}" for k, v in kw.items() if v is not None) + "]"


def wrap(text: str, width: int = WRAP, lines: int = 3) -> str:
    """Text broken into at most `lines` lines of `width` characters (the last one shortened)."""
    out = textwrap.wrap(text, width) or [""]
    if len(out) > lines:
        out = [
            *out[: lines - 1],
            textwrap.shorten(" ".join(out[lines - 1 :]), width, placeholder="…"),
        ]
    return "\n".join(out)


def site_name(snapshot: Snapshot, device: str) -> str:
    """The site's name for an infrastructure device, the agency's for a CPE, else the id."""
    d = snapshot.device_by_id.get(device)
    if d is None:
        return device
    if d.agency and d.agency in snapshot.agency_by_id:
        return snapshot.agency_by_id[d.agency].name
    site = next((s for s in snapshot.sites if s.id == d.site), None)
    return site.name if site else d.id


def cause_text(snapshot: Snapshot, cause: Cause) -> str:
    """'PoP Huế bị cô lập', 'đường core-1--pop-hue mất kết nối'."""
    if cause.kind == "device":
        return f"{site_name(snapshot, cause.id)} {STATE_VI[cause.state]}"
    return f"đường {cause.id} {STATE_VI[cause.state]}"


def cause_counts(snapshot: Snapshot) -> Counter[Element]:
    """Agencies cut off per failed element netmon names as their cause."""
    out: Counter[Element] = Counter()
    for a in snapshot.cut_off():
        for c in a.causes:
            out[Element(c.kind, c.id)] += 1
    return out


def device_style(snapshot: Snapshot, d: DeviceState) -> tuple[Style, str]:
    """(style, state line) of an infrastructure device; grey in the declared design."""
    base = CORE if d.role == "core" else POP
    if not snapshot.probed:
        return DESIGN, ""
    if d.status == "down":
        return DOWN, f"✗ {STATE_VI['down']} / down"
    behind = [c.id for c in d.causes if c.id != d.id]
    if d.status == "unreachable" and behind:  # in-band: silent behind what the NOC sees failed
        return UNKNOWN, f"? {STATE_VI['unreachable']}, sau / unreachable behind {', '.join(behind)}"
    if not d.reachable:
        return ISOLATED, f"✗ {STATE_VI['isolated']} / isolated"
    if d.status == "unknown":
        return UNKNOWN, STATE_VI["unknown"]
    return base, ""


def title(snapshot: Snapshot, what: str, reachable: int, total: int) -> str:
    when = datetime.fromtimestamp(snapshot.at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    if snapshot.probed:
        counts = f"{reachable}/{total} cơ quan kết nối — thực tế lúc {when} (live)"
    else:
        counts = f"{total} cơ quan — THIẾT KẾ KHAI BÁO, chưa thăm dò (design, not measured)"
    return f"{snapshot.inventory} — {what}\n{counts}"


def header(graph_title: str, kind: str = "digraph", **extra: object) -> list[str]:
    return [
        f"{kind} netmon {{",
        "  graph "
        + attrs(
            label=graph_title,
            labelloc="t",
            labeljust="l",
            fontsize=TITLE_PT,
            fontname=FONT,
            **extra,
        ),
        "  node "
        + attrs(
            fontname=FONT,
            fontsize=NODE_PT,
            shape="box",
            style="rounded,filled",
            margin="0.1,0.06",
        ),
        "  edge " + attrs(fontname=FONT, fontsize=SMALL_PT, dir="none", arrowhead="none"),
    ]


def legend_html(rows: list[tuple[str, Style]]) -> str:
    """A legend as one node: an HTML-like table, a colour swatch and a text per row."""
    cells = "".join(
        f'<TR><TD BGCOLOR="{st.fill}" COLOR="{st.border}" WIDTH="18"> </TD>'
        f'<TD ALIGN="LEFT">{html.escape(text)}</TD></TR>'
        for text, st in rows
    )
    table = (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="2">'
        f'<TR><TD COLSPAN="2"><B>Chú giải / Legend</B></TD></TR>{cells}</TABLE>'
    )
    return f'[shape=plaintext, style="", fontsize={SMALL_PT}, label=<{table}>]'
