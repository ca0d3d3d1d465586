"""``python -m bench [NAME …]``: run the benchmarks (all by default)."""

import importlib
import sys

BENCHMARKS = ["bench.foundation", "bench.evaluation", "bench.imports", "bench.early_warning"]


def main(names: list[str]) -> None:
    for name in [n for n in names if not n.startswith("-")] or BENCHMARKS:  # flags: the bench
        module = importlib.import_module(name if name.startswith("bench.") else f"bench.{name}")
        module.main()


if __name__ == "__main__":
    main(sys.argv[1:])
