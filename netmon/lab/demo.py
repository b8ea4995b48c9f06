"""`netmon demo`: the whole product on a live replica of MetroNet, then everything taken away.

lab up (all agencies, real daemons) -> netmon serve, Prometheus (the shipped rules, shorter
`for:`), Alertmanager, all in the noc -> first poll cycle -> coverage report and where to
look -> a PoP cut off the backbone: coverage drops, PoPDown and AgencyUnreachable fire with
the PoP as the cause -> links restored: recovery -> teardown (or left running with --keep).

Teardown stops the services by PID, then `lab down` (every process in the lab's namespaces,
the mounts, the state folder). It runs on any exception, Ctrl-C or SIGTERM (the CLI turns
both into KeyboardInterrupt); signals are ignored while it runs, so it cannot be cut short.
"""

from __future__ import annotations

import shutil
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from netmon.errors import LabError, PrometheusError
from netmon.export.report import render
from netmon.lab import demo_availability, lab_down, lab_up, netns
from netmon.lab import demo_incident as incident
from netmon.lab import demo_stack as stack
from netmon.lab import demo_text as text
from netmon.lab.demo_inventory import write_subset
from netmon.lab.demo_watch import Alertmanager, Netmon, Prometheus
from netmon.lab.paths import LabPaths
from netmon.lab.plan import DaemonMode, Deviation
from netmon.lab.state import LabState
from netmon.model import Management

FIRST_CYCLE_BUDGET_S = 300.0
WARM_BUDGET_S = 120.0  # for a cycle in which the deadline cut no SNMP read


class Screen(Protocol):
    def note(self, text: str) -> None: ...  # progress, stderr

    def out(self, text: str) -> None: ...  # data, stdout

    def waiting(self, text: str) -> AbstractContextManager[Callable[[str], None]]: ...


@dataclass(frozen=True)
class DemoOptions:
    inventory: Path
    state_dir: Path
    agencies: int | None = None
    keep: bool = False
    daemons: DaemonMode = "full"
    exporters: Path = Path("exporters")
    pop: str | None = None  # the PoP to cut; None: the one whose loss cuts off most agencies
    management: Management = "inband"


class Demo:
    def __init__(self, opts: DemoOptions, screen: Screen) -> None:
        self.opts, self.screen = opts, screen
        self.paths = LabPaths(opts.state_dir.absolute())
        self.created_root = not self.paths.root.exists()
        # The outermost folder the demo will create (var/ for var/lab in a fresh clone): removed
        # at the end too when the demo left it empty, so a demo leaves the tree as it found it.
        missing = [d for d in (self.paths.root, *self.paths.root.parents) if not d.exists()]
        self.created_top = missing[-1] if missing else None
        self.lab_started = False
        self.services: list[stack.Service] = []
        self.plan_deviations: tuple[Deviation, ...] = ()
        self.times: dict[str, float] = {}
        self.t0 = time.monotonic()

    def run(self) -> int:
        """Play the demo; tear down unless it finished and --keep was given."""
        if self.paths.state_file.exists():
            raise LabError(
                f"a lab is already up in {self.paths.root}: stop it with `netmon lab down "
                f"--state-dir {self.paths.root}`, or give the demo another --state-dir"
            )
        exe = stack.tools()
        stack.exporter_files(self.opts.exporters)
        finished = False
        try:
            code = self._play(exe)
            finished = True
            if code != 0:
                self._show_logs()
            return code
        except Exception:
            self._show_logs()  # before teardown deletes them
            raise
        finally:
            if finished and self.opts.keep:
                self._kept()
            else:
                self.teardown()

    @contextmanager
    def _phase(self, name: str, label: str) -> Iterator[Callable[[str], None]]:
        start = time.monotonic()
        with self.screen.waiting(label) as update:
            yield update
        self.times[name] = time.monotonic() - start

    def _play(self, exe: dict[str, str]) -> int:
        inv_dir = self.opts.inventory
        self.lab_started = True  # from here on, teardown owns the state folder
        if self.opts.agencies is not None:
            sub = write_subset(inv_dir, self.opts.agencies, stack.demo_dir(self.paths) / "inv")
            inv_dir = stack.demo_dir(self.paths) / "inv"
            self.screen.note(f"inventory: {sub.name}, {len(sub.devices)} devices")
        said: list[str] = []
        ports = stack.choose_ports(said)
        for line in said:
            self.screen.note(line)
        with self._phase("lab up", f"bringing up the lab from {inv_dir} (real daemons)"):
            state = lab_up(
                inv_dir,
                self.paths.root,
                daemons=self.opts.daemons,
                forwards=ports.all(),
                management=self.opts.management,
            )
        self._check_forwards(state, ports)
        self.plan_deviations = state.plan.deviations
        self.screen.note(text.lab_line(state, self.times["lab up"]))
        stack.write_configs(self.paths, ports, self.opts.exporters, self.opts.management)
        self.services = stack.start_all(self.paths, ports, inv_dir, exe)
        self.screen.note(
            "started in the noc: "
            + ", ".join(f"{s.name} (pid {s.pid})" for s in self.services)
            + f"; logs in {stack.demo_dir(self.paths)}"
        )
        nm = Netmon(f"http://127.0.0.1:{ports.netmon}")
        prom = Prometheus(f"http://127.0.0.1:{ports.prometheus}")
        am = Alertmanager(f"http://127.0.0.1:{ports.alertmanager}")
        with self._phase("first cycle", "netmon's first poll cycle (every table of every device)"):
            self._until(nm.ready, FIRST_CYCLE_BUDGET_S, "netmon's first poll cycle")
        snap = nm.snapshot()
        self.screen.note(f"first cycle in after {self.times['first cycle']:.1f} s")
        self.screen.out(render(snap, "coverage", "table"))
        self.screen.out(text.where(ports, self.paths))
        with self._phase("warm-up", "Prometheus scraping, every SNMP read in one cycle") as up:
            self._until(lambda: prom.ready() and am.ready(), 60, "Prometheus and Alertmanager")
            self._warm(prom, up)
        return self._incident(nm, prom, am)

    def _incident(self, nm: Netmon, prom: Prometheus, am: Alertmanager) -> int:
        target = incident.choose_target(nm.snapshot(), self.opts.pop)
        seen = incident.Outcome(before=prom.coverage())
        out = self.screen.out
        out(
            f"\nIncident: cutting {target.pop} off the backbone: {', '.join(target.uplinks)} "
            f"(netmon expects {len(target.expected)} agencies to depend on it)"
        )
        out(
            f"  demo settings: netmon polls every {stack.POLL_INTERVAL_S} s, Prometheus "
            f"every {stack.PROM_INTERVAL}, the rules' `for: {stack.SHORTENED_FOR}` is "
            f"{stack.DEMO_FOR} in the demo's copy (production: 30 s, 30 s, 1m)"
        )
        cut_at = time.time()
        incident.cut(self.paths, target, True)
        with self._phase(
            "alerts", f"waiting for netmon and the alerts to notice {target.pop}"
        ) as u:
            incident.watch_cut(prom, target, u, seen)
        pages = incident.alertmanager_view(am, target, seen) if seen.popdown_s is not None else {}
        missing = {d.link for d in self.plan_deviations if d.kind == "missing_link"}
        out(text.cut_report(target, seen, pages, missing))
        incident.cut(self.paths, target, False)
        out(f"\nRestoring {', '.join(target.uplinks)}")
        with self._phase("recovery", "waiting for coverage and alerts to recover") as u:
            incident.watch_restore(prom, target, u, seen)
        out(text.restore_report(target, seen))
        self._availability(prom.url, cut_at, time.time())
        return 0 if seen.fired and seen.recovered else 1

    def _availability(self, url: str, cut_at: float, restored_at: float) -> None:
        """The incident in the availability report, once its last minute is over."""
        period = demo_availability.period_around(cut_at, restored_at)
        wait = period.end + demo_availability.WAIT_AFTER_S - time.time()
        with self._phase("availability", "availability over the incident, from Prometheus"):
            if wait > 0:
                time.sleep(wait)
            try:
                report = demo_availability.measure(url, period)
            except PrometheusError as exc:  # the incident was shown: say so, do not fail it
                self.screen.note(f"availability report: {exc}")
                return
        self.screen.out(demo_availability.summary(report, url))

    def _warm(self, prom: Prometheus, update: Callable[[str], None]) -> None:
        end = time.monotonic() + WARM_BUDGET_S
        while time.monotonic() < end:
            self._check()
            # SNMP says which links are up: the incident needs every device's SNMP read in
            # the cycle. (SSH sessions cut by the deadline only delay neighbour details.)
            cut = prom.query('netmon_probe_failure_reason{reason="deadline"} == 1')
            cycles = prom.scalar("netmon_cycles_total")
            snmp_cut = sum(1 for r in cut if r["metric"].get("probe") == "snmp")
            if cycles is not None and cycles >= 2 and snmp_cut == 0:
                return
            update(
                f"poll cycles: {cycles or 0:.0f}, SNMP reads the deadline cut: {snmp_cut}"
                f" (all probes: {len(cut)})"
            )
            time.sleep(1)
        self.screen.note(
            f"warning: SNMP reads still cut by the {stack.POLL_DEADLINE_S} s deadline after "
            f"{WARM_BUDGET_S:.0f} s (a busy machine): the incident may show late or partly"
        )

    def _until(self, ready: Callable[[], bool], budget: float, what: str) -> None:
        end = time.monotonic() + budget
        while not ready():
            self._check()
            if time.monotonic() > end:
                raise LabError(f"{what}: nothing after {budget:.0f} s (logs in {self.paths.root})")
            time.sleep(0.5)

    def _check(self) -> None:
        stack.check_running(self.services)

    def _check_forwards(self, state: LabState, ports: stack.Ports) -> None:
        missing = set(ports.all()) - {p for p, _ in state.forwards}
        if missing:
            raise LabError(f"could not forward 127.0.0.1:{sorted(missing)} (taken meanwhile?)")

    def _show_logs(self) -> None:
        """The end of each service's log on stderr: what went wrong outlives the teardown."""
        for service in self.services:
            for line in stack.log_tail(service):
                self.screen.note(f"{service.name}: {line}")

    def teardown(self) -> None:
        old = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            with self._phase("teardown", "tearing down: services, lab, state folder"):
                stack.stop_all(self.services)
                self.services = []
                killed = lab_down(self.paths.root) if self.lab_started else 0
                root = self.paths.root
                if self.created_root and root.exists() and not netns.mounts_under(root):
                    shutil.rmtree(root)
                if not root.exists():  # lab_down removes it when the lab wrote all of it
                    self._remove_empty_parents()
            self.screen.note(
                f"torn down in {self.times['teardown']:.1f} s: {killed} lab processes stopped,"
                f" {self.paths.root} removed"
            )
            self.screen.out(text.timings(self.times, time.monotonic() - self.t0))
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)

    def _remove_empty_parents(self) -> None:
        top = self.created_top
        if top is None:
            return
        for folder in self.paths.root.parents:
            if not folder.is_relative_to(top):
                return
            try:
                folder.rmdir()  # only when empty: anything else written there stays
            except OSError:
                return

    def _kept(self) -> None:
        self.screen.out(text.timings(self.times, time.monotonic() - self.t0))
        r = self.paths.root
        self.screen.out(
            f"\nLeft running (--keep). Look around with `netmon lab status --state-dir {r}`,\n"
            f"break things with `netmon lab cut LINK --state-dir {r}`; stop everything with:\n"
            f"  netmon lab down --state-dir {r}"
        )
