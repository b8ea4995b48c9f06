"""H3C/HPE Comware and HPE ProCurve (ArubaOS-Switch) outputs -> observations.

Comware's `display interface brief` abbreviates names (`GE1/0/1`, `XGE1/0/49`, `BAGG1`);
they come out as its ifName (`GigabitEthernet1/0/1`, `Ten-GigabitEthernet1/0/49`,
`Bridge-Aggregation1`), as its LLDP output and SNMP write them. ProCurve names ports by number
(`1`, `A1`, `Trk1`), which is its ifName too. The oper status follows the one rule
(parse.oper_up).
"""

from __future__ import annotations

from netmon.model.observation import InterfaceState, Neighbour
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.ntc import (
    chassis_subtypes,
    port_subtypes,
    refusal,
    required,
    rows,
)
from netmon.probes.ssh.parse import (
    Parsed,
    ParseError,
    guess_chassis,
    guess_port,
    ipv4,
    normal_mac,
    oper_up,
)
from netmon.probes.ssh.text import excerpt

# Comware 7 `display interface brief` abbreviations -> ifName (longest first).
COMWARE_LONG = (
    ("InLoop", "InLoopBack"),
    ("Loop", "LoopBack"),
    ("Vlan", "Vlan-interface"),
    ("BAGG", "Bridge-Aggregation"),
    ("RAGG", "Route-Aggregation"),
    ("M-GE", "M-GigabitEthernet"),
    ("MGE", "M-GigabitEthernet"),
    ("HGE", "HundredGigE"),
    ("FGE", "FortyGigE"),
    ("WGE", "TwentyFiveGigE"),
    ("XGE", "Ten-GigabitEthernet"),
    ("GE", "GigabitEthernet"),
    ("FE", "Ethernet"),
    ("Tun", "Tunnel"),
    ("REG", "Register-Tunnel"),
)


def comware_long(name: str) -> str:
    for short, long in COMWARE_LONG:
        if name.startswith(short) and name[len(short) : len(short) + 1].isdigit():
            return long + name[len(short) :]
    return name


def _found(table: list[dict[str, str]], out: Output) -> list[dict[str, str]]:
    if not table:
        raise ParseError(f"no interface in the output ({excerpt(out.text) or 'empty'})")
    return table


def comware_interfaces(out: Output) -> Parsed:
    """`display interface brief`: Link (UP, DOWN, ADM = shut, Stby) and Protocol columns."""
    required(out)
    found = []
    for row in _found(rows("hp_comware", out.command, out.text), out):
        link = row.get("link", "")
        desc = row.get("description", "")
        found.append(
            InterfaceState(
                name=comware_long(row["interface"]),
                alias="" if desc == "--" else desc,
                admin_up=link.upper() != "ADM",
                oper_up=oper_up(link, row.get("protocol", "")),
            )
        )
    return Parsed(interfaces=tuple(found))


def comware_lldp(out: Output) -> Parsed:
    """`display lldp neighbor-information verbose`: the subtypes (`Chassis type`, `Port ID
    type`) are read in order beside the template's rows."""
    refused = refusal(out.text)
    if refused:
        return Parsed(unavailable=refused)
    table = rows("hp_comware", out.command, out.text)
    chassis_kinds = chassis_subtypes(out.text, "Chassis type", len(table))
    port_kinds = port_subtypes(out.text, "Port ID type", len(table))
    found = []
    for row, c_given, p_given in zip(table, chassis_kinds, port_kinds, strict=True):
        raw_chassis, raw_port = row.get("chassis_id", ""), row.get("neighbor_interface", "")
        chassis, c_kind = guess_chassis(raw_chassis)
        port, p_kind = guess_port(raw_port)
        if c_given != "unknown":
            c_kind = c_given
            chassis = (
                (normal_mac(raw_chassis) or raw_chassis)
                if c_given == "mac_address"
                else raw_chassis
            )
        if p_given != "unknown":
            p_kind = p_given
            port = (normal_mac(raw_port) or raw_port) if p_given == "mac_address" else raw_port
        found.append(
            Neighbour(
                local_interface=row["local_interface"],
                chassis_id=chassis,
                chassis_id_subtype=c_kind,
                port_id=port,
                port_id_subtype=p_kind,
                port_description=row.get("neighbor_interface_description", ""),
                sys_name=row.get("neighbor_name", ""),
                mgmt_address=ipv4(row.get("mgmt_address", "")),
            )
        )
    return Parsed(neighbours=tuple(found))


def procurve_interfaces(out: Output) -> Parsed:
    """`show interfaces brief`: Enabled (Yes/No) and Status (Up/Down) per port."""
    required(out)
    found = []
    for row in _found(rows("hp_procurve", out.command, out.text), out):
        found.append(
            InterfaceState(
                name=row["port"],
                admin_up=row.get("enabled", "").lower() == "yes",
                oper_up=oper_up(row.get("status", ""), ""),
            )
        )
    return Parsed(interfaces=tuple(found))


def procurve_lldp(out: Output) -> Parsed:
    """`show lldp info remote-device`: one line per neighbour, no subtypes, no address (a
    chassis id `3821c7-c1cd00` is a MAC; a port id `3c e1 a1 22 18 f0` too)."""
    refused = refusal(out.text)
    if refused:
        return Parsed(unavailable=refused)
    found = []
    for row in rows("hp_procurve", out.command, out.text):
        chassis, c_kind = guess_chassis(row.get("chassis_id", ""))
        port, p_kind = guess_port(row.get("neighbor_interface", ""))
        found.append(
            Neighbour(
                local_interface=row["local_interface"],
                chassis_id=chassis,
                chassis_id_subtype=c_kind,
                port_id=port,
                port_id_subtype=p_kind,
                port_description=row.get("neighbor_description", ""),
                sys_name=row.get("neighbor_name", ""),
            )
        )
    return Parsed(neighbours=tuple(found))
