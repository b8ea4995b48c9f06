"""SSH parsers for linux (iproute2's and lldpd's JSON) and the helpers every platform shares:
MAC notations, Cisco ifNames, and what terminals add to output (pager, ANSI, echo, prompt)."""

from __future__ import annotations

import json

import pytest

from netmon.model import InterfaceState, Neighbour
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.parse import Parsed, ParseError, ip_link, lldpcli, normal_mac
from netmon.probes.ssh.platforms import hostname
from netmon.probes.ssh.text import clean, strip_echo_and_prompt
from netmon.probes.ssh.vendor import (
    cisco_short,
)

IP_LINK = [
    {
        "ifindex": 1,
        "ifname": "lo",
        "flags": ["LOOPBACK", "UP", "LOWER_UP"],
        "operstate": "UNKNOWN",
        "stats64": {"rx": {"bytes": 0, "errors": 0, "dropped": 0}, "tx": {"bytes": 0}},
    },
    {
        "ifindex": 4,
        "ifname": "wan0",
        "flags": ["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"],
        "operstate": "DOWN",
        "ifalias": "to pop",
        "stats64": {
            "rx": {"bytes": 561, "errors": 2, "dropped": 1},
            "tx": {"bytes": 552, "errors": 0, "dropped": 0},
        },
    },
]


def test_ip_link_json() -> None:
    got = ip_link(Output("ip -j -s link", json.dumps(IP_LINK), 0)).interfaces
    assert got[0] == InterfaceState(
        "lo", 1, "", True, True, None, 0, 0, 0, None, 0, None
    )  # lo's UNKNOWN state with LOWER_UP is up, as net-snmp reports it
    assert got[1] == InterfaceState("wan0", 4, "to pop", True, False, None, 561, 552, 2, 0, 1, 0)


def test_ip_link_failure_is_a_parse_error_with_stderr() -> None:
    with pytest.raises(ParseError, match="status 1: Cannot open netlink"):
        ip_link(Output("ip -j -s link", "", 1, "Cannot open netlink socket"))


LLDPCLI = {
    "lldp": [
        {
            "interface": [
                {
                    "name": "wan1",
                    "chassis": [
                        {
                            "id": [{"type": "mac", "value": "DE:19:D5:91:F0:AA"}],
                            "name": [{"value": "pop-huong-thuy"}],
                            "mgmt-ip": [{"value": "fe80::1"}, {"value": "10.46.1.12"}],
                        }
                    ],
                    "port": [
                        {"id": [{"type": "ifname", "value": "acc1"}], "descr": [{"value": "acc1"}]}
                    ],
                }
            ]
        }
    ]
}


def test_lldpcli_json0() -> None:
    got = lldpcli(Output("lldpcli -f json0 show neighbors", json.dumps(LLDPCLI), 0))
    assert got.neighbours == (
        Neighbour(
            "wan1",
            "de:19:d5:91:f0:aa",
            "mac_address",
            "acc1",
            "interface_name",
            "acc1",
            "pop-huong-thuy",
            "10.46.1.12",
        ),
    )
    empty = lldpcli(Output("lldpcli -f json0 show neighbors", '{"lldp": [{}]}', 0))
    assert empty == Parsed()
    off = lldpcli(Output("x", "", 1, "cannot find lldpd daemon"))
    assert off.unavailable and "lldpd" in off.unavailable


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("00:61:75:F5:B5:FF", "00:61:75:f5:b5:ff"),
        ("0061.75f5.b5ff", "00:61:75:f5:b5:ff"),
        ("f55f-c2c5-e180", "f5:5f:c2:c5:e1:80"),
        ("00-61-75-f5-b5-ff", "00:61:75:f5:b5:ff"),
        ("Gi1/0/1", None),
        ("502", None),
        ("0061.75f5.b5f", None),
    ],
)
def test_mac_notations(text: str, want: str | None) -> None:
    assert normal_mac(text) == want


def test_cisco_names_become_ifname() -> None:
    assert [
        cisco_short(n)
        for n in ("GigabitEthernet1/0/16", "TenGigabitEthernet1/1/1", "Vlan100", "Port-channel1")
    ] == ["Gi1/0/16", "Te1/1/1", "Vl100", "Po1"]
    assert cisco_short("eth0") == "eth0" and cisco_short("Gi0/1") == "Gi0/1"


def test_terminal_noise_is_removed() -> None:
    cisco_page = "line 23\r\n --More-- " + "\x08" * 9 + " " * 9 + "\x08" * 9 + "line 24\r\n"
    assert clean(cisco_page, r" ?--More-- ?") == "line 23\nline 24\n"
    huawei_page = "a\r\n  ---- More ----\x1b[42D" + " " * 42 + "\x1b[42Db\r\n"
    assert clean(huawei_page, r"  ---- More ----") == "a\nb\n"
    assert clean("\x1b[K\x1b[1;32mGi0/1 is up\x1b[0m\r\n") == "Gi0/1 is up\n"
    assert clean("abc\x08\x08xy\r\n") == "axy\n"
    out = strip_echo_and_prompt(
        "show interfaces\nGi0/1 is up\nRouter#", "show interfaces", "Router#"
    )
    assert out == "Gi0/1 is up\n"
    assert [hostname(p) for p in ("Router#", "sw-1>", "<HUAWEI>", "[~CE1]")] == [
        "Router",
        "sw-1",
        "HUAWEI",
        "CE1",
    ]
