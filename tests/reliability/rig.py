"""Shared rig for the reliability suite: a loopback copy of lab-small served by real snmpd
agents, a real `netmon serve` process, and /metrics parsing.

Network safety: every address here is in 127.0.0.0/8 (the host's own loopback); the lab tests
run their pollers inside the lab's noc namespace (drive.py).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from lab import labtools
from lab.labtools import LAB_SMALL, LiveLab, free_port
from probes.snmpd import AUTH_KEY, COMMUNITY, PRIV_KEY, black_hole, snmpd

NETMON = Path(sys.executable).parent / "netmon"
PREFIX = "127.47."  # lab-small's 10.46.x.y moved to 127.47.x.y (no other suite uses it)
# test_serve_lifecycle.py's fleet: its own addresses, so that it can run while
# test_serve_load.py runs (make test runs files on two pytest-xdist workers), whose item 13
# counts every ping to 127.47.0.0/16 and binds 127.47.99.1.
LIFECYCLE_PREFIX = "127.48."
SECRETS = {"community": COMMUNITY, "auth": AUTH_KEY, "priv": PRIV_KEY}


def loopback_inventory(folder: Path, prefix: str = PREFIX) -> dict[str, str]:
    """lab-small on 127.47.x.y (or `prefix`) with icmp + snmp (lab: false: these are the
    host's own loopback addresses). Returns device id -> management address."""
    assert prefix.startswith("127.") and prefix.endswith("."), prefix
    folder.mkdir(parents=True, exist_ok=True)
    text = (LAB_SMALL / "inventory.yaml").read_text(encoding="utf-8")
    text = text.replace("lab: true", "lab: false").replace("10.46.", prefix)
    text = text.replace("management_network: 10.46.0.0/16", f"management_network: {prefix}0.0/16")
    text = text.replace("probes: [icmp, snmp, ssh]", "probes: [icmp, snmp]")
    text = text.replace(
        "credentials: {snmp: lab-snmp-v3, ssh: lab-ssh}", "credentials: {snmp: lab-snmp-v3}"
    )
    (folder / "inventory.yaml").write_text(text, encoding="utf-8")
    mgmt = re.escape(prefix) + "[0-9.]+"
    return dict(re.findall(r"\{id: ([a-z0-9-]+), role: \w+, .*?mgmt: (" + mgmt + ")", text))


def config_text(
    secrets: Path, interval: float = 2, deadline: float = 1.5, snmp_timeout: float = 0.3
) -> str:
    return (
        f"poll: {{interval_s: {interval}, jitter_s: 0, deadline_s: {deadline}, down_after: 2}}\n"
        f"probes: {{snmp: {{timeout_s: {snmp_timeout}, retries: 1}},"
        " icmp: {timeout_s: 0.3, retries: 1}}\n"
        "credentials:\n"
        f"  lab-snmp-v2c: {{snmp_v2c: {{community: {{file: {secrets / 'community'}}}}}}}\n"
        "  lab-snmp-v3:\n"
        "    snmp_v3: {user: netmon, auth_protocol: sha, priv_protocol: aes,\n"
        f"      auth_key: {{file: {secrets / 'auth'}}}, priv_key: {{file: {secrets / 'priv'}}}}}\n"
    )


def write_secrets(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in SECRETS.items():
        path = folder / name
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
    return folder


@dataclass
class Fleet:
    """The loopback lab-small: `live` devices answered by one snmpd on port 161, the rest
    black holes (a UDP socket that never answers)."""

    folder: Path
    inventory: Path
    config: Path
    addresses: dict[str, str]
    live: tuple[str, ...]
    dead: tuple[str, ...]


@contextmanager
def loopback_fleet(
    folder: Path, dead_every: int = 2, prefix: str = PREFIX, **conf: Any
) -> Iterator[Fleet]:
    addresses = loopback_inventory(folder / "inventory", prefix)
    secrets = write_secrets(folder / "secrets")
    config = folder / "config.yaml"
    config.write_text(config_text(secrets, **conf), encoding="utf-8")
    names = sorted(addresses)
    dead = tuple(n for i, n in enumerate(names) if dead_every and i % dead_every == 1)
    live = tuple(n for n in names if n not in dead)
    with ExitStack() as stack:
        stack.enter_context(snmpd(folder / "snmpd", [addresses[n] for n in live], port=161))
        for n in dead:
            stack.enter_context(black_hole(addresses[n], 161))
        yield Fleet(folder, folder / "inventory", config, addresses, live, dead)


@dataclass
class Serve:
    """A real `netmon serve` process, stopped by PID."""

    proc: subprocess.Popen[str]
    port: int
    log: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def metrics(self) -> dict[str, float]:
        return parse(get(self.url + "/metrics")[1])

    def wait_ready(self, timeout: float = 30) -> float:
        """Seconds until /-/ready said 200 (AssertionError after `timeout`)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.proc.poll() is None, self.stderr()
            try:
                if get(self.url + "/-/ready")[0] == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"netmon serve not ready within {timeout} s:\n{self.stderr()}")

    def wait_cycles(self, n: float, timeout: float = 30) -> dict[str, float]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = self.metrics()
            if m.get("netmon_cycles_total", 0) >= n:
                return m
            time.sleep(0.1)
        raise AssertionError(f"fewer than {n} cycles within {timeout} s:\n{self.stderr()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            raise


@contextmanager
def serve(fleet: Fleet, *args: str, port: int | None = None) -> Iterator[Serve]:
    port = port or free_port()
    log = fleet.folder / f"serve-{port}-{time.monotonic_ns()}.log"
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [
                str(NETMON),
                "serve",
                "-i",
                str(fleet.inventory),
                "-c",
                str(fleet.config),
                "--listen",
                f"127.0.0.1:{port}",
                *args,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "NETMON_LAB_DIR"},
        )
    s = Serve(proc, port, log)
    try:
        yield s
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class ScrapeLoad:
    """What `scrape_load` saw: every scrape's latency, the errors, and the serve loop's cycles
    over the run (from its own metrics)."""

    seconds: float
    scrapers: int
    latencies: list[float]
    errors: list[str]
    cycles: float
    interval: float
    gaps: list[float]  # between the ends of consecutive cycles, as scrapes saw them
    overruns: float

    def line(self) -> str:
        lat = sorted(self.latencies)
        p99 = lat[int(0.99 * (len(lat) - 1))]
        return (
            f"{self.scrapers} scrapers x {self.seconds:.0f} s: {len(lat)} scrapes "
            f"({len(lat) / self.seconds:.0f}/s), {len(self.errors)} errors, latency p50 "
            f"{1000 * statistics.median(lat):.0f} ms p99 {1000 * p99:.0f}"
            f" ms max {1000 * lat[-1]:.0f} ms; {self.cycles:.0f} cycles (interval "
            f"{self.interval:.0f} s), cycle end gaps min {min(self.gaps, default=0):.2f} s max "
            f"{max(self.gaps, default=0):.2f} s, deadline overruns {self.overruns:.0f}"
        )


def scrape_load(s: Serve, seconds: float, scrapers: int) -> ScrapeLoad:
    """`scrapers` concurrent clients fetching /metrics (gzip) back to back for `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    cycle_ends: set[float] = set()

    async def scraper(http: aiohttp.ClientSession, end: float) -> None:
        while time.monotonic() < end:
            t0 = time.monotonic()
            try:
                async with http.get(s.url + "/metrics", headers={"Accept-Encoding": "gzip"}) as r:
                    body = await r.text()
                    if r.status != 200:
                        errors.append(f"HTTP {r.status}")
                        continue
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.monotonic() - t0)
            for line in body.splitlines():
                if line.startswith("netmon_cycle_last_timestamp_seconds "):
                    cycle_ends.add(float(line.split()[1]))

    async def go() -> None:
        end = time.monotonic() + seconds
        conn = aiohttp.TCPConnector(limit=scrapers)
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(connector=conn, timeout=timeout) as http:
            await asyncio.gather(*(scraper(http, end) for _ in range(scrapers)))

    before = s.metrics()
    asyncio.run(go())
    after = s.metrics()
    ends = sorted(cycle_ends)
    return ScrapeLoad(
        seconds=seconds,
        scrapers=scrapers,
        latencies=latencies,
        errors=errors,
        cycles=after["netmon_cycles_total"] - before["netmon_cycles_total"],
        interval=after["netmon_cycle_interval_seconds"],
        gaps=[b - a for a, b in itertools.pairwise(ends)],
        overruns=after["netmon_cycle_deadline_overruns_total"]
        - before["netmon_cycle_deadline_overruns_total"],
    )


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, str]:
    async def go() -> tuple[int, str]:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
            http.get(url, headers=headers) as r,
        ):
            return r.status, await r.text()

    try:
        return asyncio.run(go())
    except aiohttp.ClientError as exc:
        raise OSError(str(exc)) from exc


_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (\S+)$")


def parse(text: str) -> dict[str, float]:
    """Exposition text -> {'name{labels}': value} (labels as rendered)."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if m and not line.startswith("#"):
            out[m.group(1)] = float(m.group(2))
    return out


def figure(item: int, text: str) -> None:
    """Each item's figure, printed for `pytest -s` and collected in docs/reliability.md."""
    print(f"\n[item {item}] {text}", flush=True)


def per_case(seconds: list[float]) -> str:
    """Item 8's timing line: p50, p99, max and how many cases took over 50 ms."""
    t = sorted(seconds)
    return (
        f"per case p50 {1e3 * t[len(t) // 2]:.2f} ms, p99 {1e3 * t[int(0.99 * (len(t) - 1))]:.2f}"
        f" ms, max {1e3 * t[-1]:.2f} ms, {sum(x > 0.05 for x in t)} over 50 ms"
    )


DRIVE = Path(__file__).with_name("drive.py")


def lab_config(lab: LiveLab, folder: Path) -> Path:
    """The shipped config.yaml for the lab (netmon's default timeouts and retries), with an
    interval long enough for the suite's own driver to set the pace, and the shared lab's
    management (out of band, tests/conftest.py)."""
    poll = {"interval_s": 30, "deadline_s": 20, "management": "oob"}
    return labtools.lab_config(lab, folder, poll=poll)


def lab_inventory(folder: Path, probes: str = "[icmp, snmp]") -> Path:
    """lab-small (still lab: true, so only the noc may probe it) with other probes."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (LAB_SMALL / "inventory.yaml").read_text(encoding="utf-8")
    (folder / "inventory.yaml").write_text(
        text.replace("probes: [icmp, snmp, ssh]", f"probes: {probes}"), encoding="utf-8"
    )
    return folder


class Driver:
    """drive.py in the lab's noc: `cycle()` runs one poll cycle there and returns its JSON."""

    def __init__(self, lab: LiveLab, inventory: Path, config: Path) -> None:
        env = dict(os.environ, NETMON_LAB_DIR=str(lab.state_dir))
        self.proc = subprocess.Popen(
            ["nsenter", f"--net={lab.state_dir / 'ns' / 'noc'}", "--",
             sys.executable, str(DRIVE), str(inventory), str(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env,
        )  # fmt: skip

    def cycle(self) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("cycle\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"drive.py died: {self.proc.communicate(timeout=10)[1]}")
        data: dict[str, Any] = json.loads(line)
        return data

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.communicate("quit\n", timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate(timeout=5)

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def by_key(cycle: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["device"], r["probe"]): r for r in cycle["results"]}
