"""The plain shape of an inventory file, read and checked in one pass, or "not sure".

Why: at national size (64 files, 12 MB, 1.6 million YAML events) libyaml's composer alone
takes 2.2 s, because every scalar becomes a node and two marks; checking those nodes takes
as long again. Inventories are written in a small part of YAML: block mappings and lists,
one-line (or wrapped) flow collections, plain scalars, quoted ones without escapes, comments.
This reader takes that part
line by line, checks each value against the spec as it goes (with the checker's own rules)
and returns what `Checker.check(root, spec)` would return: the same Mapping and Sequence
values with the same positions. A run of list items written as flow mappings (most lines of
a large inventory) is handed to flowlines.py, which reads it at once; if it doubts, the run
is read here item by item.

It never words a problem. Anything outside that part (escapes, anchors, tags, block scalars,
multi-line plain scalars, empty values, a document marker, a tab, a duplicate or unknown key,
any value the checker would refuse or even look at twice) makes it answer None, and the full
reader (reader.py, then Checker) reads the file and says what is wrong, at its place. So a
file it accepts is a file the full path accepts with no problem, read the same:
tests/inventory/test_fast_reader.py checks that on every inventory in the repository, on the
national one, on block-style rewrites of them and on thousands of mutants.
"""

from __future__ import annotations

import re
from typing import Any

from netmon.yamlspec.flowlines import Root, read_run
from netmon.yamlspec.scalars import (
    DOUBT,
    MAYBE_SPECIAL,
    Doubt,
    complete,
    scalar,
    takes,
)
from netmon.yamlspec.spec import (
    ListOf,
    MapOf,
    Mapping,
    Obj,
    Sequence,
    Spec,
    _compiled,
    _fields,
    _plain_of,
)

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
# Runs of at least this many flow mappings are read at once (flowlines.py).
_RUN = 2
_FLOW_SPLIT = re.compile(r"([{}\[\],])")
# Characters outside YAML's printable set, line breaks other than \n (YAML 1.1 also breaks at
# NEL, LS and PS), tabs and the byte order mark: the full reader's business.
_NOT_HERE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# The bytes of _NOT_HERE's ASCII part (a line feed and the printable characters), and every
# byte from 0x80 (the UTF-8 of the characters above it, looked at in _outside_printable).
_PRINTABLE_BYTES = b"\n" + bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))


def _outside_printable(raw: bytes, text: str) -> bool:
    """Whether the text holds a character _NOT_HERE finds, the bytes looked at first: an
    ASCII one by deleting the others (C, a few ms), the others by their UTF-8 lead bytes
    (0xC2 before U+0080-U+00BF, 0xEF before U+F000-U+FFFF) and the line and paragraph
    separators. Only a file with one of those pays for the regex over its characters (40 ms
    at national size, where a group's name holds an en dash: 0xE2 0x80 0x93)."""
    if raw.translate(None, _PRINTABLE_BYTES):
        return True
    if b"\xc2" in raw or b"\xef" in raw or b"\xe2\x80\xa8" in raw or b"\xe2\x80\xa9" in raw:
        return _NOT_HERE.search(text) is not None
    return False


# A quoted scalar where a scalar starts (after an opening delimiter, a ', ' or a ': ', maybe
# spaces): double-quoted without escapes, single-quoted without '' (a quote in the text).
_QUOTED = re.compile(r"""(?:(?<=[{\[,])|(?<=: )|^) *("[^"\\]*"|'[^']*')""")


def read_checked(raw: bytes, spec: Obj) -> Mapping | None:
    """What Checker gives for the file's root against spec when the file is in the plain shape
    and has no problem; None otherwise (then read it with reader.parse_yaml and Checker)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _outside_printable(raw, text):
        return None
    try:
        reader = _Reader(text)
        if not reader.lines:
            return None
        out = reader.block(0, reader.lines[0][1], spec)
        if reader.pos != len(reader.lines) or not isinstance(out, Mapping):
            return None
        return out
    except Doubt:
        return None


class _Reader:
    def __init__(self, text: str) -> None:
        # (line number, indent, content without comment), blank and comment lines left out
        self.lines: list[tuple[int, int, str]] = []
        # lines whose end was a comment: a flow collection may not wrap across one
        self.commented: set[int] = set()
        self.pos = 0
        for number, line in enumerate(text.split("\n"), 1):
            content = line.lstrip(" ")
            if not content or content[0] == "#":
                continue
            indent = len(line) - len(content)
            cut = content.find(" #")
            if cut >= 0:
                if "'" in content or '"' in content:
                    raise DOUBT  # is the '#' in quotes, or a comment? the full reader knows
                content = content[:cut]
                self.commented.add(number)
            content = content.rstrip(" ")
            if indent == 0 and content.startswith(("---", "...", "%")):
                raise DOUBT
            self.lines.append((number, indent, content))

    def block(self, pos: int, indent: int, spec: Spec) -> Any:
        """The block collection whose first line is lines[pos], at that indent."""
        content = self.lines[pos][2]
        if content == "-" or content.startswith("- "):
            if type(spec) is not ListOf:
                raise DOUBT
            return self._seq(pos, indent, spec)
        if type(spec) is Obj or type(spec) is MapOf:
            return self._map(pos, indent, spec)
        raise DOUBT

    def _map(self, pos: int, indent: int, spec: Obj | MapOf) -> Mapping:
        lines = self.lines
        number = lines[pos][0]
        out = Mapping()
        out.line, out.col = number, indent + 1
        at = out.at
        fields = _fields(spec) if type(spec) is Obj else None
        while pos < len(lines):
            number, here, content = lines[pos]
            if here < indent:
                break
            if here > indent:
                raise DOUBT  # a continuation line nothing consumed
            m = _KEY.match(content)
            if m is None:
                raise DOUBT
            key = m.group(1)
            if key in at:
                raise DOUBT
            if fields is not None:
                found = fields.get(key)
                if found is None:
                    raise DOUBT
                value_spec, plain = found[0].spec, found[1]
            else:
                assert isinstance(spec, MapOf)
                if spec.key_pattern and not _compiled(spec.key_pattern).fullmatch(key):
                    raise DOUBT
                value_spec, plain = spec.value, None
            rest = content[m.end() :]
            pos += 1
            if rest:
                col = here + m.end() + 1
                at[key] = (number, col)
                if rest[0] in "{[":
                    out[key], pos = self._flow(pos - 1, here, col - 1, value_spec)
                else:
                    out[key] = _block_scalar(rest, number, col, value_spec, plain)
                continue
            # The value is the block on the next lines: deeper, or a list at the same indent.
            if pos >= len(lines):
                raise DOUBT
            nxt_number, nxt, nxt_content = lines[pos]
            if not (nxt > here or (nxt == here and nxt_content[:2] in ("- ", "-"))):
                raise DOUBT  # an empty value
            at[key] = (nxt_number, nxt + 1)
            out[key] = self.block(pos, nxt, value_spec)
            pos = self.pos
        self.pos = pos
        if type(spec) is Obj:
            complete(out, spec)
        return out

    def _seq(self, pos: int, indent: int, spec: ListOf) -> Sequence:
        lines = self.lines
        out = Sequence()
        out.line, out.col = lines[pos][0], indent + 1
        item_spec = spec.item
        plain = _plain_of(item_spec)
        tried = pos  # lines before this one were tried as a run
        while pos < len(lines):
            number, here, content = lines[pos]
            if here < indent or (here == indent and content[:2] not in ("- ", "-")):
                break
            if here > indent or content == "-":
                raise DOUBT
            if pos >= tried and content[:3] == "- {" and type(item_spec) is Obj:
                roots, tried = self._run(pos, indent)
                if len(roots) >= _RUN:
                    items = read_run(roots, item_spec)
                    if items is not None:
                        out.extend(items)
                        out.at.extend((spans[0][1], indent + 3) for _, spans in roots)
                        pos = tried
                        continue
            rest = content[2:]
            col0 = here + 2 + len(rest) - len(rest.lstrip(" "))
            rest = rest.lstrip(" ")
            first = rest[0]
            if first in "{[":
                value, pos = self._flow(pos, here, col0, item_spec)
            elif _KEY.match(rest):
                # `- key: value` opens a mapping at the key's column, on this line and the next
                lines[pos] = (number, col0, rest)
                value = self.block(pos, col0, item_spec)
                pos = self.pos
            else:
                value = _block_scalar(rest, number, col0 + 1, item_spec, plain)
                pos += 1
            out.append(value)
            out.at.append((number, col0 + 1))
        if len(out) < spec.min_items:
            raise DOUBT
        self.pos = pos
        return out

    def _run(self, pos: int, indent: int) -> tuple[list[Root], int]:
        """The flow mappings listed from lines[pos] at indent (`- {...}`, maybe wrapped over
        the next lines as _flow reads them), each its text and spans, and the position past
        them."""
        lines = self.lines
        roots: list[Root] = []
        while pos < len(lines):
            number, here, content = lines[pos]
            if here != indent or content[:3] != "- {":
                break
            text = content[2:]
            spans = [(0, number, indent + 2)]
            after = pos + 1
            while after < len(lines) and lines[after][1] > indent:
                more_number, more_indent, more = lines[after]
                if more_number != number + 1 or number in self.commented:
                    return roots, pos  # _flow's to doubt
                text += " "
                spans.append((len(text), more_number, more_indent))
                text += more
                number = more_number
                after += 1
            if text[-1] != "}":
                break
            roots.append((text, spans))
            pos = after
        return roots, pos

    def _flow(self, pos: int, indent: int, col0: int, spec: Spec) -> tuple[Any, int]:
        """A flow collection starting at lines[pos], column col0 (0-based), maybe wrapped over
        the next lines; returns its value and the position of the line after it."""
        number, line_indent, content = self.lines[pos]
        text = content[col0 - line_indent :]  # content starts at the line's indent
        spans = [(0, number, col0)]  # (offset in text, line, column of that offset)
        depth = _depth(text)
        pos += 1
        while depth > 0:
            # Wrapped over the next line: in a flow collection a line break folds into one
            # space, between items or inside a plain scalar alike, unless a blank or comment
            # line comes between (then it is a line feed, or the end of the scalar).
            if pos >= len(self.lines) or number in self.commented:
                raise DOUBT
            more_number, more_indent, more = self.lines[pos]
            if more_number != number + 1 or more_indent <= indent:
                raise DOUBT
            number = more_number
            text += " "
            spans.append((len(text), more_number, more_indent))
            text += more
            depth += _depth(more)
            pos += 1
        if depth < 0:
            raise DOUBT
        quoted: dict[int, str] = {}
        if "'" in text or '"' in text:
            text = _mask_quoted(text, spans, quoted)
        if (
            len(spans) == 1
            and text[-1] == "}"
            and text.find("{", 1) < 0
            and text.find("}") == len(text) - 1
            and "[" not in text
            and "]" not in text
        ):
            return _flat_map(text, number, col0, spec, quoted), pos
        pieces = _FLOW_SPLIT.split(text)
        flow = _Flow(pieces, spans, quoted)
        value = flow.value(spec)
        if flow.i != len(pieces) - 1 or pieces[-1].strip(" "):
            raise DOUBT  # something after the collection
        return value, pos


def _depth(text: str) -> int:
    return text.count("{") + text.count("[") - text.count("}") - text.count("]")


class _Flow:
    """A recursive descent over the pieces of a flow collection: re.split by its delimiters,
    so pieces alternate text (maybe empty) and one delimiter. The loops are written out (no
    helper per piece): at national size they run for 1.8 million pieces."""

    def __init__(
        self, pieces: list[str], spans: list[tuple[int, int, int]], quoted: dict[int, str]
    ) -> None:
        self.pieces = pieces
        self.spans = spans
        self.quoted = quoted
        self.line = spans[0][1]
        # the column of offset 0 when the collection is on one line, else 0: ask where()
        self.base = spans[0][2] + 1 if len(spans) == 1 else 0
        self.i = 0
        self.offset = 0  # of pieces[i] in the joined text

    def where(self, offset: int) -> tuple[int, int]:
        if self.base:
            return self.line, self.base + offset
        spans = self.spans
        k = len(spans) - 1
        while spans[k][0] > offset:
            k -= 1
        start, line, col = spans[k]
        return line, col + offset - start + 1

    def value(self, spec: Spec) -> Any:
        """The collection whose opening delimiter is pieces[i + 1] (pieces[i] blank)."""
        pieces, i = self.pieces, self.i
        if pieces[i].strip(" ") or i + 1 >= len(pieces):
            raise DOUBT
        self.offset += len(pieces[i])
        self.i = i + 1
        opener = pieces[i + 1]
        if opener == "{" and type(spec) is Obj:
            return self._map(spec)
        if opener == "[" and type(spec) is ListOf:
            return self._seq(spec)
        raise DOUBT

    def _map(self, spec: Obj) -> Mapping:
        pieces = self.pieces
        out = Mapping()
        out.line, out.col = self.where(self.offset)
        at = out.at
        fields = _fields(spec)
        i, offset = self.i + 1, self.offset + 1  # past "{"
        while True:
            text = pieces[i]
            key, colon, rest = text.partition(":")
            key = key.lstrip(" ")
            found = fields.get(key)
            if found is None or not colon or key in at or ":" in rest or rest[:1] != " ":
                if not at and pieces[i + 1] == "}" and not text.strip(" "):
                    i, offset = i + 2, offset + len(text) + 1  # "{}"
                    break
                raise DOUBT
            scalar = rest.strip(" ")
            if scalar:
                off = offset + len(text) - len(rest.lstrip(" "))
                line, col = (self.line, self.base + off) if self.base else self.where(off)
                at[key] = (line, col)
                plain = found[1]
                if scalar[0] not in MAYBE_SPECIAL and takes(plain, scalar):
                    out[key] = scalar
                else:
                    out[key] = _flow_scalar(
                        scalar, off, self.quoted, line, col, found[0].spec, plain
                    )
                offset += len(text)
                i += 1
            else:
                # the value is the collection after this piece: "{" or "[" next
                offset += len(text) - len(rest)
                pieces[i] = rest
                at[key] = self.where(offset + len(rest))
                self.i, self.offset = i, offset
                out[key] = self.value(found[0].spec)
                i, offset = self._after()
            closer = pieces[i]
            i, offset = i + 1, offset + 1
            if closer == "}":
                break
            if closer != ",":
                raise DOUBT
        self.i, self.offset = i, offset
        complete(out, spec)
        return out

    def _seq(self, spec: ListOf) -> Sequence:
        pieces = self.pieces
        out = Sequence()
        out.line, out.col = self.where(self.offset)
        item_spec = spec.item
        plain = _plain_of(item_spec)
        i, offset = self.i + 1, self.offset + 1  # past "["
        while True:
            text = pieces[i]
            scalar = text.strip(" ")
            if scalar:
                off = offset + len(text) - len(text.lstrip(" "))
                line, col = (self.line, self.base + off) if self.base else self.where(off)
                if scalar[0] not in MAYBE_SPECIAL and ":" not in scalar and takes(plain, scalar):
                    out.append(scalar)
                else:
                    out.append(_flow_scalar(scalar, off, self.quoted, line, col, item_spec, plain))
                out.at.append((line, col))
                offset += len(text)
                i += 1
            elif not out.at and pieces[i + 1] == "]":
                offset += len(text)
                i += 1  # "[]"
            else:
                offset += len(text)
                pieces[i] = ""
                out.at.append(self.where(offset))
                self.i, self.offset = i, offset
                out.append(self.value(item_spec))
                i, offset = self._after()
            closer = pieces[i]
            i, offset = i + 1, offset + 1
            if closer == "]":
                break
            if closer != ",":
                raise DOUBT
        if len(out) < spec.min_items:
            raise DOUBT
        self.i, self.offset = i, offset
        return out

    def _after(self) -> tuple[int, int]:
        """Past the blank text between a nested collection and the next delimiter."""
        text = self.pieces[self.i]
        if text.strip(" "):
            raise DOUBT
        return self.i + 1, self.offset + len(text)


def _flat_map(text: str, line: int, col0: int, spec: Spec, quoted: dict[int, str]) -> Mapping:
    """A flow mapping of plain scalars on one line, `{k: v, k: v}` (the common item of an
    inventory list, so without _Flow's generality): text starts at column col0 (0-based)."""
    if type(spec) is not Obj:
        raise DOUBT
    fields = _fields(spec)
    out = Mapping()
    out.line, out.col = line, col0 + 1
    at = out.at
    col = col0 + 2  # of the piece's first character
    inner = text[1:-1]
    for part in inner.split(",") if inner.strip(" ") else ():
        key, colon, rest = part.partition(":")
        key = key.lstrip(" ")
        found = fields.get(key)
        if found is None or not colon or key in at or ":" in rest or rest[:1] != " ":
            raise DOUBT
        scalar = rest.strip(" ")
        if not scalar:
            raise DOUBT
        where = col + len(part) - len(rest.lstrip(" "))
        at[key] = (line, where)
        plain = found[1]
        if scalar[0] not in MAYBE_SPECIAL and takes(plain, scalar):
            out[key] = scalar
        else:
            off = where - col0 - 1  # the scalar's offset in text
            out[key] = _flow_scalar(scalar, off, quoted, line, where, found[0].spec, plain)
        col += len(part) + 1
    complete(out, spec)
    return out


def _mask_quoted(text: str, spans: list[tuple[int, int, int]], quoted: dict[int, str]) -> str:
    """text with each quoted scalar's inside masked ('x' for every character: no delimiter,
    colon or space is left to mislead the flow parser, and offsets stay); quoted gets the
    offset of each opening quote -> the text between the quotes."""
    joins = [start - 1 for start, _, _ in spans[1:]]  # the spaces that stand for line breaks
    masked = []
    last = 0
    for m in _QUOTED.finditer(text):
        start, end = m.span(1)
        if any(start < j < end for j in joins):
            raise DOUBT  # a quoted scalar over lines: folded by rules of its own
        quoted[start] = text[start + 1 : end - 1]
        masked.append(text[last : start + 1])
        masked.append("x" * (end - start - 2))
        last = end - 1
    masked.append(text[last:])
    return "".join(masked)


def _flow_scalar(
    text: str, off: int, quoted: dict[int, str], line: int, col: int, spec: Spec, plain: Any
) -> Any:
    """A scalar of a flow collection at offset off of its (masked) text."""
    if text[0] in "'\"":
        inside = quoted.get(off)
        if inside is None or len(inside) != len(text) - 2:
            raise DOUBT  # not one whole quoted scalar
        return scalar(inside, line, col, spec, plain, quoted=True)
    return scalar(text, line, col, spec, plain, flow=True)


def _block_scalar(text: str, line: int, col: int, spec: Spec, plain: Any) -> Any:
    """A scalar that is the rest of a block line (no comment: it was cut, or there is none)."""
    first = text[0]
    if first in "'\"":
        inside = text[1:-1]
        if len(text) < 2 or text[-1] != first or first in inside or "\\" in inside:
            raise DOUBT  # escapes, a quote in the text, more after it: the full reader
        return scalar(inside, line, col, spec, plain, quoted=True)
    return scalar(text, line, col, spec, plain)
