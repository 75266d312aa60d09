"""Hyperparameter search and many-start maps, on top of ``optimizers.run_batch``.

The lecture's recipe for choosing hyperparameters (section 7, training practice):

- define ranges for the hyperparameters, each on a linear or a log scale;
- grid search: evaluate every combination of n values of the first and m values of the second;
- random search: like grid search, but k points drawn at random in the same ranges;
- judge each setting by its result and keep the best.

Every setting is one run from the same start point. All settings of a request go through
``run_batch`` together, with each hyperparameter passed as an array of shape (N,), so a
100 x 100 grid is one vectorized call, not 10,000 Python loops.

Scores (lower is better):

- ``"loss"``: log10(L_final - L_min), the final loss above the surface's minimum on a log scale,
  floored at 1e-16 so a run that reaches the minimum exactly still gets a finite score (on a
  surface without a minimum, the saddle, the final loss itself);
- ``"steps"``: the first step k at which L_k - L_min <= tol. A run that never gets there has no
  score (NaN) and the outcome "not reached".

A diverged run (engine status "diverged", or a non-finite final loss) has no score (NaN) and the
outcome "diverged", so it is never drawn or ranked as a huge number.

Many-start map: the same optimizer and settings, started from every point of an n x n grid over
the surface's bounds; each start is labelled with the minimum it reached (the nearest of
``surface.minima`` within a radius, else none), its steps to converge, or diverged.

Work is bounded per request: at most ``MAX_RUNS`` runs, ``MAX_STEPS`` steps per run and
``MAX_WORK`` run-steps. ``clip_request`` shrinks a larger request and says so in a message.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import optimizers
from surfaces.base import LOSS_FLOOR

MAX_RUNS = 40_000
MAX_STEPS = 1_000
MAX_WORK = MAX_RUNS * MAX_STEPS  # runs x steps in one request
CHUNK_WORK = 10_000_000  # run-steps per run_batch call; bigger requests report progress per chunk
SCORES = {
    "loss": "final loss above the minimum, log10(L − L*)",
    "steps": "steps to get within the tolerance of the minimum",
}
OUTCOMES = ("ok", "not reached", "diverged")

Progress = Callable[[int, int], None]  # progress(runs_done, runs_total)


@dataclass(frozen=True)
class Range:
    """A search range for one hyperparameter: ``low..high`` on a linear or log scale."""

    name: str
    low: float
    high: float
    log: bool = False

    def __post_init__(self):
        low, high = float(self.low), float(self.high)
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"The range of {self.name} must be finite, got {low:g} to {high:g}.")
        if low > high:
            raise ValueError(f"The range of {self.name} is empty: low {low:g} > high {high:g}.")
        if self.log and low <= 0:
            raise ValueError(
                f"A log-scale range of {self.name} needs low > 0, got {low:g}; "
                "use a linear scale or a positive lower end."
            )
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def values(self, n: int) -> np.ndarray:
        """n evenly spaced values (geometrically spaced on a log scale), ends included; (n,)."""
        n = _positive_int(n, f"the number of {self.name} values")
        if n == 1:  # the middle of the range
            return self.scale(np.array([0.5]))
        if self.log:
            return np.geomspace(self.low, self.high, n)
        return np.linspace(self.low, self.high, n)

    def scale(self, u: np.ndarray) -> np.ndarray:
        """Maps u in [0, 1] onto the range (uniform in log10 on a log scale); same shape as u."""
        u = np.asarray(u, dtype=float)
        if self.log:
            lo, hi = math.log10(self.low), math.log10(self.high)
            return 10.0 ** (lo + u * (hi - lo))
        return self.low + u * (self.high - self.low)


def grid_points(ranges: Sequence[Range], counts: Sequence[int]) -> dict[str, np.ndarray]:
    """Every combination of ``counts[i]`` values of ``ranges[i]`` (grid search).

    Returns a dict name -> (N,) array with N = prod(counts). The first range varies slowest:
    setting ``i * counts[1] + j`` holds value i of the first range and value j of the second,
    so ``result[name].reshape(counts)`` is the grid.
    """
    ranges = _check_ranges(ranges)
    if len(counts) != len(ranges):
        raise ValueError(f"Need one count per range: {len(ranges)} ranges, {len(counts)} counts.")
    axes = [r.values(n) for r, n in zip(ranges, counts, strict=True)]
    mesh = np.meshgrid(*axes, indexing="ij")
    return {r.name: m.ravel() for r, m in zip(ranges, mesh, strict=True)}


def random_points(ranges: Sequence[Range], k: int, seed: int = 0) -> dict[str, np.ndarray]:
    """k points drawn independently and uniformly in the ranges (log-uniform on a log scale).

    The same seed gives the same points. Returns a dict name -> (k,) array.
    """
    ranges = _check_ranges(ranges)
    k = _positive_int(k, "the number of random points")
    u = np.random.default_rng(seed).random((k, len(ranges)))
    return {r.name: r.scale(u[:, i]) for i, r in enumerate(ranges)}


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
    shape = tuple(_positive_int(s, "a request size") for s in shape)
    steps = _positive_int(steps, "the number of steps")
    asked = f"{_fmt_shape(shape)} runs × {steps:,} steps"
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
        f"run and {max_work:,} run-steps in all, so this runs {_fmt_shape(new_shape)} runs × "
        f"{new_steps:,} steps."
    )
    return Request(new_shape, new_steps, notice)


@dataclass(frozen=True)
class SearchResult:
    """All settings of one grid or random search, in run order, with their scores.

    Arrays have shape (N,). ``score`` is NaN where ``outcome`` is "diverged" or "not reached".
    For a grid, ``shape`` is the counts and ``settings[name].reshape(shape)`` is the grid.
    """

    optimizer: str
    method: str  # "grid" or "random"
    ranges: tuple[Range, ...]  # the searched hyperparameters
    shape: tuple[int, ...]  # grid counts (n,) or (n, m); (k,) for random search
    steps: int
    score_kind: str  # a key of SCORES
    tol: float
    min_value: float | None  # the surface's L*, None when it has no minimum (the saddle)
    settings: dict[str, np.ndarray]  # name -> (N,), the searched hyperparameters
    final_loss: np.ndarray  # (N,)
    gap: np.ndarray  # (N,) final_loss - L* (final_loss itself without a minimum)
    steps_to_tol: np.ndarray  # (N,) float, first step with L - L* <= tol, NaN if never or diverged
    n_steps: np.ndarray  # (N,) int, steps the engine ran before stopping
    status: np.ndarray  # (N,) str, engine status
    score: np.ndarray  # (N,) float, lower is better, NaN = no score
    outcome: np.ndarray  # (N,) str in OUTCOMES
    notice: str | None = None  # set when the request was clipped
    seed: int | None = None  # random search only
    fixed: dict[str, float | str] = field(default_factory=dict)  # hyperparameters not searched

    def __len__(self) -> int:
        return len(self.score)

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the searched hyperparameters, in range order."""
        return tuple(r.name for r in self.ranges)

    @property
    def order(self) -> np.ndarray:
        """Run indices best first: scored runs by score, then not reached by gap, then diverged."""
        rank = np.select([self.outcome == "ok", self.outcome == "not reached"], [0, 1], 2)
        score = np.where(np.isfinite(self.score), self.score, np.inf)
        gap = np.where(np.isfinite(self.gap), self.gap, np.inf)
        return np.lexsort((np.arange(len(self)), gap, score, rank))

    @property
    def best(self) -> int | None:
        """Index of the best run, or None when no run has a score."""
        i = int(self.order[0])
        return i if np.isfinite(self.score[i]) else None

    @property
    def best_score(self) -> float:
        """The best score, NaN when no run has one."""
        i = self.best
        return float("nan") if i is None else float(self.score[i])

    def at_edge(self, i: int, margin: float = 0.05) -> list[str]:
        """Searched hyperparameters whose value in run i lies at the edge of its range.

        The edge is the outer ``margin`` of the range, measured on its own scale (log or linear).
        A best setting at the edge suggests the best value may lie outside: widen the range.
        """
        out = []
        for r in self.ranges:
            if r.high == r.low:
                continue
            v = self.settings[r.name][i]
            t = (
                (math.log10(v) - math.log10(r.low)) / (math.log10(r.high) - math.log10(r.low))
                if r.log
                else (v - r.low) / (r.high - r.low)
            )
            if t <= margin or t >= 1 - margin:
                out.append(r.name)
        return out

    def setting(self, i: int) -> dict[str, float | str]:
        """Hyperparameters of run i: the fixed ones and the searched ones (as plain floats)."""
        return {**{name: float(v[i]) for name, v in self.settings.items()}, **self.fixed}

    def table(self, top: int | None = None) -> pd.DataFrame:
        """Settings and results, best first; ``top`` keeps only the first rows.

        Columns: rank, the searched hyperparameters, score, final_loss, gap, steps_to_tol,
        n_steps, status, outcome, run (the index in run order).
        """
        idx = self.order if top is None else self.order[:top]
        frame = pd.DataFrame({"rank": np.arange(1, len(idx) + 1)})
        for name in self.names:
            frame[name] = self.settings[name][idx]
        frame["score"] = self.score[idx]
        frame["final_loss"] = self.final_loss[idx]
        frame["gap"] = self.gap[idx]
        frame["steps_to_tol"] = pd.array(
            np.where(np.isfinite(self.steps_to_tol[idx]), self.steps_to_tol[idx], -1), dtype="Int64"
        )
        frame.loc[frame["steps_to_tol"] < 0, "steps_to_tol"] = pd.NA
        frame["n_steps"] = self.n_steps[idx]
        frame["status"] = self.status[idx]
        frame["outcome"] = self.outcome[idx]
        frame["run"] = idx
        return frame


def search(
    optimizer: str,
    surface,
    start: Sequence[float],
    ranges: Sequence[Range],
    *,
    grid: Sequence[int] | None = None,
    k: int | None = None,
    seed: int = 0,
    steps: int = 200,
    score: str = "loss",
    tol: float = 1e-3,
    fixed: Mapping[str, float] | None = None,
    progress: Progress | None = None,
    **engine,
) -> SearchResult:
    """Grid search (``grid=(n, m)``) or random search (``k=..., seed=...``) over ``ranges``.

    Every setting runs ``optimizer`` from ``start`` for ``steps`` steps; all settings go through
    one ``run_batch`` call (split into chunks of about ``CHUNK_WORK`` run-steps for progress).
    ``fixed`` holds the other hyperparameters (the engine's defaults otherwise); ``engine`` passes
    schedule, noise, seed... on to ``run_batch``. The request is clipped by ``clip_request``.

    Raises ValueError for bad input (ranges, counts, score, or whatever the engine rejects).
    """
    ranges = _check_ranges(ranges)
    _check_score(score, tol)
    if (grid is None) == (k is None):
        raise ValueError("Give either grid=(n, m) for grid search or k for random search.")
    if grid is not None:
        if len(grid) != len(ranges):
            raise ValueError(f"Need one grid count per range, got {len(grid)} for {len(ranges)}.")
        request = clip_request(grid, steps)
        settings, method = grid_points(ranges, request.shape), "grid"
    else:
        request = clip_request((k,), steps)
        settings, method = random_points(ranges, request.runs, seed), "random"
    fixed = _fixed(fixed, settings)
    return _evaluate(
        optimizer,
        surface,
        start,
        ranges,
        settings,
        fixed,
        method=method,
        shape=request.shape,
        steps=request.steps,
        score=score,
        tol=tol,
        notice=request.notice,
        seed=seed if method == "random" else None,
        progress=progress,
        engine=engine,
    )


@dataclass(frozen=True)
class Comparison:
    """Grid search and random search on the same budget (the same number of runs)."""

    grid: SearchResult
    random: SearchResult  # the random search with the first seed, for plotting
    random_best: np.ndarray  # (S,) best score of the random search for each seed
    seeds: tuple[int, ...]

    @property
    def wins(self) -> tuple[int, int, int]:
        """How many seeds gave random search a better, equal, worse best score than the grid."""
        g = _worst_if_nan(self.grid.best_score)
        r = np.array([_worst_if_nan(v) for v in self.random_best])
        better = int(np.sum(r < g - 1e-12))
        worse = int(np.sum(r > g + 1e-12))
        return better, len(r) - better - worse, worse

    def distinct(self, name: str) -> tuple[int, int]:
        """Distinct values of hyperparameter ``name`` tried by the grid and by random search."""
        return (
            len(np.unique(self.grid.settings[name])),
            len(np.unique(self.random.settings[name])),
        )


def compare_grid_random(
    optimizer: str,
    surface,
    start: Sequence[float],
    ranges: Sequence[Range],
    *,
    grid: Sequence[int],
    seeds: Sequence[int] = tuple(range(20)),
    steps: int = 200,
    score: str = "loss",
    tol: float = 1e-3,
    fixed: Mapping[str, float] | None = None,
    progress: Progress | None = None,
    **engine,
) -> Comparison:
    """Grid search with counts ``grid`` against random search with k = prod(grid) points.

    Random search is repeated for every seed in ``seeds`` so the page can say how often it wins,
    not just whether it won once. Grid and all random searches run in one ``run_batch`` call.
    """
    ranges = _check_ranges(ranges)
    _check_score(score, tol)
    seeds = tuple(int(s) for s in seeds)
    if not seeds:
        raise ValueError("Need at least one seed for random search.")
    if len(grid) != len(ranges):
        raise ValueError(f"Need one grid count per range, got {len(grid)} for {len(ranges)}.")
    per_search = clip_request(grid, steps, max_runs=MAX_RUNS // (1 + len(seeds)))
    budget = per_search.runs
    notice = None
    if per_search.notice:
        notice = (
            f"Asked for {_fmt_shape(tuple(grid))} runs × {steps:,} steps per search; the grid and the "
            f"{len(seeds)} random searches share one request's limit ({MAX_RUNS:,} runs, {MAX_STEPS:,} "
            f"steps per run), so each search runs {_fmt_shape(per_search.shape)} runs × "
            f"{per_search.steps:,} steps."
        )
    grid_settings = grid_points(ranges, per_search.shape)
    parts = [grid_settings] + [random_points(ranges, budget, s) for s in seeds]
    settings = {r.name: np.concatenate([p[r.name] for p in parts]) for r in ranges}
    fixed = _fixed(fixed, settings)
    everything = _evaluate(
        optimizer,
        surface,
        start,
        ranges,
        settings,
        fixed,
        method="grid",
        shape=(len(parts) * budget,),
        steps=per_search.steps,
        score=score,
        tol=tol,
        notice=notice,
        seed=None,
        progress=progress,
        engine=engine,
    )
    pieces = [
        _take(everything, slice(i * budget, (i + 1) * budget), method, shape, seed)
        for i, (method, shape, seed) in enumerate(
            [("grid", per_search.shape, None)] + [("random", (budget,), s) for s in seeds]
        )
    ]
    random_best = np.array([p.best_score for p in pieces[1:]])
    return Comparison(pieces[0], pieces[1], random_best, seeds)


@dataclass(frozen=True)
class StartMap:
    """Outcome of one optimizer started from every point of an n x n grid over the bounds.

    Arrays of shape (n, n) are indexed [row, column] = [y index, x index], as a heatmap wants.
    """

    optimizer: str
    xs: np.ndarray  # (n,) start x of each column
    ys: np.ndarray  # (n,) start y of each row
    steps: int
    final_points: np.ndarray  # (n, n, 2)
    final_loss: np.ndarray  # (n, n)
    n_steps: np.ndarray  # (n, n) int
    status: np.ndarray  # (n, n) str
    steps_to_tol: np.ndarray  # (n, n) float, first step with L - L* <= tol, NaN if never
    minimum: np.ndarray  # (n, n) int, index into minima, -1 for none (and for diverged)
    diverged: np.ndarray  # (n, n) bool
    minima: np.ndarray  # (k, 2)
    radius: float
    tol: float  # the loss tolerance of steps_to_tol
    settings: dict[str, float] = field(default_factory=dict)
    notice: str | None = None

    def counts(self) -> dict[str, int]:
        """Number of starts per outcome: "minimum i", "none", "diverged"."""
        out = {f"minimum {i + 1}": int(np.sum(self.minimum == i)) for i in range(len(self.minima))}
        out["none"] = int(np.sum((self.minimum < 0) & ~self.diverged))
        out["diverged"] = int(np.sum(self.diverged))
        return out

    def table(self) -> pd.DataFrame:
        """One row per start: x0, y0, x, y, final_loss, n_steps, status, minimum (1-based)."""
        X0, Y0 = np.meshgrid(self.xs, self.ys)
        label = np.where(self.minimum >= 0, (self.minimum + 1).astype(str), "none")
        label = np.where(self.diverged, "diverged", label)
        return pd.DataFrame(
            {
                "x0": X0.ravel(),
                "y0": Y0.ravel(),
                "x": self.final_points[..., 0].ravel(),
                "y": self.final_points[..., 1].ravel(),
                "final_loss": self.final_loss.ravel(),
                "n_steps": self.n_steps.ravel(),
                "status": self.status.ravel(),
                "minimum": label.ravel(),
            }
        )


def many_start_map(
    optimizer: str,
    surface,
    n: int,
    steps: int,
    *,
    hyper: Mapping[str, float] | None = None,
    radius: float | None = None,
    tol: float = 1e-3,
    progress: Progress | None = None,
    **engine,
) -> StartMap:
    """Runs ``optimizer`` from every point of an n x n grid over ``surface.bounds``.

    Each start is labelled with the nearest of ``surface.minima`` to its final point when that is
    within ``radius`` (default: 5% of the bounds' diagonal), else -1; diverged runs are flagged and
    get -1. ``steps_to_tol`` is the first step at which L - L* <= tol (the search's "steps"
    score; the engine's own "converged" needs a gradient norm below 1e-6, which most runs of a few
    hundred steps never reach), NaN if never or diverged.
    The request is clipped by ``clip_request((n, n), steps)``.
    """
    _check_score("steps", tol)
    request = clip_request((n, n), steps)
    n, steps = request.shape[0], request.steps
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)  # rows follow y, columns follow x
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)
    hyper = _fixed(hyper, {})
    if radius is None:
        radius = 0.05 * math.hypot(x1 - x0, y1 - y0)
    elif not radius > 0:
        raise ValueError(f"The radius must be positive, got {radius:g}.")
    target = None if surface.min_value is None else surface.min_value + tol
    out = _run_final(optimizer, surface, starts, steps, hyper, target, progress, engine)
    final, loss, n_steps, status, first_hit = out
    diverged = (status == "diverged") | ~np.isfinite(loss) | ~np.all(np.isfinite(final), axis=-1)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    minimum = np.full(len(starts), -1)
    if len(minima):
        with np.errstate(invalid="ignore", over="ignore"):
            dist = np.linalg.norm(final[:, None, :] - minima[None, :, :], axis=-1)
        nearest = np.argmin(np.where(np.isfinite(dist), dist, np.inf), axis=1)
        close = np.take_along_axis(dist, nearest[:, None], axis=1)[:, 0] <= radius
        minimum = np.where(close & ~diverged, nearest, -1)
    shape = (n, n)
    return StartMap(
        optimizer=optimizer,
        xs=xs,
        ys=ys,
        steps=steps,
        final_points=final.reshape(*shape, 2),
        final_loss=loss.reshape(shape),
        n_steps=n_steps.reshape(shape),
        status=status.reshape(shape),
        steps_to_tol=_steps_to_tol(first_hit, diverged).reshape(shape),
        minimum=minimum.reshape(shape),
        diverged=diverged.reshape(shape),
        minima=minima,
        radius=float(radius),
        tol=float(tol),
        settings=hyper,
        notice=request.notice,
    )


def paths(
    optimizer: str,
    surface,
    start: Sequence[float],
    steps: int,
    settings: Sequence[Mapping[str, float]],
    **engine,
) -> list[np.ndarray]:
    """Full paths of a few settings (to draw the best ones on the contour), in one run_batch call.

    ``settings`` are dicts name -> value, all with the same names (e.g. ``result.setting(i)``);
    ``engine`` must repeat the keywords the search used (schedule, noise, seed...). Returns one
    array of shape (k+1, 2) per setting, cut where its run ended (k = its n_steps).
    """
    if not settings:
        return []
    starts = np.tile(np.asarray(start, dtype=float), (len(settings), 1))
    hyper = {
        name: settings[0][name]
        if isinstance(settings[0][name], str)
        else np.array([float(s[name]) for s in settings])
        for name in settings[0]
    }
    res = optimizers.run_batch(optimizer, surface, starts, steps, **hyper, **engine)
    return [np.asarray(res.points[: int(res.n_steps[i]) + 1, i]) for i in range(len(settings))]


# ---------------------------------------------------------------------------------------------
# Internals


def _evaluate(
    optimizer,
    surface,
    start,
    ranges,
    settings,
    fixed,
    *,
    method,
    shape,
    steps,
    score,
    tol,
    notice,
    seed,
    progress,
    engine,
) -> SearchResult:
    """Runs every setting from ``start`` and scores it."""
    n = len(next(iter(settings.values())))
    start = np.asarray(start, dtype=float).reshape(2)
    starts = np.broadcast_to(start, (n, 2))
    hyper = {**fixed, **settings}
    min_value = None if surface.min_value is None else float(surface.min_value)
    if min_value is None and score == "steps":
        raise ValueError(
            "This surface has no minimum, so 'steps to the minimum' is undefined; score by the final loss."
        )
    target = None if min_value is None else min_value + tol
    _, loss, n_steps, status, first_hit = _run_final(
        optimizer, surface, starts, steps, hyper, target, progress, engine
    )
    diverged = (status == "diverged") | ~np.isfinite(loss)
    gap = loss if min_value is None else loss - min_value
    hit = _steps_to_tol(first_hit, diverged)
    if score == "loss":
        if min_value is None:  # no L* to measure from: the loss itself, on a linear scale
            value = loss.copy()
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.log10(np.maximum(gap, LOSS_FLOOR))
        outcome = np.where(diverged, "diverged", "ok")
    else:
        value = hit
        outcome = np.where(diverged, "diverged", np.where(np.isnan(hit), "not reached", "ok"))
    value = np.where(outcome == "ok", value, np.nan)
    return SearchResult(
        optimizer=optimizer,
        method=method,
        ranges=tuple(ranges),
        shape=tuple(shape),
        steps=steps,
        score_kind=score,
        tol=float(tol),
        min_value=min_value,
        settings={name: _per_run(v, n) for name, v in settings.items()},
        final_loss=loss,
        gap=gap,
        steps_to_tol=hit,
        n_steps=n_steps,
        status=status,
        score=value,
        outcome=outcome.astype(str),
        notice=notice,
        seed=seed,
        fixed=dict(fixed),
    )


def _take(result: SearchResult, part: slice, method: str, shape, seed) -> SearchResult:
    """The runs ``part`` of a combined result, as a search of their own."""
    arrays = ("final_loss", "gap", "steps_to_tol", "n_steps", "status", "score", "outcome")
    return dataclasses.replace(
        result,
        **{f: getattr(result, f)[part] for f in arrays},
        settings={name: v[part] for name, v in result.settings.items()},
        method=method,
        shape=tuple(shape),
        seed=seed,
    )


def _run_final(optimizer, surface, starts, steps, hyper, target_loss, progress, engine):
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


def _steps_to_tol(first_hit: np.ndarray, diverged: np.ndarray) -> np.ndarray:
    """The first step within tolerance, L - L* <= tol: the engine's first_hit with target L* + tol,
    as floats with NaN where a run never got there or diverged."""
    return np.where((first_hit >= 0) & ~diverged, first_hit, np.nan).astype(float)


def _check_ranges(ranges: Sequence[Range]) -> tuple[Range, ...]:
    ranges = tuple(ranges)
    if not ranges:
        raise ValueError("Choose at least one hyperparameter to search.")
    names = [r.name for r in ranges]
    if len(set(names)) != len(names):
        raise ValueError(f"Each hyperparameter may be searched once, got {names}.")
    return ranges


def _check_score(score: str, tol: float) -> None:
    if score not in SCORES:
        raise ValueError(f"Unknown score {score!r}; choose one of {', '.join(SCORES)}.")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"The tolerance must be a positive number, got {tol!r}.")


def _positive_int(value, what: str) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{what.capitalize()} must be a positive whole number, got {value!r}.")
    return int(value)


def _fmt_shape(shape: Sequence[int]) -> str:
    if len(shape) == 1:
        return f"{shape[0]:,}"
    return " × ".join(f"{s:,}" for s in shape) + f" = {math.prod(shape):,}"


def _fixed(values: Mapping[str, float | str] | None, searched) -> dict[str, float | str]:
    """Hyperparameters held fixed: numbers as floats, choices (LM's scaling) as strings."""
    return {
        name: v if isinstance(v, str) else float(v)
        for name, v in (values or {}).items()
        if name not in searched
    }


def _per_run(value, n: int) -> np.ndarray:
    """A scalar or (n,) hyperparameter as its own (n,) float array."""
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()


def _worst_if_nan(value: float) -> float:
    return value if np.isfinite(value) else np.inf
