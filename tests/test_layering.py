"""Walks every import in netmon/ and fails when a module reaches upward (DESIGN.md's table),
or when anything imports the generators (`gen`, a leaf layer)."""

from __future__ import annotations

import ast
from pathlib import Path

import netmon

ROOT = Path(netmon.__file__).parent

# layer -> the netmon layers it may import ("*" = anything). `netmon` itself (the version) is free.
ALLOWED: dict[str, set[str] | str] = {
    "model": set(),
    "errors": set(),
    "yamlspec": {"errors"},
    "probes": {"model", "errors", "yamlspec"},
    "config": {"model", "errors", "yamlspec", "probes"},
    "inventory": {"model", "errors", "yamlspec", "probes"},
    "poller": {"model", "errors", "config", "probes"},
    "topology": {"model"},
    "export": {"model", "errors", "yamlspec", "topology"},
    "lab": "*",
    "cli": "*",
    # The generators: any layer below the lab and the composition root.
    "gen": {
        "model",
        "errors",
        "yamlspec",
        "config",
        "inventory",
        "probes",
        "poller",
        "topology",
        "export",
    },
}
# Leaf layers: no other layer may import them, not even lab or cli ("*").
LEAVES = {"gen"}
# third-party libraries only one layer may use
OWNED_LIBRARIES = {"networkx": "topology"}


def _layer(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            out.append((node.lineno, "<relative>"))
    return out


def _modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if p.name != "__init__.py" or p.parent != ROOT)


def test_every_module_is_in_the_table() -> None:
    layers = {_layer(p) for p in _modules()}
    assert layers - set(ALLOWED) == set(), "add new layers to ALLOWED and to DESIGN.md"


def _wrong(layer: str, name: str, imports: list[tuple[int, str]]) -> list[str]:
    """What is wrong with the imports of one module of `layer` (`name` for the messages)."""
    allowed = ALLOWED.get(layer, set())
    wrong: list[str] = []
    for line, module in imports:
        where = f"{name}:{line}"
        if module == "<relative>":
            wrong.append(f"{where}: relative import (write netmon.… in full)")
            continue
        top = module.split(".")[0]
        owner = OWNED_LIBRARIES.get(top)
        if owner is not None and layer != owner:
            wrong.append(f"{where}: only netmon.{owner} may import {top}")
        if top != "netmon" or module == "netmon":
            continue
        target = module.split(".")[1]
        if target in LEAVES and target != layer:
            wrong.append(f"{where}: nothing in netmon may import netmon.{target} (a leaf layer)")
        elif allowed != "*" and target != layer and target not in allowed:
            wrong.append(f"{where}: {layer} may not import netmon.{target}")
    return wrong


def test_no_module_reaches_upward() -> None:
    wrong: list[str] = []
    for path in _modules():
        wrong += _wrong(_layer(path), str(path.relative_to(ROOT.parent)), _imports(path))
    assert wrong == []


def test_the_walker_sees_a_violation(tmp_path: Path) -> None:
    """The check above can fail: an upward import in a model-like file is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from netmon.config import Settings\nimport networkx\n")
    assert [m for _, m in _imports(bad)] == ["netmon.config", "networkx"]


def test_the_check_refuses_upward_and_leaf_imports(tmp_path: Path) -> None:
    """Even the composition root, which may import anything else, may not import a generator."""
    bad = tmp_path / "bad.py"
    bad.write_text("import netmon.gen.rules\nfrom netmon.config import Settings\n")
    assert _wrong("cli", "bad.py", _imports(bad)) == [
        "bad.py:1: nothing in netmon may import netmon.gen (a leaf layer)"
    ]
    assert _wrong("export", "bad.py", _imports(bad)) == [
        "bad.py:1: nothing in netmon may import netmon.gen (a leaf layer)",
        "bad.py:2: export may not import netmon.config",
    ]
    # The generators themselves may import the layers below them, and one another.
    assert _wrong("gen", "ok.py", _imports(bad)) == []
