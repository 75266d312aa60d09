"""What a lecture scene shows: the explorer's map with the scene's runs (reusing the explorer's
map component and `figures.map_data`), or the scene's chart (`figures.lecture`).

Before the reveal the runs are hidden: the map shows the surface and the start point only, and a
chart keeps its axes and regions but no data. After the reveal the map plays the race from step 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import optimizers
import surfaces
from figures import explorer as fx
from figures import lecture as fl
from figures import map_data, optimizer_color
from scenes import explorer, lecture
from scenes.lecture import LectureScene
from ui import map_component, plot_component
from ui.common import PLOTLY_CONFIG

GRID_N = 80  # the explorer's contour grid
COST_NS = np.logspace(1, 9, 49)  # slide 16's chart: 10 to 10⁹ parameters
CHART_HEIGHT = 460
PHONE_MAP_HEIGHT = 1000  # the solver map's four regions one above another


@st.cache_data(max_entries=64, show_spinner=False)
def scene_runs(scene_id: str) -> tuple[Any, dict[str, Any]]:
    """An explorer scene's surface and runs, as the explorer runs them (cached per scene)."""
    return lecture.explorer_runs(lecture.BY_ID[scene_id].settings)


def explorer_stage(scene: LectureScene, revealed: bool) -> None:
    """The map: surface and start before the reveal; the race, played from step 0, after it."""
    settings = dict(scene.settings)
    name = settings.get("surface", "quadratic")
    sinfo = surfaces.SURFACES[name]
    surface, runs = scene_runs(scene.id)
    params = tuple(
        sorted((p.name, settings[f"{name}_{p.name}"]) for p in sinfo.params if f"{name}_{p.name}" in settings)
    )
    base = map_component.map_base(name, params, sinfo.log_levels, GRID_N)
    shown = runs if revealed else {}
    paths = map_data.map_paths(
        surface,
        shown,
        start=lecture.explorer_start(settings),
        base_key=base["key"],
        labels=explorer.scene(settings).labels,  # "SGD, α 0.05, 1/t decay", as the explorer says
    )
    paths.update(present=True, start_step=0, autoplay=revealed)
    map_component.landscape_map(base, paths, key=f"lecture_map_{'shown' if revealed else 'hidden'}")


def _level(bars: go.Figure) -> go.Figure:
    """Bar labels kept level: on a phone plotly.js turned them and the last ran off the chart."""
    return bars.update_xaxes(tickangle=0)


def _chart(scene: LectureScene, numbers: dict[str, Any], phone: bool = False) -> go.Figure:
    """The chart of a figure, training or search scene, from its numbers (`phone`: the solver
    map's regions one above another, for a screen below 640 px)."""
    study = scene.study
    if study == "newton_cost":
        costs = {k: np.array([lecture.newton_cost(n)[k] for n in COST_NS]) for k in fl.COST_LABELS}
        return fl.newton_cost_figure(COST_NS, costs, marked=numbers["cost.params"], height=CHART_HEIGHT)
    if study == "solver_map":
        placed = {name: lecture.family(name) for name in optimizers.OPTIMIZERS}
        if phone:
            return fl.solver_map_figure(
                placed, lecture.LECTURE_SOLVERS, highlight="lbfgs", height=PHONE_MAP_HEIGHT, columns=1
            )
        return fl.solver_map_figure(placed, lecture.LECTURE_SOLVERS, highlight="lbfgs", height=CHART_HEIGHT)
    if study == "schedule":
        lr = numbers["curve.lr"]
        marks = {f"epochs 0-3: {', '.join(f'{v:.3g}' for v in lr[:4])}": (3, lr[3])}
        return fl.lines_figure(
            {"α = α₀ / (1 + decay_rate·epoch)": (range(len(lr)), lr)},
            xaxis="epoch", yaxis="learning rate α", marks=marks, height=CHART_HEIGHT,
        )  # fmt: skip
    if study == "capacity":
        groups = {
            part: {f"degree {d}": numbers[f"d{d}.{key}"] for d in (1, 4, 15)}
            for part, key in (("training error", "train"), ("validation error", "val"))
        }
        return _level(fl.bars_figure(groups, yaxis="mean squared error", height=CHART_HEIGHT))
    if study == "selection":
        degrees = list(range(1, len(numbers["curve.val"]) + 1))
        return fl.lines_figure(
            {"validation error": (degrees, numbers["curve.val"])},
            xaxis="polynomial degree", yaxis="mean squared error", log_y=True,
            marks={f"chosen: degree {numbers['chosen']}, test {numbers['chosen.test']:.3g}":
                   (numbers["chosen"], numbers["chosen.val"])},
            height=CHART_HEIGHT,
        )  # fmt: skip
    if study == "early_stopping":
        epochs = list(range(len(numbers["curve.val"])))
        series = {
            "training error": (epochs, numbers["curve.train"]),
            "validation error": (epochs, numbers["curve.val"]),
        }
        best = {
            f"best validation: epoch {numbers['best_epoch']}": (numbers["best_epoch"], numbers["val.best"])
        }
        return fl.lines_figure(
            series, xaxis="epoch", yaxis="mean squared error", log_y=True, marks=best, height=CHART_HEIGHT
        )
    if study == "kfold":
        degrees = numbers["curve.degrees"]
        return fl.lines_figure(
            {f"{numbers['k']}-fold CV, mean": (degrees, numbers["curve.cv"]),
             "single validation split": (degrees, numbers["curve.single"])},
            xaxis="polynomial degree", yaxis="validation error", log_y=True, height=CHART_HEIGHT,
        )  # fmt: skip
    if study == "bias_variance":
        parts = (("human level", "human"), ("training", "train"), ("validation", "val"))
        groups = {"error (%)": {k: numbers[key] for k, key in parts}}
        return _level(fl.bars_figure(groups, yaxis="error (%)", height=CHART_HEIGHT))
    if study == "grid_random":
        best = numbers["curve.random_best"]
        seeds = list(range(len(best)))
        return fl.lines_figure(
            {"random search, best score per seed": (seeds, best),
             "grid search, best score": (seeds, [numbers["grid_best"]] * len(seeds))},
            xaxis="random search seed", yaxis="best score, log10(L − L*)", height=CHART_HEIGHT,
        )  # fmt: skip
    if study == "reddi":
        names = [k.split(".", 1)[1] for k in numbers if k.startswith("curve.")]
        series = {optimizers.OPTIMIZERS[n].label: (range(len(numbers[f"curve.{n}"])), numbers[f"curve.{n}"])
                  for n in names}  # fmt: skip
        colors = {optimizers.OPTIMIZERS[n].label: optimizer_color(n) for n in names}
        return fl.lines_figure(series, xaxis="step t", yaxis="x_t", colors=colors, height=CHART_HEIGHT)
    raise ValueError(f"no chart for the study {study!r}")


def _frozen(fig: go.Figure) -> go.Figure:
    """The chart before the reveal: its axes (ranged by the data, as after the reveal), regions
    and labels, but its data, values and legend invisible."""
    frozen = go.Figure(fig)
    frozen.update_traces(opacity=0, hoverinfo="skip", showlegend=False)
    frozen.add_annotation(
        text="revealed after your answer", showarrow=False, xref="paper", yref="paper",
        x=0.5, y=0.5, font={"size": 28, "color": "#888"},
    )  # fmt: skip
    return frozen


def chart_stage(scene: LectureScene, numbers: dict[str, Any], revealed: bool) -> None:
    if scene.study != "solver_map":
        _draw(_chart(scene, numbers), scene, revealed)
        return
    # The map's 2 x 2 regions do not fit a phone: there (style.py, below 640 px) it shows the
    # regions one above another instead.
    with st.container(key="lecture_chart_wide"):
        _draw(_chart(scene, numbers), scene, revealed)
    with st.container(key="lecture_chart_phone"):
        _draw(_chart(scene, numbers, phone=True), scene, revealed, suffix="_phone")


def _draw(fig: go.Figure, scene: LectureScene, revealed: bool, suffix: str = "") -> None:
    if not revealed and scene.study != "solver_map":
        fig = _frozen(fig)
    elif not revealed:  # the map without the app's methods (their places are the answer)
        fig = go.Figure(layout=fig.layout)
    st.plotly_chart(
        fig,
        key=f"lecture_chart_{scene.id}_{revealed}{suffix}",
        theme=None,
        config={**PLOTLY_CONFIG, "displayModeBar": False},
    )


def loss_stage(scene: LectureScene) -> None:
    """The scene's loss curves L(θ_k) − L* (the explorer's chart, smoothed as the scene says), at
    projector font sizes."""
    surface, runs = scene_runs(scene.id)
    fig = fx.loss_figure(
        runs,
        min_value=surface.min_value,
        smoothing=float(scene.settings.get("ema", 0.0)),
        labels=explorer.scene(scene.settings).labels,
        height=300,
    )
    layout = fig["layout"]
    layout["font"] = {**layout.get("font", {}), "size": 20}
    if layout.get("yaxis", {}).get("type") == "log":  # powers of ten only: no small in-between labels
        layout["yaxis"] = {**layout["yaxis"], "dtick": 1}
    plot_component.plot(fig, key="lecture_loss")
