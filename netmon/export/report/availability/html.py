"""The printable monthly report: one self-contained HTML page (no fonts, scripts or images
from elsewhere: the NOC may be offline), A4 when printed, headings in Vietnamese and English.

Order, as the province reads it: the whole network first, then per level and per district,
then the agencies under the threshold and the outages with their causes, then the time netmon
itself was not watching, and how the figures are made.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from netmon.export.report.availability.text import cause_text, flags, minutes, pct, when
from netmon.model.availability import AvailabilityReport, Cell, Outage

OUTAGES_LISTED = 400  # beyond this, the JSON has them all
_DATE = "%d/%m/%Y %H:%M"

_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; font-size: 9pt;
  color: #111; margin: 0 auto; max-width: 186mm; padding: 6mm 0; background: #fff; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h1 .en, h2 .en, th .en { font-weight: normal; color: #555; }
h1 .en { display: block; font-size: 11pt; }
h2 { font-size: 11.5pt; margin: 6mm 0 2mm; border-bottom: 0.4mm solid #1f4e79;
  padding-bottom: 1mm; color: #1f4e79; break-after: avoid; page-break-after: avoid; }
p { margin: 1mm 0; }
.meta { color: #333; }
.kpis { display: flex; gap: 3mm; margin: 3mm 0; }
.kpi { flex: 1; border: 0.3mm solid #bbb; border-radius: 1.5mm; padding: 2mm 3mm; }
.kpi b { display: block; font-size: 15pt; color: #1f4e79; }
.kpi.bad b { color: #a61b1b; }
.kpi span { font-size: 7.5pt; color: #444; }
table { width: 100%; border-collapse: collapse; margin: 1mm 0 2mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.2mm solid #bbb; padding: 0.8mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #e8eef5; font-size: 8pt; }
th .en { display: block; font-size: 7pt; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.low { color: #a61b1b; font-weight: bold; }
.note { font-size: 7.5pt; color: #444; }
footer { margin-top: 6mm; font-size: 7.5pt; color: #444; border-top: 0.2mm solid #bbb; }
@media print { body { padding: 0; max-width: none; } }
"""


def _th(vi: str, en: str) -> str:
    return f'<th>{escape(vi)}<span class="en">{escape(en)}</span></th>'


def _h2(n: int, vi: str, en: str) -> str:
    return f'<h2>{n}. {escape(vi)} <span class="en">/ {escape(en)}</span></h2>'


def _table(head: Sequence[tuple[str, str]], rows: Iterable[str]) -> str:
    body = "".join(rows)
    if not body:
        return '<p class="note">Không có / None.</p>'
    ths = "".join(_th(v, e) for v, e in head)
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{body}</tbody></table>"


def _n(text: object, low: bool = False) -> str:
    return f'<td class="n{" low" if low else ""}">{escape(str(text))}</td>'


def _t(text: object) -> str:
    return f"<td>{escape(str(text))}</td>"


_CELL_HEAD = (
    ("Tên", "Name"),
    ("Số cơ quan", "Agencies"),
    ("Khả dụng %", "Availability %"),
    ("Mất kết nối", "Down"),
    ("Không rõ", "Unknown"),
    ("Đạt 100 %", "At 100 %"),
    ("Dưới ngưỡng", "Below"),
    ("Số sự cố", "Outages"),
)


def _cells(cells: Iterable[Cell], threshold: float) -> str:
    rows = []
    for c in cells:
        a = c.figures.availability
        rows.append(
            "<tr>"
            + _t(c.name if c.name == c.id else f"{c.name} ({c.id})")
            + _n(c.agencies)
            + _n(pct(c.figures), low=a is not None and a < threshold)
            + _n(minutes(c.figures.down_s))
            + _n(minutes(c.figures.unknown_s))
            + _n(c.full)
            + _n(c.below, low=c.below > 0)
            + _n(c.outages)
            + "</tr>"
        )
    return _table(_CELL_HEAD, rows)


def _outages(r: AvailabilityReport, outages: Sequence[Outage]) -> str:
    names = {a.id: a.name for a in r.agencies}
    tz = r.period.tz
    return _table(
        (
            ("Cơ quan", "Agency"),
            ("Bắt đầu", "Start"),
            ("Kết thúc", "End"),
            ("Thời lượng", "Duration"),
            ("Nguyên nhân (netmon)", "Cause (as netmon named it)"),
            ("Ghi chú", "Note"),
        ),
        (
            "<tr>"
            + _t(f"{names.get(o.agency, o.agency)} ({o.agency})")
            + _n(when(o.start, tz, _DATE))
            + _n(when(o.end, tz, _DATE))
            + _n(minutes(o.duration_s))
            + _t(cause_text(o.causes))
            + _t(flags(o, bilingual=True))
            + "</tr>"
            for o in outages
        ),
    )


def _kpis(r: AvailabilityReport) -> str:
    t = r.total
    a = t.figures.availability
    items = [
        (
            pct(t.figures) + " %",
            "Khả dụng toàn mạng / Network availability",
            a is not None and a < r.threshold,
        ),
        (f"{t.full}/{t.agencies}", "Cơ quan đạt 100 % / Agencies at 100 %", False),
        (str(t.below), f"Dưới {r.threshold:g} % / Below {r.threshold:g} %", t.below > 0),
        (str(t.outages), "Sự cố / Outages", False),
        (
            minutes(t.figures.unknown_s / max(1, t.agencies)),
            "Không giám sát (TB/cơ quan) / Unwatched (per agency)",
            False,
        ),
    ]
    return (
        '<div class="kpis">'
        + "".join(
            f'<div class="kpi{" bad" if bad else ""}"><b>{escape(v)}</b>'
            f"<span>{escape(label)}</span></div>"
            for v, label, bad in items
        )
        + "</div>"
    )


def render(r: AvailabilityReport) -> str:
    tz = r.period.tz
    span = f"{when(r.period.start, tz, _DATE)} – {when(r.period.end, tz, _DATE)}"
    selection = " · ".join(
        x for x in (r.level and f"level {r.level}", r.group and f"group {r.group}") if x
    )
    below_rows = (
        "<tr>"
        + _t(f"{a.name} ({a.id})")
        + _t(a.level)
        + _t(a.group)
        + _n(pct(a.figures), low=True)
        + _n(minutes(a.figures.down_s))
        + _n(len(a.outages))
        + "</tr>"
        for a in r.below()
    )
    outages = r.outages()
    parts = [
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">',
        f"<title>MetroNet {escape(r.period.label)}: khả dụng / availability</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Báo cáo khả dụng kết nối MetroNet"
        '<span class="en">MetroNet connectivity availability report</span></h1>',
        f'<p class="meta">Kỳ báo cáo / Period: <b>{escape(r.period.label)}</b> · '
        f"{escape(span)} ({escape(tz)})"
        + (" · đến thời điểm hiện tại / up to now" if r.period.clipped else "")
        + (f" · {escape(selection)}" if selection else "")
        + "</p>",
        _h2(1, "Toàn mạng", "Whole network"),
        _kpis(r),
        _cells([r.total], r.threshold),
        "<p><b>Theo dịch vụ / By upstream service</b></p>",
        _cells(r.services, r.threshold),
        _h2(2, "Theo cấp hành chính", "By administrative level"),
        _cells(r.levels, r.threshold),
        _h2(3, "Theo huyện, thị xã, thành phố", "By district"),
        _cells(r.groups, r.threshold),
        _h2(4, f"Cơ quan dưới ngưỡng {r.threshold:g} %", f"Agencies below {r.threshold:g} %"),
        _table(
            (
                ("Cơ quan", "Agency"),
                ("Cấp", "Level"),
                ("Huyện", "District"),
                ("Khả dụng %", "Availability %"),
                ("Mất kết nối", "Down"),
                ("Số sự cố", "Outages"),
            ),
            below_rows,
        ),
        _h2(5, "Các sự cố dài nhất", "Longest outages"),
        _outages(r, r.longest(10)),
        _h2(6, "Danh sách sự cố", "All outages"),
        _outages(r, outages[:OUTAGES_LISTED]),
    ]
    if len(outages) > OUTAGES_LISTED:
        parts.append(
            f'<p class="note">… {len(outages) - OUTAGES_LISTED} more: -o json lists all.</p>'
        )
    parts += [
        _h2(7, "Thời gian netmon không giám sát", "When netmon was not watching"),
        _table(
            (
                ("Phiên bản netmon", "netmon instance"),
                ("Bắt đầu", "Start"),
                ("Kết thúc", "End"),
                ("Không rõ", "Unknown"),
                ("Loại", "What"),
            ),
            (
                "<tr>"
                + _t(g.instance)
                + _n(when(g.start, tz, _DATE))
                + _n(when(g.end, tz, _DATE))
                + _n(minutes(g.unknown_s))
                + _t(
                    "netmon không trả lời / netmon did not answer"
                    if g.scraped
                    else "Prometheus không có dữ liệu / no data in Prometheus"
                )
                + "</tr>"
                for g in r.gaps
                if g.unknown_s >= 60
            ),
        ),
        "<footer><p>Khả dụng = thời gian có kết nối ÷ thời gian netmon quan sát được; thời gian "
        "netmon không giám sát được tính là không rõ, không tính là có hay mất kết nối. "
        "Availability = time connected ÷ time netmon observed; time netmon was not watching is "
        "unknown and counts neither way. A minute half scraped is half known. "
        "Thời gian mất kết nối và không rõ của một nhóm là tổng theo từng cơ quan / a group's "
        "down and unknown times are summed over its agencies.</p>",
        f"<p>Nguồn / Source: Prometheus {escape(r.sources.prometheus)} · "
        f"{escape(minutes(r.sources.recorded_s))} from recorded hours, "
        f"{escape(minutes(r.sources.raw_s))} from raw samples · {r.sources.queries} queries · "
        f"lập lúc / generated {escape(when(r.generated_at, tz, _DATE))} ({escape(tz)})"
        " · netmon</p></footer>",
        "</body></html>\n",
    ]
    return "".join(parts)
