"""Prints how long validation takes: the shipped inventory, hostile inputs refused, and the
synthetic national inventory (29,610 agencies) loaded and used end to end.

Usage: .venv/bin/python bench/validate.py [--inventory DIR] [--runs N] [--provinces N]
Targets (issue 2): the 467-agency inventory validates in under 1 s; alias bombs, deep nesting
and oversized files are refused within a second. Issue 18, at national size: the inventory
loads and validates in at most 1.5 s, `netmon report spof -o json` runs in at most 3 s end to
end: each printed cold (no cache: every file parsed), warm (the cache of checked files filled,
nothing changed) and with one file edited (that file parsed, the rest from the cache); and
`netmon validate` and `report spof` of the same inventory carrying one warning (an agency whose
CPE link is not declared yet), which every run must place.
Wall and CPU time are medians; the load average is printed (a shared machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from e2e import load, netmon, verdict

from netmon.config import check_config
from netmon.inventory import check_inventory
from netmon.inventory.cache import InventoryCache
from netmon.inventory.checks import check_references
from netmon.inventory.format import FILE
from netmon.inventory.load import build, read_folder
from netmon.yamlspec import no_cyclic_gc
from netmon.yamlspec.fast import read_checked

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
        files = sorted(folder.glob("*.yaml"))
        size = sum(p.stat().st_size for p in files) / 1e6
        print(
            f"\nnational synthetic inventory: {len(inv.agencies)} agencies, {len(inv.devices)} "
            f"devices, {len(inv.links)} links, {size:.1f} MB of YAML in {len(files)} files"
        )
        print(f"({load()})")
        # One province file edited between runs (a comment appended: new bytes, same content).
        edited = files[len(files) // 2]
        edit = appending(edited)

        def edited_then(fn: Callable[[], object]) -> Callable[[], object]:
            def run() -> object:
                edit()  # a few microseconds, inside the timing
                return fn()

            return run

        cache_home = Path(tmp) / "cache"
        place = cache_home / "netmon" / "inventory"
        check_inventory(folder, None, InventoryCache(place))  # fill it, the model too (a report)
        files_place = cache_home / "files-only"
        check_inventory(folder, None, InventoryCache(files_place, models=False))
        print(
            "load and validate in-process (check_inventory; repeated runs share the process's "
            f"caches of parsed addresses; CPU: this process's, not its children's), median of "
            f"{runs}:"
        )
        fresh = iter(range(1_000_000))
        for what, fn in (
            ("cold, no cache", lambda: check_inventory(folder)),
            (
                "cold, no cache, on one core (split=False: no child processes)",
                lambda: check_inventory(folder, split=False),
            ),
            # The cache as `netmon validate` keeps it (models=False: the files' entries, not
            # the model, which a report stores; cache.py says why), but writing at once: validate
            # leaves its writes to children (background=True), which a process the size of this
            # one forks dearly (1.52 s against 1.28 s, 02:43: the end-to-end rows time them).
            (
                "first run, cache empty (the files' entries written at once, in this process)",
                lambda: check_inventory(
                    folder,
                    None,
                    InventoryCache(cache_home / f"empty-{next(fresh)}", models=False),
                ),
            ),
            (
                "warm, nothing changed, the model stored (by a report)",
                lambda: check_inventory(folder, None, InventoryCache(place)),
            ),
            (
                "warm, nothing changed, the files stored (by validate)",
                lambda: check_inventory(folder, None, InventoryCache(files_place, models=False)),
            ),
            (
                f"one file edited ({edited.name}), as validate (its entry written at once)",
                edited_then(
                    lambda: check_inventory(folder, None, InventoryCache(place, models=False))
                ),
            ),
        ):
            wall, cpu = cpu_timed(fn, runs)
            print(f"  {what}: {wall:.2f} s wall, {cpu:.2f} s CPU; {verdict(wall, 1.5)}")
        with no_cyclic_gc():  # as check_inventory runs them
            raw = read_folder(folder)
            parts = {
                "read YAML and check shapes (read_folder, one core), no cache": lambda: read_folder(
                    folder
                ),
                "the same from a warm cache": lambda: read_folder(folder, InventoryCache(place)),
                "references, addresses, cycles (check_references)": lambda: check_references(
                    raw, None
                ),
                "build the frozen model (build)": lambda: build(raw, str(folder)),
            }
            for name, fn in parts.items():
                w, c = cpu_timed(fn, runs)
                print(f"    {name}: {w:.2f} s wall, {c:.2f} s CPU")
            fast = sum(read_checked(p.read_bytes(), FILE) is not None for p in files)
            print(f"    files the fast reader took (yamlspec/fast.py): {fast} of {len(files)}")
        env = {"XDG_CACHE_HOME": str(cache_home)}

        def empty() -> None:
            shutil.rmtree(cache_home / "netmon", ignore_errors=True)

        cold = {**env, "NETMON_NO_CACHE": "1"}
        for what, args, target in commands(folder):
            print(f"{what}, end to end (median of 3):")
            for case, run_env, before in (
                ("cold, no cache (NETMON_NO_CACHE=1)", cold, None),
                ("first run, cache empty (filled on the way)", env, empty),
                ("warm, nothing changed", env, None),
                ("one file edited", env, edit),
            ):
                print(f"  {case}: {timed_run(args, run_env, before, target)}")
        # A valid inventory may carry a warning for months (an agency listed before its CPE's
        # link is declared): every run must place it (inventory/place.py reads its one file).
        warned = Path(tmp) / "national-warned"
        shutil.copytree(folder, warned)
        why = drop_an_access_link(warned / edited.name)
        found = check_inventory(warned)[1]
        assert [p.severity for p in found] == ["warning"], found
        print(f"the same inventory with one warning ({why}), end to end (median of 3):")
        for what, args, target in commands(warned)[:2]:  # the two with a target
            for case, run_env, before in (
                ("cold, no cache (NETMON_NO_CACHE=1)", cold, None),
                ("warm, nothing changed", env, None),
                ("another file edited", env, appending(warned / files[1].name)),
            ):
                print(f"  {what}, {case}: {timed_run(args, run_env, before, target)}")


def commands(folder: Path) -> list[tuple[str, list[str], float | None]]:
    """The commands timed end to end on folder: (what, netmon's arguments, target)."""
    return [
        ("netmon validate", ["validate", "-i", str(folder), "-c", str(REPO / "config.yaml")], 1.5),
        ("netmon report spof -o json", ["report", "spof", "-o", "json", "-i", str(folder)], 3.0),
        (
            "netmon report coverage -o json",
            ["report", "coverage", "-o", "json", "-i", str(folder)],
            None,
        ),
    ]


def timed_run(
    args: list[str],
    env: dict[str, str],
    before: Callable[[], object] | None,
    target: float | None,
) -> str:
    r = netmon(args, runs=3, env=env, before=before)
    goal = f"; {verdict(r.wall_s, target)}" if target else ""
    return f"{r.wall_s:.2f} s wall, {r.cpu_s:.2f} s CPU, peak RSS {r.max_rss_mb:.0f} MB{goal}"


def appending(path: Path) -> Callable[[], None]:
    """An edit of path: a comment appended (new bytes, the same content)."""
    edits = iter(range(1_000_000))

    def edit() -> None:
        with path.open("a", encoding="utf-8") as out:
            out.write(f"# edit {next(edits)}\n")

    return edit


def drop_an_access_link(path: Path) -> str:
    """The first access link to a CPE in path taken out: its agency has no path to the core."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, line in enumerate(lines) if "--cpe-" in line and "kind: access" in line)
    link = lines.pop(i).split(",", 1)[0].removeprefix("  - {id: ")
    path.write_text("".join(lines), encoding="utf-8")
    return f"{path.name}: link {link} not declared"


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
            env={**os.environ, "NETMON_NO_CACHE": "1"},  # and never the user's cache
        ),
        3,
    )
    print(
        f"netmon validate, whole command (start-up included, no cache): {cli * 1000:.0f} ms "
        "median of 3"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in hostile_files(Path(tmp)).items():
            seconds, result = timed(lambda p=path: check_inventory(p), 1)
            first = result[1][0].message if result[1] else "ACCEPTED"  # type: ignore[index]
            print(f"refused {name}: {seconds * 1000:.1f} ms: {first}")
    if args.provinces:
        national_figures(args.provinces, max(3, args.runs // 2 + 1))


if __name__ == "__main__":
    main()
