"""Engine speed: single runs per step and batched trajectory-steps per second."""

from __future__ import annotations

import time

import numpy as np

from optimizers import run, run_batch
from surfaces import get_surface


def best_time(fn, repeats: int = 5) -> float:
    """Best wall time of `repeats` calls after one warm-up call (the server is long-lived)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> list[tuple[str, str, str, str]]:
    rows = []
    rosen = get_surface("rosenbrock")
    start = (-1.5, 2.0)
    lrs = {"sgd": 1e-4, "momentum": 1e-4, "rmsprop": 1e-3, "adam": 1e-2}
    for name, lr in lrs.items():
        seconds = best_time(lambda n=name, a=lr: run(n, rosen, start, 1000, lr=a, tol=0.0))
        rows.append(
            (
                f"run {name}, rosenbrock, 1000 steps",
                f"{seconds / 1000 * 1e6:.1f} µs/step",
                "<= 15",
                _ok(seconds / 1000 * 1e6 <= 15),
            )
        )
    for name, surface in (("newton", get_surface("rosenbrock")), ("lm", get_surface("curve_fit"))):
        seconds = best_time(lambda n=name, f=surface: run(n, f, (0.5, 0.5), 1000, tol=0.0))
        rows.append(
            (
                f"run {name}, {surface.name}, 1000 steps",
                f"{seconds / 1000 * 1e6:.1f} µs/step",
                "<= 40",
                _ok(seconds / 1000 * 1e6 <= 40),
            )
        )
    starts = np.random.default_rng(0).uniform((-2, -1), (2, 3), size=(10_000, 2))
    seconds = best_time(lambda: run_batch("adam", rosen, starts, 500, lr=0.01), repeats=3)
    rate = 10_000 * 500 / seconds
    rows.append(
        (
            "run_batch adam, rosenbrock, 10,000 x 500",
            f"{rate / 1e6:.1f} M traj-steps/s",
            ">= 50",
            _ok(rate >= 50e6),
        )
    )
    return rows


def _ok(passed: bool) -> str:
    return "yes" if passed else "NO"


if __name__ == "__main__":
    for row in main():
        print(" | ".join(row))
