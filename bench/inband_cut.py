"""Time from a failure to netmon saying "cut off", on the in-band lab, at default settings.

    sudo .venv/bin/python bench/inband_cut.py [--inventory inventory] [--trials 6]
                                              [--management inband|oob] [--how cut|off|hang]

Brings the lab up, runs `netmon serve` in its noc with config.yaml's poll and probe settings
(interval 10 s, jitter 2 s, down_after 3: the defaults) and this lab's secrets, waits until it
reports every agency reachable, then for each trial breaks one PoP (round the PoPs: `cut` its
ring links, `off` powers it off, `hang` hangs it), reads /metrics every 0.25 s until the
coverage has dropped by the PoP's blast radius (netmon's own figure before the failure) and
the agencies' cause names the PoP, restores it and waits for coverage to come back. The
failure lands at a random point of the poll cycle (a random pause before each), so the
figures spread over the cycle. Prints one line per trial and the median and maximum.

Target (issue 17): cut to "cut off" within 15 s at default settings (`--how cut`).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from netmon.lab import LabPaths, inject, lab_down, lab_up

REPO = Path(__file__).parents[1]
PORT = 10499
BUDGET_S = 120.0


def metrics() -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/metrics", timeout=5) as r:
        text: str = r.read().decode()
        return text


def reachable(text: str) -> int:
    pat = r"^netmon_coverage_reachable_agencies\{[^}]*\} (\S+)$"
    return int(sum(float(v) for v in re.findall(pat, text, re.M)))


def named(text: str, pop: str) -> int:
    pat = rf'^netmon_agency_cut_off_cause\{{[^}}]*cause_id="{re.escape(pop)}"[^}}]*\}} 1'
    return len(re.findall(pat, text, re.M))


def blast(text: str, pop_site: str) -> int:
    name = re.escape(pop_site)
    pat = rf'^netmon_blast_radius_agencies\{{element_kind="site",element="{name}"\}} (\S+)'
    m = re.search(pat, text, re.M)
    return int(float(m.group(1))) if m else 0


def wait(pred: object, budget: float = BUDGET_S) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < budget:
        try:
            if pred():  # type: ignore[operator]
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.25)
    return None


def config(state: Path, folder: Path, management: str) -> Path:
    text = (REPO / "config.yaml").read_text(encoding="utf-8").replace("var/lab/", f"{state}/")
    text = text.replace("management: inband", f"management: {management}")
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--inventory", type=Path, default=REPO / "inventory")
    p.add_argument("--trials", type=int, default=6)
    p.add_argument("--management", choices=["inband", "oob"], default="inband")
    p.add_argument("--how", choices=["cut", "off", "hang"], default="cut")
    p.add_argument("--seed", type=int, default=17)
    args = p.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 (a reproducible spread over the cycle)
    with tempfile.TemporaryDirectory(prefix="inband-cut-") as tmp:
        state = Path(tmp) / "lab"
        t0 = time.monotonic()
        mode = "oob" if args.management == "oob" else "inband"
        lab = lab_up(args.inventory, state, forwards=(PORT,), management=mode)
        print(f"lab up ({args.management}) in {time.monotonic() - t0:.1f} s", flush=True)
        serve = subprocess.Popen(
            [
                *("nsenter", f"--net={state / 'ns' / 'noc'}", "--", sys.executable, "-m"),
                *("netmon.cli", "serve", "-i", str(args.inventory)),
                *("-c", str(config(state, Path(tmp), args.management))),
                *("--listen", f"127.0.0.1:{PORT}"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(Path(tmp) / "serve.log").open("wb"),
            env={"NETMON_LAB_DIR": str(state), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
        try:
            total = len(lab.plan.nodes)  # only to say what was built
            ok = wait(
                lambda: reachable(metrics()) > 0 and "netmon_agency_cut_off_cause{" not in metrics()
            )
            print(f"netmon serve ready, every agency reachable after {ok} s ({total} devices)")
            paths = LabPaths(state)
            pops = sorted(n.name for n in lab.plan.nodes if n.role == "pop")
            ring = {
                pop: [
                    w.id
                    for w in lab.plan.wires
                    if w.b is not None
                    and pop in (w.a.device, w.b.device)
                    and {x.role for x in lab.plan.nodes if x.name in (w.a.device, w.b.device)}
                    <= {"pop", "core"}
                ]
                for pop in pops
            }
            site = {n.id: n.site for n in _inventory(args.inventory).devices}
            took: list[float] = []
            for i in range(args.trials):
                pop = pops[i % len(pops)]
                time.sleep(rng.uniform(0, 10))  # land anywhere in the cycle
                cut_s, back, lost = trial(paths, args.how, pop, ring[pop], site[pop] or pop)
                print(
                    f"trial {i + 1}: {args.how} {pop} ({lost} agencies): cut off after "
                    f"{'NOT SEEN' if cut_s is None else f'{cut_s:.1f} s'}; back after {back} s",
                    flush=True,
                )
                if cut_s is not None:
                    took.append(cut_s)
            if took:
                med, top = statistics.median(took), max(took)
                print(
                    f"{args.how} -> cut off ({args.management}, default settings): median "
                    f"{med:.1f} s, max {top:.1f} s over {len(took)} trials"
                )
        finally:
            serve.terminate()
            try:
                serve.wait(timeout=10)
            except subprocess.TimeoutExpired:
                serve.kill()
            t0 = time.monotonic()
            lab_down(state)
            print(f"lab down in {time.monotonic() - t0:.1f} s")


def trial(
    paths: LabPaths, how: str, pop: str, ring: list[str], site: str
) -> tuple[float | None, float | None, int]:
    """Break the PoP, time until /metrics says its agencies are cut off by it, restore."""
    before = metrics()
    full, lost = reachable(before), blast(before, site)

    def cut_off() -> bool:
        text = metrics()
        return reachable(text) <= full - lost and named(text, pop) >= 1

    start = time.monotonic()
    _break(paths, how, pop, ring, True)
    seen = wait(cut_off)
    cut_s = None if seen is None else time.monotonic() - start
    _break(paths, how, pop, ring, False)
    back = wait(lambda: reachable(metrics()) >= full)
    return cut_s, back, lost


def _inventory(folder: Path):  # type: ignore[no-untyped-def]
    from netmon.inventory import load_inventory

    return load_inventory(folder)


def _break(paths: LabPaths, how: str, pop: str, ring: list[str], on: bool) -> None:
    if how == "cut":
        for lk in ring:
            inject.set_cut(paths, lk, on)
    elif how == "off":
        inject.set_powered_off(paths, pop, on)
    else:
        inject.set_hung(paths, pop, on)


if __name__ == "__main__":
    main()
