"""LLDP-MIB as vendors serve it: the OIDs netmon reads and how a row becomes a Neighbour.

Three things real agents do differently from lldpd:
- **Local ports.** lldpRemLocalPortNum is an ifIndex on lldpd and most agents, but not on all
  (Huawei numbers LLDP ports 1..n): lldpLocPortTable says which port it is (by name, alias or
  an ifIndex), so it is asked first, and the number is taken for an ifIndex only when the
  table does not resolve it (NAV's rule, too).
- **Index shapes.** lldpRemTable is indexed timeMark.localPortNum.remIndex; some agents leave
  out remIndex (timeMark.localPortNum), and MikroTik RouterOS uses one neighbour number whose
  local interface is MIKROTIK-MIB mtxrNeighborInterfaceID (an ifIndex).
- **Ids.** Decoded by subtype (mib.format_id): MACs sent as text are normalised, NUL padding
  cut (Cisco Nexus), text that is not UTF-8 kept as escapes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from ipaddress import IPv4Address

from netmon.model.observation import ChassisIdSubtype, Neighbour, PortIdSubtype
from netmon.probes.snmp.client import Oid, Value, oid
from netmon.probes.snmp.mib import Malformed, as_bytes, as_int, as_text, format_id, text

_REM = "1.0.8802.1.1.2.1.4.1.1."
LLDP_COLUMNS: dict[str, Oid] = {
    "chassis_subtype": oid(_REM + "4"),
    "chassis_id": oid(_REM + "5"),
    "port_subtype": oid(_REM + "6"),
    "port_id": oid(_REM + "7"),
    "port_desc": oid(_REM + "8"),
    "sys_name": oid(_REM + "9"),
    # lldpRemManAddrIfSubtype: the address itself is in the index, so one column is enough.
    "man_addr": oid("1.0.8802.1.1.2.1.4.2.1.3"),
}
# The device's own chassis id, asked as non-repeaters of the LLDP walk's first request:
# neighbours that name this chassis can then be matched to this device (topology).
LOC_CHASSIS_SUBTYPE = oid("1.0.8802.1.1.2.1.3.1.0")
LOC_CHASSIS_ID = oid("1.0.8802.1.1.2.1.3.2.0")
LOC_SCALARS = (LOC_CHASSIS_SUBTYPE, LOC_CHASSIS_ID)
_LOC_PORT = "1.0.8802.1.1.2.1.3.7.1."
LOC_PORT_COLUMNS: dict[str, Oid] = {
    "subtype": oid(_LOC_PORT + "2"),  # lldpLocPortIdSubtype
    "id": oid(_LOC_PORT + "3"),  # lldpLocPortId
    "desc": oid(_LOC_PORT + "4"),  # lldpLocPortDesc
}
MTXR_NEIGHBOR_INTERFACE = oid("1.3.6.1.4.1.14988.1.1.11.1.1.8")  # MikroTik: ifIndex

CHASSIS_SUBTYPES: dict[int, ChassisIdSubtype] = {
    1: "chassis_component",
    2: "interface_alias",
    3: "port_component",
    4: "mac_address",
    5: "network_address",
    6: "interface_name",
    7: "local",
}
PORT_SUBTYPES: dict[int, PortIdSubtype] = {
    1: "interface_alias",
    2: "port_component",
    3: "mac_address",
    4: "network_address",
    5: "interface_name",
    6: "agent_circuit_id",
    7: "local",
}
SHAPES = {3: "timeMark.localPortNum.remIndex", 2: "timeMark.localPortNum", 1: "remIndex"}


def shape(rows: Iterable[Oid]) -> int:
    """The index length every lldpRemTable row has (3, 2 or 1); Malformed when they differ
    or the length is none of these."""
    lengths = {len(index) for index in rows}
    if len(lengths) > 1 or not lengths <= set(SHAPES):
        raise Malformed(f"lldpRemTable indexes of {sorted(lengths)} numbers, not one of {SHAPES}")
    return lengths.pop() if lengths else 3


def local_keys(rows: Iterable[Oid], size: int) -> list[Oid]:
    """What to GET to learn each row's local port: lldpLocPortTable for the port numbers of a
    standard index, mtxrNeighborInterfaceID for MikroTik's neighbour numbers."""
    if size == 1:
        return [(*MTXR_NEIGHBOR_INTERFACE, *index) for index in sorted(rows)]
    ports = sorted({index[1] for index in rows})
    return [(*col, n) for n in ports for col in LOC_PORT_COLUMNS.values()]


def _split(name: str) -> tuple[str, str]:
    """'GigabitEthernet 1/1/1' -> ('gigabitethernet', '1/1/1'); 'Gi1/1/1' -> ('gi', '1/1/1')."""
    m = re.match(r"^([A-Za-z-]*)\s*(\d.*)$", name.strip())
    return (m.group(1).lower(), m.group(2).replace(" ", "")) if m else (name.lower(), "")


def match_name(wanted: str, names: Iterable[str]) -> str | None:
    """The one interface `wanted` names: exactly, case aside, or abbreviated the way vendors
    do in LLDP (`Gi1/1/1` for `GigabitEthernet 1/1/1`, `Eth1/1` for `Ethernet1/1`)."""
    if not wanted:
        return None
    pool = list(names)
    if wanted in pool:
        return wanted
    folded = [n for n in pool if n.lower() == wanted.lower()]
    if len(folded) == 1:
        return folded[0]
    prefix, rest = _split(wanted)
    if not prefix or not rest:
        return None
    hits = [n for n in pool if (s := _split(n))[1] == rest and s[0].startswith(prefix)]
    return hits[0] if len(hits) == 1 else None


def local_interfaces(
    rows: Iterable[Oid],
    size: int,
    got: Mapping[Oid, Value],
    names: Mapping[int, str],
    aliases: Mapping[int, str],
) -> dict[Oid, str]:
    """Each lldpRemTable row's local interface name (rows keep their index as the key), from
    the interface table's names and aliases by ifIndex and what `local_keys` asked."""
    out: dict[Oid, str] = {}
    resolved: dict[int, str] = {}
    for index in rows:
        if size == 1:
            v = got.get((*MTXR_NEIGHBOR_INTERFACE, *index))
            if isinstance(v, int) and v in names:
                out[index] = names[v]
            else:
                out[index] = f"mtxrNeighbor.{index[0]}"
            continue
        port = index[1]
        if port not in resolved:
            resolved[port] = _resolve(port, got, names, aliases)
        out[index] = resolved[port]
    return out


def _resolve(
    port: int, got: Mapping[Oid, Value], names: Mapping[int, str], aliases: Mapping[int, str]
) -> str:
    """lldpLocPortTable first (its port id by subtype, then its description), then the port
    number as an ifIndex; a port neither resolves is named by its number."""
    sub, pid, desc = (got.get((*col, port)) for col in LOC_PORT_COLUMNS.values())
    if isinstance(pid, bytes) and pid:
        kind = PORT_SUBTYPES.get(sub) if isinstance(sub, int) else None
        value = format_id(kind or "", pid)
        hit: str | None = None
        if kind == "interface_name":
            hit = match_name(value, names.values())
        elif kind == "interface_alias":
            same = [names[i] for i, a in aliases.items() if a == value and i in names]
            hit = same[0] if len(same) == 1 else None
        elif kind == "local" and value.isdigit() and int(value) in names:
            hit = names[int(value)]
        if hit is None and isinstance(desc, bytes):
            hit = match_name(text(desc), names.values())
        if hit is not None:
            return hit
    if port in names:
        return names[port]
    return f"lldpLocPortNum.{port}"


def man_address(suffix: Oid, size: int) -> tuple[Oid, str] | None:
    """lldpRemManAddrTable index -> (lldpRemTable index, IPv4 address); None if not IPv4."""
    if len(suffix) < size + 2:
        raise Malformed(f"lldpRemManAddrTable index {suffix} too short")
    key, kind, length, addr = suffix[:size], suffix[size], suffix[size + 1], suffix[size + 2 :]
    if kind != 1 or length != 4 or len(addr) != 4:
        return None  # IPv6 and others: the inventory is IPv4
    if any(not 0 <= b <= 255 for b in addr):
        raise Malformed(f"lldpRemManAddrTable address {addr} is not IPv4")
    return key, str(IPv4Address(bytes(addr)))


def neighbours(
    rows: Mapping[Oid, dict[str, Value]], addrs: Mapping[Oid, str], local: Mapping[Oid, str]
) -> tuple[Neighbour, ...]:
    """lldpRemTable rows and management addresses by the same index -> Neighbours, ordered by
    index. A row with neither chassis id nor port id (blank rows some agents keep) is none."""
    out: list[tuple[Oid, Neighbour]] = []
    for index, row in rows.items():
        chassis = as_bytes(row.get("chassis_id", b""), "lldpRemChassisId")
        port = as_bytes(row.get("port_id", b""), "lldpRemPortId")
        if not chassis.strip(b"\x00") and not port.strip(b"\x00"):
            continue
        chassis_kind = CHASSIS_SUBTYPES.get(as_int(row.get("chassis_subtype", 0), "subtype"))
        port_kind = PORT_SUBTYPES.get(as_int(row.get("port_subtype", 0), "subtype"))
        n = Neighbour(
            local_interface=local.get(index, ""),
            chassis_id=format_id(chassis_kind or "", chassis),
            chassis_id_subtype=chassis_kind or "unknown",
            port_id=format_id(port_kind or "", port),
            port_id_subtype=port_kind or "unknown",
            port_description=as_text(row.get("port_desc", b""), "lldpRemPortDesc"),
            sys_name=as_text(row.get("sys_name", b""), "lldpRemSysName"),
            mgmt_address=addrs.get(index, ""),
        )
        out.append((index[1:] if len(index) > 1 else index, n))
    return tuple(n for _, n in sorted(out, key=lambda p: p[0]))


def own_chassis(scalars: Mapping[Oid, Value]) -> tuple[str, ChassisIdSubtype]:
    """lldpLocChassisId by its subtype; ("", "unknown") when the agent has none."""
    raw, sub = scalars.get(LOC_CHASSIS_ID), scalars.get(LOC_CHASSIS_SUBTYPE)
    if not isinstance(raw, bytes) or not raw:
        return "", "unknown"
    kind = CHASSIS_SUBTYPES.get(sub) if isinstance(sub, int) else None
    return format_id(kind or "", raw), kind or "unknown"
