"""Engine speed (issue 2): single runs per step, and batched trajectory-steps per second.

Targets: first-order single runs on Rosenbrock <= 15 µs per step; Newton and LM single runs
<= 40 µs per step; run_batch of Adam on Rosenbrock, 10,000 starts x 500 steps, >= 50 million
trajectory-steps per second. Each figure is the best wall-clock time of several calls after a
warm-up call (the server process is long-lived), with the median beside it. Single runs use
tol=0, which keeps them going for all their steps; the batch uses the default tol, as the app
does (none of its runs converges within 500 steps, so every row is a full step).

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
    batch_cases = [
        (
            f"run_batch adam, rosenbrock, 10,000 x 500, {'paths kept' if keep else 'final rows only'}",
            lambda k=keep: run_batch("adam", rosen, starts, 500, lr=0.01, keep_paths=k),
            50e6,
        )
        for keep in (True, False)
    ]
    batch_cases.append(
        ("  reference: bare NumPy loop, same maths, paths kept", lambda: bare_adam(starts, 500), None)
    )
    for label, fn, limit in batch_cases:
        best, median = timings(fn, max(3, repeat // 2))
        rate, rate_median = len(starts) * 500 / best, len(starts) * 500 / median
        met = "" if limit is None else ("yes" if rate >= limit else "NO")
        target = "(for reference)" if limit is None else f">= {limit / 1e6:g} M/s"
        rows.append((label, f"{rate / 1e6:.1f} M traj-steps/s ({rate_median / 1e6:.1f})", target, met))
    if print_table:
        print_rows(HEADER, rows)
    return rows


def bare_adam(starts: np.ndarray, steps: int, lr: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """Adam on Rosenbrock as a bare NumPy loop: the same element-wise passes as the engine's, plus
    writing every point and loss, and nothing else (no validation, endings or bookkeeping).

    Its speed is the ceiling of a NumPy engine on this machine: the engine's batch figure is read
    against it.
    """
    b1, b2, eps = 0.9, 0.999, 1e-8
    x, y = starts[:, 0].copy(), starts[:, 1].copy()
    mx = my = vx = vy = np.zeros_like(x)  # Adam in textbook form, as optimizers.first_order.adam
    P, L = np.empty((2, steps + 1, len(x))), np.empty((steps + 1, len(x)))
    P[0, 0], P[1, 0] = x, y
    for t in range(1, steps + 1):
        e, d = 1.0 - x, y - x * x
        bd = 100.0 * d
        gy = bd + bd
        L[t - 1] = e * e + bd * d
        gx = -2.0 * (e + x * gy)
        mx, my = b1 * mx + (1.0 - b1) * gx, b1 * my + (1.0 - b1) * gy
        vx, vy = b2 * vx + (1.0 - b2) * (gx * gx), b2 * vy + (1.0 - b2) * (gy * gy)
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        x = x - lr * (mx / c1) / (np.sqrt(vx / c2) + eps)
        y = y - lr * (my / c1) / (np.sqrt(vy / c2) + eps)
        P[0, t], P[1, t] = x, y
    return P, L


def print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
