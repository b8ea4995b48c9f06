"""The strict reader's two paths, and PyYAML with and without libyaml.

The fast path (libyaml's composer, netmon/yamlspec/reader.py) must give the very tree the
event reader gives, and must hand every text it cannot vouch for to the event reader, so that
refusals keep their messages and FILE:LINE:COL. Without libyaml the event reader runs on
PyYAML's pure-Python parser: the same positions, and the same words for netmon's own refusals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from inventory.test_invalid_corpus import CREDENTIALS, DATA, INVENTORY_CASES, _first_error
from yaml.nodes import MappingNode, Node, ScalarNode

from netmon.gen.inventory import national, write
from netmon.inventory import check_inventory
from netmon.yamlspec import reader

REPO = Path(__file__).parents[2]
VALID = [
    DATA / "base.yaml",
    DATA / "valid" / "network.yaml",
    DATA / "lab-small" / "inventory.yaml",
    REPO / "config.yaml",
    *sorted((REPO / "inventory").glob("*.yaml")),
]


def shape(node: Node | None) -> Any:
    """Everything a node tree says that the checker reads: kinds, tags, values, styles, marks."""
    if node is None:
        return None
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    if isinstance(node, MappingNode):
        return ("map", node.tag, marks, [(shape(k), shape(v)) for k, v in node.value])
    return ("seq", node.tag, marks, [shape(v) for v in node.value])


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_fast_path_gives_the_event_readers_tree(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if reader._EVENTS_ONLY.search(text):
        pytest.skip("holds '&', '*' or '!': the event reader reads it")
    fast = reader._compose_fast(text)
    assert fast is not reader._SLOW
    assert shape(fast) == shape(reader._compose_events(text, path.name))


def test_fast_path_on_a_national_province(tmp_path: Path) -> None:
    write(national(provinces=2, per_province=300), tmp_path)
    for path in sorted(tmp_path.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert not reader._EVENTS_ONLY.search(text)
        fast = reader._compose_fast(text)
        assert fast is not reader._SLOW
        assert shape(fast) == shape(reader._compose_events(text, path.name))


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 2\na: 3\n",  # duplicate key
        "? [a, b]\n: 1\n",  # a key that is not text
        "a: " + "[" * 40 + "]" * 40 + "\n",  # deeper than MAX_DEPTH
        "a: 1\n---\nb: 2\n",  # a second document
        "a: [1, 2\n",  # a syntax error
    ],
    ids=["duplicate-key", "non-text-key", "deep", "two-documents", "syntax"],
)
def test_fast_path_declines_what_it_cannot_vouch_for(text: str) -> None:
    assert reader._compose_fast(text) is reader._SLOW


def test_texts_that_may_hold_anchors_or_tags_never_take_the_fast_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str) -> Node | None:
        raise AssertionError("fast path used")

    monkeypatch.setattr(reader, "_compose_fast", refuse)
    for text in ("a: &x 1\nb: 2\n", "a: *x\n", "a: !!str 5\n"):
        with pytest.raises(reader._Refused):
            reader._compose(text, "t.yaml")


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml (both paths), then as if PyYAML had been built without it."""
    if request.param == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML here has no libyaml")
    if request.param == "pure-python":
        monkeypatch.setattr(reader, "_CLoader", None)
        monkeypatch.setattr(reader, "_Loader", yaml.SafeLoader)
    return str(request.param)


@pytest.mark.parametrize("rule", sorted(INVENTORY_CASES))
def test_invalid_corpus_on_each_parser(parser: str, rule: str) -> None:
    line, col, message, _ = INVENTORY_CASES[rule]
    _, problems = check_inventory(DATA / "invalid" / f"{rule}.yaml", CREDENTIALS)
    first = _first_error(problems)
    if rule == "deep-nesting" and parser == "pure-python":
        # libyaml scans a flow collection ahead and stops at its own limit; the pure-Python
        # parser hands netmon each '[' as it comes, so the reader refuses the 33rd one itself.
        text = (DATA / "invalid" / f"{rule}.yaml").read_text(encoding="utf-8").splitlines()
        at = [i for i, c in enumerate(text[line - 1]) if c == "["][reader.MAX_DEPTH - 1]
        line, col = line, at + 1
    assert (first.line, first.col) == (line, col)
    if rule != "yaml-syntax" or parser == "libyaml":  # each parser words syntax errors its way
        assert first.message == message
    else:
        assert first.message.startswith("YAML syntax error: ")


def test_valid_inventory_reads_the_same_on_each_parser(parser: str) -> None:
    inv, problems = check_inventory(REPO / "inventory")
    assert inv is not None and not [p for p in problems if p.severity == "error"]
    assert len(inv.agencies) == 467
