"""Time from a failure to netmon saying "cut off", on the in-band lab, at default settings.

    sudo .venv/bin/python bench/inband_cut.py [--inventory inventory] [--trials 6]
                                              [--management inband|oob] [--how cut|off|hang]
                                              [--state-dir DIR] [--port 10499] [--cpu-cycles 3]

Brings the lab up, runs `netmon serve` in its noc with config.yaml's poll and probe settings
(interval 10 s, jitter 2 s, down_after 3: the defaults) and this lab's secrets, waits until it
reports every agency reachable, then for each trial breaks one PoP (round the PoPs: `cut` its
ring links, `off` powers it off, `hang` hangs it), reads /metrics every 0.25 s until the
coverage has dropped by the PoP's blast radius (netmon's own figure before the failure) and
the agencies' cause names the PoP, restores it and waits for coverage to come back. The
failure lands at a random point of the poll cycle (a random pause before each), so the
figures spread over the cycle. Prints one line per trial and the median and maximum; with
each trial, where the time went: when each poll cycle after the failure started and ended (from
serve's log), and after the restore, how long the lab's routing took to reach every device again
(the noc has a route to each and each answers a ping) before netmon saw it. First, serve's CPU
per healthy poll cycle (over --cpu-cycles cycles).

Target (issue 17): cut to "cut off" within 15 s at default settings (`--how cut`).
"""

from __future__ import annotations

import argparse
import datetime
import os
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
PORT = 10499  # --port sets it
BUDGET_S = 120.0
ROUTES_BUDGET_S = 120.0


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


def cycles() -> int:
    m = re.search(r"^netmon_cycles_total (\S+)$", metrics(), re.M)
    return int(float(m.group(1))) if m else 0


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def healthy_cpu(pid: int, n: int = 3) -> float:
    """serve's CPU seconds per poll cycle over n healthy cycles (from one cycle's end)."""
    start = cycles()
    wait(lambda: cycles() > start)
    c0, first = cpu_s(pid), cycles()
    wait(lambda: cycles() >= first + n)
    return (cpu_s(pid) - c0) / max(1, cycles() - first)


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
    p.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ["NETMON_LAB_DIR"]) if "NETMON_LAB_DIR" in os.environ else None,
        help="the lab's state folder (default: $NETMON_LAB_DIR, else a temporary one)",
    )
    p.add_argument("--port", type=int, default=10499, help="netmon serve's port in the noc")
    p.add_argument("--cpu-cycles", type=int, default=3, help="healthy cycles to measure CPU over")
    args = p.parse_args()
    global PORT  # metrics() reads it: one bench, one serve
    PORT = args.port
    rng = random.Random(args.seed)  # noqa: S311 (a reproducible spread over the cycle)
    with tempfile.TemporaryDirectory(prefix="inband-cut-") as tmp:
        state = args.state_dir.absolute() if args.state_dir else Path(tmp) / "lab"
        log = Path(tmp) / "serve.log"
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
            stderr=log.open("wb"),
            env={"NETMON_LAB_DIR": str(state), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        )
        try:
            total = len(lab.plan.nodes)  # only to say what was built
            ok = wait(
                lambda: reachable(metrics()) > 0 and "netmon_agency_cut_off_cause{" not in metrics()
            )
            print(f"netmon serve ready, every agency reachable after {ok} s ({total} devices)")
            cpu = healthy_cpu(serve.pid, args.cpu_cycles)
            print(f"netmon serve CPU per healthy cycle: {cpu:.2f} s", flush=True)
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
                at = time.time()
                cut_s, routed, back, lost = trial(
                    paths, args.how, pop, ring[pop], site[pop] or pop, lab.plan
                )
                print(
                    f"trial {i + 1}: {args.how} {pop} ({lost} agencies): cut off after "
                    f"{'NOT SEEN' if cut_s is None else f'{cut_s:.1f} s'}; restored: routes "
                    f"back after {_s(routed)}, coverage back after {_s(back)}",
                    flush=True,
                )
                print(f"  cycles after the failure: {timeline(log, at)}", flush=True)
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


def _s(x: float | None) -> str:
    return "NOT SEEN" if x is None else f"{x:.1f} s"


def timeline(log: Path, at: float, cycles: int = 5) -> str:
    """The first poll cycles serve logged after `at` (Unix time): started +a s after the
    failure, published +b s (an early view, poller/settle.py, says so), coverage then."""
    pat = re.compile(
        r"^(\S+ \S+) INFO netmon.serve: cycle \d+( settled early)?: ([\d.]+) s, "
        r"(\d+/\d+) agencies reachable"
    )
    out = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        m = pat.match(line)
        if not m:
            continue
        end = datetime.datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        start = end - float(m[3])
        if start > at - 10 and end > at:
            early = " early" if m[2] else ""
            out.append(f"+{start - at:.1f}..+{end - at:.1f} s{early} {m[4]}")
    return "; ".join(out[:cycles]) or "none logged"


def routes_back(paths: LabPaths, plan: object) -> float | None:
    """Seconds until the noc routes to, and gets an answer from, every device again."""
    from netmon.errors import LabError
    from netmon.lab.converge import wait_routes

    try:
        return wait_routes(paths, plan, ROUTES_BUDGET_S)  # type: ignore[arg-type]
    except LabError:
        return None


def trial(
    paths: LabPaths, how: str, pop: str, ring: list[str], site: str, plan: object
) -> tuple[float | None, float | None, float | None, int]:
    """Break the PoP, time until /metrics says its agencies are cut off by it, restore: how
    long until the lab's routing is whole again, and until netmon's coverage is."""
    before = metrics()
    full, lost = reachable(before), blast(before, site)

    def cut_off() -> bool:
        text = metrics()
        return reachable(text) <= full - lost and named(text, pop) >= 1

    start = time.monotonic()
    _break(paths, how, pop, ring, True)
    seen = wait(cut_off)
    cut_s = None if seen is None else time.monotonic() - start
    restored = time.monotonic()
    _break(paths, how, pop, ring, False)
    routed = routes_back(paths, plan)
    seen_back = wait(lambda: reachable(metrics()) >= full)
    back = None if seen_back is None else time.monotonic() - restored
    return cut_s, routed, back, lost


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
