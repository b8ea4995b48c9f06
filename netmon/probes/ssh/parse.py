"""Command outputs -> the observations SNMP yields (InterfaceState, Neighbour), for linux.

Identifiers come out in the form the SNMP probe gives for the same device, so the topology
does not care where a fact came from: MAC addresses as aa:bb:cc:dd:ee:ff, interface names as
IF-MIB ifName, LLDP subtypes by their IEEE names, the first IPv4 management address.
Vendor parsers (textfsm + ntc-templates) are in ssh_vendor.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields
from ipaddress import IPv4Address
from typing import Any

from netmon.model.observation import (
    ChassisIdSubtype,
    InterfaceState,
    Neighbour,
    PortIdSubtype,
)
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.text import excerpt


class ParseError(Exception):
    """The output is not what the command prints: reason parse_error, with what was wrong."""


class CommandRejected(ParseError):
    """The device refused the command (`% Invalid input detected`): reason command_rejected,
    with the device's words. Not netmon's parser: the platform (or the account) is wrong."""


def oper_up(physical: str, protocol: str) -> bool:
    """The one oper-status rule (docs/probes.md): up when the physical layer and the protocol
    are both up, as IF-MIB ifOperStatus up(1) means. `up (connected)`, `UP(s)` (spoofing) and
    `up(s)` count as up; `down`, `administratively down`, `*down`, `notpresent` do not. A
    platform that prints no protocol column passes "" for it: the physical state decides."""

    def up(word: str) -> bool:
        return word.strip().lower().startswith("up")

    return up(physical) and (up(protocol) or not protocol.strip())


@dataclass(frozen=True)
class Parsed:
    interfaces: tuple[InterfaceState, ...] = ()
    neighbours: tuple[Neighbour, ...] = ()
    # Not "" when the table could not be read because the protocol is off on the device
    # (LLDP not enabled, lldpd not running): not a failure, but lldp_read stays False.
    unavailable: str = ""
    sys_name: str = ""  # table "system": the host name (SNMP's sysName)
    uptime_s: float | None = None  # table "system": seconds since boot (SNMP's sysUpTime)

    def __post_init__(self) -> None:
        """Every number an interface carries is an index, a speed or a counter: an unsigned
        64-bit value. An output with more digits than that is not what the device prints (and
        the exporter could not even make a float of it)."""
        for state in self.interfaces:
            for f in fields(state):
                v = getattr(state, f.name)
                if isinstance(v, int) and not isinstance(v, bool) and not 0 <= v < 2**64:
                    shown = excerpt(str(v), 30)
                    raise ParseError(f"{state.name}: {f.name} {shown} is not a 64-bit counter")


_MAC = re.compile(
    r"^(?:[0-9a-f]{2}([: -])(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}"
    r"|[0-9a-f]{4}([.-])[0-9a-f]{4}\2[0-9a-f]{4}|[0-9a-f]{6}-[0-9a-f]{6}|[0-9a-f]{12})$"
)


def normal_mac(text: str) -> str | None:
    """Any common MAC notation (00:61:75:F5:B5:FF, 0061.75f5.b5ff, f55f-c2c5-e180, ProCurve's
    3821c7-c1cd00 and 3c e1 a1 22 18 f0) ->
    00:61:75:f5:b5:ff, as the SNMP probe prints a MAC-address id; None if not a MAC."""
    t = text.strip().lower()
    if not _MAC.match(t):
        return None
    digits = re.sub(r"[^0-9a-f]", "", t)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def ipv4(text: str) -> str:
    try:
        return str(IPv4Address(text.strip()))
    except ValueError:
        return ""


def guess_port(port_id: str) -> tuple[str, PortIdSubtype]:
    """A port id whose subtype the device does not print (Cisco IOS): a MAC is a MAC, an
    address an address, a number a locally assigned id, anything else an interface name."""
    mac = normal_mac(port_id)
    if mac:
        return mac, "mac_address"
    if ipv4(port_id):
        return ipv4(port_id), "network_address"
    if port_id.isdigit():
        return port_id, "local"
    return port_id, "interface_name"


def guess_chassis(chassis_id: str) -> tuple[str, ChassisIdSubtype]:
    mac = normal_mac(chassis_id)
    if mac:
        return mac, "mac_address"
    if ipv4(chassis_id):
        return ipv4(chassis_id), "network_address"
    return chassis_id, "local"


def check_exit(out: Output) -> None:
    if out.exit_status not in (0, None):
        why = excerpt(out.stderr or out.text) or "no message"
        raise ParseError(f"exited with status {out.exit_status}: {why}")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"not JSON at line {exc.lineno} column {exc.colno}: {exc.msg} "
            f"(output starts {excerpt(text, 40)!r})"
        ) from None
    except ValueError as exc:  # valid JSON, but a number of more than 4,300 digits
        raise ParseError(f"JSON that Python refuses to read: {excerpt(str(exc), 60)}") from None
    except RecursionError:  # valid JSON nested about 1,000 deep or more
        raise ParseError("JSON nested too deep to read") from None


def _int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParseError(f"{what}: expected an integer, got {type(value).__name__}")
    return value


def ip_link(out: Output) -> Parsed:
    """`ip -j -s link`: every link with admin/oper state and 64-bit counters."""
    check_exit(out)
    data = _json(out.text)
    if not isinstance(data, list):
        raise ParseError("expected a JSON list of links")
    found = []
    for i, link in enumerate(data):
        if not isinstance(link, dict) or not isinstance(link.get("ifname"), str):
            raise ParseError(f"link {i}: no ifname")
        name: str = link["ifname"]
        flags = link.get("flags", [])
        if not isinstance(flags, list):
            raise ParseError(f"{name}: flags is not a list")
        state = link.get("operstate", "")
        stats = link.get("stats64") or link.get("stats") or {}
        rx = stats.get("rx", {}) if isinstance(stats, dict) else {}
        tx = stats.get("tx", {}) if isinstance(stats, dict) else {}
        if not isinstance(rx, dict) or not isinstance(tx, dict):
            raise ParseError(f"{name}: stats are not objects")
        found.append(
            InterfaceState(
                name=name,
                index=_int(link.get("ifindex"), f"{name} ifindex"),
                alias=str(link.get("ifalias", "")),
                admin_up="UP" in flags,
                # net-snmp's ifOperStatus: up when the link runs; lo's state is UNKNOWN
                oper_up=state == "UP" or (state == "UNKNOWN" and "LOWER_UP" in flags),
                in_octets=_int(rx.get("bytes"), f"{name} rx bytes"),
                out_octets=_int(tx.get("bytes"), f"{name} tx bytes"),
                in_errors=_int(rx.get("errors"), f"{name} rx errors"),
                out_errors=_int(tx.get("errors"), f"{name} tx errors"),
                in_discards=_int(rx.get("dropped"), f"{name} rx dropped"),
                out_discards=_int(tx.get("dropped"), f"{name} tx dropped"),
            )
        )
    if not found:
        raise ParseError("no link at all (not even lo)")
    return Parsed(interfaces=tuple(found))


# lldpctl's names of the LLDP id subtypes (lldpd src/lib/atoms/chassis.c and port.c)
_LLDPCTL_CHASSIS: dict[str, ChassisIdSubtype] = {
    "chassis": "chassis_component",
    "ifalias": "interface_alias",
    "port": "port_component",
    "mac": "mac_address",
    "ip": "network_address",
    "ifname": "interface_name",
    "local": "local",
}
_LLDPCTL_PORT: dict[str, PortIdSubtype] = {
    "ifalias": "interface_alias",
    "port": "port_component",
    "mac": "mac_address",
    "ip": "network_address",
    "ifname": "interface_name",
    "circuit": "agent_circuit_id",
    "local": "local",
}


def _first(item: dict[str, Any], key: str) -> dict[str, Any]:
    values = item.get(key) or [{}]
    if not isinstance(values, list) or not isinstance(values[0], dict):
        raise ParseError(f"{key!r} is not a list of objects (use lldpcli -f json0)")
    return values[0]


def lldpcli(out: Output) -> Parsed:
    """`lldpcli -f json0 show neighbors` (json0: lists even for one neighbour, FIELD-NOTES)."""
    if out.exit_status not in (0, None):
        why = excerpt(out.stderr or out.text) or "no message"
        return Parsed(unavailable=f"lldpcli exited with status {out.exit_status}: {why}")
    data = _json(out.text)
    blocks = data.get("lldp") if isinstance(data, dict) else None
    if not isinstance(blocks, list):
        raise ParseError("no 'lldp' list (use lldpcli -f json0)")
    found = []
    for block in blocks:
        if not isinstance(block, dict):
            raise ParseError("an 'lldp' entry is not an object")
        for iface in block.get("interface", []):
            if not isinstance(iface, dict) or not isinstance(iface.get("name"), str):
                raise ParseError("an LLDP interface has no name")
            chassis, port = _first(iface, "chassis"), _first(iface, "port")
            cid, pid = _first(chassis, "id"), _first(port, "id")
            c_kind = _LLDPCTL_CHASSIS.get(str(cid.get("type", "")), "unknown")
            p_kind = _LLDPCTL_PORT.get(str(pid.get("type", "")), "unknown")
            c_value, p_value = str(cid.get("value", "")), str(pid.get("value", ""))
            addresses = [str(a.get("value", "")) for a in chassis.get("mgmt-ip", [])]
            found.append(
                Neighbour(
                    local_interface=iface["name"],
                    chassis_id=normal_mac(c_value) or c_value
                    if c_kind == "mac_address"
                    else c_value,
                    chassis_id_subtype=c_kind,
                    port_id=normal_mac(p_value) or p_value if p_kind == "mac_address" else p_value,
                    port_id_subtype=p_kind,
                    port_description=str(_first(port, "descr").get("value", "")),
                    sys_name=str(_first(chassis, "name").get("value", "")),
                    mgmt_address=next((ipv4(a) for a in addresses if ipv4(a)), ""),
                )
            )
    return Parsed(neighbours=tuple(found))


_HOST_NAME_MAX = 64  # the kernel's limit (HOST_NAME_MAX); a host name is one word
_UPTIME = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # what /proc/uptime prints: 11188.16
_UPTIME_MAX_S = 50 * 365.25 * 86400  # 50 years: no Linux host has been up that long


def system(out: Output) -> Parsed:
    """`cat /proc/sys/kernel/hostname /proc/uptime`: the host name line, then the uptime line
    (seconds since boot, then the idle seconds of all CPUs)."""
    check_exit(out)
    lines = out.text.splitlines()
    if len(lines) != 2:
        raise ParseError(f"expected 2 lines (host name, uptime), got {len(lines)}")
    name, uptime = lines[0].strip(), lines[1].split()
    if not name:
        raise ParseError("empty host name")
    if len(name) > _HOST_NAME_MAX or not name.isprintable() or len(name.split()) != 1:
        shown = excerpt(name, 40)
        raise ParseError(f"host name {shown!r} is not one word of at most 64 characters")
    if len(uptime) != 2 or not _UPTIME.fullmatch(uptime[1]):
        raise ParseError(f"uptime line {excerpt(lines[1], 40)!r} is not two numbers")
    return Parsed(sys_name=name, uptime_s=_uptime(uptime[0]))


def _uptime(word: str) -> float:
    shown = excerpt(word, 30)
    try:
        value = float(word)
    except ValueError:
        raise ParseError(f"uptime {shown!r} is not a number") from None
    if not math.isfinite(value):
        raise ParseError(f"uptime {shown!r} is not a finite number")
    if value < 0:
        raise ParseError(f"uptime {shown!r} is negative")
    if value > _UPTIME_MAX_S:
        raise ParseError(f"uptime {shown!r} s is absurd (more than 50 years)")
    if not _UPTIME.fullmatch(word):
        raise ParseError(f"uptime {shown!r} is not in /proc/uptime's form (seconds.hundredths)")
    return value
