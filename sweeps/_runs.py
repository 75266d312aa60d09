"""What every sweep shares: bounded requests and batched runs that keep only their final rows.

Work is bounded per request: at most ``MAX_RUNS`` runs, ``MAX_STEPS`` steps per run and
``MAX_WORK`` run-steps. ``clip_request`` shrinks a larger request and says so in a message.
``final_rows`` runs ``optimizers.run_batch`` with keep_paths=False over all starts, in chunks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

import optimizers

MAX_RUNS = 40_000
MAX_STEPS = 1_000
MAX_WORK = MAX_RUNS * MAX_STEPS  # runs x steps in one request
CHUNK_WORK = 10_000_000  # run-steps per run_batch call; bigger requests report progress per chunk

Progress = Callable[[int, int], None]  # progress(runs_done, runs_total)


@dataclass(frozen=True)
class Request:
    """A request after clipping: the shape of its settings or starts, its steps, and a notice."""

    shape: tuple[int, ...]
    steps: int
    notice: str | None = None

    @property
    def runs(self) -> int:
        return math.prod(self.shape)


def clip_request(
    shape: Sequence[int],
    steps: int,
    *,
    max_runs: int = MAX_RUNS,
    max_steps: int = MAX_STEPS,
    max_work: int = MAX_WORK,
) -> Request:
    """Shrinks a request to the work bound, keeping its proportions.

    ``shape`` is (n, m) for a grid, (k,) for random search, (n, n) for a many-start map. Steps are
    capped at ``max_steps``; then every axis is scaled by the same factor until the runs fit both
    ``max_runs`` and ``max_work // steps``. The notice says what was asked and what will run.
    """
    shape = tuple(positive_int(s, "a request size") for s in shape)
    steps = positive_int(steps, "the number of steps")
    asked = f"{fmt_shape(shape)} runs × {steps:,} steps"
    new_steps = min(steps, max_steps)
    allowed = max(1, min(max_runs, max_work // new_steps))
    new_shape = list(shape)
    if math.prod(shape) > allowed:
        factor = (allowed / math.prod(shape)) ** (1 / len(shape))
        new_shape = [max(1, math.floor(s * factor)) for s in shape]
        while math.prod(new_shape) > allowed:  # rounding can leave it a little over
            new_shape[int(np.argmax(new_shape))] -= 1
    new_shape = tuple(new_shape)
    if new_shape == shape and new_steps == steps:
        return Request(shape, steps)
    notice = (
        f"Asked for {asked}; one request is limited to {max_runs:,} runs, {max_steps:,} steps per "
        f"run and {max_work:,} run-steps in all, so this runs {fmt_shape(new_shape)} runs × "
        f"{new_steps:,} steps."
    )
    return Request(new_shape, new_steps, notice)


def final_rows(optimizer, surface, starts, steps, hyper, target_loss, progress, engine):
    """run_batch with keep_paths=False over all starts, in chunks of about CHUNK_WORK run-steps.

    Returns final points (N, 2), final losses (N,), n_steps (N,), status (N,) and first_hit (N,):
    the first step with loss <= target_loss, -1 if never (always -1 without a target).
    """
    n = len(starts)
    chunk = max(1, CHUNK_WORK // max(steps, 1))
    parts = []
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        part_hyper = {name: (v[lo:hi] if np.ndim(v) else v) for name, v in hyper.items()}
        res = optimizers.run_batch(
            optimizer, surface, starts[lo:hi], steps, keep_paths=False, target_loss=target_loss,
            **engine, **part_hyper,
        )  # fmt: skip
        parts.append(
            (
                np.asarray(res.points[-1], dtype=float),
                np.asarray(res.losses[-1], dtype=float),
                np.asarray(res.n_steps, dtype=int),
                np.asarray(res.status).astype(str),
                np.asarray(res.first_hit, dtype=int),
            )
        )
        if progress is not None:
            progress(hi, n)
    return tuple(np.concatenate(cols) for cols in zip(*parts, strict=True))


def steps_to_tol(first_hit: np.ndarray, diverged: np.ndarray) -> np.ndarray:
    """The first step within tolerance, L - L* <= tol: the engine's first_hit with target L* + tol,
    as floats with NaN where a run never got there or diverged."""
    return np.where((first_hit >= 0) & ~diverged, first_hit, np.nan).astype(float)


def positive_int(value, what: str) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{what.capitalize()} must be a positive whole number, got {value!r}.")
    return int(value)


def fmt_shape(shape: Sequence[int]) -> str:
    if len(shape) == 1:
        return f"{shape[0]:,}"
    return " × ".join(f"{s:,}" for s in shape) + f" = {math.prod(shape):,}"


def fixed_hyper(values: Mapping[str, float | str] | None, searched) -> dict[str, float | str]:
    """Hyperparameters held fixed: numbers as floats, choices (LM's scaling) as strings."""
    return {
        name: v if isinstance(v, str) else float(v)
        for name, v in (values or {}).items()
        if name not in searched
    }


def per_run(value, n: int) -> np.ndarray:
    """A scalar or (n,) hyperparameter as its own (n,) float array."""
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()
