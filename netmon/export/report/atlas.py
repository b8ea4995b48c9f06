"""Every page of the topology drawing written to a folder (`report topology --out-dir`): the
overview and each district's pages, linked to each other, for printing.

graphviz lays out each page in a process of its own: as many run at once as the machine has
cores, while this process writes the next pages' DOT. A national inventory has 568 pages
(36 s one after another, 60 ms a page).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from netmon.export.report import render
from netmon.export.report.dot import pages
from netmon.model.snapshot import Snapshot


def write_atlas(
    snapshot: Snapshot, folder: Path, fmt: str, say: Callable[[str], None] | None = None
) -> list[Path]:
    """The pages written (the overview first) as fmt (svg or dot); say: told the progress
    every tenth of a long atlas."""
    (folder / "topology").mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[Path, str | None]] = [(folder / f"topology.{fmt}", None)]
    jobs += [(folder / "topology" / f"{page}.{fmt}", page) for page in pages(snapshot)]

    def write(job: tuple[Path, str | None]) -> Path:
        path, page = job
        path.write_text(render(snapshot, "topology", fmt, page=page), encoding="utf-8")
        return path

    step = max(50, len(jobs) // 10)
    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # A window of pages in flight, not all of them queued: on a failure (graphviz missing,
        # a page refused) or Ctrl-C, the pages not yet begun are never begun.
        pending: deque[Future[Path]] = deque()
        done = 0
        try:
            for job in [*jobs, None]:
                if job is not None:
                    pending.append(pool.submit(write, job))
                while pending and (job is None or len(pending) > 2 * workers):
                    pending.popleft().result()
                    done += 1
                    if say is not None and done % step == 0 and done < len(jobs):
                        say(f"{done}/{len(jobs)} pages")
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return [path for path, _ in jobs]
