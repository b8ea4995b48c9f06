"""Item 8, SSH half: generated and mutated command outputs through every SSH parser (linux JSON
parsers and the textfsm/ntc-templates vendor parsers): each ends as parsed tables or a
ParseError (reason parse_error), never another exception. Time per case is printed.

Seeds: the real Cisco IOS and Huawei VRP captures in ../shared/device-outputs/ (when present),
this host's own `ip -j -s link`, and an lldpcli json0 answer in lldpd's shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from probes.sshdevice import OUTPUTS

from netmon.probes.ssh_client import Output
from netmon.probes.ssh_parse import Parsed, ParseError
from netmon.probes.ssh_platforms import PLATFORMS
from reliability.rig import figure

CASES = int(os.environ.get("NETMON_FUZZ_SSH_CASES", "600"))
LLDP_JSON = json.dumps(
    {"lldp": [{"interface": [
        {"name": n, "chassis": [{"id": [{"type": "mac", "value": f"02:4e:0a:2e:01:0{i}"}],
                                 "name": [{"value": f"pop-{i}"}],
                                 "mgmt-ip": [{"value": f"10.46.1.1{i}"}]}],
         "port": [{"id": [{"type": "ifname", "value": f"acc{i}"}],
                   "descr": [{"value": f"port {i}"}]}]}
        for i, n in enumerate(("wan0", "wan1"))
    ]}]}
)  # fmt: skip


def seeds() -> list[tuple[str, str, str]]:
    """(platform, command, output) for every parser."""
    ip = subprocess.run(["ip", "-j", "-s", "link"], capture_output=True, text=True, check=False)
    out = [
        ("linux", "ip -j -s link", ip.stdout or "[]"),
        ("linux", "lldpcli -f json0 show neighbors", LLDP_JSON),
    ]
    for platform in ("cisco_ios", "huawei_vrp"):
        for cmd in PLATFORMS[platform].commands:
            stem = f"{platform}_{cmd.text.replace(' ', '_')}"
            for f in sorted(OUTPUTS.glob(f"{stem}*.raw")) if OUTPUTS.is_dir() else []:
                out.append((platform, cmd.text, f.read_text(encoding="utf-8")))
    return out


def mutate(text: str, ops: list[tuple[int, int, int]]) -> str:
    lines = text.splitlines(keepends=True)
    for op, where, value in ops:
        if op == 0 and lines:  # drop a line
            del lines[where % len(lines)]
        elif op == 1 and lines:  # duplicate a line
            i = where % len(lines)
            lines.insert(i, lines[i])
        elif op == 2:  # truncate
            lines = lines[: where % (len(lines) + 1)]
        elif op == 3 and lines:  # corrupt a byte of a line
            i = where % len(lines)
            raw = bytearray(lines[i].encode())
            if raw:
                raw[value % len(raw)] = value
            lines[i] = raw.decode("utf-8", errors="replace")
        elif op == 4 and lines:  # a huge line
            lines.insert(where % len(lines), "x" * (1000 + 97 * value) + "\n")
        elif op == 5 and len(lines) > 1:  # swap two lines
            i, j = where % len(lines), value % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def test_item08_fuzz_ssh_parsers() -> None:
    found = seeds()
    parsers = {(p, c.text): c.parse for p in PLATFORMS for c in PLATFORMS[p].commands}
    times: list[float] = []
    outcomes: dict[str, int] = {}
    escaped: dict[str, int] = {}

    @settings(
        max_examples=CASES, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(
        st.integers(0, len(found) - 1),
        st.one_of(
            st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2**16), st.integers(0, 255)),
                     min_size=1, max_size=5),
            st.text(max_size=300),  # or a generated answer from nowhere
        ),
        st.sampled_from([None, 0, 1, 127]),
    )  # fmt: skip
    def case(seed: int, how: object, status: int | None) -> None:
        platform, command, text = found[seed]
        text = mutate(text, how) if isinstance(how, list) else str(how)
        t0 = time.perf_counter()
        try:
            result = parsers[(platform, command)](Output(command, text, status))
            key = "parsed"
            assert isinstance(result, Parsed)
        except ParseError as exc:
            key = "parse_error"
            assert str(exc)
        except Exception as exc:  # anything else is a parser bug: counted, judged below
            where = traceback.extract_tb(exc.__traceback__)[-1]
            k = f"{type(exc).__name__} in {Path(where.filename).name}:{where.name} ({platform})"
            escaped[k] = escaped.get(k, 0) + 1
            key = "exception"
        finally:
            times.append(time.perf_counter() - t0)
        outcomes[key] = outcomes.get(key, 0) + 1

    t0 = time.monotonic()
    case()
    t = sorted(times)
    figure(
        8,
        f"SSH: {len(t)} generated/mutated outputs over {len(found)} seeds "
        f"({len(parsers)} parsers) in {time.monotonic() - t0:.1f} s, outcomes "
        f"{dict(sorted(outcomes.items()))}; per case p50 {1e3 * t[len(t) // 2]:.2f} ms, "
        f"p99 {1e3 * t[int(0.99 * (len(t) - 1))]:.2f} ms, max {1e3 * t[-1]:.2f} ms, "
        f"{sum(x > 0.05 for x in t)} over 50 ms; "
        f"exceptions other than ParseError {escaped or 'none'}",
    )
    assert escaped == {}
