"""GraphML of the merged topology, device by device, for yEd, Gephi, networkx and friends.

Unlike the DOT drawing (one node per agency, healthy access links implied), this is the whole
graph: every device, every declared link with its state and origin, every discovered adjacency.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from netmon.export.report.views import View
from netmon.model.snapshot import Snapshot

NS = "http://graphml.graphdrawing.org/xmlns"

NODE_KEYS = {
    "label": "string",
    "role": "string",
    "site": "string",
    "agency": "string",
    "group": "string",
    "status": "string",
    "reachable": "boolean",
    "spof_agencies": "int",
}
EDGE_KEYS = {
    "link": "string",
    "kind": "string",
    "capacity_bps": "long",
    "status": "string",
    "origin": "string",
    "drift": "string",
}


def render(snapshot: Snapshot, view: View, page: str | None = None) -> str:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}graphml")
    for where, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys.items():
            ET.SubElement(
                root,
                f"{{{NS}}}key",
                {"id": f"{where[0]}_{name}", "for": where, "attr.name": name, "attr.type": kind},
            )
    graph = ET.SubElement(
        root, f"{{{NS}}}graph", {"id": snapshot.inventory, "edgedefault": "undirected"}
    )

    def data(parent: ET.Element, key: str, value: object) -> None:
        if value is None or value == "":
            return
        text = str(value).lower() if isinstance(value, bool) else str(value)
        ET.SubElement(parent, f"{{{NS}}}data", {"key": key}).text = text

    blast = {
        b.element.id: len(b.agencies)
        for b in snapshot.current.spofs
        if b.element.kind in ("site", "device")
    }
    sites = {s.id: s for s in snapshot.sites}
    for d in snapshot.devices:
        n = ET.SubElement(graph, f"{{{NS}}}node", {"id": d.id})
        agency = snapshot.agency_by_id.get(d.agency or "")
        site = sites.get(d.site or "")
        data(n, "n_label", agency.name if agency else site.name if site else d.id)
        data(n, "n_role", d.role)
        data(n, "n_site", d.site)
        data(n, "n_agency", d.agency)
        data(n, "n_group", agency.group if agency else site.group if site else None)
        data(n, "n_status", d.status)
        data(n, "n_reachable", d.reachable)
        data(n, "n_spof_agencies", blast.get(d.site or "", blast.get(d.id, 0)))
    for lk in snapshot.links:
        e = ET.SubElement(
            graph, f"{{{NS}}}edge", {"id": lk.id, "source": lk.a.device, "target": lk.b.device}
        )
        for key, value in (
            ("link", lk.id),
            ("kind", lk.kind),
            ("capacity_bps", lk.capacity_bps),
            ("status", lk.status),
            ("origin", lk.origin),
            ("drift", lk.drift),
        ):
            data(e, f"e_{key}", value)
    for i, seen in enumerate(snapshot.discovered):
        e = ET.SubElement(
            graph,
            f"{{{NS}}}edge",
            {"id": f"discovered-{i}", "source": seen.a.device, "target": seen.b.device},
        )
        data(e, "e_link", f"{seen.a}--{seen.b}")
        data(e, "e_origin", seen.origin)
        data(e, "e_drift", "undeclared")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
