"""SVG: a report's DOT drawing laid out by graphviz (`dot`, or `osage` for district pages)."""

from __future__ import annotations

import shutil
import subprocess

from netmon.errors import RenderError
from netmon.export.report import dot
from netmon.export.report.views import View
from netmon.model.snapshot import Snapshot

# dot lays out the overview in well under a second; a minute means something is wrong.
TIMEOUT_S = 60


def render(snapshot: Snapshot, view: View, page: str | None = None) -> str:
    exe = shutil.which("dot")
    if exe is None:
        raise RenderError("graphviz 'dot' not found: install graphviz (apt install graphviz)")
    try:
        done = subprocess.run(
            [exe, "-Tsvg"],
            input=dot.render(snapshot, view, page).encode(),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"graphviz 'dot' took more than {TIMEOUT_S} s") from None
    if done.returncode != 0:
        raise RenderError(f"graphviz 'dot' failed: {done.stderr.decode(errors='replace')[:500]}")
    return done.stdout.decode()
