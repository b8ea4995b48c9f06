"""Prints how long validation takes: the shipped inventory, and hostile inputs refused.

Usage: .venv/bin/python bench/validate.py [--inventory DIR] [--runs N]
Targets (issue 2): the 467-agency inventory validates in under 1 s; alias bombs, deep nesting
and oversized files are refused within a second.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from netmon.config import check_config
from netmon.inventory import check_inventory

REPO = Path(__file__).resolve().parent.parent


def timed(fn: object, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def hostile_files(folder: Path) -> dict[str, Path]:
    bomb = ["inventory: {name: bomb}", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    files = {
        "alias bomb (10^9 nodes if expanded)": "\n".join(bomb),
        "1,000 levels of flow nesting": "levels: " + "[" * 1000 + "]" * 1000,
        "100,000 levels of flow nesting": "levels: " + "[" * 100_000 + "]" * 100_000,
        "1,000 levels of block nesting": "inventory:\n"
        + "\n".join(" " * (2 * i) + "- " for i in range(1, 1000)),
        "9 MB file": "inventory: {name: big}\n" + "# padding line\n" * 640_000,
    }
    out = {}
    for i, (name, text) in enumerate(files.items()):
        path = folder / f"hostile-{i}.yaml"
        path.write_text(text + "\n")
        out[name] = path
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inventory", type=Path, default=REPO / "inventory")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    settings, _ = check_config(REPO / "config.yaml")
    names = list(settings.credentials) if settings else None
    seconds, result = timed(lambda: check_inventory(args.inventory, names), args.runs)
    inv, problems = result  # type: ignore[misc]
    agencies = len(inv.agencies) if inv else 0
    print(
        f"validate {args.inventory} in-process: {seconds * 1000:.0f} ms median of {args.runs} "
        f"({agencies} agencies, {len(problems)} problems)"
    )
    netmon = Path(sys.executable).parent / "netmon"
    cli, _ = timed(
        lambda: subprocess.run(
            [str(netmon), "validate", "-i", str(args.inventory)],
            cwd=REPO,
            capture_output=True,
            check=False,
        ),
        3,
    )
    print(f"netmon validate, whole command (start-up included): {cli * 1000:.0f} ms median of 3")
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in hostile_files(Path(tmp)).items():
            seconds, result = timed(lambda p=path: check_inventory(p), 1)
            first = result[1][0].message if result[1] else "ACCEPTED"  # type: ignore[index]
            print(f"refused {name}: {seconds * 1000:.1f} ms: {first}")


if __name__ == "__main__":
    main()
