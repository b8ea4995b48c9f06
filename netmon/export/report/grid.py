"""Box tables for a terminal, drawn as rich draws its tables (a heavy head, light rows, each
column as wide as its longest cell, the widest folded to fit the width) at a cost per row
that a national inventory can pay: rich measured and laid out each of the 266,000 cells of
the 33,000-link table one by one (19 s for `netmon report links`); here a cell costs a
len() or a cell_len(), and a row one join.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len


@dataclass(frozen=True)
class Grid:
    """A titled table of text cells; `right`: the indexes of right-justified columns."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: frozenset[int] = frozenset()


def grid(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[object]], right: Iterable[str] = ()
) -> Grid:
    """A Grid of rows of any values (str() of each); right: the names of right-justified
    columns."""
    named = frozenset(right)
    return Grid(
        title,
        tuple(columns),
        tuple(tuple(map(_text, r)) for r in rows),
        frozenset(i for i, c in enumerate(columns) if c in named),
    )


# Control characters (a line feed in a name, an escape sequence in what a device reported)
# would move the cursor or recolour the terminal: each is drawn as a space.
_CONTROLS = dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0)], " ")


def _text(value: object) -> str:
    text = str(value)
    return text if text.isprintable() else text.translate(_CONTROLS)


def draw(table: Grid, width: int) -> str:
    """The table within `width` columns of the terminal, its title above it."""
    head = table.columns
    cells = [head, *table.rows]
    # Display width: len() for ASCII (nearly every cell), the terminal's cell count otherwise.
    sizes = [[len(c) if c.isascii() else cell_len(c) for c in row] for row in cells]
    widths = _fit([max(col) for col in zip(*sizes, strict=True)], width - 3 * len(head) - 1)
    out = [table.title] if table.title else []
    out.append("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
    out.extend(_lines(head, sizes[0], widths, table.right, "┃"))
    out.append("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
    for row, size in zip(table.rows, sizes[1:], strict=True):
        out.extend(_lines(row, size, widths, table.right, "│"))
    out.append("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
    return "\n".join(out) + "\n"


def _fit(natural: list[int], room: int) -> list[int]:
    """Column widths within room: each column's natural width, the widest cut down to a common
    cap (the largest that fits), what is left of room given back to them one by one."""
    if sum(natural) <= room:
        return natural
    low, high = 1, max(natural)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(w, cap) for w in natural) <= room:
            low = cap
        else:
            high = cap - 1
    widths = [min(w, low) for w in natural]
    spare = room - sum(widths)
    for i, w in enumerate(natural):
        if spare > 0 and w > widths[i]:
            widths[i] += 1
            spare -= 1
    return widths


def _lines(
    row: tuple[str, ...], sizes: list[int], widths: list[int], right: frozenset[int], bar: str
) -> list[str]:
    """One row's lines: one, unless a cell is wider than its column (then folded)."""
    if all(s <= w for s, w in zip(sizes, widths, strict=True)):
        return [_line(row, sizes, widths, right, bar)]
    folded = [_fold(c, w) if s > w else [c] for c, s, w in zip(row, sizes, widths, strict=True)]
    height = max(map(len, folded))
    out = []
    for i in range(height):
        parts = tuple(f[i] if i < len(f) else "" for f in folded)
        out.append(_line(parts, [cell_len(p) for p in parts], widths, right, bar))
    return out


def _line(
    parts: Sequence[str], sizes: list[int], widths: list[int], right: frozenset[int], bar: str
) -> str:
    padded = (
        " " * (w - s) + p if i in right else p + " " * (w - s)
        for i, (p, s, w) in enumerate(zip(parts, sizes, widths, strict=True))
    )
    return f"{bar} " + f" {bar} ".join(padded) + f" {bar}"


def _fold(text: str, width: int) -> list[str]:
    """text in lines of at most width cells: broken at spaces, a longer word cut."""
    lines = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)
    out: list[str] = []
    for line in lines or [""]:
        while cell_len(line) > width:  # wide characters: textwrap counts code points
            cut = _cut(line, width)
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def _cut(text: str, width: int) -> int:
    """How many characters of text fit in width cells (at least one)."""
    used = 0
    for i, ch in enumerate(text):
        used += cell_len(ch)
        if used > width:
            return max(i, 1)
    return len(text)
