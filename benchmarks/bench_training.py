"""Speed of the trainer (issue 11): one MLP, and a 5-fold CV over a 4 x 4 grid trained at once.

Targets (the issue's): a 5-fold cross-validation over a 4 x 4 grid of learning rate x L2 strength,
80 MLPs with two hidden layers of 16 (ReLU, logistic loss), 500 samples, 200 epochs, batch 32, in
<= 2 s; one such MLP (trained on 400 samples, validated on 100) in <= 0.2 s. Each figure is the
best wall-clock time of several calls after a warm-up call, with the median and the process CPU
time of the best call beside it (on a shared machine the CPU time shows what a quiet moment gives).

Run alone with ``python benchmarks/bench_training.py``; ``benchmarks/bench.py training`` too.
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

from benchmarks.bench_engine import print_rows
from training import kfold_indices, make_dataset, make_model, split_indices, train, train_batch

HEADER = ("training case", "measured: best (median; CPU of best)", "target", "met")
EPOCHS, BATCH, N = 200, 32, 500


def timings(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(best wall, median wall, CPU time of the best call) in seconds, after one warm-up call."""
    fn()
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    best = min(runs)
    return best[0], statistics.median(r[0] for r in runs), best[1]


def _cases():
    X, y = make_dataset("moons", N, 0.2, 0, label_noise=0.05)
    model = make_model("mlp", hidden=(16, 16), activation="relu", task="classification", l2=1e-4)
    train_idx, val_idx, _ = split_indices(N, (0.8, 0.2, 0.0), 0)
    yield (
        "one MLP 16x16, 400 samples, 200 epochs, batch 32 (Adam, float64)",
        0.2,
        lambda: train(
            model, X[train_idx], y[train_idx], X[val_idx], y[val_idx], "adam", EPOCHS, BATCH, lr=0.01
        ),
    )
    folds = kfold_indices(N, 5, 0)
    lrs, l2s = np.geomspace(1e-3, 3e-2, 4), np.geomspace(1e-5, 1e-2, 4)
    grid_lr = np.repeat(lrs, 4 * 5)  # settings x folds on one axis: row = (lr, l2, fold)
    grid_l2 = np.tile(np.repeat(l2s, 5), 4)
    for dtype in (np.float32, np.float64):
        yield (
            f"5-fold CV x 4x4 grid = 80 MLPs 16x16, 500 samples, 200 epochs, batch 32, {np.dtype(dtype)}",
            2.0,
            lambda d=dtype: train_batch(
                model,
                X,
                y,
                folds * 16,
                "adam",
                EPOCHS,
                BATCH,
                dtype=d,
                keep_thetas=False,
                lr=grid_lr,
                l2=grid_l2,
            ),
        )


def main(repeat: int = 5, print_table: bool = True) -> list[tuple[str, str, str, str]]:
    """Times every case; returns rows (case, measured, target, met) like bench_engine.main()."""
    rows = []
    for name, target, fn in _cases():
        best, median, cpu = timings(fn, repeat)
        rows.append(
            (
                name,
                f"{best:.3f} s ({median:.3f} s; CPU {cpu:.3f} s)",
                f"<= {target:g} s",
                "yes" if best <= target else "NO",
            )
        )
    if print_table:
        print_rows(HEADER, rows)
    return rows


if __name__ == "__main__":
    main()
