"""Scalars of the plain shape as the checker reads them, or doubt: shared by the fast
readers (fast.py line by line, flowlines.py a run of one-line items at once)."""

from __future__ import annotations

from typing import Any

from yaml.error import Mark
from yaml.nodes import ScalarNode

from netmon.yamlspec.reader import _MAYBE_NOT_TEXT, _implicit_tag
from netmon.yamlspec.spec import STR, Checker, Int, ListOf, MapOf, Mapping, Obj, Spec, _required


class Doubt(Exception):
    """Outside the plain shape: the full reader decides."""


DOUBT = Doubt()

# First characters that make a scalar more than plain text ('-' only when a space follows).
INDICATORS = frozenset("?:,[]{}#&*!|>'\"%@`")
# First characters of a plain scalar that may make it other than text, or more than a plain
# scalar: the fast test in the flow loops leaves those to scalar().
MAYBE_SPECIAL = INDICATORS | _MAYBE_NOT_TEXT | {"-"}


# id(spec) -> (the spec, its required keys, its one_of): the spec is kept (ids not reused)
_MUST: dict[int, tuple[Obj, frozenset[str], tuple[str, ...]]] = {}


def must(spec: Obj) -> tuple[frozenset[str], tuple[str, ...]]:
    """An Obj's required keys and its one_of, listed once per spec."""
    found = _MUST.get(id(spec))
    if found is None:
        found = _MUST[id(spec)] = (spec, frozenset(k for k, _ in _required(spec)), spec.one_of)
    return found[1], found[2]


def complete(out: Mapping, spec: Obj) -> None:
    """What the checker asks of a whole mapping: every required key, exactly one of one_of."""
    required, one_of = must(spec)
    if not required.issubset(out) or (one_of and sum(k in out for k in one_of) != 1):
        raise DOUBT


def scalar(
    text: str,
    line: int,
    col: int,
    spec: Spec,
    plain: Any,
    flow: bool = False,
    quoted: bool = False,
) -> Any:
    """A scalar's value for spec, as the checker reads it, or doubt. Quoted: text is what
    was between the quotes (always text to YAML)."""
    if quoted:
        if text and takes(plain, text):
            return text
        return checked(text, STR, line, col, spec)
    first = text[0]
    if first in INDICATORS or (first == "-" and text[1:2] in ("", " ")):
        raise DOUBT
    if ": " in text or text[-1] == ":" or (flow and ":" in text):
        raise DOUBT
    if (
        type(spec) is Int
        and len(text) < 19
        and text.isascii()
        and text.isdigit()
        and (text[0] != "0" or text == "0")
    ):
        # a decimal number as the checker reads it (YAML 1.1 int, no octal look, no '_')
        number = int(text)
        if (spec.minimum is None or number >= spec.minimum) and (
            spec.maximum is None or number <= spec.maximum
        ):
            return number
    tag = _implicit_tag(text)
    if tag == STR and takes(plain, text):
        return text
    return checked(text, tag, line, col, spec)


def takes(plain: Any, text: str) -> bool:
    """Whether a Str spec takes this text (of tag str) as it is: spec._plain_of's test,
    the checker's own fast test (None: not a plain Str spec, ask the checker)."""
    return (
        plain is not None
        and len(text) <= plain[0]
        and (plain[1] is None or text in plain[1])
        and (plain[2] is None or plain[2](text) is not None)
    )


def checked(text: str, tag: str, line: int, col: int, spec: Spec) -> Any:
    if type(spec) in (ListOf, Obj, MapOf):
        raise DOUBT
    # Anything else (a number, a boolean, a value the fast test above did not take) is the
    # checker's to read; a problem there means the full path must word it.
    checker = Checker("")
    mark = Mark("", 0, line - 1, col - 1, "", 0)
    value = checker.check(ScalarNode(tag, text, mark, mark), spec, "")
    if checker.problems or value is None:
        raise DOUBT
    return value
