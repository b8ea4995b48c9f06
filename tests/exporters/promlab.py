"""A real Prometheus (the Debian package) and an in-process netmon HTTP server, both on
127.0.0.1, for the integration tests. Bounded in time; stopped by PID."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from netmon.export.http import ReloadOutcome, build_app, start_server
from netmon.export.state import ExportState, StateHolder

REPO = Path(__file__).parents[2]
RULES = REPO / "exporters" / "prometheus" / "rules" / "netmon.rules.yml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def netmon_server(
    next_state: Callable[[int], ExportState], every_s: float = 1.0, max_s: float = 300
) -> Iterator[str]:
    """Serve /metrics from a state that `next_state(step)` renews every `every_s` seconds
    (a stand-in for the poller: counters grow between cycles)."""
    holder = StateHolder(next_state(0))
    port = free_port()
    started, stop = threading.Event(), threading.Event()

    async def reload() -> ReloadOutcome:
        return ReloadOutcome(False, "not in this test")

    async def main() -> None:
        runner = await start_server(build_app(holder, reload), f"127.0.0.1:{port}")
        started.set()
        step, t0 = 0, time.monotonic()
        try:
            while not stop.is_set() and time.monotonic() - t0 < max_s:
                await asyncio.sleep(every_s)
                step += 1
                holder.set(await asyncio.to_thread(next_state, step))
        finally:
            await runner.cleanup()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(30), "netmon server did not start"
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=30)


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str, **params: str) -> Any:
        q = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{q}", timeout=30) as r:  # noqa: S310 - http://127.0.0.1 built here
            return json.load(r)

    def query(self, expr: str) -> list[dict[str, Any]]:
        data = self.get("/api/v1/query", query=expr)
        assert data["status"] == "success", (expr, data)
        result: list[dict[str, Any]] = data["data"]["result"]
        return result

    def wait(self, expr: str, timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.query(expr)
            if got or time.monotonic() > deadline:
                return got
            time.sleep(0.5)


@contextmanager
def prometheus(
    tmp: Path, target: str, interval: str = "1s", for_1m: str | None = None
) -> Iterator[Prometheus]:
    """`for_1m`: what the rules' `for: 1m` becomes in this copy (as the demo's copy shortens
    it: netmon.lab.demo_stack.demo_rules), for a test that waits for such an alert to fire."""
    tmp.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("prometheus")
    assert exe, "prometheus not installed (apt install prometheus)"
    shutil.copy(RULES, tmp / "netmon.rules.yml")
    # The shipped rules evaluate every 30 s; here every `interval`, so the test takes seconds.
    rules = (tmp / "netmon.rules.yml").read_text(encoding="utf-8")
    rules = rules.replace("interval: 30s", f"interval: {interval}")
    if for_1m is not None:
        assert "for: 1m" in rules, "the shipped rules changed shape: no `for: 1m`"
        rules = rules.replace("for: 1m", f"for: {for_1m}")
    (tmp / "netmon.rules.yml").write_text(rules)
    (tmp / "prometheus.yml").write_text(
        f"global: {{scrape_interval: {interval}, evaluation_interval: {interval}}}\n"
        "rule_files: [netmon.rules.yml]\n"
        f"scrape_configs:\n  - job_name: netmon\n    static_configs: [{{targets: ['{target}']}}]\n"
    )
    port = free_port()
    log = (tmp / "prometheus.log").open("w")
    proc = subprocess.Popen(
        [
            exe,
            f"--config.file={tmp / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1)  # noqa: S310
                break
            except OSError:
                assert proc.poll() is None, (tmp / "prometheus.log").read_text()
                time.sleep(0.1)
        yield Prometheus(url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
