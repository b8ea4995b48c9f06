"""Cisco IOS and Huawei VRP outputs -> observations, with textfsm and ntc-templates.

ntc-templates chooses its template by platform and command, so each parser passes exactly the
command the platform sends (FIELD-NOTES: `display lldp neighbor brief` would land on the detail
template and fail). Where a template leaves something out (Cisco's byte counters), a small
regex over the same output adds it. Names come out as IF-MIB ifName on that vendor: Cisco
`GigabitEthernet1/0/1` becomes `Gi1/0/1` (what IOS reports as ifName and sends as its LLDP
port id); Huawei keeps full names and drops the `(10G)` tag of `display interface brief`.
"""

from __future__ import annotations

import bisect
import re

from ntc_templates.parse import ParsingException
from textfsm import clitable
from textfsm.parser import TextFSMError

from netmon.model.observation import ChassisIdSubtype, InterfaceState, Neighbour, PortIdSubtype
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.parse import (
    Parsed,
    ParseError,
    guess_chassis,
    guess_port,
    ipv4,
    normal_mac,
)
from netmon.probes.ssh.text import excerpt
from netmon.probes.ssh.textfsm_fsm import parse

# Cisco IOS long interface names -> the ifName abbreviations IOS itself uses (longest first).
CISCO_SHORT = (
    ("TwentyFiveGigE", "Twe"),
    ("TwoGigabitEthernet", "Tw"),
    ("TenGigabitEthernet", "Te"),
    ("FortyGigabitEthernet", "Fo"),
    ("HundredGigE", "Hu"),
    ("AppGigabitEthernet", "Ap"),
    ("GigabitEthernet", "Gi"),
    ("FastEthernet", "Fa"),
    ("Ethernet", "Et"),
    ("Port-channel", "Po"),
    ("Loopback", "Lo"),
    ("Tunnel", "Tu"),
    ("Serial", "Se"),
    ("Vlan", "Vl"),
    ("Null", "Nu"),
)


def cisco_short(name: str) -> str:
    for long, short in CISCO_SHORT:
        if name.startswith(long) and name[len(long) : len(long) + 1].isdigit():
            return short + name[len(long) :]
    return name


def _ntc(platform: str, command: str, text: str) -> list[dict[str, str]]:
    """ntc-templates' rows (textfsm_fsm.py: parse_output's result, faster; a line longer than any
    row is refused there with a ParseError naming it)."""
    try:
        rows: list[dict[str, str]] = parse(platform, command, text)
    except (TextFSMError, clitable.CliTableError, ParsingException) as exc:
        line = str(exc).rsplit("Input Line:", 1)[-1].strip()
        raise ParseError(f"not what {command!r} prints (at {excerpt(line, 60)!r})") from None
    return rows


def _num(row: dict[str, str], key: str) -> int | None:
    v = row.get(key, "")
    return int(v) if v.isdigit() else None


_REFUSED = re.compile(
    r"^\s*(?:%|Info:|Error:).*(?:Invalid input|Unrecognized command|is not enabled).*$", re.M
)


def _refused(text: str) -> str:
    """The device's own word that it does not know or run the command (`% LLDP is not
    enabled`, `Error: Unrecognized command ...`), if it says so."""
    found = _REFUSED.search(text)
    return excerpt(found.group(0).strip(), 100) if found else ""


_BLOCK = re.compile(r"\n(?=\S)")  # a block of lines starts at each unindented line
_HEAD = re.compile(r"(\S+) is ")  # an interface's block: "GigabitEthernet1/0/1 is up, ..."
_PACKETS = re.compile(r"packets (input|output), (\d+) bytes")  # after "<digits> "
_DIGIT = re.compile(r"\d")


def _bytes(text: str) -> dict[str, tuple[int | None, int | None]]:
    """Cisco `show interfaces`: (bytes input, bytes output) per interface (not in the template):
    the first "<n> packets input, <bytes> bytes" (and output) in the interface's block. The
    counters are found with one literal-led scan of the whole text and placed in their block
    (a regex search per block, led by \\d+, cost 4 ms on a 74 KB output; this 0.5 ms)."""
    starts = [0, *(m.end() for m in _BLOCK.finditer(text))]
    names: list[str | None] = []
    for start in starts:
        head = _HEAD.match(text, start)
        names.append(cisco_short(head.group(1)) if head else None)
    found: dict[int, list[int | None]] = {}
    for m in _PACKETS.finditer(text):
        at = m.start()
        if at < 2 or text[at - 1] != " " or not _DIGIT.match(text, at - 2):
            continue
        block = bisect.bisect_right(starts, at) - 1
        counters = found.setdefault(block, [None, None])
        side = 0 if m.group(1) == "input" else 1
        if names[block] is not None and counters[side] is None:
            counters[side] = int(m.group(2))
    out: dict[str, tuple[int | None, int | None]] = {}
    for block, name in enumerate(names):
        if name is not None:
            rx, tx = found.get(block, (None, None))
            out[name] = (rx, tx)
    return out


def cisco_interfaces(out: Output) -> Parsed:
    rows = _ntc("cisco_ios", out.command, out.text)
    if not rows:
        raise ParseError(f"no interface in the output ({excerpt(out.text) or 'empty'})")
    octets = _bytes(out.text)
    found = []
    for row in rows:
        name = cisco_short(row["interface"])
        bw = re.match(r"(\d+)\s*Kbit", row.get("bandwidth", ""))
        rx, tx = octets.get(name, (None, None))
        found.append(
            InterfaceState(
                name=name,
                alias=row.get("description", ""),
                admin_up=row["link_status"] != "administratively down",
                oper_up=row["protocol_status"].startswith("up"),
                speed_bps=int(bw.group(1)) * 1000 if bw else None,
                in_octets=rx,
                out_octets=tx,
                in_errors=_num(row, "input_errors"),
                out_errors=_num(row, "output_errors"),
                in_discards=_num(row, "queue_drops"),
                out_discards=_num(row, "queue_output_drops"),
            )
        )
    return Parsed(interfaces=tuple(found))


def cisco_lldp(out: Output) -> Parsed:
    refused = _refused(out.text)
    if refused:
        return Parsed(unavailable=refused)
    found = []
    for row in _ntc("cisco_ios", out.command, out.text):
        chassis, c_kind = guess_chassis(row["chassis_id"])
        port, p_kind = guess_port(row["neighbor_port_id"])
        found.append(
            Neighbour(
                local_interface=cisco_short(row["local_interface"]),
                chassis_id=chassis,
                chassis_id_subtype=c_kind,
                port_id=port,
                port_id_subtype=p_kind,
                port_description=row.get("neighbor_interface", ""),
                sys_name=row.get("neighbor_name", ""),
                mgmt_address=ipv4(row.get("mgmt_address", "")),
            )
        )
    return Parsed(neighbours=tuple(found))


def cisco_cdp(out: Output) -> Parsed:
    """CDP has no chassis id: the Device ID (the neighbour's hostname) stands in for it."""
    refused = _refused(out.text)
    if refused:
        return Parsed(unavailable=refused)
    rows = _ntc("cisco_ios", out.command, out.text)
    empty = re.search(r"Total \w* ?entries displayed\s*:\s*0", out.text)
    if not rows and out.text.strip() and "Device ID" not in out.text and not empty:
        raise ParseError(f"no CDP entry in the output ({excerpt(out.text)})")
    found = []
    for row in rows:
        remote = cisco_short(row.get("neighbor_interface", ""))
        found.append(
            Neighbour(
                local_interface=cisco_short(row.get("local_interface", "")),
                chassis_id=row["neighbor_name"],
                chassis_id_subtype="local",
                port_id=remote,
                port_id_subtype="interface_name",
                port_description=row.get("neighbor_interface", ""),
                sys_name=row["neighbor_name"],
                mgmt_address=ipv4(row.get("mgmt_address", "")),
            )
        )
    return Parsed(neighbours=tuple(found))


def huawei_interfaces(out: Output) -> Parsed:
    rows = _ntc("huawei_vrp", out.command, out.text)
    if not rows:
        raise ParseError(f"no interface in the output ({excerpt(out.text) or 'empty'})")
    found = []
    for row in rows:
        phy = row["phy"]
        found.append(
            InterfaceState(
                name=re.sub(r"\(\w+\)$", "", row["interface"]),  # GigabitEthernet4/0/4(10G)
                admin_up=not phy.startswith("*"),  # *down: administratively down
                oper_up=phy.startswith("up"),  # up(s): spoofing is still up
                in_errors=_num(row, "inerrors"),
                out_errors=_num(row, "outerrors"),
            )
        )
    return Parsed(interfaces=tuple(found))


def _kind(text: str) -> str:
    """'MAC address', 'macAddress' -> 'macaddress'."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_HUAWEI_CHASSIS: dict[str, ChassisIdSubtype] = {
    "macaddress": "mac_address",
    "networkaddress": "network_address",
    "interfacename": "interface_name",
    "interfacealias": "interface_alias",
    "portcomponent": "port_component",
    "chassiscomponent": "chassis_component",
    "local": "local",
    "locallyassigned": "local",
}
_HUAWEI_PORT: dict[str, PortIdSubtype] = {
    "macaddress": "mac_address",
    "networkaddress": "network_address",
    "interfacename": "interface_name",
    "interfacealias": "interface_alias",
    "portcomponent": "port_component",
    "agentcircuitid": "agent_circuit_id",
    "local": "local",
    "locallyassigned": "local",
}


def huawei_lldp(out: Output) -> Parsed:
    refused = _refused(out.text)
    if refused:
        return Parsed(unavailable=refused)
    found = []
    for row in _ntc("huawei_vrp", out.command, out.text):
        if not row.get("chassis_id") and not row.get("neighbor_port_id"):
            continue  # "X has 0 neighbors": the template records the interface alone
        c_kind = _HUAWEI_CHASSIS.get(_kind(row.get("chassis_type", "")), "unknown")
        p_kind = _HUAWEI_PORT.get(_kind(row.get("port_id_type", "")), "unknown")
        chassis, port = row["chassis_id"], row["neighbor_port_id"]
        mgmt = row.get("mgmt_address", "")
        found.append(
            Neighbour(
                local_interface=row["local_interface"],
                chassis_id=normal_mac(chassis) or chassis if c_kind == "mac_address" else chassis,
                chassis_id_subtype=c_kind,
                port_id=normal_mac(port) or port if p_kind == "mac_address" else port,
                port_id_subtype=p_kind,
                port_description=row.get("neighbor_interface", ""),
                sys_name=row.get("neighbor_name", ""),
                mgmt_address=ipv4(mgmt)
                if _kind(row.get("mgmt_address_type", "")) in ("ipv4", "")
                else "",
            )
        )
    return Parsed(neighbours=tuple(found))
