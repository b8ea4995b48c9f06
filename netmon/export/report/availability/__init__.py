"""Renderers of the availability report, one module per format, beside the topology reports'
(which render a Snapshot; these render an AvailabilityReport measured from Prometheus)."""

from __future__ import annotations

from collections.abc import Callable

from netmon.export.report.availability import csvdoc, html, jsondoc, table
from netmon.model.availability import AvailabilityReport

AvailabilityRenderer = Callable[[AvailabilityReport], str]

RENDERERS: dict[str, AvailabilityRenderer] = {
    "table": table.render,
    "json": jsondoc.render,
    "csv": csvdoc.render,
    "html": html.render,
}
CONTENT_TYPES = {
    "table": "text/plain; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def render(report: AvailabilityReport, fmt: str) -> str:
    if fmt not in RENDERERS:
        raise ValueError(f"no availability format {fmt!r} (choose from {', '.join(RENDERERS)})")
    return RENDERERS[fmt](report)


__all__ = ["CONTENT_TYPES", "RENDERERS", "AvailabilityRenderer", "render"]
