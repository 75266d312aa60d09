"""All speed figures of the project, as tables: engine, explorer page, hyperparameter search,
trainer, training-practice page, theory overlays, the explorer's live claims, a classroom, the
class-vote store, the lecture.

    python benchmarks/bench.py            # every table but `class`, `hall`, `pages` (some need chromium)
    python benchmarks/bench.py engine     # one table: any name in TABLES
    python benchmarks/bench.py class      # a classroom played by ../shared/tools/load.py (minutes; nginx)
    python benchmarks/bench.py hall       # 300 students vote on the lecture page via serve.sh (minutes)
    python benchmarks/bench.py pages      # every page's first chart vs a one-chart app's (minutes)

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
    bench_lecture,
    bench_pages,
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
    "classroom": lambda: bench_classroom.main(["--store"]),  # the vote store alone (seconds)
    "hall": lambda: bench_classroom.main(["--hall"]),  # 300 students voting through serve.sh (minutes)
    "lecture": bench_lecture.main,
    "pages": bench_pages.main,  # every page opened in a fresh browser, vs a one-chart app (minutes)
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
    "lecture",
]  # `class`, `hall` and `pages` take minutes: they run when named


def main(names: list[str]) -> None:
    unknown = set(names) - set(TABLES)
    if unknown:
        raise SystemExit(f"unknown table(s) {sorted(unknown)}; choose from {list(TABLES)}")
    for name in names or DEFAULT:
        print(f"\n== {name} ==")
        TABLES[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
