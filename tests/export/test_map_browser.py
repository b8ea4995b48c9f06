"""The map (/map) in headless Chromium, at 467 agencies on a 1600 x 900 screen, and at
national size: what an operator sees and does, compared with /api/snapshot.

The state served is the Huế inventory with pop-hue cut off the backbone (its two ring links
down, as in the demo) and one agency's CPE dead; netmon's own HTTP server serves it.
Screenshots of the overview and of a district go to var/screenshots/ (gitignored).
"""

from __future__ import annotations

import json
import unicodedata
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from export import synth
from export.browser import browser_missing, chromium, serving, wait_until
from netmon.export.state import ExportState

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))

REPO = Path(__file__).parents[2]
SHOTS = REPO / "var" / "screenshots"
CUT_LINKS = ("core-1--pop-hue", "pop-hue--pop-huong-tra")
DEAD_CPE = "cpe-phu-vang-003"


def hue_state(cut: bool = True) -> ExportState:
    inv = synth.inventory(synth.FULL)
    links = [lk for lk in inv.links if lk.id in CUT_LINKS] if cut else []
    down = {end for lk in links for end in (lk.a, lk.b)}
    return synth.state(inv, synth.results(inv, down_ifaces=down, dead={DEAD_CPE} if cut else ()))


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, Any]]:
    with serving(hue_state()) as served:
        yield served


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with chromium(tmp_path_factory.mktemp("chromium") / "profile") as driver:
        yield driver


def api(base: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base}/api/snapshot", timeout=30) as r:  # noqa: S310 (ours)
        data: dict[str, Any] = json.load(r)
        return data


def open_map(browser: Any, base: str, hash_: str = "") -> None:
    browser.get(f"{base}/map{hash_}")
    wait_until(lambda: browser.execute_script("return window.netmonMap && netmonMap.loads()"))
    wait_until(lambda: browser.execute_script("return netmonMap.nodes().length"))


def nodes(browser: Any, kind: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = browser.execute_script("return netmonMap.nodes()")
    return [n for n in found if kind is None or n["kind"] == kind]


def click_node(browser: Any, node_id: str) -> None:
    """A real mouse click where the node is drawn on the canvas."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    pos = browser.execute_script(
        "const n = netmonMap.state.cy.getElementById(arguments[0]);"
        "return n.empty() ? null : n.renderedPosition();",
        node_id,
    )
    assert pos, f"{node_id} is not on the map"
    canvas = browser.find_element(By.ID, "cy")
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(pos["x"] - size["width"] / 2), int(pos["y"] - size["height"] / 2)
    ).click().perform()


def fold(text: str) -> str:
    """The same folding a person expects: no diacritics, đ -> d, lower case."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def screenshot(browser: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    browser.save_screenshot(str(path))
    return path


def test_overview_counts_are_the_snapshots(browser: Any, site: tuple[str, Any]) -> None:
    base, _ = site
    open_map(browser, base)
    snap = api(base)
    from selenium.webdriver.common.by import By

    cov = browser.find_element(By.ID, "coverage")
    total = snap["coverage"]["total"]
    assert (int(cov.get_attribute("data-reachable")), int(cov.get_attribute("data-total"))) == (
        total["reachable"],
        total["total"],
    )
    assert f"{total['reachable']}/{total['total']}" in cov.text
    districts = {n["ref"]: n for n in nodes(browser, "district")}
    assert set(districts) == {g["id"] for g in snap["groups"]}  # collapsed: one box a district
    for c in snap["coverage"]["by_group"]:
        n = districts[c["id"]]
        assert (n["reachable"], n["total"]) == (c["reachable"], c["total"])
        assert f"{c['reachable']}/{c['total']}" in n["label"]
    assert not nodes(browser, "agency")  # no agency drawn one by one on the overview
    pops = {n["ref"] for n in nodes(browser, "pop")}
    assert pops == {d["id"] for d in snap["devices"] if d["role"] == "pop"}
    path = screenshot(browser, "map-overview-467.png")
    assert path.stat().st_size > 10_000


def test_a_cut_pop_shows_its_cause(browser: Any, site: tuple[str, Any]) -> None:
    base, _ = site
    open_map(browser, base)
    snap = api(base)
    cut_by_pop = [a for a in snap["agencies"] if any(c["id"] == "pop-hue" for c in a["causes"])]
    assert cut_by_pop
    pop = next(n for n in nodes(browser, "pop") if n["ref"] == "pop-hue")
    assert pop["state"] == "isolated" and "cause" in pop["classes"]
    assert pop["cause"] == len(cut_by_pop)
    assert f"nguyên nhân: {len(cut_by_pop)} cơ quan" in pop["label"]
    edges = {e["ref"]: e for e in browser.execute_script("return netmonMap.edges()") if "ref" in e}
    for link in CUT_LINKS:
        assert edges[link]["state"] == "down", link
    assert all(e["state"] != "down" for ref, e in edges.items() if ref not in CUT_LINKS)
    from selenium.webdriver.common.by import By

    assert "PoP Huế" in browser.find_element(By.ID, "banner").text
    click_node(browser, "device:pop-hue")
    panel = browser.find_element(By.ID, "panel")
    wait_until(panel.is_displayed)
    for link in CUT_LINKS:
        assert link in panel.text
    assert f"{len(cut_by_pop)} cơ quan mất kết nối" in panel.text


def test_drill_down_to_a_district_and_an_agency(browser: Any, site: tuple[str, Any]) -> None:
    base, _ = site
    open_map(browser, base)
    snap = api(base)
    click_node(browser, "district:hue")
    wait_until(lambda: browser.execute_script("return netmonMap.view().level") == "district")
    agencies = {n["ref"]: n for n in nodes(browser, "agency")}
    hue = [a for a in snap["agencies"] if a["group"] == "hue"]
    assert set(agencies) == {a["id"] for a in hue}
    for a in hue:
        assert agencies[a["id"]]["state"] == ("ok" if a["reachable"] else "cut")
    assert browser.execute_script("return netmonMap.zoom()") >= 0.8  # labels stay readable
    path = screenshot(browser, "map-district-hue.png")
    assert path.stat().st_size > 10_000
    from selenium.webdriver.common.by import By

    banner = browser.find_element(By.ID, "banner").text
    assert f"{sum(not a['reachable'] for a in hue)} cơ quan mất kết nối do PoP Huế" in banner
    # an agency: the first one drawn (cut-off agencies come first)
    first = min(
        (n for n in nodes(browser, "agency")),
        key=lambda n: (n["state"] != "cut", n["label"]),
    )
    click_node(browser, first["id"])
    wait_until(lambda: browser.execute_script("return netmonMap.view().level") == "agency")
    panel = browser.find_element(By.ID, "panel")
    wait_until(panel.is_displayed)
    agency = next(a for a in snap["agencies"] if a["id"] == first["ref"])
    assert agency["name"] in panel.text
    crumbs = browser.find_element(By.ID, "crumbs").text
    assert "Thành phố Huế" in crumbs and agency["name"] in crumbs
    browser.back()  # the address names the level: the browser's back goes up again
    wait_until(lambda: browser.execute_script("return netmonMap.view().level") == "district")


@pytest.mark.parametrize("query", ["ubnd huong thuy", "UBND Hương Thủy", "ubnd  HUONG thuy"])
def test_search_finds_an_agency_typed_with_or_without_diacritics(
    browser: Any, site: tuple[str, Any], query: str
) -> None:
    from selenium.webdriver.common.by import By

    base, _ = site
    open_map(browser, base)
    snap = api(base)
    words = fold(query).split()
    expected = {
        a["id"]
        for a in snap["agencies"]
        if all(w in fold(a["name"] + " " + a["id"]) for w in words)
    }
    assert "ubnd-huong-thuy" in expected
    box = browser.find_element(By.ID, "search")
    box.clear()
    box.send_keys(query)
    items = wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, "#results li[data-id]"))
    found = {li.get_attribute("data-id") for li in items}
    assert found <= expected and len(found) == min(12, len(expected))
    target = next(li for li in items if li.get_attribute("data-id") == "ubnd-huong-thuy")
    target.click()
    wait_until(lambda: browser.execute_script("return netmonMap.view()")["id"] == "ubnd-huong-thuy")
    assert "UBND thị xã Hương Thủy" in browser.find_element(By.ID, "panel").text


def test_the_map_follows_the_snapshot_and_fetches_only_from_netmon(
    browser: Any, site: tuple[str, Any]
) -> None:
    base, holder = site
    open_map(browser, base)
    loads = browser.execute_script("return netmonMap.loads()")
    holder.set(hue_state(cut=False))  # the next cycle: pop-hue back
    wait_until(
        lambda: browser.execute_script("return netmonMap.loads()") > loads,
        timeout=40,
        message="the map did not read the snapshot again",
    )
    total = api(base)["coverage"]["total"]
    from selenium.webdriver.common.by import By

    cov = browser.find_element(By.ID, "coverage")
    wait_until(lambda: cov.get_attribute("data-reachable") == str(total["reachable"]))
    pop = next(n for n in nodes(browser, "pop") if n["ref"] == "pop-hue")
    assert pop["state"] == "up" and pop["cause"] == 0
    urls = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert urls and all(u.startswith(base + "/") for u in urls), urls
    holder.set(hue_state())


def test_national_size_collapses_provinces(tmp_path_factory: pytest.TempPathFactory) -> None:
    from netmon.gen.inventory import national, write
    from netmon.inventory import load_inventory

    folder = tmp_path_factory.mktemp("national")
    write(national(provinces=63, per_province=30, pops=3), folder)
    inv = load_inventory(folder)
    with (
        serving(synth.state(inv, synth.results(inv, dead={"p07-pop2"}))) as (base, _),
        chromium(tmp_path_factory.mktemp("chromium2") / "profile") as browser,
    ):
        open_map(browser, base)
        snap = api(base)
        regions = nodes(browser, "region")
        assert len(regions) == 63
        assert sum(r["total"] for r in regions) == snap["coverage"]["total"]["total"]
        assert sum(r["reachable"] for r in regions) == snap["coverage"]["total"]["reachable"]
        assert not nodes(browser, "district") and not nodes(browser, "agency")
        bad = [r for r in regions if r["reachable"] < r["total"]]
        assert [r["ref"] for r in bad] == ["p07-core"]
        screenshot(browser, "map-national.png")
        click_node(browser, "region:p07-core")
        wait_until(lambda: browser.execute_script("return netmonMap.view().level") == "region")
        districts = {n["ref"] for n in nodes(browser, "district")}
        assert districts == {g["id"] for g in snap["groups"] if g["id"].startswith("p07-")}
