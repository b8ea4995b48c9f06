"""Write the dashboards: python -m netmon.gen.dashboards --out exporters/grafana/dashboards."""

from __future__ import annotations

import argparse
from pathlib import Path

from netmon.gen.dashboards import render_all


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m netmon.gen.dashboards")
    parser.add_argument("--out", type=Path, default=Path("exporters/grafana/dashboards"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in render_all().items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"wrote {args.out / name}")


if __name__ == "__main__":
    main()
