"""`netmon demo|lab up --agencies N`: the first N agencies as an inventory folder of their own.

The lab builds only those agencies (netmon.lab.plan.subset), and `netmon serve` must poll the
same inventory, or coverage would count the agencies the lab left out as cut off. So the demo
writes the subset as one YAML file (JSON is YAML: no quoting traps), from the checked entries
of the source files, and loads it back through the normal loader before using it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netmon.inventory import load_inventory
from netmon.inventory.load import read_folder
from netmon.lab.plan import subset
from netmon.model import Inventory

SUBSET_FILE = "inventory.yaml"


def write_subset(
    source: Path, agencies: int, folder: Path, *, command: str = "netmon demo"
) -> Inventory:
    """Write the first `agencies` agencies of `source` to `folder`; return it as loaded.
    `command`: what wrote it, said in the file's first line (demo, or `lab up`)."""
    inv = subset(load_inventory(source), agencies)
    raw = read_folder(source)
    agency_ids = {a.id for a in inv.agencies}
    device_ids = {d.id for d in inv.devices}
    link_ids = {lk.id for lk in inv.links}
    site_ids = {s.id for s in inv.sites}

    def kept(section: str, ids: set[str]) -> list[dict[str, Any]]:
        return [dict(e.data) for e in raw.sections[section] if e.data["id"] in ids]

    agency_rows = kept("agencies", agency_ids)
    for row in agency_rows:
        if row.get("parent") not in agency_ids:
            row.pop("parent", None)  # the parent agency is not in the subset
    services = []
    for e in raw.sections["services"]:
        row = dict(e.data)
        row["devices"] = [d for d in row["devices"] if d in device_ids]
        services.append(row)
    meta = dict(raw.meta.data) if raw.meta else {}
    meta["name"] = f"{meta.get('name', inv.name)} (first {len(agency_ids)} agencies)"
    doc: dict[str, Any] = {
        "inventory": meta,
        "levels": [dict(e.data) for e in raw.sections["levels"]],
        "groups": [dict(e.data) for e in raw.sections["groups"]],
        "services": services,
        "sites": kept("sites", site_ids),
        "defaults": dict(raw.defaults.data) if raw.defaults else {},
        "device_groups": {k: dict(v.data) for k, v in raw.device_groups.items()},
        "agencies": agency_rows,
        "devices": kept("devices", device_ids),
        "links": kept("links", link_ids),
    }
    folder.mkdir(parents=True, exist_ok=True)
    header = f"# Written by `{command} --agencies {agencies}` from {source}: do not edit.\n"
    text = json.dumps(doc, ensure_ascii=False, indent=1, default=str)
    (folder / SUBSET_FILE).write_text(header + text + "\n", encoding="utf-8")
    return load_inventory(folder)
