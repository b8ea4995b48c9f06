"""Plain data (what JSON holds) to and from the model's frozen dataclasses, by their type hints.

Generic, so a new field needs no serialiser change; compiled once per type, since a national
snapshot holds a million values: reading one field by field through `typing` (its hints read
again for every object, a path string made for every value) took 21 s for the 62 MB snapshot
of 30,000 agencies. A loader here checks a value and builds it; where a bad value is (such as
`snapshot.links[3].status`) is worked out only when there is one.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from typing import Any, Literal

Load = Callable[[Any], Any]
Derived = Mapping[type, Callable[[Any], dict[str, Any]]]


class BadValue(ValueError):
    """A value its type refuses; path: where, innermost first (".status", "[3]", ...)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
        self.path: list[str] = []

    def at(self, root: str) -> ValueError:
        return ValueError(f"{root}{''.join(reversed(self.path))}: {self.what}")


def load(tp: Any, data: Any, root: str) -> Any:
    """data as a tp; ValueError('ROOT.PATH: what is wrong') when it is not one."""
    try:
        return loader(tp)(data)
    except BadValue as bad:
        raise bad.at(root) from None


@functools.cache
def loader(tp: Any) -> Load:
    """The function that checks plain data against tp and builds it."""
    origin = typing.get_origin(tp)
    if origin is Literal:
        return _literal(typing.get_args(tp))
    if origin in (types.UnionType, typing.Union):
        args = typing.get_args(tp)
        (inner,) = [a for a in args if a is not type(None)]
        return _optional(loader(inner)) if type(None) in args else loader(inner)
    if origin is tuple:
        return _tuple(loader(typing.get_args(tp)[0]))
    if isinstance(tp, type) and is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return _object(tp, tuple((f.name, loader(hints[f.name])) for f in fields(tp) if f.init))
    if tp is float:
        return _float
    if tp in (str, int, bool):
        return _exactly(tp)
    return _refused(getattr(tp, "__name__", str(tp)))


def _literal(allowed: tuple[Any, ...]) -> Load:
    def literal(data: Any) -> Any:
        if data not in allowed:
            raise BadValue(f"{data!r} is not one of {allowed}")
        return data

    return literal


def _optional(inner: Load) -> Load:
    def optional(data: Any) -> Any:
        return None if data is None else inner(data)

    return optional


def _tuple(item: Load) -> Load:
    def items(data: Any) -> tuple[Any, ...]:
        if not isinstance(data, list):
            raise BadValue("expected a list")
        try:
            return tuple(map(item, data))
        except BadValue:
            for i, value in enumerate(data):  # which item: looked for only when one is bad
                try:
                    item(value)
                except BadValue as bad:
                    bad.path.append(f"[{i}]")
                    raise
            raise

    return items


def _object(tp: type, parts: tuple[tuple[str, Load], ...]) -> Load:
    def obj(data: Any) -> Any:
        if not isinstance(data, dict):
            raise BadValue("expected an object")
        kwargs = {}
        name = ""
        try:
            for name, load_field in parts:
                if name in data:
                    kwargs[name] = load_field(data[name])
        except BadValue as bad:
            bad.path.append(f".{name}")
            raise
        try:
            return tp(**kwargs)
        except TypeError as exc:  # a required field is absent
            raise BadValue(str(exc)) from None

    return obj


def _float(data: Any) -> float:
    if isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    raise BadValue(f"{data!r} is not a float")


def _exactly(tp: type) -> Load:
    def exactly(data: Any) -> Any:
        if type(data) is tp:
            return data
        raise BadValue(f"{data!r} is not a {tp.__name__}")

    return exactly


def _refused(name: str) -> Load:
    def refused(data: Any) -> Any:
        raise BadValue(f"{data!r} is not a {name}")

    return refused


def dumper(derived: Derived) -> Callable[[Any], Any]:
    """to_data: plain JSON-able data of any value, dataclasses as objects (their fields in
    order, then what derived adds for their class), tuples as lists."""

    def to_data(value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS:
            return value
        if kind is tuple or kind is list:
            return [to_data(v) for v in value]
        if is_dataclass(value) and not isinstance(value, type):
            dump = compiled.get(kind)
            if dump is None:
                dump = compiled[kind] = _dump_object(kind)
            return dump(value)
        if isinstance(value, tuple | list):
            return [to_data(v) for v in value]
        if isinstance(value, dict):
            return {str(k): to_data(v) for k, v in value.items()}
        return value

    compiled: dict[type, Callable[[Any], dict[str, Any]]] = {}

    def _dump_object(cls: type) -> Callable[[Any], dict[str, Any]]:
        hints = typing.get_type_hints(cls)
        # Fields that hold plain values by their type are copied; the rest converted.
        parts = tuple((f.name, None if _plain(hints[f.name]) else to_data) for f in fields(cls))
        extra = derived.get(cls)

        def dump(value: Any) -> dict[str, Any]:
            out = {}
            for name, convert in parts:
                field = getattr(value, name)
                out[name] = field if convert is None else convert(field)
            if extra is not None:
                out.update(extra(value))
            return out

        return dump

    return to_data


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _plain(tp: Any) -> bool:
    """Whether a field of type tp always holds a JSON scalar (str, int, float, bool, None)."""
    origin = typing.get_origin(tp)
    if origin is Literal:
        return all(type(a) in _SCALARS for a in typing.get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return all(_plain(a) for a in typing.get_args(tp))
    return tp in _SCALARS
