"""The search page's second tab: grid vs random search on the same budget of runs, over many
seeds, scored as the first tab chose."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import optimizers
from figures import search as tfig
from scenes.search import CMP_N, CMP_SEEDS, CMP_STEPS, KEY, LESS_IMPORTANT, WHY_RANDOM, Problem, searchable
from ui.common import PLOTLY_CONFIG
from ui.search.compute import sweep
from ui.search.ranges import pair_controls
from ui.search.words import score_text
from ui.settings import UrlState, draw


@st.cache_resource(max_entries=8, show_spinner=False)
def _figure(problem: Problem, kwargs: dict, _comparison) -> go.Figure:
    """The comparison chart of these settings (`_comparison`, their result), built once: it costs
    a few tenths of a second and every rerun would build it again. Shared, never mutated."""
    return tfig.comparison_figure(_comparison)


def compare_tab(url: UrlState, problem: Problem, score: str, tol: float, *, shown: bool = True) -> None:
    """The tab's controls; its comparison (computed and drawn) only when `shown` (the tab is open)."""
    st.markdown(WHY_RANDOM)
    opt = problem.optimizer
    st.caption(
        "Its own two hyperparameters (by default one that matters a lot and one that matters less); "
        "the others stay at their defaults, the score is the one chosen in the first tab."
    )
    _, ranges = pair_controls(url, opt, KEY + "cmp_", LESS_IMPORTANT.get(opt))
    if ranges is None:
        return
    if len(ranges) != 2:
        if len(searchable(optimizers.OPTIMIZERS[opt].hyper)) < 2:
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
    if not shown:
        return
    kwargs = dict(
        optimizer=opt, start=problem.start, ranges=list(ranges), grid=(n, n),
        seeds=tuple(range(n_seeds)), steps=steps, score=score, tol=tol,
    )  # fmt: skip
    try:
        comp = sweep("compare", problem, kwargs, runs=n * n * (n_seeds + 1), steps=steps)
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
        f"**{score_text(comp.grid.best_score)}**. Over {len(comp.seeds)} random searches (seeds 0–"
        f"{len(comp.seeds) - 1}), random search found a **better** setting {better} times, an equal "
        f"one {tied} times and a worse one {worse} times."
    )
    st.plotly_chart(_figure(problem, kwargs, comp), key=KEY + "cmp_chart", theme=None, config=PLOTLY_CONFIG)
