"""A recording fake SnmpClient: answers from `snmpwalk -ObentU` recordings, keeps every request.

Tests (and fuzzing) use it at the seam: the probe's observations are checked together with the
exact requests it sent (OIDs, non-repeaters, max-repetitions). GETBULK follows RFC 3416 and
net-snmp's habits: lexicographic successors, endOfMibView past the end, and at most 100
varbinds per response (snmpd's cap).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from typing import Literal

from netmon.model.observation import FailureReason
from netmon.probes.snmp.client import (
    Oid,
    SnmpReply,
    SnmpTarget,
    Special,
    Value,
    VarBind,
    oid,
)

BULK_CAP = 100  # snmpd answers at most about 100 varbinds per GETBULK (FIELD-NOTES)


def parse_walk(text: str) -> dict[Oid, Value]:
    """Parse `snmpwalk -ObentU` output (numeric OIDs, numeric enums, timeticks as numbers)."""
    out: dict[Oid, Value] = {}
    lines: list[str] = []
    for raw in text.splitlines():
        if raw.startswith(".") and " = " in raw:
            lines.append(raw)
        elif lines and raw.strip():
            lines[-1] += "\n" + raw  # continuation of a wrapped Hex-STRING or multi-line STRING
    for line in lines:
        name, _, rest = line.partition(" = ")
        out[oid(name)] = _value(rest)
    return out


def _value(text: str) -> Value:
    kind, sep, body = text.partition(": ")
    if not sep:
        if text.startswith('"'):
            return _unquote(text)
        if text.startswith("No Such Object"):
            return Special.NO_SUCH_OBJECT
        if text.startswith("No Such Instance"):
            return Special.NO_SUCH_INSTANCE
        if text.startswith("No more variables"):
            return Special.END_OF_MIB_VIEW
        return int(text)  # TimeTicks under -Ot
    if kind in ("INTEGER", "Gauge32", "Counter32", "Counter64", "Unsigned32", "Timeticks"):
        return int(re.sub(r"[^0-9-]", "", body.split("(")[-1]) if "(" in body else body)
    if kind == "STRING":
        return _unquote(body)
    if kind == "Hex-STRING":
        return bytes.fromhex(body.replace("\n", " "))
    if kind == "OID":
        return oid(body)
    if kind == "IpAddress":
        return IPv4Address(body.strip())
    raise ValueError(f"unknown snmpwalk value type {kind!r}")


def _unquote(text: str) -> bytes:
    body = text.strip()
    if body.startswith('"') and body.endswith('"'):
        body = body[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\").encode("utf-8")


@dataclass
class FakeAgent:
    """One recorded agent. `fail` makes every request fail with that reason (timeout, ...)."""

    data: dict[Oid, Value]
    fail: FailureReason | None = None
    bulk_cap: int = BULK_CAP
    _keys: list[Oid] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._keys = sorted(self.data)

    @classmethod
    def from_file(cls, path: Path) -> FakeAgent:
        return cls(parse_walk(path.read_text(encoding="utf-8")))

    def set(self, key: Oid, value: Value) -> None:
        """Change one value (a test's way to make the device change between cycles)."""
        self.data[key] = value
        self._keys = sorted(self.data)

    def remove_prefix(self, prefix: Oid) -> None:
        for k in [k for k in self.data if k[: len(prefix)] == prefix]:
            del self.data[k]
        self._keys = sorted(self.data)

    def exact(self, key: Oid) -> Value:
        if key in self.data:
            return self.data[key]
        parent = key[:-1]
        i = bisect_right(self._keys, parent)
        under = i < len(self._keys) and self._keys[i][: len(parent)] == parent
        return Special.NO_SUCH_INSTANCE if under else Special.NO_SUCH_OBJECT

    def successor(self, key: Oid) -> VarBind:
        i = bisect_right(self._keys, key)
        if i >= len(self._keys):
            return key, Special.END_OF_MIB_VIEW
        k = self._keys[i]
        return k, self.data[k]


@dataclass(frozen=True)
class Request:
    """One request as the device saw it."""

    kind: Literal["get", "bulk"]
    host: str
    oids: tuple[Oid, ...]
    non_repeaters: int = 0
    max_repetitions: int = 0


class RecordingSnmpClient:
    """The fake. Unknown hosts behave like a black hole (timeout)."""

    def __init__(self, agents: dict[str, FakeAgent]) -> None:
        self.agents = agents
        self.requests: list[Request] = []

    def requests_to(self, host: str) -> list[Request]:
        return [r for r in self.requests if r.host == host]

    def _agent(self, target: SnmpTarget) -> FakeAgent | SnmpReply:
        agent = self.agents.get(target.host)
        if agent is None:
            return SnmpReply(error="timeout", detail="no answer (fake: unknown host)")
        if agent.fail is not None:
            return SnmpReply(error=agent.fail, detail=f"fake agent set to fail: {agent.fail}")
        return agent

    async def get(self, target: SnmpTarget, oids: Sequence[Oid]) -> SnmpReply:
        self.requests.append(Request("get", target.host, tuple(oids)))
        agent = self._agent(target)
        if isinstance(agent, SnmpReply):
            return agent
        return SnmpReply(tuple((o, agent.exact(o)) for o in oids))

    async def bulk(
        self,
        target: SnmpTarget,
        non_repeaters: Sequence[Oid],
        repeaters: Sequence[Oid],
        max_repetitions: int,
    ) -> SnmpReply:
        self.requests.append(
            Request(
                "bulk",
                target.host,
                (*non_repeaters, *repeaters),
                len(non_repeaters),
                max_repetitions,
            )
        )
        agent = self._agent(target)
        if isinstance(agent, SnmpReply):
            return agent
        out: list[VarBind] = [agent.successor(o) for o in non_repeaters]
        cursor = list(repeaters)
        for _ in range(max_repetitions):
            if len(out) + len(cursor) > agent.bulk_cap or not cursor:
                break
            row = [agent.successor(o) for o in cursor]
            out += row
            cursor = [k for k, _ in row]
            if all(v is Special.END_OF_MIB_VIEW for _, v in row):
                break
        return SnmpReply(tuple(out))


def load_agents(files: Iterable[tuple[str, Path]]) -> dict[str, FakeAgent]:
    return {host: FakeAgent.from_file(path) for host, path in files}
