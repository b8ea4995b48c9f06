"""The inventory file format, as a spec: the checker and the JSON Schema both come from here.

inventory/README.md explains it for people; keep the two in step.
"""

from __future__ import annotations

from netmon.model import DEVICE_ROLES, LINK_KINDS, PLATFORMS, SITE_ROLES
from netmon.probes import KINDS
from netmon.yamlspec import Bool, Field, Float, Int, ListOf, MapOf, Obj, Str

ID_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?"
ID_HINT = "ids are lower-case letters, digits and '-', at most 64 characters"
# Interface names as vendors write them: `GigabitEthernet 1/1/1` (Ruijie, H3C: a space),
# `25GE1/0/1` (Huawei), `ge-0/0/0.100`, `Eth1/1`, `lo0 (ifIndex 4179)` (how netmon tells two
# interfaces with one ifName apart). No leading, trailing or control characters.
IFACE_PATTERN = r"[A-Za-z0-9](?:[ A-Za-z0-9_./:()#+,@-]{0,126}[A-Za-z0-9_./:()#+@-])?"

ID = Str(pattern=ID_PATTERN, pattern_hint=ID_HINT, doc="stable id: lower-case a-z, 0-9, '-'")
NAME = Str(doc="human name, UTF-8 (Vietnamese welcome)")
IFACE = Str(
    pattern=IFACE_PATTERN,
    pattern_hint="letters, digits, spaces inside, and _ . / : ( ) # + , @ -",
    doc="interface name as the device writes it (its ifName)",
)
LOCATION = Obj(
    {
        "lat": Field(Float(minimum=-90, maximum=90), required=True),
        "lon": Field(Float(minimum=-180, maximum=180), required=True),
    },
    doc="WGS84 coordinates",
)

# Each probe kind with a port gives devices a `<kind>_port` key (netmon.probes declares them).
PORT_KEYS: dict[str, str] = {k.port_key: k.name for k in KINDS.values() if k.port_key}
SETTINGS_FIELDS: dict[str, Field] = {
    "platform": Field(
        Str(
            enum=PLATFORMS,
            doc="what the device runs: decides SSH commands and parsers (default: other, "
            "which the ssh probe refuses)",
        )
    ),
    "probes": Field(ListOf(Str(enum=tuple(KINDS)), doc="probes that apply to the device")),
    "credentials": Field(
        Obj(
            {"snmp": Field(ID), "ssh": Field(ID)},
            doc="names of credential sets defined in config.yaml (never secrets)",
        )
    ),
    **{
        key: Field(
            Int(
                minimum=1,
                maximum=65535,
                doc=f"port the {kind} probe uses (default {KINDS[kind].port})",
            )
        )
        for key, kind in PORT_KEYS.items()
    },
}
SETTINGS = Obj(dict(SETTINGS_FIELDS), doc="device settings, inherited defaults -> groups -> device")

DEVICE = Obj(
    {
        "id": Field(ID, required=True),
        "role": Field(Str(enum=DEVICE_ROLES), required=True),
        "site": Field(ID),
        "agency": Field(ID),
        "mgmt": Field(Str(doc="IPv4 management address"), required=True),
        "interfaces": Field(ListOf(IFACE, min_items=1), required=True),
        "groups": Field(ListOf(ID)),
        **SETTINGS_FIELDS,
    },
    one_of=("site", "agency"),
    doc="a managed device: core or PoP router (site) or an agency's CPE (agency)",
)
ENDPOINT = Obj({"device": Field(ID, required=True), "interface": Field(IFACE, required=True)})

SECTIONS: dict[str, Field] = {
    "inventory": Field(
        Obj(
            {
                "name": Field(NAME, required=True),
                "lab": Field(Bool(doc="true: a replica the lab builds; refused outside the lab")),
                "management_network": Field(Str(doc="CIDR every management address falls in")),
            }
        )
    ),
    "levels": Field(
        ListOf(Obj({"id": Field(ID, required=True), "name": Field(NAME, required=True)}))
    ),
    "groups": Field(
        ListOf(
            Obj(
                {
                    "id": Field(ID, required=True),
                    "name": Field(NAME, required=True),
                    "kind": Field(Str(pattern=ID_PATTERN, pattern_hint=ID_HINT), required=True),
                }
            )
        )
    ),
    "services": Field(
        ListOf(
            Obj(
                {
                    "id": Field(ID, required=True),
                    "name": Field(NAME, required=True),
                    "devices": Field(ListOf(ID, min_items=1), required=True),
                }
            )
        )
    ),
    "sites": Field(
        ListOf(
            Obj(
                {
                    "id": Field(ID, required=True),
                    "name": Field(NAME, required=True),
                    "role": Field(Str(enum=SITE_ROLES), required=True),
                    "group": Field(ID),
                    "location": Field(LOCATION),
                }
            )
        )
    ),
    "agencies": Field(
        ListOf(
            Obj(
                {
                    "id": Field(ID, required=True),
                    "name": Field(NAME, required=True),
                    "level": Field(ID, required=True),
                    "group": Field(ID, required=True),
                    "parent": Field(ID),
                    "services": Field(ListOf(ID)),
                    "location": Field(LOCATION),
                }
            )
        )
    ),
    "defaults": Field(SETTINGS),
    "device_groups": Field(MapOf(SETTINGS, key_pattern=ID_PATTERN)),
    "devices": Field(ListOf(DEVICE)),
    "links": Field(
        ListOf(
            Obj(
                {
                    "id": Field(ID, required=True),
                    "a": Field(ENDPOINT, required=True),
                    "b": Field(ENDPOINT, required=True),
                    "kind": Field(Str(enum=LINK_KINDS), required=True),
                    "capacity_mbps": Field(Int(minimum=1, maximum=10_000_000), required=True),
                }
            )
        )
    ),
}
FILE = Obj(
    SECTIONS,
    title="netmon inventory file",
    doc="One file of a netmon inventory folder; see inventory/README.md",
)
