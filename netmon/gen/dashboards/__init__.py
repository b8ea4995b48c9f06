"""Grafana dashboards generated with grafana-foundation-sdk (pinned to the Grafana 11.6 line).

`python -m netmon.gen.dashboards --out exporters/grafana/dashboards` writes one JSON file per
dashboard; a test checks the committed files equal this output, and another runs every PromQL
expression in them against a real Prometheus.
"""

from __future__ import annotations

import json

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from netmon.gen.dashboards.boards import links, overview
from netmon.gen.dashboards.detail import agency, health, topology

BOARDS = {
    "netmon-overview": overview,
    "netmon-links": links,
    "netmon-agency": agency,
    "netmon-topology": topology,
    "netmon-health": health,
}


def render(uid: str) -> str:
    board = json.loads(json.dumps(BOARDS[uid]().build(), cls=JSONEncoder))
    # Every panel, rows too, gets its own id in layout order: Grafana keys panel state, links
    # (viewPanel=ID) and library panels on it; the SDK leaves panels without one and rows at 0.
    for number, panel in enumerate(board["panels"], start=1):
        panel["id"] = number
    return json.dumps(board, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def render_all() -> dict[str, str]:
    return {f"{uid}.json": render(uid) for uid in BOARDS}


__all__ = ["BOARDS", "render", "render_all"]
