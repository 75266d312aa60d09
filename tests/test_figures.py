"""Figure builders (figures/__init__.py, figures/explorer.py): traces, layout, tables.

Checks read `fig.data` and `fig.layout` in Python (STYLE 2.7). The map's data for its browser
component is tested in tests/test_map_data.py.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import pytest

import optimizers
import surfaces
from figures import OPTIMIZER_COLORS, optimizer_color, surface_grid
from figures import explorer as fx
from surfaces.base import LOSS_FLOOR

DEFAULT_RACE = {"sgd": {"lr": 0.09}, "momentum": {"lr": 0.01}, "rmsprop": {"lr": 0.1}}


def _race(surface_name: str, opts: dict[str, dict], steps: int = 40):
    s = surfaces.get_surface(surface_name)
    start = surfaces.SURFACES[surface_name].default_start
    trajs = {o: optimizers.run(o, s, start, steps, **h) for o, h in opts.items()}
    return s, start, trajs


def test_every_optimizer_has_its_own_colour():
    assert set(optimizers.OPTIMIZERS) <= set(OPTIMIZER_COLORS)
    colours = [optimizer_color(n) for n in optimizers.OPTIMIZERS]
    assert len(set(colours)) == len(colours)
    assert optimizer_color("not_an_optimizer").startswith("#")


def test_surface_grid_is_float32_on_the_bounds():
    s = surfaces.get_surface("rosenbrock")
    xs, ys, Z = surface_grid(s, 30)
    assert xs.dtype == ys.dtype == Z.dtype == np.float32
    assert Z.shape == (30, 30)
    assert xs[0] == pytest.approx(s.bounds[0][0]) and ys[-1] == pytest.approx(s.bounds[1][1])


def test_loss_figure_log_axis_and_smoothing():
    s, _, trajs = _race("quadratic", DEFAULT_RACE)
    fig = fx.loss_figure(trajs, min_value=s.min_value)
    assert fig["layout"]["yaxis"]["type"] == "log" and len(fig["data"]) == 3
    for trace, traj in zip(fig["data"], trajs.values(), strict=True):  # L - L*, one point per step
        np.testing.assert_allclose(trace["y"], np.maximum(traj.losses - s.min_value, LOSS_FLOOR), rtol=1e-6)
        assert list(trace["x"]) == list(range(len(traj.losses)))
    smooth = fx.loss_figure(trajs, min_value=s.min_value, smoothing=0.8)
    assert len(smooth["data"]) == 6  # raw (faint) + EMA per optimizer
    saddle, _, strajs = _race("saddle", {"sgd": {"lr": 0.05}}, steps=20)
    assert fx.loss_figure(strajs, min_value=saddle.min_value)["layout"]["yaxis"]["type"] == "linear"


def test_dict_figures_are_valid_plotly_figures():
    # The builders skip Plotly's validation for speed: the validator must accept what they build.
    s, _, trajs = _race("quadratic", DEFAULT_RACE)
    _, _, lm = _race("curve_fit", {"sgd": {"lr": 0.05}, "lm": {}}, steps=10)
    for fig in (
        fx.loss_figure(trajs, min_value=s.min_value, smoothing=0.5),
        fx.loss_figure(trajs, min_value=None),
        fx.lr_figure(lm),
    ):
        checked = go.Figure(fig)
        assert len(checked.data) == len(fig["data"])
        assert checked.layout.template.layout.font.family.startswith("Source Sans Pro")


def test_lr_figure_shows_lm_damping_on_a_second_axis():
    _, _, trajs = _race("curve_fit", {"sgd": {"lr": 0.05}, "lm": {}}, steps=10)
    fig = fx.lr_figure(trajs)
    assert any(t.get("yaxis") == "y2" for t in fig["data"])
    assert fig["layout"]["yaxis"]["type"] == "log" and fig["layout"]["yaxis2"]["overlaying"] == "y"


def test_surface3d_keeps_camera_per_surface():
    s, _, trajs = _race("rosenbrock", {"adam": {"lr": 0.05}}, steps=20)
    fig = fx.surface3d_figure(s, surface_grid(s, 80), trajs, log_levels=True, max_grid=40)
    assert isinstance(fig.data[0], go.Surface) and isinstance(fig.data[1], go.Scatter3d)
    assert len(fig.data[0].x) <= 40
    assert fig.layout.uirevision == "surface3d:rosenbrock"


def test_schedule_figure():
    fig = fx.schedule_figure(np.array([1.0, 0.5, 0.25]))
    assert len(fig.data) == 1 and fig.layout.xaxis.title.text == "epoch"


def test_summary_rows():
    s, _, trajs = _race("quadratic", DEFAULT_RACE, steps=60)
    rows = fx.summary_rows(trajs, s, tol=1e-3)
    assert [r["optimizer"] for r in rows] == ["SGD", "Momentum", "RMSProp"]
    sgd = rows[0]
    assert sgd["steps to tolerance"] is not None and sgd["steps to tolerance"] <= 60
    assert sgd["distance to nearest minimum"] < 0.1
    saddle, _, strajs = _race("saddle", {"sgd": {"lr": 0.05}}, steps=10)
    row = fx.summary_rows(strajs, saddle, tol=1e-3)[0]
    assert row["distance to nearest minimum"] is None and row["steps to tolerance"] is None


def test_builders_do_not_import_streamlit():
    code = "import sys, figures.explorer; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
