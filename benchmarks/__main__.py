"""Run the benchmarks named on the command line (default: all) and print their figures."""

import importlib
import pkgutil
import sys

import benchmarks


def main(names: list[str]) -> None:
    available = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    chosen = [n if n.startswith("bench_") else f"bench_{n}" for n in names] or available
    for name in chosen:
        if name not in available:
            sys.exit(f"unknown benchmark {name!r}; available: {', '.join(available)}")
        print(f"== {name}")
        importlib.import_module(f"benchmarks.{name}").run()


main(sys.argv[1:])
