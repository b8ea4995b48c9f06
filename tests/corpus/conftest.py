"""One snmpsim for the whole session, serving every recording of the corpus on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from corpus import simulator
from corpus.devices import CORPUS


@dataclass(frozen=True)
class Served:
    port: int


@pytest.fixture(scope="session")
def corpus() -> Iterator[Served]:
    if shutil.which("snmpbulkwalk") is None:
        pytest.fail("net-snmp's snmpbulkwalk is missing (Debian: apt-get install snmp)")
    python = simulator.ensure_venv()
    data = simulator.VENV / "corpus"
    simulator.prepare(python, [r.path for r in CORPUS], data)
    sim = simulator.start(data, simulator.VENV / "cache", [r.community for r in CORPUS])
    try:
        yield Served(sim.port)
    finally:
        sim.stop()
