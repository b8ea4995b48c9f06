"""The map's files: the vendored library is what VENDOR.json says, the page asks for nothing
outside netmon, every file is served at its fixed path, and so are the SVG's district pages."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import aiohttp
import pytest

from export import synth
from export.test_http import ready_holder, run, serving
from netmon.export import webmap
from netmon.export.report.dot import pages
from netmon.model import snapshot_to_json

WEB = Path(webmap.__file__).parent / "web"
REPO = Path(__file__).parents[2]


def test_the_vendored_library_is_the_one_recorded() -> None:
    manifest = webmap.vendored()
    assert manifest["name"] == "cytoscape" and manifest["license"] == "MIT"
    body = (WEB / "vendor" / manifest["file"]).read_bytes()
    assert hashlib.sha256(body).hexdigest() == manifest["sha256"]
    assert manifest["version"].encode() in body  # the build names its own version
    licence = (WEB / "vendor" / manifest["licence_file"]).read_text(encoding="utf-8")
    assert "Permission is hereby granted, free of charge" in licence  # MIT's text
    assert manifest["integrity"].startswith("sha512-")
    script = REPO / "tools" / "vendor-web.sh"
    assert script.exists() and "npm pack" in script.read_text(encoding="utf-8")


def test_the_page_and_its_scripts_ask_for_nothing_outside_netmon() -> None:
    for name in ("index.html", "map.css", "model.js", "views.js", "app.js"):
        text = (WEB / name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), name
        assert "@import" not in text and "fonts.googleapis" not in text, name
    html = (WEB / "index.html").read_text(encoding="utf-8")
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert srcs and all(not s.startswith(("http", "//", "/")) for s in srcs), srcs
    assert {s for s in srcs if s.startswith("map/")} <= {u.removeprefix("/") for u in webmap.ASSETS}


def test_every_map_file_is_served_with_its_type() -> None:
    async def go() -> None:
        async with serving(ready_holder()) as url, aiohttp.ClientSession() as http:
            for path, (name, kind) in webmap.ASSETS.items():
                r = await http.get(f"{url}{path}")
                assert r.status == 200, path
                assert r.headers["Content-Type"].startswith(kind), path
                assert await r.read() == (WEB / name).read_bytes()
            assert (await http.get(f"{url}/map/../config.yaml")).status == 404
            assert (await http.get(f"{url}/map/other.js")).status == 404

    run(go)


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")
def test_district_pages_are_served_and_linked_from_the_overview() -> None:
    holder = ready_holder()
    snap = holder.get().snapshot
    assert snap is not None

    async def go() -> None:
        async with serving(holder) as url, aiohttp.ClientSession() as http:
            overview = await (await http.get(f"{url}/topology.svg")).text()
            for page in pages(snap):
                r = await http.get(f"{url}/topology/{page}.svg")
                assert r.status == 200 and r.headers["Content-Type"].startswith("image/svg+xml"), (
                    page
                )
                text = await r.text()
                assert 'href="../topology.svg"' in text
                if "." not in page:
                    assert f'href="topology/{page}.svg"' in overview
            assert (await http.get(f"{url}/topology/no-such-district.svg")).status == 404
            assert (await http.get(f"{url}/topology/nodes.json")).status == 200

    run(go)


def test_the_map_reads_the_snapshot_format_it_knows() -> None:
    """model.js reads netmon-snapshot/1's fields by name: they must all exist in one."""
    inv = synth.inventory()
    built = synth.state(inv, synth.results(inv)).snapshot
    assert built is not None
    snap = json.loads(snapshot_to_json(built))
    assert snap["format"] == "netmon-snapshot/1"
    js = "".join((WEB / n).read_text(encoding="utf-8") for n in ("model.js", "views.js", "app.js"))
    for key in re.findall(r"snap\.([a-z_]+)", js):
        assert key.startswith("_") or key in snap, key
    for key in ("reachable", "causes", "spofs_declared", "services_cut", "devices", "group"):
        assert key in snap["agencies"][0]
