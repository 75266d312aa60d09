"""All speed figures of the project, as tables: engine, explorer page, hyperparameter search,
trainer.

    python benchmarks/bench.py            # everything (the browser part needs Debian's chromium)
    python benchmarks/bench.py engine     # one table: engine, app, sweeps or training

Figures are wall-clock times on this machine; nothing here is asserted by the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import bench_app, bench_engine, bench_sweeps, bench_training

TABLES = {
    "engine": bench_engine.main,
    "sweeps": bench_sweeps.main,
    "training": bench_training.main,
    "app": bench_app.main,
}


def main(names: list[str]) -> None:
    unknown = set(names) - set(TABLES)
    if unknown:
        raise SystemExit(f"unknown table(s) {sorted(unknown)}; choose from {list(TABLES)}")
    for name in names or TABLES:
        print(f"\n== {name} ==")
        TABLES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
