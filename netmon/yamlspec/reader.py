"""Strict YAML reading: a node tree with positions, built without recursion.

PyYAML's own loader keeps the last of two duplicate keys, expands alias bombs when walked, and
recurses once per nesting level. This reader composes nodes itself from libyaml's event stream,
so it can refuse each of those at the place it happens, with file:line:col:
duplicate keys, anchors and aliases, nesting deeper than MAX_DEPTH, files over MAX_BYTES,
more than one document, and explicit tags.

The fast path. Composing from events in Python costs about 3 us per event (13 s for the
national synthetic inventory's 1.6 million events with the cyclic GC running, 4.9 s without);
libyaml's own composer (PyYAML's CParser, whose nodes keep the same line and column marks)
builds the same tree in 1.9 s. It is used only where it cannot be fooled: a text without '&',
'*' and '!' can hold no anchor, alias or tag, and libyaml refuses nesting past 1,000 levels by
itself (so its recursive composer is bounded). The tree it returns is then walked once for
what libyaml accepts and netmon does not (duplicate keys, non-text keys, nesting deeper than
MAX_DEPTH, a second document); anything found there, or any libyaml error, sends the text to
the event reader, which refuses it at the exact place with the usual message. Both paths give
equal trees (tests/inventory/test_reader_paths.py). Without libyaml (PyYAML built without
it) the event reader runs on PyYAML's pure-Python parser.

An inventory file usually never gets here: fast.py reads the plain shape of YAML, checked, in
one pass, and hands this reader only what it cannot vouch for.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from netmon.errors import Problem

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 32

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# libyaml's composer, when PyYAML was built with libyaml (None otherwise: events only).
_CLoader: Any = getattr(yaml, "CSafeLoader", None)
# A text with none of these holds no anchor, alias or tag: the fast path may compose it.
_EVENTS_ONLY = re.compile(r"[&*!]")
_MAP, _SEQ, _STR = (f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "str"))
_resolver = yaml.resolver.Resolver()
_FLATTEN = "an inventory never needs this much nesting; flatten the data"


@dataclass
class _Open:
    node: MappingNode | SequenceNode
    items: list[Node]


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector meanwhile: a big inventory is a million small node
    objects and no reference cycles, and the collections their allocations set off walk the
    heap again and again for nothing. The national synthetic inventory (29,610 agencies):
    reading 13.0 s of CPU with the collector running, 4.9 s paused; checking 3.7 s, 1.5 s.

    What was built meanwhile is then moved to the oldest generation at once (freeze, then
    unfreeze: two list splices) rather than left in the youngest, where the first allocation
    after gc.enable() would walk all of it: 1.2 million objects, 0.2 s at national size.
    It is still collected by the oldest generation's collections, so nothing is kept."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def read_yaml(path: Path, display: str | None = None) -> tuple[Node | None, list[Problem]]:
    """Read one YAML file into a node tree. Returns (None, problems) when it cannot be read.

    An empty file gives (None, []).
    """
    name = display or str(path)
    raw, problems = read_bytes(path, name)
    if raw is None:
        return None, problems
    return parse_yaml(raw, name)


def read_bytes(path: Path, name: str) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or (None, problems) when it cannot be read or is over MAX_BYTES."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [
                Problem(
                    name,
                    1,
                    1,
                    f"file is {size} bytes; the limit is {MAX_BYTES}",
                    "split it into several files in the same folder",
                )
            ]
        return path.read_bytes(), []
    except OSError as exc:
        return None, [Problem(name, 0, 0, f"cannot read file: {exc.strerror}")]


def parse_yaml(raw: bytes, name: str) -> tuple[Node | None, list[Problem]]:
    """read_yaml on bytes already read: what it says depends on the bytes alone (and name)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(name, line, col, "file is not valid UTF-8", "save it as UTF-8")]
    try:
        return _compose(text, name), []
    except _Refused as refused:
        return None, [refused.problem]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = " ".join(s for s in (exc.context, exc.problem) if s)
        if "nesting depth" in what:  # libyaml's own limit, met inside one flow collection
            return None, [
                Problem(name, line, col, f"nesting deeper than {MAX_DEPTH} levels", _FLATTEN)
            ]
        return None, [
            Problem(
                name,
                line,
                col,
                f"YAML syntax error: {what}",
                "check indentation, colons and quotes around this place",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(name, 0, 0, f"YAML error: {exc}")]


def _at(name: str, mark: Any, message: str, hint: str = "") -> _Refused:
    return _Refused(Problem(name, mark.line + 1, mark.column + 1, message, hint))


def _compose(text: str, name: str) -> Node | None:
    if _CLoader is not None and not _EVENTS_ONLY.search(text):
        fast = _compose_fast(text)
        if fast is not _SLOW:
            return fast
    return _compose_events(text, name)


class _Slow(Node):
    """The fast path's answer "let the event reader say what is wrong"."""

    def __init__(self) -> None:
        pass


_SLOW = _Slow()


class _FastLoader(_CLoader or object):  # type: ignore[misc]
    """libyaml's composer with the event reader's tags: plain scalars resolved by YAML 1.1's
    rules through the same cache, everything else text."""

    def descend_resolver(self, *_: object) -> None:
        pass  # no path resolvers here: skip PyYAML's bookkeeping for them, a call per node

    def ascend_resolver(self, *_: object) -> None:
        pass

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _implicit_tag(value) if implicit[0] else _STR  # type: ignore[arg-type]
        return _MAP if kind is MappingNode else _SEQ


def _compose_fast(text: str) -> Node | None:
    """libyaml's tree, or _SLOW when the event reader must look (see the module docstring)."""
    loader = _FastLoader(text)
    try:
        root: Node | None = loader.get_single_node()
    except yaml.YAMLError:
        return _SLOW  # a syntax error or a second document: the event reader words it
    finally:
        loader.dispose()
    if root is None:
        return None
    # One pass over the collections, depth first, without recursion.
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return _SLOW
        value = node.value
        if isinstance(node, MappingNode):
            keys = set()
            for key, item in value:
                if not isinstance(key, ScalarNode) or key.value in keys:
                    return _SLOW
                keys.add(key.value)
                if not isinstance(item, ScalarNode):
                    stack.append((item, depth + 1))
        elif isinstance(node, SequenceNode):
            stack.extend((item, depth + 1) for item in value if not isinstance(item, ScalarNode))
    return root


def _compose_events(text: str, name: str) -> Node | None:
    loader = _Loader(text)
    try:
        stack: list[_Open] = []
        root: Node | None = None
        documents = 0
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                return root
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _at(
                        name,
                        event.start_mark,
                        "more than one YAML document in the file",
                        "remove the '---' separator; use one file per document",
                    )
                continue
            if isinstance(event, yaml.AliasEvent):
                raise _at(
                    name,
                    event.start_mark,
                    "anchors and aliases are not supported",
                    "write the value out, or use 'defaults' and 'device_groups' to share settings",
                )
            node: Node | None = None
            if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                raise _at(
                    name,
                    event.start_mark,
                    f"anchor '&{event.anchor}' is not supported",
                    "write the value out, or use 'defaults' and 'device_groups' to share settings",
                )
            if isinstance(event, yaml.ScalarEvent):
                node = _scalar(event, name)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                _check_tag(event, name)
                if len(stack) >= MAX_DEPTH:
                    raise _at(
                        name,
                        event.start_mark,
                        f"nesting deeper than {MAX_DEPTH} levels",
                        _FLATTEN,
                    )
                cls = MappingNode if isinstance(event, yaml.MappingStartEvent) else SequenceNode
                tag = "tag:yaml.org,2002:map" if cls is MappingNode else "tag:yaml.org,2002:seq"
                stack.append(
                    _Open(
                        cls(tag, [], _mark(event.start_mark), None, flow_style=event.flow_style), []
                    )
                )
                continue
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                done = stack.pop()
                done.node.end_mark = event.end_mark
                if isinstance(done.node, MappingNode):
                    done.node.value = _pairs(done.items, name)
                else:
                    done.node.value = done.items
                node = done.node
            else:
                continue  # stream start, document end
            if stack:
                stack[-1].items.append(node)
            else:
                root = node
    finally:
        loader.dispose()


def _mark(mark: Any) -> yaml.Mark:
    """libyaml's marks quack like PyYAML's; the stubs do not know it."""
    return mark  # type: ignore[no-any-return]


def _check_tag(event: yaml.NodeEvent, name: str) -> None:
    tag = getattr(event, "tag", None)
    if tag is not None and tag != "!" and not getattr(event, "implicit", True):
        raise _at(name, event.start_mark, f"YAML tag '{tag}' is not supported", "remove the tag")


# First characters of the plain scalars YAML 1.1 may read as something other than text (digits,
# signs, '~', y/n/t/f/o for booleans...): any other plain scalar is text without asking.
_MAYBE_NOT_TEXT = frozenset(k for k in yaml.resolver.Resolver.yaml_implicit_resolvers if k)


def _implicit_tag(value: str) -> str:
    """YAML 1.1's reading of a plain scalar. Most values of an inventory (ids, names) start
    with a letter no implicit type starts with; the rest go through PyYAML's resolver, cached
    because inventories repeat values a lot."""
    if value and value[0] not in _MAYBE_NOT_TEXT:
        return _STR
    return _resolved_tag(value)


@functools.lru_cache(maxsize=65536)
def _resolved_tag(value: str) -> str:
    return str(_resolver.resolve(ScalarNode, value, (True, False)))  # type: ignore[no-untyped-call]


def _scalar(event: yaml.ScalarEvent, name: str) -> ScalarNode:
    plain, _quoted = event.implicit
    if event.tag is not None and event.tag != "!" and not (plain or _quoted):
        raise _at(
            name,
            event.start_mark,
            f"YAML tag '{event.tag}' is not supported",
            "remove the tag; quote the value if it must be text",
        )
    if event.style in ("'", '"', "|", ">") or not plain:
        tag = "tag:yaml.org,2002:str"
    else:
        tag = _implicit_tag(event.value)
    node = ScalarNode(
        tag, event.value, _mark(event.start_mark), _mark(event.end_mark), style=event.style
    )
    return node


def _pairs(items: list[Node], name: str) -> list[tuple[Node, Node]]:
    pairs = list(zip(items[0::2], items[1::2], strict=True))
    seen: dict[str, Node] = {}
    for key, _value in pairs:
        if not isinstance(key, ScalarNode):
            raise _at(
                name,
                key.start_mark,
                "a mapping key must be plain text",
                "use a simple name as the key",
            )
        first = seen.get(key.value)
        if first is not None:
            raise _at(
                name,
                key.start_mark,
                f"duplicate key '{key.value}' (first at line {first.start_mark.line + 1})",
                "YAML would silently keep only the last one: remove or rename one of them",
            )
        seen[key.value] = key
    return pairs
