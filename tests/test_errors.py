"""One exception tree: the drawing in netmon/errors.py is the classes, and the user-facing
errors raised outside it (RenderError) reach the person as a message, never a traceback."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from export.test_http import ready_holder, run, serving

import netmon.errors
from netmon.errors import NetmonError

SMALL = Path(__file__).parent / "data" / "lab-small"


def _drawn_tree() -> dict[str, str]:
    """class -> parent, read from the drawing at the top of the module docstring."""
    parents: dict[str, str] = {}
    stack: list[str] = []
    for line in (netmon.errors.__doc__ or "").splitlines():
        words = line.replace("│", " ").replace("├──", " ").replace("└──", " ").split()
        if not words or not words[0].endswith("Error"):
            continue
        depth = (len(line) - len(line.lstrip("│ ├└─"))) // 4
        del stack[depth:]
        if stack:
            parents[words[0]] = stack[-1]
        stack.append(words[0])
    return parents


def test_the_drawing_is_the_tree() -> None:
    classes = {
        name: cls.__bases__[0].__name__
        for name, cls in inspect.getmembers(netmon.errors, inspect.isclass)
        if issubclass(cls, NetmonError) and cls is not NetmonError
    }
    assert {"WebConfigError", "RenderError"} <= set(classes)
    assert _drawn_tree() == classes


def test_report_svg_without_graphviz_is_a_message_and_exit_1(tmp_path: Path) -> None:
    netmon = Path(sys.executable).parent / "netmon"
    done = subprocess.run(
        [str(netmon), "report", "topology", "-o", "svg", "--inventory", str(SMALL)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": str(tmp_path)},  # no `dot` on it
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "netmon: error: graphviz 'dot' not found: install graphviz (apt install graphviz)\n"
    )


@pytest.mark.parametrize("command", [["report", "coverage", "-o", "json"], ["report", "spof"]])
def test_output_to_a_full_disk_is_a_message_and_exit_1(command: list[str]) -> None:
    """The one-shot commands end the process themselves once their output is flushed: a write
    that fails (here /dev/full) is said, not a traceback, and is not exit 0."""
    netmon = Path(sys.executable).parent / "netmon"
    with open("/dev/full", "w") as full:  # noqa: PTH123 - a device, not a path to build
        done = subprocess.run(
            [str(netmon), *command, "--inventory", str(SMALL)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.endswith("netmon: error: [Errno 28] No space left on device\n")
    assert "Traceback" not in done.stderr


def test_topology_svg_without_graphviz_is_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("netmon.export.report.svg.shutil.which", lambda _: None)

    async def go() -> None:
        async with serving(ready_holder()) as url, aiohttp.ClientSession() as http:
            r = await http.get(f"{url}/topology.svg")
            assert r.status == 503
            assert "Cannot draw the topology: graphviz 'dot' not found" in await r.text()

    run(go)
