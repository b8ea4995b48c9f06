"""Positions for data read without them: a file's lines and columns, read again when asked.

A file read in another process (split.py) or taken from the cache (cache.py) comes as plain
dicts and lists, without the line and column marks the checked data carries. Only a problem
needs them, and most inventories have none; but a warning is no failure (an agency listed
before its CPE is installed): a valid inventory may carry one for months, and every run must
place it. So when a problem asks where a plain mapping is, the Placer reads that one file
again here (a few ms), pairs its checked containers with the plain ones by their place in the
file, and answers from the checked one: the same position a cold run gives, since the file's
bytes are the same (the cache keys its entries by them).

Any doubt (the bytes are gone, the file reads differently, a container has no pair) raises
PositionElsewhere: the caller then reads every such file again and checks again (load.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from netmon.errors import Problem
from netmon.inventory.split import PositionElsewhere, Read
from netmon.yamlspec import Mapping

ReadFile = Callable[[bytes, str], tuple[list[Problem], Mapping | None]]
# id(plain container) -> the checked container at its place in the file read again
Pairs = dict[int, Any]


class Placer:
    """Where a plain container is in its file. read: the folder's files as read (plain data
    for those read elsewhere), kept alive by the caller, so ids stay theirs; contents: their
    bytes; read_file: the reader that gave the plain data its shape (load.check_file)."""

    def __init__(
        self, read: dict[str, Read], contents: dict[str, bytes | None], read_file: ReadFile
    ) -> None:
        self._read = read
        self._contents = contents
        self._read_file = read_file
        self._pairs: dict[str, Pairs] = {}

    @property
    def files_read(self) -> tuple[str, ...]:
        """The files read again so far, in order."""
        return tuple(self._pairs)

    def placed(self, file: str, data: Any) -> Any:
        """The checked container (with .line, .col, .at) at plain data's place in file."""
        pairs = self._pairs.get(file)
        if pairs is None:
            pairs = self._pairs[file] = self._paired(file)
        found = pairs.get(id(data))
        if found is None:
            raise PositionElsewhere
        return found

    def _paired(self, file: str) -> Pairs:
        content = self._contents.get(file)
        _, plain = self._read.get(file, ([], None))
        if content is None or plain is None:
            return {}
        _, checked = self._read_file(content, file)
        pairs: Pairs = {}
        _pair(plain, checked, pairs)
        return pairs


def _pair(plain: Any, checked: Any, pairs: Pairs) -> None:
    """plain's containers paired with checked's, place by place; a place that differs (it
    should not: same bytes, same reader) is left unpaired, and asking for it raises."""
    if type(plain) is dict:
        if not isinstance(checked, dict) or checked.keys() != plain.keys():
            return
        pairs[id(plain)] = checked
        for key, value in plain.items():
            if type(value) is dict or type(value) is list:
                _pair(value, checked[key], pairs)
    elif type(plain) is list:
        if not isinstance(checked, list) or len(checked) != len(plain):
            return
        pairs[id(plain)] = checked
        for value, other in zip(plain, checked, strict=True):
            if type(value) is dict or type(value) is list:
                _pair(value, other, pairs)
