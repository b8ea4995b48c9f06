"""Cisco NX-OS, Arista EOS and ZTE ZXROS outputs -> observations (textfsm + ntc-templates).

Names come out as the device's IF-MIB ifName: NX-OS `Ethernet1/1` (its LLDP output writes
`Eth1/1`), EOS `Ethernet1`, ZTE `xgei-1/1/0/1`. The oper status follows the one rule
(parse.oper_up): physical and protocol both up. Subtypes are read where the device prints
them (EOS `Port ID type: Interface name (5)`) and guessed from the id's shape where it does
not (NX-OS), as for IOS.
"""

from __future__ import annotations

import re

from netmon.model.observation import InterfaceState, Neighbour
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.ntc import (
    chassis_id,
    chassis_subtypes,
    number,
    port_id,
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
    oper_up,
)
from netmon.probes.ssh.text import excerpt

NXOS_LONG = (("Eth", "Ethernet"), ("Po", "port-channel"), ("Lo", "loopback"), ("Vl", "Vlan"))


def nxos_long(name: str) -> str:
    """NX-OS LLDP/CDP abbreviations -> the ifName: `Eth1/1` -> `Ethernet1/1`."""
    for short, long in NXOS_LONG:
        if name.startswith(short) and name[len(short) : len(short) + 1].isdigit():
            return long + name[len(short) :]
    return name


def _kbit(text: str) -> int | None:
    m = re.match(r"(\d+)\s*[Kk]bit", text)
    return int(m.group(1)) * 1000 if m else None


def _found(rows_: list[dict[str, str]], out: Output) -> list[dict[str, str]]:
    if not rows_:
        raise ParseError(f"no interface in the output ({excerpt(out.text) or 'empty'})")
    return rows_


def nxos_interfaces(out: Output) -> Parsed:
    """`show interface`: NX-OS prints no line protocol for ports: the link decides."""
    required(out)
    found = []
    for row in _found(rows("cisco_nxos", out.command, out.text), out):
        link, admin = row["link_status"], row.get("admin_state", "")
        admin_down = admin == "down" or "administratively down" in link.lower()
        found.append(
            InterfaceState(
                name=row["interface"],
                alias=row.get("description", ""),
                admin_up=not admin_down,
                oper_up=oper_up(link, ""),
                speed_bps=_kbit(row.get("bandwidth", "")),
                in_errors=number(row, "input_errors"),
                out_errors=number(row, "output_errors"),
                in_discards=number(row, "input_discards"),
                out_discards=number(row, "output_discards"),
            )
        )
    return Parsed(interfaces=tuple(found))


def nxos_lldp(out: Output) -> Parsed:
    refused = refusal(out.text)
    if refused:
        return Parsed(unavailable=refused)
    found = []
    for row in rows("cisco_nxos", out.command, out.text):
        chassis, c_kind = guess_chassis(row.get("chassis_id", ""))
        port, p_kind = guess_port(row["neighbor_interface"])
        found.append(
            Neighbour(
                local_interface=nxos_long(row["local_interface"]),
                chassis_id=chassis,
                chassis_id_subtype=c_kind,
                port_id=port,
                port_id_subtype=p_kind,
                sys_name=row.get("neighbor_name", ""),
                mgmt_address=ipv4(row.get("mgmt_address", "")),
            )
        )
    return Parsed(neighbours=tuple(found))


def eos_interfaces(out: Output) -> Parsed:
    """`show interfaces`: `Ethernet1 is up, line protocol is up (connected)`."""
    required(out)
    found = []
    for row in _found(rows("arista_eos", out.command, out.text), out):
        link = row["link_status"]
        found.append(
            InterfaceState(
                name=row["interface"],
                alias=row.get("description", ""),
                admin_up=link != "administratively down",
                oper_up=oper_up(link, row.get("protocol_status", "")),
                speed_bps=_kbit(row.get("bandwidth", "")),
            )
        )
    return Parsed(interfaces=tuple(found))


def eos_lldp(out: Output) -> Parsed:
    """`show lldp neighbors detail`: EOS prints each id's subtype; they are read in order
    beside the template's rows (the template does not keep them)."""
    refused = refusal(out.text)
    if refused:
        return Parsed(unavailable=refused)
    table = rows("arista_eos", out.command, out.text)
    chassis_kinds = chassis_subtypes(out.text, "Chassis ID type", len(table))
    port_kinds = port_subtypes(out.text, "Port ID type", len(table))
    found = []
    for row, c_given, p_given in zip(table, chassis_kinds, port_kinds, strict=True):
        chassis, c_kind = chassis_id(row.get("chassis_id", ""), c_given)
        port, p_kind = port_id(row["neighbor_interface"].strip('"'), p_given)
        found.append(
            Neighbour(
                local_interface=row["local_interface"],
                chassis_id=chassis,
                chassis_id_subtype=c_kind,
                port_id=port,
                port_id_subtype=p_kind,
                sys_name=row.get("neighbor_name", "").strip('"'),
                mgmt_address=ipv4(row.get("mgmt_address", "")),
            )
        )
    return Parsed(neighbours=tuple(found))


def zte_interfaces(out: Output) -> Parsed:
    """`show interface brief`: Admin, Phy and Prot columns."""
    required(out)
    found = []
    for row in _found(rows("zte_zxros", out.command, out.text), out):
        found.append(
            InterfaceState(
                name=row["interface"],
                alias=row.get("description", ""),
                admin_up=row.get("admin", "") == "up",
                oper_up=oper_up(row.get("physical", ""), row.get("protocol", "")),
            )
        )
    return Parsed(interfaces=tuple(found))
