"""JSON reports: the view's data, UTF-8 (Vietnamese names stay readable), stable key order."""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from netmon.export.report.views import View, view_data
from netmon.model.snapshot import Snapshot


def render(snapshot: Snapshot, view: View, page: str | None = None) -> str:
    return dumps(view_data(snapshot, view)) + "\n"


class _Unusual(Exception):
    """A value plain_dumps does not write itself: json.dumps does."""


def dumps(data: Any) -> str:
    """Exactly json.dumps(data, ensure_ascii=False, indent=2), faster.

    With indent, json.dumps runs its pure-Python encoder (C only without indent in Python
    3.11): 0.6-0.8 s for the national spof report's 17 MB, three quarters of them lists of
    agency ids. Here a list of strings is one join over the C string encoder; any value other
    than str keys, str, int, float, bool, None, list, tuple and dict goes to json.dumps."""
    try:
        out: list[str] = []
        if isinstance(data, dict) and data and all(isinstance(k, str) for k in data):
            _write_top(data, out)
        else:
            _write(data, "\n", out)
        return "".join(out)
    except _Unusual:
        return json.dumps(data, ensure_ascii=False, indent=2)


def _write(obj: Any, newline: str, out: list[str]) -> None:
    kind = type(obj)  # the usual types by identity first: isinstance() for the rest
    if kind is str:
        out.append(encode_basestring(obj))
    elif kind is dict:
        _write_dict(obj, newline, out)
    elif kind is list or kind is tuple:
        _write_list(obj, newline, out)
    elif isinstance(obj, str):
        out.append(encode_basestring(obj))
    elif obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, int):
        out.append(int.__repr__(obj))
    elif isinstance(obj, float):
        out.append(_float(obj))
    elif isinstance(obj, list | tuple):
        _write_list(obj, newline, out)
    elif isinstance(obj, dict):
        _write_dict(obj, newline, out)
    else:
        raise _Unusual


def _strings(obj: list[Any] | tuple[Any, ...], newline: str) -> str | None:
    """A non-empty list of strings alone (most of a report's bytes) in one join; else None."""
    if not obj or set(map(type, obj)) != _STR:
        return None
    inner = newline + "  "
    return "[" + inner + ("," + inner).join(map(encode_basestring, obj)) + newline + "]"


_STR = {str}


def _write_list(obj: list[Any] | tuple[Any, ...], newline: str, out: list[str]) -> None:
    if not obj:
        out.append("[]")
        return
    text = _strings(obj, newline)
    if text is not None:
        out.append(text)
        return
    inner = newline + "  "
    sep = "[" + inner
    for item in obj:
        out.append(sep)
        sep = "," + inner
        _write(item, inner, out)
    out.append(newline + "]")


def _write_dict(obj: dict[Any, Any], newline: str, out: list[str]) -> None:
    if not obj:
        out.append("{}")
        return
    inner = newline + "  "
    sep = "{" + inner
    for key, value in obj.items():
        if not isinstance(key, str):
            raise _Unusual
        head = sep + encode_basestring(key) + ": "
        sep = "," + inner
        # The usual values written in one piece with their key: a call less each (27,000
        # blast radius entries of five keys in the national spof report).
        kind = type(value)
        if kind is str:
            out.append(head + encode_basestring(value))
        elif kind is int:
            out.append(head + int.__repr__(value))
        elif (kind is list or kind is tuple) and (text := _strings(value, inner)) is not None:
            out.append(head + text)
        else:
            out.append(head)
            _write(value, inner, out)
    out.append(newline + "}")


def _write_top(obj: dict[str, Any], out: list[str]) -> None:
    """The top-level dict, where a report may hold one object under two keys (spof's declared
    and current, when nothing changed): written once, its pieces copied for the second (0.15 s
    of the national spof report's 17 MB). Deeper down each value is written where it is."""
    written: dict[int, tuple[int, int]] = {}
    first = True
    for key, value in obj.items():
        out.append(("{" if first else ",") + "\n  " + encode_basestring(key) + ": ")
        first = False
        span = written.get(id(value))
        if span is not None:
            out.extend(out[span[0] : span[1]])
            continue
        start = len(out)
        _write(value, "\n  ", out)
        if isinstance(value, dict | list):
            written[id(value)] = (start, len(out))
    out.append("\n}")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)
