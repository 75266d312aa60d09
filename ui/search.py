"""The hyperparameter-search page: grid and random search, grid vs random, many-start maps.

Layout: the problem (the shared picker: surface, start point; and the optimizer) in the sidebar,
then three tabs. The page's settings are declared once below (`ui.settings`), so every one lives in
the URL; their keys, which are also the URL names, start with ``tune_``. Every computation goes
through a cached wrapper that takes plain values and rebuilds the surface inside; bad input shows
st.error, never a traceback.
"""

from __future__ import annotations

import functools
import math
import urllib.parse
from dataclasses import dataclass

import numpy as np
import streamlit as st

import figures
import optimizers
import surfaces
import sweeps
from figures import search as tfig
from optimizers import theory
from scenes import explorer as explorer_scene
from scenes.problem import Problem as ScenesProblem
from sweeps import jobs as sweep_jobs
from ui import common, components, jobs
from ui.settings import Setting, SettingsTable, UrlState, draw

KEY = "tune_"
NONE = "(none)"
TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)
CONTOUR_N = 120
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
METHOD = Setting(
    KEY + "method",
    "Method",
    "choice",
    "grid",
    options=("grid", "random"),
    option_label={"grid": "Grid search", "random": "Random search"}.get,
    style="radio",
)
GRID_N = _int_box("grid_n", "grid: values of the first", 30, 1, 1000)
GRID_M = _int_box("grid_m", "grid: values of the second", 30, 1, 1000)
K = _int_box("k", "random settings k", 300, 1, 100_000)
SEED = _int_box("seed", "seed", 0, 0, 2**31 - 1)
STEPS = _int_box("steps", "steps per run", 300, 1, 100_000)
SCORE = Setting(
    KEY + "score",
    "Score (lower is better)",
    "choice",
    "loss",
    options=tuple(sweeps.SCORES),
    option_label=SCORE_LABELS.get,
    style="radio",
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
MAP_COLOR = Setting(
    KEY + "map_color",
    "Colour by",
    "choice",
    "minimum",
    options=("minimum", "steps"),
    option_label={"minimum": "minimum reached", "steps": "steps to converge"}.get,
    style="radio",
)
MAP_TOL = _tolerance("map_tol", "converged when L − L* ≤")
TABLE = SettingsTable(
    [
        *(OPTIMIZER, METHOD, GRID_N, GRID_M, K, SEED, STEPS, SCORE, TOL),
        *(CMP_N, CMP_STEPS, CMP_SEEDS),
        *(MAP_N, MAP_STEPS, MAP_COLOR, MAP_TOL),
    ]
)


def _pair_settings(prefix: str, opt: str) -> tuple[Setting, Setting]:
    """The first and second searched hyperparameter of `opt` (options: its searchable ones)."""
    params = {p.name: p for p in _searchable(optimizers.OPTIMIZERS[opt].hyper)}
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


def _range_settings(prefix: str, opt: str, p) -> tuple[Setting, Setting, Setting]:
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


@dataclass(frozen=True)
class Problem:
    """What the sidebar chose: plain values, hashable, so cached functions can take them."""

    surface: str
    surface_params: tuple[tuple[str, float], ...]
    start: tuple[float, float]
    optimizer: str

    def build_surface(self):
        return common.get_surface(self.surface, self.surface_params)


def render() -> None:
    """Draws the page (called by app.py's router for url_path "search")."""
    url = UrlState()
    st.title("Hyperparameter search")
    st.markdown(INTRO)
    messages = st.container()
    try:
        problem = _problem_controls(url)
    except ValueError as exc:
        st.error(str(exc))
        return
    tab_search, tab_compare, tab_map = st.tabs(
        ["Grid or random search", "Grid vs random on the same budget", "Many-start map"]
    )
    page_run: dict = {}
    with tab_search:
        score, tol = _search_view(url, problem, page_run)
    with tab_compare:
        _compare_tab(url, problem, score, tol)
    with tab_map:
        _map_tab(url, problem)
    url.finish()
    url.show_warnings(messages)


# ---------------------------------------------------------------------------------------------
# Sidebar: the problem


def _problem_controls(url: UrlState) -> Problem:
    side = st.sidebar
    side.header("Problem")
    picked = components.problem_picker(
        url,
        prefix=KEY,
        default_surface="rosenbrock",
        container=side,
        start_title="**Start point θ₀** (the same for every setting)",
    )
    surface = picked.build_surface()
    opt_names = [
        n for n, o in optimizers.OPTIMIZERS.items() if _searchable(o.hyper) and o.supports(surface).runs
    ]
    default = OPTIMIZER.default if OPTIMIZER.default in opt_names else opt_names[0]
    opt = draw(OPTIMIZER, url, container=side, options=tuple(opt_names), default=default)
    oinfo = optimizers.OPTIMIZERS[opt]
    side.caption(oinfo.description)
    side.caption(
        f"One request is limited to {sweeps.MAX_RUNS:,} runs × {sweeps.MAX_STEPS:,} steps; "
        "larger requests are shrunk, and the page says so."
    )
    return Problem(picked.surface, picked.surface_params, picked.start, opt)


def _searchable(hyper) -> list:
    """Numeric, non-integer hyperparameters: the ones a range can be searched over."""
    return [p for p in hyper if p.choices is None and not p.integer]


# ---------------------------------------------------------------------------------------------
# Tab 1: grid or random search


@st.fragment
def _search_view(url: UrlState, problem: Problem, page_run: dict) -> tuple[str, float]:
    """The first tab as a fragment: a change of its controls, a heatmap click or a table row
    reruns only this, not the sidebar, the comparison or the map. Returns the score and tolerance.

    ``page_run`` is the dict the full run passed in (a fragment rerun gets the same object back);
    ``url.fragment`` writes the URL on the fragment's own reruns.
    """
    with url.fragment("search"):
        score, tol = _search_tab(url, problem, in_fragment_rerun=url.finished)
    if url.finished and (score, tol) != page_run.get("score"):  # the comparison tab scores the same way
        st.rerun(scope="app")
    page_run["score"] = (score, tol)
    return score, tol


def _search_tab(url: UrlState, problem: Problem, in_fragment_rerun: bool = False) -> tuple[str, float]:
    """Controls and results of one search; returns the chosen score and tolerance."""
    oinfo = optimizers.OPTIMIZERS[problem.optimizer]
    opt = problem.optimizer

    st.subheader("1. Define ranges")
    chosen, ranges = _pair_controls(url, opt, KEY)
    fixed_names = [p.name for p in oinfo.hyper if p.name not in chosen]
    fixed = {}
    if fixed_names:
        with st.expander("Other hyperparameters (fixed during the search)"):
            fixed = components.hyperparameter_inputs(
                opt, url, prefix=KEY + "fix_", style="number", columns=True, only=fixed_names
            )

    st.subheader("2. Search and judge")
    c1, c2, c3 = st.columns(3)
    method = draw(METHOD, url, container=c1)
    if method == "grid":
        n = draw(GRID_N, url, container=c1, label=f"grid: values of {chosen[0]}")
        m = None
        if len(chosen) == 2:
            m = draw(GRID_M, url, container=c1, label=f"grid: values of {chosen[1]}")
        grid, k, seed = ((n,) if m is None else (n, m)), None, 0
    else:
        k = draw(K, url, container=c1)
        seed = draw(SEED, url, container=c1)
        grid = None
    steps = draw(STEPS, url, container=c2)
    score = draw(SCORE, url, container=c3)
    tol = draw(TOL, url, container=c3)  # the final-loss score's tie-break uses it too

    if ranges is None:  # _pair_controls showed the error
        return score, tol
    request = (problem, _range_tuple(ranges), grid, k, seed, steps, score, tol, tuple(sorted(fixed.items())))
    st.session_state[KEY + "request"] = request  # what a pick refers to (read by tests, too)
    kwargs = dict(
        optimizer=problem.optimizer, start=problem.start, ranges=list(ranges), grid=grid, k=k,
        seed=seed, steps=steps, score=score, tol=tol, fixed=dict(fixed),
    )  # fmt: skip
    try:
        scope = "fragment" if in_fragment_rerun else "app"
        result = _sweep("search", problem, kwargs, runs=math.prod(grid or (k,)), steps=steps, scope=scope)
    except ValueError as exc:
        st.error(str(exc))
        return score, tol
    if result is None:  # cancelled: _sweep said so
        return score, tol
    _show_search(problem, result, request)
    if result.best is not None:  # offered to the many-start map
        st.session_state[KEY + "best_setting"] = (opt, result.setting(result.best))
    return score, tol


def _pair_controls(
    url: UrlState, opt: str, prefix: str, second_default: str | None = None
) -> tuple[list[str], tuple[sweeps.Range, ...] | None]:
    """Pick one or two hyperparameters of ``opt``, each with a range and a scale; keys start with
    ``prefix``. Returns the chosen names and their Ranges; on a bad range (all widgets are drawn
    first, so none loses its value) it shows st.error and returns None for the Ranges."""
    params = {p.name: p for p in _searchable(optimizers.OPTIMIZERS[opt].hyper)}
    first_setting, second_setting = _pair_settings(prefix, opt)
    c1, c2 = st.columns(2)
    first = draw(first_setting, url, container=c1)
    rest = (NONE, *(n for n in params if n != first))
    default = second_default if second_default in rest else rest[min(1, len(rest) - 1)]
    second = draw(second_setting, url, container=c2, options=rest, default=default)
    chosen = [first] + ([] if second == NONE else [second])
    raw = [
        _range_controls(url, col, params[n], opt, prefix) for col, n in zip((c1, c2), chosen, strict=False)
    ]
    try:
        for p, low, high, _ in raw:
            p.validate(low)
            p.validate(high)
        return chosen, tuple(sweeps.Range(p.name, low, high, log=log) for p, low, high, log in raw)
    except ValueError as exc:
        st.error(str(exc))
        return chosen, None


def _range_controls(url: UrlState, col, p, opt: str, prefix: str) -> tuple:
    """Widgets for one range: (param, low, high, log) as typed, not yet validated."""
    low_setting, high_setting, scale_setting = _range_settings(prefix, opt, p)
    c1, c2 = col.columns(2)
    low = draw(low_setting, url, container=c1)
    high = draw(high_setting, url, container=c2)
    scale = draw(scale_setting, url, container=col)
    return p, low, high, scale == "log"


def _show_search(problem: Problem, result: sweeps.SearchResult, request: tuple) -> None:
    if result.notice:
        st.warning(result.notice, icon="✂️")
    surface = problem.build_surface()
    counts = {o: int(np.sum(result.outcome == o)) for o in sweeps.OUTCOMES}
    best = result.best
    c = st.columns(4)
    c[0].metric("settings run", f"{len(result):,}")
    c[1].metric("best score", _score_text(result.best_score))
    c[2].metric("diverged", f"{counts['diverged']:,}")
    if result.score_kind == "steps":
        c[3].metric("never within the tolerance", f"{counts['not reached']:,}")
    if best is None:
        st.info(
            "No setting has a score: every run diverged or never got within the tolerance. "
            "Try smaller learning rates, more steps or a larger tolerance."
        )
    else:
        text = tfig.setting_text(result.names, [result.settings[n][best] for n in result.names])
        st.success(
            f"Best setting: **{text}** (score {result.best_score:.3g}). {score_words(result, best)}"
            f"{tie_words(result)}"
        )
        edge = result.at_edge(best)
        if edge:
            st.info(
                f"The best {' and '.join(edge)} {'lies' if len(edge) == 1 else 'lie'} at the edge of "
                f"{'its range' if len(edge) == 1 else 'their ranges'}: the best value may lie outside "
                "it. Widen the range on that side and search again."
            )

    picked = _picked(request)
    if picked is not None and picked != best:
        st.info(f"Picked: **{_run_label(result, picked)}**. {score_words(result, picked)}", icon="👆")
    limit = _step_limit(problem, result, surface)
    if limit is not None:
        st.caption(limit_words(result, limit))
    st.plotly_chart(
        tfig.search_figure(result, picked=picked, limit=limit),
        key=KEY + "search_chart",
        on_select=functools.partial(_on_chart_pick, request),
        selection_mode="points",
        theme=None,
    )
    runs = _path_runs(result)
    picked_at = None
    if picked is not None and runs and picked != runs[0]:  # the best picked: nothing to add
        if picked in runs:
            runs.remove(picked)
        runs.insert(min(1, len(runs)), picked)  # next to the best
        picked_at = runs.index(picked)
    if runs:
        paths = _cached_paths(problem, result.optimizer, result.steps, _settings_of(result, runs))
        labels = [("picked, " if i == picked else "") + _run_label(result, i) for i in runs]
        fig = tfig.paths_figure(
            _contour(problem),
            paths,
            labels,
            bounds=surface.bounds,
            axis_labels=surface.axis_labels,
            minima=surface.minima,
            picked=picked_at,
        )
        title = "The best setting (bold) and a few others, on the loss"
        if picked_at is not None:
            title = "The best setting (bold), the picked one (dashed) and a few others, on the loss"
        fig.update_layout(title=dict(text=title))
        st.plotly_chart(fig, key=KEY + "paths_chart", theme=None)

    st.subheader("3. Top settings")
    table = result.table()
    hidden = ["run", "gap"]
    shown = table.head(TABLE_ROWS)
    st.caption(
        "Click a cell or a dot of the search chart, or pick a row here, to choose the setting to open "
        "in the explorer (the best one otherwise). Score NaN means no score: the run diverged or "
        "never got within the tolerance."
    )
    st.dataframe(
        shown,
        key=KEY + "table",
        on_select=functools.partial(_on_table_pick, request, tuple(int(r) for r in shown["run"])),
        selection_mode="single-row",
        hide_index=True,
        column_config={name: None for name in hidden}
        | {  # a loss of 2e-13 as 2.00e-13, not as 0.0000000000002; a score as the page words it
            "final_loss": st.column_config.NumberColumn(format="%.3g"),
            "score": st.column_config.NumberColumn(format="%.3g"),
        },
    )
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download all settings (CSV)",
        table.to_csv(index=False).encode(),
        file_name=f"search_{problem.optimizer}_{problem.surface}_{result.method}.csv",
        mime="text/csv",
        key=KEY + "csv",
    )
    i = picked if picked is not None else int(result.order[0])
    what = _run_label(result, i, "rank {rank} ({setting})")
    _explorer_link(c2, problem, result.setting(i), result.steps, what)


def score_words(result: sweeps.SearchResult, i: int) -> str:
    """Run i's score in words: what the number means for the loss."""
    score = float(result.score[i])
    if not np.isfinite(score):
        if result.outcome[i] == "diverged":
            return "It diverged, so it has no score."
        return f"It never got within {result.tol:g} of L* in {result.steps:,} steps, so it has no score."
    if result.score_kind == "steps":
        return (
            f"Its score {score:.0f} is the first step at which the loss came within {result.tol:g} "
            "of the minimum L*."
        )
    if result.min_value is None:
        return f"Its score {score:.3g} is the final loss L itself (this surface has no minimum L*)."
    if score <= math.log10(sweeps.SCORE_FLOOR) + 1e-9:
        return (
            f"Its score {score:.3g} is log10 of L − L*, floored at {sweeps.SCORE_FLOOR:g}: the run "
            f"reached the minimum (L − L* = {result.gap[i]:.1e}); smaller differences only say where "
            "it stopped."
        )
    return (
        f"Its score {score:.3g} is log10 of L − L*: {score:.3g} means the final loss is within "
        f"{10.0**score:.2g} of the minimum L* after {result.steps:,} steps."
    )


def tie_words(result: sweeps.SearchResult) -> str:
    """' N settings tie at this score: ...' when more than one run has the best score, else ''."""
    tied = result.tied
    if len(tied) < 2:
        return ""
    best = int(tied[0])
    if result.score_kind == "loss" and result.min_value is not None:
        hit = result.steps_to_tol[best]
        why = (
            f"it got within {result.tol:g} of L* after {hit:.0f} steps"
            if np.isfinite(hit)
            else f"none of them got within {result.tol:g} of L*"
        )
    elif result.score_kind == "steps":
        why = f"it ends at L − L* = {result.gap[best]:.1e}"
    else:
        why = "it comes first in run order"
    return (
        f" {len(tied)} settings tie at this score; they are ranked by "
        f"{result.tie_rule}, and this one comes first: {why}."
    )


def _step_limit(problem: Problem, result: sweeps.SearchResult, surface):
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


def limit_words(result: sweeps.SearchResult, limit) -> str:
    """What the dashed boundary on the search chart is, and where it holds."""
    if limit.lambda_max <= 0:
        return "No step-size limit here: the Hessian at the start has no positive curvature."
    where = (
        "exact on this surface, whose Hessian is the same everywhere"
        if limit.exact
        else "local: computed from the Hessian at the start point, a guide rather than a guarantee"
    )
    record = theory.limit_record(result.optimizer)
    beta_name = record.beta if record is not None else None
    searched = beta_name is not None and beta_name in result.names
    beta = "" if beta_name is None or searched else f" at {beta_name} {result.fixed.get(beta_name, 0.0):g}"
    value = "" if searched else f" = {limit.lr:.3g}{beta}"
    text = (
        f"Dashed line: the step-size limit lr < {limit.formula}{value}, with λ_max = "
        f"{limit.lambda_max:.3g} ({where}). Larger steps overshoot and diverge on the quadratic model."
    )
    if limit.lambda_min < 0:
        text += " The Hessian has negative curvature here (a saddle): no lr converges along it."
    elif limit.exact and limit.lambda_min > 0 and record is not None and record.optimum is not None:
        text += " The white diamond: the optimal constant setting of this quadratic (if inside the ranges)."
    return text


def _picked(request: tuple) -> int | None:
    """The run picked (by a chart click or a table row) for this very request, if any."""
    picked = st.session_state.get(KEY + "picked")
    return picked[1] if picked is not None and picked[0] == request else None


def _on_chart_pick(request: tuple) -> None:
    """on_select of the search chart: a clicked cell or dot carries its run index as customdata."""
    state = st.session_state.get(KEY + "search_chart")
    points = state.selection.points if state is not None else []
    runs = [p["customdata"] for p in points if p.get("customdata") is not None]
    if runs:
        st.session_state[KEY + "picked"] = (request, int(np.ravel(runs[0])[0]))


def _on_table_pick(request: tuple, runs: tuple[int, ...]) -> None:
    """on_select of the top-settings table: the row's run."""
    state = st.session_state.get(KEY + "table")
    rows = state.selection.rows if state is not None else []
    if rows:
        st.session_state[KEY + "picked"] = (request, runs[int(rows[0])])


def _path_runs(result: sweeps.SearchResult) -> list[int]:
    """The best run and up to three others spread over the ranking of the scored runs."""
    order = result.order
    scored = order[np.isfinite(result.score[order])]
    if scored.size == 0:
        return [int(order[0])] if len(order) else []
    picks = np.unique(np.linspace(0, scored.size - 1, N_PATHS).round().astype(int))
    return [int(scored[p]) for p in picks]


def _run_label(result: sweeps.SearchResult, i: int, template: str = "rank {rank}: {setting}") -> str:
    """'rank 3: lr=0.1, beta1=0.9' for run i (its place in the ranking, best = 1)."""
    rank = int(np.nonzero(result.order == i)[0][0]) + 1
    text = tfig.setting_text(result.names, [result.settings[n][i] for n in result.names])
    return template.format(rank=rank, setting=text)


def _settings_of(result: sweeps.SearchResult, runs: list[int]) -> tuple:
    return tuple(tuple(sorted(result.setting(i).items())) for i in runs)


# ---------------------------------------------------------------------------------------------
# Tab 2: grid vs random


def _compare_tab(url: UrlState, problem: Problem, score: str, tol: float) -> None:
    st.markdown(WHY_RANDOM)
    opt = problem.optimizer
    st.caption(
        "Its own two hyperparameters (by default one that matters a lot and one that matters less); "
        "the others stay at their defaults, the score is the one chosen in the first tab."
    )
    _, ranges = _pair_controls(url, opt, KEY + "cmp_", LESS_IMPORTANT.get(opt))
    if ranges is None:
        return
    if len(ranges) != 2:
        if len(_searchable(optimizers.OPTIMIZERS[opt].hyper)) < 2:
            st.info(
                f"{optimizers.OPTIMIZERS[opt].label} has a single hyperparameter to search, and the "
                "comparison needs two: pick Momentum, RMSProp or Adam in the sidebar."
            )
        else:
            st.info("Choose two hyperparameters to compare grid and random search.")
        return
    c1, c2, c3 = st.columns(3)
    n = draw(CMP_N, url, container=c1)
    steps = draw(CMP_STEPS, url, container=c2)
    n_seeds = draw(CMP_SEEDS, url, container=c3)
    kwargs = dict(
        optimizer=opt, start=problem.start, ranges=list(ranges), grid=(n, n),
        seeds=tuple(range(n_seeds)), steps=steps, score=score, tol=tol,
    )  # fmt: skip
    try:
        comp = _sweep("compare", problem, kwargs, runs=n * n * (n_seeds + 1), steps=steps)
    except ValueError as exc:
        st.error(str(exc))
        return
    if comp is None:
        return
    if comp.grid.notice:
        st.warning(comp.grid.notice, icon="✂️")
    better, tied, worse = comp.wins
    st.markdown(
        f"Budget: **{len(comp.grid)} runs** for each method. Grid search's best score: "
        f"**{_score_text(comp.grid.best_score)}**. Over {len(comp.seeds)} random searches (seeds 0–"
        f"{len(comp.seeds) - 1}), random search found a **better** setting {better} times, an equal "
        f"one {tied} times and a worse one {worse} times."
    )
    st.plotly_chart(tfig.comparison_figure(comp), key=KEY + "cmp_chart", theme=None)


# ---------------------------------------------------------------------------------------------
# Tab 3: many-start map


def _map_tab(url: UrlState, problem: Problem) -> None:
    oinfo = optimizers.OPTIMIZERS[problem.optimizer]
    surface = problem.build_surface()
    st.markdown(
        f"Where an optimizer starts matters. **{oinfo.label}** with the settings below runs from "
        "every point of an n × n grid over the whole view; each start is coloured by its outcome: "
        "which minimum it ends in (within a small radius), how many steps it needs to converge, "
        "or whether it diverges. The contour lines of the loss are drawn on top. Try Himmelblau's "
        "function: it has four minima, and which one a run reaches depends on where it starts."
    )
    best = st.session_state.get(KEY + "best_setting")
    if best is not None and best[0] == problem.optimizer:
        text = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in best[1].items())
        st.button(
            f"Use the best setting of the search ({text})",
            key=KEY + "map_use_best",
            on_click=_use_best_setting,
            args=(problem.optimizer, best[1]),
        )
    hyper = components.hyperparameter_inputs(
        problem.optimizer, url, prefix=KEY + "map_", style="number", columns=True
    )
    c1, c2, c3 = st.columns(3)
    n = draw(MAP_N, url, container=c1)
    steps = draw(MAP_STEPS, url, container=c2)
    color_by = draw(MAP_COLOR, url, container=c3)
    tol = draw(MAP_TOL, url, container=c3, disabled=color_by != "steps")
    kwargs = dict(optimizer=problem.optimizer, n=n, steps=steps, hyper=dict(hyper), tol=tol)
    try:
        smap = _sweep("map", problem, kwargs, runs=n * n, steps=steps)
    except ValueError as exc:
        st.error(str(exc))
        return
    if smap is None:
        return
    if smap.notice:
        st.warning(smap.notice, icon="✂️")
    counts = smap.counts()
    st.caption(
        "Starts per outcome: "
        + ", ".join(f"{label}: {count:,}" for label, count in counts.items())
        + f". A run ends in a minimum when its last point is within {smap.radius:.2g} of it."
    )
    fig = tfig.start_map_figure(
        smap, _contour(problem), color_by=color_by, bounds=surface.bounds,
        axis_labels=surface.axis_labels,
    )  # fmt: skip
    st.plotly_chart(fig, key=KEY + "map_chart", theme=None)


def _use_best_setting(opt: str, setting: dict) -> None:
    """on_click: copy the search's best setting into the many-start map's inputs."""
    for name, value in setting.items():
        st.session_state[f"{KEY}map_{opt}_{name}"] = value


# ---------------------------------------------------------------------------------------------
# Explorer link


def explorer_query(problem: Problem, setting: dict, steps: int) -> tuple[dict[str, str], list[str]]:
    """Query parameters that open the explorer on this problem and setting, with notes on what its
    controls clamp (the explorer's own URL keys and limits, `scenes.explorer.link_query`)."""
    picked = ScenesProblem(problem.surface, problem.surface_params, problem.start)
    return explorer_scene.link_query(picked, problem.optimizer, setting, steps)


def _explorer_link(container, problem: Problem, setting: dict, steps: int, what: str) -> None:
    query, notes = explorer_query(problem, setting, steps)
    url = "./" + EXPLORER_URL_PATH + "?" + urllib.parse.urlencode(query)
    container.link_button(
        f"Open {what} in the explorer ↗", url, key=KEY + "explorer_link",
        help="Opens the explorer in a new tab with this surface, start point, optimizer and setting. "
        "Its log-scale sliders round the learning rate to their nearest stop.",
    )  # fmt: skip
    if notes:
        container.caption("The explorer's controls limit: " + "; ".join(notes) + ".")


# ---------------------------------------------------------------------------------------------
# Cached computations (plain, hashable arguments; surfaces are rebuilt inside)


def _contour(problem: Problem):
    """The surface's contour trace (the grid itself is cached by ui.common)."""
    surface = problem.build_surface()
    xs, ys, Z = common.surface_grid(problem.surface, problem.surface_params, CONTOUR_N)
    return figures.contour_trace(
        xs, ys, Z, log_levels=surfaces.SURFACES[problem.surface].log_levels,
        min_value=surface.min_value, showscale=False,
    )  # fmt: skip


def _sweep(kind: str, problem: Problem, kwargs: dict, *, runs: int, steps: int, scope: str = "app"):
    """A sweep's result through ui.jobs (cached; in the worker process when big), or None when
    the user cancelled it. Raises the sweep's ValueError."""
    return jobs.run_job(
        kind, (problem.surface, tuple(problem.surface_params)), kwargs,
        seconds=sweep_jobs.estimated_seconds(runs, steps), label=_running_text((runs,), steps),
        key_prefix=KEY, rerun_scope=scope,
    )  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_paths(problem, optimizer, steps, settings):
    """Full paths of a few settings (tuples of (name, value) pairs): list of (k+1, 2) arrays."""
    return sweeps.paths(optimizer, problem.build_surface(), problem.start, steps, [dict(s) for s in settings])


def _range_tuple(ranges) -> tuple:
    return tuple((r.name, r.low, r.high, r.log) for r in ranges)


def _score_text(score: float) -> str:
    return f"{score:.3g}" if np.isfinite(score) else "—"


def _running_text(shape, steps: int) -> str:
    runs = math.prod(shape)
    return f"Running {runs:,} runs × {steps:,} steps…"
