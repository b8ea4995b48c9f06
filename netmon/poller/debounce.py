"""Per-agency state across cycles: "down" only after N consecutive failed cycles.

A lossy path loses a probe now and then; one failed cycle must not flap the coverage figure
or page anyone. An agency is reachable in a cycle when any probe of any of its devices
succeeded; it is down when it has been unreachable for `down_after` cycles in a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from netmon.model import ProbeResult


@dataclass(frozen=True)
class AgencyStatus:
    id: str
    reachable: bool | None  # this cycle; None: none of its devices was probed
    consecutive_failures: int
    down: bool  # debounced


def reachable_now(
    devices_of: Mapping[str, Iterable[str]], results: Iterable[ProbeResult]
) -> dict[str, bool | None]:
    ok: dict[str, bool] = {}
    for r in results:
        ok[r.device] = ok.get(r.device, False) or r.success
    out: dict[str, bool | None] = {}
    for agency, devices in devices_of.items():
        seen = [ok[d] for d in devices if d in ok]
        out[agency] = any(seen) if seen else None
    return out


class Debounce:
    """Remembers consecutive failures per agency between cycles."""

    def __init__(self, down_after: int) -> None:
        self.down_after = down_after
        self._failures: dict[str, int] = {}

    def update(
        self, reachable: Mapping[str, bool | None], commit: bool = True
    ) -> tuple[AgencyStatus, ...]:
        """commit=False previews the cycle (an early view) without counting it."""
        out = []
        for agency, now in reachable.items():
            failures = self._failures.get(agency, 0)
            if now is True:
                failures = 0
            elif now is False:
                failures += 1
            # None (not probed) leaves the count as it was: no evidence either way.
            if commit:
                self._failures[agency] = failures
            out.append(AgencyStatus(agency, now, failures, failures >= self.down_after))
        return tuple(out)
