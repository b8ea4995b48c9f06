"""Every renderer on a hand-made snapshot: the content is there and the output parses."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from netmon.export.report import FORMATS_OF, RENDERERS, VIEWS, render
from netmon.model import Snapshot
from netmon.model.snapshot import Cause
from topology.test_snapshot_json import busy_snapshot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return busy_snapshot()


def test_every_view_renders_in_every_format_it_offers(snap: Snapshot) -> None:
    for view in VIEWS:
        for fmt in FORMATS_OF[view]:
            if fmt == "svg" and shutil.which("dot") is None:
                continue
            assert render(snap, view, fmt).strip(), (view, fmt)
    with pytest.raises(ValueError, match="coverage has no svg"):
        render(snap, "coverage", "svg")
    with pytest.raises(ValueError, match="district page"):
        render(snap, "spof", "svg", page=snap.groups[0].id)
    assert set(RENDERERS) == {"table", "json", "dot", "graphml", "svg"}


def test_json_views_carry_the_numbers(snap: Snapshot) -> None:
    cov = json.loads(render(snap, "coverage", "json"))
    assert cov["total"]["total"] == len(snap.agencies)
    assert cov["total"]["reachable"] == sum(a.reachable for a in snap.agencies)
    assert {c["agency"] for c in cov["cut_off"]} == {a.id for a in snap.cut_off()}
    spof = json.loads(render(snap, "spof", "json"))
    listed = {(s["kind"], s["id"]): s for s in spof["declared"]["single_points_of_failure"]}
    pop = listed[("site", "pop-phu-vang")]
    assert pop["blast_radius"] == len(pop["agencies"]) == 2
    assert pop["name"] == "PoP Huyện Phú Vang"
    drift = json.loads(render(snap, "drift", "json"))
    assert sum(drift["counts"].values()) == len(drift["drift"]) == len(snap.drift)
    links = json.loads(render(snap, "links", "json"))
    assert [lk["id"] for lk in links["links"]] == [lk.id for lk in snap.links]


def test_table_shows_names_and_causes(snap: Snapshot) -> None:
    text = render(snap, "coverage", "table")
    assert "Huyện Phú Vang" in text and "Cut off" in text
    assert "pop-huong-tra (down)" in text
    assert "wrong_port" in render(snap, "drift", "table")


@needs_dot
def test_dot_overview_has_a_box_per_district_and_pages_draw_every_agency(snap: Snapshot) -> None:
    from netmon.export.report.dot import pages

    def layout(text: str) -> dict[str, dict[str, str]]:
        done = subprocess.run(
            ["dot", "-Tjson"], input=text.encode(), capture_output=True, check=True, timeout=60
        )
        return {o["name"]: o for o in json.loads(done.stdout)["objects"]}

    overview = layout(render(snap, "topology", "dot"))
    clusters = {o["label"] for n, o in overview.items() if n.startswith("cluster_g")}
    assert {g.name for g in snap.groups} <= clusters
    for c in snap.coverage.by_group:
        assert f"{c.reachable}/{c.total}" in overview[f"group:{c.id}"]["label"]
    drawn: dict[str, str] = {}
    for page in pages(snap):
        for name, obj in layout(render(snap, "topology", "dot", page=page)).items():
            if name.startswith("agency:"):
                drawn[name.split(":", 1)[1]] = obj["label"]
    assert set(drawn) == {a.id for a in snap.agencies}
    for a in snap.agencies:
        assert a.name.split()[0] in drawn[a.id]
    cut = [a for a in snap.agencies if not a.reachable]
    assert cut
    title = layout(render(snap, "topology", "dot", page=cut[0].group))
    assert "✗" in str(title)  # the cause: in the box, or once in the title when shared


def test_graphml_parses_with_networkx(snap: Snapshot, tmp_path: Path) -> None:
    path = tmp_path / "t.graphml"
    path.write_text(render(snap, "topology", "graphml"), encoding="utf-8")
    g = nx.read_graphml(path)
    assert set(g.nodes) == {d.id for d in snap.devices}
    assert g.number_of_edges() == len(snap.links) + len(snap.discovered)
    assert g.nodes["cpe-ubnd-tinh-0"]["label"] == "UBND tỉnh Thừa Thiên Huế"
    assert g.nodes["pop-huong-tra"]["status"] == "down"
    assert g.nodes["pop-huong-tra"]["reachable"] is False
    drift = {d["link"]: d.get("drift") for _, _, d in g.edges(data=True)}
    assert drift["pop-phu-vang--cpe-ubnd-phu-an"] == "wrong_port"


@needs_dot
def test_svg_has_the_vietnamese_names_in_a_font_with_their_glyphs(snap: Snapshot) -> None:
    from netmon.export.report.dot import pages

    texts, fonts = "", set()
    for page in [None, *pages(snap)]:
        root = ET.fromstring(render(snap, "topology", "svg", page=page))  # noqa: S314 (ours)
        found = list(root.iter("{http://www.w3.org/2000/svg}text"))
        texts += " ".join(t.text or "" for t in found) + " "
        fonts |= {t.get("font-family") for t in found}
    words = set(texts.split())
    for a in snap.agencies:
        assert set(a.name.split()) <= words, a.name  # wrapped over lines, every word there
    assert "Huyện Phú Vang" in texts and "Thừa Thiên Huế" in texts
    assert fonts == {"DejaVu Sans"}


def test_json_is_exactly_what_json_dumps_writes(snap: Snapshot) -> None:
    """jsondoc.dumps writes what json.dumps(ensure_ascii=False, indent=2) does, faster."""
    from enum import IntEnum, StrEnum

    from netmon.export.report.jsondoc import dumps
    from netmon.export.report.views import view_data

    class Kind(StrEnum):
        pop = 'p"o\\p'

    class Num(IntEnum):
        one = 1

    shared = {"x": [1, "y"], "z": {}}
    odd: list[object] = [
        {"a": shared, "b": shared, "c": [shared], "d": shared["x"], "e": shared["x"]},
        {},
        [],
        {"a": [], "b": {}, "c": [[]], "d": ()},
        [1, 2.5, None, True, False, 'é\u2028\n"\t\x00', 1e16, -0.0, 10**30],
        [float("nan"), float("inf"), -float("inf")],
        {"k": [{"a": [1, "b"]}, ("t", "u")], "z": Kind.pop, "i": Num.one, "l": [Kind.pop]},
        {"t": ("x", "é"), "m": ["a", Kind.pop], "n": [["a"], ("b", "c")], "b": True, "f": 0.5},
        "s",
        3,
        {1: 2, None: 3, 2.5: 4, False: 5},  # keys json.dumps converts: left to it
    ]
    # A design's spof view holds one dict under declared and current, written once and copied.
    design = replace(snap, current=snap.declared)
    views = [view_data(s, view) for s in (snap, design) for view in VIEWS]
    same = view_data(design, "spof")
    assert same["current"] is same["declared"]
    for data in [*odd, *views]:
        assert dumps(data) == json.dumps(data, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        dumps({"a": object()})


def test_a_device_unreachable_behind_a_failure_says_behind_what(
    snap: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In-band management: a silent PoP behind a cut link is not drawn as down, and both the
    # drawing and the table name what it is behind.
    # The table is as wide as the terminal (at least 100): 120 columns, what it gets with no
    # terminal and no COLUMNS, so that the cell is not wrapped (pytest-xdist's workers have
    # COLUMNS=80, a narrow terminal sets it too).
    monkeypatch.setenv("COLUMNS", "120")
    pop = next(d for d in snap.devices if d.role == "pop")
    behind = Cause("link", "core-1--" + pop.id, "down")
    silent = replace(pop, status="unreachable", reachable=False, causes=(behind,))
    devices = tuple(silent if d.id == pop.id else d for d in snap.devices)
    cut = replace(snap, devices=devices)
    drawing = render(cut, "topology", "dot")
    assert f"unreachable behind {behind.id}" in drawing
    assert "✗ mất kết nối / down" not in drawing.split(f'"device:{pop.id}"', 1)[1].split("\n")[0]
    assert f"unreachable behind link {behind.id} (down)" in render(cut, "topology", "table")
