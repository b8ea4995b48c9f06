"""How fast the lab comes up and goes down, and how much memory it holds, by size.

    sudo .venv/bin/python bench/lab_scale.py [--inventory inventory] [--agencies 6 100 467]
                                             [--management inband oob]

Targets (issue 3): 6 agencies up < 2 s; 467 up < 30 s and down < 10 s; < 4 GB (PSS) at 467.
Memory is PSS summed over every process in the lab's namespaces (RSS would count shared
libraries once per process: 17 GB "total" at 467 against 3.3 GB PSS).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from netmon.lab import lab_down, lab_up
from netmon.lab.netns import processes_in


def pss_bytes(inodes: set[int]) -> int:
    total = 0
    for pid in processes_in(inodes):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii")
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


def one(inventory: Path, agencies: int, daemons: str, management: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="lab-scale-") as tmp:
        state = Path(tmp) / "lab"
        started = time.monotonic()
        lab = lab_up(
            inventory,
            state,
            agencies=agencies,
            forwards=(),
            daemons="snmp" if daemons == "snmp" else "full",
            management="oob" if management == "oob" else "inband",
        )
        up_s = time.monotonic() - started
        time.sleep(2)  # let daemons settle before measuring memory
        inodes = {ino for _, ino in lab.netns}
        pss = pss_bytes(inodes)
        started = time.monotonic()
        lab_down(state)
        down_s = time.monotonic() - started
    return {
        "management": management,
        "agencies": agencies,
        "nodes": len(lab.plan.nodes),
        "up_s": round(up_s, 2),
        "down_s": round(down_s, 2),
        "pss_gb": round(pss / 1e9, 3),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--inventory", type=Path, default=Path("inventory"))
    p.add_argument("--agencies", type=int, nargs="+", default=[6, 100, 467])
    p.add_argument("--daemons", choices=["full", "snmp"], default="full")
    p.add_argument("--management", choices=["inband", "oob"], nargs="+", default=["inband"])
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    rows = [one(args.inventory, n, args.daemons, m) for m in args.management for n in args.agencies]
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'mode':>6} {'agencies':>8} {'nodes':>6} {'up s':>7} {'down s':>7} {'PSS GB':>7}")
    for r in rows:
        print(
            f"{r['management']:>6} {r['agencies']:>8} {r['nodes']:>6} {r['up_s']:>7} "
            f"{r['down_s']:>7} {r['pss_gb']:>7}"
        )


if __name__ == "__main__":
    main()
