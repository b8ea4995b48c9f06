"""Write the rules, their tests and docs/alerts.md: python -m netmon.gen.rules."""

from __future__ import annotations

import argparse
from pathlib import Path

from netmon.gen.rules import RULES_FILE, TESTS_FILE, alerts_markdown, rules_yaml, tests_yaml
from netmon.gen.rules.rules import RUNBOOK_BASE


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m netmon.gen.rules")
    parser.add_argument("--out", type=Path, default=Path("exporters/prometheus/rules"))
    parser.add_argument("--docs", type=Path, default=Path("docs/alerts.md"))
    parser.add_argument(
        "--runbook-base",
        default=RUNBOOK_BASE,
        help="where runbook_url points (default: the repository's docs/alerts.md); a "
        "deployment that publishes the docs gives their URL, e.g. "
        "https://git.example/netmon/-/blob/main/docs/alerts.md",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / RULES_FILE).write_text(rules_yaml(args.runbook_base), encoding="utf-8")
    (args.out / TESTS_FILE).write_text(tests_yaml(args.runbook_base), encoding="utf-8")
    args.docs.write_text(alerts_markdown(), encoding="utf-8")
    print(f"wrote {args.out / RULES_FILE}, {args.out / TESTS_FILE}, {args.docs}")


if __name__ == "__main__":
    main()
