"""The hyperparameter-search page's layout: the problem (the shared picker: surface, start point;
and the optimizer) in the sidebar, then three tabs (`search_tab`, `compare`, `start_map`).

Only the open tab's charts are computed and drawn (the first tab, with the page's first chart,
when the page opens). The page's settings are declared once in `scenes.search`, so every one
lives in the URL; their keys, which are also the URL names, start with ``tune_``. Every
computation goes through a cached wrapper that takes plain values and rebuilds the surface inside
(`ui.search.compute`); bad input shows st.error, never a traceback.
"""

from __future__ import annotations

import streamlit as st

import optimizers
import sweeps
from scenes.search import INTRO, KEY, OPTIMIZER, Problem, searchable_optimizers
from ui import components
from ui.search.compare import compare_tab
from ui.search.search_tab import search_view
from ui.search.start_map import map_tab
from ui.settings import UrlState, draw
from ui.timing import timed

TABS = ("Grid or random search", "Grid vs random on the same budget", "Many-start map")
TAB = KEY + "tab"  # session_state: the open tab's label


@timed("search")
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
    # Every tab draws its controls (so each setting stays in the URL), but the comparison and the
    # map compute and draw their charts only while open: a switch reruns the page (the open tab is
    # not in the URL; a reload opens the first, as before).
    tab_search, tab_compare, tab_map = st.tabs(list(TABS), key=TAB, on_change="rerun")
    page_run: dict = {}
    with tab_search:
        score, tol = search_view(url, problem, page_run)
    with tab_compare:
        compare_tab(url, problem, score, tol, shown=bool(tab_compare.open))
    with tab_map:
        map_tab(url, problem, shown=bool(tab_map.open))
    url.finish()
    url.show_warnings(messages)


def _problem_controls(url: UrlState) -> Problem:
    """The sidebar: the surface, its parameters, θ₀ and the optimizer."""
    side = st.sidebar
    side.header("Problem")
    picked = components.problem_picker(
        url,
        prefix=KEY,
        default_surface="rosenbrock",
        container=side,
        start_title="**Start point θ₀** (the same for every setting)",
    )
    opt_names = searchable_optimizers(picked.build_surface())
    default = OPTIMIZER.default if OPTIMIZER.default in opt_names else opt_names[0]
    opt = draw(OPTIMIZER, url, container=side, options=tuple(opt_names), default=default)
    side.caption(optimizers.OPTIMIZERS[opt].description)
    side.caption(
        f"One request is limited to {sweeps.MAX_RUNS:,} runs × {sweeps.MAX_STEPS:,} steps; "
        "larger requests are shrunk, and the page says so."
    )
    return Problem(picked.surface, picked.surface_params, picked.start, opt)
