"""bench/shard_memory: a serving national shard's memory over many cycles (issue 18).

Run from the repository root as root:

    .venv/bin/python bench/shard_memory.py [--shard 0/9] [--cycles 30] [--interval 10]

It writes the national synthetic inventory (29,610 agencies) to a temporary folder and runs
`netmon serve --shard I/N --shard-by group` on it inside a network namespace it creates with
only its loopback up: the inventory's 10.64.0.0/12 addresses have no route there, so every
probe fails at once and no packet leaves the machine (the serving side, the snapshot, the
carried state and /metrics are all exercised; SNMP tables of answering devices are not, so
a shard polling a live network holds more). Every interval it reads the process's RSS and
scrapes /metrics once, and prints RSS after the first cycle, after the warm-up, half-way and at
the end. Figures, never assertions. The namespace and the process are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NETMON = REPO / ".venv" / "bin" / "netmon"
WARM_UP = 5

CONFIG = """poll: {{interval_s: {interval}, jitter_s: 0, deadline_s: {deadline}, concurrency: 200}}
listen: 127.0.0.1:{port}
ssh: {{known_hosts: known_hosts}}
credentials:
  lab-snmp-v2c: {{snmp_v2c: {{community: {{file: community}}}}}}
  lab-snmp-v3:
    snmp_v3: {{user: netmon, auth_protocol: sha, auth_key: {{file: auth}},
              priv_protocol: aes, priv_key: {{file: priv}}}}
  lab-ssh: {{ssh: {{username: netmon, private_key: {{file: id_ed25519}}}}}}
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def scrape(ns: str, port: int) -> int:
    """Bytes of one /metrics scrape, from inside the namespace (0 when it fails)."""
    out = subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            ns,
            sys.executable,
            "-c",
            f"import urllib.request; print(len(urllib.request.urlopen("
            f"'http://127.0.0.1:{port}/metrics', timeout=20).read()))",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return int(out.stdout.strip() or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shard", default="0/9")
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--interval", type=int, default=10)
    parser.add_argument("--port", type=int, default=10561)
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench/shard_memory.py: run as root (it creates a network namespace)")
    from netmon.gen.inventory import national, write

    ns = f"nmshard{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(national(provinces=63), folder / "inventory")
        for name in ("community", "auth", "priv"):
            (folder / name).write_text(secrets.token_hex(16))
            (folder / name).chmod(0o600)
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "id_ed25519")],
            check=True,
        )
        (folder / "known_hosts").write_text("")
        (folder / "config.yaml").write_text(
            CONFIG.format(interval=args.interval, deadline=args.interval - 2, port=args.port)
        )
        subprocess.run(["ip", "netns", "add", ns], check=True)
        proc = None
        try:
            subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
            proc = subprocess.Popen(
                [
                    "ip",
                    "netns",
                    "exec",
                    ns,
                    str(NETMON),
                    "serve",
                    "-i",
                    "inventory",
                    "-c",
                    "config.yaml",
                    "--shard",
                    args.shard,
                    "--shard-by",
                    "group",
                    "--log-level",
                    "warning",
                ],
                cwd=folder,
                env={**os.environ, "NETMON_NO_CACHE": "1"},
            )
            # `ip netns exec` execs netmon: same PID
            start = time.monotonic()
            series: list[tuple[int, float, int]] = []
            for cycle in range(1, args.cycles + 1):  # bounded: cycles x interval
                time.sleep(args.interval)
                if proc.poll() is not None:
                    sys.exit(f"netmon serve exited with {proc.returncode}")
                series.append((cycle, rss_mb(proc.pid), scrape(ns, args.port)))
                print(
                    f"  after {cycle * args.interval:4d} s: RSS {series[-1][1]:.0f} MB, "
                    f"/metrics {series[-1][2] / 1e6:.1f} MB",
                    flush=True,
                )
            warm = series[min(WARM_UP, len(series)) - 1][1]
            half = series[len(series) // 2][1]
            print(
                f"netmon serve --shard {args.shard} --shard-by group, national inventory, every "
                f"probe unreachable, {args.cycles} intervals of {args.interval} s "
                f"({time.monotonic() - start:.0f} s): RSS {series[0][1]:.0f} MB after the "
                f"first, {warm:.0f} MB after {WARM_UP}, {half:.0f} MB half-way, "
                f"{series[-1][1]:.0f} MB at the end (growth over the second half "
                f"{series[-1][1] - half:+.1f} MB)"
            )
        finally:
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            subprocess.run(["ip", "netns", "del", ns], check=False)
            shutil.rmtree(folder / "inventory", ignore_errors=True)


if __name__ == "__main__":
    main()
