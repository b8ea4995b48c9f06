"""A large inventory on two cores: half its files read in a forked copy of this process, and
its references checked in another while this one builds the model.

Why: at national size (64 files, 11.5 MB) reading is 0.9 s, the reference checks 0.4 s and
the model 0.35 s of one core, and the machines netmon runs on have two or more. Threads would
not help (the work is Python code, under one interpreter lock); a forked child has all the
code and data already, and sends back only what it found.

What crosses, and why it is cheap: a child's files come back as plain dicts and lists through
`marshal` (C, no objects named: 0.05 s for the whole national inventory against 0.5 s to
pickle the reader's own containers). Plain data has no line and column marks: a problem
that needs a position in a file read elsewhere has that file read again where it is asked
(place.py); what cannot be placed so raises PositionElsewhere, and the caller reads those files
again here and does the rest in this process (load.py). The reference checks send back their
problems (usually none), placed.

Only for an inventory of at least SPLIT_BYTES to parse (files the cache has are read here),
and when fork.py says a fork is safe here. Any failure of a child (it dies, is killed, sends
nothing in time) makes this process do that part itself: same results, one core's time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import astuple
from typing import Any

from netmon.errors import Problem
from netmon.inventory.cache import InventoryCache
from netmon.inventory.fork import Forked, can_fork
from netmon.yamlspec import plain

SPLIT_BYTES = 1_000_000  # below, a fork costs more than half the work saves (the lab: 0.26 MB)


# One file's checked result: its problems, and its data when it is a mapping (a Mapping with
# positions, or a plain dict without: read in a child, or taken from the cache).
Read = tuple[list[Problem], dict[str, Any] | None]
# A file to read: its name, its bytes (None when unreadable) and the problems reading them gave.
ToRead = tuple[str, bytes | None, list[Problem]]
ReadOne = Callable[[str, bytes | None, list[Problem], InventoryCache | None], Read]


class PositionElsewhere(Exception):
    """A problem needs a line and column that plain data (read in another process, or taken
    from the cache) does not carry."""


def worth_splitting(size: int, split: bool | None) -> bool:
    """split: None decides by size and by the threads running; True forks whenever the
    platform can (tests); False never."""
    if split is False or not hasattr(os, "fork"):
        return False
    return split is True or (size >= SPLIT_BYTES and can_fork())


# How much more a byte costs the child than this process: it also makes its data plain and
# sends it, and starts as a fork. Measured on the national inventory (2 cores): at 1.2 this
# process waited 0.09-0.32 s for the child, at 1.6 0.04-0.06 s, at 2.0 the child waited instead.
CHILD_WEIGHT = 1.6


def shares(sizes: list[int]) -> tuple[list[int], list[int]]:
    """Indexes of the files this process reads and of those the child reads: the biggest first,
    each to the side with less to do, the child's bytes weighed CHILD_WEIGHT."""
    here: list[int] = []
    there: list[int] = []
    load_here = load_there = 0.0
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        if load_there + CHILD_WEIGHT * sizes[i] <= load_here + sizes[i]:
            there.append(i)
            load_there += CHILD_WEIGHT * sizes[i]
        else:
            here.append(i)
            load_here += sizes[i]
    return sorted(here), sorted(there)


def read_files(
    files: list[ToRead], read_one: ReadOne, cache: InventoryCache | None, split: bool | None
) -> dict[str, Read]:
    """Each file's read_one(name, content, problems, cache); the data of those read in a child
    is plain (no positions). The cache's hit and miss counts include the child's."""
    results: dict[str, Read] = {}
    todo, theirs, child = files, [], None
    # Only parsing is worth a second core: a file the cache has is one read of its entry here
    # (1-2 ms at national size), less than the child would spend sending it back.
    parse = [f for f in files if cache is None or f[1] is None or not cache.has(f[1])]
    if len(parse) > 1 and worth_splitting(sum(len(c or b"") for _, c, _ in parse), split):
        _, there = shares([len(c or b"") for _, c, _ in parse])
        theirs = [parse[i] for i in there]
        # A background cache's entries are written once the child has replied.
        writes = cache.write_queued if cache is not None and cache.background else None
        child = Forked.start(
            lambda: _read_plain(theirs, read_one, cache),
            then=(lambda: writes(now=True)) if writes else None,
        )
        if child is not None:
            elsewhere = {name for name, _, _ in theirs}
            todo = [f for f in files if f[0] not in elsewhere]
    try:
        for name, content, problems in todo:
            results[name] = read_one(name, content, problems, cache)
    except BaseException:
        if child is not None:
            child.stop()  # interrupted, or a bug: no child left reading for nobody
        raise
    if child is None:
        return results
    found = child.result()
    if found is None:  # the child failed: its share is read here
        for name, content, problems in theirs:
            results[name] = read_one(name, content, problems, cache)
        return results
    read, hits, misses = found
    if cache is not None:
        cache.hits += hits
        cache.misses += misses
    for name, problems, data in read:
        results[name] = ([Problem(*p) for p in problems], data)
    return results


def _read_plain(files: list[ToRead], read_one: ReadOne, cache: InventoryCache | None) -> Any:
    """In the child: each file read, as marshal can send it."""
    out = []
    for name, content, problems in files:
        found, data = read_one(name, content, problems, cache)
        stored = [astuple(p) for p in found]
        out.append((name, stored, plain(data)))
    return out, cache.hits if cache else 0, cache.misses if cache else 0
