"""The SNMP probe: poll what the NOC needs, re-read tables only when they changed, read any
table size within the cycle's budget or over several cycles.

Every cycle, one GET per device (a few when it has many uplinks) reads sysUpTime, the IF-MIB
and LLDP-MIB last-change scalars, and the status, traffic and error counters of its uplinks by
the ifIndex learnt in the last full read. The interface table is walked again only when
ifTableLastChange moved, an uplink vanished or the device restarted (sysUpTime went back); the
LLDP tables when lldpStatsRemTablesLastChangeTime moved, with every interface walk and when
they were never read; and both when the poller asks (every Nth cycle, staggered per device).

Each table is read on its own (docs/probes.md, "Tables"): a table that fails costs what it
holds, not the others and not the device's liveness (the uptime answered, so the device is
up); a table too large for one cycle's `walk_budget_s` is walked on in the next cycles, the
device "discovering" meanwhile. Between reads, what the last read learnt is carried forward:
sysName, interface names, aliases and speeds, and the LLDP neighbours (`lldp_read=True`: the
last-change scalar says they are still current). Counters are only ever this cycle's values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from netmon.model import ProbeResult
from netmon.probes.base import (
    RETRIES,
    TIMEOUT,
    Clock,
    ProbeEnv,
    ProbeKind,
    ProbeSettings,
    ProbeTarget,
    failed,
    setting,
)
from netmon.probes.snmp.client import SNMP_CLIENTS, SNMP_PORT, SnmpAuth, SnmpTarget
from netmon.probes.snmp.mib import Malformed
from netmon.probes.snmp.read import Read
from netmon.probes.snmp.state import Progress
from netmon.probes.snmp.tables import Failed
from netmon.yamlspec import Float, Int, Str

NAME = "snmp"


@dataclass(frozen=True)
class SnmpSettings(ProbeSettings):
    # Sized for 30 % loss (docs/reliability.md, item 4): a request fails only when six tries
    # in a row are lost (0.3**6); a dead agent costs 2.4 s, inside the cycle deadline.
    timeout_s: float = setting(0.4, TIMEOUT)
    retries: int = setting(5, RETRIES)
    max_repetitions: int = setting(
        25,
        Int(minimum=1, maximum=100, doc="GETBULK rows at first; later sized from the last read"),
    )
    # "netmon": its own codec, a tenth of pysnmp's CPU (docs/probes.md); "pysnmp": the
    # reference implementation, for an agent the own codec does not get along with.
    client: str = setting("netmon", Str(enum=SNMP_CLIENTS, doc="the SNMP engine"))
    # With a request's own worst case (timeout_s x (retries + 1)) it must fit poll.deadline_s:
    # 3 + 2.4 s in the default 8 s. A 3,271-port table behind snmpsim takes one or two cycles.
    walk_budget_s: float = setting(
        3.0,
        Float(
            minimum=0.05,
            maximum=60,
            doc="seconds of table walks per device and cycle; a larger table goes on next "
            "cycle (the device reads 'discovering', never down)",
        ),
    )


async def probe(target: ProbeTarget[SnmpSettings], env: ProbeEnv) -> ProbeResult:
    clock = Clock()
    if env.snmp is None:
        return failed(target, NAME, clock, "error", "no SNMP client in this process")
    auth = target.auth
    if not isinstance(auth, SnmpAuth):
        detail = target.auth_problem or "no SNMP credential set for this device"
        return failed(target, NAME, clock, "credentials", detail)
    wire = SnmpTarget(
        host=target.address,
        auth=auth,
        port=target.port_for(NAME, SNMP_PORT),
        timeout_s=target.timeout_s,
        retries=target.retries,
    )
    device = target.device.id
    progress = env.snmp_walks.setdefault(device, Progress())  # kept if the deadline cancels
    until = time.monotonic() + target.settings.walk_budget_s
    read = Read(env.snmp, wire, target, env.snmp_memory.get(device), progress, until)
    try:
        result = await read.run()
    except Failed as exc:
        return failed(target, NAME, clock, exc.reason, exc.reply.detail)
    except Malformed as exc:
        return failed(target, NAME, clock, "malformed_reply", str(exc))
    finally:
        if progress.idle:
            env.snmp_walks.pop(device, None)
    if read.memory is not None:
        env.snmp_memory[device] = read.memory
    return replace(result, duration_s=clock.elapsed())


KIND = ProbeKind(
    NAME,
    probe,
    SnmpSettings,
    doc="interfaces, counters and LLDP neighbours over SNMP v2c/v3, polling only what changed",
    port=SNMP_PORT,
    credential="snmp",
)
