"""An SNMPv3 reply held against its request, in the receive path of netmon's own client.

A reply is believed only when it is the answer to *this* request (RFC 3412 7.2 step 12, RFC 3414
3.2), checked in this order, before any MAC is computed or any value decoded:
- msgFlags: the request's security level. An unauthenticated message may only be a report; an
  authNoPriv message to an authPriv request only an (authenticated) report: a response without
  the privacy it was asked with is a downgrade, refused without decoding its varbinds.
- msgAuthoritativeEngineID: the engine the request went to (a report of unknownEngineID names
  the agent's new engine: the client discovers it again); msgUserName: the request's user.
- The MAC (constant-time compare), then the time window (RFC 3414 3.2 step 7b): boots below what
  authenticated messages showed before, or the same boots and a time more than 150 s behind
  the agent's clock as last seen, is a replay; boots 2^31-1 is an engine that latched (2.2.2).
- Only then is the message decrypted and decoded; its boots and time become the client's notion
  of the agent's clock when they are newer. Nothing unauthenticated ever changes that notion:
  the discovery report gives a hint to send the first request with, no more.
A message refused by these checks raises `Refused` (reason, detail): the client drops it and
keeps waiting for the agent's answer; a message that passes them and still cannot be read is
the agent's (BerError: `malformed_reply`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from netmon.probes.snmp import privacy
from netmon.probes.snmp.ber import REPORT, BerError, header, read_octets, read_pdu
from netmon.probes.snmp.client import VarBind
from netmon.probes.snmp.keys import Keys
from netmon.probes.snmp.usm import (
    FLAG_AUTH,
    FLAG_PRIV,
    MAX_INT32,
    NOT_IN_TIME_WINDOW,
    UNKNOWN_ENGINE_ID,
    Engine,
    Incoming,
    report_code,
)

_SEQ = 0x30
WINDOW_S = 150  # RFC 3414 2.2.3

RefusedReason = Literal["authentication", "not_in_time_window", "malformed_reply"]


class Refused(Exception):
    """A message that is not the agent's answer to this request: dropped, with why."""

    def __init__(self, reason: RefusedReason, detail: str) -> None:
        super().__init__(detail)
        self.reason: RefusedReason = reason
        self.detail = detail


@dataclass(frozen=True)
class Sent:
    """What a v3 request was, to hold its reply against: the engine it went to (None: a
    discovery), the user, the keys (None: noAuthNoPriv; no cipher: authNoPriv)."""

    engine: Engine | None
    user: bytes
    keys: Keys | None

    @property
    def level(self) -> int:
        if self.keys is None:
            return 0
        return FLAG_AUTH | FLAG_PRIV if self.keys.cipher else FLAG_AUTH


def _context(buf: bytes, start: int, end: int) -> tuple[bytes, bytes, int]:
    """From the content of a scoped PDU: (contextEngineID, contextName, where the PDU starts)."""
    engine, s = read_octets(buf, start, end)
    name, s = read_octets(buf, s, end)
    if s >= end:
        raise BerError("scoped PDU without a PDU")
    return engine, name, s


def _refuse_sender(head: Incoming, sent: Sent, report: int | None = None) -> None:
    """msgAuthoritativeEngineID and msgUserName against the request (RFC 3412 7.2 step 12).
    `report`: the usmStats code of an unauthenticated report. Those are not held to the user
    name (net-snmp echoes it, but they prove nothing either way), and one of unknownEngineID
    names the agent's new engine."""
    assert sent.engine is not None
    if head.engine_id != sent.engine.engine_id and report != UNKNOWN_ENGINE_ID:
        raise Refused(
            "authentication",
            f"reply from engine {head.engine_id.hex() or '(empty)'} to a request sent to engine "
            f"{sent.engine.engine_id.hex()}",
        )
    if head.user != sent.user and report is None:
        raise Refused(
            "authentication",
            f"reply for user {head.user.decode(errors='replace')!r} to a request of user "
            f"{sent.user.decode(errors='replace')!r}",
        )


def _window(notion: Engine, head: Incoming, clock: float) -> None:
    """RFC 3414 3.2 step 7b, for an authenticated message (the client is not authoritative)."""
    if head.boots == MAX_INT32:
        raise Refused(
            "not_in_time_window",
            f"engine boots {MAX_INT32}: the agent's engine is latched (RFC 3414 2.2.2) and "
            "must be given new keys",
        )
    if not notion.authenticated:
        return  # no authenticated clock yet: this message sets it
    if head.boots < notion.boots:
        raise Refused(
            "not_in_time_window",
            f"engine boots {head.boots}, below the {notion.boots} the agent showed before "
            "(a replayed message, or an agent that lost its boot counter)",
        )
    behind = notion.now(clock) - head.time
    if head.boots == notion.boots and behind > WINDOW_S:
        raise Refused(
            "not_in_time_window",
            f"engine time {behind} s behind the agent's clock (more than {WINDOW_S} s: a "
            "replayed message)",
        )


def learnt(notion: Engine | None, head: Incoming, clock: float) -> Engine | None:
    """The agent's clock from an authenticated message, when newer than the notion (3.2 7b)."""
    older = notion is not None and (notion.boots, notion.time) >= (head.boots, head.time)
    if older and notion is not None and notion.authenticated:
        return None
    return Engine(head.engine_id, head.boots, head.time, clock, True)


def open_reply(
    data: bytes, head: Incoming, sent: Sent, notion: Engine | None, clock: float
) -> tuple[int, int, int, tuple[VarBind, ...], Engine | None]:
    """(PDU tag, error-status, error-index, varbinds, the agent's clock when this authenticated
    message taught a newer one) of a v3 reply to `sent`; `notion`: the client's notion of the
    agent's engine clock. Raises Refused (not this request's answer: drop it, keep waiting) or
    BerError (the answer, unreadable)."""
    level = head.flags & (FLAG_AUTH | FLAG_PRIV)
    if level == FLAG_PRIV:
        raise Refused("malformed_reply", "msgFlags with privacy but no authentication")
    tag, ds, de = head.data
    if not level & FLAG_AUTH:  # reports (discovery, wrong key, unknown user...), noAuthNoPriv
        if tag != _SEQ:
            raise Refused("malformed_reply", "unauthenticated message with encrypted data")
        context, name, at = _context(data, ds, de)
        pdu_tag, _, status, index, vbs = read_pdu(data, at, de)
        if pdu_tag == REPORT:
            code = report_code(vbs)
            if code == NOT_IN_TIME_WINDOW and sent.engine is not None:
                raise Refused(
                    "authentication",
                    "unauthenticated notInTimeWindow report ignored: an agent's clock is learnt "
                    "only from authenticated messages (RFC 3414 3.2 step 7b)",
                )
            if sent.engine is not None:
                _refuse_sender(head, sent, code)
            return pdu_tag, status, index, vbs, None
        if sent.level:
            raise Refused(
                "authentication",
                "unauthenticated response to an authenticated request (a reply cannot lower "
                "the security level)",
            )
        if sent.engine is None:
            raise Refused("malformed_reply", "a response where a discovery report was expected")
        _refuse_sender(head, sent)
        _refuse_context(context, sent, name)
        return pdu_tag, status, index, vbs, None
    keys = sent.keys
    if keys is None or sent.engine is None:
        raise Refused("authentication", "authenticated reply to an unauthenticated request")
    _refuse_sender(head, sent)
    if level & FLAG_PRIV and not keys.cipher:
        raise Refused("authentication", "encrypted reply to an authNoPriv request")
    downgraded = level != sent.level  # authNoPriv to an authPriv request: only a report may
    if downgraded and _plain_pdu_tag(data, tag, ds, de) != REPORT:
        raise Refused(
            "authentication",
            "authNoPriv response to an authPriv request (a downgrade): refused, not decoded",
        )
    _check_mac(data, head, keys)
    _window(notion or sent.engine, head, clock)
    clock_seen = learnt(notion, head, clock)
    if level & FLAG_PRIV:
        if tag != 0x04:
            raise BerError("encrypted data expected")
        try:
            plain = privacy.decrypt(keys, head.boots, head.time, head.salt, data[ds:de])
        except privacy.PrivacyError as exc:
            raise BerError(str(exc)) from None
        _, ds, de = header(plain, 0, len(plain), _SEQ)
    elif tag != _SEQ:
        raise BerError("plain scoped PDU expected")
    else:
        plain = data
    context, name, at = _context(plain, ds, de)
    pdu_tag, _, status, index, vbs = read_pdu(plain, at, de)
    if pdu_tag != REPORT:
        _refuse_context(context, sent, name)
    return pdu_tag, status, index, vbs, clock_seen


def _plain_pdu_tag(data: bytes, tag: int, start: int, end: int) -> int:
    if tag != _SEQ:
        return -1
    return data[_context(data, start, end)[2]]


def _refuse_context(context: bytes, sent: Sent, name: bytes) -> None:
    """A response names the context it was asked for: the agent's engine, the default name."""
    assert sent.engine is not None
    if context != sent.engine.engine_id or name:
        raise Refused(
            "authentication",
            f"response for context {context.hex() or '(empty)'}/{name!r}, not the request's",
        )


def _check_mac(buf: bytes, msg: Incoming, keys: Keys) -> None:
    ms, me = msg.mac_at
    if me - ms != keys.mac_len:
        raise Refused(
            "authentication",
            f"authentication parameters of {me - ms} bytes where {keys.mac_len} were expected",
        )
    expected = keys.mac(buf[:ms] + bytes(keys.mac_len) + buf[me:])
    # constant time: a MAC compared byte by byte would leak how much of a forgery was right
    if not hmac.compare_digest(expected, buf[ms:me]):
        raise Refused(
            "authentication", "reply failed authentication: wrong MAC (altered, or not the agent)"
        )
