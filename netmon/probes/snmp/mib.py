"""The OIDs netmon reads (numeric: no MIB files, no lookups) and how their values decode.

Decoding is strict: a value of the wrong type raises Malformed, which the SNMP probe turns into
a `malformed_reply` result for that device only.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from netmon.model.observation import ChassisIdSubtype, InterfaceState, Neighbour, PortIdSubtype
from netmon.probes.snmp.client import Oid, Special, Value, oid

SYS_UPTIME = oid("1.3.6.1.2.1.1.3.0")
SYS_NAME = oid("1.3.6.1.2.1.1.5.0")
IF_TABLE_LAST_CHANGE = oid("1.3.6.1.2.1.31.1.5.0")  # IF-MIB: rows created or deleted
LLDP_LAST_CHANGE = oid("1.0.8802.1.1.2.1.2.1.0")  # lldpStatsRemTablesLastChangeTime
# Every cycle: has the device restarted, have its interface or LLDP tables changed?
CYCLE_SCALARS = (SYS_UPTIME, IF_TABLE_LAST_CHANGE, LLDP_LAST_CHANGE)
# Full reads add sysName (it changes when someone renames the device).
SCALARS = (SYS_UPTIME, SYS_NAME, IF_TABLE_LAST_CHANGE, LLDP_LAST_CHANGE)

_IF = "1.3.6.1.2.1.2.2.1."
_IFX = "1.3.6.1.2.1.31.1.1.1."
# Read for each uplink every cycle: what "are the links healthy?" needs (up/down, traffic,
# errors). pysnmp's cost is per varbind, so nothing else is asked every cycle.
IF_STATUS_COLUMNS: dict[str, Oid] = {
    "admin": oid(_IF + "7"),
    "oper": oid(_IF + "8"),
    "in_octets": oid(_IFX + "6"),  # ifHCInOctets, Counter64
    "out_octets": oid(_IFX + "10"),  # ifHCOutOctets, Counter64
    "in_errors": oid(_IF + "14"),
    "out_errors": oid(_IF + "20"),
    # ifLastChange: 0 while a port has not changed since the agent started, so a declared
    # link that is down and 0 was never up (drift "missing"), not cut while watched.
    "last_change": oid(_IF + "9"),
}
# Read only in full reads, for every interface: names, speed, discards.
IF_FULL_ONLY_COLUMNS: dict[str, Oid] = {
    "name": oid(_IFX + "1"),
    "alias": oid(_IFX + "18"),
    "high_speed": oid(_IFX + "15"),  # Mbps; ifSpeed (a Gauge32) saturates above 4.29 Gb/s
    "in_discards": oid(_IF + "13"),
    "out_discards": oid(_IF + "19"),
}
IF_COLUMNS: dict[str, Oid] = {**IF_FULL_ONLY_COLUMNS, **IF_STATUS_COLUMNS}

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


class Malformed(Exception):  # internal: always caught and turned into a value
    """A value of the wrong type or shape; becomes reason malformed_reply."""


def as_int(v: Value, what: str) -> int:
    if isinstance(v, int):
        return v
    raise Malformed(f"{what}: expected an integer, got {_show(v)}")


def as_bytes(v: Value, what: str) -> bytes:
    if isinstance(v, bytes):
        return v
    raise Malformed(f"{what}: expected an octet string, got {_show(v)}")


def as_text(v: Value, what: str) -> str:
    return as_bytes(v, what).decode("utf-8", errors="replace")


def present(v: Value | None) -> bool:
    return v is not None and not isinstance(v, Special)


def _show(v: Value) -> str:
    return v.value if isinstance(v, Special) else type(v).__name__


def interface(
    index: int, row: dict[str, Value], name: str = "", alias: str = "", speed_bps: int | None = None
) -> InterfaceState:
    """One InterfaceState from the columns present in `row` (absent columns stay None)."""

    def num(key: str) -> int | None:
        v = row.get(key)
        return as_int(v, f"{key}.{index}") if v is not None and present(v) else None

    def status(key: str) -> bool | None:
        n = num(key)
        return None if n is None else n == 1  # 1 = up; 2 down, 3 testing, 7 lowerLayerDown...

    if "name" in row and present(row["name"]):
        name = as_text(row["name"], f"ifName.{index}")
    if "alias" in row and present(row["alias"]):
        alias = as_text(row["alias"], f"ifAlias.{index}")
    mbps = num("high_speed")
    return InterfaceState(
        name=name or f"ifIndex{index}",
        index=index,
        alias=alias,
        admin_up=status("admin"),
        oper_up=status("oper"),
        speed_bps=speed_bps if mbps is None else mbps * 1_000_000,
        in_octets=num("in_octets"),
        out_octets=num("out_octets"),
        in_errors=num("in_errors"),
        out_errors=num("out_errors"),
        in_discards=num("in_discards"),
        out_discards=num("out_discards"),
        last_change_s=None if (ticks := num("last_change")) is None else ticks / 100,
    )


def format_id(kind: str, raw: bytes) -> str:
    """An LLDP chassis or port id as text according to its subtype: a MAC address is six bytes
    shown as aa:bb:cc:dd:ee:ff (never decoded as text), a network address is its IANA family
    byte then the address; the other subtypes are text."""
    if kind == "mac_address":
        return ":".join(f"{b:02x}" for b in raw)
    if kind == "network_address" and len(raw) == 5 and raw[0] == 1:
        return str(IPv4Address(raw[1:]))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return ":".join(f"{b:02x}" for b in raw)  # binary in a text subtype: show it, do not guess


def neighbours(
    rows: dict[Oid, dict[str, Value]],
    man_addrs: dict[Oid, str],
    if_names: dict[int, str],
) -> tuple[Neighbour, ...]:
    """lldpRemTable rows (index timeMark.localPortNum.remIndex) and management addresses by the
    same index -> Neighbours, ordered by local port and remote index."""
    out: list[tuple[tuple[int, int], Neighbour]] = []
    for index, row in rows.items():
        if len(index) != 3:
            raise Malformed(f"lldpRemTable index {index} is not timeMark.localPort.remIndex")
        _, port_num, rem_index = index
        chassis_kind = CHASSIS_SUBTYPES.get(as_int(row.get("chassis_subtype", 0), "subtype"))
        port_kind = PORT_SUBTYPES.get(as_int(row.get("port_subtype", 0), "subtype"))
        chassis = as_bytes(row.get("chassis_id", b""), "lldpRemChassisId")
        port = as_bytes(row.get("port_id", b""), "lldpRemPortId")
        n = Neighbour(
            # lldpRemLocalPortNum is the ifIndex on lldpd and most vendors' agents.
            local_interface=if_names.get(port_num, str(port_num)),
            chassis_id=format_id(chassis_kind or "", chassis),
            chassis_id_subtype=chassis_kind or "unknown",
            port_id=format_id(port_kind or "", port),
            port_id_subtype=port_kind or "unknown",
            port_description=as_text(row.get("port_desc", b""), "lldpRemPortDesc"),
            sys_name=as_text(row.get("sys_name", b""), "lldpRemSysName"),
            mgmt_address=man_addrs.get(index, ""),
        )
        out.append(((port_num, rem_index), n))
    return tuple(n for _, n in sorted(out, key=lambda p: p[0]))


def man_address(suffix: Oid) -> tuple[Oid, str] | None:
    """lldpRemManAddrTable index -> (lldpRemTable index, IPv4 address); None if not IPv4."""
    if len(suffix) < 5:
        raise Malformed(f"lldpRemManAddrTable index {suffix} too short")
    key, kind, length, addr = suffix[:3], suffix[3], suffix[4], suffix[5:]
    if kind != 1 or length != 4 or len(addr) != 4:
        return None  # IPv6 and others: the inventory is IPv4
    if any(not 0 <= b <= 255 for b in addr):
        raise Malformed(f"lldpRemManAddrTable address {addr} is not IPv4")
    return key, ".".join(map(str, addr))
