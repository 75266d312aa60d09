"""The search page's first tab: define ranges, run a grid or random search (a fragment, so its
controls rerun only this tab), then show the result: the verdict, the search chart, the paths of a
few settings, the top-settings table, a pick by click or row, the CSV and the explorer link."""

from __future__ import annotations

import functools
import urllib.parse

import numpy as np
import streamlit as st

import optimizers
import sweeps
from figures import search as tfig
from scenes.search import (
    EXPLORER_URL_PATH,
    GRID_M,
    GRID_N,
    KEY,
    METHOD,
    SCORE,
    SEED,
    STEPS,
    TABLE_ROWS,
    TOL,
    K,
    Problem,
    SearchRequest,
    explorer_query,
)
from ui import components
from ui.common import PLOTLY_CONFIG
from ui.search.compute import cached_paths, contour, path_runs, settings_of, step_limit, sweep
from ui.search.ranges import pair_controls
from ui.search.words import limit_words, run_label, score_text, score_words, tie_words
from ui.settings import UrlState, draw


@st.fragment
def search_view(url: UrlState, problem: Problem, page_run: dict) -> tuple[str, float]:
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
    chosen, ranges = pair_controls(url, opt, KEY)
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

    if ranges is None:  # pair_controls showed the error
        return score, tol
    request = SearchRequest(problem, ranges, grid, k, seed, steps, score, tol, tuple(sorted(fixed.items())))
    st.session_state[KEY + "request"] = request  # what a pick refers to (read by tests, too)
    try:
        scope = "fragment" if in_fragment_rerun else "app"
        result = sweep("search", problem, request.sweep_kwargs(), runs=request.runs, steps=steps, scope=scope)
    except ValueError as exc:
        st.error(str(exc))
        return score, tol
    if result is None:  # cancelled: sweep said so
        return score, tol
    _show_search(problem, result, request)
    if result.best is not None:  # offered to the many-start map
        st.session_state[KEY + "best_setting"] = (opt, result.setting(result.best))
    return score, tol


def _show_search(problem: Problem, result: sweeps.SearchResult, request: SearchRequest) -> None:
    if result.notice:
        st.warning(result.notice, icon="✂️")
    surface = problem.build_surface()
    counts = {o: int(np.sum(result.outcome == o)) for o in sweeps.OUTCOMES}
    best = result.best
    c = st.columns(4)
    c[0].metric("settings run", f"{len(result):,}")
    c[1].metric("best score", score_text(result.best_score))
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
        st.info(f"Picked: **{run_label(result, picked)}**. {score_words(result, picked)}", icon="👆")
    limit = step_limit(problem, result, surface)
    if limit is not None:
        st.caption(limit_words(result, limit))
    st.plotly_chart(
        tfig.search_figure(result, picked=picked, limit=limit),
        key=KEY + "search_chart",
        on_select=functools.partial(_on_chart_pick, request),
        selection_mode="points",
        theme=None,
        config=PLOTLY_CONFIG,
    )
    _paths_chart(problem, result, picked, surface)
    _top_table(problem, result, request, picked)


def _paths_chart(problem: Problem, result: sweeps.SearchResult, picked: int | None, surface) -> None:
    """The best setting's path and a few others (and the picked one) on the contour of the loss."""
    runs = path_runs(result)
    picked_at = None
    if picked is not None and runs and picked != runs[0]:  # the best picked: nothing to add
        if picked in runs:
            runs.remove(picked)
        runs.insert(min(1, len(runs)), picked)  # next to the best
        picked_at = runs.index(picked)
    if not runs:
        return
    paths = cached_paths(problem, result.optimizer, result.steps, settings_of(result, runs))
    labels = [("picked, " if i == picked else "") + run_label(result, i) for i in runs]
    fig = tfig.paths_figure(
        contour(problem),
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
    st.plotly_chart(fig, key=KEY + "paths_chart", theme=None, config=PLOTLY_CONFIG)


def _top_table(
    problem: Problem, result: sweeps.SearchResult, request: SearchRequest, picked: int | None
) -> None:
    """The top settings (a row picks one), the CSV of all, and the explorer link."""
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
    what = run_label(result, i, "rank {rank} ({setting})")
    _explorer_link(c2, problem, result.setting(i), result.steps, what)


def _picked(request: SearchRequest) -> int | None:
    """The run picked (by a chart click or a table row) for this very request, if any."""
    picked = st.session_state.get(KEY + "picked")
    return picked[1] if picked is not None and picked[0] == request else None


def _on_chart_pick(request: SearchRequest) -> None:
    """on_select of the search chart: a clicked cell or dot carries its run index as customdata."""
    state = st.session_state.get(KEY + "search_chart")
    points = state.selection.points if state is not None else []
    runs = [p["customdata"] for p in points if p.get("customdata") is not None]
    if runs:
        st.session_state[KEY + "picked"] = (request, int(np.ravel(runs[0])[0]))


def _on_table_pick(request: SearchRequest, runs: tuple[int, ...]) -> None:
    """on_select of the top-settings table: the row's run."""
    state = st.session_state.get(KEY + "table")
    rows = state.selection.rows if state is not None else []
    if rows:
        st.session_state[KEY + "picked"] = (request, runs[int(rows[0])])


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
