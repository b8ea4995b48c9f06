"""The SNMP probe on what real agents do (against the recording fake, agents built here).

Each agent below stands for a behaviour seen on real devices (FIELD-NOTES, the corpus in
tests/corpus, and other pollers' bug trackers for MikroTik): a table too large for one cycle,
no ifXTable, Huawei's LLDP port numbers, MikroTik's one-number LLDP index and text MAC, an
lldpRemTable whose OIDs go back, NUL-padded and non-UTF-8 ids, two interfaces with one name.
The real-device conformance (snmpsim serving real walks, compared with net-snmp) is
tests/corpus; these check each rule on its own, with the requests it costs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from ipaddress import IPv4Address
from typing import Any

from netmon.model import CredentialRefs, Device, ProbeResult
from netmon.probes import ProbeEnv, ProbeTarget
from netmon.probes.snmp.client import Oid, SnmpCommunity, SnmpReply, SnmpTarget, Value, oid
from netmon.probes.snmp.fake import FakeAgent, RecordingSnmpClient
from netmon.probes.snmp.lldp import LLDP_COLUMNS, LOC_CHASSIS_ID, LOC_CHASSIS_SUBTYPE
from netmon.probes.snmp.lldp import LOC_PORT_COLUMNS as LOC
from netmon.probes.snmp.mib import IF32, IF_NUMBER, IFX, LLDP_LAST_CHANGE, SYS_NAME, SYS_UPTIME
from netmon.probes.snmp.probe import SnmpSettings, probe

HOST = "192.0.2.10"  # never sent to: the fake answers at the seam
REM = LLDP_COLUMNS
MTXR_INTERFACE = oid("1.3.6.1.4.1.14988.1.1.11.1.1.8")


def agent(ifaces: Sequence[tuple[int, bytes]], ifx: bool = True, **extra: Any) -> FakeAgent:
    """An agent with these (ifIndex, name) rows, every column filled, 64 varbinds per reply
    (snmpsim's cap, below snmpd's 100)."""
    data: dict[Oid, Value] = {SYS_UPTIME: 100_000, SYS_NAME: b"dev", IF_NUMBER: len(ifaces)}
    cols = IFX if ifx else IF32
    for index, name in ifaces:
        row: dict[str, Value] = {
            "name": name, "alias": b"", "high_speed": 1000, "speed": 1_000_000_000,
            "admin": 1, "oper": 1, "last_change": 0, "in_octets": 10 * index,
            "out_octets": 20 * index, "in_errors": 0, "out_errors": 0, "in_discards": 0,
            "out_discards": 0,
        }  # fmt: skip
        for key, col in cols.full.items():
            data[(*col, index)] = row[key]
    data.update(extra.get("data", {}))
    return FakeAgent(data, bulk_cap=64)


def lldp_row(time: int, port: int, rem: int, **v: Value) -> dict[Oid, Value]:
    index = (time, port, rem) if port else (rem,)
    return {(*REM[k], *index): value for k, value in v.items()}


def dev(interfaces: tuple[str, ...] = ("wan0",)) -> Device:
    return Device(
        id="d", role="cpe", mgmt=IPv4Address(HOST), platform="other", probes=("snmp",),
        credentials=CredentialRefs(snmp="x"), interfaces=interfaces, agency="a",
    )  # fmt: skip


def target(device: Device, budget: float = 3.0, full: bool = False) -> ProbeTarget[Any]:
    settings = SnmpSettings(timeout_s=0.5, retries=0, walk_budget_s=budget)
    return ProbeTarget(
        device, settings, uplinks=device.interfaces, auth=SnmpCommunity("c"), full=full
    )


class Slow(RecordingSnmpClient):
    """Every request takes at least `delay` seconds (an agent as slow as snmpsim on a big
    table): with a budget of 0.05 s a cycle makes at most a few requests, never all."""

    def __init__(self, agents: dict[str, FakeAgent], delay: float = 0.02) -> None:
        super().__init__(agents)
        self.delay = delay
        self.fail_at: int | None = None  # the request number (0-based) that times out

    async def _pause(self) -> SnmpReply | None:
        await asyncio.sleep(self.delay)
        if self.fail_at is not None and len(self.requests) == self.fail_at + 1:
            return SnmpReply(error="timeout", detail="no answer (test)")
        return None

    async def get(self, target: SnmpTarget, oids: Sequence[Oid]) -> SnmpReply:
        reply = await super().get(target, oids)
        return await self._pause() or reply

    async def bulk(
        self, target: SnmpTarget, nonrep: Sequence[Oid], rep: Sequence[Oid], n: int
    ) -> SnmpReply:
        reply = await super().bulk(target, nonrep, rep, n)
        return await self._pause() or reply


def cycles(t: ProbeTarget[Any], n: int, env: ProbeEnv) -> list[ProbeResult]:
    out: list[ProbeResult] = []
    for _ in range(n):
        out.append(asyncio.run(probe(t, env)))
        if not out[-1].discovering:
            break
    return out


BIG = [(i, f"GigabitEthernet 1/{i}".encode()) for i in range(1, 601)]  # 600 rows, names with spaces


def test_a_large_table_is_discovered_over_cycles_and_the_device_is_never_down() -> None:
    client = Slow({HOST: agent(BIG)})
    env = ProbeEnv(snmp=client)
    t = target(dev(("GigabitEthernet 1/7",)), budget=0.05)
    results = cycles(t, 200, env)
    assert len(results) > 3  # 600 rows x 6 columns at 64 varbinds a reply: 57 requests
    for r in results[:-1]:
        assert (r.success, r.discovering, r.uptime_s) == (True, True, 1000.0), r.detail
        assert r.table("interfaces").status == "discovering"  # type: ignore[union-attr]
    last = results[-1]
    assert last.success and not last.discovering
    assert [i.name for i in last.interfaces] == [n.decode() for _, n in BIG]
    # a large table: identity and state of every row, counters only for the declared one
    declared = [i for i in last.interfaces if i.in_octets is not None]
    got = [(i.name, i.in_octets, i.oper_up) for i in declared]
    assert got == [("GigabitEthernet 1/7", 70, True)]
    walked = [r for r in client.requests if r.kind == "bulk" and r.oids[-1][:2] == (1, 3)]
    # ifNumber (600) came with the first request: the rest asks for the 6 row columns only
    assert {o[:-1] for r in walked[1:] for o in r.oids} == set(IFX.rows.values())
    # no row is asked twice: every cycle goes on from the cursors where the last one stopped
    firsts = [r.oids[r.non_repeaters] for r in walked]
    assert len(firsts) == len(set(firsts))
    # then the table is known: one GET per cycle
    client.requests.clear()
    asyncio.run(probe(t, env))
    assert [r.kind for r in client.requests] == ["get"]


def test_a_restart_during_discovery_starts_it_again() -> None:
    a = agent(BIG)
    client = Slow({HOST: a})
    env = ProbeEnv(snmp=client)
    t = target(dev(), budget=0.05)
    assert asyncio.run(probe(t, env)).discovering
    a.set(SYS_UPTIME, 5)  # the agent restarted: what was read is void
    client.requests.clear()
    r = asyncio.run(probe(t, env))
    assert r.success and r.restarted and r.discovering
    bulk = next(q for q in client.requests if q.kind == "bulk")
    assert bulk.oids[0] == IFX.rows["name"]  # from the first row again


def test_a_walk_that_times_out_goes_on_next_cycle_from_where_it_stopped() -> None:
    client = Slow({HOST: agent(BIG)}, delay=0.0)
    env = ProbeEnv(snmp=client)
    t = target(dev())
    client.fail_at = 3  # the fourth request of the first cycle is lost (every retry)
    r = asyncio.run(probe(t, env))
    table = r.table("interfaces")
    assert r.success and table is not None and (table.status, table.reason) == ("failed", "timeout")
    assert "goes on next cycle" in table.detail
    stopped = client.requests[2].oids  # the last answered request's columns
    client.fail_at, n = None, len(client.requests)
    r = asyncio.run(probe(t, env))
    assert r.success and len(r.interfaces) == 600
    resumed = client.requests[n + 1]  # after this cycle's GET
    assert resumed.kind == "bulk" and resumed.oids[0] > stopped[0]


def test_without_ifxtable_names_speeds_and_counters_come_from_iftable() -> None:
    rows = [(1, b"GigabitEthernet 1/1/1"), (2, b"GigabitEthernet 1/1/2")]
    client = RecordingSnmpClient({HOST: agent(rows, ifx=False)})
    env = ProbeEnv(snmp=client)
    t = target(dev(("GigabitEthernet 1/1/2",)))
    r = asyncio.run(probe(t, env))
    got = [(i.index, i.name, i.speed_bps, i.in_octets, i.oper_up) for i in r.interfaces]
    assert got == [
        (1, "GigabitEthernet 1/1/1", 1_000_000_000, 10, True),
        (2, "GigabitEthernet 1/1/2", 1_000_000_000, 20, True),
    ]
    client.requests.clear()
    r = asyncio.run(probe(t, env))  # targeted: the 32-bit counters by ifIndex
    assert [(i.name, i.in_octets) for i in r.interfaces] == [("GigabitEthernet 1/1/2", 20)]
    (get,) = client.requests
    assert (*IF32.status["in_octets"], 2) in get.oids


def once(a: FakeAgent) -> ProbeResult:
    """One cycle against this agent, nothing known before."""
    return asyncio.run(probe(target(dev()), ProbeEnv(snmp=RecordingSnmpClient({HOST: a}))))


def test_two_interfaces_with_one_name_stay_two() -> None:
    r = once(agent([(1, b"lo0"), (7, b"wan0"), (9, b"lo0")]))
    got = [(i.index, i.name) for i in r.interfaces]
    assert got == [(1, "lo0"), (7, "wan0"), (9, "lo0 (ifIndex 9)")]


def _lldp_agent(ifaces: Sequence[tuple[int, bytes]], rows: dict[Oid, Value]) -> FakeAgent:
    return agent(ifaces, data={LLDP_LAST_CHANGE: 500, **rows})


def test_huawei_local_port_numbers_are_mapped_through_lldplocporttable() -> None:
    """VRP numbers LLDP ports 1..n; ifIndex 1 and 2 are other interfaces altogether."""
    ifaces = [(1, b"InLoopBack0"), (2, b"NULL0")]
    ifaces += [(6, b"GigabitEthernet0/0/1"), (7, b"GigabitEthernet0/0/2")]
    data = {
        **lldp_row(0, 1, 1, chassis_subtype=4, chassis_id=bytes.fromhex("00e0fc000001"),
                   port_subtype=5, port_id=b"GE0/0/9", sys_name=b"pop-a"),
        **lldp_row(0, 2, 1, chassis_subtype=4, chassis_id=bytes.fromhex("00e0fc000002"),
                   port_subtype=5, port_id=b"GE0/0/3", sys_name=b"pop-b"),
        (*LOC["subtype"], 1): 5, (*LOC["id"], 1): b"GigabitEthernet0/0/1", (*LOC["desc"], 1): b"",
        (*LOC["subtype"], 2): 5, (*LOC["id"], 2): b"GigabitEthernet0/0/2", (*LOC["desc"], 2): b"",
        LOC_CHASSIS_SUBTYPE: 4, LOC_CHASSIS_ID: bytes.fromhex("00e0fcaaaaaa"),
    }  # fmt: skip
    r = once(_lldp_agent(ifaces, data))
    assert [(n.local_interface, n.sys_name) for n in r.neighbours] == [
        ("GigabitEthernet0/0/1", "pop-a"),
        ("GigabitEthernet0/0/2", "pop-b"),
    ]
    assert (r.chassis_id, r.chassis_id_subtype) == ("00:e0:fc:aa:aa:aa", "mac_address")


def test_mikrotik_one_number_index_text_mac_and_its_neighbour_interface() -> None:
    ifaces = [(1, b"ether1"), (2, b"ether2"), (3, b"sfp-sfpplus1")]
    data = {
        **lldp_row(0, 0, 5, chassis_subtype=4, chassis_id=b"74:4D:28:AA:BB:0C", port_subtype=5,
                   port_id=b"ether7", sys_name=b"MikroTik-B"),
        (*REM["man_addr"], 5, 1, 4, 10, 46, 1, 2): 2,
        (*MTXR_INTERFACE, 5): 3,
    }  # fmt: skip
    r = once(_lldp_agent(ifaces, data))
    (n,) = r.neighbours
    assert (n.local_interface, n.chassis_id, n.port_id, n.mgmt_address) == (
        "sfp-sfpplus1", "74:4d:28:aa:bb:0c", "ether7", "10.46.1.2",
    )  # fmt: skip


def test_ids_lose_their_nul_padding_and_keep_bytes_that_are_not_utf8() -> None:
    data = lldp_row(
        0, 1, 1, chassis_subtype=4, chassis_id=bytes.fromhex("8c604f191bdc"), port_subtype=7,
        port_id=b"Eth1/21" + b"\0" * 9, port_desc=bytes.fromhex("bcb6c1aa") + b"5548",
        sys_name=b"sw\x1b[31m",
    )  # fmt: skip
    r = once(_lldp_agent([(1, b"wan0")], data))
    (n,) = r.neighbours
    assert (n.port_id, n.port_description, n.sys_name) == (
        "Eth1/21", "\\xbc\\xb6\\xc1\\xaa5548", "sw\\x1b[31m",
    )  # fmt: skip


def test_lldp_rows_without_the_last_change_scalar_are_read() -> None:
    """H3C E528: lldpRemTable rows, no lldpStatsRemTablesLastChangeTime, no local tables."""
    data = lldp_row(1169175, 24, 1, chassis_subtype=4, chassis_id=bytes.fromhex("3891d5fb742c"),
                    port_subtype=5, port_id=b"GigabitEthernet1/0/33", sys_name=b"WRD")  # fmt: skip
    r = once(agent([(24, b"GigabitEthernet1/0/24")], data=data))
    assert r.lldp_read and [(n.local_interface, n.sys_name) for n in r.neighbours] == [
        ("GigabitEthernet1/0/24", "WRD")
    ]


class GoesBack(RecordingSnmpClient):
    """lldpRemTable answers whose OIDs go back (Ruijie N18010 serves rows in file order)."""

    async def bulk(
        self, target: SnmpTarget, nonrep: Sequence[Oid], rep: Sequence[Oid], n: int
    ) -> SnmpReply:
        reply = await super().bulk(target, nonrep, rep, n)
        if rep and rep[0][: len(REM["chassis_subtype"])] == REM["chassis_subtype"]:
            vbs = list(reply.varbinds)
            _, value = vbs[len(nonrep)]
            vbs[len(nonrep) + len(rep)] = ((*REM["chassis_subtype"], 0, 0, 0), value)
            return SnmpReply(tuple(vbs))
        return reply


def test_a_broken_lldp_table_costs_the_neighbours_not_the_interfaces() -> None:
    one = {"chassis_subtype": 4, "port_subtype": 5, "port_id": b"x"}
    data = {
        **lldp_row(5, 1, 1, chassis_id=b"\x00\x01\x02\x03\x04\x05", **one),
        **lldp_row(6, 1, 2, chassis_id=b"\x00\x01\x02\x03\x04\x06", **one),
    }
    client = GoesBack({HOST: _lldp_agent([(1, b"wan0")], data)})
    r = asyncio.run(probe(target(dev()), ProbeEnv(snmp=client)))
    assert r.success and [i.name for i in r.interfaces] == ["wan0"]
    lldp = r.table("lldp")
    assert lldp is not None and (lldp.status, lldp.reason) == ("failed", "malformed_reply")
    assert "OID not increasing" in lldp.detail and "1.0.8802.1.1.2.1.4.1.1.4.0.0.0" in lldp.detail
    assert r.neighbours == () and not r.lldp_read
