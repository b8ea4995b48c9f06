"""Report renderers: one module per format, one map from format to renderer.

A renderer takes a Snapshot, the report (view) asked for and a page (district pages of the
topology drawing; None for everything else) and returns text. Adding a format is one module
and one line in RENDERERS.
"""

from __future__ import annotations

from collections.abc import Callable

from netmon.errors import RenderError
from netmon.export.report import dot, graphml, jsondoc, svg
from netmon.export.report.views import VIEWS, View, label, view_data
from netmon.model.snapshot import Snapshot

Renderer = Callable[[Snapshot, View, str | None], str]


def _table(snapshot: Snapshot, view: View, page: str | None) -> str:
    # Imported when a table is asked for: rich costs every other report 0.013 s of its start.
    from netmon.export.report import table

    return table.render(snapshot, view, page)


RENDERERS: dict[str, Renderer] = {
    "table": _table,
    "json": jsondoc.render,
    "dot": dot.render,
    "graphml": graphml.render,
    "svg": svg.render,
}
# Drawings (dot, svg): every report but coverage (a set of counts) has its own picture.
# GraphML is the graph itself, the same for every report: offered by topology only.
GRAPH_FORMATS = ("dot", "graphml", "svg")
DRAWINGS = ("dot", "svg")
FORMATS_OF: dict[View, tuple[str, ...]] = {
    "coverage": ("table", "json"),
    "spof": ("table", "json", "dot", "svg"),
    "drift": ("table", "json", "dot", "svg"),
    "links": ("table", "json", "dot", "svg"),
    "topology": ("table", "json", "dot", "graphml", "svg"),
}


def render(snapshot: Snapshot, view: View, fmt: str, page: str | None = None) -> str:
    """The report as text; `page`: a district page of the topology drawing (`ID` or `ID.N`)."""
    if fmt not in FORMATS_OF[view]:
        raise ValueError(
            f"report {view} has no {fmt} output (choose from {', '.join(FORMATS_OF[view])})"
        )
    if page is not None and (view != "topology" or fmt not in DRAWINGS):
        raise ValueError("a district page is a drawing of the topology report (-o dot or svg)")
    return RENDERERS[fmt](snapshot, view, page)


__all__ = [
    "DRAWINGS",
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
