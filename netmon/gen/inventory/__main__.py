"""python -m netmon.gen.inventory: write the sample (or the national) inventory."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from netmon.errors import NetmonError
from netmon.gen.inventory import hue, national, write

DESCRIPTION = """Write an inventory folder.

By default the Huế sample committed as inventory/: 467 agencies at three levels in the 9
former districts and today's 40 communes, a core pair, 9 PoPs on two rings, one CPE per agency,
about one in ten dual-homed. Commune names come from the package vietnam-provinces
(pip install 'netmon[generate]'). The output is the same on every run: after changing the
generator, regenerate inventory/ and commit both.

With --national: a synthetic national inventory (by default 63 x 470 = 29,610 agencies) for
scale benchmarks of the topology code; generate it into a temporary folder, never commit it."""
EPILOG = """examples:
  python -m netmon.gen.inventory --out inventory/
  python -m netmon.gen.inventory --national --provinces 2 --out /tmp/national
then check the result: netmon validate --inventory DIR"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m netmon.gen.inventory",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--out", type=Path, required=True, metavar="DIR", help="folder to write *.yaml into")
    add("--national", action="store_true", help="the synthetic national inventory instead")
    add("--provinces", type=int, metavar="N", help="with --national: provinces, 1-63 (63)")
    add("--per-province", type=int, metavar="M", help="with --national: agencies each (470)")
    add("--pops", type=int, metavar="K", help="with --national: PoPs per province (9)")
    args = parser.parse_args(argv)
    sizes = {"provinces": args.provinces, "per_province": args.per_province, "pops": args.pops}
    sizes = {k: v for k, v in sizes.items() if v is not None}
    if sizes and not args.national:
        parser.error("--provinces, --per-province and --pops need --national")
    try:
        files = national(**sizes) if args.national else hue()
    except ValueError as exc:
        parser.error(str(exc))
    except NetmonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in write(files, args.out):
        print(f"note: {path} is not the generator's; the loader reads it too", file=sys.stderr)
    print(f"wrote {len(files)} files to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
