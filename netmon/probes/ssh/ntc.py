"""ntc-templates at netmon's seams: rows of a command's output, the device's own refusal of a
command, numbers from rows. Shared by the vendor parsers (vendor*.py)."""

from __future__ import annotations

import re

from netmon.model.observation import ChassisIdSubtype, PortIdSubtype
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.parse import (
    CommandRejected,
    ParseError,
    guess_chassis,
    guess_port,
    normal_mac,
)
from netmon.probes.ssh.text import excerpt


def rows(platform: str, command: str, text: str) -> list[dict[str, str]]:
    """ntc-templates' rows (textfsm_fsm.py: parse_output's result, faster; a line longer than any
    row is refused there with a ParseError naming it)."""
    # Here, not at the top: textfsm is what a parse needs, not what naming a platform does
    # (the inventory imports the platforms on every command: netmon/probes/__init__.py).
    from netmon.probes.ssh.textfsm_fsm import parse, parse_errors

    try:
        found: list[dict[str, str]] = parse(platform, command, text)
    except parse_errors() as exc:
        line = str(exc).rsplit("Input Line:", 1)[-1].strip()
        raise ParseError(f"not what {command!r} prints (at {excerpt(line, 60)!r})") from None
    return found


def number(row: dict[str, str], key: str) -> int | None:
    v = row.get(key, "")
    return int(v) if v.isdigit() else None


_WORDS = (
    r"invalid input|unrecognized command|is not enabled|unknown command|syntax error|"
    r"invalid command|bad command|expected end of command|command not found"
)
# A line the device prints instead of an answer: "% Invalid input detected at '^' marker."
# (IOS, NX-OS, EOS, ZTE), "Error: Unrecognized command found at '^' position." (VRP,
# Comware), "syntax error, expecting <command>." (Junos), "bad command name ..." (RouterOS),
# "Invalid input: ..." (ProCurve). Only at the start of a line, so a description that happens
# to hold such words is not one.
_REFUSED = re.compile(rf"^\s*(?:(?:%|Info:|Error:).*?(?:{_WORDS})|(?:{_WORDS})).*$", re.M | re.I)


def refusal(text: str) -> str:
    """The device's own word that it does not know or run the command (`% LLDP is not
    enabled`, `Error: Unrecognized command ...`, `% Invalid input detected`), if it says so."""
    found = _REFUSED.search(text)
    return excerpt(found.group(0).strip(), 100) if found else ""


def required(out: Output) -> None:
    """An interface command the device refuses is not a parse error (nothing is wrong with
    netmon's parser): CommandRejected, so the result says the device refused it."""
    said = refusal(out.text)
    if said:
        raise CommandRejected(said)


# The subtype words devices print (VRP, Comware, EOS), folded by kind(); also lldpctl's.
def kind(text: str) -> str:
    """'MAC address', 'macAddress', 'Interface name (5)' -> 'macaddress', 'interfacename'."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\(\d+\)", "", text.lower()))


CHASSIS_WORDS: dict[str, ChassisIdSubtype] = {
    "macaddress": "mac_address",
    "networkaddress": "network_address",
    "interfacename": "interface_name",
    "interfacealias": "interface_alias",
    "portcomponent": "port_component",
    "chassiscomponent": "chassis_component",
    "local": "local",
    "locallyassigned": "local",
}
PORT_WORDS: dict[str, PortIdSubtype] = {
    "macaddress": "mac_address",
    "networkaddress": "network_address",
    "interfacename": "interface_name",
    "interfacealias": "interface_alias",
    "portcomponent": "port_component",
    "agentcircuitid": "agent_circuit_id",
    "local": "local",
    "locallyassigned": "local",
}


def _said(text: str, label: str, expected: int) -> list[str] | None:
    """Each `label : value` line of the output, in order; None unless there is one per row."""
    found = re.findall(rf"^[\s-]*{label}\s*:\s*(.+?)\s*$", text, re.M)
    return found if len(found) == expected else None


def chassis_subtypes(text: str, label: str, expected: int) -> list[ChassisIdSubtype]:
    """The chassis-id subtype each neighbour block prints (a template that does not keep
    them is completed by this, when the count matches), else "unknown" for each."""
    said = _said(text, label, expected)
    if said is None:
        return ["unknown"] * expected
    return [CHASSIS_WORDS.get(kind(s), "unknown") for s in said]


def port_subtypes(text: str, label: str, expected: int) -> list[PortIdSubtype]:
    """The port-id subtype each neighbour block prints, as chassis_subtypes."""
    said = _said(text, label, expected)
    if said is None:
        return ["unknown"] * expected
    return [PORT_WORDS.get(kind(s), "unknown") for s in said]


def chassis_id(raw: str, given: ChassisIdSubtype) -> tuple[str, ChassisIdSubtype]:
    """A chassis id by the subtype the device printed (a MAC normalised), else guessed."""
    if given == "unknown":
        return guess_chassis(raw)
    return (normal_mac(raw) or raw) if given == "mac_address" else raw, given


def port_id(raw: str, given: PortIdSubtype) -> tuple[str, PortIdSubtype]:
    """A port id by the subtype the device printed (a MAC normalised), else guessed."""
    if given == "unknown":
        return guess_port(raw)
    return (normal_mac(raw) or raw) if given == "mac_address" else raw, given
