"""A new probe kind is its own module plus one line in the registry (issue 14).

The test adds a toy kind, "http", to a copy of the installed package the way a developer would
(a module in netmon/probes/ and its KIND in netmon/probes/__init__.py), checks that nothing else
changed, then uses it as a person does: config.yaml tunes it under `probes.http`, the inventory
lists it and sets `http_port` (inherited from defaults), the JSON Schemas describe both,
`netmon validate` accepts it, and `netmon poll --once` runs it against a real HTTP server on
loopback, with what the server was asked recorded.
"""

from __future__ import annotations

import filecmp
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

import netmon

TOY = '''\
"""A toy probe kind: does an HTTP server answer 200 on the device's port?"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from netmon.model import ProbeResult
from netmon.probes.base import Clock, ProbeEnv, ProbeKind, ProbeSettings, ProbeTarget, failed
from netmon.probes.base import setting
from netmon.yamlspec import Str

NAME = "http"


@dataclass(frozen=True)
class HttpSettings(ProbeSettings):
    path: str = setting("/", Str(doc="the path to GET"))


async def probe(target: ProbeTarget[HttpSettings], env: ProbeEnv) -> ProbeResult:
    clock = Clock()
    try:
        async with asyncio.timeout(target.timeout_s):
            reader, writer = await asyncio.open_connection(
                target.address, target.port_for(NAME, 80)
            )
            writer.write(f"GET {target.settings.path} HTTP/1.0\\r\\n\\r\\n".encode())
            status = (await reader.readline()).decode(errors="replace").strip()
            writer.close()
    except ConnectionRefusedError as exc:
        return failed(target, NAME, clock, "refused", str(exc))
    except (OSError, TimeoutError) as exc:
        return failed(target, NAME, clock, "timeout", str(exc))
    if status.split()[1:2] != ["200"]:
        return failed(target, NAME, clock, "error", status)
    return ProbeResult(target.device.id, NAME, True, clock.elapsed(), detail=status)


KIND = ProbeKind(NAME, probe, HttpSettings, doc="an HTTP GET answered 200", port=80)
'''

INVENTORY = """\
inventory: {{name: toy, lab: false, management_network: 127.0.0.0/8}}
levels: [{{id: commune, name: Cấp xã}}]
groups: [{{id: g, name: G, kind: district}}]
sites: [{{id: core, name: Core, role: core}}]
defaults: {{platform: linux, probes: [http], http_port: {closed}}}
agencies:
  - {{id: a1, name: Một, level: commune, group: g}}
devices:
  - {{id: core-1, role: core, site: core, mgmt: 127.0.0.1, interfaces: [p1], http_port: {port}}}
  - {{id: cpe-1, role: cpe, agency: a1, mgmt: 127.0.0.2, interfaces: [wan0]}}
links:
  - {{id: l1, a: {{device: core-1, interface: p1}}, b: {{device: cpe-1, interface: wan0}},
     kind: access, capacity_mbps: 100}}
"""
CONFIG = """\
poll: {interval_s: 10, deadline_s: 5}
probes:
  http: {timeout_s: 1.0, retries: 0, path: /-/healthy}
"""


class _Recorder(http.server.BaseHTTPRequestHandler):
    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.paths.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    _Recorder.paths = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_toy_kind(site: Path) -> None:
    """What a developer does: write the module, list its KIND in the registry."""
    probes = site / "netmon" / "probes"
    (probes / "http.py").write_text(TOY, encoding="utf-8")
    registry = probes / "__init__.py"
    text = registry.read_text(encoding="utf-8")
    edited = text.replace(
        "from netmon.probes import icmp, tcp\n", "from netmon.probes import http, icmp, tcp\n"
    ).replace("        ssh.KIND,\n", "        ssh.KIND,\n        http.KIND,\n")
    assert edited.count("http") == 2, "the registry's shape changed: update this test"
    registry.write_text(edited, encoding="utf-8")


def changed_files(original: Path, copy: Path) -> set[str]:
    out: set[str] = set()

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        out.update(f"{prefix}{n}" for n in cmp.diff_files + cmp.left_only + cmp.right_only)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(original, copy, ignore=["__pycache__"]), "")
    return out


def test_a_new_probe_kind_is_one_module_and_one_registry_line(tmp_path: Path, server: int) -> None:
    original = Path(netmon.__file__).parent
    site = tmp_path / "site"
    shutil.copytree(original, site / "netmon", ignore=shutil.ignore_patterns("__pycache__"))
    add_toy_kind(site)
    assert changed_files(original, site / "netmon") == {"probes/http.py", "probes/__init__.py"}

    closed = _free_port()
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "net.yaml").write_text(
        INVENTORY.format(port=server, closed=closed), encoding="utf-8"
    )
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")

    def netmon_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "netmon.cli", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(site)},
        )

    schema = json.loads(netmon_cli("inventory", "schema").stdout)
    defaults = schema["properties"]["defaults"]["properties"]
    assert defaults["probes"]["items"]["enum"] == ["icmp", "tcp", "snmp", "ssh", "http"]
    assert defaults["http_port"]["description"] == "port the http probe uses (default 80)"
    config_schema = json.loads(netmon_cli("inventory", "schema", "--config").stdout)
    toy = config_schema["properties"]["probes"]["properties"]["http"]
    assert toy["description"] == "an HTTP GET answered 200"
    assert set(toy["properties"]) == {"timeout_s", "retries", "concurrency", "path"}

    valid = netmon_cli("validate")
    assert valid.returncode == 0, valid.stdout + valid.stderr

    done = netmon_cli("poll", "--once", "-o", "json")
    assert done.returncode == 0, done.stderr
    cycle = json.loads(done.stdout)
    results = {
        (r["device"], r["probe"]): r
        for part in (*cycle["agencies"], *cycle["infrastructure"])
        for r in part["probes"]
    }
    assert set(results) == {("core-1", "http"), ("cpe-1", "http")}
    assert results[("core-1", "http")]["success"] is True
    assert results[("cpe-1", "http")]["error"] == "refused"  # the defaults' port: closed
    assert _Recorder.paths == ["/-/healthy"]  # config's probes.http.path, asked once

    (tmp_path / "typo.yaml").write_text("probes: {http: {pth: /}}\n", encoding="utf-8")
    typo = netmon_cli("validate", "--config", "typo.yaml")
    assert typo.returncode == 1
    assert typo.stdout == (
        "typo.yaml:1:17: error: probes.http: unknown key 'pth'\n  hint: did you mean 'path'?\n"
    )
