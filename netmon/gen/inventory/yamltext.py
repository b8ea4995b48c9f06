"""YAML text a person reads: one line per list entry, quotes only where YAML needs them."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache

import yaml

from netmon.gen.inventory.tables import MODELINE, WIDTH, Item


@cache
def _plain(text: str) -> bool:
    """Can `text` stay unquoted in a flow mapping and read back as the same string?"""
    # The common cases, checked fast: words, and IPv4 addresses (no YAML number has 3 dots).
    if re.fullmatch(r"[^\W\d_][\w.–-]*(?: [\w.–-]+)*", text):
        return text.lower() not in {"y", "yes", "n", "no", "true", "false", "on", "off", "null"}
    if re.fullmatch(r"\d+(?:\.\d+){3}(?:/\d+)?", text):
        return True
    try:
        back = yaml.safe_load(f"{{k: {text}}}")
    except yaml.YAMLError:
        return False
    return bool(text == text.strip() and back == {"k": text})


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    # A JSON string is a valid YAML double-quoted scalar; ensure_ascii=False keeps it readable.
    return str(value) if _plain(str(value)) else json.dumps(str(value), ensure_ascii=False)


def _item(item: Item) -> list[str]:
    """A list entry on one line (grep, diffs); when too long, break only inside its lists."""
    lines = ["  - {" + ", ".join(f"{k}: {_flow(v)}" for k, v in item.items()) + "}"]
    if len(lines[0]) <= WIDTH:
        return lines
    lines = ["  - {"]
    for n, (key, value) in enumerate(item.items()):
        lines[-1] += ", " * (n > 0) + f"{key}: "
        if not isinstance(value, list) or not value:
            lines[-1] += _flow(value)
            continue
        for m, element in enumerate(value):
            piece = "[" * (m == 0) + _flow(element) + ("," if m < len(value) - 1 else "]")
            if m and len(lines[-1]) + len(piece) >= WIDTH:
                lines.append("     ")
            lines[-1] += " " * (m > 0) + piece
    lines[-1] += "}"
    return lines


def _doc(header: str, sections: Sequence[tuple[str, object]]) -> str:
    lines = [MODELINE, *(f"# {h}".rstrip() for h in header.strip().splitlines())]
    for key, value in sections:
        if not value:
            continue  # "key:" alone would read as null, which the loader refuses
        lines += ["", f"{key}:"]
        if isinstance(value, dict):
            lines += [f"  {k}: {_flow(v)}" for k, v in value.items()]
            continue
        for entry in value if isinstance(value, list) else ():
            lines += [f"  # {entry}"] if isinstance(entry, str) else _item(entry)
    return "\n".join(lines) + "\n"
