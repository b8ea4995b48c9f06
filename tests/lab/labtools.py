"""Helpers for the lab tests: the live lab handle and the client tools run from the noc."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).parents[2]
LAB_SMALL = REPO / "tests" / "data" / "lab-small"
SNMP_TIMEOUT_S = "1"


def lab_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "the lab needs root to create network namespaces (CI runs as root)"
    if shutil.which("unshare") is None:
        return "util-linux unshare is missing: cannot create network namespaces"
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return f"network namespaces cannot be created here: {probe.stderr.decode().strip()}"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveLab:
    """A running lab and the client tools (net-snmp, OpenSSH) to talk to it from the noc."""

    state_dir: Path
    forward_port: int

    @property
    def status(self) -> dict[str, Any]:
        from netmon.lab import LabPaths, status_json

        return status_json(LabPaths(self.state_dir))

    def secret(self, name: str) -> str:
        return (self.state_dir / "secrets" / name).read_text(encoding="utf-8")

    def noc(
        self, *cmd: str, timeout: float = 20, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = dict(
            os.environ,
            MIBS="",
            MIBDIRS="/nonexistent",
            SNMP_PERSISTENT_DIR=str(self.state_dir.parent / "snmp-client"),
        )
        return subprocess.run(
            ["nsenter", f"--net={self.state_dir / 'ns' / 'noc'}", "--", *cmd],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
            env=env,
        )

    def snmp_args(self, version: str) -> list[str]:
        if version == "v2c":
            return ["-v2c", "-c", self.secret("snmp-community")]
        return [
            "-v3",
            "-l",
            "authPriv",
            "-u",
            "netmon",
            "-a",
            "SHA",
            "-A",
            self.secret("snmp-auth-key"),
            "-x",
            "AES",
            "-X",
            self.secret("snmp-priv-key"),
        ]

    def walk(self, address: str, oid: str, version: str = "v2c") -> dict[str, str]:
        """numeric OID suffix (after `oid.`) -> value, from net-snmp's snmpbulkwalk."""
        out = self.noc(
            "snmpbulkwalk",
            *self.snmp_args(version),
            "-On",
            "-Oq",
            "-t",
            SNMP_TIMEOUT_S,
            "-r",
            "2",
            address,
            oid,
        ).stdout
        rows: dict[str, str] = {}
        for line in out.splitlines():
            if line.startswith("." + oid + "."):
                key, _, value = line.partition(" ")
                rows[key[len(oid) + 2 :]] = value.strip().strip('"')
        return rows

    def get(
        self,
        address: str,
        oid: str,
        *,
        timeout: str = "0.3",
        retries: str = "0",
        version: str = "v2c",
    ) -> str | None:
        done = self.noc(
            "snmpget",
            *self.snmp_args(version),
            "-On",
            "-Oqv",
            "-t",
            timeout,
            "-r",
            retries,
            address,
            oid,
            check=False,
        )
        return done.stdout.strip().strip('"') if done.returncode == 0 else None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`netmon lab ARGS --state-dir THIS` as a separate process, like a person runs it."""
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "from netmon.cli import main; main()",
                "lab",
                args[0],
                "--state-dir",
                str(self.state_dir),
                *args[1:],
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def node(self, name: str) -> dict[str, Any]:
        return next(n for n in self.status["nodes"] if n["name"] == name)


def wait_for(predicate: Any, timeout: float, interval: float = 0.1) -> Any:
    """Poll `predicate` until truthy or `timeout` s pass; returns its last value."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > end:
            return value
        time.sleep(interval)


def lab_config(
    lab: LiveLab,
    folder: Path,
    *,
    poll: dict[str, Any] | None = None,
    probes: dict[str, dict[str, Any]] | None = None,
    community: str | None = None,
    auth: str | None = None,
) -> Path:
    """The shipped config.yaml with its lab paths (var/lab/...) pointed at this lab, `poll` and
    `probes` settings laid over it, and wrong secrets (written to files) when asked for."""
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text.replace("var/lab/", f"{lab.state_dir}/"))
    data["poll"].update(poll or {})
    for kind, values in (probes or {}).items():
        data["probes"].setdefault(kind, {}).update(values)
    folder.mkdir(parents=True, exist_ok=True)
    creds = data["credentials"]
    for value, where in (
        (community, creds["lab-snmp-v2c"]["snmp_v2c"]["community"]),
        (auth, creds["lab-snmp-v3"]["snmp_v3"]["auth_key"]),
    ):
        if value is not None:
            secret = folder / f"wrong-{len(list(folder.glob('wrong-*')))}"
            secret.write_text(value, encoding="utf-8")
            where["file"] = str(secret)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
