"""Hyperparameter search (grid, random, and the two compared), on top of ``optimizers.run_batch``.

The lecture's recipe for choosing hyperparameters (section 7, training practice):

- define ranges for the hyperparameters, each on a linear or a log scale;
- grid search: evaluate every combination of n values of the first and m values of the second;
- random search: like grid search, but k points drawn at random in the same ranges;
- judge each setting by its result and keep the best.

The values tried are rounded to a few significant digits (``readable``), so the table, the CSV, the
link to the explorer and the explorer's slider all show the value that ran, in short.

Every setting is one run from the same start point. All settings of a request go through
``run_batch`` together, with each hyperparameter passed as an array of shape (N,), so a
100 x 100 grid is one vectorized call, not 10,000 Python loops.

Scores (lower is better):

- ``"loss"``: log10(L_final - L_min), the final loss above the surface's minimum on a log scale,
  floored at ``SCORE_FLOOR`` = 1e-10 (on a surface without a minimum, the saddle, the final loss
  itself). Below the floor the differences say only where a run stopped, not how well it did: the
  engine ends a run once its gradient norm is below 1e-6, which leaves L - L* between about 1e-16
  and 2e-12 on the built-in surfaces (L - L* ~ |g|^2 / (2 lambda_min)). So every run within 1e-10
  of L* gets the same score, and they tie;
- ``"steps"``: the first step k at which L_k - L_min <= tol. A run that never gets there has no
  score (NaN) and the outcome "not reached".

Ties (``TIE_RULE``): runs with the same score are ranked by a second key, then a third, then run
order, so the table, the star on the chart and the words all name the same best run. For the loss
score the second key is the steps to get within ``tol`` of L* (the faster run wins), then the steps
the run took; for the steps score, the final loss above L* (floored the same way), then the steps
the run took. ``SearchResult.tied`` lists the runs that tie with the best on the score itself.

A diverged run (engine status "diverged", or a non-finite final loss) has no score (NaN) and the
outcome "diverged", so it is never drawn or ranked as a huge number.

Work is bounded per request (see ``sweeps._runs.clip_request``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

import optimizers
from sweeps._runs import (
    MAX_RUNS,
    MAX_STEPS,
    Progress,
    clip_request,
    final_rows,
    fixed_hyper,
    fmt_shape,
    per_run,
    positive_int,
    steps_to_tol,
)

if TYPE_CHECKING:
    import pandas as pd

SCORES = {
    "loss": "final loss above the minimum, log10(L − L*)",
    "steps": "steps to get within the tolerance of the minimum",
}
OUTCOMES = ("ok", "not reached", "diverged")
READABLE_DIGITS = 3  # searched values get at least this many significant digits (`readable`)
SCORE_FLOOR = 1e-10  # L - L* below this counts as at the minimum: such runs tie (see above)
TIE_RULE = {
    "loss": "fewer steps to get within the tolerance of L*, then fewer steps run",
    "steps": f"the lower final loss (L − L* below {SCORE_FLOOR:g} counts as equal), then fewer steps run",
}


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
        """n evenly spaced values (geometrically spaced on a log scale), ends included, rounded
        (`readable`); (n,)."""
        n = positive_int(n, f"the number of {self.name} values")
        if n == 1:  # the middle of the range
            return self.scale(np.array([0.5]))
        if self.log:
            return readable(np.geomspace(self.low, self.high, n), self.low, self.high)
        return readable(np.linspace(self.low, self.high, n), self.low, self.high)

    def scale(self, u: np.ndarray) -> np.ndarray:
        """Maps u in [0, 1] onto the range (uniform in log10 on a log scale), rounded (`readable`);
        same shape as u."""
        u = np.asarray(u, dtype=float)
        if self.log:
            lo, hi = math.log10(self.low), math.log10(self.high)
            return readable(10.0 ** (lo + u * (hi - lo)), self.low, self.high)
        return readable(self.low + u * (self.high - self.low), self.low, self.high)


def readable(values: np.ndarray, low: float, high: float, min_digits: int = READABLE_DIGITS) -> np.ndarray:
    """`values` (inside [low, high]) rounded to the fewest significant digits, at least
    `min_digits`, that keep distinct values distinct and every value inside [low, high]: a setting
    reads, types and links as 0.0262 or 0.175, not 0.0261813 or 0.17499999999999982 (linspace's
    round-off), and is still the value that ran."""
    values = np.asarray(values, dtype=float)
    distinct = len(np.unique(values))
    for digits in range(min_digits, 17):
        rounded = np.array([float(f"{v:.{digits}g}") for v in values.ravel()]).reshape(values.shape)
        if len(np.unique(rounded)) == distinct and np.all((rounded >= low) & (rounded <= high)):
            return rounded
    return values


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
    k = positive_int(k, "the number of random points")
    u = np.random.default_rng(seed).random((k, len(ranges)))
    return {r.name: r.scale(u[:, i]) for i, r in enumerate(ranges)}


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
        """Run indices best first: scored runs by score, then not reached by gap, then diverged.

        Equal scores break by ``TIE_RULE[score_kind]``, then by run order.
        """
        rank = np.select([self.outcome == "ok", self.outcome == "not reached"], [0, 1], 2)
        score = np.where(np.isfinite(self.score), self.score, np.inf)
        if self.score_kind == "loss" and self.min_value is not None:
            second = self.steps_to_tol
        else:  # the steps score; and the final loss, to order the runs that were not reached
            second = np.maximum(self.gap, SCORE_FLOOR)
        second = np.where(np.isfinite(second), second, np.inf)
        return np.lexsort((np.arange(len(self)), self.n_steps, second, score, rank))

    @property
    def tie_rule(self) -> str:
        """How runs with equal scores are ranked, in words (the keys ``order`` sorts by)."""
        if self.score_kind == "loss" and self.min_value is None:
            return "fewer steps run"
        return TIE_RULE[self.score_kind]

    @property
    def tied(self) -> np.ndarray:
        """Run indices whose score equals the best score (the best first, in ranking order);
        empty when no run has a score."""
        if self.best is None:
            return np.array([], dtype=int)
        order = self.order
        return order[self.score[order] == self.best_score]

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
        import pandas as pd  # here: a page's first chart does not wait for pandas to load (~2 s)

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
    check_score(score, tol)
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
    fixed = fixed_hyper(fixed, settings)
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
    check_score(score, tol)
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
            f"Asked for {fmt_shape(tuple(grid))} runs × {steps:,} steps per search; the grid and the "
            f"{len(seeds)} random searches share one request's limit ({MAX_RUNS:,} runs, {MAX_STEPS:,} "
            f"steps per run), so each search runs {fmt_shape(per_search.shape)} runs × "
            f"{per_search.steps:,} steps."
        )
    grid_settings = grid_points(ranges, per_search.shape)
    parts = [grid_settings] + [random_points(ranges, budget, s) for s in seeds]
    settings = {r.name: np.concatenate([p[r.name] for p in parts]) for r in ranges}
    fixed = fixed_hyper(fixed, settings)
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
    _, loss, n_steps, status, first_hit = final_rows(
        optimizer, surface, starts, steps, hyper, target, progress, engine
    )
    diverged = (status == "diverged") | ~np.isfinite(loss)
    gap = loss if min_value is None else loss - min_value
    hit = steps_to_tol(first_hit, diverged)
    if score == "loss":
        if min_value is None:  # no L* to measure from: the loss itself, on a linear scale
            value = loss.copy()
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = np.log10(np.maximum(gap, SCORE_FLOOR))
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
        settings={name: per_run(v, n) for name, v in settings.items()},
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


def _check_ranges(ranges: Sequence[Range]) -> tuple[Range, ...]:
    ranges = tuple(ranges)
    if not ranges:
        raise ValueError("Choose at least one hyperparameter to search.")
    names = [r.name for r in ranges]
    if len(set(names)) != len(names):
        raise ValueError(f"Each hyperparameter may be searched once, got {names}.")
    return ranges


def check_score(score: str, tol: float) -> None:
    if score not in SCORES:
        raise ValueError(f"Unknown score {score!r}; choose one of {', '.join(SCORES)}.")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"The tolerance must be a positive number, got {tol!r}.")


def _worst_if_nan(value: float) -> float:
    return value if np.isfinite(value) else np.inf
