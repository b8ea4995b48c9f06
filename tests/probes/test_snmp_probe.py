"""The SNMP probe against the recording fake: what it concluded AND exactly what it asked.

Each case replays recorded answers (tests/data/snmp/) over one or more cycles, optionally
changing the device between cycles, and checks the last cycle's result and requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest

from netmon.model import CredentialRefs, Device, ProbeResult
from netmon.probes import ProbeEnv, ProbeTarget
from netmon.probes.snmp.client import Oid, SnmpCommunity, Special, oid
from netmon.probes.snmp.fake import FakeAgent, RecordingSnmpClient, Request
from netmon.probes.snmp.lldp import LLDP_COLUMNS, LOC_PORT_COLUMNS, LOC_SCALARS
from netmon.probes.snmp.mib import (
    CYCLE_SCALARS,
    IF_COLUMNS,
    IF_STATUS_COLUMNS,
    IF_TABLE_LAST_CHANGE,
    LLDP_LAST_CHANGE,
    SCALARS,
    SYS_UPTIME,
)
from netmon.probes.snmp.probe import SnmpSettings, probe

DATA = Path(__file__).parents[1] / "data" / "snmp"
HOST = "10.46.16.1"
NONREP = tuple(s[:-1] for s in SCALARS)  # non-repeaters ask for the object, get object.0
IF_COLS = tuple(IF_COLUMNS.values())
LLDP_NONREP = tuple(s[:-1] for s in LOC_SCALARS)  # the device's own chassis id
LLDP_COLS = LLDP_NONREP + tuple(LLDP_COLUMNS.values())
LOC_PORT = tuple(LOC_PORT_COLUMNS.values())


def device(name: str, interfaces: tuple[str, ...]) -> Device:
    return Device(
        id=name,
        role="cpe",
        mgmt=IPv4Address(HOST),
        platform="linux",
        probes=("snmp",),
        credentials=CredentialRefs(snmp="x"),
        interfaces=interfaces,
        agency="a",
    )


CPE = device("cpe-so-tttt", ("wan0", "wan1"))
POP = device("pop-phu-vang", ("core1", "pop2", "acc1", "acc2", "acc3", "acc4", "acc5"))


def target(dev: Device, full: bool = False) -> ProbeTarget:
    return ProbeTarget(
        device=dev,
        settings=SnmpSettings(timeout_s=0.5, retries=3),
        uplinks=dev.interfaces if dev is CPE else ("core1", "pop2", "acc1", "acc2", "acc3"),
        auth=SnmpCommunity("recorded"),
        full=full,
    )


def bulk(oids: tuple[Oid, ...], nonrep: int, maxrep: int) -> Request:
    return Request("bulk", HOST, oids, nonrep, maxrep)


def local_ports(*numbers: int) -> Request:
    """The lldpLocPortTable rows of these lldpRemLocalPortNums (asked once, then known)."""
    return Request("get", HOST, tuple((*col, n) for n in numbers for col in LOC_PORT))


def get_uplinks(*indexes: int) -> Request:
    oids = list(CYCLE_SCALARS)
    for i in indexes:
        oids += [(*col, i) for col in IF_STATUS_COLUMNS.values()]
    return Request("get", HOST, tuple(oids))


Change = Callable[[FakeAgent], None]


def nothing(_: FakeAgent) -> None:
    pass


def set_value(key: Oid, value: Any) -> Change:
    return lambda agent: agent.set(key, value)


@dataclass
class Case:
    name: str
    recording: str
    dev: Device
    changes: list[Change]  # applied before each cycle; its length is the number of cycles
    requests: list[Request]  # of the last cycle, in order
    expect: dict[str, Any] = field(default_factory=dict)  # ProbeResult attributes
    check: Callable[[ProbeResult], None] = lambda r: None


def cpe_first(r: ProbeResult) -> None:
    names = [(i.name, i.index, i.oper_up) for i in r.interfaces]
    assert names == [("lo", 1, True), ("mgmt0", 2, True), ("wan1", 3, True), ("wan0", 4, False)]
    # ifLastChange 0 everywhere: wan0 has been down since the agent started (never cabled)
    assert [i.last_change_s for i in r.interfaces] == [0.0] * 4
    wan1 = r.interfaces[2]
    assert wan1.speed_bps == 1_000_000_000 and wan1.admin_up is True
    assert wan1.in_octets == 3927 and wan1.in_errors == 0
    (n,) = r.neighbours
    assert n.local_interface == "wan1"  # lldpRemLocalPortNum 3 = ifIndex 3 = wan1
    assert (n.chassis_id, n.chassis_id_subtype) == ("ea:0c:9a:87:75:ee", "mac_address")
    assert (n.port_id, n.port_id_subtype) == ("acc1", "interface_name")
    assert (n.sys_name, n.mgmt_address) == ("pop-huong-thuy", "10.46.1.12")


def cpe_targeted(r: ProbeResult) -> None:
    assert [(i.name, i.index, i.oper_up) for i in r.interfaces] == [
        ("wan0", 4, False),
        ("wan1", 3, True),
    ]
    assert r.interfaces[0].last_change_s == 0.0  # uplinks: read every cycle
    assert [n.sys_name for n in r.neighbours] == ["pop-huong-thuy"]  # carried forward


def mac_port(r: ProbeResult) -> None:
    (n,) = r.neighbours
    assert (n.port_id, n.port_id_subtype) == ("86:c4:1f:0a:00:31", "mac_address")


def pop_full(r: ProbeResult) -> None:
    assert len(r.interfaces) == 9
    assert {n.local_interface: n.sys_name for n in r.neighbours} == {
        "core1": "core-1",
        "pop2": "pop-huong-thuy",
        "acc2": "cpe-ubnd-phu-vang",
        "acc3": "cpe-ubnd-phu-ho",
    }


def table_failed(r: ProbeResult, name: str, reason: str) -> None:
    got = r.table(name)
    assert got is not None and (got.status, got.reason) == ("failed", reason)


CASES = [
    Case(
        "first cycle reads everything: scalars as non-repeaters, 12 IF columns, then LLDP",
        "cpe-so-tttt.walk",
        CPE,
        [nothing],
        # no memory yet: rows guessed from the inventory (2 interfaces + lo + mgmt = 4, +1 to
        # see each column end); LLDP: one neighbour per declared interface (2, +1), with the
        # device's own chassis id as non-repeaters; then lldpLocPortTable names port 3
        [bulk(NONREP + IF_COLS, 5, 5), bulk(LLDP_COLS, 2, 3), local_ports(3)],
        {"success": True, "sys_name": "cpe-so-tttt", "uptime_s": 19.33, "lldp_read": True},
        cpe_first,
    ),
    Case(
        "then one GET: 3 scalars and the 6 status columns of each uplink, nothing else",
        "cpe-so-tttt.walk",
        CPE,
        [nothing, nothing],
        [get_uplinks(4, 3)],
        {
            "success": True,
            "restarted": False,
            "lldp_read": True,
            "detail": "targeted",
            "sys_name": "cpe-so-tttt",  # carried from the full read
        },
        cpe_targeted,
    ),
    Case(
        "LLDP last-change moved: the LLDP tables, max-repetitions = last rows + 1",
        "cpe-so-tttt.walk",
        CPE,
        [nothing, set_value(LLDP_LAST_CHANGE, 5000)],
        [get_uplinks(4, 3), bulk(LLDP_COLS, 2, 2)],  # port 3 is known: no GET
        {"success": True, "lldp_read": True},
    ),
    Case(
        "ifTableLastChange moved: the interface table to its end (4 rows + 1), the scalars"
        " already read; LLDP, unchanged, stops at its known last row",
        "cpe-so-tttt.walk",
        CPE,
        [nothing, set_value(IF_TABLE_LAST_CHANGE, 777)],
        [get_uplinks(4, 3), bulk(IF_COLS, 0, 5), bulk(LLDP_COLS, 2, 1)],
        {"success": True, "restarted": False},
        cpe_first,
    ),
    Case(
        "sysUpTime went back: a restart, everything re-read",
        "cpe-so-tttt.walk",
        CPE,
        [nothing, set_value(SYS_UPTIME, 12)],
        # the local ports are asked again: a restarted agent may number them anew
        [get_uplinks(4, 3), bulk(IF_COLS, 0, 5), bulk(LLDP_COLS, 2, 2), local_ports(3)],
        {"success": True, "restarted": True, "uptime_s": 0.12},
    ),
    Case(
        "the poller asks for a full read (every Nth cycle): known tables, no overshoot",
        "cpe-so-tttt.walk",
        CPE,
        [nothing, nothing, nothing],
        [bulk(NONREP + IF_COLS, 5, 4), bulk(LLDP_COLS, 2, 1)],
        {"success": True, "detail": "full read"},
        lambda r: (cpe_first(r), None)[1],
    ),
    Case(
        "the poller asks for a full read and the interface table changed: walked again to the end",
        "cpe-so-tttt.walk",
        CPE,
        [nothing, nothing, set_value(IF_TABLE_LAST_CHANGE, 999)],
        [bulk(NONREP + IF_COLS, 5, 4), bulk(IF_COLS, 0, 5), bulk(LLDP_COLS, 2, 1)],
        {"success": True},
    ),
    Case(
        "a MAC-address port id stays a MAC, never decoded as text",
        "cpe-mac-port-id.walk",
        CPE,
        [nothing],
        [bulk(NONREP + IF_COLS, 5, 5), bulk(LLDP_COLS, 2, 3), local_ports(3)],
        {"success": True},
        mac_port,
    ),
    Case(
        "a PoP: 9 interfaces need a second GETBULK, continued from the last row of each column",
        "pop-phu-vang.walk",
        POP,
        [nothing],
        [
            # 5 + 12 x 7 = 89 varbinds: the most that fit snmpd's 100 per reply
            bulk(NONREP + IF_COLS, 5, 7),
            # guessed 9 rows + 1, 7 read: 3 more
            bulk(tuple((*c, 7) for c in IF_COLS), 0, 3),
            bulk(LLDP_COLS, 2, 8),
            local_ports(3, 4, 6, 7),
        ],
        {"success": True, "sys_name": "pop-phu-vang"},
        pop_full,
    ),
    Case(
        "no LLDP-MIB on the agent: interfaces read, one LLDP request says so, lldp_read false",
        "cpe-no-lldp.walk",
        CPE,
        [nothing],
        # no last-change scalar, no own chassis id, no lldpRemTable row: absent (a missing
        # scalar alone never hides the table: H3C E528 has rows without it)
        [bulk(NONREP + IF_COLS, 5, 5), bulk(LLDP_COLS, 2, 3)],
        {
            "success": True,
            "lldp_read": False,
            "neighbours": (),
            "detail": "full read; lldp absent: no LLDP-MIB",
        },
    ),
    Case(
        "sysUpTime missing: no_such_object",
        "cpe-so-tttt.walk",
        CPE,
        [lambda a: a.remove_prefix(oid("1.3.6.1.2.1.1.3"))],
        [bulk(NONREP + IF_COLS, 5, 5)],
        {"success": False, "reason": "no_such_object"},
    ),
    Case(
        "an integer column holding a string: the interface table failed (malformed_reply),"
        " named by OID; the device answered, so the probe did not",
        "cpe-so-tttt.walk",
        CPE,
        [set_value((*IF_STATUS_COLUMNS["oper"], 3), b"up")],
        [bulk(NONREP + IF_COLS, 5, 5)],
        {
            "success": True,
            "interfaces": (),
            "detail": "full read; interfaces failed: "
            "ifOperStatus.3: expected an integer, got bytes",
        },
        lambda r: table_failed(r, "interfaces", "malformed_reply"),
    ),
    Case(
        "an uplink vanished from the device (noSuchInstance): full re-read",
        "cpe-so-tttt.walk",
        CPE,
        [nothing, lambda a: a.remove_prefix((*IF_STATUS_COLUMNS["oper"], 4))],
        [get_uplinks(4, 3), bulk(IF_COLS, 0, 5), bulk(LLDP_COLS, 2, 1)],
        {"success": True},
    ),
]


def _run(case: Case) -> tuple[ProbeResult, list[Request]]:
    agent = FakeAgent.from_file(DATA / case.recording)
    client = RecordingSnmpClient({HOST: agent})
    env = ProbeEnv(snmp=client)
    result: ProbeResult | None = None
    for n, change in enumerate(case.changes):
        change(agent)
        client.requests.clear()
        full = case.name.startswith("the poller asks") and n == len(case.changes) - 1
        result = asyncio.run(probe(target(case.dev, full=full), env))
    assert result is not None
    return result, client.requests


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_snmp_probe(case: Case) -> None:
    result, requests = _run(case)
    assert requests == case.requests
    for key, want in case.expect.items():
        assert getattr(result, key) == want, key
    case.check(result)


@pytest.mark.parametrize("fail", ["timeout", "authentication"])
def test_failures_are_values_and_forget_nothing(fail: Any) -> None:
    agent = FakeAgent.from_file(DATA / "cpe-so-tttt.walk")
    client = RecordingSnmpClient({HOST: agent})
    env = ProbeEnv(snmp=client)
    assert asyncio.run(probe(target(CPE), env)).success
    agent.fail = fail
    r = asyncio.run(probe(target(CPE), env))
    assert (r.success, r.reason) == (False, fail)
    agent.fail = None
    client.requests.clear()
    # the memory of the last good read survives a failed cycle: back to one targeted GET
    assert asyncio.run(probe(target(CPE), env)).success
    assert client.requests == [get_uplinks(4, 3)]


def test_missing_credential_is_reported_without_traffic() -> None:
    client = RecordingSnmpClient({})
    t = ProbeTarget(
        device=CPE,
        settings=SnmpSettings(timeout_s=0.1, retries=0),
        auth_problem="credential set 'x' is missing",
    )
    r = asyncio.run(probe(t, ProbeEnv(snmp=client)))
    # netmon's own credential is missing: not the device refusing it (ProbeAuthFailing)
    assert (r.success, r.reason, r.detail) == (
        False,
        "credentials",
        "credential set 'x' is missing",
    )
    assert client.requests == []


def test_the_fake_answers_like_snmpd() -> None:
    """The fake itself: exact GET, noSuch* distinctions, GETBULK cap and endOfMibView."""
    agent = FakeAgent.from_file(DATA / "cpe-so-tttt.walk")
    assert agent.exact(SYS_UPTIME) == 1933
    assert agent.exact(oid("1.3.6.1.2.1.1.3.1")) is Special.NO_SUCH_INSTANCE
    assert agent.exact(oid("1.3.6.1.4.1.9.9.9.0")) is Special.NO_SUCH_OBJECT
    client = RecordingSnmpClient({HOST: agent})
    t = target(CPE).auth
    assert isinstance(t, SnmpCommunity)
    from netmon.probes.snmp.client import SnmpTarget

    reply = asyncio.run(
        client.bulk(SnmpTarget(HOST, t, timeout_s=0.5, retries=3), [], [oid("1.3.6.1.2.1.1")], 500)
    )
    assert len(reply.varbinds) == 100  # snmpd's cap
    reply = asyncio.run(
        client.bulk(SnmpTarget(HOST, t, timeout_s=0.5, retries=3), [], [oid("1.3.6.1.2.1.99")], 3)
    )
    assert [v for _, v in reply.varbinds] == [Special.END_OF_MIB_VIEW]


def test_a_table_larger_than_last_seen_is_walked_in_full_pdus() -> None:
    """A PoP with 130 ports whose last count said 2 rows (a cut re-read, a grown table): the
    walk must go back to full PDUs, not one row per request until it gives up."""
    from netmon.probes.snmp.client import SnmpTarget
    from netmon.probes.snmp.mib import IF_COLUMNS
    from netmon.probes.snmp.walk import walk

    data: dict[Oid, Any] = {(*col, i): 1 for col in IF_COLUMNS.values() for i in range(1, 131)}
    client = RecordingSnmpClient({HOST: FakeAgent(data)})
    auth = target(CPE).auth
    assert isinstance(auth, SnmpCommunity)
    got = asyncio.run(
        walk(client, SnmpTarget(HOST, auth, timeout_s=0.5, retries=3), IF_COLUMNS, rows_seen=2)
    )
    assert got.failure is None and len(got.rows) == 130
    assert got.requests <= 20  # 130 rows at 8 rows (12 columns) a PDU, not 130 PDUs
