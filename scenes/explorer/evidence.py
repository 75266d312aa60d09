"""A scene's runs as evidence for its claims: `SceneRuns` (the runs on screen and the same scene
changed), how a noisy run is judged (`noisy_gap`, `settled_step`) and the numbers a lesson's note
may state (`facts`, read by `scenes.claims`). Pure: no streamlit, no plotly.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

import optimizers
from optimizers import theory
from optimizers.run_ids import split_run_id
from scenes import lessons
from scenes.explorer.choices import ExplorerChoices, RunSpec
from scenes.explorer.query import scene

NOISY_WINDOW = 30  # with gradient noise, losses are judged by their mean over the last 30 steps
Runner = Callable[[RunSpec], Any]


def _engine(spec: RunSpec):
    return spec.run()


class SceneRuns:
    """A scene's runs as evidence for its claims: the runs on screen, and the same scene changed
    (run through `runner`: the page's cache, or the engine itself)."""

    def __init__(
        self, choices: ExplorerChoices, runs: Mapping[str, Any] | None = None, runner: Runner = _engine
    ):
        self.choices = choices
        self.surface = choices.problem.build_surface()
        self._runner = runner
        if runs is None:
            runs = {}
            for run in choices.optimizers:
                if optimizers.OPTIMIZERS[split_run_id(run)[0]].supports(self.surface).runs:
                    try:
                        runs[run] = runner(choices.spec(run))
                    except ValueError:  # the page says why it could not run; no claim is decided on it
                        continue
        self.runs = dict(runs)
        self._labels = choices.labels

    def label(self, run: str) -> str:
        return self._labels.get(run, run)

    def variant(self, change: Mapping[str, Any], seed: int | None = None) -> SceneRuns:
        choices = self.choices
        if change:
            choices = scene({**choices.values(), **change})
        if seed is not None:
            choices = dataclasses.replace(choices, seed=int(seed))
        if choices == self.choices:
            return self
        return SceneRuns(choices, runner=self._runner)


def noisy_gap(traj, min_value: float) -> float:
    """L − L* as the page judges a noisy run: the mean over its last `NOISY_WINDOW` steps."""
    return float(np.mean(np.asarray(traj.losses[-NOISY_WINDOW:], dtype=float) - min_value))


def settled_step(traj, min_value: float, tol: float) -> int | None:
    """With noisy gradients, steps to tolerance: the first step k from which the mean of
    L − L* over the window of `NOISY_WINDOW` steps ending at each later step stays within `tol`
    (not the first lucky dip); None if it never settles within the run."""
    gaps = np.asarray(traj.losses, dtype=float) - min_value
    w = min(NOISY_WINDOW, len(gaps))
    if w == 0 or not np.isfinite(gaps).all():
        return None
    means = np.convolve(gaps, np.ones(w) / w, mode="valid")  # means[j]: steps j .. j + w − 1
    bad = np.nonzero(means > tol)[0]
    first = 0 if len(bad) == 0 else int(bad[-1]) + 1
    return None if first >= len(means) else first + w - 1


def facts(evidence: SceneRuns) -> dict[str, Any]:
    """The numbers a lesson's note may state, from the scene and its runs: every setting's value
    (`sgd_lr`, `quadratic_condition`, `steps`, `noise`), each first-order run's stability limit
    at θ₀ (`sgd_limit`), the curvature at θ₀ (`lambda_max`, `kappa`), and each run's end
    (`sgd_gap`: L − L* at the end, the mean over the last steps with noise; `rmsprop_hit`: the
    first step within 1e-3)."""
    choices, surface = evidence.choices, evidence.surface
    out: dict[str, Any] = dict(choices.values())
    with np.errstate(all="ignore"):
        try:
            eigen = theory.hessian_eigen(surface.hessian(np.asarray(choices.start, dtype=float))).values
            out["lambda_max"] = float(eigen[0])
            out["kappa"] = float(theory.condition_number(eigen))
        except (ValueError, TypeError, np.linalg.LinAlgError):
            pass
        for run in choices.optimizers:
            hyper = dict(choices.hyper_of(run))
            try:
                limit = theory.step_limit(
                    split_run_id(run)[0], surface, choices.start, float(hyper.get("momentum", 0.0))
                )
            except (ValueError, TypeError):
                limit = None
            if limit is not None and math.isfinite(limit.lr):
                out[f"{run}_limit"] = float(limit.lr)
    minima = np.asarray(getattr(surface, "minima", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
    if len(minima) == 1:
        out["min_x"], out["min_y"] = map(float, minima[0])
    min_value = surface.min_value
    for run, traj in evidence.runs.items():
        out[f"{run}_label"] = evidence.label(run)
        out[f"{run}_steps_run"] = int(traj.n_steps)
        if "accepted" in traj.records:
            out[f"{run}_rejected"] = int((traj.records["accepted"] == 0).sum())
        if min_value is not None and math.isfinite(min_value):
            out[f"{run}_gap"] = (
                noisy_gap(traj, min_value) if choices.noise > 0 else float(traj.losses[-1] - min_value)
            )
            out[f"{run}_mean"] = min_value + noisy_gap(traj, min_value)  # the table's mean column
            hit = traj.first_hit(min_value + lessons.TOL)
            if hit is not None:
                out[f"{run}_hit"] = int(hit)
    return out
