"""The landing page (`/`): what an operator opening netmon wants first, in Vietnamese.

Coverage now (total, per level, per district with links to the map and the printable page,
per upstream service), what cuts agencies off, when the last cycle ended, netmon's version and
the state of its inventory and config; then the links. Every figure is the Snapshot's own.
Plain HTML, no script: it works with the map's JavaScript off, and reloads every 30 s.
"""

from __future__ import annotations

import html
import time
from collections import Counter
from collections.abc import Iterable

from netmon.export.state import ExportState
from netmon.model.snapshot import CoverageCount, Snapshot

LINKS = (
    ("map", "Bản đồ mạng (network map)"),
    ("topology.svg", "Sơ đồ in được: tổng quan và từng khu vực (printable topology)"),
    ("metrics", "Số liệu Prometheus (metrics)"),
    ("api/snapshot", "Ảnh chụp trạng thái, JSON (snapshot)"),
    ("topology/nodes.json", "Grafana Node Graph: nodes"),
    ("topology/edges.json", "Grafana Node Graph: edges"),
    ("-/healthy", "healthy"),
    ("-/ready", "ready"),
)

STYLE = """
body{font-family:"DejaVu Sans","Noto Sans",sans-serif;margin:0;color:#222}
header{background:#1f3b5c;color:#fff;padding:10px 16px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;font-size:13px;opacity:.9}main{padding:12px 16px;max-width:1100px}
.big{font-size:28px;font-weight:bold}.bad{color:#b00000}.ok{color:#2e7d32}
table{border-collapse:collapse;margin:6px 0 16px}td,th{border-bottom:1px solid #ddd;
padding:3px 10px;text-align:left}td.n{text-align:right}h2{font-size:16px;margin:16px 0 4px}
.bar{display:block;height:10px;background:#6a9f5e}.barbg{display:inline-block;width:120px;
height:10px;background:#f6c4c4;vertical-align:middle}ul{margin:4px 0}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _pct(c: CoverageCount) -> str:
    return f"{100 * c.ratio:.1f}".replace(".", ",") + " %"


def _bar(c: CoverageCount) -> str:
    width = round(120 * c.ratio)
    return f'<span class="barbg"><span class="bar" style="width:{width}px"></span></span>'


def _rows(counts: Iterable[CoverageCount], link: bool = False) -> str:
    out = []
    for c in counts:
        name = _e(c.name)
        if link:
            name = (
                f'<a href="map#/district/{_e(c.id)}">{name}</a> '
                f'(<a href="topology/{_e(c.id)}.svg">in / print</a>)'
            )
        cls = ' class="bad"' if c.cut_off else ""
        out.append(
            f"<tr{cls}><td>{name}</td><td class=n>{c.reachable}/{c.total}</td>"
            f"<td class=n>{c.cut_off}</td><td class=n>{_pct(c)}</td><td>{_bar(c)}</td></tr>"
        )
    head = "<tr><th></th><th>kết nối</th><th>mất kết nối</th><th>%</th><th></th></tr>"
    return f"<table>{head}{''.join(out)}</table>"


def _causes(snapshot: Snapshot) -> str:
    counts: Counter[tuple[str, str, str]] = Counter()
    for a in snapshot.cut_off():
        for c in a.causes:
            counts[(c.kind, c.id, c.state)] += 1
    if not counts:
        return ""
    words = {"down": "mất kết nối", "isolated": "bị cô lập"}
    sites = {s.id: s.name for s in snapshot.sites}

    def what(kind: str, ident: str) -> str:
        device = snapshot.device_by_id.get(ident) if kind == "device" else None
        if device is None:
            return f"đường {ident}"
        if device.agency and device.agency in snapshot.agency_by_id:
            return f"thiết bị đầu cuối của {snapshot.agency_by_id[device.agency].name}"
        return sites.get(device.site or "", ident)

    items = []
    for (kind, ident, state), n in counts.most_common(10):
        items.append(
            f"<li><b>{_e(what(kind, ident))}</b> ({_e(ident)}) {words[state]}: {n} cơ quan</li>"
        )
    return f"<h2 class=bad>Nguyên nhân mất kết nối (causes)</h2><ul>{''.join(items)}</ul>"


# Shown only when config.yaml names the Prometheus it is measured from (otherwise a 503).
AVAILABILITY_LINK = (
    "api/availability?format=html",
    "Khả dụng tháng này (this month's availability)",
)


def page(state: ExportState, now: float | None = None, availability: bool = False) -> str:
    """`availability`: /api/availability has a Prometheus to ask, so it gets a link."""
    facts, snap = state.facts, state.snapshot
    now = time.time() if now is None else now
    name = snap.inventory if snap else "MetroNet"
    status = [f"netmon {_e(facts.version)}"]
    if facts.shard:
        status.append(f"phân đoạn (shard) {_e(facts.shard)}")
    if state.cycle is not None:
        ago = max(0, round(now - state.cycle.finished_at))
        when = time.strftime("%H:%M:%S", time.localtime(state.cycle.finished_at))
        status.append(
            f"chu kỳ thăm dò gần nhất kết thúc lúc {when} ({ago} s trước), "
            f"mất {state.cycle.duration_s:.1f} s, mỗi {facts.interval_s:g} s"
        )
    if not facts.inventory.ok or not facts.config.ok:
        refused = "lần nạp lại gần nhất bị từ chối: đang dùng cấu hình cũ (last reload refused)"
        status.append(f'<span class="bad">{refused}</span>')
    body = [
        f"<header><h1>netmon — {_e(name)}</h1><p>{' · '.join(status)}</p></header><main>",
    ]
    if snap is None:
        body.append(
            "<p class=big>Chưa có chu kỳ thăm dò nào (no poll cycle yet): "
            "số liệu sẽ có khi chu kỳ đầu tiên kết thúc.</p>"
        )
    else:
        t = snap.coverage.total
        cls = "bad" if t.cut_off else "ok"
        body.append(
            f'<p class="big {cls}" id=coverage data-reachable={t.reachable} data-total={t.total}>'
            f"{t.reachable}/{t.total} cơ quan kết nối ({_pct(t)})</p>"
            f'<p><a href="map"><b>→ Mở bản đồ mạng (open the map)</b></a></p>'
        )
        body.append(_causes(snap))
        body.append("<h2>Theo khu vực (by district)</h2>" + _rows(snap.coverage.by_group, True))
        body.append("<h2>Theo cấp (by level)</h2>" + _rows(snap.coverage.by_level))
        body.append("<h2>Theo dịch vụ (by upstream service)</h2>" + _rows(snap.coverage.by_service))
    shown = (*LINKS[:4], AVAILABILITY_LINK, *LINKS[4:]) if availability else LINKS
    links = "".join(f'<li><a href="{u}">{_e(t)}</a></li>' for u, t in shown)
    body.append(f"<h2>Liên kết (links)</h2><ul>{links}</ul></main>")
    return (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="30">'
        f"<title>netmon — {_e(name)}</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )
