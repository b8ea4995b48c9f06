"""`agent`: one real net-snmp snmpd on loopback per test module (tests/probes/snmpd.py says what
it serves: v2c, v3 users at every level), started and stopped by PID."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from probes.snmpd import Snmpd, snmpd, snmpd_missing


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    if snmpd_missing():
        pytest.fail(f"{snmpd_missing()}: `make test` installs it")
    with snmpd(tmp_path_factory.mktemp("snmpd")) as running:
        yield running
