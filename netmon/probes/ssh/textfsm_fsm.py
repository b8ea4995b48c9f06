"""ntc-templates through textfsm, fast and bounded: what `ntc_templates.parse.parse_output`
returns, at a fraction of its cost.

On every call `parse_output` builds a CliTable: it matches the command against the rows of
the template index (about 1,000 regexes; the index itself textfsm reads once), compiles the
template, parses, and deep-copies the result table. Here the template found for a (platform,
command) and its compiled FSM are kept once per process.

textfsm tries a line against the rules of the current state one by one, in Python, and looks
up each value it assigns in a list (here: a dict). Each state here also gets one combined regex
of all its rules (an alternation, matched in C): a line that matches none of them is skipped,
as textfsm itself would do nothing with it, and a line that matches starts at the first rule
that can match it (the rules before it cannot). The rows are textfsm's own;
`tests/reliability/test_fuzz_ssh.py` compares them with `parse_output` on every capture and on
mutated ones. The largest capture (Cisco `show interfaces`, 74 KB) went from 84 to 10 ms.

No row that a command prints is anywhere near MAX_LINE characters long (a Cisco description is
at most 240, an LLDP TLV at most 511 bytes); a longer line is refused with a ParseError naming
its line number before textfsm sees it, so a regex never runs on an absurd line.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from pathlib import Path
from typing import Any

import textfsm
from textfsm import clitable

from netmon.probes.ssh.parse import ParseError

MAX_LINE = 4096  # characters; a longer line cannot be a row of any table parsed here
_NAMED = re.compile(r"\(\?P<\w+>")
# What cannot be moved into one alternation unchanged: references to groups by name or number
# (the wrapping groups renumber them), conditionals, global flags, an escaped `(` before `?P<`.
_UNSAFE = re.compile(r"\(\?P=|\(\?\(|\\[1-9]|\(\?[aiLmsux]+\)|\\\(\?P<")


def _first_rule(rules: list[Any]) -> re.Pattern[str] | None:
    """One regex that matches wherever one of the rules does, saying (by the name of the group
    that matched, r<i>) which rule is the first to match. None if the rules cannot be combined
    (a back-reference to a named group, a flag in the middle): the state is then run as is."""
    parts = []
    for i, rule in enumerate(rules):
        pattern: str = rule.regex
        if _UNSAFE.search(pattern):
            return None  # keep textfsm's own walk for this state
        parts.append(f"(?P<r{i}>{_NAMED.sub('(?:', pattern)})")
    try:
        return re.compile("|".join(parts)) if parts else None
    except re.error:
        return None


class _Fsm(textfsm.TextFSM):  # type: ignore[misc]  # textfsm has no type information
    """textfsm.TextFSM that starts each line at the first rule that can match it."""

    _cur_state: list[Any]  # textfsm's: the rules of the current state, and its name
    _cur_state_name: str

    def __init__(self, template: str) -> None:
        super().__init__(io.StringIO(template))
        # This leans on textfsm's internals (2.1: _CheckLine walks self._cur_state). Should a
        # textfsm release rename them, every state falls back to textfsm's own walk.
        known = hasattr(self, "_cur_state") and hasattr(self, "_cur_state_name")
        self._gates = {
            name: _first_rule(rules) if known else None for name, rules in self.states.items()
        }
        self._values = {value.name: value for value in self.values}  # names are unique

    def _GetValue(self, name: str) -> Any:  # textfsm's: a linear search per assignment
        return self._values.get(name)

    def _CheckLine(self, line: str) -> None:  # textfsm's name
        gate = self._gates.get(self._cur_state_name)
        if gate is None:
            super()._CheckLine(line)
            return
        found = gate.match(line)
        if found is None:
            return  # no rule of this state matches: textfsm would do nothing with the line
        full = self._cur_state
        rest = full[int(str(found.lastgroup)[1:]) :]
        self._cur_state = rest
        try:
            super()._CheckLine(line)
        finally:
            if self._cur_state is rest:  # no state change: back to the whole state
                self._cur_state = full


@functools.cache
def _template_dir() -> Path:
    from ntc_templates.parse import _get_template_dir

    return Path(_get_template_dir())


@functools.cache
def _index() -> Any:
    return clitable.CliTable("index", str(_template_dir()))


@functools.cache
def _template(platform: str, command: str) -> str | None:
    """The text of the one template ntc-templates uses for this command; None when its index
    names several (parse_output merges their tables: left to parse_output)."""
    row = _index().index.GetRowMatch({"Command": command, "Platform": platform})
    if not row:
        raise ParseError(f"no ntc-templates template for {platform} {command!r}")
    names = str(_index().index.index[row]["Template"]).split(":")
    if len(names) != 1:
        return None
    return (_template_dir() / names[0].strip()).read_text(encoding="utf-8")


_compiled: dict[str, _Fsm] = {}
_lock = threading.Lock()  # one compiled FSM per template, reset for each parse


def check_lines(command: str, text: str) -> None:
    """ParseError if a line is longer than MAX_LINE (named by its number, from 1)."""
    if len(text) <= MAX_LINE:
        return
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            raise ParseError(
                f"line {number} is {len(line):,} characters long: no line {command!r} prints "
                f"is longer than {MAX_LINE:,}"
            )


def parse(platform: str, command: str, text: str) -> list[dict[str, Any]]:
    """The rows ntc-templates' template for (platform, command) finds in `text`, as
    `parse_output` returns them (lowercase column names). Raises ParseError for a line over
    MAX_LINE, textfsm.TextFSMError (Error state) or ParsingException as parse_output does."""
    check_lines(command, text)
    template = _template(platform, command)
    if template is None:
        from ntc_templates.parse import parse_output  # (see parse_errors)

        rows: list[dict[str, Any]] = parse_output(platform=platform, command=command, data=text)
        return rows
    with _lock:
        fsm = _compiled.get(template)
        if fsm is None:
            fsm = _compiled[template] = _Fsm(template)
        fsm.Reset()
        header = [str(h).lower() for h in fsm.header]
        return [dict(zip(header, row, strict=True)) for row in fsm.ParseText(text)]


def parse_errors() -> tuple[type[Exception], ...]:
    """What parse() raises for text its template does not fit: textfsm's errors and
    ntc-templates' ParsingException. ntc_templates is imported once something is parsed, not
    when this module is: it is 0.02 s of every netmon command's start (importlib.metadata),
    and only the ssh probe parses."""
    from ntc_templates.parse import ParsingException

    return textfsm.TextFSMError, clitable.CliTableError, ParsingException


__all__ = ["MAX_LINE", "ParseError", "check_lines", "parse", "parse_errors"]
