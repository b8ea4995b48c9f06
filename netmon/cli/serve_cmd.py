"""`netmon serve`: poll on the interval, build a Snapshot each cycle, serve it over HTTP.

The composition root for the long-running service: the poller probes, topology builds the
Snapshot, export renders it. Each cycle's result is swapped in whole (StateHolder.set), so a
scrape sees one cycle or the next, never half of each. SIGHUP (or POST /-/reload, with
--enable-lifecycle) re-reads the inventory and config.yaml; if either is invalid (or a lab
inventory would be probed outside the lab) the old ones stay and
netmon_reload_failures_total / netmon_*_load_success say so.
SIGTERM or SIGINT: the cycle under way gets a short grace, then the server closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, TypeVar

import typer

import netmon
from netmon.cli.options import ConfigOpt, InventoryOpt
from netmon.cli.safety import ensure_may_probe, ensure_secrets, unusable_secrets
from netmon.cli.sharding import Plan, ShardByOpt, ShardOpt
from netmon.config import Settings, load_config
from netmon.errors import NetmonError
from netmon.export.availability.service import AvailabilitySource
from netmon.export.http import ReloadOutcome, build_app, parse_listen, start_server
from netmon.export.state import (
    AgencyDebounce,
    CycleSummary,
    ExportState,
    LoadStatus,
    ServiceFacts,
    StateHolder,
)
from netmon.export.webconfig import WebConfig, WebConfigError, load_web_config
from netmon.inventory import load_inventory
from netmon.inventory.cache import InventoryCache
from netmon.model import Inventory, Snapshot
from netmon.poller import CycleResult, Poller, Selection, Shard

log = logging.getLogger("netmon.serve")
T = TypeVar("T")
STOP_GRACE_S = 2.0  # how long a cycle under way may run on after SIGTERM


def summary(result: CycleResult) -> CycleSummary:
    # The probe metrics say what each probe returned this cycle (`fresh`): a silent device is
    # netmon_probe_success 0 at once. `results` carries its last good answer for a few cycles
    # (poller/carry.py), which is what topology, and so the Snapshot, should believe.
    return CycleSummary(
        number=result.number,
        started_at=result.started_at,
        duration_s=result.duration_s,
        results=result.fresh or result.results,
        agencies=tuple(
            AgencyDebounce(a.id, a.reachable, a.consecutive_failures, a.down)
            for a in result.agencies
        ),
        cut_by_deadline=result.cut_by_deadline,
    )


class Service:
    """Owns the poller's lifetime across reloads; all of it runs in one event loop."""

    def __init__(
        self,
        inventory_dir: Path,
        config_path: Path,
        inventory: Inventory,
        settings: Settings,
        shard: Shard | None = None,
        make_poller: Callable[[Inventory, Settings, Selection], Poller] = Poller,
        plan: Plan | None = None,
    ) -> None:
        self.make_poller = make_poller  # tests pass a Poller with fake probes
        self.inventory_dir, self.config_path = inventory_dir, config_path
        self.inventory, self.settings, self.shard = inventory, settings, shard
        self._plan = plan  # the start-up's, for the first run (a reload makes a new one)
        now = time.time()
        facts = ServiceFacts(
            version=netmon.__version__,
            started_at=now,
            interval_s=settings.interval_s,
            deadline_s=settings.deadline_s,
            down_after=settings.down_after,
            inventory=LoadStatus(True, now),
            config=LoadStatus(True, now),
            shard=str(shard or Shard.whole()),
            shard_by=shard.by if shard else "hash",
        )
        self.holder = StateHolder(ExportState(facts))
        self._restart = asyncio.Event()
        self._reload_lock = asyncio.Lock()

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop`; a successful reload restarts the poller with the new inputs."""
        while not stop.is_set():
            self._restart.clear()
            inv, settings = self.inventory, self.settings
            # One Topology per inventory: its design is analysed here, once, off the loop, and
            # each cycle pays only for the current state. A reload brings a new one, and with
            # it the shard's plan (what it polls and owns).
            plan, self._plan = self._plan, None
            if plan is None or plan.inventory is not inv or plan.management != settings.management:
                plan = await asyncio.to_thread(Plan.of, inv, self.shard, None, settings.management)
            state = self.holder.get()
            facts = replace(state.facts, shard_agencies=plan.sizes, inventory_name=inv.name)
            self.holder.set(replace(state, facts=facts))
            poller = self.make_poller(inv, settings, plan.selection())
            if poller.skipped:
                log.warning("probes not available, skipped: %s", ", ".join(poller.skipped))
            for problem in poller.credential_problems:
                log.warning("credentials: %s", problem)
            inner = asyncio.Event()
            watch = asyncio.create_task(_first(stop, self._restart, inner))

            async def on_cycle(result: CycleResult, plan: Plan = plan) -> None:
                await self._publish(plan, result)

            task = asyncio.create_task(poller.run(on_cycle, inner, on_settled=on_cycle))
            try:
                await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():  # a cycle under way gets a short grace, then is cancelled
                    await asyncio.wait({task}, timeout=STOP_GRACE_S)
                else:  # reload: the cycle under way finishes, then the new poller starts
                    await asyncio.wait({task}, timeout=settings.deadline_s + STOP_GRACE_S)
            finally:
                for t in (task, watch):
                    t.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await t
                await poller.aclose()

    async def _publish(self, plan: Plan, result: CycleResult) -> None:
        # A snapshot is CPU work (milliseconds at 467 agencies, a second at 30,000): off the
        # loop, so scrapes are answered meanwhile. A shard exports its share of it.
        def build() -> Snapshot:
            return plan.snapshot(plan.topology.snapshot(result.results))

        snap = await asyncio.to_thread(build)
        state = self.holder.get()
        if not result.complete:
            # The early view (poller/settle.py) brings the verdict, not the cycle: the probe
            # metrics and cycle counters stay the last complete cycle's until this one ends.
            self.holder.set(replace(state, snapshot=snap))
            log.info(
                "cycle %d settled early: %.2f s, %d/%d agencies reachable, slow probes running",
                result.number,
                result.duration_s,
                snap.coverage.total.reachable,
                snap.coverage.total.total,
            )
            return
        self.holder.set(state.with_cycle(snap, plan.cycle(summary(result))))
        log.info(
            "cycle %d: %.2f s, %d/%d agencies reachable, %d probes cut by the deadline",
            result.number,
            result.duration_s,
            snap.coverage.total.reachable,
            snap.coverage.total.total,
            result.cut_by_deadline,
        )

    async def reload(self) -> ReloadOutcome:
        async with self._reload_lock:
            now = time.time()
            facts = self.holder.get().facts
            settings, config_error = await _try(load_config, self.config_path)
            inv, inventory_error = await _try(load_inventory, self.inventory_dir)
            if inv is not None and not inventory_error:
                try:
                    ensure_may_probe(inv)
                except NetmonError as exc:
                    inv, inventory_error = None, str(exc)
            if settings is not None and inv is not None:
                # a secret the new files need that cannot be read: refused like a bad file
                # what this shard would poll of the new inventory (kept for the run if it is
                # accepted: at national size a plan is a Topology, a second or two)
                plan = await asyncio.to_thread(Plan.of, inv, self.shard, None, settings.management)
                unusable = unusable_secrets(settings, inv, plan.selection())
                self._plan = None if unusable else plan
                if unusable:
                    settings, config_error = None, "; ".join(unusable)
            ok = settings is not None and inv is not None
            new = replace(
                facts,
                reloads=facts.reloads + 1,
                reload_failures=facts.reload_failures + (not ok),
                config=LoadStatus(
                    not config_error, now if ok else facts.config.loaded_at, config_error
                ),
                inventory=LoadStatus(
                    not inventory_error, now if ok else facts.inventory.loaded_at, inventory_error
                ),
            )
            if settings is not None and inv is not None:
                if settings.listen != self.settings.listen:
                    log.warning("listen address changed in config: takes effect on restart")
                self.inventory, self.settings = inv, settings
                new = replace(
                    new,
                    interval_s=settings.interval_s,
                    deadline_s=settings.deadline_s,
                    down_after=settings.down_after,
                )
                self._restart.set()
            self.holder.set(replace(self.holder.get(), facts=new))
            if ok:
                log.info("reloaded: %d agencies", len(self.inventory.agencies))
                return ReloadOutcome(True, "reloaded")
            message = "; ".join(e for e in (config_error, inventory_error) if e)
            log.error("reload refused, keeping the previous inventory and config: %s", message)
            return ReloadOutcome(False, f"reload refused, previous state kept: {message}")


async def _try(load: Callable[[Path], T], path: Path) -> tuple[T | None, str]:
    """Load off the loop; a NetmonError becomes its message (file:line:col, never a secret)."""
    try:
        return await asyncio.to_thread(load, path), ""
    except NetmonError as exc:
        return None, str(exc)


async def _first(stop: asyncio.Event, restart: asyncio.Event, inner: asyncio.Event) -> None:
    """Set `inner` (the poller's stop) once either outer event is set."""
    waits = {asyncio.create_task(stop.wait()), asyncio.create_task(restart.wait())}
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
        inner.set()


def serve(
    listen: Annotated[
        str | None,
        typer.Option("--listen", help="HOST:PORT (default: config.yaml's listen)"),
    ] = None,
    inventory: InventoryOpt = Path("inventory"),
    config: ConfigOpt = Path("config.yaml"),
    web_config: Annotated[
        Path | None,
        typer.Option("--web-config", "--web.config.file", help="TLS and basic auth file"),
    ] = None,
    shard: ShardOpt = None,
    shard_by: ShardByOpt = "hash",
    log_level: Annotated[
        str, typer.Option("--log-level", help="debug, info, warning or error")
    ] = "info",
    enable_lifecycle: Annotated[
        bool,
        typer.Option(
            "--enable-lifecycle",
            "--web.enable-lifecycle",
            help="answer POST /-/reload (off: anyone reaching the port could make netmon "
            "re-read its files; SIGHUP always reloads)",
        ),
    ] = False,
) -> None:
    """Poll on the configured interval and serve /metrics, the topology and the snapshot.

    Examples:

    \b
      netmon lab exec noc -- netmon serve -i tests/data/lab-small
      netmon serve --listen 127.0.0.1:10467 --web-config web.yml
      kill -HUP $(pidof netmon)   # reload inventory and config.yaml
      netmon serve --enable-lifecycle   # and: curl -X POST 127.0.0.1:10467/-/reload
    """
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        print(
            f"netmon: error: --log-level {log_level!r}: use debug, info, warning or error",
            file=sys.stderr,
        )
        raise typer.Exit(2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # asyncssh logs every session at INFO: hundreds of lines a cycle. Its warnings still show,
    # and --log-level debug shows everything.
    if level > logging.DEBUG:
        logging.getLogger("asyncssh").setLevel(max(level, logging.WARNING))
    settings = load_config(config, on_warning=lambda p: log.warning("%s", p.render()))
    inv = load_inventory(inventory, cache=InventoryCache.default())
    ensure_may_probe(inv)
    address = listen or settings.listen
    try:
        parse_listen(address)
    except ValueError as exc:
        print(f"netmon: error: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    try:
        web = load_web_config(web_config) if web_config else None
        if web is not None:
            web.ssl_context()  # fail now, not at the first connection
    except WebConfigError as exc:
        # Invalid input a person wrote, like config.yaml: every problem, exit 1 (not usage, 2).
        for problem in exc.problems:
            print(problem.render(), file=sys.stderr)
        print(f"netmon: error: invalid web config {web_config}", file=sys.stderr)
        raise typer.Exit(1) from None
    split = Shard.parse(shard, shard_by) if shard else None
    plan = Plan.of(inv, split, management=settings.management)
    ensure_secrets(settings, inv, plan.selection())
    service = Service(inventory, config, inv, settings, split, plan=plan)
    asyncio.run(_serve(service, address, web, enable_lifecycle))


def _availability_source(service: Service) -> AvailabilitySource:
    """config.yaml's Prometheus and time zone and the inventory's order, as of now (reloads
    change them)."""
    settings, inv = service.settings, service.inventory
    return AvailabilitySource(
        settings.availability_prometheus,
        settings.availability_timezone,
        tuple(lv.id for lv in inv.levels),
        tuple(g.id for g in inv.groups),
    )


async def _serve(service: Service, address: str, web: WebConfig | None, lifecycle: bool) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    reloads: set[asyncio.Task[ReloadOutcome]] = set()

    def on_hup() -> None:
        task = loop.create_task(service.reload())
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGHUP, on_hup)
    app = build_app(
        service.holder,
        service.reload,
        web,
        lifecycle=lifecycle,
        availability=lambda: _availability_source(service),
    )
    runner = await start_server(app, address, web)
    log.info("serving on %s (%s)", address, "https" if web and web.cert_file else "http")
    try:
        await service.run(stop)
    finally:
        await runner.cleanup()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.remove_signal_handler(sig)
        log.info("stopped")
