"""What the SNMP probe keeps about a device between cycles.

`SnmpMemory` (frozen, in ProbeEnv.snmp_memory) is what the last complete reads taught: enough
to poll only the changes. `Progress` (mutable, in ProbeEnv.snmp_walks) is a read that is not
finished: the walks of tables too large for one cycle, resumed where they stopped. It is
stored before the first request, so a probe the cycle deadline cancels loses at most the
request in flight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netmon.model import Neighbour, TableRead
from netmon.model.observation import ChassisIdSubtype
from netmon.probes.snmp.client import Oid, Value
from netmon.probes.snmp.walk import TableWalk

# A table of more rows than this is walked for what identifies its rows and their state only
# (mib.IfColumns.rows); the declared interfaces' counters are then read by ifIndex.
LARGE_ROWS = 128
# A walk that has not finished after this many cycles fails (an agent serving a row a second
# would otherwise stay "discovering" for ever); it starts again at the next full read.
MAX_WALK_CYCLES = 100


@dataclass(frozen=True)
class SnmpMemory:
    """What the last successful reads of one device taught."""

    uptime_ticks: int
    sys_name: str
    if_last_change: int | None  # None: the agent has no ifTableLastChange
    lldp_last_change: int | None  # None: the agent has no LLDP-MIB last-change scalar
    if_index: dict[str, int]  # interface name -> ifIndex (names made unique: mib.unique_names)
    aliases: dict[int, str]
    speeds: dict[int, int]
    if_rows: int
    if_last_rows: dict[str, Oid]  # column -> last row index seen (walks stop there next time)
    ifx: bool = True  # the agent has ifXTable (else ifDescr, ifSpeed and 32-bit counters)
    if_cycles: int = 1  # cycles the last interface walk took (1: it fits in one cycle)
    large: bool = False  # more than LARGE_ROWS rows: walked for mib.IfColumns.rows only
    lldp_rows: int | None = None
    lldp_last_rows: dict[str, Oid] | None = None
    neighbours: tuple[Neighbour, ...] | None = None  # None: LLDP not read (absent, failed)
    lldp: TableRead | None = None  # how the last LLDP read ended; None: never read
    # lldpLocPortTable rows (and MikroTik neighbour interfaces) already asked, by OID
    local_rows: dict[Oid, Value] = field(default_factory=dict)
    chassis: tuple[str, ChassisIdSubtype] = ("", "unknown")

    @property
    def names(self) -> dict[int, str]:
        return {i: n for n, i in self.if_index.items()}


@dataclass
class Progress:
    """Reads of one device that are not finished (mutable: the probe's own state)."""

    interfaces: TableWalk | None = None
    lldp: TableWalk | None = None
    # What the interface walk is for, fixed when it starts:
    ifx: bool = True
    large: bool = False
    fallback: bool = False  # the second pass: no ifXTable, so ifDescr and ifSpeed now
    first_rows: dict[Oid, dict[str, Value]] = field(default_factory=dict)  # of the first pass
    version: int | None = None  # ifTableLastChange when the walk started
    uptime_ticks: int = 0  # sysUpTime when it started: a restart since voids it
    sys_name: str = ""
    if_number: int | None = None  # ifNumber: the rows to expect (progress for people)
    lldp_scalars: dict[Oid, Value] = field(default_factory=dict)  # own chassis id

    @property
    def idle(self) -> bool:
        return self.interfaces is None and self.lldp is None
