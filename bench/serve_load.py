"""Item 15's figures: 50 concurrent scrapers on a real `netmon serve` for 60 s.

    sudo .venv/bin/python bench/serve_load.py [--seconds 60] [--scrapers 50] [--runs 1]

The same rig as tests/reliability/test_serve_load.py: lab-small copied onto 127.47.x.y, half
its agents real snmpd on UDP 161, half black holes, `netmon serve` polling every 2 s. Prints,
for each run, the scrapes and their rate, errors, latency p50/p99/max, the cycles and the
gaps between their ends, and deadline overruns (docs/reliability.md, item 15). The test suite
runs the same load for 20 s and asserts the properties (no failed scrape, no skipped or
overrun cycle); this long run only prints figures: a speed figure is not a test assertion.

Needs root (binds UDP 161 on loopback addresses, pings). Everything stays on 127.0.0.0/8.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))

from reliability.rig import loopback_fleet, scrape_load, serve


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--scrapers", type=int, default=50)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root: binds UDP port 161 on loopback addresses and pings", file=sys.stderr)
        return 2
    with (
        tempfile.TemporaryDirectory(prefix="netmon-serve-load-") as tmp,
        loopback_fleet(Path(tmp)) as fleet,
        serve(fleet) as s,
    ):
        s.wait_ready()
        s.wait_cycles(2)
        for run in range(1, args.runs + 1):
            load = scrape_load(s, args.seconds, args.scrapers)
            print(f"run {run}: {load.line()}", flush=True)
        code = s.stop()
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
