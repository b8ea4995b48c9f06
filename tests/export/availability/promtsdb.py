"""A real Prometheus on backfilled blocks: promtool writes them, the test starts Prometheus
on 127.0.0.1 and stops it by PID. Shared by the tests and bench/availability.py."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import yaml

REPO = Path(__file__).parents[3]
RULES = REPO / "exporters" / "prometheus" / "rules" / "netmon.rules.yml"
# promtool's hidden flag: without it, one 2-hour block (and one pass over the input) per
# 2 hours of data. 162 h is the largest block promtool's rule backfill can fill at a
# 1-minute step within Prometheus' 11,000 points per query_range.
BLOCK = "162h"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run(*cmd: str, timeout: float = 600) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    return done.stdout


def blocks_from_openmetrics(om: Path, data: Path) -> None:
    _run(
        "promtool",
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        "--max-block-duration=744h",
        "--quiet",
        str(om),
        str(data),
    )


def availability_rules(folder: Path) -> Path:
    """The shipped availability groups alone, in a file of their own."""
    doc = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    groups = [g for g in doc["groups"] if g["name"].startswith("netmon-availability")]
    assert len(groups) == 2, [g["name"] for g in doc["groups"]]
    path = folder / "availability.rules.yml"
    path.write_text(yaml.safe_dump({"groups": groups}, allow_unicode=True), encoding="utf-8")
    return path


def blocks_from_rules(url: str, rules: Path, start: int, end: int, out: Path) -> None:
    """What an operator does on installing the rules: evaluate them over the history."""

    def rfc3339(t: int) -> str:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    _run(
        "promtool",
        "tsdb",
        "create-blocks-from",
        "rules",
        f"--max-block-duration={BLOCK}",
        f"--start={rfc3339(start)}",
        f"--end={rfc3339(end)}",
        f"--url={url}",
        f"--output-dir={out}",
        str(rules),
    )


@contextmanager
def prometheus(data: Path, log: Path) -> Iterator[str]:
    """Prometheus on `data` (no scrape jobs, no rules), on a free loopback port; its URL."""
    exe = shutil.which("prometheus")
    assert exe, "prometheus not installed (apt-get install prometheus)"
    config = data.parent / "prometheus-empty.yml"
    config.write_text("global: {}\n", encoding="utf-8")
    port = free_port()
    out = log.open("a")
    proc = subprocess.Popen(
        [
            exe,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            # Retention counts back from the newest block, not from today: keep it all.
            "--storage.tsdb.retention.time=100y",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                time.sleep(0.1)
        else:
            raise AssertionError(f"Prometheus not ready: {log.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
