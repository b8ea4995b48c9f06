"""Opening and closing what probes share: one SNMP engine, one ICMP socket per process and loop."""

from __future__ import annotations

from collections.abc import Iterable

from netmon.probes.base import ProbeEnv
from netmon.probes.icmp import Pinger
from netmon.probes.snmp_pysnmp import PysnmpClient


def open_env(kinds: Iterable[str]) -> ProbeEnv:
    """Call inside the running event loop that will use it; opens only what `kinds` need."""
    wanted = set(kinds)
    return ProbeEnv(
        snmp=PysnmpClient() if "snmp" in wanted else None,
        pinger=Pinger() if "icmp" in wanted else None,
    )


async def close_env(env: ProbeEnv) -> None:
    if isinstance(env.snmp, PysnmpClient):
        await env.snmp.aclose()
    if env.pinger is not None:
        env.pinger.close()
