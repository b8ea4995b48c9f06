"""The SSH platforms beyond IOS and VRP, on real CLI outputs: ntc-templates' own test fixtures.

Every `.raw` in tests/data/ssh/ntc-templates/ (sources in the README there) is parsed by the
platform's parser, exactly as the probe does for the command it sends, and compared with the
`.yml` beside it: ntc-templates' expected parse, written by the template's authors. Each
record must come out as one interface or neighbour (none lost, none invented), named as the
device's ifName, with admin and oper status by the one rule (physical and protocol both up,
docs/probes.md) applied here to the record's own fields, and LLDP ids as the device sent them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from netmon.model import InterfaceState, Neighbour
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.parse import Parsed
from netmon.probes.ssh.platforms import PLATFORMS

DATA = Path(__file__).parents[1] / "data" / "ssh" / "ntc-templates"
Record = dict[str, Any]


def up(word: str) -> bool:
    return word.strip().lower().startswith("up")


# Comware's abbreviations in `display interface brief`, as the device's ifName (and its LLDP
# output) writes them: what an operator declares in the inventory.
COMWARE_NAMES = {
    "GE": "GigabitEthernet", "XGE": "Ten-GigabitEthernet", "M-GE": "M-GigabitEthernet",
    "Loop": "LoopBack", "InLoop": "InLoopBack", "Vlan": "Vlan-interface",
    "BAGG": "Bridge-Aggregation", "REG": "Register-Tunnel",
}  # fmt: skip


def comware_name(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z-]+?)(\d.*)", name)
    return COMWARE_NAMES[m.group(1)] + m.group(2) if m and m.group(1) in COMWARE_NAMES else name


# platform -> record -> (name, admin_up, oper_up), from the record's own fields
INTERFACE_RULES: dict[str, Callable[[Record], tuple[str, bool | None, bool]]] = {
    "cisco_nxos": lambda r: (
        r["interface"],
        not (r["admin_state"] == "down" or "administratively down" in r["link_status"].lower()),
        up(r["link_status"]),  # NX-OS prints no line protocol for its ports
    ),
    "arista_eos": lambda r: (
        r["interface"],
        r["link_status"] != "administratively down",
        up(r["link_status"]) and up(r["protocol_status"]),
    ),
    "juniper_junos": lambda r: (
        r["interface"],
        None if not r["admin_state"] else r["admin_state"] == "Enabled",
        up(r["link_status"]),
    ),
    "hp_comware": lambda r: (
        comware_name(r["interface"]),
        r["link"] != "ADM",
        # a layer-2 port (bridge mode) or Aux0 prints no protocol ("--"): the link decides
        up(r["link"]) and (up(r["protocol"]) or r["protocol"] in ("", "--")),
    ),
    "hp_procurve": lambda r: (r["port"], r["enabled"] == "Yes", r["status"] == "Up"),
    "mikrotik_routeros": lambda r: (r["name"], r["status"] != "X", r["status"] == "R"),
    "zte_zxros": lambda r: (
        r["interface"],
        r["admin"] == "up",
        up(r["physical"]) and up(r["protocol"]),
    ),
    "huawei_vrp": lambda r: (
        re.sub(r"\(\w+\)$", "", r["interface"]),
        not r["phy"].startswith("*"),
        up(r["phy"]) and up(r["protocol"]),  # VRP 5 went by PHY alone
    ),
}


def hexdigits(text: str) -> str:
    return re.sub(r"[^0-9a-f]", "", text.lower())


_MAC_SHAPES = (
    r"(?:[0-9a-f]{2}[ :-]?){6}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{6}-[0-9a-f]{6}"
)


def port(text: str, said_mac: bool = False) -> str:
    """A remote port id as compared: a MAC (by its shape, or because the device said so) by
    its hex digits, anything else as written."""
    mac = said_mac or re.fullmatch(_MAC_SHAPES, text.strip().lower()) is not None
    return hexdigits(text) if mac else text


# platform -> record -> (local port, chassis id, port id, sysName); ids as hex digits when MACs
NEIGHBOUR_RULES: dict[str, Callable[[Record], tuple[str, str, str, str]]] = {
    "cisco_nxos": lambda r: (
        re.sub(r"^Eth(?=\d)", "Ethernet", r["local_interface"]),
        hexdigits(r["chassis_id"]),
        port(r["neighbor_interface"]),
        r["neighbor_name"],
    ),
    "arista_eos": lambda r: (
        r["local_interface"],
        hexdigits(r["chassis_id"]),
        port(r["neighbor_interface"].strip('"')),
        r["neighbor_name"].strip('"'),
    ),
    "juniper_junos": lambda r: (
        r["local_interface"],
        hexdigits(r["chassis_id"]),
        port(r["neighbor_interface"]),
        r["neighbor_name"],
    ),
    "hp_comware": lambda r: (
        r["local_interface"],
        hexdigits(r["chassis_id"]),
        port(r["neighbor_interface"]),
        r["neighbor_name"],
    ),
    "hp_procurve": lambda r: (
        r["local_interface"],
        hexdigits(r["chassis_id"]),
        port(r["neighbor_interface"]),
        r["neighbor_name"],
    ),
    "mikrotik_routeros": lambda r: (
        r["interface"].split(",")[0],
        hexdigits(r["mac_address"]),
        r["interface_name"],
        r["identity"],
    ),
    "huawei_vrp": lambda r: (
        r["local_interface"],
        hexdigits(r["chassis_id"]),
        port(r["neighbor_port_id"], (r["port_id_subtype"] or r["port_id_type"]) == "MAC address"),
        r["neighbor_name"],
    ),
}


def fixtures() -> list[tuple[str, Path]]:
    return [(p.parent.name, p) for p in sorted(DATA.glob("*/*.raw"))]


def command_for(platform: str, raw: Path) -> str:
    """The command of the platform whose words the file name carries."""
    stem = re.sub(r"[^a-z]", "", raw.stem.lower())
    for c in PLATFORMS[platform].commands:
        if re.sub(r"[^a-z]", "", c.text.lower()) in stem:
            return c.text
    raise AssertionError(f"{raw.name}: no command of {platform} matches its name")


def parse(platform: str, raw: Path) -> tuple[Parsed, list[Record]]:
    command = command_for(platform, raw)
    parser = next(c.parse for c in PLATFORMS[platform].commands if c.text == command)
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]
    return parser(Output(command, raw.read_text())), expected


def ident(state: InterfaceState) -> tuple[str, bool | None, bool]:
    return state.name, state.admin_up, bool(state.oper_up)


def seen(n: Neighbour) -> tuple[str, str, str, str]:
    port = hexdigits(n.port_id) if n.port_id_subtype == "mac_address" else n.port_id
    return n.local_interface, hexdigits(n.chassis_id), port, n.sys_name


@pytest.mark.parametrize(("platform", "raw"), fixtures(), ids=[p.name for _, p in fixtures()])
def test_real_outputs_parse_as_their_template_authors_expect(platform: str, raw: Path) -> None:
    parsed, expected = parse(platform, raw)
    assert expected, f"{raw.name}: an empty expected parse checks nothing"
    assert not parsed.unavailable
    if parsed.interfaces:
        rule = INTERFACE_RULES[platform]
        assert [ident(s) for s in parsed.interfaces] == [rule(r) for r in expected]
    else:
        rule_n = NEIGHBOUR_RULES[platform]
        assert [seen(n) for n in parsed.neighbours] == [rule_n(r) for r in expected]


def test_every_platform_has_its_fixtures() -> None:
    """Each SSH platform's every command is checked on at least one real output (linux, IOS
    and VRP's first outputs are in ../shared/device-outputs, test_ssh_parsers.py)."""
    covered = {(p, command_for(p, raw)) for p, raw in fixtures()}
    elsewhere = {"linux", "cisco_ios"}
    for name, platform in PLATFORMS.items():
        if name in elsewhere:
            continue
        for c in platform.commands:
            assert (name, c.text) in covered, f"{name}: {c.text!r} has no real output here"


WORDS = {
    "Interface name": "interface_name",
    "MAC address": "mac_address",
    "Locally assigned": "local",
}


@pytest.mark.parametrize(
    ("platform", "name", "label"),
    [
        ("arista_eos", "arista_eos_show_lldp_neighbors_detail.raw", "Port ID type"),
        ("hp_comware", "hp_comware_display_lldp_neighbor-information_verbose.raw", "Port ID type"),
    ],
)
def test_subtypes_are_read_where_the_device_prints_them(
    platform: str, name: str, label: str
) -> None:
    """EOS and Comware print each id's subtype; the templates drop them; netmon keeps them (a
    port id's subtype tells a wrong-port cable from an unknown port)."""
    raw = DATA / platform / name
    printed = re.findall(rf"{label}\s*:\s*([A-Za-z ]+?)\s*(?:\(\d\))?\s*$", raw.read_text(), re.M)
    parsed, _ = parse(platform, raw)
    assert [n.port_id_subtype for n in parsed.neighbours] == [WORDS[w] for w in printed]


@pytest.mark.parametrize(
    ("name", "layout"),
    [("huawei_vrp_display_lldp_neighbor4.raw", "Port ID subtype"),
     ("huawei_vrp_display_lldp_neighbor6.raw", "Port ID type")],
)  # fmt: skip
def test_both_vrp_layouts_keep_the_port_id_subtype(name: str, layout: str) -> None:
    """Newer VRP prints "Port ID subtype", older "Port ID type": both are read (newer ones
    came out "unknown", so a cable in another port went unseen)."""
    raw = DATA / "huawei_vrp" / name
    assert layout in raw.read_text()
    printed = re.findall(rf"^{layout}\s*:\s*(.+?)\s*$", raw.read_text(), re.M)
    vrp, _ = parse("huawei_vrp", raw)
    words = {"interface name": "interface_name", "mac address": "mac_address", "port component":
             "port_component", "interface alias": "interface_alias"}  # fmt: skip
    assert [n.port_id_subtype for n in vrp.neighbours] == [words[w.lower()] for w in printed]
