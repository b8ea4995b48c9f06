"""Multi-column GETBULK walks: several table columns (and scalars as non-repeaters) per PDU,
resumable, so a table of any size is read within the cycle deadline or over several cycles.

pysnmp's cost is mostly per PDU and per decoded varbind (FIELD-NOTES), so a walk asks for every
column at once, with max-repetitions sized to what the last cycle saw (rows + 1 shows the end of
every column in one round trip) and capped so that a reply fits snmpd's 100-varbind limit.

A `TableWalk` is the state of one walk between requests (each column's cursor and the rows
read). `advance` sends requests until the walk is complete or a time limit passes; called again
(next cycle) it goes on from the cursors. A walk of 3,271 interfaces (Ruijie M18000 behind
snmpsim's 64 varbinds per reply) takes about 300 requests: it no longer gives up at a fixed
count, but a walk is still bounded, by time per call and by MAX_ROWS in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from netmon.probes.snmp.client import Oid, SnmpClient, SnmpReply, SnmpTarget, Special, Value
from netmon.probes.snmp.mib import Malformed

BULK_VARBINDS = 100  # snmpd's cap per GETBULK response; larger asks only cost the agent
MAX_ROWS = 65_536  # rows of one table: an agent that serves more loops (or is not a table)


@dataclass(frozen=True)
class Walked:
    scalars: dict[Oid, Value]
    rows: dict[Oid, dict[str, Value]]  # row index (the OID suffix) -> column name -> value
    requests: int
    failure: SnmpReply | None = None


def repetitions(
    rows_seen: int | None,
    default: int,
    columns: int,
    non_repeaters: int,
    exact: bool = False,
    done: int = 0,
) -> int:
    """max-repetitions: last cycle's rows + 1 (the +1 shows where each column ends), or just
    the rows when the last row is known, minus the `done` rows already read; else the
    configured default; within the cap. A table that already gave more rows than last time
    grew (or last time was cut short): the old count says nothing, so the default again, not
    one row per request (a 130-port PoP then ran out of requests)."""
    last = None if rows_seen is None else rows_seen if exact else rows_seen + 1
    wanted = default if last is None or done >= last else last - done
    cap = max(1, (BULK_VARBINDS - non_repeaters) // max(1, columns))
    return max(1, min(wanted, cap))


@dataclass
class TableWalk:
    """One multi-column walk in progress. Mutable on purpose: it is the probe's own state
    between requests (and cycles), changed only between two awaits."""

    columns: dict[str, Oid]
    rows_seen: int | None = None  # sizes max-repetitions (last read's rows, or a guess)
    default_repetitions: int = 25
    # column -> last row index, for tables known unchanged since the last read (their
    # last-change scalar did not move): a column is complete at that row, without overshoot.
    stop_at: Mapping[str, Oid] | None = None
    cursor: dict[str, Oid] = field(default_factory=dict)
    rows: dict[Oid, dict[str, Value]] = field(default_factory=dict)
    got: dict[str, int] = field(default_factory=dict)  # rows read per column
    requests: int = 0
    cycles: int = 1  # the cycles it has been walked in (the probe counts them)

    def __post_init__(self) -> None:
        if not self.cursor:
            self.cursor = dict(self.columns)

    @property
    def done(self) -> bool:
        return not self.cursor

    def drop(self, names: Sequence[str]) -> None:
        """Stop walking these columns (a large table is read for fewer columns)."""
        for name in names:
            self.cursor.pop(name, None)


async def advance(
    client: SnmpClient,
    target: SnmpTarget,
    w: TableWalk,
    until: float | None = None,
    scalars_wanted: Sequence[Oid] = (),
    clock: Callable[[], float] = time.monotonic,
) -> tuple[dict[Oid, Value], SnmpReply | None]:
    """Requests until the walk is complete, or `until` (monotonic time) has passed: always at
    least one request, so every call makes progress. Returns the scalars (asked as the first
    request's non-repeaters) and the failed reply that stopped it, if one did: an answer no
    table can give (an OID that goes back, a reply with no rows) is a `malformed_reply`, and
    the scalars read before it are kept (a broken table never hides sysUpTime).

    A non-repeater returns the *successor* of what is asked, so scalar X.0 is asked as X and
    the answer kept only when it is X.0 (anything else means the agent has no such object).
    """
    scalars: dict[Oid, Value] = {}
    try:
        return scalars, await _requests(client, target, w, until, scalars_wanted, clock, scalars)
    except Malformed as exc:
        return scalars, SnmpReply(error="malformed_reply", detail=str(exc))


async def _requests(
    client: SnmpClient,
    target: SnmpTarget,
    w: TableWalk,
    until: float | None,
    scalars_wanted: Sequence[Oid],
    clock: Callable[[], float],
    scalars: dict[Oid, Value],
) -> SnmpReply | None:
    """advance()'s loop: the failed reply that stopped it, or None."""
    nonrep = [s[:-1] for s in scalars_wanted]
    first = True
    while w.cursor and (first or until is None or clock() < until):
        first = False
        active = [n for n in w.columns if n in w.cursor]
        done = min(w.got.get(n, 0) for n in active)
        maxrep = repetitions(
            w.rows_seen, w.default_repetitions, len(active), len(nonrep), bool(w.stop_at), done
        )
        reply = await client.bulk(target, nonrep, [w.cursor[n] for n in active], maxrep)
        w.requests += 1
        if not reply.ok:
            return reply
        vbs = reply.varbinds
        if len(vbs) < len(nonrep):
            raise Malformed(f"GETBULK reply has {len(vbs)} varbinds for {len(nonrep)} scalars")
        if nonrep:
            scalars.update(_scalars(vbs, scalars_wanted))
        body = vbs[len(nonrep) :]
        _take(w, active, body)
        nonrep = []  # scalars are asked once
        if w.cursor and not body:
            raise Malformed("GETBULK reply with no repetitions")
        if len(w.rows) > MAX_ROWS:
            raise Malformed(f"table of more than {MAX_ROWS} rows: the agent does not end it")
    return None


def _scalars(vbs: Sequence[tuple[Oid, Value]], wanted: Sequence[Oid]) -> dict[Oid, Value]:
    """The non-repeaters' answers: X.0 asked as X comes back as X.0, or as a later OID
    outside X (the agent has no X.0: noSuchObject). All or none: an answer that is not a
    successor of X, or an instance of a scalar other than .0, makes the reply malformed, and
    none of its scalars is believed (so a hostile first answer fails the probe)."""
    out: dict[Oid, Value] = {}
    for (key, value), scalar in zip(vbs, wanted, strict=False):
        asked = scalar[:-1]
        if isinstance(value, Special):  # endOfMibView (or a lenient noSuch*): not there
            out[scalar] = Special.NO_SUCH_OBJECT
            continue
        if key <= asked or (key[: len(asked)] == asked and key != scalar):
            raise Malformed(f"{_dotted(asked)} answered as {_dotted(key)}: not its instance 0")
        out[scalar] = value if key == scalar else Special.NO_SUCH_OBJECT
    return out


def _take(w: TableWalk, active: list[str], body: Sequence[tuple[Oid, Value]]) -> None:
    """The repetitions of one reply into the walk's rows and cursors."""
    for i, (key, value) in enumerate(body):
        name = active[i % len(active)]
        if name not in w.cursor:
            continue  # this column already ran past its end earlier in this reply
        base = w.columns[name]
        last = w.cursor[name]
        if key <= last and not isinstance(value, Special):
            raise Malformed(f"OID not increasing: {_dotted(key)} after {_dotted(last)}")
        if isinstance(value, Special) or key[: len(base)] != base:
            del w.cursor[name]  # endOfMibView or the next column: this column is complete
            continue
        w.cursor[name] = key
        suffix = key[len(base) :]
        w.rows.setdefault(suffix, {})[name] = value
        w.got[name] = w.got.get(name, 0) + 1
        if w.stop_at is not None and w.stop_at.get(name) == suffix:
            del w.cursor[name]  # the known last row: complete without overshoot


def _dotted(o: Oid) -> str:
    return ".".join(map(str, o))


async def walk(
    client: SnmpClient,
    target: SnmpTarget,
    columns: Mapping[str, Oid],
    scalars_wanted: Sequence[Oid] = (),
    rows_seen: int | None = None,
    default_repetitions: int = 25,
    stop_at: Mapping[str, Oid] | None = None,
) -> Walked:
    """Every row of `columns` (plus the scalars), in one go (no time limit)."""
    w = TableWalk(dict(columns), rows_seen, default_repetitions, stop_at)
    scalars, failure = await advance(client, target, w, None, scalars_wanted)
    return Walked(scalars, w.rows, w.requests, failure)
