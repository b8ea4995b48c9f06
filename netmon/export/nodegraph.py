"""/topology/nodes.json and /topology/edges.json: the shape Grafana's Node Graph panel reads.

Field names are the panel's (`id`, `title`, `subtitle`, `mainstat`, `secondarystat`, `color`,
`arc__*` fractions that add up to 1, `detail__*` shown on hover; edges `id`, `source`,
`target`, `mainstat`, `secondarystat`, `thickness`, `strokeDasharray`). A JSON datasource
(yesoreyeram-infinity-datasource with format node-graph-nodes / node-graph-edges) turns each
list into the data frame the panel expects; docs/metrics.md shows the panel setup.
"""

from __future__ import annotations

from typing import Any

from netmon.model import Snapshot

_COLOUR = {"up": "#56A64B", "down": "#E02F44", "unknown": "#8E8E8E", "unreachable": "#F2CC0C"}
_MAINSTAT = {
    "up": "hoạt động / up",
    "down": "mất kết nối / down",
    "unreachable": "không tới được / unreachable",
}
_ROLE_RADIUS = {"core": 40, "pop": 30, "cpe": 16}


def _rate(bps: int) -> str:
    for unit, size in (("Gb/s", 10**9), ("Mb/s", 10**6), ("kb/s", 10**3)):
        if bps >= size:
            return f"{bps / size:g} {unit}"
    return f"{bps} b/s"


def nodes(s: Snapshot) -> list[dict[str, Any]]:
    sites = {x.id: x for x in s.sites}
    out = []
    for d in s.devices:
        agency = s.agency_by_id.get(d.agency) if d.agency else None
        site = sites.get(d.site) if d.site else None
        # A device that answers but has no path to the core is shown as cut off, not as up.
        state = d.status if d.reachable or d.status != "up" else "down"
        title = agency.name if agency else site.name if site else d.id
        out.append(
            {
                "id": d.id,
                "title": title,
                "subtitle": f"{d.role} {d.id}",
                "mainstat": _MAINSTAT.get(state, "chưa rõ / unknown"),
                "secondarystat": agency.group if agency else (site.group or "") if site else "",
                "color": _COLOUR[state],
                "arc__up": 1.0 if state == "up" else 0.0,
                "arc__down": 1.0 if state == "down" else 0.0,
                "arc__unknown": 1.0 if state == "unknown" else 0.0,
                # Silent behind a failure (in-band): neither up nor down.
                "arc__unreachable": 1.0 if state == "unreachable" else 0.0,
                "detail__behind": ", ".join(f"{c.kind} {c.id} {c.state}" for c in d.causes),
                "nodeRadius": _ROLE_RADIUS.get(d.role, 16),
                "detail__role": d.role,
                "detail__agency": d.agency or "",
                "detail__probes_failed": ",".join(d.probes_failed),
            }
        )
    return out


def edges(s: Snapshot) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for lk in s.links:
        out.append(
            {
                "id": lk.id,
                "source": lk.a.device,
                "target": lk.b.device,
                "mainstat": lk.status,
                "secondarystat": _rate(lk.capacity_bps),
                "color": _COLOUR[lk.status],
                "thickness": 3 if lk.kind == "ring" else 1,
                "detail__kind": lk.kind,
                "detail__ends": f"{lk.a} — {lk.b}",
                "detail__drift": lk.drift or "",
            }
        )
    for seen in s.discovered:
        out.append(
            {
                "id": f"lldp:{seen.a}--{seen.b}",
                "source": seen.a.device,
                "target": seen.b.device,
                "mainstat": "undeclared",
                "secondarystat": "LLDP",
                "color": "#FF9830",
                "thickness": 1,
                "strokeDasharray": "4 4",
                "detail__kind": "discovered",
                "detail__ends": f"{seen.a} — {seen.b}",
                "detail__drift": "undeclared",
            }
        )
    return out
