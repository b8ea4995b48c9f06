"""Work done in a forked copy of this process, its value sent back through a pipe.

A fork has all of this process's code and data already, so it can take part of a job (read
files, check references, write the cache) on another core and send back only what it found,
as `marshal` writes plain data (dicts, lists, str, numbers: fast, and no class is named).

Safety. can_fork() is true only in the main thread with no other thread running: a fork
copies one thread, and a lock another thread held would stay held in the child. The child
ends with os._exit whatever happens: it never runs this process's cleanup, flushes its output
buffers or returns into its caller, and its signals are the defaults. A child that fails, is
killed or sends nothing within CHILD_SECONDS gives None: the caller does that work itself.
"""

from __future__ import annotations

import atexit
import contextlib
import marshal
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

CHILD_SECONDS = 120.0  # what a child may take; the national inventory's largest part takes 0.5 s


def can_fork() -> bool:
    return (
        hasattr(os, "fork")
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


class Forked:
    """A value computed by a forked copy of this process (plain data, as marshal writes it)."""

    def __init__(self, pid: int, fd: int, then: bool) -> None:
        self._pid, self._fd, self._then = pid, fd, then
        self._deadline = time.monotonic() + CHILD_SECONDS

    @classmethod
    def start(
        cls, work: Callable[[], Any], then: Callable[[], object] | None = None
    ) -> Forked | None:
        """work() in a child; None when no child could be started (do the work here).
        then: what the child does once its value is sent (the parent does not wait for it:
        wait_all() does)."""
        try:
            readable, writable = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:  # out of processes or memory: the caller does the work
            os.close(readable)
            os.close(writable)
            return None
        if pid == 0:  # the child: never leaves this block
            code = 70
            try:
                os.close(readable)
                _quiet_signals()
                blob = memoryview(marshal.dumps(work()))
                while blob:
                    blob = blob[os.write(writable, blob) :]
                os.close(writable)  # the value is whole: the parent goes on
                if then is not None:
                    then()
                code = 0
            finally:
                os._exit(code)
        os.close(writable)
        return cls(pid, readable, then is not None)

    def result(self) -> Any | None:
        """The child's value, or None if it failed or took more than CHILD_SECONDS."""
        chunks = []
        try:
            while True:
                left = self._deadline - time.monotonic()
                if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                    self.stop()
                    return None
                chunk = os.read(self._fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            # Our own child's bytes, through a pipe only it and we hold: not outside input. A
            # child that died while writing left a truncated value, which does not load.
            return marshal.loads(b"".join(chunks))  # noqa: S302
        except (OSError, ValueError, EOFError, TypeError):
            self.stop()
            return None
        except BaseException:  # interrupted meanwhile: the child's work is not wanted
            self.stop()
            raise
        finally:
            self._close_pipe()
            if self._then:
                self.later()
            else:
                self._reaped(block=True)  # it is ending: reaped now, never left a zombie

    def later(self) -> None:
        """Nothing more is wanted from the child but its end: wait_all() waits for it (this
        process does when it exits, and the cache before it reads)."""
        self._close_pipe()
        if self._pid and not self._reaped(block=False):
            if not _LINGERING:
                atexit.register(wait_all)
            _LINGERING.append(self)

    def _reaped(self, block: bool) -> bool:
        """Whether the child has ended (and is reaped); with block, wait for it until the
        deadline, then stop it."""
        while self._pid:  # 0: reaped already (waitpid(0) would mean any child)
            try:
                pid, _ = os.waitpid(self._pid, os.WNOHANG)
            except ChildProcessError:
                pid = self._pid
            if pid:
                self._pid = 0
                return True
            if not block:
                return False
            if time.monotonic() >= self._deadline:
                self.stop()
                return True
            time.sleep(0.005)
        return True

    def stop(self) -> None:
        """Kill the child and reap it (its value, if any, is not read)."""
        self._close_pipe()
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0

    def _close_pipe(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


_LINGERING: list[Forked] = []  # children finishing their `then`, or writers nobody waits on


def wait_all() -> None:
    """Wait for every child still running its `then` (each bounded by its deadline)."""
    while _LINGERING:
        _LINGERING.pop()._reaped(block=True)


def _quiet_signals() -> None:
    """The child leaves signals to their defaults: Ctrl-C or SIGTERM ends it at once, and a
    signal never reaches the parent's handlers or its event loop's wake-up pipe through it."""
    if threading.current_thread() is not threading.main_thread():
        return  # a forced split from another thread: Python keeps the handlers (tests only)
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
