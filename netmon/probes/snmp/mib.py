"""The IF-MIB and system OIDs netmon reads (numeric: no MIB files, no lookups) and how their
values decode. LLDP-MIB is in lldp.py.

Decoding is strict: a value of the wrong type raises Malformed, which the SNMP probe turns into
a failed table (or a `malformed_reply` result when the device's very first answer is wrong).
Text is never guessed: trailing NULs are cut (Cisco Nexus pads), bytes that are not UTF-8 are
kept as \\xNN escapes (H3C writes GBK) and control characters are escaped, so neither the JSON
nor a terminal receives them raw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from ipaddress import IPv4Address, IPv6Address

from netmon.model.observation import InterfaceState
from netmon.probes.snmp.client import Oid, Special, Value, oid

SYS_UPTIME = oid("1.3.6.1.2.1.1.3.0")
SYS_NAME = oid("1.3.6.1.2.1.1.5.0")
IF_NUMBER = oid("1.3.6.1.2.1.2.1.0")  # rows of ifTable: sizes a first read, tells a big table
IF_TABLE_LAST_CHANGE = oid("1.3.6.1.2.1.31.1.5.0")  # IF-MIB: rows created or deleted
LLDP_LAST_CHANGE = oid("1.0.8802.1.1.2.1.2.1.0")  # lldpStatsRemTablesLastChangeTime
# Every cycle: has the device restarted, have its interface or LLDP tables changed?
CYCLE_SCALARS = (SYS_UPTIME, IF_TABLE_LAST_CHANGE, LLDP_LAST_CHANGE)
# A read that opens with the interface walk asks these as its non-repeaters: sysName (it
# changes when someone renames the device) and ifNumber (how big the table is) too.
SCALARS = (SYS_UPTIME, SYS_NAME, IF_TABLE_LAST_CHANGE, LLDP_LAST_CHANGE, IF_NUMBER)

_IF = "1.3.6.1.2.1.2.2.1."
_IFX = "1.3.6.1.2.1.31.1.1.1."


@dataclass(frozen=True)
class IfColumns:
    """The IF-MIB columns netmon reads, in one of two families: agents with ifXTable (names,
    aliases, ifHighSpeed, 64-bit counters) and agents with ifTable alone (ifDescr for the
    name, ifSpeed, 32-bit counters), which real devices still are (Ruijie N18010)."""

    identity: dict[str, Oid]  # name, alias, speed: what a full read learns and carries
    discards: dict[str, Oid]  # read with full reads and for declared interfaces
    status: dict[str, Oid]  # read for each uplink every cycle, by ifIndex

    @property
    def full(self) -> dict[str, Oid]:
        """Every column, for tables small enough to walk whole in a request or two."""
        return {**self.identity, **self.discards, **self.status}

    @property
    def rows(self) -> dict[str, Oid]:
        """What a large table is walked for: who each row is and whether it is up. Counters
        are read by ifIndex for the declared interfaces only: nothing else uses them, and on
        a 3,271-port device they would double the walk."""
        skip = {"in_octets", "out_octets", "in_errors", "out_errors"}
        return {**self.identity, **{k: v for k, v in self.status.items() if k not in skip}}

    @property
    def declared(self) -> dict[str, Oid]:
        """Per declared interface after a large table's walk: status, counters, discards."""
        return {**self.discards, **self.status}


_STATUS_COMMON = {
    "admin": oid(_IF + "7"),
    "oper": oid(_IF + "8"),
}
IFX = IfColumns(
    identity={
        "name": oid(_IFX + "1"),
        "alias": oid(_IFX + "18"),
        "high_speed": oid(_IFX + "15"),  # Mbps; ifSpeed (a Gauge32) saturates above 4.29 Gb/s
    },
    discards={"in_discards": oid(_IF + "13"), "out_discards": oid(_IF + "19")},
    status={
        **_STATUS_COMMON,
        "in_octets": oid(_IFX + "6"),  # ifHCInOctets, Counter64
        "out_octets": oid(_IFX + "10"),  # ifHCOutOctets, Counter64
        "in_errors": oid(_IF + "14"),
        "out_errors": oid(_IF + "20"),
        # ifLastChange: 0 while a port has not changed since the agent started, so a declared
        # link that is down and 0 was never up (drift "missing"), not cut while watched.
        "last_change": oid(_IF + "9"),
    },
)
IF32 = IfColumns(
    identity={"name": oid(_IF + "2"), "speed": oid(_IF + "5")},  # ifDescr, ifSpeed (bit/s)
    discards=IFX.discards,
    status={
        **_STATUS_COMMON,
        "in_octets": oid(_IF + "10"),  # ifInOctets, Counter32: wraps at 4 GB (rate() copes)
        "out_octets": oid(_IF + "16"),
        "in_errors": oid(_IF + "14"),
        "out_errors": oid(_IF + "20"),
        "last_change": oid(_IF + "9"),
    },
)
# The names tests and benchmarks know (ifXTable agents).
IF_STATUS_COLUMNS = IFX.status
IF_COLUMNS = IFX.full


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def text(raw: bytes) -> str:
    """An SNMP DisplayString as text: trailing NULs cut, UTF-8 decoded, anything else kept as
    \\xNN escapes (never U+FFFD: the bytes stay recoverable), control characters escaped."""
    s = raw.rstrip(b"\x00").decode("utf-8", errors="backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", s)


def as_text(v: Value, what: str) -> str:
    return text(as_bytes(v, what))


def present(v: Value | None) -> bool:
    return v is not None and not isinstance(v, Special)


def _show(v: Value) -> str:
    return v.value if isinstance(v, Special) else type(v).__name__


# Row keys by their IF-MIB object names, so an error names the OID's object and ifIndex.
MIB_NAMES = {
    "name": "ifName/ifDescr",
    "alias": "ifAlias",
    "high_speed": "ifHighSpeed",
    "speed": "ifSpeed",
    "admin": "ifAdminStatus",
    "oper": "ifOperStatus",
    "in_octets": "ifHCInOctets/ifInOctets",
    "out_octets": "ifHCOutOctets/ifOutOctets",
    "in_errors": "ifInErrors",
    "out_errors": "ifOutErrors",
    "in_discards": "ifInDiscards",
    "out_discards": "ifOutDiscards",
    "last_change": "ifLastChange",
}


def interface(
    index: int, row: dict[str, Value], name: str = "", alias: str = "", speed_bps: int | None = None
) -> InterfaceState:
    """One InterfaceState from the columns present in `row` (absent columns stay None)."""

    def num(key: str) -> int | None:
        v = row.get(key)
        where = f"{MIB_NAMES.get(key, key)}.{index}"
        return as_int(v, where) if v is not None and present(v) else None

    def status(key: str) -> bool | None:
        n = num(key)
        return None if n is None else n == 1  # 1 = up; 2 down, 3 testing, 7 lowerLayerDown...

    if "name" in row and present(row["name"]):
        name = as_text(row["name"], f"ifName.{index}")
    if "alias" in row and present(row["alias"]):
        alias = as_text(row["alias"], f"ifAlias.{index}")
    mbps, bps = num("high_speed"), num("speed")
    speed = mbps * 1_000_000 if mbps is not None else bps if bps is not None else speed_bps
    return InterfaceState(
        name=name or f"ifIndex{index}",
        index=index,
        alias=alias,
        admin_up=status("admin"),
        # ifOperStatus up(1): the interface passes packets, which is the one oper-status rule
        # (docs/probes.md): physical and protocol both up.
        oper_up=status("oper"),
        speed_bps=speed,
        in_octets=num("in_octets"),
        out_octets=num("out_octets"),
        in_errors=num("in_errors"),
        out_errors=num("out_errors"),
        in_discards=num("in_discards"),
        out_discards=num("out_discards"),
        last_change_s=None if (ticks := num("last_change")) is None else ticks / 100,
    )


def unique_names(found: list[InterfaceState]) -> list[InterfaceState]:
    """Two rows with one name (HPE ProCurve has two `lo0`) stay two interfaces: the lowest
    ifIndex keeps the name, the others are named `NAME (ifIndex N)`, so nothing downstream
    (keyed by name) folds them into one."""
    seen: set[str] = set()
    out = []
    for state in sorted(found, key=lambda s: s.index or 0):
        if state.name in seen:
            state = replace(state, name=f"{state.name} (ifIndex {state.index})")
        seen.add(state.name)
        out.append(state)
    return out


_MAC_TEXT = re.compile(
    r"^(?:[0-9a-f]{1,2}([:-])(?:[0-9a-f]{1,2}\1){4}[0-9a-f]{1,2}"
    r"|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{12})$"
)


def mac_from_text(raw: bytes) -> str | None:
    """A MAC address some agents send as text instead of six bytes (MikroTik's chassis id,
    Cisco Nexus's port ids: "8c:60:4f:19:16:21"), as aa:bb:cc:dd:ee:ff; None if it is not."""
    try:
        t = raw.rstrip(b"\x00").decode("ascii").strip().lower()
    except UnicodeDecodeError:
        return None
    if not _MAC_TEXT.match(t):
        return None
    if "." in t or len(t) == 12:
        digits = t.replace(".", "")
        return ":".join(digits[i : i + 2] for i in range(0, 12, 2))
    return ":".join(p.zfill(2) for p in re.split(r"[:-]", t))


def format_id(kind: str, raw: bytes) -> str:
    """An LLDP chassis or port id as text according to its subtype: a MAC address is six bytes
    shown as aa:bb:cc:dd:ee:ff (never decoded as text; one sent as text is normalised), a
    network address is its IANA family byte then the address; the other subtypes are text."""
    if kind == "mac_address":
        if len(raw) == 6:
            return ":".join(f"{b:02x}" for b in raw)
        return mac_from_text(raw) or text(raw)
    if kind == "network_address" and len(raw) == 5 and raw[0] == 1:
        return str(IPv4Address(raw[1:]))
    if kind == "network_address" and len(raw) == 17 and raw[0] == 2:
        return str(IPv6Address(raw[1:]))
    return text(raw)
