"""`/api/availability?from=&to=`: the report over HTTP, for a dashboard or another system (no
period given: this month so far).

It asks the Prometheus that config.yaml names (`availability.prometheus`), never one named in
the request: a query parameter cannot point netmon at an address. Reports run one at a time
(a month costs Prometheus a few queries, but a loop of requests must not multiply that), and
each answer says what went wrong in words: 400 for a period that cannot be used, 502 when
Prometheus cannot answer, 503 when no Prometheus is configured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from netmon.errors import PrometheusError
from netmon.export.availability.client import PrometheusClient
from netmon.export.availability.compute import Selection, availability
from netmon.export.availability.period import PeriodError, make_period
from netmon.export.report.availability import CONTENT_TYPES, render

QUERY_TIMEOUT_S = 30.0
HTTP_EXAMPLE = "/api/availability?from=2025-11-01&to=2025-12-01 (or ?month=2025-11&format=html)"


@dataclass(frozen=True)
class AvailabilitySource:
    """What the endpoint needs from the running service, read on every request (a reload
    may change it): config.yaml's Prometheus and time zone, the inventory's order of levels
    and groups."""

    prometheus: str | None
    timezone: str
    level_order: tuple[str, ...] = ()
    group_order: tuple[str, ...] = ()


def handler(
    source: Callable[[], AvailabilitySource],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    gate = asyncio.Lock()

    async def api_availability(request: web.Request) -> web.Response:
        src = source()
        if not src.prometheus:
            return web.Response(
                status=503,
                text="No Prometheus configured for availability reports: set "
                "availability.prometheus in config.yaml (e.g. http://127.0.0.1:9090).\n",
            )
        q = request.query
        fmt = q.get("format", "json")
        if fmt not in CONTENT_TYPES:
            return _bad(f"format={fmt!r}: use json, html, csv or table")
        now = time.time()
        month = q.get("month")
        if month is None and q.get("from") is None and q.get("to") is None:
            month = datetime.fromtimestamp(now, ZoneInfo(src.timezone)).strftime("%Y-%m")
        try:
            period = make_period(q.get("from"), q.get("to"), month, src.timezone, now)
            threshold = float(q.get("below", "99.5"))
        except PeriodError as exc:
            return _bad(str(exc))
        except ValueError:
            return _bad("below= must be a percentage, e.g. below=99.5")
        if not 0 <= threshold <= 100:
            return _bad("below= must be between 0 and 100")
        selection = Selection(
            q.get("level") or None,
            q.get("group") or None,
            threshold,
            src.level_order,
            src.group_order,
        )
        try:
            async with gate, PrometheusClient(src.prometheus, QUERY_TIMEOUT_S) as client:
                report = await availability(client, period, selection)
        except PrometheusError as exc:
            return web.Response(status=502, text=f"{exc}\n")
        body = await asyncio.to_thread(render, report, fmt)
        ctype = CONTENT_TYPES[fmt].split(";")[0]
        return web.Response(text=body, content_type=ctype, charset="utf-8")

    return api_availability


def _bad(message: str) -> web.Response:
    return web.Response(status=400, text=f"{message}\nexample: {HTTP_EXAMPLE}\n")
