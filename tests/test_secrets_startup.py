"""A secret the probes need that cannot be read stops `poll` and `serve` at start-up (exit 1),
named at its line in config.yaml with the credential set and the variable or file, before a
packet is sent; `netmon validate --secrets` finds the same, plain `validate` does not (a CI
checkout has no secrets)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

NETMON = str(Path(sys.executable).parent / "netmon")
UNSET = "NETMON_TEST_NEVER_SET_ANYWHERE"


def inventory(port: int) -> str:
    return f"""\
inventory: {{name: loopback, lab: false, management_network: 127.0.0.0/8}}
levels: [{{id: commune, name: Cấp xã}}]
groups: [{{id: g, name: G, kind: district}}]
sites: [{{id: core, name: Core, role: core}}]
defaults: {{platform: linux, probes: [snmp], snmp_port: {port}}}
agencies:
  - {{id: a1, name: Một, level: commune, group: g}}
devices:
  - {{id: core-1, role: core, site: core, mgmt: 127.0.0.1, interfaces: [p1],
     credentials: {{snmp: v2c}}}}
  - {{id: cpe-1, role: cpe, agency: a1, mgmt: 127.0.0.2, interfaces: [wan0],
     credentials: {{snmp: v3}}}}
links:
  - {{id: l1, a: {{device: core-1, interface: p1}}, b: {{device: cpe-1, interface: wan0}},
     kind: access, capacity_mbps: 100}}
"""


CONFIG = f"""\
poll: {{interval_s: 10, deadline_s: 5}}
credentials:
  v2c:
    snmp_v2c:
      community: {{env: {UNSET}}}
  v3:
    snmp_v3:
      user: netmon
      auth_protocol: SHA
      auth_key: {{file: secrets/auth}}
      priv_protocol: AES
      priv_key: {{file: secrets/priv}}
  unused: {{snmp_v2c: {{community: {{file: secrets/nowhere}}}}}}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[tuple[Path, list[socket.socket]]]:
    """An inventory whose two agents are UDP sockets that keep what reaches them."""
    holes = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
    holes[0].bind(("127.0.0.1", 0))
    port = holes[0].getsockname()[1]
    holes[1].bind(("127.0.0.2", port))
    for hole in holes:
        hole.setblocking(False)
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "net.yaml").write_text(inventory(port))
    (tmp_path / "config.yaml").write_text(CONFIG)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "priv").write_text("long-enough-priv\n")  # auth: missing
    yield tmp_path, holes
    for hole in holes:
        hole.close()


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != UNSET}
    return subprocess.run(
        [NETMON, *args], cwd=cwd, capture_output=True, text=True, timeout=60, env=env
    )


def expected(cwd: Path) -> list[str]:
    config = cwd / "config.yaml"
    return [
        f"config.yaml:5:18: error: credential set 'v2c': community: environment variable "
        f"{UNSET} is not set",
        f"  hint: export {UNSET}=... before starting netmon",
        f"config.yaml:10:17: error: credential set 'v3': auth_key: cannot read secret file "
        f"{config.parent / 'secrets' / 'auth'}: No such file or directory",
        "  hint: create the file (mode 0600) or fix the path; for the lab run 'netmon lab up'",
    ]


@pytest.mark.parametrize("command", [("poll", "--once"), ("serve", "--listen", "127.0.0.1:0")])
def test_start_up_names_every_unusable_secret_and_sends_nothing(
    folder: tuple[Path, list[socket.socket]], command: tuple[str, ...]
) -> None:
    cwd, holes = folder
    done = run(cwd, *command)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert lines[:4] == expected(cwd)  # the unused set is not the poller's business
    assert lines[-1] == (
        "netmon: error: 2 secret(s) cannot be used; nothing was probed "
        "(check them with: netmon validate --secrets)"
    )
    assert "Traceback" not in done.stderr
    for hole in holes:
        with pytest.raises(BlockingIOError):
            hole.recv(65535)  # not one SNMP request left the poller


def test_validate_secrets_reads_every_reference(
    folder: tuple[Path, list[socket.socket]],
) -> None:
    cwd, _ = folder
    plain = run(cwd, "validate")
    assert plain.returncode == 0, plain.stdout  # where the secrets are not: not an error
    strict = run(cwd, "validate", "--secrets")
    assert strict.returncode == 1
    lines = strict.stdout.splitlines()  # every set config.yaml defines, by name
    assert lines[0].startswith(
        "config.yaml:13:34: error: credential set 'unused': community: cannot read secret file"
    )
    assert lines[2:6] == expected(cwd)
    (cwd / "secrets" / "auth").write_text("long-enough-auth\n")
    (cwd / "secrets" / "nowhere").write_text("community\n")
    ok = run(cwd, "validate", "--secrets")
    assert ok.returncode == 1 and ok.stdout.splitlines()[:2] == expected(cwd)[:2]
