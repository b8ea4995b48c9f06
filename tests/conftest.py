"""Shared fixtures. `lab`: one small live lab (tests/data/lab-small) for the whole session.

Tests marked `lab` skip, with the reason, only where network namespaces cannot be created
(not root, or a kernel/container that forbids them). Anything else that breaks the lab
(a daemon missing, a start-up error) fails the tests: that is what they are for.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lab.labtools import LAB_SMALL, LiveLab, free_port, lab_unavailable


@pytest.fixture(scope="session", autouse=True)
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The inventory cache (netmon/inventory/cache.py) of the commands tests run goes to a
    folder of the session's, never to the user's ~/.cache."""
    import os

    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveLab]:
    reason = lab_unavailable()
    if reason:
        pytest.skip(reason)
    from netmon.lab import lab_down, lab_up

    state_dir = tmp_path_factory.mktemp("lab") / "state"
    port = free_port()
    try:
        # The out-of-band lab: these tests read mgmt0 and the probes through it; the in-band
        # lab has its own tests (tests/lab/test_inband.py, tests/lab/test_ground_truth.py).
        lab_up(LAB_SMALL, state_dir, lldp_interval=1, forwards=(port,), management="oob")
        yield LiveLab(state_dir, port)
    finally:
        lab_down(state_dir)


# Folders whose test files share one pytest-xdist worker in make test's first run (files are
# the unit there, --dist loadfile): export/availability's files share one package-scoped
# Prometheus on a backfilled month (11 s to build), which two workers would each build.
SAME_WORKER = ("tests/export/availability/",)


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: nothing without it
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FileOrFolder(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return next((f for f in SAME_WORKER if path.startswith(f)), path)

    return FileOrFolder(config, log)  # type: ignore[arg-type]
