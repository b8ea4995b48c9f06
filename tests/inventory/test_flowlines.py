"""Runs of flow mappings read at once (netmon/yamlspec/flowlines.py), against the full path.

The invariant is fast.py's (tests/inventory/test_fast_reader.py): a file the fast reader
accepts is one the full path accepts with no problem, read the same, positions included.
Here the mutants are national-style files, nine lines in ten an item of a run, so that most
edits land in a run; and the positions a run works out on demand are checked where they are
asked for: in a problem's FILE:LINE:COL.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from inventory.test_fast_reader import INSERTS, agrees, mutate

from netmon.gen.inventory import national, write
from netmon.inventory import check_inventory
from netmon.inventory.cache import InventoryCache
from netmon.inventory.format import FILE, ID_PATTERN, IFACE_PATTERN
from netmon.inventory.load import check_file
from netmon.yamlspec import fast
from netmon.yamlspec.fast import _NOT_HERE, _outside_printable, read_checked
from netmon.yamlspec.flowlines import LineMapping, _all_match, _decimals, _lines_pattern
from netmon.yamlspec.spec import Int


def province(tmp_path: Path, per_province: int = 40) -> str:
    """A small synthetic province: agencies with parents, wrapped devices, nested links."""
    write(national(provinces=1, per_province=per_province, pops=2), tmp_path)
    return (tmp_path / "province-01.yaml").read_text(encoding="utf-8")


def test_a_national_file_is_read_by_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spy at the seam: the runs are read at once (and agree with the full path)."""
    text = province(tmp_path)
    read: list[int] = []

    def spy(roots: Any, spec: Any) -> Any:
        items = real(roots, spec)
        read.append(0 if items is None else len(items))
        return items

    real = fast.read_run
    monkeypatch.setattr(fast, "read_run", spy)
    assert agrees(text.encode())
    items = text.count("\n  - {")
    assert 0 not in read
    assert sum(read) == items  # every item, wrapped ones too


@pytest.mark.parametrize("seed", range(3))
def test_mutants_of_runs(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible mutants, not secrets
    text = province(tmp_path, per_province=12)
    accepted = declined = 0
    for _ in range(500):  # bounded: about 2 s a seed
        mutant = mutate(text, rng)
        if rng.random() < 0.3:  # two edits: a run that is still canonical, but wrong
            mutant = mutate(mutant, rng)
        if agrees(mutant.encode()):
            accepted += 1
        else:
            declined += 1
    assert accepted > 30 and declined > 30


@pytest.mark.parametrize("insert", [i for i in INSERTS if i not in "\n\r"])
def test_each_insert_in_each_place_of_an_item(insert: str) -> None:
    """Each insert of the mutants, put at every place of a run's middle item (a mapping
    with a nested list): the invariant holds for every one."""
    head = "inventory: {name: t}\nservices:\n"
    first = "  - {id: a, name: Mạng A, devices: [core-1]}\n"
    item = "  - {id: b, name: Cổng B, devices: [core-1, core-2]}\n"
    last = "  - {id: c, name: C, devices: [core-2]}\n"
    assert agrees((head + first + item + last).encode())
    for at in range(2, len(item) - 1):
        agrees((head + first + item[:at] + insert + item[at:] + last).encode())


@pytest.mark.parametrize(
    "item",
    [
        "{ id: b, name: B, devices: [core-1]}",
        "{id: b , name: B, devices: [core-1]}",
        "{id: b,  name: B, devices: [core-1]}",
        "{id:  b, name: B, devices: [core-1]}",
        "{id : b, name: B, devices: [core-1]}",
        "{id: b, name: B, devices: [ core-1]}",
        "{id: b, name: B, devices: [core-1 ]}",
        "{id: b, name: B, devices: [core-1] }",
        "{id: b, name: B, devices: []}",
        "{id: b, name: B, devices: [core-1], x: {}}",
        "{id: b, name: B #x, devices: [core-1]}",
        "{id: b, name: B#x, devices: [core-1]}",
        "{id: b, name: &B, devices: [core-1]}",
        "{id: b, name: B's, devices: [core-1]}",
        "{id: b, name: 'B', devices: [core-1]}",
        "{id: b, name: yes, devices: [core-1]}",
        "{id: b, name: 12, devices: [core-1]}",
        "{id: b, name: - B, devices: [core-1]}",
        "{id: b, name: B, devices: [core-1], id: c}",
    ],
)
def test_spacing_and_indicators_a_run_must_not_misread(item: str) -> None:
    """What the canonical spelling leaves out, each in the middle of a run: read the way the
    full path reads it, or left to it."""
    head = "inventory: {name: t}\nservices:\n"
    first = "  - {id: a, name: Mạng A, devices: [core-1]}\n"
    last = "  - {id: c, name: C, devices: [core-2]}\n"
    agrees((head + first + f"  - {item}\n" + last).encode())


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_deep_nesting_in_a_run_is_refused_with_its_message(depth: int) -> None:
    """json would nest as deep as the text: a run doubts, the full reader says why."""
    item = "{id: b, name: " + "[" * depth + "x" + "]" * depth + "}"
    text = f"inventory: {{name: t}}\nlevels:\n  - {{id: a, name: A}}\n  - {item}\n"
    problems, data = check_file(text.encode(), "deep.yaml")
    assert data is None or problems
    assert [p.message for p in problems] == ["nesting deeper than 32 levels"]
    assert (problems[0].file, problems[0].line) == ("deep.yaml", 4)


def test_a_problem_in_a_run_names_its_place(tmp_path: Path) -> None:
    """A dangling reference in a run read at once: the position is worked out when asked."""
    folder = tmp_path / "inv"
    write(national(provinces=1, per_province=12, pops=2), folder)
    path = folder / "province-01.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    k = next(i for i, line in enumerate(lines) if "b: {device: cpe-p01-005," in line)
    lines[k] = lines[k].replace("b: {device: cpe-p01-005,", "b: {device: cpe-p01-505,")
    path.write_text("\n".join(lines), encoding="utf-8")
    _, problems = check_inventory(folder)
    (problem,) = [p for p in problems if p.severity == "error"]
    assert problem.message == "unknown device 'cpe-p01-505'"
    assert (problem.line, problem.col) == (k + 1, lines[k].index("cpe-p01-505") + 1)


def test_the_cache_keeps_the_values_and_a_problem_is_placed_as_cold(tmp_path: Path) -> None:
    """The cache keeps a file's data plain (no positions); a problem in a file taken from it is
    placed by reading that file again, where a cold run places it."""
    raw = province(tmp_path).encode()
    data = read_checked(raw, FILE)
    assert data is not None and isinstance(data["agencies"][0], LineMapping)
    cache = InventoryCache(tmp_path / "cache")
    key = cache.key(raw)
    cache.put(key, "p.yaml", [], data)
    found = InventoryCache(tmp_path / "cache").get(key, "p.yaml")
    assert found is not None and found[1] == data and type(found[1]["agencies"][0]) is dict
    folder = tmp_path / "inv"
    write(national(provinces=2, per_province=12, pops=2), folder)
    check_inventory(folder, cache=InventoryCache(tmp_path / "cache2"))  # fill it
    # core-2 loses its interface p01: the province-01 link to it is wrong where it was not edited
    path = folder / "network.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    k = next(i for i, line in enumerate(lines) if "{id: core-2," in line)
    lines[k] = lines[k].replace(" p01,", " p91,")
    path.write_text("\n".join(lines), encoding="utf-8")
    warm = InventoryCache(tmp_path / "cache2")
    _, problems = check_inventory(folder, cache=warm)
    assert warm.hits == 2  # province-01 and -02 taken from the cache, plain
    assert problems == check_inventory(folder)[1]
    assert [(p.file, p.message) for p in problems if p.severity == "error"] == [
        (str(folder / "province-01.yaml"), "device 'core-2' has no interface 'p01'")
    ]


def _links(capacity: str) -> bytes:
    """A run of three links, the middle one's capacity as given."""
    item = (
        "  - {{id: l{0}, a: {{device: x{0}, interface: e0}}, b: {{device: y{0}, interface: e1}}, "
        "kind: access, capacity_mbps: {1}}}\n"
    )
    return (
        "inventory: {name: t}\nlinks:\n"
        + item.format(1, 100)
        + item.format(2, capacity)
        + item.format(3, 1000)
    ).encode()


@pytest.mark.parametrize(
    "capacity",
    [
        "100",
        "1",
        "10000000",
        "10000001",
        "0",
        "0100",
        "0o17",
        "0x1f",
        "+5",
        "-5",
        "1_000",
        "1:30",
        "1e3",
        "100.0",
        "9" * 18,
        "9" * 19,
        "١٢٣",
        "10 0",
    ],
)
def test_numbers_in_a_run_are_read_as_the_full_path_reads_them(capacity: str) -> None:
    """A run's column of numbers is read at once (flowlines._decimals): decimals in range as
    the checker reads them, anything else (an octal or sexagesimal look, a sign, '_', out of
    range, another script's digits) left to scalar(), which reads YAML 1.1's other ints (hex,
    a sign, '_'), or to the full path."""
    accepted = agrees(_links(capacity))  # when accepted: the full path's values, no problem
    if capacity in ("100", "1", "10000000"):
        assert accepted


def test_a_column_of_decimals_is_read_at_once_or_not_at_all() -> None:
    assert _decimals(["100", "0", "7", "9" * 18], Int()) == [100, 0, 7, int("9" * 18)]
    assert _decimals(["100", "0"], Int(minimum=1)) is None
    assert _decimals(["100", "11"], Int(maximum=10)) is None
    for odd in ("010", "+1", "1_0", "1\n2", "", "9" * 19, "١"):
        assert _decimals(["1", odd], Int()) is None, odd


@pytest.mark.parametrize(
    ("pattern", "joinable"),
    [
        (ID_PATTERN, True),
        (IFACE_PATTERN, True),
        (r"\d+(?:\.\d+)?", True),
        (r"[a-z]+|x\-y", True),
        (r"[^,]+", False),  # a negated class takes a line feed
        (r"a\sb", False),
        (r"\D+", False),
        (r"a\nb", False),
        ("a\nb", False),
        (r"^a", False),
        (r"a$", False),
        (r"\Aa", False),
        (r"a\Z", False),
        (r"(?=ab)a.", False),  # a lookahead sees the next value
        (r"(?P<n>a)", False),
        (r"(a)\1", False),
        (r"(?i)a", False),
    ],
)
def test_a_pattern_is_checked_over_a_column_at_once_only_when_that_means_the_same(
    pattern: str, joinable: bool
) -> None:
    """_all_match joins a column's values by line feeds and runs the pattern repeated once,
    when the pattern cannot match a line feed or see past a value: the same answer as value
    by value, either way, on values that trip a careless join."""
    assert (_lines_pattern(pattern) is not None) == joinable
    match = re.compile(pattern).fullmatch
    columns = [
        ["a", "ab", "core-1"],
        ["a", "a\nb", "b"],
        ["ab", "b"],
        ["a", ""],
        ["1.5", "22"],
        ["x-y", "a,b"],
        ["Gi0/1", "Gi0/1 "],
    ]
    for values in columns:
        assert _all_match(values, match) == all(map(match, values)), (pattern, values)


@pytest.mark.parametrize(
    "char",
    [
        "\t",
        "\x00",
        "\x1f",
        "\x7f",
        "\x85",
        "\x9f",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\ufffe",
        "\uffff",
        "\r",
    ],
)
def test_a_character_outside_yamls_printable_set_is_found_by_its_bytes(char: str) -> None:
    """_outside_printable looks at the bytes first; it finds what the regex finds, and the
    characters near those it must let through (an en dash, a no-break space, Vietnamese, a
    full-width letter, an emoji) pass."""
    text = "inventory: {name: Tỉnh 01 – khu\u00a0vực Ａ 🙂}\nlevels: []\n"
    raw = text.encode()
    assert not _outside_printable(raw, text) and not _NOT_HERE.search(text)
    bad = text.replace("khu", f"k{char}hu")
    assert _outside_printable(bad.encode(), bad) and _NOT_HERE.search(bad)
    assert read_checked(bad.encode(), FILE) is None


@pytest.mark.parametrize("site_agency", ["site: s1, agency: a1", "mgmt2: x", ""])
def test_a_device_with_both_or_neither_of_site_and_agency_is_left_to_the_full_path(
    site_agency: str,
) -> None:
    """one_of in a run (a device has exactly one of site and agency), counted over the run."""
    item = "  - {{id: d{0}, role: cpe, {1}, mgmt: 10.0.0.{0}, interfaces: [wan0]}}\n"
    middle = item.format(2, site_agency).replace(", ,", ",")
    text = (
        "inventory: {name: t}\ndevices:\n"
        + item.format(1, "agency: a1")
        + middle
        + item.format(3, "site: s1")
    )
    assert agrees(item.format(1, "agency: a1").encode()) is False  # not a file by itself
    assert not agrees(text.encode())
    assert agrees(text.replace(middle, item.format(2, "site: s2")).encode())
