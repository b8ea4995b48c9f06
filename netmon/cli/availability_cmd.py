"""`netmon report availability`: what share of a month each agency was connected, measured
from the operator's Prometheus (the composition root's part: options, config.yaml, the
inventory's order of levels and groups; the work is in netmon.export.availability)."""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from netmon.cli.options import ConfigOpt, InventoryOpt
from netmon.errors import NetmonError
from netmon.export.availability.period import EXAMPLE, PeriodError, make_period

if TYPE_CHECKING:
    from netmon.export.availability.compute import Selection
    from netmon.model.availability import AvailabilityReport, Period


class AvailabilityOutput(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


def availability_cmd(
    prometheus: Annotated[
        str | None,
        typer.Option(
            "--prometheus",
            "-p",
            help="the Prometheus that scrapes netmon, e.g. http://127.0.0.1:9090 "
            "(default: config.yaml's availability.prometheus)",
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="first day (YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="the day after the last (excluded), YYYY-MM-DD[THH:MM]"),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option("--month", help="a calendar month, YYYY-MM (instead of --from/--to)"),
    ] = None,
    level: Annotated[str | None, typer.Option("--level", help="only this level")] = None,
    group: Annotated[str | None, typer.Option("--group", help="only this group (district)")] = None,
    below: Annotated[
        float,
        typer.Option("--below", min=0, max=100, help="list agencies under this availability %"),
    ] = 99.5,
    output: Annotated[
        AvailabilityOutput, typer.Option("--output", "-o", help="table | json | csv | html")
    ] = AvailabilityOutput.table,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="time zone of dates and times (default: config.yaml's "
            "availability.timezone, Asia/Ho_Chi_Minh)",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, max=600, help="seconds per Prometheus query")
    ] = 30.0,
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 when any agency is under --below")
    ] = False,
    config: ConfigOpt = Path("config.yaml"),
    inventory: InventoryOpt = Path("inventory"),
) -> None:
    """Availability per agency, level, group and service over a period, the outages with the
    cause netmon named, measured from Prometheus. Time netmon was not running is unknown:
    counted neither up nor down.

    \b
    Examples:
      netmon report availability -p http://127.0.0.1:9090 --month 2025-11
      netmon report availability --month 2025-11 -o html > metronet-2025-11.html
      netmon report availability --from 2025-11-01 --to 2025-12-01 -o json
      netmon report availability --month 2025-11 --level commune --below 99.9 -o csv
      netmon report availability --from 2025-11-10T08:00 --to 2025-11-10T12:00

    --to is excluded: --to 2025-12-01 ends with the last minute of November (--to 2025-11
    means through the end of November). Install the recording rules of
    exporters/prometheus/rules/ (groups netmon-availability*) so a month costs a few
    queries; without them the report computes from raw samples, slowly. docs/availability.md.
    """
    # Imported here: `report` registers this command, and `report spof` should not pay for
    # the config, HTTP client and report modules (about 0.2 s) it does not use.
    from netmon.config import Settings, load_config
    from netmon.export.availability.compute import Selection
    from netmon.export.report.availability import render

    settings = load_config(config) if config.is_file() else Settings()
    url = prometheus or settings.availability_prometheus
    if not url:
        raise typer.BadParameter(
            "no Prometheus to ask: pass --prometheus http://HOST:9090 or set "
            "availability.prometheus in config.yaml",
            param_hint="--prometheus",
        )
    try:
        period = make_period(start, end, month, tz or settings.availability_timezone, time.time())
    except PeriodError as exc:
        raise typer.BadParameter(f"{exc} ({EXAMPLE})", param_hint="--from/--to/--month") from None
    selection = Selection(level, group, below, *_order(inventory))
    import asyncio  # here: `netmon report`'s other views import this module, not asyncio

    report = asyncio.run(_measure(url, timeout, period, selection))
    sys.stdout.write(render(report, output.value))
    if report.period.clipped:
        print("netmon: the period ends in the future: figures up to now", file=sys.stderr)
    if not report.agencies:
        print(
            "netmon: Prometheus has no netmon agency series in this period "
            "(is it the Prometheus that scrapes netmon?)",
            file=sys.stderr,
        )
    if report.sources.raw_s > 7200:
        print(
            f"netmon: {report.sources.raw_s // 3600} h of the period were computed from raw "
            "samples (no recorded hour covers them): install the netmon-availability rules",
            file=sys.stderr,
        )
    if check and report.below():
        print(f"netmon: {len(report.below())} agencies under {below:g} %", file=sys.stderr)
        raise typer.Exit(1)


async def _measure(
    url: str, timeout: float, period: Period, selection: Selection
) -> AvailabilityReport:
    from netmon.export.availability.client import PrometheusClient
    from netmon.export.availability.compute import availability

    async with PrometheusClient(url, timeout_s=timeout) as client:
        return await availability(client, period, selection)


def _order(inventory: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Levels and groups in the inventory's order when it can be read (presentation only:
    the figures come from Prometheus alone); by id otherwise."""
    from netmon.inventory import load_inventory

    if not inventory.exists():
        return (), ()
    try:
        inv = load_inventory(inventory)
    except NetmonError:
        print(f"netmon: {inventory} not readable: levels and groups listed by id", file=sys.stderr)
        return (), ()
    return tuple(lv.id for lv in inv.levels), tuple(g.id for g in inv.groups)


__all__ = ["EXAMPLE", "availability_cmd"]
