"""Probes: one module per kind, one shape, one name -> kind map (blackbox_exporter style).

Every probe is `async def probe(target: ProbeTarget[S], env: ProbeEnv) -> ProbeResult` and never
raises for what a device does. Each kind is declared once, as `KIND` in its module (base.py says
what a declaration holds), and listed in KINDS below: config.yaml's `probes:` section, the
inventory's probe names and `<kind>_port` keys and the poller's targets all come from it.
Adding a kind: its module, one line in KINDS, recorded answers under tests/data/ and a
table-driven test against a fake (docs/architecture.md).

Importing the registry stays light: the inventory and config import it on every command for
the kinds' names, ports and settings and the SSH platforms' names, and a command that only
reads an inventory never probes. So what a probe runs with is imported when it runs: asyncio
in the probes, textfsm in the SSH parsers (ntc.py), the per-process environment with its SNMP
crypto from netmon.probes.env (the poller's). That took 0.03 s (more on a slow minute) off
every `validate` and `report` (tests/test_cli.py checks what they import).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netmon.probes import icmp, tcp
from netmon.probes.base import Probe, ProbeEnv, ProbeKind, ProbeSettings, ProbeTarget
from netmon.probes.snmp import probe as snmp
from netmon.probes.ssh import probe as ssh

KINDS: Mapping[str, ProbeKind[Any]] = {
    kind.name: kind
    for kind in (
        icmp.KIND,
        tcp.KIND,
        snmp.KIND,
        ssh.KIND,
    )
}
PROBES: Mapping[str, Probe] = {name: kind.probe for name, kind in KINDS.items()}

__all__ = [
    "KINDS",
    "PROBES",
    "Probe",
    "ProbeEnv",
    "ProbeKind",
    "ProbeSettings",
    "ProbeTarget",
]
