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
    "authentication",  # the device refused netmon's credential (or key, or MAC)
    "credentials",  # netmon has no usable credential for it: nothing was asked of the device
    "not_in_time_window",  # SNMPv3: only replies outside the engine's time window came (replays)
    "host_key",
    "no_such_object",
    "malformed_reply",
    "parse_error",
    "command_rejected",
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


# How one of a device's tables came to be in a result (docs/probes.md, "Tables"):
# read: walked this cycle, complete; unchanged: not walked, its last-change scalar says the
# last read still holds (carried); discovering: a walk of a large table goes on over several
# cycles; failed: it could not be read (reason says why; the other tables do not suffer);
# absent: the device does not have it (no LLDP-MIB, LLDP off).
TableStatus = Literal["read", "unchanged", "discovering", "failed", "absent"]


@dataclass(frozen=True)
class TableRead:
    """One table of one probe result: interfaces or lldp."""

    table: str
    status: TableStatus
    reason: FailureReason | None = None  # for "failed": why, in the probe's words
    detail: str = ""  # for people: rows read so far, what was wrong and where


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
    # Per table, how it was read (empty: the probe reads no tables, or says nothing about
    # them). A successful result with a table "failed" is a degraded read: the device answers.
    tables: tuple[TableRead, ...] = ()
    # The device's own LLDP chassis id (lldpLocChassisId), as its neighbours receive it: lets
    # a neighbour that names this chassis be matched to this device whatever its sysName.
    chassis_id: str = ""
    chassis_id_subtype: ChassisIdSubtype = "unknown"

    @property
    def discovering(self) -> bool:
        """A table is still being read over several cycles. The device answered: it is up."""
        return any(t.status == "discovering" for t in self.tables)

    def table(self, name: str) -> TableRead | None:
        return next((t for t in self.tables if t.table == name), None)
