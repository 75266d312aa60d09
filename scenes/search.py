"""The hyperparameter-search page's scene, as data (no streamlit, no plotly): its settings table
(keys, which are also the URL names, start with ``tune_``), the per-optimizer settings of the
searched pair and their ranges, the problem the sidebar chose (`Problem`), one search as a typed,
hashable `SearchRequest`, and the query that opens the explorer on a setting (`explorer_query`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import optimizers
import sweeps
from scenes import explorer as explorer_scene
from scenes.problem import Problem as PickedProblem
from scenes.problem import get_surface
from scenes.settings import Setting, SettingsTable

KEY = "tune_"
NONE = "(none)"
TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)
# The comparison's default second hyperparameter: one that matters less than the learning rate,
# so that random search's advantage shows (measured: Adam lr x beta2 on Rosenbrock, 4 x 4 runs,
# random search better for 15 of 20 seeds; RMSProp lr x eps, 20 of 20).
LESS_IMPORTANT = {"adam": "beta2", "rmsprop": "eps"}
N_PATHS = 4  # the best setting plus three others on the contour
TABLE_ROWS = 20
EXPLORER_URL_PATH = ""  # the explorer is the app's default page, at the root URL

INTRO = (
    "Choosing hyperparameters, as in the lecture: **define ranges** for them, then either "
    "**grid search** (evaluate every combination) or **random search** (like grid search, but the "
    "points are drawn at random in the same ranges), and keep the setting with the best result. "
    "Here every setting is one run of the optimizer from the same start point, and the result is "
    "judged by the final loss or by how many steps it needs to get close to the minimum."
)
WHY_RANDOM = (
    "**Why random search often wins.** Both searches below get the same budget of runs. The grid "
    "tries only *n* distinct values of each hyperparameter, each of them *n* times; random "
    "search tries a new value of each hyperparameter in every run. When one hyperparameter matters "
    "much more than the other (here usually the learning rate α), the grid spends most of its "
    "budget repeating the same few values of the important one, while random search samples the "
    "important one densely. Its best setting is then often closer to the best value. The bottom "
    "row shows the score against the first hyperparameter alone: the grid's points stack on a few "
    "columns, random search's spread over the whole range."
)


SCORE_LABELS = {"loss": "final loss (log scale)", "steps": "steps to the minimum"}


def _int_box(key: str, label: str, default: int, low: int, high: int) -> Setting:
    return Setting(KEY + key, label, "int", default, low=low, high=high, style="number")


def _radio(key: str, label: str, labels: dict[str, str], help: str = "") -> Setting:
    """A choice drawn as radio buttons: `labels` maps each option (the first is the default) to its words."""
    return Setting(
        KEY + key, label, "choice", next(iter(labels)), options=tuple(labels), option_label=labels.get,
        style="radio", help=help,
    )  # fmt: skip


def _tolerance(key: str, label: str, help: str = "") -> Setting:
    return Setting(KEY + key, label, "log", 1e-3, options=TOLERANCES, help=help)


# The page's own settings (the shared picker and the optimizers' hyperparameters add theirs).
OPTIMIZER = Setting(
    KEY + "optimizer",
    "Optimizer",
    "choice",
    "adam",  # options: the optimizers that run on the chosen surface
    option_label=lambda n: optimizers.OPTIMIZERS[n].label,
)
METHOD = _radio("method", "Method", {"grid": "Grid search", "random": "Random search"})
GRID_N = _int_box("grid_n", "grid: values of the first", 30, 1, 1000)
GRID_M = _int_box("grid_m", "grid: values of the second", 30, 1, 1000)
K = _int_box("k", "random settings k", 300, 1, 100_000)
SEED = _int_box("seed", "seed", 0, 0, 2**31 - 1)
STEPS = _int_box("steps", "steps per run", 300, 1, 100_000)
SCORE = _radio(
    "score",
    "Score (lower is better)",
    SCORE_LABELS,
    # Escaped: two bare "L*" in one Markdown text would set the words between them in italics.
    help="Final loss: log10(L − L\\*), the loss above the surface's minimum L\\* after the last "
    f"step, floored at {sweeps.SCORE_FLOOR:g} (closer counts as at the minimum: such settings tie). "
    "Steps: the first step at which L − L\\* is within the tolerance.",
)
TOL = _tolerance(
    "tol",
    "tolerance on L − L*",
    help="Steps score: the target. Final-loss score: settings that tie (all within "
    f"{sweeps.SCORE_FLOOR:g} of L\\*) are ranked by the steps they took to get within this tolerance.",
)
CMP_N = _int_box("cmp_n", "grid values per hyperparameter", 4, 2, 30)
CMP_STEPS = _int_box("cmp_steps", "steps per run", 300, 1, 5_000)
CMP_SEEDS = _int_box("cmp_seeds", "random searches (seeds)", 20, 1, 100)
MAP_N = _int_box("map_n", "starts per side n", 40, 2, 1000)
MAP_STEPS = _int_box("map_steps", "steps per run", 300, 1, 100_000)
MAP_COLOR = _radio("map_color", "Colour by", {"minimum": "minimum reached", "steps": "steps to converge"})
MAP_TOL = _tolerance("map_tol", "converged when L − L* ≤")
TABLE = SettingsTable(
    [
        *(OPTIMIZER, METHOD, GRID_N, GRID_M, K, SEED, STEPS, SCORE, TOL),
        *(CMP_N, CMP_STEPS, CMP_SEEDS),
        *(MAP_N, MAP_STEPS, MAP_COLOR, MAP_TOL),
    ]
)


def searchable(hyper) -> list:
    """Numeric, non-integer hyperparameters: the ones a range can be searched over."""
    return [p for p in hyper if p.choices is None and not p.integer]


def pair_settings(prefix: str, opt: str) -> tuple[Setting, Setting]:
    """The first and second searched hyperparameter of `opt` (options: its searchable ones; the
    second's options, the others and NONE, are given when it is drawn)."""
    params = {p.name: p for p in searchable(optimizers.OPTIMIZERS[opt].hyper)}
    first = Setting(
        f"{prefix}first_{opt}",
        "First hyperparameter (x axis)",
        "choice",
        next(iter(params)),
        options=tuple(params),
        option_label=lambda n: params[n].label,
    )
    second = Setting(
        f"{prefix}second_{opt}",
        "Second hyperparameter (y axis)",
        "choice",
        NONE,
        option_label=lambda n: n if n == NONE else params[n].label,
    )
    return first, second


def range_settings(prefix: str, opt: str, p) -> tuple[Setting, Setting, Setting]:
    """A searched hyperparameter's range: low, high (as typed, validated later) and scale."""
    ends = [
        Setting(
            f"{prefix}{end}_{opt}_{p.name}",
            f"{p.name} {word}",
            "float",
            float(value if value is not None else p.default),
            style="number",
            number_format="%.4g",
        )
        for end, word, value in (("lo", "from", p.low), ("hi", "to", p.high))
    ]
    scale = Setting(
        f"{prefix}scale_{opt}_{p.name}",
        f"scale of {p.name}",
        "choice",
        "log" if p.log else "linear",
        options=("log", "linear"),
        style="radio",
        help="Log: values spread evenly over the powers of ten (right for a learning rate). "
        "Linear: evenly spaced values.",
    )
    return ends[0], ends[1], scale


def searchable_optimizers(surface) -> list[str]:
    """The optimizers the page offers on `surface`: those that run on it and have a range to search."""
    return [n for n, o in optimizers.OPTIMIZERS.items() if searchable(o.hyper) and o.supports(surface).runs]


@dataclass(frozen=True)
class Problem:
    """What the sidebar chose: plain values, hashable, so cached functions can take them."""

    surface: str
    surface_params: tuple[tuple[str, float], ...]
    start: tuple[float, float]
    optimizer: str

    def build_surface(self):
        """The engine's Surface (cached and shared: never mutate it)."""
        return get_surface(self.surface, self.surface_params)

    @property
    def picked(self) -> PickedProblem:
        """The surface and start point alone, as every page's picker names them."""
        return PickedProblem(self.surface, self.surface_params, self.start)


@dataclass(frozen=True)
class SearchRequest:
    """One grid or random search as the first tab chose it: hashable, so a pick (a chart click,
    a table row) can name the very search it was made on."""

    problem: Problem
    ranges: tuple[sweeps.Range, ...]
    grid: tuple[int, ...] | None  # values per hyperparameter (grid search), else None
    k: int | None  # random settings (random search), else None
    seed: int
    steps: int
    score: str
    tol: float
    fixed: tuple[tuple[str, Any], ...]  # the hyperparameters held fixed, sorted pairs

    @property
    def runs(self) -> int:
        return math.prod(self.grid or (self.k or 0,))

    def sweep_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of the search sweep (`sweeps.search`, through the job runner)."""
        return dict(
            optimizer=self.problem.optimizer, start=self.problem.start, ranges=list(self.ranges),
            grid=self.grid, k=self.k, seed=self.seed, steps=self.steps, score=self.score,
            tol=self.tol, fixed=dict(self.fixed),
        )  # fmt: skip


def explorer_query(problem: Problem, setting: dict, steps: int) -> tuple[dict[str, str], list[str]]:
    """Query parameters that open the explorer on this problem and setting, with notes on what its
    controls clamp (the explorer's own URL keys and limits, `scenes.explorer.link_query`)."""
    return explorer_scene.link_query(problem.picked, problem.optimizer, setting, steps)
