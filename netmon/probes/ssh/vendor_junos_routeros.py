"""Juniper Junos and MikroTik RouterOS outputs -> observations (textfsm + ntc-templates).

Junos `show interfaces` lists physical interfaces (`ge-0/0/0`, Enabled/Disabled, Physical
link Up/Down) and their logical units (`ge-0/0/0.0`): both are IF-MIB rows on Junos, both are
kept. RouterOS runs over an exec channel: `/interface print detail` flags a running interface
R and a disabled one X; `/ip neighbor print detail` is its discovery table (LLDP, CDP, MNDP),
whose `interface` is the local port (then the bridge it belongs to) and `interface-name` the
neighbour's own port name.
"""

from __future__ import annotations

from netmon.model.observation import InterfaceState, Neighbour
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.ntc import port_id, refusal, required, rows
from netmon.probes.ssh.parse import (
    Parsed,
    ParseError,
    guess_chassis,
    guess_port,
    ipv4,
    oper_up,
)
from netmon.probes.ssh.text import excerpt


def _found(table: list[dict[str, str]], out: Output) -> list[dict[str, str]]:
    if not table:
        raise ParseError(f"no interface in the output ({excerpt(out.text) or 'empty'})")
    return table


def junos_interfaces(out: Output) -> Parsed:
    required(out)
    found = []
    for row in _found(rows("juniper_junos", out.command, out.text), out):
        admin = row.get("admin_state", "")
        found.append(
            InterfaceState(
                name=row["interface"],
                alias=row.get("description", ""),
                admin_up=None if not admin else admin.lower() == "enabled",
                oper_up=oper_up(row.get("link_status", ""), ""),
            )
        )
    return Parsed(interfaces=tuple(found))


def junos_lldp(out: Output) -> Parsed:
    """`show lldp neighbors`: local port, chassis id, the neighbour's port info, its name.
    Junos does not print the subtypes here: they are guessed from the ids' shapes."""
    refused = refusal(out.text)
    if refused:
        return Parsed(unavailable=refused)
    found = []
    for row in rows("juniper_junos", out.command, out.text):
        chassis, c_kind = guess_chassis(row.get("chassis_id", ""))
        port, p_kind = guess_port(row.get("neighbor_interface", ""))
        found.append(
            Neighbour(
                local_interface=row["local_interface"],
                chassis_id=chassis,
                chassis_id_subtype=c_kind,
                port_id=port,
                port_id_subtype=p_kind,
                sys_name=row.get("neighbor_name", ""),
            )
        )
    return Parsed(neighbours=tuple(found))


def routeros_interfaces(out: Output) -> Parsed:
    required(out)
    found = []
    for row in _found(rows("mikrotik_routeros", out.command, out.text), out):
        flag = row.get("status", "")  # R running, X disabled, "" neither
        found.append(
            InterfaceState(
                name=row["name"],
                admin_up=flag != "X",
                oper_up=flag == "R",
            )
        )
    return Parsed(interfaces=tuple(found))


def routeros_neighbours(out: Output) -> Parsed:
    refused = refusal(out.text)
    if refused:
        return Parsed(unavailable=refused)
    found = []
    for row in rows("mikrotik_routeros", out.command, out.text):
        chassis, c_kind = guess_chassis(row.get("mac_address", ""))
        remote = row.get("interface_name", "")  # the neighbour's own name for its port
        port, p_kind = port_id(remote, "interface_name" if remote else "unknown")
        found.append(
            Neighbour(
                local_interface=row.get("interface", "").split(",")[0],
                chassis_id=chassis,
                chassis_id_subtype=c_kind,
                port_id=port,
                port_id_subtype=p_kind,
                sys_name=row.get("identity", ""),
                mgmt_address=ipv4(row.get("ipv4_address", "") or row.get("ip_address", "")),
            )
        )
    return Parsed(neighbours=tuple(found))
