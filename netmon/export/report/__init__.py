"""Report renderers: one module per format, one map from format to renderer.

A renderer takes a Snapshot and the report (view) asked for and returns text. Adding a format
is one module and one line in RENDERERS.
"""

from __future__ import annotations

from collections.abc import Callable

from netmon.errors import RenderError
from netmon.export.report import dot, graphml, jsondoc, svg, table
from netmon.export.report.views import VIEWS, View, label, view_data
from netmon.model.snapshot import Snapshot

Renderer = Callable[[Snapshot, View], str]

RENDERERS: dict[str, Renderer] = {
    "table": table.render,
    "json": jsondoc.render,
    "dot": dot.render,
    "graphml": graphml.render,
    "svg": svg.render,
}
# Formats that draw the graph: for every report but coverage, which is a set of counts.
GRAPH_FORMATS = ("dot", "graphml", "svg")
FORMATS_OF: dict[View, tuple[str, ...]] = {
    v: tuple(RENDERERS) if v != "coverage" else ("table", "json") for v in VIEWS
}


def render(snapshot: Snapshot, view: View, fmt: str) -> str:
    if fmt not in FORMATS_OF[view]:
        raise ValueError(
            f"report {view} has no {fmt} output (choose from {', '.join(FORMATS_OF[view])})"
        )
    return RENDERERS[fmt](snapshot, view)


__all__ = [
    "FORMATS_OF",
    "GRAPH_FORMATS",
    "RENDERERS",
    "VIEWS",
    "RenderError",
    "Renderer",
    "View",
    "label",
    "render",
    "view_data",
]
