"""Shared by bench/validate.py and bench/topology.py: a command timed end to end, as a person
runs it (interpreter start-up, imports, loading, output), with its CPU time and peak memory.

On a shared machine wall time swings with the load: the CPU time beside it is the steadier
figure, and the load average is printed with every run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# `netmon ARGS`, with the process's peak RSS (VmHWM, which exec resets: ru_maxrss from wait4
# would include the benchmark's own memory, inherited through fork) written at exit.
_WRAP = """
import atexit, os, sys
def _peak():
    with open("/proc/self/status", encoding="ascii") as f:
        kb = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    with open(os.environ["NETMON_BENCH_PEAK"], "w", encoding="ascii") as out:
        out.write(kb)
atexit.register(_peak)
from netmon.cli import main
sys.argv[0] = "netmon"
main()
"""


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    max_rss_mb: float


def netmon(
    args: list[str],
    runs: int = 3,
    env: dict[str, str] | None = None,
    before: Callable[[], object] | None = None,
) -> Run:
    """`netmon ARGS` run `runs` times as a person runs it (a new interpreter, its imports):
    median wall and CPU time (user + system of the process), and the largest peak RSS; it
    must exit 0. env: variables added to the environment; before: called before each run,
    untimed."""
    walls, cpus, rss = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        env = {**os.environ, **(env or {}), "NETMON_BENCH_PEAK": str(peak)}
        for _ in range(runs):
            if before is not None:
                before()
            t = os.times()
            proc = subprocess.Popen(
                [sys.executable, "-P", "-c", _WRAP, *args],  # -P: the installed netmon
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=env,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            wall = os.times().elapsed - t.elapsed
            assert proc.stderr is not None
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
            if proc.returncode != 0:
                raise SystemExit(f"netmon {' '.join(args)} exited {proc.returncode}: {err[-2000:]}")
            walls.append(wall)
            cpus.append(usage.ru_utime + usage.ru_stime)
            rss = max(rss, int(peak.read_text(encoding="ascii")) / 1024)
    return Run(statistics.median(walls), statistics.median(cpus), rss)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}), {os.cpu_count()} cores"


def verdict(seconds: float, target: float) -> str:
    return f"target {target:g} s: {'met' if seconds <= target else 'MISSED'}"
