"""Helpers for the map's browser tests: Debian's chromium driven by Selenium (chromium-driver),
and netmon's HTTP server serving a chosen state from a thread.

Chromium runs headless with a new empty profile, no network of its own (no background
requests, updates, QUIC, sync), and is quit (with its driver) when the test ends.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from netmon.export.http import ReloadOutcome, build_app, start_server
from netmon.export.state import ExportState, StateHolder

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
SCREEN = (1600, 900)


def browser_missing() -> str | None:
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        return "Debian's chromium and chromium-driver are needed (make install as root adds them)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install '.[test]')"
    return None


@contextmanager
def chromium(profile: Path, size: tuple[int, int] = SCREEN) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        # The page's viewport, not the window, is the screen an operator has: grow the window
        # by whatever the browser keeps for itself.
        driver.set_window_size(*size)
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        driver.set_window_size(2 * size[0] - inner[0], 2 * size[1] - inner[1])
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(state: ExportState) -> Iterator[tuple[str, StateHolder]]:
    """netmon's HTTP app on 127.0.0.1 in a thread of its own; yields (base URL, holder).
    Setting a new state on the holder (from the test) is what a cycle does in `serve`."""
    holder = StateHolder(state)
    loop = asyncio.new_event_loop()
    port = free_port()
    started = threading.Event()
    stop = asyncio.Event()

    async def reload() -> ReloadOutcome:
        return ReloadOutcome(True, "ok")

    async def main() -> None:
        runner = await start_server(build_app(holder, reload), f"127.0.0.1:{port}")
        started.set()
        await stop.wait()
        await runner.cleanup()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(30), "netmon's HTTP server did not start"
    try:
        yield f"http://127.0.0.1:{port}", holder
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()


def wait_until(what: Callable[[], Any], timeout: float = 30, message: str = "") -> Any:
    """Poll `what` until it returns something true; fail with `message` after `timeout` s.
    (A bound on waiting, not a timed assertion: nothing here measures speed.)"""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met within {timeout} s")
        time.sleep(0.2)
