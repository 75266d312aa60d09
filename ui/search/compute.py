"""The search page's computations, cached and keyed by plain hashable values (surfaces are rebuilt
inside): sweeps through the job runner (`ui.jobs`: in the worker process when big, with progress
and Cancel), the paths of a few settings, the contour trace, the step-size limit, and which runs
the paths chart shows."""

from __future__ import annotations

import numpy as np
import streamlit as st

import figures
import surfaces
import sweeps
from optimizers import theory
from scenes.search import KEY, N_PATHS, Problem
from sweeps import jobs as sweep_jobs
from ui import common, jobs
from ui.search.words import running_text

CONTOUR_N = 120


def contour(problem: Problem):
    """The surface's contour trace (the grid itself is cached by ui.common)."""
    surface = problem.build_surface()
    xs, ys, Z = common.surface_grid(problem.surface, problem.surface_params, CONTOUR_N)
    return figures.contour_trace(
        xs, ys, Z, log_levels=surfaces.SURFACES[problem.surface].log_levels,
        min_value=surface.min_value, showscale=False,
    )  # fmt: skip


def sweep(kind: str, problem: Problem, kwargs: dict, *, runs: int, steps: int, scope: str = "app"):
    """A sweep's result through ui.jobs (cached; in the worker process when big), or None when
    the user cancelled it. Raises the sweep's ValueError."""
    return jobs.run_job(
        kind, (problem.surface, tuple(problem.surface_params)), kwargs,
        seconds=sweep_jobs.estimated_seconds(runs, steps), label=running_text(runs, steps),
        key_prefix=KEY, rerun_scope=scope,
    )  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def cached_paths(problem, optimizer, steps, settings):
    """Full paths of a few settings (tuples of (name, value) pairs): list of (k+1, 2) arrays."""
    return sweeps.paths(optimizer, problem.build_surface(), problem.start, steps, [dict(s) for s in settings])


def settings_of(result: sweeps.SearchResult, runs: list[int]) -> tuple:
    return tuple(tuple(sorted(result.setting(i).items())) for i in runs)


def path_runs(result: sweeps.SearchResult) -> list[int]:
    """The best run and up to three others spread over the ranking of the scored runs."""
    order = result.order
    scored = order[np.isfinite(result.score[order])]
    if scored.size == 0:
        return [int(order[0])] if len(order) else []
    picks = np.unique(np.linspace(0, scored.size - 1, N_PATHS).round().astype(int))
    return [int(scored[p]) for p in picks]


def step_limit(problem: Problem, result: sweeps.SearchResult, surface):
    """theory.step_limit at the start point, for the methods that have one (with the momentum
    held fixed, if it is not searched); None otherwise or where the Hessian is not finite."""
    record = theory.limit_record(result.optimizer)
    if record is None:
        return None
    momentum = result.fixed.get(record.beta, 0.0) if record.beta else 0.0
    try:
        limit = theory.step_limit(result.optimizer, surface, problem.start, momentum=float(momentum))
    except (ValueError, FloatingPointError):
        return None
    return limit if np.isfinite(limit.lambda_max) else None
