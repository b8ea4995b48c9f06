"""Carry the last good observations of a probe that went unanswered, until it counts as down.

Topology judges each cycle on its own: a device whose probes all failed is down, and so are
its links and whatever hangs behind it. On a lossy path one cycle in a while loses every try
of a probe, and without this the coverage figure and the link states would flap with it
(DESIGN.md: "down" needs consecutive failures). So a probe that got *no answer* (timeout, or
cut by the cycle deadline) is replaced by its last successful result for up to
`down_after - 1` cycles in a row; at the `down_after`-th the failure goes through, in the same
cycle as the agency's debounced `down` (debounce.py counts the same cycles).

Only silence is carried. A device that answers is believed at once: an uplink it reports
oper-down is down this cycle, and an authentication failure is a fact, not a lost packet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from netmon.model import ProbeResult

UNANSWERED = frozenset({"timeout", "deadline"})


class Carry:
    def __init__(self, down_after: int) -> None:
        self.down_after = down_after
        self._last: dict[tuple[str, str], ProbeResult] = {}
        self._misses: dict[tuple[str, str], int] = {}

    def apply(self, results: Iterable[ProbeResult], commit: bool = True) -> tuple[ProbeResult, ...]:
        """This cycle's results, with unanswered probes replaced by their last good result
        while they have gone unanswered fewer than `down_after` cycles in a row. commit=False
        previews the cycle (an early view, settle.py) and leaves the counts as they were."""
        last_good = self._last if commit else dict(self._last)
        missed = self._misses if commit else dict(self._misses)
        out = []
        for r in results:
            key = (r.device, r.probe)
            if r.success:
                last_good[key] = r
                missed.pop(key, None)
                out.append(r)
                continue
            if r.reason not in UNANSWERED:  # an answer that says something is wrong
                last_good.pop(key, None)
                missed.pop(key, None)
                out.append(r)
                continue
            misses = missed[key] = missed.get(key, 0) + 1
            last = last_good.get(key)
            if last is None or misses >= self.down_after:
                out.append(r)
                continue
            out.append(
                replace(
                    last,
                    duration_s=r.duration_s,
                    restarted=False,
                    detail=f"carried: no answer this cycle ({misses} of {self.down_after} "
                    f"before down): {r.reason}: {r.detail}",
                )
            )
        return tuple(out)

    def carried(self) -> int:
        """Probes currently standing on carried results (for the cycle summary)."""
        return sum(1 for k, n in self._misses.items() if n < self.down_after and k in self._last)
