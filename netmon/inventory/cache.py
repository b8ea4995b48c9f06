"""A per-file cache of checked inventory files, the way mypy and ruff keep theirs.

What one file contributes to an inventory (its shape-checked data, with the problems found in
it) depends on its bytes and on the code that reads them, nothing else. So it is stored under
a key made of sha256(the file's bytes) and the reader's identity (netmon's version, the sources
of the modules that read and check a file, the FILE spec, PyYAML's version and whether libyaml
is used, Python's version). An unchanged file is then taken from the cache, an edited one is
read again: only the files that changed are parsed. What joins the files (duplicate
`inventory:` sections, references between files, the model) runs every time, so a warm run
reports exactly what a cold run reports.

Where: `$XDG_CACHE_HOME/netmon/inventory` (default `~/.cache/netmon/inventory`), one file an
entry; `NETMON_NO_CACHE=1` (or `--no-cache`) reads everything afresh. The folder may be deleted
at any time.

What a file's entry holds: its problems, and its data as plain dicts and lists, through
`marshal` (C: 0.05 s to write and 0.04 s to read the national inventory's 10 MB, where pickling
the reader's own containers took 0.5 and 0.3 s). Plain data has no line and column marks: a
problem to place reads its file again (place.py, as for the files a child read: split.py).
A folder's result is the frozen model, pickled.

Safety. Loading a pickle can run code, and marshal is not made for hostile bytes: the folders
are created 0700, and an entry is loaded only when the folders and the entry are owned by the
current user and writable by nobody else (checked on the open file, O_NOFOLLOW). The unpickler
accepts only the model's classes besides plain data. Entries are written to a temporary file
and renamed into place, so a reader sees a whole entry or none; one that cannot be read, is
truncated or holds anything unexpected is ignored and written again.

Writing in the background. A one-shot command (`netmon report`, `validate`, `inventory`) asks
for background=True: what a run would write is queued, and once the run has its result a forked
child (fork.py) writes it while the command goes on with its report. This process waits for
that child before it exits and before it next reads the cache, so no later run and no later
read misses what it wrote. Pickling the national model is the cost (0.4 s). Without a safe fork
(another thread running) the writes are made at once. A report (load.load_then) leaves a clean
folder's result to the child that checked it, which has the model and writes it once it has
replied, while the report is made. On two cores the child that checks the references (for a
report or `validate`) also writes the entries of the files this process read (queued_writes),
first: once it has replied it is idle, it starts before this process could fork a writer of
its own, and no third process competes with a report for two cores.

`netmon validate` stores no folder's result (models=False), and reads one. It is what runs after
an edit, and it has nothing to do while a writer pickles: at national size it waited 0.5-0.7 s
for it, a third of its run (medians of 5 runs alternated: first run 2.18 -> 1.43 s, one file
edited 1.23 -> 0.73 s). The next report stores the model without making anyone wait; until
then an unchanged folder is validated from its files' entries (0.48 -> 0.84 s).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import marshal
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import astuple
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

import yaml

import netmon
from netmon.errors import Problem
from netmon.inventory.fork import Forked, can_fork, wait_all
from netmon.model import inventory as model
from netmon.yamlspec import MAX_BYTES, MAX_DEPTH, plain

ENV_NO_CACHE = "NETMON_NO_CACHE"
_FORMAT = b"netmon-inventory-cache/2"
# Problems are stored without their file (the path may differ from run to run; the content
# is what is keyed): (line, col, message, hint, severity).
StoredProblem = tuple[int, int, str, str, str]
# A folder's result: the frozen model (its dataclasses and addresses), besides plain data.
_MODEL = (
    model.Agency,
    model.CredentialRefs,
    model.Device,
    model.Endpoint,
    model.Group,
    model.Inventory,
    model.Level,
    model.Link,
    model.Location,
    model.Service,
    model.Site,
    IPv4Address,
    IPv4Network,
)
_ALLOWED_RESULT: dict[tuple[str, str], type] = {(c.__module__, c.__name__): c for c in _MODEL}


def default_folder() -> Path:
    """$XDG_CACHE_HOME/netmon/inventory, ~/.cache/netmon/inventory when it is unset or relative
    (as the XDG base directory specification says)."""
    home = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(home) if home and Path(home).is_absolute() else Path.home() / ".cache"
    return base / "netmon" / "inventory"


def no_cache_asked() -> bool:
    return os.environ.get(ENV_NO_CACHE, "").strip().lower() not in ("", "0", "false", "no")


class InventoryCache:
    """Checked inventory files by content; get() and put() never raise."""

    def __init__(
        self, folder: Path | None = None, background: bool = False, models: bool = True
    ) -> None:
        self.folder = folder if folder is not None else default_folder()
        self.background = background  # writes queued for write_queued() (module docstring)
        self.models = models  # folders' results (the model) stored, not only read (docstring)
        self.hits = 0  # files taken from the cache
        self.misses = 0  # files read and checked
        self.result_hits = 0  # whole folders taken from the cache
        self._usable: bool | None = None
        self._queued: list[tuple[str, tuple[Any, Any], str | None]] = []
        self._handed = 0  # the first entries of _queued a child writes (queued_writes)

    @classmethod
    def default(
        cls, no_cache: bool = False, background: bool = False, models: bool = True
    ) -> InventoryCache | None:
        """The user's cache, or None when --no-cache or NETMON_NO_CACHE=1 asked for none."""
        if no_cache or no_cache_asked():
            return None
        return cls(background=background, models=models)

    def key(self, content: bytes) -> str:
        return hashlib.sha256(reader_identity() + hashlib.sha256(content).digest()).hexdigest()

    def has(self, content: bytes) -> bool:
        """Whether an entry for this content is there (it may still turn out unreadable)."""
        return self._ready() and (self.folder / self.key(content)).exists()

    def get(self, key: str, name: str) -> tuple[list[Problem], dict[str, Any] | None] | None:
        """The checked file stored under key, its problems located in `name`, its data plain
        (no positions); None on a miss."""
        wait_all()  # what a background writer of this process is writing
        found = self._load(key) if self._ready() else None
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        problems, data = found
        return [Problem(name, *p) for p in problems], data  # type: ignore[arg-type]

    def put(self, key: str, name: str, problems: list[Problem], data: Any) -> None:
        if any(p.file != name for p in problems) or not self._ready():
            return  # a problem about another file is not this content's: not cached
        stored = [(p.line, p.col, p.message, p.hint, p.severity) for p in problems]
        self._store(key, (stored, data), None)

    def _ready(self) -> bool:
        """Create the folders (0700) once; usable only when both netmon's folder and this one
        are the user's own and writable by no one else."""
        if self._usable is None:
            self._usable = False
            with contextlib.suppress(OSError):
                self.folder.parent.parent.mkdir(parents=True, exist_ok=True)
                for folder in (self.folder.parent, self.folder):
                    folder.mkdir(mode=0o700, exist_ok=True)
                self._usable = all(
                    _private(os.lstat(f), stat.S_ISDIR) for f in (self.folder.parent, self.folder)
                )
        return self._usable

    def _load(self, key: str) -> tuple[list[StoredProblem], dict[str, Any] | None] | None:
        found = self._read(key, None)
        if found is None:
            return None
        problems, data = found
        if not isinstance(problems, list) or not (data is None or isinstance(data, dict)):
            return None
        return problems, data

    def folder_key(
        self, folder: Path, files: list[tuple[str, str]], credential_names: Iterable[str] | None
    ) -> tuple[str, str]:
        """(the folder's key, its prefix) for the whole folder's result: the folder as named,
        each file's name and content key in order, the credential sets config.yaml defines
        (what the reference checks are given) and the code that checks references and builds
        the model. The prefix names the folder, so that its older results are removed."""
        names = None if credential_names is None else sorted(set(credential_names))
        prefix = "folder-" + hashlib.sha256(repr((str(folder), names)).encode()).hexdigest()[:16]
        material = repr((result_identity().hex(), str(folder), files, names)).encode()
        return prefix, f"{prefix}-{hashlib.sha256(material).hexdigest()}"

    def get_result(self, key: str) -> tuple[model.Inventory | None, list[Problem]] | None:
        """A folder's (inventory, problems) as check_inventory returned them; None on a miss."""
        wait_all()
        found = self._read(key, _ALLOWED_RESULT) if self._ready() else None
        if found is None:
            return None
        inventory, problems = found
        if not (inventory is None or isinstance(inventory, model.Inventory)):
            return None
        self.result_hits += 1
        return inventory, [Problem(*p) for p in problems]

    def put_result(
        self,
        prefix: str,
        key: str,
        inventory: model.Inventory | None,
        problems: list[Problem],
    ) -> None:
        stored = [astuple(p) for p in problems]
        if self.models and self._ready():
            self._store(key, (inventory, stored), prefix)

    def write_result(
        self, prefix: str, key: str, inventory: model.Inventory, warnings: list[Problem]
    ) -> None:
        """A valid folder's result (its warnings, if any) written at once, background or not:
        by a child that is itself off the command's path (load.py)."""
        if self.models and self._ready():
            self._write_entry(key, (inventory, [astuple(p) for p in warnings]), prefix)

    def _store(self, key: str, payload: tuple[Any, Any], prefix: str | None) -> None:
        if self.background:
            self._queued.append((key, payload, prefix))
        else:
            self._write_entry(key, payload, prefix)

    def queued_writes(self) -> Callable[[], None] | None:
        """For a child forked now to write what is queued (write_queued at once, in it), or
        None when nothing is: the caller, once the child has replied, calls handed_over()."""
        self._handed = len(self._queued)
        return functools.partial(self.write_queued, now=True) if self._queued else None

    def handed_over(self) -> None:
        """What was queued when queued_writes() was asked is a child's to write: dropped here
        (what was queued since stays)."""
        del self._queued[: self._handed]
        self._handed = 0

    def write_queued(self, now: bool = False) -> None:
        """Write what was queued: in a forked child when a fork is safe here (the caller goes
        on; fork.wait_all() waits for it), else, or with now, at once."""
        queued, self._queued = self._queued, []
        if not queued:
            return
        # The child's value is not read: it writes, and the parent waits only for it to end.
        child = None if now or not can_fork() else Forked.start(lambda: self._write_all(queued))
        if child is None:
            self._write_all(queued)
        else:
            child.later()

    def _write_all(self, queued: list[tuple[str, tuple[Any, Any], str | None]]) -> bool:
        for key, payload, prefix in queued:
            self._write_entry(key, payload, prefix)
        return True

    def _write_entry(self, key: str, payload: tuple[Any, Any], prefix: str | None) -> None:
        """A file's entry (no prefix): its problems and plain data, through marshal. A folder's
        result: pickled, and the older results under its prefix removed once it is written
        (one kept per folder)."""
        if prefix is None:
            problems, data = payload
            payload = problems, plain(data)
        if self._write(key, payload, pickled=prefix is not None) and prefix is not None:
            for older in self.folder.glob(f"{prefix}-*"):
                if older.name != key:
                    with contextlib.suppress(OSError):
                        older.unlink()

    def _read(
        self, key: str, allowed: dict[tuple[str, str], type] | None
    ) -> tuple[Any, Any] | None:
        """An entry's two values: unpickled with only the allowed classes, or (None) through
        marshal."""
        try:
            fd = os.open(self.folder / key, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as entry:
                if not _private(os.fstat(entry.fileno()), stat.S_ISREG):
                    return None
                blob = entry.read()
            if allowed is None:  # a private file (module docstring: Safety)
                fmt, stored_key, first, second = marshal.loads(blob)  # noqa: S302
            else:
                fmt, stored_key, first, second = _Unpickler(io.BytesIO(blob), allowed).load()
            if fmt != _FORMAT or stored_key != key:
                return None
            return first, second
        except Exception:  # any broken entry is a miss, written again after the read
            return None

    def _write(self, key: str, payload: tuple[Any, Any], pickled: bool) -> bool:
        try:
            blob = (
                pickle.dumps((_FORMAT, key, *payload), protocol=pickle.HIGHEST_PROTOCOL)
                if pickled
                else marshal.dumps((_FORMAT, key, *payload))
            )
        except (pickle.PicklingError, RecursionError, TypeError, ValueError):
            return False
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")  # created 0600
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            Path(tmp).replace(self.folder / key)
            tmp = None
            return True
        except OSError:
            return False  # a read-only or full disk: no cache, same results
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink()


def _private(st: os.stat_result, kind: Any) -> bool:
    return bool(kind(st.st_mode)) and st.st_uid == os.getuid() and not st.st_mode & 0o022


class _Unpickler(pickle.Unpickler):
    """Plain data and the classes allowed, nothing else (no other class can be named)."""

    def __init__(self, blob: io.BytesIO, allowed: dict[tuple[str, str], type]) -> None:
        super().__init__(blob)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        found = self.allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return found


_IDENTITY: bytes | None = None


def reader_identity() -> bytes:
    """What the checked result of a file depends on besides its bytes."""
    global _IDENTITY
    if _IDENTITY is None:
        from netmon.inventory import format as fmt
        from netmon.inventory import load
        from netmon.yamlspec import fast, flowlines, reader, scalars, spec

        digest = hashlib.sha256()
        for part in (
            _FORMAT,
            netmon.__version__,
            sys.version_info[:2],
            yaml.__version__,
            getattr(yaml, "__with_libyaml__", False),
            MAX_BYTES,
            MAX_DEPTH,
            repr(fmt.FILE),
        ):
            digest.update(repr(part).encode() + b"\0")
        for module in (reader, fast, flowlines, scalars, spec, fmt, load, sys.modules[__name__]):
            try:
                digest.update(Path(module.__file__ or "").read_bytes())
            except OSError:
                digest.update(b"source not readable")
        _IDENTITY = digest.digest()
    return _IDENTITY


_RESULT_IDENTITY: bytes | None = None


def result_identity() -> bytes:
    """What a folder's result depends on besides its files: the reader's identity and the code
    that checks references and builds the model."""
    global _RESULT_IDENTITY
    if _RESULT_IDENTITY is None:
        from netmon.inventory import checks

        digest = hashlib.sha256(reader_identity())
        for module in (checks, model):
            try:
                digest.update(Path(module.__file__ or "").read_bytes())
            except OSError:
                digest.update(b"source not readable")
        _RESULT_IDENTITY = digest.digest()
    return _RESULT_IDENTITY
