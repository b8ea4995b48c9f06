"""Item 8, SSH half: the cases, shared by tests/reliability/test_fuzz_ssh.py and bench/fuzz.py.

Seeds: the real Cisco IOS and Huawei VRP captures in ../shared/device-outputs/ (when present),
this host's own `ip -j -s link` and /proc host name and uptime, and an lldpcli json0 answer in
lldpd's shape. A case is a seed mutated line by line (drop, duplicate, truncate, corrupt a
byte, insert a huge line, swap, a number of hundreds to thousands of digits, the whole nested
in brackets), or generated text, with an exit status; it goes to the parser of the seed's
command and must end as parsed tables or a ParseError, never another exception.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from probes.sshdevice import OUTPUTS

from netmon.probes.ssh.client import Output
from netmon.probes.ssh.parse import Parsed, ParseError
from netmon.probes.ssh.platforms import PLATFORMS

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
SYSTEM = "cat /proc/sys/kernel/hostname /proc/uptime"
PARSERS = {(p, c.text): c.parse for p in PLATFORMS for c in PLATFORMS[p].commands}


def seeds() -> list[tuple[str, str, str]]:
    """(platform, command, output) for every parser."""
    ip = subprocess.run(["ip", "-j", "-s", "link"], capture_output=True, text=True, check=False)
    proc = [Path(f).read_text(encoding="utf-8") for f in SYSTEM.split()[1:]]
    out = [
        ("linux", "ip -j -s link", ip.stdout or "[]"),
        ("linux", "lldpcli -f json0 show neighbors", LLDP_JSON),
        ("linux", SYSTEM, "".join(proc)),  # this host's own host name and uptime
    ]
    for platform in ("cisco_ios", "huawei_vrp"):
        for cmd in PLATFORMS[platform].commands:
            stem = f"{platform}_{cmd.text.replace(' ', '_')}"
            for f in sorted(OUTPUTS.glob(f"{stem}*.raw")) if OUTPUTS.is_dir() else []:
                out.append((platform, cmd.text, f.read_text(encoding="utf-8")))
    return out


_NUMBER = re.compile(r"\d+")


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
        elif op == 6 and lines:  # a number of absurd length where a number was
            i = where % len(lines)
            lines[i] = _NUMBER.sub("9" * (500 + 20 * value), lines[i], count=1)
        elif op == 7:  # the whole output nested in brackets (JSON: a deep list)
            depth = 100 + 10 * value
            lines = ["[" * depth, *lines, "]" * depth]
    return "".join(lines)


@dataclass(frozen=True)
class Case:
    seed: int  # index into seeds()
    how: list[tuple[int, int, int]] | str  # mutations of the seed, or generated text
    status: int | None  # the exit status the output came with

    def output(self, found: list[tuple[str, str, str]]) -> tuple[str, Output]:
        """(platform, the Output the parser gets)."""
        platform, command, text = found[self.seed]
        text = mutate(text, self.how) if isinstance(self.how, list) else self.how
        return platform, Output(command, text, self.status)


def exportable(result: Parsed) -> bool:
    """Every number of every interface fits a non-negative float (the exporter's samples)."""
    for state in result.interfaces:
        for f in fields(state):
            v = getattr(state, f.name)
            if isinstance(v, int) and not isinstance(v, bool) and not 0 <= v < 2**64:
                return False
    return True


def run(found: list[tuple[str, str, str]], case: Case) -> tuple[str, float]:
    """One case through its parser: (outcome, seconds in the parser). The outcome is "parsed",
    "parse_error" or, for a parser bug, "exception: <type> in <file>:<function> (platform)"."""
    platform, out = case.output(found)
    parse = PARSERS[(platform, out.command)]
    t0 = time.perf_counter()
    try:
        result = parse(out)
        key = "parsed" if isinstance(result, Parsed) else f"exception: returned {result!r:.40}"
        if key == "parsed" and not exportable(result):
            key = "exception: a number the exporter cannot use (negative or over 64 bits)"
    except ParseError as exc:
        key = "parse_error" if str(exc) else "exception: ParseError without a message"
    except Exception as exc:  # anything else is a parser bug: reported to the caller
        where = traceback.extract_tb(exc.__traceback__)[-1]
        key = f"exception: {type(exc).__name__} in {Path(where.filename).name}:{where.name}"
        key += f" ({platform})"
    return key, time.perf_counter() - t0


def generate(n: int, found: list[tuple[str, str, str]], each: Callable[[Case], None]) -> None:
    """Calls `each` on n seeded cases (hypothesis, derandomized: the same n cases every run)."""

    @settings(
        max_examples=n, derandomize=True, database=None, deadline=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(
        st.integers(0, len(found) - 1),
        st.one_of(
            st.lists(st.tuples(st.integers(0, 7), st.integers(0, 2**16), st.integers(0, 255)),
                     min_size=1, max_size=5),
            st.text(max_size=300),  # or a generated answer from nowhere
        ),
        st.sampled_from([None, 0, 1, 127]),
    )  # fmt: skip
    def case(seed: int, how: list[tuple[int, int, int]] | str, status: int | None) -> None:
        each(Case(seed, how, status))

    case()


def warm(found: list[tuple[str, str, str]]) -> float:
    """Parses every seed once, untimed by the cases: the first parse per template in a process
    loads ntc-templates' index and compiles the template. Returns the seconds that took."""
    t0 = time.perf_counter()
    for seed in range(len(found)):
        run(found, Case(seed, [], 0))
    return time.perf_counter() - t0
