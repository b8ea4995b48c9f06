"""snmpsim serving real-device recordings on loopback: the conformance corpus's agent.

The recordings are the PyPI package `snmpsim-data` (walks of real Cisco, Huawei, H3C, Ruijie,
HPE, Juniper, ZTE... devices), served by `snmpsim` 1.2.2. Both live in a venv of their own,
`.venv-snmpsim/` at the repository root, made on demand by `ensure_venv()` with pinned versions
(snmpsim's pins clash with netmon's; it also needs `pysmi` without declaring it). Nothing is
copied by hand: a fresh clone gets everything from PyPI the first time the corpus runs.

What the fixture serves of each recording: the subtrees netmon and the independent reader ask
for (system, interfaces, ifMIB, LLDP-MIB, MikroTik's neighbour table), every line kept in the
recording's own order (Ruijie N18010's LLDP rows that do not increase stay so). A 900,000-line
dump takes snmpsim about 60 s to index; its ifMIB and LLDP lines, seconds.

snmpsim facts (FIELD-NOTES): it refuses to run as root unless SNMPSIM_ALLOW_ROOT=true, crashes
on a symlinked data file (files here are written, not linked), answers at most 64 varbinds per
reply, and its first answers after "Listening" can be slow: readiness is polled with snmpget.
The community of a recording is its file name without extension (`ruijie-m18000`).

Network safety: it listens on 127.0.0.1 only; it is started once and stopped by PID.
"""

from __future__ import annotations

import bz2
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-snmpsim"
PINS = ("snmpsim==1.2.2", "pysnmp==7.1.30", "pysmi==1.6.3", "snmpsim-data==1.0.1")
# What is served of each recording (prefixes of the OIDs, dotted, as in .snmprec lines).
SUBTREES = (
    "1.3.6.1.2.1.1.",  # system
    "1.3.6.1.2.1.2.",  # interfaces (ifNumber, ifTable)
    "1.3.6.1.2.1.31.",  # ifMIB (ifXTable, ifTableLastChange)
    "1.0.8802.1.1.2.",  # LLDP-MIB
    "1.3.6.1.4.1.14988.1.1.11.",  # MIKROTIK-MIB mtxrNeighborTable
)
READY_S = 300.0  # indexing, then the first slow answers: bounded, then the fixture fails


def ensure_venv() -> Path:
    """The venv with snmpsim and the recordings (made once; a stamp names the pins)."""
    stamp = VENV / ".pins"
    python = VENV / "bin" / "python"
    if stamp.is_file() and stamp.read_text() == "\n".join(PINS) and python.exists():
        return python
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *PINS], check=True, timeout=900)
    stamp.write_text("\n".join(PINS))
    return python


def recordings(python: Path) -> Path:
    """snmpsim_data/data inside the venv."""
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import snmpsim_data, os; print(os.path.dirname(snmpsim_data.__file__))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return Path(out) / "data"


def prepare(python: Path, names: Iterable[str], out: Path) -> dict[str, Path]:
    """Each recording (`network/switch/cisco-c3560`) as `out/<file name>.snmprec`, the served
    subtrees only; kept between sessions when its source has not changed."""
    source = recordings(python)
    out.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {}
    for name in names:
        packed = source / f"{name}.snmprec.bz2"
        plain = source / f"{name}.snmprec"
        src = packed if packed.exists() else plain
        if not src.exists():
            raise FileNotFoundError(f"no recording {name} in snmpsim-data ({source})")
        dest = out / f"{Path(name).name}.snmprec"
        tag = dest.with_suffix(".source")
        key = f"{src} {src.stat().st_size}"
        if not (dest.exists() and tag.exists() and tag.read_text() == key):
            opener = bz2.open if src.suffix == ".bz2" else open
            with (
                opener(src, "rt", encoding="latin-1") as f,
                dest.open("w", encoding="latin-1") as w,
            ):
                w.writelines(line for line in f if line.startswith(SUBTREES))
            tag.write_text(key)
        made[name] = dest
    return made


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Simulator:
    """One snmpsim process serving a data folder on 127.0.0.1:port."""

    port: int
    pid: int
    log: Path

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        for _ in range(50):  # up to 5 s, then kill
            try:
                done, _ = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return
            if done:
                return
            time.sleep(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def answers(port: int, community: str, timeout_s: float = 2.0) -> bool:
    done = subprocess.run(
        ["snmpget", "-v2c", "-c", community, "-r", "0", "-t", str(timeout_s), "-ObentU",
         f"127.0.0.1:{port}", "1.3.6.1.2.1.1.3.0"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.returncode == 0 and " = " in done.stdout and "No Such" not in done.stdout


def start(data: Path, cache: Path, communities: Iterable[str], port: int = 0) -> Simulator:
    """snmpsim on 127.0.0.1, once every community answers sysUpTime (or RuntimeError)."""
    python = ensure_venv()
    port = port or free_udp_port()
    cache.mkdir(parents=True, exist_ok=True)
    log = cache / "snmpsim.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(python.parent / "snmpsim-command-responder"), f"--data-dir={data}",
             f"--cache-dir={cache}", f"--agent-udpv4-endpoint=127.0.0.1:{port}",
             "--log-level=error"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "SNMPSIM_ALLOW_ROOT": "true"},
        )  # fmt: skip
    sim = Simulator(port, proc.pid, log)
    pending = list(communities)
    deadline = time.monotonic() + READY_S
    while pending and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"snmpsim exited ({proc.returncode}): {log.read_text()[-2000:]}")
        if answers(port, pending[0]):
            pending.pop(0)
        else:
            time.sleep(0.5)
    if pending:
        sim.stop()
        raise RuntimeError(f"snmpsim did not answer for {pending} within {READY_S:.0f} s")
    return sim
