"""The landing page: coverage, causes, version and cycle, every link working."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import aiohttp

from export import synth
from export.test_http import PV_DEAD, ready_holder, run, serving
from netmon.export.landing import page
from netmon.export.state import ExportState, StateHolder


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k == "href" and v]


def test_the_landing_page_says_coverage_causes_and_version() -> None:
    state = ready_holder().get()
    snap = state.snapshot
    assert snap is not None and snap.cut_off()
    text = page(state)
    t = snap.coverage.total
    assert f"data-reachable={t.reachable} data-total={t.total}" in text
    assert f"{t.reachable}/{t.total} cơ quan kết nối" in text
    for c in (*snap.coverage.by_group, *snap.coverage.by_level, *snap.coverage.by_service):
        assert re.search(rf">{re.escape(c.name)}<.*?{c.reachable}/{c.total}<", text), c.id
    assert f"netmon {state.facts.version}" in text
    assert "chu kỳ thăm dò gần nhất kết thúc" in text
    causes = {c.id for a in snap.cut_off() for c in a.causes}
    assert causes and all(f"({cid})" in text for cid in causes)
    assert "pop-phu-vang" in PV_DEAD and "PoP" in text


def test_before_the_first_cycle_it_says_so() -> None:
    text = page(ExportState(synth.facts()))
    assert "Chưa có chu kỳ thăm dò nào" in text and "netmon test" in text
    assert "cơ quan kết nối (" not in text


def test_every_link_on_the_landing_page_answers() -> None:
    holder = ready_holder()

    async def go() -> None:
        async with serving(holder) as url, aiohttp.ClientSession() as http:
            r = await http.get(f"{url}/")
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
            parser = Links()
            parser.feed(await r.text())
            assert len(parser.hrefs) > 10
            for href in {h.split("#")[0] for h in parser.hrefs}:
                got = await http.get(f"{url}/{href}")
                assert got.status == 200, href

    run(go)


def test_a_refused_reload_shows_on_the_landing_page() -> None:
    from dataclasses import replace

    from netmon.export.state import LoadStatus

    state = ready_holder().get()
    bad = replace(state, facts=replace(state.facts, config=LoadStatus(False, 0.0, "x.yaml:1:1")))
    assert "last reload refused" in page(StateHolder(bad).get())
    assert "last reload refused" not in page(state)


def test_the_availability_link_shows_only_when_a_prometheus_is_configured() -> None:
    state = ready_holder().get()
    assert "api/availability" not in page(state)
    assert 'href="api/availability?format=html"' in page(state, availability=True)
