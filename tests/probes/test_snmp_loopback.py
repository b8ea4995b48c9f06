"""The SNMP probe over the real wire (netmon's own client) against a real snmpd on 127.0.0.1.

What the wire can and cannot say: a wrong v2c community gets no answer at all (snmpd drops the
request silently), so it can only read as `timeout`; a wrong v3 auth key gets a report PDU
(usmStatsWrongDigests), so it reads as `authentication`.
"""

from __future__ import annotations

import asyncio
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from netmon.model import CredentialRefs, Device, ProbeResult
from netmon.probes import PROBES, ProbeTarget
from netmon.probes.env import close_env, open_env
from netmon.probes.snmp.client import SnmpAuth, SnmpCommunity, SnmpUsm
from netmon.probes.snmp.probe import SnmpSettings
from probes.snmpd import AUTH_KEY, COMMUNITY, PRIV_KEY, USER, Snmpd, snmpd_missing

pytestmark = pytest.mark.skipif(snmpd_missing() is not None, reason=str(snmpd_missing()))

DEVICE = Device(
    id="loopback",
    role="cpe",
    mgmt=IPv4Address("127.0.0.1"),
    platform="linux",
    probes=("icmp", "snmp"),
    credentials=CredentialRefs(snmp="x"),
    interfaces=("lo",),
    agency="a",
)
V2C = SnmpCommunity(COMMUNITY)
V3 = SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY)


def poll(agent: Snmpd, auth: SnmpAuth, cycles: int = 1, retries: int = 1) -> list[ProbeResult]:
    target = ProbeTarget(
        device=DEVICE,
        settings=SnmpSettings(timeout_s=0.3, retries=retries),
        port=agent.port,
        uplinks=("lo",),
        auth=auth,
    )

    async def run() -> list[ProbeResult]:
        env = open_env(["snmp"])
        try:
            return [await PROBES["snmp"](target, env) for _ in range(cycles)]
        finally:
            await close_env(env)

    return asyncio.run(run())


@pytest.mark.parametrize("auth", [V2C, V3], ids=["v2c", "v3-authPriv-sha-aes"])
def test_reads_a_real_agent(agent: Snmpd, auth: SnmpAuth) -> None:
    first, second = poll(agent, auth, cycles=2)
    assert first.success and second.success, (first.detail, second.detail)
    assert first.sys_name == "loopback-agent" and first.uptime_s is not None
    names = [i.name for i in first.interfaces]
    assert "lo" in names and first.detail.startswith("full read")
    lo = next(i for i in first.interfaces if i.name == "lo")
    assert lo.oper_up is True and lo.in_octets is not None and lo.in_octets >= 0
    # the second cycle fetches only the uplink, by the ifIndex the first one learnt
    assert [i.name for i in second.interfaces] == ["lo"]
    assert second.detail.startswith("targeted")
    assert second.lldp_read is False  # this snmpd has no LLDP-MIB: neighbours unknown


def test_wrong_community_reads_as_timeout(agent: Snmpd) -> None:
    (r,) = poll(agent, SnmpCommunity("not-the-community"), retries=0)
    assert (r.success, r.reason) == (False, "timeout")


@pytest.mark.parametrize(
    "auth",
    [
        SnmpUsm(USER, "SHA", "a-wrong-auth-key", "AES", PRIV_KEY),
        SnmpUsm("nobody", "SHA", AUTH_KEY, "AES", PRIV_KEY),
    ],
    ids=["wrong-auth-key", "unknown-user"],
)
def test_wrong_v3_credentials_read_as_authentication(agent: Snmpd, auth: SnmpAuth) -> None:
    (r,) = poll(agent, auth, retries=0)
    assert (r.success, r.reason) == (False, "authentication"), r.detail
    assert AUTH_KEY not in r.detail and "a-wrong-auth-key" not in r.detail


def test_secrets_stay_out_of_repr() -> None:
    assert AUTH_KEY not in repr(V3) and PRIV_KEY not in repr(V3) and COMMUNITY not in repr(V2C)


def test_the_client_takes_a_large_receive_buffer(tmp_path: Path) -> None:
    async def rcvbuf() -> int:
        env = open_env(["snmp"])
        try:
            from netmon.probes.snmp.wire import WireClient

            assert isinstance(env.snmp, WireClient)
            return env.snmp.rcvbuf
        finally:
            await close_env(env)

    assert asyncio.run(rcvbuf()) >= 4 * 1024 * 1024
