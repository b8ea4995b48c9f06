"""Multi-column GETBULK walks: several table columns (and scalars as non-repeaters) per PDU.

pysnmp's cost is mostly per PDU and per decoded varbind (FIELD-NOTES), so a walk asks for every
column at once, with max-repetitions sized to what the last cycle saw (rows + 1 shows the end of
every column in one round trip) and capped so that a reply fits snmpd's 100-varbind limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from netmon.probes.snmp.client import (
    Oid,
    SnmpClient,
    SnmpReply,
    SnmpTarget,
    Special,
    Value,
)
from netmon.probes.snmp.mib import Malformed

BULK_VARBINDS = 100  # snmpd's cap per GETBULK response; larger asks only cost the agent
MAX_REQUESTS = 64  # a walk that needs more is an agent that loops: stop it


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


async def walk(
    client: SnmpClient,
    target: SnmpTarget,
    columns: Mapping[str, Oid],
    scalars_wanted: Sequence[Oid] = (),
    rows_seen: int | None = None,
    default_repetitions: int = 25,
    stop_at: Mapping[str, Oid] | None = None,
) -> Walked:
    """Every row of `columns` (plus the scalars), following each column until it ends.

    A non-repeater returns the *successor* of what is asked, so scalar X.0 is asked as X and
    the answer kept only when it is X.0 (anything else means the agent has no such object).

    `stop_at` (column -> last row index) is for tables known not to have changed since the last
    read (their last-change scalar did not move): a column is complete at that row, so nobody
    pays for the overshoot into the next column. The caller checks the scalar and walks again
    without it when the table did change.
    """
    names = list(columns)
    cursor: dict[str, Oid] = dict(columns)
    rows: dict[Oid, dict[str, Value]] = {}
    scalars: dict[Oid, Value] = {}
    nonrep = [s[:-1] for s in scalars_wanted]
    got: dict[str, int] = {}  # rows read per column
    for count in range(1, MAX_REQUESTS + 1):
        active = [n for n in names if n in cursor]
        done = min(got.get(n, 0) for n in active)
        maxrep = repetitions(
            rows_seen, default_repetitions, len(active), len(nonrep), bool(stop_at), done
        )
        reply = await client.bulk(target, nonrep, [cursor[n] for n in active], maxrep)
        if not reply.ok:
            return Walked(scalars, rows, count, reply)
        vbs = reply.varbinds
        if len(vbs) < len(nonrep):
            raise Malformed(f"GETBULK reply has {len(vbs)} varbinds for {len(nonrep)} scalars")
        for (key, value), wanted in zip(vbs, scalars_wanted if nonrep else (), strict=False):
            scalars[wanted] = value if key == wanted else Special.NO_SUCH_OBJECT
        body = vbs[len(nonrep) :]
        for i, (key, value) in enumerate(body):
            name = active[i % len(active)]
            if name not in cursor:
                continue  # this column already ran past its end earlier in this reply
            base = columns[name]
            last = cursor.get(name, base)
            if key <= last and not isinstance(value, Special):
                raise Malformed(f"OID not increasing: {key} after {last}")
            if isinstance(value, Special) or key[: len(base)] != base:
                del cursor[name]  # endOfMibView or the next column: this column is complete
                continue
            cursor[name] = key
            suffix = key[len(base) :]
            rows.setdefault(suffix, {})[name] = value
            got[name] = got.get(name, 0) + 1
            if stop_at is not None and stop_at.get(name) == suffix:
                del cursor[name]  # the known last row: complete without overshoot
        nonrep = []  # scalars are asked once
        if not cursor:
            return Walked(scalars, rows, count)
        if not body:
            raise Malformed("GETBULK reply with no repetitions")
    raise Malformed(f"walk did not end after {MAX_REQUESTS} requests")
