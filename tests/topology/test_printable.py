"""The static SVG at 467 agencies: an overview and district pages that print legibly.

Every page of the Huế inventory (pop-hue cut off its backbone, as in the demo) must fit an A3
sheet in landscape at 100 % (1191 x 842 pt) with no text under 8 pt, and every agency must be
on exactly one district page. The old single drawing was 3,904 x 3,121 pt.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netmon.export.report import render
from netmon.export.report.dot import pages
from netmon.inventory import load_inventory
from netmon.model import Snapshot
from netmon.topology import build_snapshot
from topology.net import healthy

REPO = Path(__file__).parents[2]
A3_PT = (1191, 842)
SVG = "{http://www.w3.org/2000/svg}"

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


@pytest.fixture(scope="module")
def hue_cut() -> Snapshot:
    inv = load_inventory(REPO / "inventory")
    cut = [lk for lk in inv.links if lk.id in ("core-1--pop-hue", "pop-hue--pop-huong-tra")]
    assert len(cut) == 2
    down = {end for lk in cut for end in (lk.a, lk.b)}
    return build_snapshot(inv, healthy(inv, down_ifaces=down), at=1765000000)


def _size(svg: str) -> tuple[float, float]:
    m = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert m, svg[:300]
    return float(m.group(1)), float(m.group(2))


def test_every_page_fits_a3_with_legible_text(hue_cut: Snapshot) -> None:
    every = [None, *pages(hue_cut)]
    assert len(every) > len(hue_cut.groups)  # the overview and at least a page a district
    on_pages: list[str] = []
    for page in every:
        svg = render(hue_cut, "topology", "svg", page=page)
        w, h = _size(svg)
        assert w <= A3_PT[0] and h <= A3_PT[1], (page, w, h)
        root = ET.fromstring(svg)  # noqa: S314 (our own output)
        sizes = {float(t.get("font-size", "14")) for t in root.iter(f"{SVG}text")}
        assert min(sizes) >= 8, (page, sorted(sizes))
        on_pages += [
            (g.findtext(f"{SVG}title") or "").split(":", 1)[1]
            for g in root.iter(f"{SVG}g")
            if g.get("class") == "node" and (g.findtext(f"{SVG}title") or "").startswith("agency:")
        ]
    assert sorted(on_pages) == sorted(a.id for a in hue_cut.agencies)


def test_the_overview_names_the_cause_and_each_districts_count(hue_cut: Snapshot) -> None:
    svg = render(hue_cut, "topology", "svg")
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    text = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for c in hue_cut.coverage.by_group:
        assert f"{c.reachable}/{c.total} cơ quan kết nối" in text, c.id
    cut = hue_cut.cut_off()
    causes = {cause.id for a in cut for cause in a.causes}
    assert causes == {"pop-hue"}
    assert f"✗ nguyên nhân: {len(cut)} cơ quan mất kết nối" in text
    # the two cut links are drawn as such, and only they are
    down = [lk.id for lk in hue_cut.links if lk.status == "down"]
    assert sorted(down) == ["core-1--pop-hue", "pop-hue--pop-huong-tra"]
    for lk in down:
        assert f"✗ {lk}" in text
    for lk in hue_cut.links:
        if lk.status != "down":
            assert lk.id not in text  # healthy links are drawn, not named
