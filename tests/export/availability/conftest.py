"""One real Prometheus for the package's tests, on a synthetic November backfilled with
promtool: first with netmon's raw series alone (the report measured then is kept), then with
the availability recording rules backfilled over the same month (what an operator does on
installing them), Prometheus restarted on both. Stopped by PID at the end."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from export.availability import promtsdb, synthmonth
from netmon.export.availability.client import PrometheusClient
from netmon.export.availability.compute import Selection, availability
from netmon.export.availability.period import make_period
from netmon.model.availability import AvailabilityReport


@dataclass(frozen=True)
class Backfilled:
    url: str  # Prometheus with raw series and recorded ones
    raw: AvailabilityReport  # the month measured before the rules were backfilled
    folder: Path


def measure(url: str, **selection: object) -> AvailabilityReport:
    async def go() -> AvailabilityReport:
        async with PrometheusClient(url) as client:
            period = make_period(None, None, "2025-11", "Asia/Ho_Chi_Minh", now=2e9)
            return await availability(client, period, Selection(**selection))  # type: ignore[arg-type]

    return asyncio.run(go())


@pytest.fixture(scope="package")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (apt-get install prometheus)")
    folder = tmp_path_factory.mktemp("availability")
    om, data, rules_out = folder / "month.om", folder / "data", folder / "rules-blocks"
    synthmonth.write(om)
    promtsdb.blocks_from_openmetrics(om, data)
    om.unlink()  # 150 MB
    log = folder / "prometheus.log"
    with promtsdb.prometheus(data, log) as url:
        raw = measure(url)
        promtsdb.blocks_from_rules(
            url,
            promtsdb.availability_rules(folder),
            synthmonth.DATA_START,
            synthmonth.DATA_END,
            rules_out,
        )
    for block in rules_out.iterdir():
        block.rename(data / block.name)
    with promtsdb.prometheus(data, log) as url:
        print(f"\nPrometheus on the backfilled month: {url} (data {data})")
        yield Backfilled(url, raw, folder)
