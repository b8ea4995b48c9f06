"""A large inventory on two cores: half its files read in a forked copy of this process, and
its references checked in another while this one builds the model.

Why: at national size (64 files, 11.5 MB) reading is 0.9 s, the reference checks 0.4 s and
the model 0.35 s of one core, and the machines netmon runs on have two or more. Threads would
not help (the work is Python code, under one interpreter lock); a forked child has all the
code and data already, and sends back only what it found.

What crosses, and why it is cheap: a child's files come back as plain dicts and lists through
`marshal` (C, no objects named: 0.05 s for the whole national inventory against 0.5 s to
pickle the reader's own containers). Plain data has no line and column marks, so a problem
that needs a position in a file read elsewhere raises PositionElsewhere, and the caller reads
those files again here and does the rest in this process (load.py): positions are needed only
for problems, and an inventory with problems is not the one to be fast on. The reference
checks send back their problems (usually none).

Safety. Only from the main thread with no other thread running (a fork copies one thread, and
a lock another thread held would stay held in the child), and only for an inventory of at
least SPLIT_BYTES. The child ends with os._exit whatever happens: it never runs this process's
cleanup, flushes its buffers or returns into its caller. Any failure of a child (it dies, is
killed, sends nothing within CHILD_SECONDS) makes this process do that part itself: same
results, one core's time.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from netmon.errors import Problem
from netmon.inventory.cache import InventoryCache
from netmon.yamlspec import Mapping

SPLIT_BYTES = 1_000_000  # below, a fork costs more than half the work saves (the lab: 0.26 MB)
CHILD_SECONDS = 120.0  # what a child may take; the national inventory's share takes 0.5 s


# One file's checked result: its problems, and its data when it is a mapping.
Read = tuple[list[Problem], Mapping | None]
# A file to read: its name, its bytes (None when unreadable) and the problems reading them gave.
ToRead = tuple[str, bytes | None, list[Problem]]
ReadOne = Callable[[str, bytes | None, list[Problem], InventoryCache | None], Read]


class PositionElsewhere(Exception):
    """A problem needs a line and column that data read in another process does not carry."""


def worth_splitting(size: int, split: bool | None) -> bool:
    """split: None decides by size and by the threads running; True forks whenever the
    platform can (tests); False never."""
    if split is False or not hasattr(os, "fork"):
        return False
    if split is True:
        return True
    return (
        size >= SPLIT_BYTES
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


class Forked:
    """A value computed by a forked copy of this process (plain data, as marshal writes it)."""

    def __init__(self, pid: int, fd: int) -> None:
        self._pid, self._fd = pid, fd

    @classmethod
    def start(cls, work: Callable[[], Any]) -> Forked | None:
        """work() in a child; None when no child could be started (do the work here)."""
        try:
            readable, writable = os.pipe()
            pid = os.fork()
        except OSError:
            return None
        if pid == 0:  # the child: never leaves this block
            code = 70
            try:
                os.close(readable)
                _quiet_signals()
                blob = memoryview(marshal.dumps(work()))
                while blob:
                    blob = blob[os.write(writable, blob) :]
                code = 0
            finally:
                os._exit(code)
        os.close(writable)
        return cls(pid, readable)

    def result(self) -> Any | None:
        """The child's value, or None if it failed or took more than CHILD_SECONDS."""
        chunks, deadline = [], time.monotonic() + CHILD_SECONDS
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                    return None
                chunk = os.read(self._fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                return None
            # Our own child's bytes, through a pipe only it and we hold: not outside input.
            return marshal.loads(b"".join(chunks))  # noqa: S302
        except (OSError, ValueError, EOFError, TypeError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child if it is still running (a result not wanted, an error meanwhile)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        if self._pid:
            pid, self._pid = self._pid, 0
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _quiet_signals() -> None:
    """The child leaves signals to their defaults: Ctrl-C or SIGTERM ends it at once, and a
    signal never reaches the parent's handlers or its event loop's wake-up pipe through it."""
    if threading.current_thread() is not threading.main_thread():
        return  # a forced split from another thread: Python keeps the handlers (tests only)
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def plain(value: Any) -> Any:
    """The reader's containers (dict and list subclasses with positions) as dicts and lists."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def shares(sizes: list[int]) -> tuple[list[int], list[int]]:
    """Indexes of the files this process reads and of those the child reads: the biggest first,
    each to the side with less to do, the child's work weighed 1.2 (it also makes its data
    plain and sends it)."""
    here: list[int] = []
    there: list[int] = []
    load_here = load_there = 0.0
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        if load_there + 1.2 * sizes[i] <= load_here + sizes[i]:
            there.append(i)
            load_there += 1.2 * sizes[i]
        else:
            here.append(i)
            load_here += sizes[i]
    return sorted(here), sorted(there)


def read_files(
    files: list[ToRead], read_one: ReadOne, cache: InventoryCache | None, split: bool | None
) -> tuple[dict[str, Read], set[str]]:
    """Each file's read_one(name, content, problems, cache), and the names of those read in a
    child (their data plain: no positions). The cache's hit and miss counts include the
    child's."""
    results: dict[str, Read] = {}
    todo, theirs, child = files, [], None
    if len(files) > 1 and worth_splitting(sum(len(c or b"") for _, c, _ in files), split):
        here, there = shares([len(c or b"") for _, c, _ in files])
        theirs = [files[i] for i in there]
        child = Forked.start(lambda: _read_plain(theirs, read_one, cache))
        if child is not None:
            todo = [files[i] for i in here]
    for name, content, problems in todo:
        results[name] = read_one(name, content, problems, cache)
    if child is None:
        return results, set()
    found = child.result()
    if found is None:  # the child failed: its share is read here
        for name, content, problems in theirs:
            results[name] = read_one(name, content, problems, cache)
        return results, set()
    read, hits, misses = found
    if cache is not None:
        cache.hits += hits
        cache.misses += misses
    for name, problems, data in read:
        results[name] = ([Problem(*p) for p in problems], data)
    return results, {name for name, _, _ in read}


def _read_plain(files: list[ToRead], read_one: ReadOne, cache: InventoryCache | None) -> Any:
    """In the child: each file read, as marshal can send it."""
    out = []
    for name, content, problems in files:
        found, data = read_one(name, content, problems, cache)
        stored = [(p.file, p.line, p.col, p.message, p.hint, p.severity) for p in found]
        out.append((name, stored, plain(data)))
    return out, cache.hits if cache else 0, cache.misses if cache else 0
