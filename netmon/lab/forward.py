"""The forwarder: host 127.0.0.1:PORT -> 127.0.0.1:PORT inside the noc namespace.

The listening sockets are opened in the host namespace by `lab up`, then handed (as inherited
file descriptors) to a process started inside the noc namespace: every connection it makes
therefore starts in the noc, and the host namespace never gains a route to lab addresses.

The process itself is netmon/lab/procs/forwarder.py.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from netmon.lab.paths import NOC, LabPaths

# Prometheus, Alertmanager, and `netmon serve` (its default port, config.yaml listen).
DEFAULT_FORWARDS: tuple[int, ...] = (9090, 9093, 10467)


def start_forwarders(paths: LabPaths, ports: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """Bind what can be bound (a busy host port is skipped with a message); one process."""
    socks: list[tuple[socket.socket, int]] = []
    for port in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen(64)
        except OSError as exc:
            s.close()
            print(f"netmon lab: not forwarding 127.0.0.1:{port} ({exc.strerror})", file=sys.stderr)
            continue
        socks.append((s, port))
    if not socks:
        return ()
    fds = [s.fileno() for s, _ in socks]
    log = (paths.root / "forward.log").open("ab")
    with log:
        proc = subprocess.Popen(
            # By path, standard library only: no netmon import at start-up.
            [
                "nsenter",
                f"--net={paths.netns(NOC)}",
                "--",
                sys.executable,
                "-I",
                str(Path(__file__).parent / "procs" / "forwarder.py"),
                *(f"{s.fileno()}:{p}" for s, p in socks),
            ],
            pass_fds=fds,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,  # outlives `lab up`; `lab down` kills it with the noc
        )
    for s, _ in socks:
        s.close()
    return tuple((p, proc.pid) for _, p in socks)
