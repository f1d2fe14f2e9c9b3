"""Run the benchmarks and print their tables: python -m benchmarks [NAME ...]"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys

from benchmarks import BENCHMARKS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME",
                        help=f"which to run (default: all of {', '.join(BENCHMARKS)})")
    args = parser.parse_args(argv)
    machine = f"{platform.platform()}, {os.cpu_count()} CPU cores"
    print(f"# {machine}, Python {platform.python_version()}")
    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n## {name}: {module.__doc__.strip().splitlines()[0]}\n")
        print(module.run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
