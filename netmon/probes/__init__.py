"""Probes: one module per kind, one shape, one name -> probe map (blackbox_exporter style).

Every probe is `async def probe(target: ProbeTarget, env: ProbeEnv) -> ProbeResult` and never
raises for what a device does. Adding one: a module here, an entry in PROBES, recorded answers
under tests/data/, a table-driven test against the fake wire client.
"""

from __future__ import annotations

from collections.abc import Mapping

from netmon.probes import icmp, snmp, ssh, tcp
from netmon.probes.base import Probe, ProbeEnv, ProbeTarget
from netmon.probes.env import close_env, open_env

PROBES: Mapping[str, Probe] = {
    icmp.NAME: icmp.probe,
    tcp.NAME: tcp.probe,
    snmp.NAME: snmp.probe,
    ssh.NAME: ssh.probe,
}

__all__ = ["PROBES", "Probe", "ProbeEnv", "ProbeTarget", "close_env", "open_env"]
