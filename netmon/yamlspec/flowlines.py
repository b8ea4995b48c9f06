"""A run of flow mappings (the items of an inventory list), read and checked at once.

Why: at national size nine lines in ten are items such as
`- {id: p04-a0002, name: Cơ quan 2, level: province, group: p04-d1}`, and reading them value
by value in Python was most of the fast reader's time (1.7 s for 12 MB). When a run of such
lines is written the canonical way (', ' and ': ' between parts, no space inside brackets, no
double quote or backslash), every plain scalar becomes a JSON string by a handful of
str.replace over the whole run, and json.loads (C) builds the values. Each column (one key's
values over all items) is then checked against its spec at once: types by set(map(type, ...)),
lengths by max(map(len, ...)), enums by set inclusion, patterns by one regex over the values
a line (_all_match), decimals likewise (_decimals), YAML 1.1's implicit types (a value
starting with a digit, a sign, y/n/t/f/o...) by their patterns over all such values at once;
what any of that leaves in doubt (an indicator where a scalar starts, a number for a text,
a hexadecimal number) goes one by one through the same scalar() as fast.py.

Positions are what is left. The checker gives every value its line and column, and only a
problem found later (a dangling reference, say) asks for one: a LineMapping or LineSequence
keeps its item's text and works its positions out when first asked, the same as fast.py's.
An item wrapped over lines (a long list of interfaces) is read as YAML folds it: its lines
joined by one space.

Any doubt (not canonical, not valid JSON once quoted, a key twice, a value a column refuses)
returns None: the caller reads those lines one by one (fast.py), which doubts in its turn,
and the full reader words the problem.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from itertools import repeat
from operator import contains, itemgetter
from typing import Any, Generic, TypeVar

import yaml

from netmon.yamlspec.scalars import DOUBT, INDICATORS, MAYBE_SPECIAL, Doubt, must, scalar
from netmon.yamlspec.spec import Int, ListOf, Mapping, Obj, Sequence, Spec, _fields, _plain_of

# Where a value is. An item keeps its text (a wrapped item's lines joined by one space, as
# YAML folds them) with the spans of that text (offset, line, 0-based column of that offset:
# one per line); a value nested in it keeps its parent and its key or index there.
Span = tuple[int, int, int]
Root = tuple[str, list[Span]]
Src = tuple["Root | LineMapping | LineSequence", str | int | None]

# Not in a canonical run: what JSON reads as syntax inside a string (a double quote, a
# backslash). YAML's indicators matter only where a scalar starts (_all_text sends those
# values to scalar(), which doubts); a comment was cut from its line already (fast.py), so a
# '#' left is text, and a tab never gets here.
_FORBIDDEN = ('"', "\\")
# Plain scalars to JSON strings: a quote after every opener and separator, before every
# closer; then the quotes that landed next to a nested opener or closer taken back. Only the
# passes a run needs (each copies the whole run): a run with no list skips the brackets', and
# one with no mapping inside its items the take-backs too (a quarter of the national text).
_TO_JSON = (("{", '{"'), ("}", '"}'), (", ", '", "'), (": ", '": "'))
_TO_JSON_NESTED = (('"{', "{"), ('}"', "}"))
_TO_JSON_LISTS = (("[", '["'), ("]", '"]'), ('"[', "["), (']"', "]"), ('"{', "{"), ('}"', "}"))
_END = re.compile(r"[,}\]]")
T = TypeVar("T")
_FIRST = itemgetter(0)
_LAST = itemgetter(-1)


class _Lazy(Generic[T]):
    """A position attribute (line, col, at) worked out from the item's text on first use."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __get__(self, value: LineMapping | LineSequence, owner: type | None = None) -> T:
        found: T = _resolved(value)[self.index]
        return found

    def __set__(self, value: LineMapping | LineSequence, position: T) -> None:
        _resolved(value)[self.index] = position


class LineMapping(Mapping):
    """A checked mapping read from an item's text; its positions are worked out when asked."""

    # slots: no attribute dict for each of the 100,000s of them (Mapping's stays unused)
    __slots__ = ("_where", "src")
    __init__ = dict.__init__  # built from json's dict (Mapping's __init__ takes nothing)
    src: Src
    _where: list[Any]  # [line, col, at] once worked out
    line = _Lazy[int](0)
    col = _Lazy[int](1)
    at = _Lazy[dict[str, tuple[int, int]]](2)


class LineSequence(Sequence):
    """A checked list read from an item's text; its positions are worked out when asked."""

    __slots__ = ("_where", "src")
    __init__ = list.__init__
    src: Src
    _where: list[Any]
    line = _Lazy[int](0)
    col = _Lazy[int](1)
    at = _Lazy[list[tuple[int, int]]](2)


def read_run(roots: list[Root], spec: Obj) -> list[LineMapping] | None:
    """The checked items of a run, each root's text one flow mapping (`{...}`); None on any
    doubt."""
    joined = "\n".join(map(_FIRST, roots))
    if (
        any(c in joined for c in _FORBIDDEN)
        or joined.count(",") != joined.count(", ")
        or joined.count(":") != joined.count(": ")
    ):
        return None
    keys = joined.count(": ")
    steps: tuple[tuple[str, str], ...] = _TO_JSON
    if "[" in joined:
        steps += _TO_JSON_LISTS
    elif joined.count("{") != len(roots):  # a mapping inside an item
        steps += _TO_JSON_NESTED
    for old, new in steps:
        joined = joined.replace(old, new)
    try:
        found = json.loads("[" + joined.replace("\n", ",") + "]")
        if len(found) != len(roots) or set(map(type, found)) != {dict}:
            return None
        items = list(map(LineMapping, found))
        for item, root in zip(items, roots, strict=True):
            item.src = (root, None)
        # json keeps the last of a key given twice: every key read must be one kept
        if _items(items, spec) != keys:
            return None
    except (ValueError, RecursionError, Doubt):
        # RecursionError: json nests as deep as the text does (the full reader refuses past
        # 32 levels, and says so)
        return None
    return items


def _items(items: list[LineMapping], spec: Obj) -> int:
    """What the checker asks of each mapping against an Obj, one key at a time; how many keys
    these mappings and those nested in them hold."""
    fields = _fields(spec)
    present = set().union(*items)
    if not present.issubset(fields):
        raise DOUBT
    required, one_of = must(spec)
    if required and not all(map(required.issubset, items)):
        raise DOUBT
    if one_of and not all(map((1).__eq__, map(sum, zip(*_holding(items, one_of), strict=True)))):
        raise DOUBT  # not exactly one of one_of (counted in C loops, as below)
    keys = sum(map(len, items))
    for key in present:
        field, _ = fields[key]
        holders = items if key in required else [item for item in items if key in item]
        values = list(map(itemgetter(key), holders))
        srcs: list[Src] | None = None
        if type(field.spec) in (Obj, ListOf):
            srcs = [(item, key) for item in holders]
        new, nested = _column(values, field.spec, srcs)
        keys += nested
        if new is not values:
            for item, value in zip(holders, new, strict=True):
                item[key] = value
    return keys


def _holding(items: list[LineMapping], keys: tuple[str, ...]) -> list[list[bool]]:
    """For each key, whether each item holds it."""
    return [list(map(contains, items, repeat(key))) for key in keys]


def _column(values: list[Any], spec: Spec, srcs: list[Src] | None) -> tuple[list[Any], int]:
    """Values of one place (a key over items, the items of lists) checked against spec: the
    same list, or a new one when the checker reads them as other values (numbers, lists,
    mappings); and how many keys the mappings among them hold."""
    kind = set(map(type, values))
    if type(spec) is Obj:
        maps = _placed(values, kind, LineMapping, srcs)
        return maps, _items(maps, spec)
    if type(spec) is ListOf:
        seqs = _placed(values, kind, LineSequence, srcs)
        if min(map(len, seqs)) < spec.min_items:
            raise DOUBT
        flat = [item for seq in seqs for item in seq]
        inner: list[Src] | None = None
        if type(spec.item) in (Obj, ListOf):
            inner = [(seq, i) for seq in seqs for i in range(len(seq))]
        new, keys = _column(flat, spec.item, inner)
        if new is not flat:
            start = 0
            for seq in seqs:
                seq[:] = new[start : start + len(seq)]
                start += len(seq)
        return seqs, keys
    if kind != {str}:
        raise DOUBT  # a collection where a scalar goes
    return _scalars(values, spec), 0


Placed = TypeVar("Placed", LineMapping, LineSequence)


def _placed(
    values: list[Any], kind: set[type], cls: type[Placed], srcs: list[Src] | None
) -> list[Placed]:
    """json's dicts (or lists) as LineMappings (or LineSequences) that know where they are."""
    if kind != {dict if cls is LineMapping else list} or srcs is None:
        raise DOUBT  # a scalar, or the other collection, where this one goes
    out = list(map(cls, values))
    for value, src in zip(out, srcs, strict=True):
        value.src = src
    return out


def _scalars(values: list[str], spec: Spec) -> list[Any]:
    """Plain scalars read and checked as scalar() reads each, at once where it can."""
    # Spacing other than read_run's ', ' and ': ' leaves a space at a scalar's end (YAML
    # strips it; json keeps it); an empty collection, an empty text ([] becomes [""]). A
    # space elsewhere (next to a nested collection's bracket, in a key) breaks the JSON or
    # makes an unknown key.
    try:
        firsts = set(map(_FIRST, values))
        lasts = set(map(_LAST, values))
    except IndexError:
        raise DOUBT from None
    if " " in firsts or " " in lasts:
        raise DOUBT
    plain = _plain_of(spec)
    if (
        plain is not None
        and _all_text(values, firsts)
        and max(map(len, values)) <= plain[0]
        and (plain[1] is None or plain[1].issuperset(values))
        and (plain[2] is None or _all_match(values, plain[2]))
    ):
        return values  # text, as it is
    if type(spec) is Int:
        numbers = _decimals(values, spec)
        if numbers is not None:
            return numbers
    # Other specs (secrets, booleans, floats), and values a test above leaves in doubt: one
    # by one, as fast.py reads them (a doubt there is a doubt here).
    return [scalar(value, 0, 0, spec, plain, flow=True) for value in values]


def _all_match(values: list[str], match: Callable[[str], Any]) -> bool:
    """Whether the pattern behind `match` (a compiled pattern's fullmatch) takes every value:
    one regex run over the values a line (a call per value was a fifth of checking a run),
    when the pattern can say so (_lines_pattern); else value by value."""
    pattern = _lines_pattern(match.__self__.pattern)  # type: ignore[attr-defined]
    lines = None if pattern is None else _one_a_line(values)
    if pattern is None or lines is None:
        return all(map(match, values))
    return pattern.fullmatch(lines) is not None


def _one_a_line(values: list[str]) -> str | None:
    """The values joined by line feeds, or None if one holds a line feed itself."""
    lines = "\n".join(values)
    return lines if lines.count("\n") == len(values) - 1 else None


@functools.lru_cache(maxsize=256)
def _lines_pattern(pattern: str) -> re.Pattern[str] | None:
    """`pattern` repeated over lines (values joined by line feeds), or None when that would
    not mean the same as the pattern on each value (_NOT_LINE_SAFE)."""
    if _NOT_LINE_SAFE.search(pattern):
        return None
    try:
        return re.compile(f"(?:{pattern})(?:\n(?:{pattern}))*")
    except re.error:
        return None


# What could make a pattern match a line feed or see past a value's edge once the values
# are joined by line feeds, or mean something else repeated: an escape other than \d, \w or
# of punctuation (\s, \W, \D and \n match a line feed; \A, \Z and back references), a
# negated class, an anchor, a group other than (?:...) (lookarounds, named groups, flags),
# a control character.
_NOT_LINE_SAFE = re.compile(r"\\[^\Wdw]|\[\^|[$^]|\(\?[^:]|[\x00-\x1f]")
# A decimal number as scalar() reads one for an Int (no sign, no leading zero, no '_', below
# 19 digits), one a line.
_DECIMALS = re.compile(r"(?:0|[1-9][0-9]{0,17})(?:\n(?:0|[1-9][0-9]{0,17}))*")


def _decimals(values: list[str], spec: Int) -> list[int] | None:
    """The numbers of a column of decimals within spec's bounds, as scalar() reads each;
    None when any is not one (scalar() then reads them one by one)."""
    lines = _one_a_line(values)
    if lines is None or _DECIMALS.fullmatch(lines) is None:
        return None
    numbers = list(map(int, values))
    if (spec.minimum is not None and min(numbers) < spec.minimum) or (
        spec.maximum is not None and max(numbers) > spec.maximum
    ):
        return None
    return numbers


def _all_text(values: list[str], firsts: set[str]) -> bool:
    """Whether YAML 1.1 reads every one of these plain scalars (no indicator, no ': ', as
    read_run made sure) as text. Most start with a character no implicit type starts with;
    the others are tried against those types' patterns at once, one value a line. firsts:
    their first characters."""
    if MAYBE_SPECIAL.isdisjoint(firsts):
        return True
    if not INDICATORS.isdisjoint(firsts):
        return False  # an anchor, alias, tag, quote...: scalar() doubts
    maybe = [v for v in values if v[0] in MAYBE_SPECIAL]
    if "-" in firsts and any(v == "-" or v[1] == " " for v in maybe if v[0] == "-"):
        return False  # a block sequence's dash, not text
    lines = "\n".join(maybe)
    return not any(p.search(lines) for p in _patterns(frozenset(firsts & MAYBE_SPECIAL)))


@functools.lru_cache(maxsize=256)
def _patterns(firsts: frozenset[str]) -> tuple[re.Pattern[str], ...]:
    """PyYAML's implicit type patterns for scalars starting with these characters, each to
    match whole lines (its ^ and $ match at line ends: a value a line)."""
    found: dict[str, re.Pattern[str]] = {}
    for first in sorted(firsts):
        for _, regexp in yaml.resolver.Resolver.yaml_implicit_resolvers.get(first, []):
            found.setdefault(regexp.pattern, re.compile(regexp.pattern, regexp.flags | re.M))
    return tuple(found.values())


def _resolved(value: LineMapping | LineSequence) -> list[Any]:
    """value's [line, col, at], worked out from its item's text the first time."""
    try:
        return value._where
    except AttributeError:
        pass
    path: list[str | int] = []
    node: Any = value
    while True:
        parent, step = node.src
        if step is None:
            text, spans = parent
            break
        path.append(step)
        node = parent
    path.reverse()

    def where(offset: int) -> tuple[int, int]:
        k = len(spans) - 1
        while spans[k][0] > offset:
            k -= 1
        start, line, col = spans[k]
        return line, col + offset - start + 1

    node = _layout(text, 0, where)[0]
    for step in path:
        node = node[2][step]
    (line, col), at = node[0], node[1]
    value._where = [line, col, at]
    return value._where


def _layout(text: str, i: int, where: Callable[[int], tuple[int, int]]) -> tuple[Any, int]:
    """The positions in the canonical collection opening at text[i]: (its (line, col), at,
    {key or index: the nested collection's}), and the index past its closer."""
    start = where(i)
    kids: dict[str | int, Any] = {}
    if text[i] == "{":
        at: dict[str, tuple[int, int]] = {}
        i += 1
        while True:
            colon = text.index(": ", i)
            key = text[i:colon]
            i = colon + 2
            at[key] = where(i)
            if text[i] in "{[":
                kids[key], i = _layout(text, i, where)
            else:
                i = _END.search(text, i).start()  # type: ignore[union-attr]
            if text[i] == "}":
                return (start, at, kids), i + 1
            i += 2  # ", "
    items: list[tuple[int, int]] = []
    i += 1
    while True:
        items.append(where(i))
        if text[i] in "{[":
            kids[len(items) - 1], i = _layout(text, i, where)
        else:
            i = _END.search(text, i).start()  # type: ignore[union-attr]
        if text[i] == "]":
            return (start, items, kids), i + 1
        i += 2
