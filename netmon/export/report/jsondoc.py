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
    if isinstance(obj, str):
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
        if not obj:
            out.append("[]")
            return
        inner = newline + "  "
        if all(type(item) is str for item in obj):
            sep = "," + inner
            out.append("[" + inner + sep.join(map(encode_basestring, obj)) + newline + "]")
            return
        out.append("[")
        first = True
        for item in obj:
            out.append(inner if first else "," + inner)
            first = False
            _write(item, inner, out)
        out.append(newline + "]")
    elif isinstance(obj, dict):
        if not obj:
            out.append("{}")
            return
        inner = newline + "  "
        first = True
        for key, value in obj.items():
            if not isinstance(key, str):
                raise _Unusual
            out.append(("{" if first else ",") + inner + encode_basestring(key) + ": ")
            first = False
            _write(value, inner, out)
        out.append(newline + "}")
    else:
        raise _Unusual


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
