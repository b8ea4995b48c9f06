"""Opening and closing what probes share: one SNMP socket, one ICMP socket per process and loop."""

from __future__ import annotations

from collections.abc import Iterable

from netmon.probes.base import ProbeEnv
from netmon.probes.icmp import Pinger
from netmon.probes.snmp.client import SnmpClient
from netmon.probes.snmp.wire import WireClient


def open_env(kinds: Iterable[str], snmp_client: str = "netmon") -> ProbeEnv:
    """Call inside the running event loop that will use it; opens only what `kinds` need.
    `snmp_client`: "netmon" (snmp/wire.py, the default) or "pysnmp" (snmp/pysnmp_client.py)."""
    wanted = set(kinds)
    snmp: SnmpClient | None = None
    if "snmp" in wanted and snmp_client == "pysnmp":
        from netmon.probes.snmp.pysnmp_client import (
            PysnmpClient,  # pysnmp imported only when chosen
        )

        snmp = PysnmpClient()
    elif "snmp" in wanted:
        snmp = WireClient()
    return ProbeEnv(
        snmp=snmp,
        pinger=Pinger() if "icmp" in wanted else None,
    )


async def close_env(env: ProbeEnv) -> None:
    aclose = getattr(env.snmp, "aclose", None)  # the real clients own a socket; fakes do not
    if aclose is not None:
        await aclose()
    if env.pinger is not None:
        env.pinger.close()
