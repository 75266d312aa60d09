"""Engine speed (issue 2): single runs per step, and batched trajectory-steps per second.

Targets: first-order single runs on Rosenbrock <= 15 µs per step; Newton and LM single runs
<= 40 µs per step; run_batch of Adam on Rosenbrock, 10,000 starts x 500 steps, >= 50 million
trajectory-steps per second. Each figure is the best wall-clock time of several calls after a
warm-up call (the server process is long-lived), with the median beside it. tol=0 keeps every
run going for all its steps, so a step is always a full step.

Run alone with ``python benchmarks/bench_engine.py``; ``benchmarks/bench.py`` runs all tables.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from optimizers import run, run_batch
from surfaces import get_surface

HEADER = ("engine case", "measured (best, median)", "target", "met")
START = (-1.5, 2.0)
FIRST_ORDER_LR = {"sgd": 1e-4, "momentum": 1e-4, "rmsprop": 1e-3, "adam": 1e-2}


def timings(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) wall-clock seconds of `repeat` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def _per_step(label: str, fn: Callable[[], object], steps: int, limit: float | None, repeat: int):
    best, median = timings(fn, repeat)
    best_us, median_us = best / steps * 1e6, median / steps * 1e6
    target = f"<= {limit:g} µs" if limit else "(for reference)"
    met = "" if limit is None else ("yes" if best_us <= limit else "NO")
    return (label, f"{best_us:.1f} µs/step ({median_us:.1f})", target, met)


def main(repeat: int = 7, print_table: bool = True) -> list[tuple[str, str, str, str]]:
    rosen, curve = get_surface("rosenbrock"), get_surface("curve_fit")
    rows = []
    for name, lr in FIRST_ORDER_LR.items():
        fn = lambda n=name, a=lr: run(n, rosen, START, 1000, lr=a, tol=0.0)  # noqa: E731
        rows.append(_per_step(f"run {name}, rosenbrock, 1000 steps", fn, 1000, 15.0, repeat))
    for name, surface, start, limit in (
        ("newton", rosen, START, 40.0),
        ("lm", rosen, START, 40.0),
        ("lm", curve, (0.5, 0.5), None),  # 40 residuals instead of 2
    ):
        fn = lambda n=name, f=surface, s=start: run(n, f, s, 1000, tol=0.0)  # noqa: E731
        rows.append(_per_step(f"run {name}, {surface.name}, 1000 steps", fn, 1000, limit, repeat))
    starts = np.random.default_rng(0).uniform((-2, -1), (2, 3), size=(10_000, 2))
    for keep in (True, False):
        best, median = timings(
            lambda k=keep: run_batch("adam", rosen, starts, 500, lr=0.01, tol=0.0, keep_paths=k),
            max(3, repeat // 2),
        )
        what = "paths kept" if keep else "final rows only"
        rows.append(
            (
                f"run_batch adam, rosenbrock, 10,000 x 500, {what}",
                f"{5e6 / best / 1e6:.1f} M traj-steps/s ({5e6 / median / 1e6:.1f})",
                ">= 50 M/s",
                "yes" if 5e6 / best >= 50e6 else "NO",
            )
        )
    if print_table:
        print_rows(HEADER, rows)
    return rows


def print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
