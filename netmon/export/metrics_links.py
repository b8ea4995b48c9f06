"""Per declared link: state, capacity and both ends' raw interface counters.

The counters are what each end's device reported (IF-MIB ifHC* or the platform's equivalent),
labelled with the link and which end (a or b) so utilisation is one PromQL division by the
capacity. A counter that was not read this cycle is left out rather than exported as 0: a 0
would look like a counter reset and make rate() invent traffic.
"""

from __future__ import annotations

from netmon.export.families import Family, counter, gauge
from netmon.model import InterfaceState, Snapshot

_STATUS = {"up": 1.0, "down": 0.0}
_END = ["link", "end", "device", "interface"]
# (metric name without _total, InterfaceState field, help)
_COUNTERS = (
    ("netmon_link_receive_bytes", "in_octets", "Bytes received at this end of the link."),
    ("netmon_link_transmit_bytes", "out_octets", "Bytes sent from this end of the link."),
    ("netmon_link_receive_errors", "in_errors", "Inbound errors at this end of the link."),
    ("netmon_link_transmit_errors", "out_errors", "Outbound errors at this end of the link."),
    ("netmon_link_receive_discards", "in_discards", "Inbound discards at this end of the link."),
    ("netmon_link_transmit_discards", "out_discards", "Outbound discards at this end."),
)


def link_families(s: Snapshot) -> list[Family]:
    info = gauge(
        "netmon_link_info",
        "A declared link: its kind, ends and whether LLDP confirms it (origin=both).",
        ["link", "kind", "a_device", "a_interface", "b_device", "b_interface", "origin"],
    )
    up = gauge(
        "netmon_link_up", "1 if the link is up, 0 if down (absent: not known).", ["link", "kind"]
    )
    capacity = gauge(
        "netmon_link_capacity_bytes_per_second",
        "Declared capacity of the link (bits per second / 8).",
        ["link", "kind"],
    )
    oper = gauge(
        "netmon_link_end_oper_up",
        "1 if this end's interface is operationally up (ifOperStatus).",
        _END,
    )
    counters = [(field, counter(name + "_total", doc, _END)) for name, field, doc in _COUNTERS]
    for lk in s.links:
        info.add(
            (lk.id, lk.kind, lk.a.device, lk.a.interface, lk.b.device, lk.b.interface, lk.origin),
            1,
        )
        if lk.status in _STATUS:
            up.add((lk.id, lk.kind), _STATUS[lk.status])
        capacity.add((lk.id, lk.kind), lk.capacity_bps / 8)
        for end, endpoint, state in (("a", lk.a, lk.a_if), ("b", lk.b, lk.b_if)):
            if state is None:
                continue
            key = (lk.id, end, endpoint.device, endpoint.interface)
            if state.oper_up is not None:
                oper.add(key, float(state.oper_up))
            values = _values(state)
            for (_, family), value in zip(counters, values, strict=True):
                if value is not None:
                    family.samples.append((key, float(value)))  # add() without the call
    return [info, up, capacity, oper, *(f for _, f in counters)]


def _values(state: InterfaceState) -> tuple[int | None, ...]:
    # Same order as _COUNTERS.
    return (
        state.in_octets,
        state.out_octets,
        state.in_errors,
        state.out_errors,
        state.in_discards,
        state.out_discards,
    )
