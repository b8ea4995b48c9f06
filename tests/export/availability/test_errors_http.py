"""/api/availability against the backfilled Prometheus, and what the command and the endpoint
say when Prometheus is down, answers garbage, or the dates are wrong: a message, never a
traceback; exit 1 / 502 for Prometheus, exit 2 / 400 for the dates."""

from __future__ import annotations

import asyncio
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from export import synth
from export.availability import synthmonth as sm
from export.availability.conftest import Backfilled
from export.availability.promtsdb import free_port
from export.availability.test_backfill import expected_agency
from netmon.export.availability.service import AvailabilitySource
from netmon.export.http import ReloadOutcome, build_app, start_server
from netmon.export.state import ExportState, StateHolder


@contextmanager
def garbage_server() -> Iterator[str]:
    """Something on a loopback port that is not Prometheus (an HTML page for every path)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<html><body>router login</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "netmon"
    return subprocess.run(
        [str(exe), "report", "availability", "-c", "/nonexistent/config.yaml", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_command_errors_are_messages() -> None:
    down = _cli("-p", f"http://127.0.0.1:{free_port()}", "--month", "2025-11")
    assert down.returncode == 1
    assert "netmon: error: cannot reach Prometheus at http://127.0.0.1:" in down.stderr
    with garbage_server() as url:
        junk = _cli("-p", url, "--month", "2025-11")
    assert junk.returncode == 1
    assert "not Prometheus' JSON API: is it a Prometheus server?" in junk.stderr
    bad = _cli("-p", "http://127.0.0.1:9", "--from", "2025-11-31", "--to", "2025-12-01")
    assert bad.returncode == 2
    assert "'2025-11-31' is not a date of the calendar" in bad.stderr
    assert "e.g. --from 2025-11-01 --to 2025-12-01" in bad.stderr
    backwards = _cli("-p", "http://127.0.0.1:9", "--from", "2025-12-01", "--to", "2025-11-01")
    assert backwards.returncode == 2 and "the period is empty" in backwards.stderr
    nowhere = _cli("--month", "2025-11")
    assert nowhere.returncode == 2 and "availability.prometheus" in nowhere.stderr
    not_url = _cli("-p", "localhost:9090", "--month", "2025-11")
    assert not_url.returncode == 1 and "write http://HOST:PORT" in not_url.stderr
    for done in (down, junk, bad, backwards, nowhere, not_url):
        assert "Traceback" not in done.stderr


async def _get(source: AvailabilitySource | None, path: str) -> tuple[int, str, str]:
    async def reload() -> ReloadOutcome:
        return ReloadOutcome(False, "not here")

    port = free_port()
    app = build_app(
        StateHolder(ExportState(synth.facts())),  # the endpoint needs no snapshot
        reload,
        availability=(lambda: source) if source else None,
    )
    runner = await start_server(app, f"127.0.0.1:{port}")
    try:
        async with (
            aiohttp.ClientSession() as http_,
            http_.get(f"http://127.0.0.1:{port}{path}") as resp,
        ):
            return resp.status, resp.headers.get("Content-Type", ""), await resp.text()
    finally:
        await runner.cleanup()


def _source(url: str | None) -> AvailabilitySource:
    return AvailabilitySource(url, "Asia/Ho_Chi_Minh", ("province", "district", "commune"))


@pytest.mark.slow
def test_the_endpoint_serves_the_month(backfilled: Backfilled) -> None:
    status, ctype, body = asyncio.run(
        _get(_source(backfilled.url), "/api/availability?from=2025-11-01&to=2025-12-01")
    )
    assert status == 200 and ctype.startswith("application/json"), body
    doc = json.loads(body)
    assert doc["total"]["down_s"] == sum(expected_agency(a.id).down_s for a in sm.AGENCIES)
    assert [c["id"] for c in doc["levels"]] == ["province", "district", "commune"]
    status, ctype, body = asyncio.run(
        _get(_source(backfilled.url), "/api/availability?month=2025-11&level=commune&format=html")
    )
    assert status == 200 and ctype.startswith("text/html")
    assert "Báo cáo khả dụng kết nối MetroNet" in body and "UBND xã Phú Hồ" in body
    assert "UBND huyện A Lưới" not in body  # district level, not selected


def test_the_endpoint_says_what_is_wrong() -> None:
    status, _, body = asyncio.run(_get(None, "/api/availability?month=2025-11"))
    assert status == 503 and "availability.prometheus" in body
    status, _, body = asyncio.run(
        _get(_source(f"http://127.0.0.1:{free_port()}"), "/api/availability?month=2025-11")
    )
    assert status == 502 and "cannot reach Prometheus" in body
    with garbage_server() as url:
        status, _, body = asyncio.run(_get(_source(url), "/api/availability?month=2025-11"))
    assert status == 502 and "is it a Prometheus server?" in body
    status, _, body = asyncio.run(_get(_source("http://127.0.0.1:9"), "/api/availability?from=x"))
    assert status == 400 and "example: /api/availability?from=2025-11-01&to=2025-12-01" in body
    status, _, body = asyncio.run(
        _get(_source("http://127.0.0.1:9"), "/api/availability?month=2025-11&below=lots")
    )
    assert status == 400 and "below=" in body
    status, _, body = asyncio.run(
        _get(_source("http://127.0.0.1:9"), "/api/availability?month=2025-11&format=pdf")
    )
    assert status == 400 and "format=" in body
