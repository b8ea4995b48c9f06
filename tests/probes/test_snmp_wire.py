"""netmon's own SNMP codec and client: against pyasn1's encoder, random bytes, and real snmpd.

The client (snmp/wire.py) replaced pysnmp on the hot path; pysnmp stays as the independent
reference: both ask the same loopback snmpd the same questions and must get the same answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder, encoder
from pysnmp.proto import api

from netmon.probes.snmp import ber, keys, usm
from netmon.probes.snmp.client import SnmpAuth, SnmpCommunity, SnmpTarget, SnmpUsm, oid
from netmon.probes.snmp.lldp import LLDP_COLUMNS
from netmon.probes.snmp.mib import CYCLE_SCALARS, IF_COLUMNS, SYS_NAME, SYS_UPTIME
from probes.snmpd import (
    AUTH_KEY,
    COMMUNITY,
    OTHER_USERS,
    PRIV_KEY,
    USER,
    Snmpd,
    snmpd,
    snmpd_missing,
)

V2 = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
oids = st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=12).map(lambda t: (1, 3, *t))


def _response(varbinds: list[tuple[tuple[int, ...], object]], rid: int = 7) -> bytes:
    pdu = V2.GetResponsePDU()
    V2.apiPDU.set_defaults(pdu)
    V2.apiPDU.set_request_id(pdu, rid)
    V2.apiPDU.set_varbinds(pdu, varbinds)
    msg = V2.Message()
    V2.apiMessage.set_defaults(msg)
    V2.apiMessage.set_community(msg, "c")
    V2.apiMessage.set_pdu(msg, pdu)
    return bytes(encoder.encode(msg))


@given(oids, st.integers(-(2**31), 2**31 - 1), st.integers(0, 2**64 - 1), st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_decodes_what_pyasn1_encodes(key: tuple[int, ...], i: int, c: int, b: bytes) -> None:
    wire = _response(
        [
            (key, V2.Integer(i)),
            (key, V2.Counter64(c)),
            (key, V2.OctetString(b)),
            (key, V2.IpAddress("10.46.0.11")),
            (key, V2.ObjectIdentifier(key)),
        ]
    )
    rid, at = ber.v2c_request_id(wire)
    tag, rid2, status, index, vbs = ber.read_pdu(wire, at, len(wire))
    assert (tag, rid, rid2, status, index) == (ber.RESPONSE, 7, 7, 0, 0)
    assert vbs == ((key, i), (key, c), (key, b), (key, IPv4Address("10.46.0.11")), (key, key))


@given(oids, st.integers(0, 2**31 - 1), st.integers(0, 100), st.integers(0, 100))
@settings(max_examples=200, deadline=None)
def test_pyasn1_decodes_what_netmon_encodes(key: tuple[int, ...], rid: int, a: int, b: int) -> None:
    msg, _ = decoder.decode(
        ber.v2c_message(b"c", ber.pdu(ber.GETBULK, rid, (key,), a, b)), asn1Spec=V2.Message()
    )
    pdu = V2.apiMessage.get_pdu(msg)
    assert int(V2.apiBulkPDU.get_request_id(pdu)) == rid
    assert int(V2.apiBulkPDU.get_non_repeaters(pdu)) == a
    assert int(V2.apiBulkPDU.get_max_repetitions(pdu)) == b
    assert [tuple(k) for k, _ in V2.apiBulkPDU.get_varbinds(pdu)] == [key]


def test_special_values_decode() -> None:
    wire = _response([(SYS_UPTIME, V2.NoSuchObject()), (SYS_NAME, V2.EndOfMibView())])
    _, at = ber.v2c_request_id(wire)
    vbs = ber.read_pdu(wire, at, len(wire))[4]
    assert [v for _, v in vbs] == [ber.Special.NO_SUCH_OBJECT, ber.Special.END_OF_MIB_VIEW]


@given(st.binary(max_size=200))
@settings(max_examples=500, deadline=None)
def test_garbage_raises_only_ber_error(data: bytes) -> None:
    for parse in (ber.v2c_request_id, ber.message_version, usm.incoming):
        with contextlib.suppress(ber.BerError):
            parse(data)
    with contextlib.suppress(ber.BerError):
        ber.read_pdu(data, 0, len(data))


@given(st.binary(min_size=1, max_size=60))
@settings(max_examples=200, deadline=None)
def test_truncated_replies_raise_ber_error(cut: bytes) -> None:
    wire = _response([(SYS_UPTIME, V2.TimeTicks(5)), (SYS_NAME, V2.OctetString(cut))])
    for end in range(len(wire)):
        with pytest.raises(ber.BerError):
            _, at = ber.v2c_request_id(wire[:end])
            ber.read_pdu(wire, at, end)


@pytest.mark.parametrize(
    ("hash_name", "localised"),
    [
        ("md5", "526f5eed9fcce26f8964c2930787d82b"),  # RFC 3414 A.3.1
        ("sha1", "6695febc9288e36282235fc7151f128497b38f3f"),  # RFC 3414 A.3.2
    ],
)
def test_key_localisation_matches_rfc3414_vector(hash_name: str, localised: str) -> None:
    # RFC 3414 A.3: password "maplesyrup", engine id 00..02
    engine = bytes.fromhex("000000000000000000000002")
    key = keys.localize(keys.password_key(b"maplesyrup", hash_name), engine, hash_name)
    assert key.hex() == localised


# -- against real snmpd, with pysnmp as the reference ----------------------------------------

needs_snmpd = pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing()))


def _steady(vb: tuple[tuple[int, ...], object]) -> tuple[tuple[int, ...], object]:
    """What moves between the two clients' requests: lo's octet counters (SNMP itself is
    traffic) and sysUpTime (where the LLDP columns, absent here, run on to)."""
    moving = (IF_COLUMNS["in_octets"], IF_COLUMNS["out_octets"])
    return (vb[0], "moves") if vb[0][:-1] in moving or vb[0] == SYS_UPTIME else vb


def _ask(agent: Snmpd, auth: SnmpAuth) -> dict[str, object]:
    from netmon.probes.snmp.pysnmp_client import PysnmpClient
    from netmon.probes.snmp.wire import WireClient

    target = SnmpTarget("127.0.0.1", auth, port=agent.port, timeout_s=0.3, retries=1)
    columns = [*IF_COLUMNS.values(), *LLDP_COLUMNS.values()]
    get = [
        *CYCLE_SCALARS[1:],
        SYS_NAME,
        oid("1.3.6.1.2.1.2.2.1.8.1"),
        oid("1.3.6.1.2.1.2.2.1.8.99"),
    ]

    async def run() -> dict[str, object]:
        out: dict[str, object] = {}
        for name, client in (("wire", WireClient()), ("pysnmp", PysnmpClient())):
            g = await client.get(target, get)
            b = await client.bulk(target, [oid("1.3.6.1.2.1.1.5")], columns, 5)
            out[name] = (g.error, g.varbinds, b.error, tuple(map(_steady, b.varbinds)))
            await client.aclose()
        return out

    return asyncio.run(run())


@needs_snmpd
@pytest.mark.parametrize(
    "auth", [SnmpCommunity(COMMUNITY), SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY)]
)
def test_same_answers_as_pysnmp(agent: Snmpd, auth: SnmpAuth) -> None:
    got = _ask(agent, auth)
    assert got["wire"] == got["pysnmp"]
    error, varbinds, bulk_error, bulk = got["wire"]  # type: ignore[misc]
    assert (error, bulk_error) == (None, None)
    assert varbinds[2] == (SYS_NAME, b"loopback-agent")
    assert len(bulk) == 1 + 5 * (len(IF_COLUMNS) + len(LLDP_COLUMNS))


@needs_snmpd
def test_wrong_v3_auth_key_is_an_authentication_failure(agent: Snmpd) -> None:
    from netmon.probes.snmp.wire import WireClient

    async def run() -> tuple[object, str]:
        client = WireClient()
        t = SnmpTarget(
            "127.0.0.1",
            SnmpUsm(USER, "SHA", "wrong-key-123", "AES", PRIV_KEY),
            port=agent.port,
            timeout_s=0.3,
            retries=1,
        )
        r = await client.get(t, [SYS_UPTIME])
        await client.aclose()
        return r.error, r.detail

    error, detail = asyncio.run(run())
    assert error == "authentication" and "usmStatsWrongDigests" in detail
    assert "wrong-key-123" not in detail


@needs_snmpd
def test_agent_restart_rediscovers_v3(tmp_path: Path) -> None:
    """A restarted snmpd without saved state has a new engine id: the first request gets an
    unknownEngineID report, the client discovers the agent again and the call succeeds."""
    from netmon.probes.snmp.wire import WireClient

    v3 = SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY)

    async def run(port: int, client: WireClient) -> object:
        r = await client.get(
            SnmpTarget("127.0.0.1", v3, port=port, timeout_s=0.3, retries=1), [SYS_UPTIME]
        )
        return r.error

    async def both() -> tuple[object, object, int]:
        client = WireClient()
        with snmpd(tmp_path / "a") as first:
            one = await run(first.port, client)
            port = first.port
        with snmpd(tmp_path / "a", port=port):  # no saved state: a new engine id
            two = await run(port, client)
        await client.aclose()
        return one, two, port

    one, two, _ = asyncio.run(both())
    assert (one, two) == (None, None)


@needs_snmpd
@pytest.mark.parametrize("user", OTHER_USERS, ids=[u[0] for u in OTHER_USERS])
def test_other_usm_protocols_against_net_snmp(agent: Snmpd, user: tuple[str, ...]) -> None:
    """SHA-256/-512 authentication and AES-256 privacy (with SHA-1, the key is extended as
    net-snmp does). Every pair, both engines, two agents: test_snmp_interop.py."""
    from netmon.probes.snmp.wire import WireClient

    name, _, _, auth_protocol, priv_protocol = user
    usm_user = SnmpUsm(name, auth_protocol, AUTH_KEY, priv_protocol, PRIV_KEY)  # type: ignore[arg-type]

    async def run() -> tuple[object, object]:
        client = WireClient()
        t = SnmpTarget("127.0.0.1", usm_user, port=agent.port, timeout_s=0.3, retries=1)
        r = await client.get(t, [SYS_NAME])
        await client.aclose()
        return r.error, r.varbinds

    assert asyncio.run(run()) == (None, ((SYS_NAME, b"loopback-agent"),))


@needs_snmpd
def test_a_stale_engine_clock_resynchronises(agent: Snmpd) -> None:
    """The client's notion of the agent's clock one boot behind (the agent restarted and kept
    its engine id): the agent sends an authenticated notInTimeWindow report, newer than what the
    client knew, so the client takes the clock from it and retries within the same call. Ahead
    instead (boots or time from the future: the agent's boot counter went back, or what the
    client saw was a replay), the agent's own reports are outside the time window (RFC 3414 3.2
    7b): the call fails as not_in_time_window and the next one discovers the agent again."""
    import dataclasses

    from netmon.probes.snmp.wire import WireClient

    v3 = SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY)
    target = SnmpTarget("127.0.0.1", v3, port=agent.port, timeout_s=0.3, retries=1)

    async def run() -> list[object]:
        client = WireClient()
        out: list[object] = [(await client.get(target, [SYS_NAME])).error]
        key = ("127.0.0.1", agent.port)
        assert client.engines.known[key].boots >= 1 and client.engines.known[key].authenticated
        for stale in ({"boots": -1}, {"boots": 7}, {"time": 1000}):
            engine = client.engines.known[key]
            client.engines.known[key] = dataclasses.replace(
                engine, **{k: getattr(engine, k) + v for k, v in stale.items()}
            )
            sent = client.stats.requests
            reply = await client.get(target, [SYS_NAME])
            again = await client.get(target, [SYS_NAME])
            out.append((reply.error, reply.varbinds, client.stats.requests - sent, again.error))
        await client.aclose()
        return out

    named = ((SYS_NAME, b"loopback-agent"),)
    assert asyncio.run(run()) == [
        None,
        (None, named, 2, None),
        ("not_in_time_window", (), 2, None),
        ("not_in_time_window", (), 2, None),
    ]


@needs_snmpd
def test_requests_that_cannot_be_built_are_values_not_exceptions(agent: Snmpd) -> None:
    from netmon.probes.snmp.wire import WireClient

    async def run() -> list[tuple[object, str]]:
        client = WireClient()
        v2c = SnmpTarget(
            "127.0.0.1", SnmpCommunity(COMMUNITY), port=agent.port, timeout_s=0.3, retries=3
        )
        no_key = SnmpTarget(
            "127.0.0.1",
            SnmpUsm(USER, "SHA", "", "AES", PRIV_KEY),
            port=agent.port,
            timeout_s=0.5,
            retries=3,
        )
        out = []
        for target, oids in ((v2c, [(3, 1)]), (no_key, [SYS_UPTIME])):
            r = await client.get(target, oids)
            out.append((r.error, r.detail))
        assert client._pending == {}
        await client.aclose()
        return out

    (bad_oid, bad_oid_detail), (no_key, no_key_detail) = asyncio.run(run())
    assert bad_oid == "error" and "cannot build the request" in bad_oid_detail
    assert no_key == "credentials" and "cannot be empty" in no_key_detail
