"""The one shape every probe has (blackbox_exporter style) and what probes share.

    async def probe(target: ProbeTarget, env: ProbeEnv) -> ProbeResult

A probe never raises for anything a device does: failures are ProbeResults with a reason.
`ProbeEnv` holds what must exist once per process and event loop (the SNMP engine, the ICMP
socket), what the SNMP probe remembers between cycles to poll only what changed, and the last
uptime the SSH probe read per device (to tell a restart).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from netmon.model import Device, ProbeResult
from netmon.model.observation import FailureReason
from netmon.probes.snmp_client import SnmpAuth, SnmpClient
from netmon.probes.ssh_client import SshAuth, SshClient

if TYPE_CHECKING:
    from netmon.probes.icmp import Pinger
    from netmon.probes.snmp import SnmpMemory


@dataclass(frozen=True)
class ProbeTarget:
    """One device as one probe sees it in one cycle; built by the poller from inventory and
    settings (probes cannot read config: layering)."""

    device: Device
    timeout_s: float
    retries: int
    port: int | None = None  # None: the probe's standard port (tcp: device.tcp_port; snmp: 161)
    uplinks: tuple[str, ...] = ()  # interfaces named in the inventory's links: read every cycle
    snmp_auth: SnmpAuth | None = None
    auth_problem: str = ""  # why snmp_auth is missing (credential not resolvable), for the result
    full: bool = False  # the poller asks for a full re-read this cycle (every Nth cycle)
    max_repetitions: int = 25  # the starting point; later sized from what the last cycle saw
    ssh_auth: SshAuth | None = None  # auth_problem says why it is missing
    ssh_known_hosts: str = ""  # the known_hosts file; "" = not configured (the probe refuses)
    ssh_keepalive_s: float = 15.0

    @property
    def address(self) -> str:
        return str(self.device.mgmt)


@dataclass
class ProbeEnv:
    """Shared per process and loop. Created and closed by the poller."""

    snmp: SnmpClient | None = None
    pinger: Pinger | None = None
    snmp_memory: dict[str, SnmpMemory] = field(default_factory=dict)
    ssh: SshClient | None = None  # None: the ssh probe opens the asyncssh client on first use
    ssh_uptime: dict[str, float] = field(default_factory=dict)  # device -> last SSH uptime_s


Probe = Callable[[ProbeTarget, ProbeEnv], Awaitable[ProbeResult]]


class Clock:
    """Duration of one probe (monotonic)."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def failed(
    target: ProbeTarget, probe: str, clock: Clock, reason: FailureReason, detail: str
) -> ProbeResult:
    return ProbeResult(
        device=target.device.id,
        probe=probe,
        success=False,
        duration_s=clock.elapsed(),
        reason=reason,
        detail=detail,
    )
