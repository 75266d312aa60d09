"""The search page's third tab: the many-start map (one run from every point of an n x n grid,
coloured by the minimum it reaches or the steps it needs), with the search's best setting offered
as its hyperparameters."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import optimizers
from figures import search as tfig
from scenes.search import KEY, MAP_COLOR, MAP_N, MAP_STEPS, MAP_TOL, Problem
from ui import components
from ui.common import PLOTLY_CONFIG
from ui.search.compute import contour, sweep
from ui.settings import UrlState, draw


@st.cache_resource(max_entries=8, show_spinner=False)
def _figure(problem: Problem, kwargs: dict, color_by: str, _smap) -> go.Figure:
    """The map chart of these settings (`_smap`, their result), built once. Shared, never mutated."""
    surface = problem.build_surface()
    return tfig.start_map_figure(
        _smap, contour(problem), color_by=color_by, bounds=surface.bounds, axis_labels=surface.axis_labels
    )


def map_tab(url: UrlState, problem: Problem, *, shown: bool = True) -> None:
    """The tab's text and controls; its map (computed and drawn) only when `shown` (the tab is open)."""
    oinfo = optimizers.OPTIMIZERS[problem.optimizer]
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
    if not shown:
        return
    kwargs = dict(optimizer=problem.optimizer, n=n, steps=steps, hyper=dict(hyper), tol=tol)
    try:
        smap = sweep("map", problem, kwargs, runs=n * n, steps=steps)
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
    fig = _figure(problem, kwargs, color_by, smap)
    st.plotly_chart(fig, key=KEY + "map_chart", theme=None, config=PLOTLY_CONFIG)


def _use_best_setting(opt: str, setting: dict) -> None:
    """on_click: copy the search's best setting into the many-start map's inputs."""
    for name, value in setting.items():
        st.session_state[f"{KEY}map_{opt}_{name}"] = value
