"""SNMPv3 replies held against their requests (issue 16; RFC 3412 7.2 step 12, RFC 3414 3.2),
through a man in the middle on loopback (mitm.py) between the client and a real snmpd.

For every attack: alone, the request ends with the reason (the forged message was dropped and
the agent's own answer never came); followed by the agent's genuine answer, the request
succeeds with the agent's values (a refused message does not end the request, so a forger on
the path cannot silence a device by answering first) and the refusal is counted; and the next
request succeeds. netmon's client (WireClient) is asked first; pysnmp, where the same forgery
means something to it, second (it refuses by dropping: the request times out).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyasn1.codec.ber import encoder
from pyasn1.type import univ
from pysnmp.proto import rfc1902

from netmon.probes.snmp.client import SnmpClient, SnmpReply, SnmpTarget, SnmpUsm
from netmon.probes.snmp.mib import SYS_NAME
from netmon.probes.snmp.wire import WireClient
from probes.mitm import (
    NOT_IN_TIME_WINDOW,
    UNKNOWN_ENGINE_ID,
    KeyHolder,
    Proxy,
    encode,
    flip,
    parse,
    report,
    v2c_response,
)
from probes.snmpd import AUTH_KEY, AUTH_ONLY_USER, PRIV_KEY, USER, Snmpd, snmpd

V3 = SnmpUsm(USER, "SHA", AUTH_KEY, "AES", PRIV_KEY)
AUTH_ONLY = SnmpUsm(AUTH_ONLY_USER, "SHA", AUTH_KEY, level="authNoPriv")
HOLDER = KeyHolder(AUTH_KEY, PRIV_KEY)
NAMED = ((SYS_NAME, b"loopback-agent"),)
FORGED_ENGINE = bytes.fromhex("80001f8804") + b"forged"


def tampered_mac(reply: bytes) -> bytes:
    m = parse(reply)
    return encode(dataclasses.replace(m, auth=flip(m.auth, 0)))


def tampered_ciphertext(reply: bytes) -> bytes:
    return flip(reply, -3)  # the message ends with the encrypted scoped PDU


def downgrade(reply: bytes) -> bytes:
    """The decrypted scoped PDU sent as plaintext at authNoPriv, with a valid MAC: what someone
    who holds the auth key (and not necessarily the privacy key) could send."""
    m = parse(reply)
    plain = HOLDER.decrypt(m)
    return HOLDER.sign(dataclasses.replace(m, flags=m.flags & ~0x02, priv=b"", data=plain))


def foreign_engine(reply: bytes) -> bytes:
    m = parse(reply)  # MAC under the keys of the engine the request went to
    return HOLDER.sign(dataclasses.replace(m, engine_id=FORGED_ENGINE), engine_id=m.engine_id)


def foreign_user(reply: bytes) -> bytes:
    return HOLDER.sign(dataclasses.replace(parse(reply), user=b"someone-else"))


def latched(reply: bytes) -> bytes:
    return HOLDER.sign(dataclasses.replace(parse(reply), boots=2**31 - 1))


def older_boots(reply: bytes) -> bytes:
    m = parse(reply)
    return HOLDER.sign(dataclasses.replace(m, boots=m.boots - 1))


def forged_window_report(reply: bytes) -> bytes:
    """An unsigned notInTimeWindow report naming another engine and another clock."""
    m = parse(reply)
    return report(m.msg_id, FORGED_ENGINE, 42, 4242, m.user, NOT_IN_TIME_WINDOW)


def v2c_answer(reply: bytes) -> bytes:
    """A plain SNMPv2c response with the request's id: anyone on the path can send one."""
    return v2c_response(parse(reply).msg_id, [(SYS_NAME, rfc1902.OctetString(b"forged"))])


def priv_flag_on_auth_only(reply: bytes) -> bytes:
    """The priv flag set on an authenticated authNoPriv answer (it used to raise ValueError in
    the receive loop: an AES key of 0 bytes)."""
    m = parse(reply)
    as_ciphertext = bytes(encoder.encode(univ.OctetString(m.data)))
    return HOLDER.sign(
        dataclasses.replace(m, flags=m.flags | 0x02, priv=bytes(8), data=as_ciphertext)
    )


# attack -> (user asked, reason, words of the detail)
ATTACKS: dict[str, tuple[Callable[[bytes], bytes], SnmpUsm, str, str]] = {
    "tampered-mac": (tampered_mac, V3, "authentication", "wrong MAC"),
    "tampered-ciphertext": (tampered_ciphertext, V3, "authentication", "wrong MAC"),
    "downgrade": (downgrade, V3, "authentication", "authNoPriv response to an authPriv request"),
    "foreign-engine": (foreign_engine, V3, "authentication", "reply from engine 80001f8804666f"),
    "foreign-user": (foreign_user, V3, "authentication", "reply for user 'someone-else'"),
    "forged-report": (
        forged_window_report,
        V3,
        "authentication",
        "unauthenticated notInTimeWindow report ignored",
    ),
    "latched-boots": (latched, V3, "not_in_time_window", "engine boots 2147483647"),
    "older-boots": (older_boots, V3, "not_in_time_window", "below the"),
    "v2c-answer": (v2c_answer, V3, "authentication", "SNMPv2c message in answer to an SNMPv3"),
    "priv-flag-to-authNoPriv": (
        priv_flag_on_auth_only,
        AUTH_ONLY,
        "authentication",
        "encrypted reply to an authNoPriv request",
    ),
}


async def _warm(client: SnmpClient, target: SnmpTarget) -> None:
    """Discovery and the first exchange, untouched (the attacks act on answers to requests)."""
    reply = await client.get(target, [SYS_NAME])
    assert (reply.error, reply.varbinds) == (None, NAMED), reply.detail


def _through(agent: Snmpd, run: Callable[[Proxy, WireClient, SnmpTarget], Any]) -> Any:
    async def main() -> Any:
        proxy = await Proxy(("127.0.0.1", agent.port)).start()
        client = WireClient()
        try:
            return await run(proxy, client, _target(proxy, V3))
        finally:
            await client.aclose()
            proxy.close()

    return asyncio.run(main())


def _target(proxy: Proxy, user: SnmpUsm, retries: int = 0) -> SnmpTarget:
    host, port = proxy.address
    return SnmpTarget(host, user, port=port, timeout_s=0.5, retries=retries)


def _leaks(text: str, engine_id: bytes) -> list[str]:
    """The passphrases or the keys localised to the agent (hex or bytes repr) found in `text`."""
    keys = (HOLDER.auth_key(engine_id), HOLDER.priv_key(engine_id))
    secrets = [AUTH_KEY, PRIV_KEY, *(k.hex() for k in keys), *(repr(k)[2:-1] for k in keys)]
    return [secret for secret in secrets if secret in text]


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_alone_ends_the_request_with_its_reason(agent: Snmpd, name: str) -> None:
    attack, user, reason, words = ATTACKS[name]

    async def run(proxy: Proxy, client: WireClient, _: SnmpTarget) -> list[object]:
        target = _target(proxy, user)
        await _warm(client, target)
        engine = client.engines.known[proxy.address]
        proxy.tamper = lambda reply: [attack(reply)]
        forged = await client.get(target, [SYS_NAME])
        proxy.tamper = lambda reply: [reply]
        after = await client.get(target, [SYS_NAME])
        kept = client.engines.known[proxy.address]
        assert (kept.engine_id, kept.authenticated) == (engine.engine_id, True)
        engines = repr(client.engines._keys) + repr(client.engines.known)
        shown = forged.detail + engines + repr(client._pending) + repr(after)
        assert _leaks(shown, engine.engine_id) == []
        return [forged.error, words in forged.detail, forged.varbinds, dict(client.refused)]

    assert _through(agent, run) == [reason, True, (), {reason: 1}]


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_genuine_answer_after_the_attack_is_taken(agent: Snmpd, name: str) -> None:
    attack, user, reason, _ = ATTACKS[name]

    async def run(proxy: Proxy, client: WireClient, _: SnmpTarget) -> list[object]:
        target = _target(proxy, user)
        await _warm(client, target)
        proxy.tamper = lambda reply: [attack(reply), reply]
        first = await client.get(target, [SYS_NAME])
        proxy.tamper = lambda reply: [reply]
        second = await client.get(target, [SYS_NAME])
        return [first.error, first.varbinds, second.varbinds, dict(client.refused)]

    assert _through(agent, run) == [None, NAMED, NAMED, {reason: 1}]


def test_a_duplicate_reply_is_dropped(agent: Snmpd) -> None:
    async def run(proxy: Proxy, client: WireClient, target: SnmpTarget) -> list[object]:
        await _warm(client, target)
        proxy.tamper = lambda reply: [reply, reply]
        first = await client.get(target, [SYS_NAME])
        proxy.tamper = lambda reply: [reply]
        second = await client.get(target, [SYS_NAME])  # the duplicate arrived before its answer
        return [first.varbinds, second.varbinds, client.dropped, dict(client.refused)]

    assert _through(agent, run) == [NAMED, NAMED, 1, {}]


def test_a_forged_unknown_engine_report_does_not_replace_the_engine(agent: Snmpd) -> None:
    """An unsigned unknownEngineID report naming another engine sends the request through a new
    discovery (the agent's real engine answers it); the engine an authenticated message
    confirmed stays, and the request succeeds."""

    async def run(proxy: Proxy, client: WireClient, target: SnmpTarget) -> list[object]:
        await _warm(client, target)
        engine = client.engines.known[proxy.address]
        once = iter([True])

        def forge(reply: bytes) -> list[bytes]:
            if next(once, False):
                m = parse(reply)
                return [report(m.msg_id, FORGED_ENGINE, 1, 1, m.user, UNKNOWN_ENGINE_ID)]
            return [reply]

        proxy.tamper = forge
        reply = await client.get(target, [SYS_NAME])
        kept = client.engines.known[proxy.address]
        return [reply.varbinds, kept.engine_id == engine.engine_id, kept.authenticated]

    assert _through(agent, run) == [NAMED, True, True]


def test_a_reply_replayed_after_the_window_is_refused(agent: Snmpd) -> None:
    """The agent's answer to request r, sent again when request r is asked once more (the
    client's next message id is set to r: message ids never repeat otherwise) 170 s later
    (simulated: the client's notion of the agent's clock is moved 170 s on). It is older than
    the 150 s window: not_in_time_window; then the agent is discovered again and answers."""

    async def run(proxy: Proxy, client: WireClient, target: SnmpTarget) -> list[object]:
        await _warm(client, target)
        recorded = proxy.replies[-1]
        engine = client.engines.known[proxy.address]
        client.engines.known[proxy.address] = dataclasses.replace(engine, at=engine.at - 170)
        client._ids = itertools.count(parse(recorded).msg_id)
        proxy.forward, proxy.answer = False, lambda request: [recorded]
        replayed = await client.get(target, [SYS_NAME])
        proxy.forward = True
        after = await client.get(target, [SYS_NAME])
        return [replayed.error, "behind the agent's clock" in replayed.detail, after.varbinds]

    assert _through(agent, run) == ["not_in_time_window", True, NAMED]


def test_a_reply_replayed_after_an_agent_restart_is_refused(tmp_path: Path) -> None:
    """A real replay, no simulated time: the agent restarts (same engine id, boots + 1; the
    client resynchronises from its authenticated report), then an answer recorded before the
    restart is replayed: its boots are below what the agent showed since."""

    async def main() -> list[object]:
        client = WireClient()
        with snmpd(tmp_path / "a", keep_state=True) as first:
            port = first.port
            proxy = await Proxy(("127.0.0.1", port)).start()
            target = _target(proxy, V3, retries=1)
            await _warm(client, target)
            recorded = proxy.replies[-1]
            before = client.engines.known[proxy.address]
        with snmpd(tmp_path / "a", port=port, keep_state=True):
            restarted = await client.get(target, [SYS_NAME])
            now = client.engines.known[proxy.address]
            assert (now.engine_id, now.boots) == (before.engine_id, before.boots + 1)
            client._ids = itertools.count(parse(recorded).msg_id)
            proxy.forward, proxy.answer = False, lambda request: [recorded]
            replayed = await client.get(target, [SYS_NAME])
            proxy.forward = True
            after = await client.get(target, [SYS_NAME])
        proxy.close()
        await client.aclose()
        return [
            restarted.varbinds,
            replayed.error,
            "below the" in replayed.detail,
            after.varbinds,
        ]

    assert asyncio.run(main()) == [NAMED, "not_in_time_window", True, NAMED]


# -- the same forgeries through pysnmp -------------------------------------------------------

PYSNMP_ATTACKS = sorted(set(ATTACKS) - {"priv-flag-to-authNoPriv"})
# What pysnmp 7.1.30 makes of the forgery followed by the genuine answer, where it is not the
# genuine answer: the downgraded message uses up the request (the agent's answer then finds
# nothing waiting for it), and a message with older boots ends it at once.
PYSNMP_BOTH: dict[str, tuple[str | None, object]] = {
    "downgrade": ("timeout", ()),
    "older-boots": ("authentication", ()),
}


@pytest.mark.parametrize("name", PYSNMP_ATTACKS)
def test_pysnmp_refuses_the_same_forgeries(agent: Snmpd, name: str) -> None:
    """pysnmp never returns a forged value either: it drops what it refuses, so the request
    times out (netmon's client says why). Followed by the agent's genuine answer, pysnmp takes
    it, except in the cases of PYSNMP_BOTH."""
    from netmon.probes.snmp.pysnmp_client import PysnmpClient

    attack, user, _, _ = ATTACKS[name]

    async def main() -> tuple[SnmpReply, SnmpReply, SnmpReply]:
        proxy = await Proxy(("127.0.0.1", agent.port)).start()
        client = PysnmpClient()
        try:
            target = _target(proxy, user)
            await _warm(client, target)
            proxy.tamper = lambda reply: [attack(reply)]
            forged = await client.get(target, [SYS_NAME])
            proxy.tamper = lambda reply: [attack(reply), reply]
            both = await client.get(target, [SYS_NAME])
            proxy.tamper = lambda reply: [reply]
            after = await client.get(target, [SYS_NAME])
            return forged, both, after
        finally:
            await client.aclose()
            proxy.close()

    forged, both, after = asyncio.run(main())
    assert (forged.error, forged.varbinds) == ("timeout", ())
    assert (both.error, both.varbinds) == PYSNMP_BOTH.get(name, (None, NAMED))
    assert (after.error, after.varbinds) == (None, NAMED)
