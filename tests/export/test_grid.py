"""Report tables (export/report/grid.py): rich's look where everything fits, folded cells
where it does not, every line the table's width in terminal cells, whatever the script."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from netmon.export.report.grid import draw, grid

ROWS = [
    ("core-1--core-2", "Trung tâm dữ liệu thành phố Huế", 2, "100.0"),
    ("pop-phu-vang", "PoP Phú Vang", 143, "97.9"),
    ("x", "", 0, "0.0"),
]
COLUMNS = ("element", "name", "n", "%")


def _rich(title: str, rows: list[tuple[object, ...]], width: int) -> str:
    table = Table(title=title, title_justify="left")
    for c in COLUMNS:
        table.add_column(c, justify="right" if c in ("n", "%") else "left", overflow="fold")
    for r in rows:
        table.add_row(*map(str, r))
    out = io.StringIO()
    Console(file=out, width=width, no_color=True, highlight=False, soft_wrap=False).print(table)
    return out.getvalue()


@pytest.mark.parametrize("rows", [ROWS, ROWS[:1], []])
def test_a_table_that_fits_is_drawn_as_rich_draws_it(rows: list[tuple[object, ...]]) -> None:
    mine = draw(grid("Coverage", COLUMNS, rows, right=("n", "%")), 120)
    theirs = _rich("Coverage", rows, 120)
    assert [line.rstrip() for line in mine.splitlines()] == [
        line.rstrip() for line in theirs.splitlines()
    ]


def _widths(text: str) -> set[int]:
    return {cell_len(line) for line in text.splitlines()[1:]}  # the title line aside


@pytest.mark.parametrize("width", [40, 60, 100])
def test_a_table_wider_than_the_terminal_folds_its_widest_cells(width: int) -> None:
    long = "unreachable behind link pop-phu-vang--pop-huong-thuy (down), device pop-phu-vang"
    rows = [(f"agency-{i:03d}", "Ủy ban nhân dân xã Phú Thuận", long, i) for i in range(3)]
    text = draw(grid("Cut off", ("agency", "name", "cause", "n"), rows, right=("n",)), width)
    assert _widths(text) == {width}  # exactly the terminal's width, every line
    cells = [line.split("│")[3] for line in text.splitlines() if line.startswith("│")]
    # The folded causes read whole again (the spaces where lines broke aside).
    assert "".join(cells).replace(" ", "") == long.replace(" ", "") * 3
    assert "│ 2 │" in text
    if width >= 60:
        assert "agency-000" in text  # short cells whole: only the widest are folded


def test_wide_characters_are_counted_in_terminal_cells() -> None:
    rows = [("cjk", "東京都中央区" * 4), ("vi", "Phường Thuận Hòa " * 3), ("mix", "Huế 東京 " * 5)]
    for width in (30, 45, 120):
        text = draw(grid("Names", ("id", "name"), rows), width)
        widths = _widths(text)
        assert len(widths) == 1 and max(widths) <= width
        kept = "".join(line.split("│")[2].strip() for line in text.splitlines()[4:-1])
        assert kept.replace(" ", "") == "".join(r[1] for r in rows).replace(" ", "")


def test_control_characters_are_drawn_as_spaces() -> None:
    # What a device reported (a sysName with an escape sequence) never reaches the terminal.
    rows = [("evil", "\x1b[31mred\x1b[0m"), ("two\nlines", "tab\there"), ("c1", "a\x9bb")]
    text = draw(grid("Neighbours", ("id", "name"), rows), 100)
    assert not any(ch in text for ch in "\x1b\t\x9b")
    assert text.count("\n") == len(text.splitlines()) == 8  # title, 3 rules, header, 3 rows
    assert "│ evil      │  [31mred [0m │" in text
    assert "│ two lines │ tab here     │" in text
    assert len(_widths(text)) == 1
