"""bench/fuzz: issue 9, item 8 at full size, with timings (the tests assert outcomes only).

Runs the suite's own fuzz cases (tests/reliability/fuzz_*_cases.py: the same seeded cases as
test_fuzz.py, test_fuzz_ssh.py and test_fuzz_v3.py, more of them) and prints per kind: cases,
outcomes, netmon's time per case (p50, p99, max), how many took over 50 ms, and the slowest
cases re-timed alone, several times each, with the CPU time and garbage-collection time of the
slow run: a case slow again alone is a slow input; one that is fast alone, or whose slow run
had little CPU time, was the machine (another process had the core) or a GC pause.

    .venv/bin/python bench/fuzz.py [--snmp 20000] [--ssh 20000] [--v3 2000] [--slowest 10]

Bounded by the counts. Uses no network beyond a black-hole socket on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from reliability import fuzz_snmp_cases, fuzz_ssh_cases, fuzz_v3_cases

TARGET_S = 0.05


class GcClock:
    """Wall time spent in the garbage collector (gc.callbacks), and full (gen 2) collections."""

    def __init__(self) -> None:
        self.seconds, self.full, self._t0 = 0.0, 0, 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t0
            self.full += info.get("generation") == 2


@dataclass
class Timed:
    case: Any
    seconds: float  # netmon's time (the runner's figure)
    cpu: float  # CPU time of the whole case (this thread)
    gc: float  # wall time in the garbage collector during the case
    gc_full: int


@dataclass
class Kind:
    name: str
    runs: list[Timed] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    wall: float = 0.0


GC = GcClock()


def timed(run: Callable[[Any], tuple[str, float]], case: Any) -> tuple[str, Timed]:
    g0, f0, c0 = GC.seconds, GC.full, time.thread_time()
    key, seconds = run(case)
    return key, Timed(case, seconds, time.thread_time() - c0, GC.seconds - g0, GC.full - f0)


def collect(kind: Kind, run: Callable[[Any], tuple[str, float]]) -> Callable[[Any], None]:
    def each(case: Any) -> None:
        key, t = timed(run, case)
        kind.runs.append(t)
        kind.outcomes[key] = kind.outcomes.get(key, 0) + 1

    return each


def ms(s: float) -> str:
    return f"{1e3 * s:.2f} ms"


def report(
    kind: Kind, run: Callable[[Any], tuple[str, float]], slowest: int, show: Callable[[Any], str]
) -> None:
    t = sorted(r.seconds for r in kind.runs)
    if not t:
        return
    over = [r for r in kind.runs if r.seconds > TARGET_S]
    print(f"\n== {kind.name}: {len(t)} cases in {kind.wall:.1f} s")
    print(f"outcomes: {dict(sorted(kind.outcomes.items(), key=lambda kv: -kv[1]))}")
    print(
        f"per case: p50 {ms(t[len(t) // 2])}, p99 {ms(t[int(0.99 * (len(t) - 1))])}, "
        f"max {ms(t[-1])}; over {TARGET_S * 1e3:.0f} ms: {len(over)}"
    )
    print(
        f"slowest {slowest} (cpu: the whole case's CPU time, the test's own encoding included; "
        "gc: time in the collector during the case), re-timed alone 5 times each "
        "(netmon's time; min / median / max):"
    )
    for r in sorted(kind.runs, key=lambda r: -r.seconds)[:slowest]:
        again = sorted(timed(run, r.case)[1].seconds for _ in range(5))
        verdict = "slow input" if again[0] > TARGET_S else "fast alone"
        print(
            f"  {ms(r.seconds)} (cpu {ms(r.cpu)}, gc {ms(r.gc)}, full gc {r.gc_full}) -> "
            f"{ms(again[0])} / {ms(statistics.median(again))} / {ms(again[-1])} "
            f"[{verdict}] {show(r.case)}"
        )


def show_ssh(found: list[tuple[str, str, str]]) -> Callable[[Any], str]:
    def show(case: fuzz_ssh_cases.Case) -> str:
        platform, out = case.output(found)
        longest = max((len(line) for line in out.text.splitlines()), default=0)
        how = "generated" if isinstance(case.how, str) else f"ops {case.how}"
        text = f"{platform} {out.command!r}, {len(out.text):,} chars, longest line {longest:,}"
        return f"{text}, {how}"[:220]

    return show


def show_snmp(runner: Any) -> Callable[[Any], str]:
    def show(case: fuzz_snmp_cases.Case) -> str:
        k = case.k % runner.requests[(case.name, case.full)]
        v3 = isinstance(runner, fuzz_v3_cases.V3Runner)
        extra = f", {fuzz_v3_cases.describe(case.extra)}" if v3 else ""
        return f"{case.name} full={case.full} request {k}{extra}, ops {case.ops}"[:220]

    return show


@contextmanager
def phase(kind: Kind) -> Iterator[None]:
    t0 = time.monotonic()
    try:
        yield
    finally:
        kind.wall = time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--snmp", type=int, default=20_000, help="SNMPv2c cases (0: skip)")
    ap.add_argument("--ssh", type=int, default=20_000, help="SSH parser cases (0: skip)")
    ap.add_argument("--v3", type=int, default=2_000, help="SNMPv3 authPriv cases (0: skip)")
    ap.add_argument("--slowest", type=int, default=10, help="cases re-timed per kind")
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = 0
    if args.ssh:
        kind = Kind("SSH parsers")
        found = fuzz_ssh_cases.seeds()
        cold = fuzz_ssh_cases.warm(found)
        print(f"SSH: {len(found)} seeds; first parse of each (templates loaded): {ms(cold)}")

        def run_ssh(case: Any) -> tuple[str, float]:
            return fuzz_ssh_cases.run(found, case)

        with phase(kind):
            fuzz_ssh_cases.generate(args.ssh, found, collect(kind, run_ssh))
        report(kind, run_ssh, args.slowest, show_ssh(found))
        failed += sum(n for k, n in kind.outcomes.items() if k.startswith("exception"))
    for count, runner_type, extra, name in (
        (args.snmp, fuzz_snmp_cases.Runner, 0, "SNMPv2c replies"),
        (args.v3, fuzz_v3_cases.V3Runner, fuzz_v3_cases.EXTRA, "SNMPv3 authPriv exchanges"),
    ):
        if not count:
            continue
        kind = Kind(name)
        with runner_type() as runner, phase(kind):
            names = sorted(runner.agents)
            fuzz_snmp_cases.generate(count, names, collect(kind, runner.run), extra=extra)
        with runner_type() as runner:  # re-timing in a fresh runner, outside hypothesis
            report(kind, runner.run, args.slowest, show_snmp(runner))
        failed += sum(n for k, n in kind.outcomes.items() if k.startswith("exception"))
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"exceptions (not reported errors): {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
