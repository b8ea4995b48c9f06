"""Item 8, SNMPv3: mutated authPriv (SHA/AES) exchanges through the real WireClient's USM path
(discovery report, a "not in time window" report, the encrypted response; one of them mutated
inside, before its MAC, or on the wire: fuzz_v3_cases.py, shared with bench/fuzz.py). Each case
must end as a ProbeResult: success, or a failure with a reason; time per case (netmon's part:
the test's own pyasn1/pysnmp encoding left out) is printed, not asserted.
"""

from __future__ import annotations

import os
import time

import pytest

from netmon.probes.snmp import usm
from netmon.probes.snmp.ber import BerError
from reliability import fuzz_snmp_cases as cases
from reliability import fuzz_v3_cases as v3
from reliability.rig import figure, per_case

V3_CASES = int(os.environ.get("NETMON_FUZZ_V3_CASES", "600"))


def test_item08_v3_exchanges_unmutated_succeed() -> None:
    """Without a mutation every exchange succeeds: the encoder is right, so the fuzz below
    reaches netmon's decoder and not only its rejection of broken messages."""
    with v3.V3Runner() as runner:
        for extra in range(v3.EXTRA):
            for full in (True, False):
                for name in sorted(runner.agents):
                    key, _ = runner.run(cases.Case(name, full, 0, [], extra))
                    assert key == "ok", (name, full, v3.describe(extra), key)


def test_item08_fuzz_snmp_v3_replies() -> None:
    times: list[float] = []
    outcomes: dict[str, int] = {}
    by_kind: dict[str, dict[str, int]] = {}
    t0 = time.monotonic()
    with v3.V3Runner() as runner:

        def each(case: cases.Case) -> None:
            key, seconds = runner.run(case)
            times.append(seconds)
            outcomes[key] = outcomes.get(key, 0) + 1
            kind = by_kind.setdefault(v3.describe(case.extra), {})
            kind[key] = kind.get(key, 0) + 1

        cases.generate(V3_CASES, sorted(runner.agents), each, extra=v3.EXTRA)
    t = sorted(times)
    escaped = {k: n for k, n in outcomes.items() if k.startswith("exception")}
    figure(
        8,
        f"SNMPv3: {len(t)} mutated authPriv exchanges in {time.monotonic() - t0:.1f} s, "
        f"outcomes {dict(sorted(outcomes.items()))}; {per_case(t)}; by mutated message "
        f"{dict(sorted(by_kind.items()))}; exceptions escaping the probe {escaped or 'none'}",
    )
    assert len(t) >= V3_CASES
    assert not escaped, escaped


# Found by this file's targeted cases (the random ones reach it rarely): engine boots read as a
# negative INTEGER (or >= 2**32) reached `boots.to_bytes(4, ...)` in snmp/usm.py's _aes, and the
# OverflowError was no BerError. RFC 3414 bounds boots and time to 0..2147483647: usm.py now
# refuses anything else when it reads the message.


class _NegativeBoots(v3.V3FuzzClient):
    """The discovery report (unauthenticated: anyone on the path can send it) says boots -121."""

    def _answer(self, genuine: cases.SnmpReply, rid: int, step: int) -> bytes | None:
        datagram = super()._answer(genuine, rid, step)
        if datagram is None or step != 0:
            return datagram
        at = datagram.index(bytes((2, 1, v3.BOOTS))) + 2  # engine boots: INTEGER 7
        return datagram[:at] + b"\x87" + datagram[at + 1 :]


def test_item08_discovery_with_negative_boots_is_a_reported_error() -> None:
    with v3.V3Runner() as runner:
        runner.client = _NegativeBoots
        key, _ = runner.run(cases.Case("cpe-no-lldp", True, 0, [], 0))
        assert not key.startswith("exception"), key


def test_item08_authenticated_reply_with_negative_boots_is_a_reported_error() -> None:
    genuine = cases.SnmpReply(((cases.SYS_UPTIME, 5),))
    whole = v3.message(77, 3, v3.scoped(cases.response_pdu(genuine, 77)), b"fuzz", v3.BOOTS, 9)
    at = whole.index(bytes((2, 1, v3.BOOTS))) + 2
    signed = v3.authenticate(whole[:at] + b"\x87" + whole[at + 1 :])  # the agent signs it
    with pytest.raises(BerError):  # refused when the outer layer is read, before any key
        usm.incoming(signed)
