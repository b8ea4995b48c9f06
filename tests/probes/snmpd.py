"""A real net-snmp snmpd on loopback for integration tests: started and stopped by PID.

Network safety: it listens only on 127.0.0.0/8 addresses, and tests send only there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

COMMUNITY = "loopback-community-1"
USER = "netmon"
AUTH_KEY = "loopback-auth-key-1"
PRIV_KEY = "loopback-priv-key-1"
# Other USM protocol pairs net-snmp 5.9 offers: (user, auth, priv) with the same two keys.
OTHER_USERS = (
    ("netmon-sha256", "SHA-256", "AES256", "SHA256", "AES256"),
    ("netmon-sha512", "SHA-512", "AES", "SHA512", "AES"),
    ("netmon-sha-aes256", "SHA", "AES256", "SHA", "AES256"),  # AES-256 key extension
)
# Users served below authPriv (config.yaml must allow those levels explicitly).
AUTH_ONLY_USER, NO_AUTH_USER = "netmon-authnopriv", "netmon-noauth"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def snmpd_missing() -> str | None:
    if shutil.which("snmpd", path=os.environ.get("PATH", "") + ":/usr/sbin") is None:
        return "net-snmp snmpd is not installed (Debian: apt-get install snmpd snmp)"
    return None


@dataclass(frozen=True)
class Snmpd:
    addresses: tuple[str, ...]
    port: int
    pid: int


def _answers(address: str, port: int) -> bool:
    done = subprocess.run(
        [
            "snmpget",
            "-v2c",
            "-c",
            COMMUNITY,
            "-r",
            "0",
            "-t",
            "0.3",
            "-On",
            f"{address}:{port}",
            "1.3.6.1.2.1.1.3.0",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=5,
    )
    return done.returncode == 0


@contextmanager
def snmpd(
    folder: Path,
    addresses: Sequence[str] = ("127.0.0.1",),
    port: int | None = None,
    extra: str = "",
    keep_state: bool = False,
) -> Iterator[Snmpd]:
    """One snmpd serving v2c and v3 on every address given, one port: USER at authPriv
    (SHA/AES), OTHER_USERS at authPriv, AUTH_ONLY_USER at authNoPriv, NO_AUTH_USER without;
    `extra`: more snmpd.conf lines. `keep_state`: read what an snmpd in the same folder saved
    when it stopped (engine id, boots), as a real agent restarting does; otherwise (-C reads no
    saved state) every start is a new engine id with boots 1."""
    assert all(a.startswith("127.") for a in addresses), "loopback only"
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_udp_port()
    conf = folder / "snmpd.conf"
    conf.write_text(
        f"rocommunity {COMMUNITY} 127.0.0.0/8\n"
        f"createUser {USER} SHA {AUTH_KEY} AES {PRIV_KEY}\n"
        f"rouser {USER} authpriv\n"
        + "".join(
            f"createUser {u} {a} {AUTH_KEY} {p} {PRIV_KEY}\nrouser {u} authpriv\n"
            for u, a, p, _, _ in OTHER_USERS
        )
        + f"createUser {AUTH_ONLY_USER} SHA {AUTH_KEY}\nrouser {AUTH_ONLY_USER} auth\n"
        + f"createUser {NO_AUTH_USER}\nrouser {NO_AUTH_USER} noauth\n"
        + "sysName loopback-agent\n"
        + extra,
        encoding="utf-8",
    )
    listen = ",".join(f"udp:{a}:{port}" for a in addresses)
    saved = folder / "persist" / "snmpd.conf"
    files = f"{conf},{saved}" if keep_state and saved.exists() else str(conf)
    proc = subprocess.Popen(
        ["snmpd", "-f", "-Lo", "-C", "-c", files, "-p", str(folder / "pid"), listen],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "SNMP_PERSISTENT_DIR": str(folder / "persist")},
    )
    try:
        end = time.monotonic() + 10
        while not _answers(addresses[-1], port):
            if proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"snmpd did not start on {listen}")
            time.sleep(0.1)
        yield Snmpd(tuple(addresses), port, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextmanager
def black_hole(address: str, port: int) -> Iterator[socket.socket]:
    """A UDP socket that receives and never answers: a frozen agent."""
    assert address.startswith("127.")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, port))
    try:
        yield sock
    finally:
        sock.close()
