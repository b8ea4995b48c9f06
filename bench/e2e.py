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
from dataclasses import dataclass
from pathlib import Path

NETMON = str(Path(sys.executable).parent / "netmon")


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    max_rss_mb: float


def run(cmd: list[str], runs: int = 3) -> Run:
    """Median wall and CPU time (user + system, of the process and its children) of `runs`
    runs, and the largest peak RSS seen; the command must exit 0."""
    walls, cpus, rss = [], [], 0.0
    for _ in range(runs):
        t = os.times()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = os.times().elapsed - t.elapsed
        assert proc.stderr is not None
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {err[-2000:]}")
        walls.append(wall)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss = max(rss, usage.ru_maxrss / 1024)
    return Run(statistics.median(walls), statistics.median(cpus), rss)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}), {os.cpu_count()} cores"


def verdict(seconds: float, target: float) -> str:
    return f"target {target:g} s: {'met' if seconds <= target else 'MISSED'}"
