"""Item 8, SSH half: generated and mutated command outputs through every SSH parser (linux JSON
parsers and the textfsm/ntc-templates vendor parsers): each ends as parsed tables or a
ParseError (reason parse_error), never another exception. Time per case is printed, not
asserted; `bench/fuzz.py` runs the issue's 20,000 and re-times the slowest cases.

The cases (seeds, mutations, generated text) are in fuzz_ssh_cases.py, shared with the bench.
"""

from __future__ import annotations

import os
import time

from ntc_templates.parse import parse_output
from textfsm.parser import TextFSMError

from netmon.probes.ssh import textfsm_fsm as ssh_textfsm
from netmon.probes.ssh.parse import ParseError
from reliability import fuzz_ssh_cases as cases
from reliability.rig import figure, per_case

CASES = int(os.environ.get("NETMON_FUZZ_SSH_CASES", "600"))


def test_item08_fuzz_ssh_parsers() -> None:
    found = cases.seeds()
    cold = cases.warm(found)
    times: list[float] = []
    outcomes: dict[str, int] = {}

    def each(case: cases.Case) -> None:
        key, seconds = cases.run(found, case)
        times.append(seconds)
        outcomes[key] = outcomes.get(key, 0) + 1

    t0 = time.monotonic()
    cases.generate(CASES, found, each)
    t = sorted(times)
    escaped = {k: n for k, n in outcomes.items() if k.startswith("exception")}
    figure(
        8,
        f"SSH: {len(t)} generated/mutated outputs over {len(found)} seeds "
        f"({len(cases.PARSERS)} parsers) in {time.monotonic() - t0:.1f} s, outcomes "
        f"{dict(sorted(outcomes.items()))}; {per_case(t)} (first parse per template, before "
        "the cases: "
        f"{1e3 * cold:.0f} ms); exceptions other than ParseError {escaped or 'none'}",
    )
    assert len(t) >= CASES
    assert escaped == {}


def _reference(platform: str, command: str, text: str) -> object:
    try:
        return parse_output(platform=platform, command=command, data=text)
    except TextFSMError as exc:
        return f"TextFSMError {exc}"


def _fast(platform: str, command: str, text: str) -> object:
    try:
        return ssh_textfsm.parse(platform, command, text)
    except TextFSMError as exc:
        return f"TextFSMError {exc}"


def test_item08_fast_textfsm_is_parse_output() -> None:
    """netmon's textfsm path (index and template kept, rules gated by one regex per state)
    gives parse_output's rows, or its error, on every capture and on mutated ones."""
    found = cases.seeds()
    vendor = [i for i, (platform, _, _) in enumerate(found) if platform != "linux"]
    compared: list[int] = []

    def each(case: cases.Case) -> None:
        if case.seed not in vendor:
            return
        platform, out = case.output(found)
        try:
            ssh_textfsm.check_lines(out.command, out.text)
        except ParseError:
            return  # refused before textfsm: nothing to compare
        fast = _fast(platform, out.command, out.text)
        assert fast == _reference(platform, out.command, out.text), case
        compared.append(case.seed)

    for seed in vendor:
        each(cases.Case(seed, [], 0))
    cases.generate(min(CASES, 300), found, each)
    figure(8, f"SSH: textfsm fast path = parse_output on {len(compared)} outputs")
    assert len(set(compared)) == len(vendor)
