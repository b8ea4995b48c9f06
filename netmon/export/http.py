"""The exporter's HTTP server (aiohttp): renders the latest state, never probes.

No handler reads a header other than Authorization and Accept-Encoding, and none can start a
cycle: what netmon probes is decided by the inventory alone. Only /api/availability reads
query parameters (the period, the selection, the format); it asks the Prometheus config.yaml
names, never one named in the request. Reload is a
callback the composition root provides (it reloads inventory and config from their files,
never from the request).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from netmon.errors import RenderError
from netmon.export import landing, nodegraph, webmap
from netmon.export.access import access_middleware
from netmon.export.availability.service import AvailabilitySource
from netmon.export.availability.service import handler as availability_handler
from netmon.export.families import CONTENT_TYPE
from netmon.export.metrics import exposition
from netmon.export.report import render as render_report
from netmon.export.report.dot import pages as district_pages
from netmon.export.state import ExportState, StateHolder
from netmon.export.webconfig import WebConfig
from netmon.model import snapshot_to_json

log = logging.getLogger("netmon.http")


@dataclass(frozen=True)
class ReloadOutcome:
    ok: bool
    message: str


ReloadCallback = Callable[[], Awaitable[ReloadOutcome]]


class _Cache:
    """Per state version: the metrics (plain and gzipped) and the SVG, each made once, in a
    worker thread (the event loop keeps answering meanwhile), shared by concurrent requests."""

    def __init__(self, holder: StateHolder) -> None:
        self.holder = holder
        self._metrics: tuple[int, asyncio.Future[tuple[bytes, bytes]]] | None = None
        self._svg: dict[str | None, tuple[int, asyncio.Task[str]]] = {}

    def metrics(self) -> asyncio.Future[tuple[bytes, bytes]]:
        version = self.holder.version
        if self._metrics is None or self._metrics[0] != version:
            task = asyncio.ensure_future(asyncio.to_thread(_bodies, self.holder.get()))
            self._metrics = (version, task)
        return self._metrics[1]

    def svg(self, page: str | None = None) -> asyncio.Task[str]:
        """One graphviz run per state and page (None: the overview), shared by concurrent
        requests, off the event loop."""
        version = self.holder.version
        cached = self._svg.get(page)
        if cached is None or cached[0] != version:
            if any(v != version for v, _ in self._svg.values()):
                self._svg = {}  # a new state: drop the old pages
            snap = self.holder.get().snapshot
            assert snap is not None
            task = asyncio.ensure_future(
                asyncio.to_thread(render_report, snap, "topology", "svg", page)
            )
            cached = self._svg[page] = (version, task)
        return cached[1]


def _bodies(state: ExportState) -> tuple[bytes, bytes]:
    plain = exposition(state)
    return plain, gzip.compress(plain, compresslevel=1)


def build_app(
    holder: StateHolder,
    reload: ReloadCallback,
    web_config: WebConfig | None = None,
    *,
    lifecycle: bool = False,
    availability: Callable[[], AvailabilitySource] | None = None,
) -> web.Application:
    """`lifecycle`: answer POST/PUT /-/reload (off by default, as Prometheus'
    --web.enable-lifecycle: anyone who reaches the port could otherwise make netmon re-read
    its files; SIGHUP always works). `availability`: where /api/availability finds its
    Prometheus (config.yaml's, read on each request); without it the endpoint says 503."""
    cache = _Cache(holder)

    async def index(_: web.Request) -> web.Response:
        asks = availability is not None and bool(availability().prometheus)
        return web.Response(
            text=landing.page(holder.get(), availability=asks), content_type="text/html"
        )

    async def metrics(request: web.Request) -> web.Response:
        headers = {"Content-Type": CONTENT_TYPE}
        plain, zipped = await asyncio.shield(cache.metrics())
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return web.Response(body=zipped, headers=headers)
        return web.Response(body=plain, headers=headers)

    async def healthy(_: web.Request) -> web.Response:
        return web.Response(text="Healthy.\n")

    async def ready(_: web.Request) -> web.Response:
        if holder.get().ready:
            return web.Response(text="Ready.\n")
        return web.Response(status=503, text="Not ready: the first poll cycle has not ended.\n")

    async def do_reload(_: web.Request) -> web.Response:
        if not lifecycle:
            return web.Response(status=403, text="Lifecycle API is not enabled.\n")
        outcome = await reload()
        return web.Response(status=200 if outcome.ok else 500, text=outcome.message + "\n")

    def _no_snapshot() -> web.Response:
        return web.Response(status=503, text="No snapshot yet: the first cycle has not ended.\n")

    async def svg(request: web.Request) -> web.Response:
        snap = holder.get().snapshot
        if snap is None:
            return _no_snapshot()
        page = request.match_info.get("page")
        # A district page is one of the snapshot's own (never a file name or anything else).
        if page is not None and page not in district_pages(snap):
            return web.Response(status=404, text=f"No district page {page!r}.\n")
        try:
            text = await asyncio.shield(cache.svg(page))
        except RenderError as exc:
            return web.Response(status=503, text=f"Cannot draw the topology: {exc}\n")
        return web.Response(text=text, content_type="image/svg+xml")

    assets = webmap.load_assets()

    async def asset(request: web.Request) -> web.Response:
        found = assets[request.path]
        return web.Response(body=found.body, content_type=found.content_type)

    def _json(fn: Callable[..., object]) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(_: web.Request) -> web.Response:
            snap = holder.get().snapshot
            if snap is None:
                return _no_snapshot()
            return web.json_response(fn(snap), dumps=lambda v: json.dumps(v, ensure_ascii=False))

        return handler

    async def api_snapshot(_: web.Request) -> web.Response:
        snap = holder.get().snapshot
        if snap is None:
            return _no_snapshot()
        return web.Response(text=snapshot_to_json(snap), content_type="application/json")

    app = web.Application(middlewares=[access_middleware(web_config)])
    app.router.add_get("/", index)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/-/healthy", healthy)
    app.router.add_get("/-/ready", ready)
    app.router.add_post("/-/reload", do_reload)
    app.router.add_put("/-/reload", do_reload)
    app.router.add_get("/topology.svg", svg)
    app.router.add_get("/topology/{page}.svg", svg)
    for url in assets:
        app.router.add_get(url, asset)
    app.router.add_get("/topology/nodes.json", _json(nodegraph.nodes))
    app.router.add_get("/topology/edges.json", _json(nodegraph.edges))
    app.router.add_get("/api/snapshot", api_snapshot)
    app.router.add_get(
        "/api/availability",
        availability_handler(availability or (lambda: AvailabilitySource(None, ""))),
    )
    return app


def parse_listen(listen: str) -> tuple[str, int]:
    """HOST:PORT or [V6]:PORT; ValueError with what is wrong."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:  # 0: any free port
        raise ValueError(f"--listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:10467")
    host = host.strip("[]") or "127.0.0.1"
    return host, int(port)


async def start_server(
    app: web.Application, listen: str, web_config: WebConfig | None = None
) -> web.AppRunner:
    """Start serving; the caller stops with `await runner.cleanup()`."""
    host, port = parse_listen(listen)
    ssl_context = web_config.ssl_context() if web_config else None
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context, reuse_address=True)
    await site.start()
    return runner
