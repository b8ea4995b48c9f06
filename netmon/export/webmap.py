"""The map's files: a page and its scripts, package data of netmon.export (`web/`), served from
memory at fixed paths. The page reads /api/snapshot; nothing is fetched from anywhere else
(the JavaScript graph library is vendored in `web/vendor/`, see its VENDOR.json).

No path parameter reaches the file system: the routes are the list below, read once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

# URL under /map -> (file under web/, content type)
ASSETS: dict[str, tuple[str, str]] = {
    "/map": ("index.html", "text/html"),
    "/map/map.css": ("map.css", "text/css"),
    "/map/model.js": ("model.js", "text/javascript"),
    "/map/views.js": ("views.js", "text/javascript"),
    "/map/app.js": ("app.js", "text/javascript"),
    "/map/vendor/cytoscape.min.js": ("vendor/cytoscape.min.js", "text/javascript"),
    "/map/vendor/cytoscape.LICENSE": ("vendor/cytoscape.LICENSE", "text/plain"),
    "/map/vendor/VENDOR.json": ("vendor/VENDOR.json", "application/json"),
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str


def load_assets() -> dict[str, Asset]:
    """Every file of the map, read from the installed package."""
    web = files("netmon.export").joinpath("web")
    out: dict[str, Asset] = {}
    for url, (name, kind) in ASSETS.items():
        path = web
        for part in name.split("/"):
            path = path.joinpath(part)
        out[url] = Asset(path.read_bytes(), kind)
    return out


def vendored() -> dict[str, Any]:
    """The vendored library's manifest: name, version, licence, integrity."""
    text = files("netmon.export").joinpath("web", "vendor", "VENDOR.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
