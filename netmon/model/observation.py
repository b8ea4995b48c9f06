"""What probes saw, the same shape whatever the source (SNMP, SSH, ICMP, TCP).

A failed probe is a ProbeResult with success=False and a reason, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Why a probe failed, in words the NOC can act on; bounded, so usable as a metric label.
FailureReason = Literal[
    "timeout",
    "unreachable",
    "refused",
    "authentication",
    "not_in_time_window",  # SNMPv3: only replies outside the engine's time window came (replays)
    "host_key",
    "no_such_object",
    "malformed_reply",
    "parse_error",
    "deadline",
    "error",
]

# LLDP port-id subtypes (IEEE 802.1AB): decoding a port id needs them.
PortIdSubtype = Literal[
    "interface_alias",
    "port_component",
    "mac_address",
    "network_address",
    "interface_name",
    "agent_circuit_id",
    "local",
    "unknown",
]
ChassisIdSubtype = Literal[
    "chassis_component",
    "interface_alias",
    "port_component",
    "mac_address",
    "network_address",
    "interface_name",
    "local",
    "unknown",
]


@dataclass(frozen=True)
class InterfaceState:
    """One interface as a device reports it. Counters are raw (never rates); None = not read."""

    name: str
    index: int | None = None
    alias: str = ""
    admin_up: bool | None = None
    oper_up: bool | None = None
    speed_bps: int | None = None
    in_octets: int | None = None
    out_octets: int | None = None
    in_errors: int | None = None
    out_errors: int | None = None
    in_discards: int | None = None
    out_discards: int | None = None
    # sysUpTime (s) at the last change of oper status (IF-MIB ifLastChange); 0 = unchanged
    # since the agent started. A declared port that is down and still 0 was never up: drift.
    last_change_s: float | None = None


@dataclass(frozen=True)
class Neighbour:
    """One LLDP (or CDP) neighbour seen on a local interface."""

    local_interface: str
    chassis_id: str = ""
    chassis_id_subtype: ChassisIdSubtype = "unknown"
    port_id: str = ""
    port_id_subtype: PortIdSubtype = "unknown"
    port_description: str = ""
    sys_name: str = ""
    mgmt_address: str = ""


@dataclass(frozen=True)
class ProbeResult:
    """One probe of one device in one cycle."""

    device: str
    probe: str
    success: bool
    duration_s: float
    reason: FailureReason | None = None
    detail: str = ""
    rtt_s: float | None = None
    sys_name: str = ""
    uptime_s: float | None = None
    restarted: bool = False
    interfaces: tuple[InterfaceState, ...] = ()
    neighbours: tuple[Neighbour, ...] = ()
    # True when `neighbours` is the device's complete current LLDP view (read this cycle, or
    # confirmed unchanged by the LLDP-MIB last-change scalar); False: LLDP not read, so an
    # empty `neighbours` says nothing.
    lldp_read: bool = False
