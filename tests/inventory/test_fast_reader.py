"""The fast reader (netmon/yamlspec/fast.py) against the full path (reader.py, then Checker).

The fast reader may decline any file (None), but a file it accepts must be one the full path
accepts with no problem, and what it returns must equal the full path's value: every value,
every key in its order, every position (`.at`, `.line`, `.col`). Checked on every inventory in
the repository, on a national one, on block-style rewrites of them, and on mutants: each a
valid file with one random edit, most of them invalid in some way.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from inventory.test_invalid_corpus import DATA

from netmon.gen.inventory import national, write
from netmon.inventory.format import FILE
from netmon.inventory.load import check_file
from netmon.yamlspec import ROOT, Checker, Mapping, Sequence, parse_yaml
from netmon.yamlspec.fast import read_checked

REPO = Path(__file__).parents[2]
SHIPPED = sorted((REPO / "inventory").glob("*.yaml"))
VALID = [DATA / "base.yaml", DATA / "valid" / "network.yaml", *SHIPPED]


def full(raw: bytes, name: str = "f.yaml") -> tuple[list[Any], Any]:
    """The full path alone: the strict reader, then the checker."""
    root, problems = parse_yaml(raw, name)
    if root is None:
        return problems, None
    checker = Checker(name)
    data = checker.check(root, FILE, ROOT)
    return problems + checker.problems, data


def shape(value: Any) -> Any:
    """Everything a checked value says, positions included, as plain data."""
    if isinstance(value, Mapping):
        items = [(k, shape(v)) for k, v in value.items()]
        return ("map", value.line, value.col, list(value.at.items()), items)
    if isinstance(value, Sequence):
        return ("seq", value.line, value.col, list(value.at), [shape(v) for v in value])
    return (type(value).__name__, value)


def agrees(raw: bytes) -> bool:
    """The fast reader's answer is None, or the full path's with no problem. True: accepted."""
    fast = read_checked(raw, FILE)
    if fast is None:
        return False
    problems, data = full(raw)
    assert problems == [], raw.decode("utf-8", "replace")
    assert shape(fast) == shape(data), raw.decode("utf-8", "replace")
    return True


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_repository_inventories(path: Path) -> None:
    assert agrees(path.read_bytes())


def quoted(text: str) -> str:
    """Names and kinds quoted, in both styles (as people quote a name with a comma)."""
    text = re.sub(r"name: ([^\"',}\n][^,}\n]*)", r'name: "\1, quoted"', text)
    return re.sub(r"kind: ([a-z-]+)", r"kind: '\1'", text)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_quoted_scalars(path: Path) -> None:
    text = quoted(path.read_text(encoding="utf-8"))
    assert '"' in text
    assert agrees(text.encode())


def test_national_inventory_is_read_fast(tmp_path: Path) -> None:
    write(national(provinces=2, per_province=300), tmp_path)
    files = sorted(tmp_path.glob("*.yaml"))
    assert all(agrees(p.read_bytes()) for p in files)


def block_style(raw: bytes) -> bytes:
    """The same data written in block style (what hand-written inventories often are)."""
    data = yaml.safe_load(raw)
    return yaml.safe_dump(data, default_flow_style=False, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_block_style_rewrites(path: Path) -> None:
    raw = block_style(path.read_bytes()).encode()
    text = raw.decode()
    assert agrees(raw) or "'" in text or '"' in text
    # and indented lists under keys, as many editors write them
    indented = text.replace("\n- ", "\n  - ").replace("\n  ", "\n    ").encode()
    agrees(indented)


def test_the_invalid_corpus_is_left_to_the_full_path() -> None:
    """A file with a problem of its own is never accepted; a valid file whose problem is in
    its references (an unknown device, a duplicate id) may be."""
    for path in sorted((DATA / "invalid").glob("*.yaml")):
        raw = path.read_bytes()
        problems, _ = full(raw, path.name)
        if problems:
            assert read_checked(raw, FILE) is None, path.name
        else:
            agrees(raw)


# What a mutation inserts: YAML's indicators, spaces, line breaks, a tab, letters and digits.
INSERTS = [
    *":-{}[],#&*!|>'\"%@`? \n\t\\",
    "a",
    "Z",
    "0",
    "7",
    "é",
    ": ",
    "- ",
    "  ",
    "\r",
    "~",
    "''",
]


def mutate(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    what = rng.randrange(5)
    if what == 0:
        return text[:at] + text[at + 1 :]  # delete a character
    if what == 1:
        return text[:at] + rng.choice(INSERTS) + text[at:]  # insert one
    lines = text.split("\n")
    k = rng.randrange(len(lines))
    if what == 2:
        lines.insert(k, lines[k])  # a line twice
    elif what == 3:
        lines[k] = " " * rng.choice((1, 2, 4)) + lines[k]  # indented further
    else:
        lines[k] = lines[k][rng.choice((1, 2)) :]  # indented less
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(4))
def test_mutants(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible mutants, not secrets
    sources = [(DATA / "base.yaml").read_text(encoding="utf-8")]
    sources.append(block_style(sources[0].encode()))
    sources.append(quoted(sources[0]))
    accepted = declined = 0
    for _ in range(600):  # bounded: about 2 s a seed
        text = mutate(rng.choice(sources), rng)
        if agrees(text.encode()):
            accepted += 1
        else:
            declined += 1
    # both answers happen: the mutants test the boundary, not one side of it
    assert accepted > 30 and declined > 30


def test_check_file_takes_the_fast_path_and_gives_the_same() -> None:
    raw = (DATA / "base.yaml").read_bytes()
    problems, data = check_file(raw, "base.yaml")
    assert problems == []
    assert read_checked(raw, FILE) is not None
    assert shape(data) == shape(full(raw, "base.yaml")[1])
