"""What netmon's SNMP client knows of each v3 agent's engine: its id and clock, and the user's
keys localised to it.

Per agent address one record (usm.Engine). A discovery report is unauthenticated (anyone who can
send a datagram from the agent's address can answer one), so what it says is only a hint: the
first request goes out with it, and the agent's authenticated answer (or its authenticated
notInTimeWindow report) makes the record authenticated. From then on only an authenticated
message changes it (RFC 3414 3.2 step 7b): a newer clock of the same engine, or a new engine id
that a discovery found and an authenticated answer from that engine confirmed.
"""

from __future__ import annotations

from netmon.probes.snmp.client import SnmpAuth, SnmpUsm
from netmon.probes.snmp.keys import Keys, keys_for
from netmon.probes.snmp.reply import Sent
from netmon.probes.snmp.usm import Engine

Address = tuple[str, int]
_MAX_KEY_SETS = 65536  # forged discoveries (new engine ids) cannot grow the key cache unbounded


class Engines:
    def __init__(self) -> None:
        self.known: dict[Address, Engine] = {}
        self._keys: dict[tuple[SnmpAuth, bytes], Keys | None] = {}  # None: noAuthNoPriv

    def adopt(self, addr: Address, found: Engine) -> Engine:
        """The engine to send to after a discovery found `found`: the known record when an
        authenticated message already confirmed that engine id (its clock is trusted, the
        discovery's is not); else the hint, kept unless an authenticated record is known."""
        known = self.known.get(addr)
        if known is not None and known.authenticated:
            return known if known.engine_id == found.engine_id else found
        self.known[addr] = found
        return found

    def learn(self, addr: Address, clock: Engine) -> None:
        """An authenticated message showed this (newer) clock: the agent's engine now."""
        self.known[addr] = clock

    def forget(self, addr: Address, engine: Engine) -> None:
        """Only messages outside the time window came from this engine: a replay, or an agent
        whose boot counter went back (state lost, same engine id). The next request discovers
        the agent again, as a manager starting afresh would."""
        known = self.known.get(addr)
        if known is not None and known.engine_id == engine.engine_id:
            del self.known[addr]

    def notion(self, addr: Address, sent: Sent) -> Engine | None:
        """The clock a reply to `sent` is held against: the known record when it is the engine
        the request went to (the newest), else what the request was sent with."""
        known = self.known.get(addr)
        if sent.engine is None or (known is not None and known.engine_id == sent.engine.engine_id):
            return known
        return sent.engine

    def keys(self, auth: SnmpUsm, engine_id: bytes) -> Keys | None:
        """The user's keys for one engine, localised once (raises ValueError for a passphrase
        RFC 3414 refuses)."""
        key = (auth, engine_id)
        if key not in self._keys:
            if len(self._keys) >= _MAX_KEY_SETS:
                self._keys.clear()
            self._keys[key] = keys_for(auth, engine_id)
        return self._keys[key]
