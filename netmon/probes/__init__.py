"""Probes: one module per kind, one shape, one name -> kind map (blackbox_exporter style).

Every probe is `async def probe(target: ProbeTarget[S], env: ProbeEnv) -> ProbeResult` and never
raises for what a device does. Each kind is declared once, as `KIND` in its module (base.py says
what a declaration holds), and listed in KINDS below: config.yaml's `probes:` section, the
inventory's probe names and `<kind>_port` keys and the poller's targets all come from it.
Adding a kind: its module, one line in KINDS, recorded answers under tests/data/ and a
table-driven test against a fake (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from netmon.probes import icmp, tcp
from netmon.probes.base import Probe, ProbeEnv, ProbeKind, ProbeSettings, ProbeTarget
from netmon.probes.env import close_env, open_env
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
    "close_env",
    "open_env",
]
