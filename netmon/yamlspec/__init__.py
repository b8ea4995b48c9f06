"""Strict YAML: a reader that refuses YAML's traps, and a spec checker with file:line:col."""

from netmon.yamlspec.reader import (
    MAX_BYTES,
    MAX_DEPTH,
    no_cyclic_gc,
    parse_yaml,
    read_bytes,
    read_yaml,
)
from netmon.yamlspec.spec import (
    ROOT,
    Bool,
    Checker,
    Field,
    Float,
    Int,
    ListOf,
    MapOf,
    Mapping,
    Obj,
    Sequence,
    Spec,
    Str,
    json_schema,
)

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "ROOT",
    "Bool",
    "Checker",
    "Field",
    "Float",
    "Int",
    "ListOf",
    "MapOf",
    "Mapping",
    "Obj",
    "Sequence",
    "Spec",
    "Str",
    "json_schema",
    "no_cyclic_gc",
    "parse_yaml",
    "read_bytes",
    "read_yaml",
]
