"""What each report shows, as plain data: the JSON output is this, the tables are drawn from it.

One place decides the content of a report, so `-o json` and `-o table` never disagree.
"""

from __future__ import annotations

from typing import Any, Literal

from netmon.model.snapshot import BlastRadius, Element, Redundancy, Snapshot, to_data

View = Literal["coverage", "spof", "drift", "links", "topology"]
VIEWS: tuple[View, ...] = ("coverage", "spof", "drift", "links", "topology")


def label(snapshot: Snapshot, element: Element) -> str:
    """A name a person recognises: the site's or agency's name, else the id."""
    if element.kind == "site":
        site = snapshot.site_by_id.get(element.id)
        return site.name if site else element.id
    if element.kind == "device":
        device = snapshot.device_by_id.get(element.id)
        if device and device.agency and device.agency in snapshot.agency_by_id:
            return snapshot.agency_by_id[device.agency].name
        if device and device.site:
            return label(snapshot, Element("site", device.site))
    return element.id


def _head(snapshot: Snapshot, view: View) -> dict[str, Any]:
    return {
        "report": view,
        "inventory": snapshot.inventory,
        "at": snapshot.at,
        "probed": snapshot.probed,
    }


def coverage(snapshot: Snapshot) -> dict[str, Any]:
    c = snapshot.coverage
    return {
        **_head(snapshot, "coverage"),
        "total": to_data(c.total),
        "by_level": to_data(c.by_level),
        "by_group": to_data(c.by_group),
        "by_service": to_data(c.by_service),
        "cut_off": [
            {
                "agency": a.id,
                "name": a.name,
                "level": a.level,
                "group": a.group,
                "causes": to_data(a.causes),
                "services_cut": list(a.services_cut),
            }
            for a in snapshot.cut_off()
        ],
    }


def _blast(snapshot: Snapshot, b: BlastRadius) -> dict[str, Any]:
    return {
        "kind": b.element.kind,
        "id": b.element.id,
        "name": label(snapshot, b.element),
        "blast_radius": len(b.agencies),
        "agencies": list(b.agencies),
    }


def _redundancy(snapshot: Snapshot, r: Redundancy) -> dict[str, Any]:
    return {
        "single_points_of_failure": [_blast(snapshot, b) for b in r.spofs],
        "articulation_points": list(r.articulation_points),
        "bridges": list(r.bridges),
        "single_path_agencies": list(r.single_path),
    }


def spof(snapshot: Snapshot) -> dict[str, Any]:
    declared = _redundancy(snapshot, snapshot.declared)
    # A design, or a cycle where nothing changed, shares one Redundancy: one dict for both, so
    # the writers can write it once and copy it (jsondoc.dumps: 17 MB at national size).
    same = snapshot.current is snapshot.declared
    return {
        **_head(snapshot, "spof"),
        "declared": declared,
        "current": declared if same else _redundancy(snapshot, snapshot.current),
    }


def drift(snapshot: Snapshot) -> dict[str, Any]:
    return {
        **_head(snapshot, "drift"),
        "counts": snapshot.drift_counts(),
        "drift": to_data(snapshot.drift),
    }


def links(snapshot: Snapshot) -> dict[str, Any]:
    return {
        **_head(snapshot, "links"),
        "links": to_data(snapshot.links),
        "discovered": to_data(snapshot.discovered),
    }


def topology(snapshot: Snapshot) -> dict[str, Any]:
    # The whole snapshot, loadable again with --snapshot.
    from netmon.model.snapshot import FORMAT

    return {"format": FORMAT, **to_data(snapshot)}


BUILDERS = {
    "coverage": coverage,
    "spof": spof,
    "drift": drift,
    "links": links,
    "topology": topology,
}


def view_data(snapshot: Snapshot, view: View) -> dict[str, Any]:
    return BUILDERS[view](snapshot)
