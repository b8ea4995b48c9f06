"""Prints how long validation takes: the shipped inventory, hostile inputs refused, and the
synthetic national inventory (29,610 agencies) loaded and used end to end.

Usage: .venv/bin/python bench/validate.py [--inventory DIR] [--runs N] [--provinces N]
Targets (issue 2): the 467-agency inventory validates in under 1 s; alias bombs, deep nesting
and oversized files are refused within a second. Issue 18, at national size: the inventory
loads and validates in at most 1.5 s (in-process), `netmon report spof -o json` runs in at most
3 s end to end. Wall and CPU time are medians; the load average is printed (a shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from e2e import load, netmon, verdict

from netmon.config import check_config
from netmon.inventory import check_inventory
from netmon.inventory.checks import check_references
from netmon.inventory.load import build, read_folder
from netmon.yamlspec import no_cyclic_gc

REPO = Path(__file__).resolve().parent.parent


def timed(fn: object, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cpu_timed(fn: object, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of fn()."""
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def national_figures(provinces: int, runs: int) -> None:
    # Imported here: the generator is a dependency of generating, not of netmon.
    from netmon.gen.inventory import national, write

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "national"
        write(national(provinces=provinces), folder)
        inv, _ = check_inventory(folder)
        assert inv is not None
        size = sum(p.stat().st_size for p in folder.glob("*.yaml")) / 1e6
        print(
            f"\nnational synthetic inventory: {len(inv.agencies)} agencies, {len(inv.devices)} "
            f"devices, {len(inv.links)} links, {size:.1f} MB of YAML in {provinces + 1} files"
        )
        print(f"({load()})")
        wall, cpu = cpu_timed(lambda: check_inventory(folder), runs)
        print(
            f"load and validate in-process (check_inventory): {wall:.2f} s wall, {cpu:.2f} s "
            f"CPU, median of {runs}; {verdict(wall, 1.5)}"
        )
        with no_cyclic_gc():  # as check_inventory runs them
            raw = read_folder(folder)
            parts = {
                "read YAML and check shapes (read_folder)": lambda: read_folder(folder),
                "references, addresses, cycles (check_references)": lambda: check_references(
                    raw, None
                ),
                "build the frozen model (build)": lambda: build(raw, str(folder)),
            }
            for name, fn in parts.items():
                w, c = cpu_timed(fn, runs)
                print(f"  {name}: {w:.2f} s wall, {c:.2f} s CPU")
        for what, args, target in (
            ("netmon validate", ["validate", "-i", str(folder)], None),
            (
                "netmon report spof -o json",
                ["report", "spof", "-o", "json", "-i", str(folder)],
                3.0,
            ),
            (
                "netmon report coverage -o json",
                ["report", "coverage", "-o", "json", "-i", str(folder)],
                None,
            ),
        ):
            r = netmon(args, runs=3)
            goal = f"; {verdict(r.wall_s, target)}" if target else ""
            print(
                f"{what}, end to end: {r.wall_s:.2f} s wall, {r.cpu_s:.2f} s CPU, peak RSS "
                f"{r.max_rss_mb:.0f} MB (median of 3){goal}"
            )


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
    parser.add_argument(
        "--provinces", type=int, default=63, help="national inventory size (0: skip it)"
    )
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
    if args.provinces:
        national_figures(args.provinces, max(3, args.runs // 2 + 1))


if __name__ == "__main__":
    main()
