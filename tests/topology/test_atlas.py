"""`report topology --out-dir`: every page written (in parallel) as it is drawn alone, the
progress of a long atlas told, and a failure stops the pages not yet begun."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from netmon.errors import RenderError
from netmon.export.report import atlas, render
from netmon.export.report.dot import pages
from netmon.gen.inventory import national, write
from netmon.inventory import load_inventory
from netmon.model import Snapshot
from netmon.topology import build_snapshot


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    folder = tmp_path_factory.mktemp("national")
    write(national(provinces=6, per_province=60, pops=9), folder)
    return build_snapshot(load_inventory(folder), at=0)


def test_every_page_is_written_as_it_is_drawn_alone(country: Snapshot, tmp_path: Path) -> None:
    told: list[str] = []
    written = atlas.write_atlas(country, tmp_path, "dot", say=told.append)
    names = pages(country)
    assert written == [tmp_path / "topology.dot"] + [
        tmp_path / "topology" / f"{p}.dot" for p in names
    ]
    assert written[0].read_text(encoding="utf-8") == render(country, "topology", "dot")
    for page, path in zip(names, written[1:], strict=True):
        assert path.read_text(encoding="utf-8") == render(country, "topology", "dot", page=page)
    step = max(50, len(written) // 10)
    assert len(written) > step  # long enough to be told
    assert told == [f"{k}/{len(written)} pages" for k in range(step, len(written), step)]


def test_a_failing_page_stops_the_pages_not_begun(
    country: Snapshot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str | None] = []

    def failing(snapshot: Snapshot, view: Any, fmt: str, page: str | None = None) -> str:
        drawn.append(page)
        if len(drawn) == 3:
            raise RenderError("graphviz 'dot' failed: out of memory")
        return "digraph {}\n"

    monkeypatch.setattr(atlas, "render", failing)
    with pytest.raises(RenderError, match="out of memory"):
        atlas.write_atlas(country, tmp_path, "svg")
    # At most the pages in flight when the third failed: a window of two per worker.
    assert 3 <= len(drawn) <= 3 + 2 * (os.cpu_count() or 1) < len(pages(country))
