"""The HTTP server on 127.0.0.1 with a real client: endpoints, readiness, reload, auth, TLS."""

from __future__ import annotations

import asyncio
import base64
import gzip
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import bcrypt
import pytest

from export import synth
from netmon.export.http import ReloadOutcome, build_app, parse_listen, start_server
from netmon.export.state import ExportState, StateHolder
from netmon.export.webconfig import WebConfig, WebConfigError, load_web_config
from netmon.model import snapshot_from_json

PV_DEAD = {"pop-phu-vang", "cpe-ubnd-phu-vang", "cpe-ubnd-phu-ho"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Reloads:
    def __init__(self, ok: bool = True) -> None:
        self.calls = 0
        self.ok = ok

    async def __call__(self) -> ReloadOutcome:
        self.calls += 1
        return ReloadOutcome(self.ok, "reloaded" if self.ok else "refused: inventory x.yaml:3:1")


@asynccontextmanager
async def serving(
    holder: StateHolder,
    reload: Reloads | None = None,
    web: WebConfig | None = None,
    lifecycle: bool = True,
) -> AsyncIterator[str]:
    port = free_port()
    runner = await start_server(
        build_app(holder, reload or Reloads(), web, lifecycle=lifecycle), f"127.0.0.1:{port}", web
    )
    try:
        scheme = "https" if web and web.cert_file else "http"
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def run(fn: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(fn(), 60))


def ready_holder() -> StateHolder:
    inv = synth.inventory()
    return StateHolder(synth.state(inv, synth.results(inv, dead=PV_DEAD), failures=3))


def test_not_ready_before_the_first_cycle_then_ready() -> None:
    holder = StateHolder(ExportState(synth.facts()))

    async def go() -> None:
        async with serving(holder) as url, aiohttp.ClientSession() as http:
            assert (await http.get(f"{url}/-/healthy")).status == 200
            assert (await http.get(f"{url}/-/ready")).status == 503
            assert (await http.get(f"{url}/api/snapshot")).status == 503
            assert (await http.get(f"{url}/topology/nodes.json")).status == 503
            r = await http.get(f"{url}/metrics")
            assert r.status == 200 and "netmon_agency_up" not in await r.text()
            inv = synth.inventory()
            holder.set(synth.state(inv, synth.results(inv)))
            assert (await http.get(f"{url}/-/ready")).status == 200

    run(go)


def test_metrics_plain_and_gzip_say_the_same() -> None:
    async def go() -> None:
        async with (
            serving(ready_holder()) as url,
            aiohttp.ClientSession(auto_decompress=False) as http,
        ):
            plain = await http.get(f"{url}/metrics", headers={"Accept-Encoding": "identity"})
            assert plain.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            body = await plain.read()
            zipped = await http.get(f"{url}/metrics", headers={"Accept-Encoding": "gzip"})
            assert zipped.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(await zipped.read()) == body
            assert b'cause_id="pop-phu-vang"' in body

    run(go)


def test_node_graph_shape_and_snapshot_round_trip() -> None:
    holder = ready_holder()

    async def go() -> None:
        async with serving(holder) as url, aiohttp.ClientSession() as http:
            nodes: list[dict[str, Any]] = await (
                await http.get(f"{url}/topology/nodes.json")
            ).json()
            edges: list[dict[str, Any]] = await (
                await http.get(f"{url}/topology/edges.json")
            ).json()
            snap = snapshot_from_json(await (await http.get(f"{url}/api/snapshot")).text())
        ids = {n["id"] for n in nodes}
        assert ids == {d.id for d in snap.devices}
        for n in nodes:
            assert {"id", "title", "subtitle", "mainstat", "color"} <= set(n)
            arcs = ("arc__up", "arc__down", "arc__unknown", "arc__unreachable")
            assert abs(sum(n[a] for a in arcs) - 1) < 1e-9
        assert all(e["source"] in ids and e["target"] in ids for e in edges)
        assert {e["id"] for e in edges} >= {lk.id for lk in snap.links}
        down = {n["id"] for n in nodes if n["arc__down"] == 1}
        behind = {n["id"] for n in nodes if n["arc__unreachable"] == 1}
        # In-band (the default): the PoP is down, the CPEs silent behind it are unreachable.
        assert down == {"pop-phu-vang"} and behind == PV_DEAD - down
        assert snap == holder.get().snapshot

    run(go)


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")
def test_topology_svg() -> None:
    async def go() -> None:
        async with serving(ready_holder()) as url, aiohttp.ClientSession() as http:
            r = await http.get(f"{url}/topology.svg")
            assert r.status == 200 and r.content_type == "image/svg+xml"
            assert "<svg" in await r.text()

    run(go)


def test_reload_goes_through_the_callback_and_reports_failure() -> None:
    good, bad = Reloads(True), Reloads(False)

    async def go() -> None:
        async with aiohttp.ClientSession() as http:
            async with serving(ready_holder(), good) as url:
                assert (await http.post(f"{url}/-/reload")).status == 200
                assert (await http.get(f"{url}/-/reload")).status == 405
            async with serving(ready_holder(), bad) as url:
                r = await http.post(f"{url}/-/reload")
                assert r.status == 500 and "x.yaml:3:1" in await r.text()

    run(go)
    assert good.calls == 1 and bad.calls == 1


def test_reload_over_http_only_when_the_lifecycle_api_is_enabled() -> None:
    """As Prometheus' --web.enable-lifecycle: off by default, 403 without calling back."""
    reloads = Reloads(True)

    async def go() -> None:
        async with (
            aiohttp.ClientSession() as http,
            serving(ready_holder(), reloads, lifecycle=False) as url,
        ):
            for method in (http.post, http.put):
                r = await method(f"{url}/-/reload")
                assert (r.status, await r.text()) == (403, "Lifecycle API is not enabled.\n")

    run(go)
    assert reloads.calls == 0


def test_no_parameter_or_header_changes_what_is_served_or_probed() -> None:
    """Nothing in a request reaches the poller: the only effect a request can have is the
    reload callback, and only on POST /-/reload."""
    holder, reloads = ready_holder(), Reloads()
    hostile = [
        "target=10.0.0.1",
        "module=if_mib&target=8.8.8.8",
        "address=127.0.0.2",
        "x=" + "a" * 5000,
    ]
    headers = {"X-Prometheus-Scrape-Timeout-Seconds": "0.001", "X-Target": "192.0.2.1"}

    async def go() -> None:
        async with serving(holder, reloads) as url, aiohttp.ClientSession() as http:
            plain = await (await http.get(f"{url}/metrics")).read()
            for path in ("/metrics", "/", "/topology/nodes.json", "/api/snapshot", "/-/ready"):
                for q in hostile:
                    r = await http.get(f"{url}{path}?{q}", headers=headers)
                    assert r.status == 200
            assert await (await http.get(f"{url}/metrics?target=1.1.1.1")).read() == plain

    version = holder.version
    run(go)
    assert reloads.calls == 0 and holder.version == version


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()


def test_basic_auth_from_web_config(tmp_path: Path) -> None:
    cfg = tmp_path / "web.yml"
    cfg.write_text(f"basic_auth_users:\n  prometheus: '{_hash('s3cret-pw')}'\n")
    web = load_web_config(cfg)

    def auth(user: str, pw: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()}

    async def go() -> None:
        async with serving(ready_holder(), web=web) as url, aiohttp.ClientSession() as http:
            assert (await http.get(f"{url}/metrics")).status == 401
            assert (
                await http.get(f"{url}/metrics", headers=auth("prometheus", "nope"))
            ).status == 401
            assert (
                await http.get(f"{url}/metrics", headers=auth("other", "s3cret-pw"))
            ).status == 401
            for _ in range(2):  # the second time from the success cache
                r = await http.get(f"{url}/metrics", headers=auth("prometheus", "s3cret-pw"))
                assert r.status == 200
            assert "s3cret-pw" not in await r.text()

    run(go)


def test_web_config_refuses_plain_passwords_and_unknown_keys(tmp_path: Path) -> None:
    cfg = tmp_path / "web.yml"
    cfg.write_text("basic_auth_users:\n  prometheus: hunter2-plain\n")
    with pytest.raises(WebConfigError) as err:
        load_web_config(cfg)
    assert "hunter2" not in str(err.value)
    cfg.write_text("tls_server_config: {cert_file: a.crt}\n")
    with pytest.raises(WebConfigError, match="both"):
        load_web_config(cfg)
    cfg.write_text("basic_auth_user: {}\n")
    with pytest.raises(WebConfigError, match="unknown"):
        load_web_config(cfg)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_tls_from_web_config(tmp_path: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(tmp_path / "tls.key"),
            "-out",
            str(tmp_path / "tls.crt"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    cfg = tmp_path / "web.yml"
    cfg.write_text("tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n")
    web = load_web_config(cfg)
    client = ssl.create_default_context(cafile=str(tmp_path / "tls.crt"))
    client.check_hostname = False

    async def go() -> None:
        async with serving(ready_holder(), web=web) as url, aiohttp.ClientSession() as http:
            assert url.startswith("https://")
            assert (await http.get(f"{url}/-/healthy", ssl=client)).status == 200
            with pytest.raises(aiohttp.ClientError):
                await http.get(url.replace("https", "http") + "/-/healthy")

    run(go)


def test_listen_parsing_defaults_to_loopback() -> None:
    assert parse_listen(":10467") == ("127.0.0.1", 10467)
    assert parse_listen("[::1]:9") == ("::1", 9)
    for bad in ("10467", "host:", "h:70000", "h:abc"):
        with pytest.raises(ValueError):
            parse_listen(bad)
