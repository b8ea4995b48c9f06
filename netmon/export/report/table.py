"""Tables for people at a terminal, one layout per report (drawn by grid.py: rich's look, at
national size)."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import replace

from netmon.export.report.grid import Grid, draw, grid
from netmon.export.report.views import View, label
from netmon.model.snapshot import (
    Cause,
    CoverageCount,
    DeviceState,
    Element,
    Redundancy,
    Snapshot,
)

# Printed above every table of a snapshot nothing was probed for: the design, not the network.
DESIGN_BANNER = (
    "DECLARED DESIGN, NOT MEASURED: no poll went into this report, every element is assumed "
    "up (thiết kế khai báo, chưa thăm dò). Live figures: --snapshot FILE from `netmon poll "
    "--once --save FILE`, or /api/snapshot of `netmon serve`."
)
# Blast radius tables list the agencies of each element; past this many, a count says the rest.
AGENCIES_SHOWN = 6


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Grid:
    return grid(title, columns, rows, right=("total", "reachable", "cut off", "%", "n"))


def _causes(causes: tuple[Cause, ...]) -> str:
    if not causes:
        return "no declared path"
    return ", ".join(f"{c.kind} {c.id} ({c.state})" for c in causes)


def _counts(title: str, counts: Iterable[CoverageCount]) -> Grid:
    return _table(
        title,
        ("id", "name", "total", "reachable", "cut off", "%"),
        ((c.id, c.name, c.total, c.reachable, c.cut_off, f"{100 * c.ratio:.1f}") for c in counts),
    )


def _agencies(names: Sequence[str]) -> str:
    more = len(names) - AGENCIES_SHOWN
    return ", ".join(names[:AGENCIES_SHOWN]) + (f" … (+{more})" if more > 0 else "")


def _name(snapshot: Snapshot, element: Element) -> str:
    """The element's name when it has one beyond its id (links are named by their id)."""
    name = label(snapshot, element)
    return "" if name == element.id else name


def _spof(snapshot: Snapshot, title: str, r: Redundancy) -> list[Grid]:
    spofs = _table(
        f"Single points of failure, {title}",
        ("element", "name", "n", "agencies"),
        (
            (str(b.element), _name(snapshot, b.element), len(b.agencies), _agencies(b.agencies))
            for b in r.spofs
        ),
    )
    summary = _table(
        f"Summary, {title}",
        ("what", "n"),
        (
            ("articulation points", len(r.articulation_points)),
            ("bridges", len(r.bridges)),
            ("single-path agencies", len(r.single_path)),
        ),
    )
    return [spofs, summary]


def tables(snapshot: Snapshot, view: View) -> list[Grid]:
    if view == "coverage":
        c = snapshot.coverage
        out = [
            _counts("Coverage", [c.total]),
            _counts("By level", c.by_level),
            _counts("By group", c.by_group),
            _counts("By service", c.by_service),
        ]
        cut = snapshot.cut_off()
        if cut:
            out.append(
                _table(
                    "Cut off",
                    ("agency", "name", "group", "cause"),
                    ((a.id, a.name, a.group, _causes(a.causes)) for a in cut),
                )
            )
        return out
    if view == "spof":
        if not snapshot.probed:  # the design is all there is: "now" would repeat it
            return _spof(snapshot, "as designed", snapshot.declared)
        return _spof(snapshot, "as designed", snapshot.declared) + _spof(
            snapshot, "now", snapshot.current
        )
    if view == "drift":
        return [
            _table(
                "Drift",
                ("kind", "link", "declared", "seen", "remote"),
                (
                    (
                        d.kind,
                        d.link or "",
                        " – ".join(map(str, d.declared)),
                        " – ".join(map(str, d.seen)),
                        d.remote,
                    )
                    for d in snapshot.drift
                ),
            )
        ]
    if view == "links":
        out = [
            _table(
                "Links",
                ("link", "a", "b", "kind", "Mbit/s", "status", "origin", "drift"),
                (
                    (
                        lk.id,
                        lk.a,
                        lk.b,
                        lk.kind,
                        lk.capacity_bps // 1_000_000,
                        lk.status,
                        lk.origin,
                        lk.drift or "",
                    )
                    for lk in snapshot.links
                ),
            )
        ]
        if snapshot.discovered:
            out.append(
                _table(
                    "Discovered, not declared",
                    ("a", "b"),
                    ((s.a, s.b) for s in snapshot.discovered),
                )
            )
        return out
    devices = _table(
        "Devices",
        ("device", "role", "site / agency", "status", "reachable"),
        (
            (d.id, d.role, d.site or d.agency or "", _status(d), "yes" if d.reachable else "NO")
            for d in snapshot.devices
        ),
    )
    total = snapshot.coverage.total
    summary = _table(
        "Topology",
        ("what", "n"),
        (
            ("agencies reachable", f"{total.reachable}/{total.total}"),
            ("devices down", sum(d.status == "down" for d in snapshot.devices)),
            (
                "devices unreachable behind a failure",
                sum(d.status == "unreachable" for d in snapshot.devices),
            ),
            ("links down", sum(lk.status == "down" for lk in snapshot.links)),
            ("single points of failure now", len(snapshot.current.spofs)),
            ("drift", len(snapshot.drift)),
        ),
    )
    return [summary, devices]


def _status(d: DeviceState) -> str:
    """A silent device behind a failure says behind what (in-band management)."""
    if d.status != "unreachable" or not d.causes:
        return d.status
    return "unreachable behind " + ", ".join(f"{c.kind} {c.id} ({c.state})" for c in d.causes)


def render(snapshot: Snapshot, view: View, page: str | None = None) -> str:
    width = max(100, shutil.get_terminal_size((120, 24)).columns)
    out = [textwrap.fill(DESIGN_BANNER, width) + "\n"] if not snapshot.probed else []
    for t in tables(snapshot, view):
        if not snapshot.probed:
            t = replace(t, title=t.title + " (declared design)")
        out.append(draw(t, width))
    return "".join(out)
