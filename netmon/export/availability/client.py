"""Prometheus' HTTP API, the few calls the report needs, each one bounded.

Every query has a deadline on both sides (Prometheus' own `timeout` parameter, and the
client's); queries run at most `concurrency` at a time, so a report never floods the
operator's Prometheus. Anything but a well-formed answer becomes a PrometheusError that says
what happened, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from netmon.errors import PrometheusError

# One sample: (UTC seconds, value); one series: its labels and its samples.
Sample = tuple[float, float]


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    samples: tuple[Sample, ...]

    @property
    def value(self) -> float:
        return self.samples[-1][1]


def check_url(url: str) -> str:
    """http(s)://host[:port][/path], without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PrometheusError(
            f"--prometheus {url!r} is not a Prometheus URL: write http://HOST:PORT, "
            "e.g. http://127.0.0.1:9090"
        )
    return url.strip().rstrip("/")


@dataclass
class Stats:
    queries: int = 0
    seconds: float = 0.0
    log: list[str] = field(default_factory=list)


class PrometheusClient:
    def __init__(self, url: str, timeout_s: float = 30.0, concurrency: int = 4) -> None:
        self.url = check_url(url)
        self.timeout_s = timeout_s
        self._gate = asyncio.Semaphore(concurrency)
        self._session: aiohttp.ClientSession | None = None
        self.stats = Stats()

    async def __aenter__(self) -> PrometheusClient:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self.timeout_s + 5)
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def query(self, expr: str, at: float) -> list[Series]:
        """An instant query at `at` (UTC seconds): a vector or, for a range selector or a
        subquery, a matrix; both come back as series."""
        data = await self._post("/api/v1/query", {"query": expr, "time": f"{at:.3f}"})
        kind, result = data.get("resultType"), data.get("result")
        if not isinstance(result, list) or kind not in ("vector", "matrix"):
            raise PrometheusError(f"Prometheus at {self.url} answered an unexpected {kind!r}")
        try:
            if kind == "vector":
                return [Series(r["metric"], (_sample(r["value"]),)) for r in result]
            return [Series(r["metric"], tuple(_sample(v) for v in r["values"])) for r in result]
        except (KeyError, TypeError, ValueError, IndexError):
            raise PrometheusError(
                f"Prometheus at {self.url} answered a malformed {kind} to {expr[:80]!r}"
            ) from None

    async def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        assert self._session is not None, "use `async with PrometheusClient(...)`"
        form = {**form, "timeout": f"{self.timeout_s:g}s"}
        async with self._gate:
            began = time.perf_counter()
            try:
                async with asyncio.timeout(self.timeout_s + 5):
                    async with self._session.post(self.url + path, data=form) as resp:
                        body = await resp.read()
                        status, ctype = resp.status, resp.headers.get("Content-Type", "")
            except TimeoutError:
                raise PrometheusError(
                    f"Prometheus at {self.url} did not answer within {self.timeout_s:g} s"
                ) from None
            except aiohttp.ClientError as exc:
                raise PrometheusError(
                    f"cannot reach Prometheus at {self.url}: {exc or type(exc).__name__}"
                ) from None
            finally:
                self.stats.queries += 1
                self.stats.seconds += time.perf_counter() - began
                self.stats.log.append(form["query"][:120])
        return _answer(self.url, status, ctype, body)


def _answer(url: str, status: int, ctype: str, body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except ValueError:
        raise PrometheusError(
            f"{url} answered HTTP {status} with {ctype or 'no content type'}, not Prometheus' "
            "JSON API: is it a Prometheus server?"
        ) from None
    if not isinstance(doc, dict) or doc.get("status") not in ("success", "error"):
        raise PrometheusError(f"{url} answered JSON that is not Prometheus' API (HTTP {status})")
    if doc["status"] == "error":
        raise PrometheusError(
            f"Prometheus at {url} refused a query: {doc.get('error', '?')} "
            f"({doc.get('errorType', 'HTTP ' + str(status))})"
        )
    data = doc.get("data")
    if not isinstance(data, dict):
        raise PrometheusError(f"Prometheus at {url} answered without data (HTTP {status})")
    return data


def _sample(pair: Any) -> Sample:
    t, v = pair
    value = float(v)
    if math.isnan(value):
        value = 0.0  # never produced by netmon's 0/1 gauges; keep sums finite
    return float(t), value
