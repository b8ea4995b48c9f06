"""The inventory for people (a summary) and for other tools (JSON, nornir, Ansible, file_sd)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network
from typing import Any

import yaml

from netmon.model import Inventory

# Ansible's network_os for each netmon platform (linux needs none).
_ANSIBLE_OS = {
    "cisco_ios": "cisco.ios.ios",
    "cisco_nxos": "cisco.nxos.nxos",
    "arista_eos": "arista.eos.eos",
    "juniper_junos": "junipernetworks.junos.junos",
    "huawei_vrp": "community.network.ce",
    "mikrotik_routeros": "community.routeros.routeros",
}


def summary(inv: Inventory) -> dict[str, Any]:
    """Counts the NOC asks for first; `agencies`, `by_level`, `devices`, `links` are counts.

    by_level: agencies per level, the levels in the order the agencies first name them;
    by_group: agencies per group with any, by id. Counted here, from the inventory alone: the
    declared design's coverage has the same totals (tests/test_cli.py checks they agree), but
    analysing the design to count them cost `inventory show` 1.9 s at national size.
    """
    by_level = Counter(a.level for a in inv.agencies)
    by_group = Counter(a.group for a in inv.agencies)
    level_names = {lv.id: lv.name for lv in inv.levels}
    return {
        "name": inv.name,
        "lab": inv.lab,
        "agencies": len(inv.agencies),
        "by_level": dict(by_level),
        "level_names": level_names,
        "by_group": dict(sorted(by_group.items())),
        "by_platform": dict(sorted(Counter(d.platform for d in inv.devices).items())),
        "by_role": dict(Counter(d.role for d in inv.devices)),
        "sites": len(inv.sites),
        "devices": len(inv.devices),
        "links": len(inv.links),
        "by_link_kind": dict(Counter(lk.kind for lk in inv.links)),
        "dual_homed": len(inv.dual_homed),
        "services": [s.id for s in inv.services],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, IPv4Address | IPv4Network):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(inv: Inventory) -> str:
    data = {
        f.name: _plain(dataclasses.asdict(inv)[f.name])
        for f in dataclasses.fields(inv)
        if f.name != "source"
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def _device_facts(inv: Inventory) -> dict[str, dict[str, str]]:
    """Bounded labels per device: agency, level, group, role, platform."""
    out: dict[str, dict[str, str]] = {}
    for d in inv.devices:
        facts = {"device": d.id, "role": d.role, "platform": d.platform}
        if d.agency is not None:
            agency = inv.agency_by_id[d.agency]
            facts.update(agency=agency.id, level=agency.level, group=agency.group)
        elif d.site is not None:
            facts["site"] = d.site
            group = inv.site_by_id[d.site].group
            if group:
                facts["group"] = group
        out[d.id] = facts
    return out


def to_file_sd(inv: Inventory) -> str:
    facts = _device_facts(inv)
    targets = [{"targets": [str(d.mgmt)], "labels": facts[d.id]} for d in inv.devices]
    return json.dumps(targets, ensure_ascii=False, indent=2)


def to_nornir(inv: Inventory) -> dict[str, str]:
    """nornir's SimpleInventory: hosts.yaml, groups.yaml (every group a host names, so the
    inventory loads) and defaults.yaml. Credentials stay out: nornir gets them elsewhere.

    A host's groups are the inventory's device groups (`device_groups:`) it belongs to, and
    `role_<role>`; each group carries what all its hosts share (platform), the rest is per host.
    """
    facts = _device_facts(inv)
    hosts: dict[str, Any] = {}
    members: dict[str, list[str]] = {}
    for d in inv.devices:
        groups = [*d.groups, f"role_{d.role}"]
        for g in groups:
            members.setdefault(g, []).append(d.platform)
        hosts[d.id] = {
            "hostname": str(d.mgmt),
            "platform": d.platform,
            "groups": groups,
            "data": {k: v for k, v in facts[d.id].items() if k not in ("device", "platform")},
        }
    groups_doc: dict[str, Any] = {}
    for g, platforms in sorted(members.items()):
        shared = set(platforms)
        groups_doc[g] = {"platform": platforms[0]} if len(shared) == 1 else {}
        groups_doc[g]["data"] = {"netmon_group": g}

    def dump(doc: dict[str, Any]) -> str:
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)

    return {
        "hosts.yaml": dump(hosts),
        "groups.yaml": dump(groups_doc),
        "defaults.yaml": dump({"data": {"netmon_inventory": inv.name}}),
    }


def to_ansible(inv: Inventory) -> str:
    """An Ansible YAML inventory: groups by role and by netmon group, hosts by device id."""
    facts = _device_facts(inv)
    children: dict[str, dict[str, Any]] = {}
    for d in inv.devices:
        host: dict[str, Any] = {"ansible_host": str(d.mgmt)}
        if d.platform in _ANSIBLE_OS:
            host.update(
                ansible_network_os=_ANSIBLE_OS[d.platform], ansible_connection="network_cli"
            )
        host.update({f"netmon_{k}": v for k, v in facts[d.id].items() if k != "device"})
        names = [f"role_{d.role}"] + [f"group_{g}".replace("-", "_") for g in d.groups]
        for name in names:
            children.setdefault(name, {"hosts": {}})["hosts"][d.id] = host
    return yaml.safe_dump({"all": {"children": children}}, allow_unicode=True, sort_keys=False)


# One document, printed on stdout.
FORMATS: dict[str, Callable[[Inventory], str]] = {
    "json": to_json,
    "ansible": to_ansible,
    "file_sd": to_file_sd,
}
# Several files (name -> text), written to a folder.
FOLDERS: dict[str, Callable[[Inventory], dict[str, str]]] = {"nornir": to_nornir}
