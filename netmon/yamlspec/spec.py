"""A small schema language for hand-written YAML, its checker, and its JSON Schema.

One spec serves three purposes: checking a node tree (every problem with file:line:col and a
hint), producing plain Python values that remember where they came from, and generating the JSON
Schema editors use. Keeping them one thing means the schema file cannot drift from the checker.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from netmon.errors import Problem

STR, INT, FLOAT, BOOL, NULL = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")
)
ROOT = "file"  # what `where` is at the top of a file
_OCTAL_LOOKING = re.compile(r"^[-+]?0[0-9_]+$")
# Keys that mean someone is about to commit a secret: refused with a message that says so.
SECRET_WORDS = frozenset(
    {
        "community",
        "password",
        "passwd",
        "secret",
        "auth_key",
        "priv_key",
        "auth_password",
        "priv_password",
        "private_key",
        "token",
        "api_key",
        "authkey",
        "privkey",
    }
)


@dataclass(frozen=True)
class Str:
    doc: str = ""
    pattern: str | None = None
    pattern_hint: str = ""
    enum: tuple[str, ...] = ()
    max_len: int = 200
    # The value may be a secret typed in the wrong place (a password where a bcrypt hash goes):
    # a value that does not fit is refused as "not <doc>" and never quoted, so it stays out of
    # terminals and logs.
    secret: bool = False
    # enum values match whatever their case (names written differently by different tools:
    # snmp_exporter's "SHA256", older netmon configs' "sha256"); the value is the enum's spelling
    ignore_case: bool = False


@dataclass(frozen=True)
class Int:
    doc: str = ""
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Float:
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Bool:
    doc: str = ""


@dataclass(frozen=True)
class ListOf:
    item: Spec
    doc: str = ""
    min_items: int = 0


@dataclass(frozen=True)
class Field:
    spec: Spec
    required: bool = False


@dataclass(frozen=True)
class Obj:
    fields: dict[str, Field]
    doc: str = ""
    title: str = ""
    # exactly one of these keys must be present (e.g. a device's site or agency)
    one_of: tuple[str, ...] = ()
    # a reference to a secret: a plain value here is a literal secret, refused without echoing it
    secret_ref: bool = False


@dataclass(frozen=True)
class MapOf:
    value: Spec
    doc: str = ""
    key_pattern: str | None = None


Spec = Str | Int | Float | Bool | ListOf | Obj | MapOf


class Mapping(dict[str, Any]):
    """A checked mapping: a dict that remembers the position of itself and of each value."""

    line: int = 0
    col: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.at: dict[str, tuple[int, int]] = {}


class Sequence(list[Any]):
    """A checked list that remembers the position of itself and of each item."""

    line: int = 0
    col: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.at: list[tuple[int, int]] = []


def plain(value: Any) -> Any:
    """Checked containers (Mapping, Sequence and the fast readers' own) as plain dicts and
    lists, without positions: what marshal can write (inventory/cache.py, inventory/split.py)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@dataclass
class Checker:
    """Checks node trees of one file against specs, collecting problems instead of stopping."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    reject_secret_keys: bool = True

    def problem(self, node: Node, message: str, hint: str = "") -> None:
        line, col = pos(node)
        self.problems.append(Problem(self.file, line, col, message, hint))

    def check(self, node: Node, spec: Spec, where: str) -> Any:
        """Return the plain value, or None after recording a problem."""
        if isinstance(spec, Obj):
            return self._obj(node, spec, where)
        if isinstance(spec, MapOf):
            return self._map(node, spec, where)
        if isinstance(spec, ListOf):
            return self._list(node, spec, where)
        if not isinstance(node, ScalarNode):
            kind = "a mapping" if isinstance(node, MappingNode) else "a list"
            self.problem(node, f"{where}: expected {_noun(spec)}, got {kind}")
            return None
        return self._scalar(node, spec, where)

    def _obj(self, node: Node, spec: Obj, where: str) -> Mapping | None:
        if not isinstance(node, MappingNode):
            if spec.secret_ref:
                self.problem(
                    node,
                    f"{where}: literal secret refused",
                    "write {env: VARIABLE} or {file: PATH}; secrets never go in YAML in git",
                )
            else:
                self.problem(node, f"{where}: expected a mapping, got {_kind(node)}")
            return None
        out = Mapping()
        out.line, out.col = pos(node)
        at = out.at
        fields = _fields(spec)
        for key_node, value_node in node.value:
            key = key_node.value
            found = fields.get(key)
            if found is None:
                self._unknown_key(key_node, key, list(spec.fields), where)
                continue
            fld, plain = found
            mark = value_node.start_mark
            at[key] = (mark.line + 1, mark.column + 1)
            # most values: text a Str spec takes as it is, no path to build, nothing to report
            if plain is not None and type(value_node) is ScalarNode and value_node.tag == STR:
                text = value_node.value
                max_len, enum, match = plain
                if (
                    0 < len(text) <= max_len
                    and (enum is None or text in enum)
                    and (match is None or match(text) is not None)
                ):
                    out[key] = text
                    continue
            value = self.check(value_node, fld.spec, _join(where, key))
            if value is not None:
                out[key] = value
        for key, fld in _required(spec):
            if key not in out.at:
                self.problem(
                    node,
                    f"{where}: missing required key '{key}'",
                    f"add '{key}:' ({_noun(fld.spec)})",
                )
        if spec.one_of:
            present = [k for k in spec.one_of if k in out.at]
            if len(present) != 1:
                names = " or ".join(f"'{k}'" for k in spec.one_of)
                said = " and ".join(f"'{k}'" for k in present) if present else "none"
                self.problem(
                    node,
                    f"{where}: needs exactly one of {names}, has {said}",
                    f"keep one of {names}",
                )
        return out

    def _unknown_key(self, key_node: Node, key: str, known: list[str], where: str) -> None:
        if self.reject_secret_keys and key.lower() in SECRET_WORDS:
            self.problem(
                key_node,
                f"{where}: literal secret '{key}' does not belong in this file",
                "secrets never go in YAML in git: name a credential set and define it in "
                "config.yaml with {env: VAR} or {file: PATH}",
            )
            return
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(sorted(known))}"
        self.problem(key_node, f"{where}: unknown key '{key}'", hint)

    def _map(self, node: Node, spec: MapOf, where: str) -> Mapping | None:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where}: expected a mapping, got {_kind(node)}")
            return None
        out = Mapping()
        out.line, out.col = pos(node)
        for key_node, value_node in node.value:
            key = key_node.value
            if spec.key_pattern and not _compiled(spec.key_pattern).fullmatch(key):
                self.problem(
                    key_node,
                    f"{where}: invalid name '{key}'",
                    "use lower-case letters, digits and '-'",
                )
                continue
            out.at[key] = pos(value_node)
            value = self.check(value_node, spec.value, _join(where, key))
            if value is not None:
                out[key] = value
        return out

    def _list(self, node: Node, spec: ListOf, where: str) -> Sequence | None:
        if isinstance(node, ScalarNode) and node.tag == NULL and not node.value:
            node = SequenceNode("tag:yaml.org,2002:seq", [], node.start_mark, node.end_mark)
        if not isinstance(node, SequenceNode):
            self.problem(
                node,
                f"{where}: expected a list, got {_kind(node)}",
                "write it as [a, b] or as lines starting with '- '",
            )
            return None
        out = Sequence()
        out.line, out.col = pos(node)
        if len(node.value) < spec.min_items:
            self.problem(node, f"{where}: needs at least {spec.min_items} item(s)")
        plain = _plain_of(spec.item)
        for i, item in enumerate(node.value):
            if plain is not None and type(item) is ScalarNode and item.tag == STR:
                text = item.value
                max_len, enum, match = plain
                if (
                    0 < len(text) <= max_len
                    and (enum is None or text in enum)
                    and (match is None or match(text) is not None)
                ):
                    out.append(text)
                    out.at.append(pos(item))
                    continue
            value = self.check(item, spec.item, f"{where}[{i}]")
            if value is not None:
                out.append(value)
                out.at.append(pos(item))
        return out

    def _scalar(self, node: ScalarNode, spec: Spec, where: str) -> Any:
        tag, text = node.tag, node.value
        if isinstance(spec, Str) and spec.secret:
            return self._secret_text(node, spec, where)
        if isinstance(spec, Str):
            if tag != STR:
                self._not_text(node, tag, text, where)
                return None
            if spec.enum and spec.ignore_case and text not in spec.enum:
                text = next((e for e in spec.enum if e.casefold() == text.casefold()), text)
            if spec.enum and text not in spec.enum:
                close = difflib.get_close_matches(text, spec.enum, n=1, cutoff=0.5)
                hint = f"did you mean '{close[0]}'?" if close else f"one of: {', '.join(spec.enum)}"
                self.problem(node, f"{where}: '{text}' is not one of the allowed values", hint)
                return None
            if spec.pattern and not _compiled(spec.pattern).fullmatch(text):
                self.problem(node, f"{where}: '{text}' is not valid here", spec.pattern_hint)
                return None
            if not text or len(text) > spec.max_len:
                self.problem(node, f"{where}: text must be 1 to {spec.max_len} characters")
                return None
            return text
        if isinstance(spec, Int):
            if tag == INT and _OCTAL_LOOKING.match(text) and text.lstrip("+-") != "0":
                self.problem(
                    node,
                    f"{where}: '{text}' would be read by YAML as an octal number",
                    f"write it without the leading zero: {int(text.replace('_', ''), 10)}",
                )
                return None
            if tag != INT:
                self.problem(
                    node,
                    f"{where}: expected a whole number, got {_scalar_kind(tag)} '{text}'",
                    "write digits only, without quotes",
                )
                return None
            value = (
                int(text.replace("_", ""), 0)
                if text.lower().startswith(("0x", "0o"))
                else int(text.replace("_", ""))
            )
            return self._bounded(node, value, spec.minimum, spec.maximum, where)
        if isinstance(spec, Float):
            if tag not in (INT, FLOAT):
                self.problem(node, f"{where}: expected a number, got {_scalar_kind(tag)} '{text}'")
                return None
            return self._bounded(
                node, float(text.replace("_", "")), spec.minimum, spec.maximum, where
            )
        if isinstance(spec, Bool):
            if tag != BOOL or text.lower() not in ("true", "false"):
                self.problem(
                    node,
                    f"{where}: expected true or false, got '{text}'",
                    "write true or false (YAML also reads yes/no/on/off; netmon does not)",
                )
                return None
            return text.lower() == "true"
        raise AssertionError(spec)  # pragma: no cover - every spec kind is handled above

    def _secret_text(self, node: ScalarNode, spec: Str, where: str) -> str | None:
        text: str = node.value
        fits = (
            node.tag == STR
            and 0 < len(text) <= spec.max_len
            and (spec.pattern is None or _compiled(spec.pattern).fullmatch(text) is not None)
            and (not spec.enum or text in spec.enum)
        )
        if fits:
            return text
        self.problem(
            node,
            f"{where}: not {spec.doc or 'valid here'} (the value is not shown: it may be a secret)",
            spec.pattern_hint,
        )
        return None

    def _not_text(self, node: ScalarNode, tag: str, text: str, where: str) -> None:
        if tag == BOOL:
            self.problem(
                node,
                f"{where}: '{text}' would be read by YAML as a boolean, not as text",
                f'quote it: "{text}"',
            )
        elif tag == INT and _OCTAL_LOOKING.match(text):
            self.problem(
                node,
                f"{where}: '{text}' would be read by YAML as an octal number, not as text",
                f'quote it: "{text}"',
            )
        elif tag == NULL:
            self.problem(node, f"{where}: value is empty", "write a value or remove the key")
        else:
            self.problem(
                node,
                f"{where}: expected text, got {_scalar_kind(tag)} '{text}'",
                f'quote it if it is meant as text: "{text}"',
            )

    def _bounded(self, node: Node, value: Any, lo: Any, hi: Any, where: str) -> Any:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.problem(
                node,
                f"{where}: {value} is out of range",
                f"allowed: {'' if lo is None else lo}..{'' if hi is None else hi}",
            )
            return None
        return value


# What a text must pass for a Str spec to take it as it is, looked up once per spec:
# (max_len, enum or None, pattern's fullmatch or None). The common case at national size, half a
# million values, is taken without building the value's path or walking the checker's dispatch;
# anything else goes to Checker._scalar, which decides and words any problem.
_Plain = tuple[int, frozenset[str] | None, Any]
# id(spec) -> (the spec, key -> (field, its _Plain or None)); the spec is kept (ids not reused)
_FIELDS: dict[int, tuple[Obj, dict[str, tuple[Field, _Plain | None]]]] = {}


def _plain_of(spec: Spec) -> _Plain | None:
    """For a Str spec that is not secret, what a text must pass to be taken as it is."""
    if type(spec) is not Str or spec.secret:
        return None
    match = None if spec.pattern is None else _compiled(spec.pattern).fullmatch
    return spec.max_len, frozenset(spec.enum) if spec.enum else None, match


def _fields(spec: Obj) -> dict[str, tuple[Field, _Plain | None]]:
    """An Obj's fields with their _Plain, once per spec (Checker._obj's inner loop runs 800,000
    times at national size: looking these up there was a fifth of checking)."""
    found = _FIELDS.get(id(spec))
    if found is None:
        found = _FIELDS[id(spec)] = (
            spec,
            {key: (fld, _plain_of(fld.spec)) for key, fld in spec.fields.items()},
        )
    return found[1]


# id(spec) -> (the spec, its required fields); the spec is kept so that its id is never reused.
_REQUIRED: dict[int, tuple[Obj, tuple[tuple[str, Field], ...]]] = {}


def _required(spec: Obj) -> tuple[tuple[str, Field], ...]:
    """The required fields of an Obj, listed once per spec (a device spec has a dozen optional
    fields, and 30,000 devices would walk them all)."""
    found = _REQUIRED.get(id(spec))
    if found is None:
        found = _REQUIRED[id(spec)] = (
            spec,
            tuple((k, f) for k, f in spec.fields.items() if f.required),
        )
    return found[1]


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    """A spec's pattern compiled once: re.fullmatch(pattern, text) looks it up in re's own
    cache on every call, a third of the cost of checking an id (half a million ids at
    national size)."""
    return re.compile(pattern)


def _join(where: str, key: str) -> str:
    """The path of a child; the root is called "file" and is left out of its children's paths."""
    return f"{where}.{key}" if where != ROOT else key


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"{_scalar_kind(node.tag)} '{node.value}'"


def _scalar_kind(tag: str) -> str:
    return {
        STR: "text",
        INT: "a number",
        FLOAT: "a number",
        BOOL: "a boolean",
        NULL: "nothing",
    }.get(tag, "a value")


def _noun(spec: Spec) -> str:
    return {
        Str: "text",
        Int: "a whole number",
        Float: "a number",
        Bool: "true or false",
        ListOf: "a list",
        Obj: "a mapping",
        MapOf: "a mapping",
    }[type(spec)]


def _any_case(word: str) -> str:
    """A JSON Schema (ECMA 262) pattern for `word` in any case: no inline flags there."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


def json_schema(spec: Spec) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for a spec; what editors validate against."""
    out: dict[str, Any]
    if isinstance(spec, Str):
        out = {"type": "string", "minLength": 1, "maxLength": spec.max_len}
        if spec.enum and spec.ignore_case:  # editors complete the enum; the pattern: any case
            spelt = "|".join(map(_any_case, spec.enum))
            any_case = {"type": "string", "pattern": f"^(?:{spelt})$"}
            out = {"anyOf": [{"enum": list(spec.enum)}, any_case]}
        elif spec.enum:
            out = {"enum": list(spec.enum)}
        elif spec.pattern:
            out["pattern"] = f"^(?:{spec.pattern})$"
    elif isinstance(spec, Int):
        out = {"type": "integer"}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
    elif isinstance(spec, Float):
        out = {"type": "number"}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
    elif isinstance(spec, Bool):
        out = {"type": "boolean"}
    elif isinstance(spec, ListOf):
        out = {"type": "array", "items": json_schema(spec.item)}
        if spec.min_items:
            out["minItems"] = spec.min_items
    elif isinstance(spec, MapOf):
        out = {"type": "object", "additionalProperties": json_schema(spec.value)}
        if spec.key_pattern:
            out["propertyNames"] = {"pattern": f"^(?:{spec.key_pattern})$"}
    else:
        out = {
            "type": "object",
            "properties": {k: json_schema(f.spec) for k, f in spec.fields.items()},
            "additionalProperties": False,
        }
        required = [k for k, f in spec.fields.items() if f.required]
        if required:
            out["required"] = required
        if spec.one_of:
            out["oneOf"] = [{"required": [k]} for k in spec.one_of]
        if spec.title:
            out["title"] = spec.title
    if spec.doc:
        out["description"] = spec.doc
    return out
