"""SNMPv3 below authPriv, which config.yaml must allow per credential set (issue 9, item 12):
both clients speak authNoPriv and noAuthNoPriv to a real snmpd that serves those users, the
messages carry the flags of their level and nothing more, and a reply cannot lower the level
of an authenticated request.
"""

from __future__ import annotations

import asyncio

import pytest

from netmon.probes.snmp import ber, usm
from netmon.probes.snmp.client import SnmpReply, SnmpTarget, SnmpUsm
from netmon.probes.snmp.keys import keys_for
from netmon.probes.snmp.mib import SYS_NAME
from netmon.probes.snmp.reply import Refused, Sent, open_reply
from probes.snmpd import (
    AUTH_KEY,
    AUTH_ONLY_USER,
    NO_AUTH_USER,
    PRIV_KEY,
    USER,
    Snmpd,
)

AUTH_ONLY = SnmpUsm(AUTH_ONLY_USER, "SHA", AUTH_KEY, level="authNoPriv")
NO_AUTH = SnmpUsm(NO_AUTH_USER, "SHA", "", level="noAuthNoPriv")
NAMED = ((SYS_NAME, b"loopback-agent"),)


def _get(agent: Snmpd, user: SnmpUsm, engine: str) -> SnmpReply:
    from netmon.probes.snmp.pysnmp_client import PysnmpClient
    from netmon.probes.snmp.wire import WireClient

    async def run() -> SnmpReply:
        client = WireClient() if engine == "wire" else PysnmpClient()
        try:
            t = SnmpTarget("127.0.0.1", user, port=agent.port, timeout_s=0.5, retries=1)
            return await client.get(t, [SYS_NAME])
        finally:
            await client.aclose()

    return asyncio.run(run())


@pytest.mark.parametrize("engine", ["wire", "pysnmp"])
@pytest.mark.parametrize("user", [AUTH_ONLY, NO_AUTH], ids=["authNoPriv", "noAuthNoPriv"])
def test_lower_levels_against_net_snmp(agent: Snmpd, user: SnmpUsm, engine: str) -> None:
    reply = _get(agent, user, engine)
    assert (reply.error, reply.varbinds) == (None, NAMED)


@pytest.mark.parametrize("engine", ["wire", "pysnmp"])
def test_an_authpriv_user_asked_without_auth_is_refused_by_the_agent(
    agent: Snmpd, engine: str
) -> None:
    """snmpd takes the request (the user exists) and its access control refuses it: an
    authorizationError whose varbinds echo the request with NULL values."""
    reply = _get(agent, SnmpUsm(USER, "SHA", "", level="noAuthNoPriv"), engine)
    assert (reply.error, reply.detail) == ("authentication", "authorizationError (at varbind 0)")


ENGINE = usm.Engine(b"\x80\x00\x1f\x88\x04netmon-test", 3, 1000, 0.0)


def _request(user: SnmpUsm) -> usm.Incoming:
    msg = usm.secure(
        42, ber.pdu(ber.GET, 42, (SYS_NAME,)), user, keys_for(user, ENGINE.engine_id), ENGINE, 5.0
    )
    return usm.incoming(msg)


@pytest.mark.parametrize(
    ("user", "flags", "mac_len", "salt"),
    [
        (SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY), 0x07, 12, 8),
        (AUTH_ONLY, 0x05, 12, 0),
        (NO_AUTH, 0x04, 0, 0),
    ],
    ids=["authPriv", "authNoPriv", "noAuthNoPriv"],
)
def test_requests_carry_their_level(user: SnmpUsm, flags: int, mac_len: int, salt: int) -> None:
    head = _request(user)
    assert (head.flags, head.mac_at[1] - head.mac_at[0], len(head.salt)) == (flags, mac_len, salt)
    assert (head.user, head.boots, head.time) == (user.user.encode(), 3, 1005)
    assert head.data[0] == (0x04 if salt else 0x30)  # encrypted octets, or the plain scoped PDU


def test_a_reply_cannot_lower_the_level_of_an_authenticated_request() -> None:
    """An unauthenticated *response* (not a report) to an authPriv or authNoPriv request is
    refused before it is believed: whoever sits on the path cannot answer for the agent."""
    forged = usm.secure(42, ber.pdu(ber.RESPONSE, 42, ()), NO_AUTH, None, ENGINE, 5.0)
    head = usm.incoming(forged)
    for user in (SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY), AUTH_ONLY):
        sent = Sent(ENGINE, user.user.encode(), keys_for(user, ENGINE.engine_id))
        with pytest.raises(Refused, match="unauthenticated response") as refused:
            open_reply(forged, head, sent, ENGINE, 5.0)
        assert refused.value.reason == "authentication"
    # what noAuthNoPriv accepts: the same message, to a noAuthNoPriv request of that user
    sent = Sent(ENGINE, NO_AUTH.user.encode(), None)
    assert open_reply(forged, head, sent, ENGINE, 5.0)[0] == ber.RESPONSE
