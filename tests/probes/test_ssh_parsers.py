"""SSH parsers on outputs captured from real Cisco IOS and Huawei VRP devices (read from
../shared/device-outputs/, never copied), through textfsm and ntc-templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from ntc_templates.parse import parse_output

from netmon.model import InterfaceState, Neighbour
from netmon.probes.ssh.client import Output
from netmon.probes.ssh.parse import Parsed, ParseError, ip_link, lldpcli, oper_up, system
from netmon.probes.ssh.platforms import PLATFORMS
from netmon.probes.ssh.vendor import (
    cisco_cdp,
    cisco_interfaces,
    cisco_lldp,
    huawei_interfaces,
    huawei_lldp,
)
from probes.sshdevice import captured


def parse(fn: object, command: str, name: str) -> Parsed:
    assert callable(fn)
    result = fn(Output(command, captured(name)))
    assert isinstance(result, Parsed)
    return result


def test_every_platform_command_has_its_ntc_template_or_json() -> None:
    assert {p: [c.text for c in PLATFORMS[p].commands] for p in PLATFORMS} == {
        "linux": [
            "ip -j -s link",
            "lldpcli -f json0 show neighbors",
            "cat /proc/sys/kernel/hostname /proc/uptime",
        ],
        "cisco_ios": [
            "show interfaces",
            "show lldp neighbors detail",
            "show cdp neighbors detail",
        ],
        "cisco_nxos": ["show interface", "show lldp neighbors detail"],
        "arista_eos": ["show interfaces", "show lldp neighbors detail"],
        "zte_zxros": ["show interface brief"],
        "juniper_junos": ["show interfaces", "show lldp neighbors"],
        "hp_comware": ["display interface brief", "display lldp neighbor-information verbose"],
        "hp_procurve": ["show interfaces brief", "show lldp info remote-device"],
        "mikrotik_routeros": ["/interface print detail", "/ip neighbor print detail"],
        "huawei_vrp": ["display interface brief", "display lldp neighbor"],
    }
    # each command is the one ntc-templates' index has a template for on that platform
    for name, platform in PLATFORMS.items():
        for c in platform.commands:
            if name != "linux":
                assert parse_output(platform=name, command=c.text, data="") == [], (name, c)


@pytest.mark.parametrize(
    ("physical", "protocol", "up"),
    [
        ("up", "up", True),
        ("up", "up (connected)", True),  # EOS
        ("UP", "UP(s)", True),  # Comware, VRP: spoofing is up
        ("up", "down", False),  # IOS "is up, line protocol is down": not passing packets
        ("up", "down (notconnect)", False),
        ("down", "down", False),
        ("*down", "down", False),  # VRP: shut
        ("administratively down", "down", False),
        ("up", "", True),  # no protocol column (NX-OS ports, ProCurve, Junos): the link decides
        ("down", "", False),
    ],
)
def test_one_oper_status_rule_physical_and_protocol_both_up(
    physical: str, protocol: str, up: bool
) -> None:
    assert oper_up(physical, protocol) is up


def test_ios_and_vrp_need_both_layers_up() -> None:
    ios = cisco_interfaces(Output("show interfaces", IOS_UP_DOWN)).interfaces
    assert [(i.name, i.admin_up, i.oper_up) for i in ios] == [("Gi0/1", True, False)]
    vrp = huawei_interfaces(Output("display interface brief", VRP_UP_DOWN)).interfaces
    assert [(i.name, i.oper_up) for i in vrp] == [("GigabitEthernet0/0/1", False)]


# An IOS port with a cable but no line protocol (err-disabled peer, mismatched encapsulation),
# and a VRP port whose PHY is up and protocol down: VRP 5 counted it up (PHY alone).
IOS_UP_DOWN = """GigabitEthernet0/1 is up, line protocol is down (notconnect)
  Hardware is Gigabit Ethernet, address is 0011.2233.4455 (bia 0011.2233.4455)
  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,
     reliability 255/255, txload 1/255, rxload 1/255
  Encapsulation ARPA, loopback not set
     5 packets input, 320 bytes, 0 no buffer
     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored
     7 packets output, 448 bytes, 0 underruns
     0 output errors, 0 collisions, 0 interface resets
"""
VRP_UP_DOWN = """PHY: Physical
*down: administratively down
(l): loopback
(s): spoofing
(b): BFD down
InUti/OutUti: input utility/output utility
Interface                   PHY   Protocol  InUti OutUti   inErrors  outErrors
GigabitEthernet0/0/1        up    down         0%     0%          0          0
"""


@pytest.mark.parametrize(
    ("name", "count", "first"),
    [
        (
            "cisco_ios_show_interfaces.raw",
            9,
            InterfaceState(
                name="Gi0/0",
                admin_up=True,
                oper_up=False,  # "is reset, line protocol is down (notconnect)"
                speed_bps=1_000_000_000,
                in_octets=48614,
                out_octets=62737,
                in_errors=0,
                out_errors=0,
                in_discards=0,
                out_discards=0,
            ),
        ),
        ("cisco_ios_show_interfaces2.raw", 56, None),
        ("cisco_ios_show_interfaces3.raw", 14, None),
    ],
)
def test_cisco_show_interfaces(name: str, count: int, first: InterfaceState | None) -> None:
    got = parse(cisco_interfaces, "show interfaces", name).interfaces
    assert len(got) == count
    if first is not None:
        assert got[0] == first
        assert got[1].name == "Gi0/1" and got[1].alias == "to iosvl2-2" and got[1].oper_up
    # names are IF-MIB ifName on IOS (short), never the long form show interfaces prints
    assert not [i.name for i in got if i.name.startswith(("GigabitEthernet", "Vlan"))]


def test_cisco_admin_down_is_read() -> None:
    got = parse(cisco_interfaces, "show interfaces", "cisco_ios_show_interfaces3.raw").interfaces
    assert [(i.name, i.oper_up) for i in got if i.admin_up is False] == [
        ("Gi0/1", False),
        ("Fa0/1/1", False),
    ]


@pytest.mark.parametrize(
    ("name", "want"),
    [
        (
            "cisco_ios_show_lldp_neighbors_detail1.raw",
            [
                Neighbour(
                    "Gi1/0/2", "7c:25:86:c9:aa:aa", "mac_address", "502", "local", "ge-0/0/0.0"
                ),
                Neighbour(
                    "Gi1/0/1",
                    "94:f1:28:79:55:55",
                    "mac_address",
                    "94:f1:28:79:55:55",
                    "mac_address",
                    "13",
                    "HpSwitch",
                    "192.168.1.81",
                ),
                Neighbour(
                    "Gi1/0/9",
                    "44:48:c1:c4:dd:dd",
                    "mac_address",
                    "44:48:c1:c4:dd:dd",
                    "mac_address",
                    "eth0",
                    "44:48:c1:c4:dd:dd",
                    "192.168.1.40",
                ),
            ],
        ),
        (
            "cisco_ios_show_lldp_neighbors_detail_chassis-colon.raw",
            [
                Neighbour(
                    "Tw2/0/33",
                    "00:61:75:f5:b5:ff",
                    "mac_address",
                    "00:61:75:f5:b5:ff",
                    "mac_address",
                    "eth0",
                    "Foo-BAR-TSC-101-G3",
                )
            ],
        ),
        (
            "cisco_ios_show_lldp_neighbors_detail_01.raw",
            [
                Neighbour(
                    "Gi1/1/2",
                    "24:16:ab:cd:ab:cd",
                    "mac_address",
                    "Gi1/0/16",
                    "interface_name",
                    "GigabitEthernet1/0/16",
                    "sdalab-bldg1-as01.devices.example.com",
                    "172.16.1.1",
                ),
                Neighbour(
                    "Gi1/0/1",
                    "10.65.1.11",
                    "network_address",
                    "00:60:ab:bc:ab:bc",
                    "mac_address",
                    "LAN Port",
                    "NEC IP Phone",
                ),
            ],
        ),
    ],
)
def test_cisco_lldp_neighbours(name: str, want: list[Neighbour]) -> None:
    assert list(parse(cisco_lldp, "show lldp neighbors detail", name).neighbours) == want


def test_cisco_lldp_without_local_interface_lines_keeps_the_neighbours() -> None:
    # This IOS release prints no "Local Intf:": the neighbours are kept, the port unknown.
    got = parse(
        cisco_lldp, "show lldp neighbors detail", "cisco_ios_show_lldp_neighbors_detail2.raw"
    )
    assert [n.sys_name for n in got.neighbours][:3] == [
        "USSC-CAMPUS-CORE-GW2",
        "USSC-CAMPUS-CORE-GW1.acme123.com",
        "DMZ-SW1",
    ]
    got3 = parse(
        cisco_lldp, "show lldp neighbors detail", "cisco_ios_show_lldp_neighbors_detail3.raw"
    )
    assert got3.neighbours[0].chassis_id_subtype == "network_address"


def test_cisco_cdp_neighbours() -> None:
    got = parse(cisco_cdp, "show cdp neighbors detail", "cisco_ios_show_cdp_neighbors_detail.raw")
    assert got.neighbours[0] == Neighbour(
        "Gi1/0/16",
        "desktop-switch",
        "local",
        "Gi0/1",
        "interface_name",
        "GigabitEthernet0/1",
        "desktop-switch",
        "10.1.1.2",
    )
    assert [n.local_interface for n in got.neighbours] == [
        "Gi1/0/16",
        "Gi1/0/22",
        "Gi1/0/19",
        "Gi0/3",
    ]


def test_huawei_display_interface_brief() -> None:
    got = parse(
        huawei_interfaces, "display interface brief", "huawei_vrp_display_interface_brief.raw"
    )
    by_name = {i.name: i for i in got.interfaces}
    assert len(got.interfaces) == 18
    assert by_name["Aux0/0/1"] == InterfaceState(
        "Aux0/0/1", admin_up=True, oper_up=False, in_errors=0, out_errors=0
    )
    # the "(10G)" tag is not part of the name (ifName has none)
    assert by_name["GigabitEthernet16/0/1"].in_errors == 4625
    # PHY up, Protocol down: not passing packets (the one rule; PHY alone said up)
    assert by_name["Eth-Trunk4"].oper_up is False
    assert by_name["Eth-Trunk4.10"].oper_up is True


@pytest.mark.parametrize(
    ("name", "first"),
    [
        (
            "huawei_vrp_display_lldp_neighbor.raw",
            Neighbour(
                "GigabitEthernet0/0/1",
                "f5:5f:c2:c5:e1:80",
                "mac_address",
                "Gi1/0/1",
                "interface_name",
                "GigabitEthernet1/0/1",
                "tsa-2960-sw01",
                "192.168.0.240",
            ),
        ),
        (
            "huawei_vrp_display_lldp_neighbor1.raw",
            Neighbour(
                "XGigabitEthernet0/0/1",
                "b8:d6:f6:ff:73:90",
                "mac_address",
                "XGigabitEthernet0/0/2",
                "interface_name",
                "XGigabitEthernet0/0/2",
                "ROUTER2",
                "169.254.1.2",
            ),
        ),
    ],
)
def test_huawei_lldp_neighbours(name: str, first: Neighbour) -> None:
    got = parse(huawei_lldp, "display lldp neighbor", name).neighbours
    assert got[0] == first
    assert len(got) == (2 if name.endswith("neighbor.raw") else 1)


@pytest.mark.parametrize(
    ("fn", "command", "text"),
    [
        (cisco_interfaces, "show interfaces", "garbage line\nmore garbage\n"),
        (cisco_interfaces, "show interfaces", ""),
        (cisco_lldp, "show lldp neighbors detail", "Local Intf: Gi0/1\nthis is not lldp\n"),
        (cisco_cdp, "show cdp neighbors detail", "garbage\n"),
        (huawei_interfaces, "display interface brief", "Interface PHY\nrandom junk here\n"),
        (huawei_lldp, "display lldp neighbor", "GigabitEthernet0/0/1 has 1 neighbors:\n?!junk\n"),
        (ip_link, "ip -j -s link", "[{]"),
        (ip_link, "ip -j -s link", "{}"),
        (ip_link, "ip -j -s link", '[{"ifname": "lo", "ifindex": "one"}]'),
        (lldpcli, "lldpcli -f json0 show neighbors", '{"lldp": {"interface": {}}}'),
    ],
)
def test_garbage_is_a_parse_error_with_what_was_wrong(fn: object, command: str, text: str) -> None:
    assert callable(fn)
    with pytest.raises(ParseError) as err:
        fn(Output(command, text, 0))
    assert str(err.value)


@pytest.mark.parametrize(
    ("fn", "text"),
    [
        (cisco_lldp, "% LLDP is not enabled\n"),
        (cisco_cdp, "% CDP is not enabled\n"),
        (huawei_lldp, "Info: Global LLDP is not enabled.\n"),
        (cisco_lldp, "                 ^\n% Invalid input detected at '^' marker.\n"),
    ],
)
def test_a_neighbour_protocol_that_is_off_is_not_read_rather_than_failed(
    fn: object, text: str
) -> None:
    assert callable(fn)
    got = fn(Output("x", text))
    assert got.unavailable and not got.neighbours


SYSTEM = "cat /proc/sys/kernel/hostname /proc/uptime"


def test_linux_system_gives_the_host_name_and_uptime() -> None:
    got = system(Output(SYSTEM, "cpe-so-tttt\n11188.16 10386.33\n", 0))
    assert (got.sys_name, got.uptime_s) == ("cpe-so-tttt", 11188.16)
    assert system(Output(SYSTEM, "h\n0.00 0.00", 0)).uptime_s == 0.0  # just booted, no newline
    proc = [Path(f).read_text(encoding="utf-8") for f in SYSTEM.split()[1:]]
    here = system(Output(SYSTEM, "".join(proc), 0))  # this host's own
    assert here.sys_name and here.uptime_s is not None and here.uptime_s > 0


@pytest.mark.parametrize(
    ("text", "status", "words"),
    [
        ("", 0, "expected 2 lines (host name, uptime), got 0"),
        ("11188.16 10386.33\n", 0, "got 1"),  # no host name line at all
        ("\n11188.16 10386.33\n", 0, "empty host name"),
        ("   \n11188.16 10386.33\n", 0, "empty host name"),
        ("two words\n11188.16 10386.33\n", 0, "is not one word"),
        ("h" * 65 + "\n11188.16 10386.33\n", 0, "at most 64 characters"),
        ("host\nup 10386.33\n", 0, "uptime 'up' is not a number"),
        ("host\n11188.16\n", 0, "is not two numbers"),
        ("host\n11188.16 idle\n", 0, "is not two numbers"),
        ("host\n-5.00 10386.33\n", 0, "is negative"),
        ("host\nnan 10386.33\n", 0, "is not a finite number"),
        ("host\ninf 10386.33\n", 0, "is not a finite number"),
        ("host\n" + "9" * 400 + " 1.00\n", 0, "is not a finite number"),
        ("host\n9999999999.00 1.00\n", 0, "is absurd (more than 50 years)"),
        ("host\n1e3 1.00\n", 0, "not in /proc/uptime's form"),
        ("host\n11188.16 10386.33\nextra\n", 0, "got 3"),
        ("", 1, "exited with status 1"),  # cat: /proc/uptime: No such file or directory
    ],
)
def test_linux_system_refuses_what_proc_does_not_print(text: str, status: int, words: str) -> None:
    with pytest.raises(ParseError) as err:
        system(Output(SYSTEM, text, status, "cat: /proc/uptime: No such file or directory\n"))
    assert words in str(err.value)
