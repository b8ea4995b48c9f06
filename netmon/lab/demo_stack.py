"""The demo's monitoring stack in the lab's noc: `netmon serve`, Prometheus, Alertmanager.

Each runs inside the noc network namespace (so every probe starts inside the lab), listens on
127.0.0.1 there, and is reached from the host through the lab's forwarder on the same port.
Their configs and data live in the noc's folder of the lab state (`nodes/noc/demo`), which
`netmon lab down` removes with the rest of the lab. Each is started and stopped by its PID.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from netmon.errors import LabError
from netmon.lab.creds import config_credentials
from netmon.lab.paths import ENV_STATE_DIR, NOC, LabPaths
from netmon.model import Management

# Demo timings. A targeted SNMP cycle of 467 agencies takes a few seconds on a busy 2-core
# machine, so netmon polls every 10 s; Prometheus scrapes and evaluates every 5 s; the alerts'
# `for: 1m` becomes 10 s so the incident fires within a minute (the shipped rules are not
# changed). SSH sessions (one per device and cycle) are the costly part of a cycle: at most
# SSH_CONCURRENCY at once leaves the CPU to SNMP, which decides whether links are up; the
# sessions the deadline cuts only delay neighbour details.
POLL_INTERVAL_S, POLL_DEADLINE_S = 10, 9.5
PROM_INTERVAL = "5s"
SSH_CONCURRENCY = 8
DEMO_FOR = "10s"
SHORTENED_FOR = "1m"
PREFERRED_PORTS = {"netmon": 10467, "prometheus": 9090, "alertmanager": 9093}
STOP_WAIT_S = 5.0


@dataclass(frozen=True)
class Ports:
    """Host 127.0.0.1 ports, forwarded to the same ports in the noc."""

    netmon: int
    prometheus: int
    alertmanager: int

    def all(self) -> tuple[int, ...]:
        return (self.netmon, self.prometheus, self.alertmanager)


@dataclass(frozen=True)
class Service:
    name: str
    pid: int
    log: Path


def demo_dir(paths: LabPaths) -> Path:
    return paths.node_dir(NOC) / "demo"


def choose_ports(say: list[str]) -> Ports:
    """The usual ports where free on the host; another free port otherwise (said in `say`)."""
    chosen: dict[str, int] = {}
    for name, port in PREFERRED_PORTS.items():
        if port_free(port):
            chosen[name] = port
        else:
            chosen[name] = _any_free_port()
            say.append(f"127.0.0.1:{port} is busy on this host: {name} gets {chosen[name]}")
    return Ports(**chosen)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _any_free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tools() -> dict[str, str]:
    """The Prometheus and Alertmanager executables (Debian package names in the error)."""
    found = {
        "prometheus": shutil.which("prometheus"),
        "alertmanager": shutil.which("prometheus-alertmanager") or shutil.which("alertmanager"),
    }
    missing = [n for n, path in found.items() if path is None]
    if missing:
        raise LabError(
            f"missing {' and '.join(missing)}: apt-get install prometheus prometheus-alertmanager"
            " (`sudo make demo` installs them)"
        )
    return {n: p for n, p in found.items() if p is not None}


def exporter_files(root: Path) -> tuple[Path, Path]:
    """The shipped rules and Alertmanager config, from the repository's exporters/ folder."""
    rules = root / "prometheus" / "rules" / "netmon.rules.yml"
    am = root / "alertmanager" / "alertmanager.yml"
    for f in (rules, am):
        if not f.is_file():
            raise LabError(
                f"{f} not found: run the demo from the repository root (it loads the shipped "
                "rules and Alertmanager config from exporters/), or pass --exporters DIR"
            )
    return rules, am


def demo_rules(shipped: str) -> str:
    """The shipped rules, evaluated every PROM_INTERVAL and with `for: 1m` made DEMO_FOR."""
    text, groups = re.subn(r"(?m)^(\s+interval:) 30s$", rf"\1 {PROM_INTERVAL}", shipped)
    text, fors = re.subn(rf"(?m)^(\s+for:) {SHORTENED_FOR}$", rf"\1 {DEMO_FOR}", text)
    if not groups or not fors:
        raise LabError(
            "the shipped rules changed shape (no `interval: 30s` or `for: 1m` found): "
            "update netmon/lab/demo_stack.py"
        )
    return "# The demo's copy of exporters/prometheus/rules/netmon.rules.yml: shorter\n" + text


def write_configs(
    paths: LabPaths, ports: Ports, exporters: Path, management: Management = "inband"
) -> Path:
    """config.yaml for serve, prometheus.yml with the demo rules, alertmanager.yml; returns
    the folder."""
    folder = demo_dir(paths)
    folder.mkdir(parents=True, exist_ok=True)
    rules, am = exporter_files(exporters)
    (folder / "netmon.rules.yml").write_text(demo_rules(rules.read_text("utf-8")), "utf-8")
    shutil.copy(am, folder / "alertmanager.yml")
    (folder / "prometheus.yml").write_text(
        "# netmon demo: Prometheus in the lab's noc, scraping netmon serve there.\n"
        f"global: {{scrape_interval: {PROM_INTERVAL}, evaluation_interval: {PROM_INTERVAL},"
        " scrape_timeout: 4s}\n"
        "rule_files: [netmon.rules.yml]\n"
        "alerting:\n  alertmanagers:\n"
        f"    - static_configs: [{{targets: ['127.0.0.1:{ports.alertmanager}']}}]\n"
        "scrape_configs:\n  - job_name: netmon\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{ports.netmon}']}}]\n",
        "utf-8",
    )
    (folder / "config.yaml").write_text(
        "# netmon demo: netmon's default probe settings, short intervals, this lab's secrets.\n"
        f"poll: {{interval_s: {POLL_INTERVAL_S}, jitter_s: 0, deadline_s: {POLL_DEADLINE_S},"
        f" concurrency: 48, down_after: 2, full_every: 10, management: {management}}}\n"
        f"probes: {{ssh: {{concurrency: {SSH_CONCURRENCY}}}}}\n"
        f"listen: 127.0.0.1:{ports.netmon}\n" + config_credentials(paths),
        "utf-8",
    )
    return folder


def start_all(paths: LabPaths, ports: Ports, inventory: Path, exe: dict[str, str]) -> list[Service]:
    """Alertmanager, Prometheus, then netmon serve, each in the noc; returns them by PID."""
    d = demo_dir(paths)
    started: list[Service] = []
    try:
        started.append(
            _start(
                paths,
                "alertmanager",
                [
                    exe["alertmanager"],
                    f"--config.file={d / 'alertmanager.yml'}",
                    f"--storage.path={d / 'alertmanager'}",
                    f"--web.listen-address=127.0.0.1:{ports.alertmanager}",
                    "--cluster.listen-address=",  # one instance: no gossip port, no peers
                ],
            )
        )
        started.append(
            _start(
                paths,
                "prometheus",
                [
                    exe["prometheus"],
                    f"--config.file={d / 'prometheus.yml'}",
                    f"--storage.tsdb.path={d / 'prometheus'}",
                    f"--web.listen-address=127.0.0.1:{ports.prometheus}",
                    f"--web.external-url=http://127.0.0.1:{ports.prometheus}/",
                ],
            )
        )
        started.append(
            _start(
                paths,
                "netmon",
                [
                    sys.executable,
                    "-m",
                    "netmon.cli",
                    "serve",
                    "-i",
                    str(inventory.absolute()),
                    "-c",
                    str(d / "config.yaml"),
                ],
            )
        )
    except BaseException:
        stop_all(started)
        raise
    return started


def _start(paths: LabPaths, name: str, argv: list[str]) -> Service:
    log = demo_dir(paths) / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            # nsenter execs the command in the noc's network namespace: the PID is the service's.
            ["nsenter", f"--net={paths.netns(NOC)}", "--", *argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            cwd=demo_dir(paths),
            env=dict(os.environ, **{ENV_STATE_DIR: str(paths.root)}),
            start_new_session=True,  # Ctrl-C reaches the demo only; it stops these in order
        )
    return Service(name, proc.pid, log)


def check_running(services: list[Service]) -> None:
    """LabError with the end of its log for a service that has exited."""
    for s in services:
        try:
            pid, status = os.waitpid(s.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = s.pid, 0
        if pid == s.pid:
            raise LabError(f"{s.name} exited (status {status}); the end of its log follows")


def log_tail(service: Service, lines: int = 12) -> list[str]:
    """The service's last lines, netmon's own only (asyncssh logs every session at info)."""
    try:
        text = service.log.read_text("utf-8", "replace")
    except OSError:
        return []
    rows = text.splitlines()
    if service.name == "netmon":
        rows = [r for r in rows if " netmon." in r or "ERROR" in r or "Traceback" in r]
    return rows[-lines:]


def stop_all(services: list[Service]) -> None:
    """SIGTERM in reverse start order, wait (bounded), then SIGKILL what is left."""
    for s in reversed(services):
        _signal(s.pid, signal.SIGTERM)
    end = time.monotonic() + STOP_WAIT_S
    left = list(services)
    while left and time.monotonic() < end:
        left = [s for s in left if not _reaped(s.pid)]
        if left:
            time.sleep(0.1)
    for s in left:
        _signal(s.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(s.pid, 0)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reaped(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # already reaped
    return done == pid
