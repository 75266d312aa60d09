"""Figure builders (figures/__init__.py, figures/explorer.py): traces, frames, layout, tables.

Checks read `fig.data` and `fig.layout` in Python (STYLE 2.7); only the animation frames, which are
kept as ready-to-send typed arrays, are decoded here.
"""

from __future__ import annotations

import base64
import subprocess
import sys

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import optimizers
import surfaces
from figures import OPTIMIZER_COLORS, TEMPLATE, optimizer_color, surface_grid, typed_array
from figures import explorer as fx

DEFAULT_RACE = {"sgd": {"lr": 0.09}, "momentum": {"lr": 0.01}, "rmsprop": {"lr": 0.1}}


def _decode(arr: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(arr["bdata"]), dtype=arr["dtype"])


def _race(surface_name: str, opts: dict[str, dict], steps: int = 40):
    s = surfaces.get_surface(surface_name)
    start = surfaces.SURFACES[surface_name].default_start
    trajs = {o: optimizers.run(o, s, start, steps, **h) for o, h in opts.items()}
    return s, start, trajs


def _paths(fig) -> list:
    return [t for t in fig.data if str(t.meta or "").startswith(fx.PATH_TRACE_PREFIX)]


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


def test_landscape_traces_layout_and_frames():
    s, start, trajs = _race("quadratic", DEFAULT_RACE)
    fig = fx.landscape_figure(s, surface_grid(s, 40), trajs, start=start, log_levels=False, max_frames=15)
    assert isinstance(fig.data[0], go.Contour)
    grid = fig.data[1]
    assert grid.name == fx.CLICK_GRID_NAME and grid.mode == "markers"
    assert grid.marker.maxdisplayed == 1  # one marker node; every point still clicks
    names = [t.name for t in fig.data]
    assert "minimum θ*" in names and "start θ₀" in names
    paths = _paths(fig)
    assert [t.name for t in paths] == ["SGD", "Momentum", "RMSProp"]
    for t, traj in zip(paths, trajs.values(), strict=True):
        assert len(t.x) == traj.n_steps + 1
        assert t.line.color == OPTIMIZER_COLORS[traj.optimizer]
    assert list(fig.layout.xaxis.range) == list(s.bounds[0])
    assert fig.layout.template.layout.font.size == TEMPLATE.layout.font.size
    # Frames: at most max_frames, named by step, updating the path traces only.
    frames = fig.raw_frames
    assert 2 <= len(frames) <= 15
    path_idx = [i for i, t in enumerate(fig.data) if t in paths]
    assert all(f["traces"] == path_idx for f in frames)
    assert frames[0]["name"] == "0" and frames[-1]["name"] == str(max(t.n_steps for t in trajs.values()))
    assert len(_decode(frames[0]["data"][0]["x"])) == 1
    assert len(_decode(frames[-1]["data"][0]["x"])) == len(paths[0].x)
    # The frames are serialised with the figure, and the step slider starts at the last frame.
    spec = pio.to_json(fig, validate=False)
    assert '"frames"' in spec
    assert fig.layout.sliders[0].active == len(frames) - 1


def test_landscape_on_data_surface_has_a_data_panel_animated_with_the_paths():
    s, start, trajs = _race("linear_regression", {"sgd": {"lr": 0.05}, "newton": {}}, steps=10)
    fig = fx.landscape_figure(s, surface_grid(s, 30), trajs, start=start, log_levels=False)
    fits = [t for t in fig.data if str(t.meta or "").startswith("fit:")]
    assert len(fits) == 2 and all(t.xaxis == "x2" for t in fits)
    assert fig.layout.xaxis2.domain is not None
    frame = fig.raw_frames[-1]
    assert len(frame["traces"]) == 4  # two paths + two fitted lines


def test_diverging_path_is_drawn_up_to_its_last_finite_point():
    s = surfaces.get_surface("quadratic")
    traj = optimizers.run("sgd", s, (-3.5, 1.5), 200, lr=0.5)
    assert traj.status == "diverged"
    fig = fx.landscape_figure(s, surface_grid(s, 20), {"sgd": traj}, start=(-3.5, 1.5), log_levels=False)
    path = _paths(fig)[0]
    assert len(path.x) == fx.finite_length(traj)
    assert np.isfinite(np.asarray(path.x, dtype=float)).all()


def test_loss_figure_log_axis_and_smoothing():
    s, _, trajs = _race("quadratic", DEFAULT_RACE)
    fig = fx.loss_figure(trajs, min_value=s.min_value)
    assert fig.layout.yaxis.type == "log" and len(fig.data) == 3
    smooth = fx.loss_figure(trajs, min_value=s.min_value, smoothing=0.8)
    assert len(smooth.data) == 6  # raw (faint) + EMA per optimizer
    saddle, _, strajs = _race("saddle", {"sgd": {"lr": 0.05}}, steps=20)
    assert fx.loss_figure(strajs, min_value=saddle.min_value).layout.yaxis.type == "linear"


def test_ema_is_debiased():
    np.testing.assert_allclose(fx.ema(np.full(5, 3.0), 0.9), 3.0)
    np.testing.assert_allclose(fx.ema(np.arange(4.0), 0.0), np.arange(4.0))


def test_lr_figure_shows_lm_damping_on_a_second_axis():
    _, _, trajs = _race("curve_fit", {"sgd": {"lr": 0.05}, "lm": {}}, steps=10)
    fig = fx.lr_figure(trajs)
    assert any(t.yaxis == "y2" for t in fig.data)
    assert fig.layout.yaxis.type == "log"


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


def test_default_landscape_stays_small_on_the_wire():
    s, start, trajs = _race("quadratic", {**DEFAULT_RACE, "adam": {"lr": 0.1}}, steps=60)
    fig = fx.landscape_figure(s, surface_grid(s, 90), trajs, start=start, log_levels=False)
    assert len(pio.to_json(fig, validate=False)) < 200_000


def test_typed_array_roundtrip():
    a = np.array([1.5, -2.0, 3.25])
    np.testing.assert_array_equal(_decode(typed_array(a)), a.astype(np.float32))


def test_builders_do_not_import_streamlit():
    code = "import sys, figures.explorer; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_long_paths_are_drawn_without_step_markers():
    s, start, trajs = _race("rosenbrock", {"sgd": {"lr": 1e-4}, "adam": {"lr": 0.05}}, steps=300)
    fig = fx.landscape_figure(s, surface_grid(s, 20), trajs, start=start, log_levels=True)
    for t in _paths(fig):
        long = len(t.x) > fx.MARKER_STEPS + 1
        assert t.mode == ("lines" if long else "lines+markers")
    assert any(t.mode == "lines" for t in _paths(fig))
    s, start, trajs = _race("quadratic", DEFAULT_RACE, steps=fx.MARKER_STEPS)
    fig = fx.landscape_figure(s, surface_grid(s, 20), trajs, start=start, log_levels=False)
    assert all(t.mode == "lines+markers" for t in _paths(fig))
