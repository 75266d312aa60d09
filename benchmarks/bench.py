"""All speed figures of the project, as tables: engine, explorer page, hyperparameter search,
trainer, training-practice page, theory overlays, the explorer's live claims, a classroom, the
class-vote store.

    python benchmarks/bench.py            # every table but `class` (app and practice need chromium)
    python benchmarks/bench.py engine     # one table: any name in TABLES
    python benchmarks/bench.py class      # a classroom played by ../shared/tools/load.py (minutes; nginx)

Figures are wall-clock times on this machine; nothing here is asserted by the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import (
    bench_app,
    bench_class,
    bench_classroom,
    bench_custom,
    bench_engine,
    bench_export,
    bench_practice,
    bench_sweeps,
    bench_theory,
    bench_training,
    bench_truth,
)

TABLES = {
    "engine": bench_engine.main,
    "custom": bench_custom.main,
    "sweeps": bench_sweeps.main,
    "training": bench_training.main,
    "app": bench_app.main,
    "practice": bench_practice.main,
    "class": bench_class.main,
    "theory": bench_theory.main,
    "truth": bench_truth.main,
    "export": bench_export.main,
    "classroom": bench_classroom.main,
}
DEFAULT = [
    "engine",
    "custom",
    "sweeps",
    "training",
    "theory",
    "truth",
    "export",
    "app",
    "practice",
    "classroom",
]  # `class` takes minutes: it runs when named


def main(names: list[str]) -> None:
    unknown = set(names) - set(TABLES)
    if unknown:
        raise SystemExit(f"unknown table(s) {sorted(unknown)}; choose from {list(TABLES)}")
    for name in names or DEFAULT:
        print(f"\n== {name} ==")
        TABLES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
