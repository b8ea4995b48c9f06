"""Ground truth: about 30 failures injected into a live lab, singly and in pairs, and for each
the agencies netmon calls cut off, the cause it names for each, and what it says of every
silent device, against an independent computation (tests/lab/truth.py: plain searches over
the declared design, no netmon.topology).

In-band first (the noc reaches devices over the lab's own cables, routed by bird), then the
same cases out of band. The data plane is checked too: before netmon polls, the devices that
answer a ping from the noc are exactly those the computation says (in-band, a CPE behind a
dead PoP is really silent: no side door). After each case the lab is restored and coverage
must be whole again.

CI runs a lab with the whole ring and a few agencies per PoP (tests/lab/truth_cases.py), all
30 cases in-band and one case of each kind out of band (OOB_DEFAULT, 15: out of band nothing
hides behind a cut, the other 15 repeat a kind); `NETMON_TRUTH_FULL=1` runs the 467 agencies
and every case in both modes (README and the issue's figures come from both: the report says
which). Wall times are printed (`-s`), never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lab.labtools import REPO, LiveLab, lab_config, lab_unavailable
from lab.truth import Design, Failure, Truth, answering, truth
from lab.truth_cases import Case, cases, write_picked
from netmon.inventory import load_inventory
from netmon.lab import LabPaths, inject

pytestmark = [pytest.mark.lab, pytest.mark.slow]
FULL = os.environ.get("NETMON_TRUTH_FULL") == "1"
# Bounded wait for the data plane to match: OSPF dead 4 s, a restore 2-4 s (power-on about 9 s:
# bird boots); longer on a machine other labs load.
CONVERGE_S = 90.0
# snmpd serves interface states from a cache (up to a few seconds old): poll again until
# netmon's view matches, within this bound, and say how many polls it took.
POLL_WINDOW_S = 12.0
# How many times the data plane may move again under a check before its view counts (_check).
RELAPSES = 3


@dataclass
class Rig:
    mode: str
    lab: LiveLab
    design: Design
    addresses: dict[str, str]  # mgmt address -> device
    driver: subprocess.Popen[str]
    cases: list[Case]

    def poll(self) -> dict[str, Any]:
        assert self.driver.stdin is not None and self.driver.stdout is not None
        self.driver.stdin.write("poll\n")
        self.driver.stdin.flush()
        line = self.driver.stdout.readline()
        assert line, "the driver in the noc stopped"
        out: dict[str, Any] = json.loads(line)
        return out

    def alive(self) -> set[str]:
        """Devices that answer a ping from the noc now (fping, one try each)."""
        done = self.lab.noc(
            "fping", "-a", "-q", "-i", "1", "-t", "300", "-r", "1", *self.addresses, check=False
        )
        return {self.addresses[a] for a in done.stdout.split()}


def _converge(rig: Rig, want: set[str]) -> tuple[set[str], float]:
    start = time.monotonic()
    now = rig.alive()
    while now != want and time.monotonic() - start < CONVERGE_S:
        time.sleep(0.3)
        now = rig.alive()
    return now, time.monotonic() - start


def _apply(paths: LabPaths, f: Failure, on: bool) -> None:
    for lk in sorted(f.cut):
        inject.set_cut(paths, lk, on)
    for node in sorted(f.off):
        inject.set_powered_off(paths, node, on)
    for node in sorted(f.hung):
        inject.set_hung(paths, node, on)


def _inventory(tmp: Path) -> Path:
    source = REPO / "inventory"
    return source if FULL else write_picked(source, tmp / "inventory", per_pop=3, dual=4)


@contextmanager
def _lab_rig(mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    from netmon.lab import lab_down, lab_up

    tmp = tmp_path_factory.mktemp(f"truth-{mode}")
    inv_dir = _inventory(tmp)
    state = tmp / "state"
    started = time.monotonic()
    try:
        lab_up(inv_dir, state, deviations=0, forwards=(), management=mode)  # type: ignore[arg-type]
        print(f"\n[{mode}] lab up in {time.monotonic() - started:.1f} s ({inv_dir})")
        lab = LiveLab(state, 0)
        conf = lab_config(
            lab,
            tmp / "conf",
            poll={"management": mode, "deadline_s": 8, "concurrency": 500},
            probes={
                "snmp": {"timeout_s": 0.3, "retries": 1},
                "icmp": {"timeout_s": 0.3, "retries": 1},
            },
        )
        inv = load_inventory(inv_dir)
        driver = subprocess.Popen(
            [
                "nsenter",
                f"--net={state / 'ns' / 'noc'}",
                "--",
                sys.executable,
                str(Path(__file__).parent / "truth_driver.py"),
                str(state),
                str(inv_dir),
                str(conf),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=dict(os.environ, NETMON_LAB_DIR=str(state)),
        )
        try:
            assert driver.stdout is not None
            assert json.loads(driver.stdout.readline()) == {"ready": mode}
            design = Design.of(inv)
            yield Rig(
                mode,
                lab,
                design,
                {str(d.mgmt): d.id for d in inv.devices},
                driver,
                cases(design),
            )
        finally:
            if driver.stdin is not None:
                driver.stdin.close()
            try:
                driver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                driver.kill()
                driver.wait(timeout=5)
    finally:
        started = time.monotonic()
        lab_down(state)
        print(f"[{mode}] lab down in {time.monotonic() - started:.1f} s")


class Rigs:
    """One lab per mode, and at most one at a time: the cases come grouped by mode, so the
    lab of a mode comes up for its first case, serves the others (each restores what it
    broke, and checks that it did), and goes down when the other mode's first case comes.

    (An indirectly parametrized module fixture would not do: parametrized together with the
    case index, the rig takes the call's narrowest scope, the function's, and pytest brought
    a lab up and down for every case; with scope="module" pytest reorders the cases to
    alternate between the modes.)"""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.current: tuple[str, ExitStack, Rig] | None = None
        self.failed: dict[str, BaseException] = {}

    def get(self, mode: str) -> Rig:
        if mode in self.failed:
            raise AssertionError(f"the {mode} lab did not come up") from self.failed[mode]
        if self.current is not None and self.current[0] == mode:
            return self.current[2]
        self.close()
        stack = ExitStack()
        try:
            rig = stack.enter_context(_lab_rig(mode, self.tmp_path_factory))
        except BaseException as exc:
            self.failed[mode] = exc
            stack.close()
            raise
        self.current = (mode, stack, rig)
        return rig

    def close(self) -> None:
        if self.current is not None:
            _, stack, _ = self.current
            self.current = None
            stack.close()


@pytest.fixture(scope="module")
def rigs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rigs]:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    rigs = Rigs(tmp_path_factory)
    try:
        yield rigs
    finally:
        rigs.close()


def _netmon_view(seen: dict[str, Any]) -> tuple[dict[str, set[tuple[str, ...]]], dict[str, str]]:
    cut = {a: {tuple(c) for c in causes} for a, causes in seen["cut_off"].items()}
    silent = {d: s for d, s in seen["status"].items() if s in ("down", "unreachable")}
    return cut, silent


def _differences(want: Truth, seen: dict[str, Any]) -> list[str]:
    cut, silent = _netmon_view(seen)
    out = []
    for a in sorted(set(cut) | set(want.cut_off)):
        if a not in cut:
            out.append(f"{a}: netmon says reachable, expected cut off by {want.cut_off[a]}")
        elif a not in want.cut_off:
            out.append(f"{a}: netmon says cut off by {cut[a]}, expected reachable")
        elif cut[a] != want.cut_off[a]:
            out.append(f"{a}: netmon names {cut[a]}, expected {want.cut_off[a]}")
    if silent != want.status:
        diff = {d: (silent.get(d), want.status.get(d)) for d in set(silent) | set(want.status)}
        out += [f"device {d}: netmon {a}, expected {b}" for d, (a, b) in diff.items() if a != b]
    behind = {d: {tuple(c) for c in cs} for d, cs in seen["behind"].items()}
    for d in sorted(set(behind) | set(want.behind)):
        if behind.get(d) != want.behind.get(d):
            out.append(f"device {d} behind: netmon {behind.get(d)}, expected {want.behind.get(d)}")
    return out


def _check(rig: Rig, want: Truth) -> tuple[dict[str, Any], int]:
    """Poll until netmon's view matches `want`, within POLL_WINDOW_S. netmon is judged against
    the data plane as it is: when the devices answering a ping no longer match (OSPF moved
    again after `_converge` saw it match once: an adjacency flapping on a loaded machine), the
    window starts again once it matches, at most RELAPSES times. A view still wrong while the
    data plane is right is netmon's fault, and the caller's assertion says so."""
    end = time.monotonic() + POLL_WINDOW_S
    relapses = 0
    for n in range(1, 1000):
        seen = rig.poll()
        if not _differences(want, seen):
            return seen, n
        if relapses < RELAPSES and rig.alive() != want.answering:
            relapses += 1
            alive, waited = _converge(rig, want.answering)
            print(
                f"\n[{rig.mode}] the data plane moved after converging: matched again in "
                f"{waited:.1f} s ({alive == want.answering}); relapse {relapses}"
            )
            end = time.monotonic() + POLL_WINDOW_S
            continue
        if time.monotonic() > end:
            return seen, n
        time.sleep(0.5)
    raise AssertionError("unreachable: the window ends first")


def _unrestored(rig: Rig, seen: dict[str, Any]) -> str:
    """What netmon still calls silent after a restore, what its probes got, and what the
    data plane says now (a ping, and the noc's route to each)."""
    silent = {d: s for d, s in seen["status"].items() if s in ("down", "unreachable")}
    by_name = {d: a for a, d in rig.addresses.items()}
    alive = rig.alive()
    routes = {
        d: rig.lab.noc("ip", "route", "get", by_name[d], check=False).stdout.strip()
        for d in sorted(silent)
        if d in by_name
    }
    return (
        f"after the restore netmon still says {silent} (cut off: {seen['cut_off']}); its probes: "
        f"{seen['probes']}; answering a ping now: {sorted(set(silent) & alive)}; "
        f"the noc's routes: {routes}"
    )


CASE_IDS = [f"{i:02d}" for i in range(30)]
# Out of band, the default run's cases (truth_cases.cases): a PoP hung and powered off, a ring
# link, both of a PoP, a ring segment, the core link, a core hung, both cores hung, a CPE
# powered off, an access link, a dual-homed agency's two paths and both its PoPs, a failure
# behind another, and two pairs.
OOB_DEFAULT = frozenset({0, 1, 4, 6, 8, 9, 10, 12, 13, 15, 16, 19, 21, 24, 26})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The cases to run, as (management mode, case): in-band all 30; out of band one of each
    kind (OOB_DEFAULT), or all 30 with NETMON_TRUTH_FULL=1. Cases not run are not collected
    (rather than skipped): the run says what it ran. One lab per mode (Rigs): the pairs
    come grouped by mode, in an order pytest keeps (plain values: nothing to reorder)."""
    if metafunc.function.__name__ != "test_failure_against_ground_truth":
        return
    pairs = [
        (mode, index)
        for mode in ("inband", "oob")
        for index in range(30)
        if mode == "inband" or FULL or index in OOB_DEFAULT
    ]
    metafunc.parametrize(
        ("mode", "index"),
        pairs,
        ids=[f"{mode}-{CASE_IDS[index]}" for mode, index in pairs],
    )


def test_failure_against_ground_truth(rigs: Rigs, mode: str, index: int) -> None:
    rig = rigs.get(mode)  # the first case of a mode brings its lab up
    case = rig.cases[index]
    paths = LabPaths(rig.lab.state_dir)
    want = truth(rig.design, case.failure, rig.mode)
    healthy = answering(rig.design, Failure(), rig.mode)
    # In-band the NOC's view is the data plane itself; out-of-band it sees round the cut.
    assert set(want.cut_off) == want.physically_cut
    t0 = time.monotonic()
    _apply(paths, case.failure, True)
    try:
        alive, waited = _converge(rig, want.answering)
        assert alive == want.answering, (
            f"data plane: answering but expected silent {sorted(alive - want.answering)}, "
            f"silent but expected answering {sorted(want.answering - alive)}"
        )
        seen, polls = _check(rig, want)
        problems = _differences(want, seen)
        assert not problems, (
            f"{case.name}: " + "; ".join(problems[:10]) + f"; links not up: {seen['links']}"
        )
    finally:
        _apply(paths, case.failure, False)
    alive, back = _converge(rig, healthy)
    assert alive == healthy, f"not restored: silent {sorted(healthy - alive)}"
    after, _ = _check(rig, truth(rig.design, Failure(), rig.mode))
    assert after["cut_off"] == {} and after["coverage"][0] == after["coverage"][1], _unrestored(
        rig, after
    )
    causes = sorted({c for cs in want.cut_off.values() for c in cs})
    print(
        f"\n[{rig.mode}] {case.name}: {len(want.cut_off)} cut off (netmon "
        f"{len(seen['cut_off'])}), causes {causes[:4]}{' ...' if len(causes) > 4 else ''}; "
        f"silent {len(want.status)} ({sum(s == 'unreachable' for s in want.status.values())} "
        f"unreachable); converged {waited:.1f} s, {polls} poll(s) of {seen['cycle_s']} s, "
        f"restored {back:.1f} s; case {time.monotonic() - t0:.1f} s"
    )
