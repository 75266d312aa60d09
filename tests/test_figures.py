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
from figures import OPTIMIZER_COLORS, log_axis, optimizer_color, surface_grid
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


def test_surface_grid_has_no_inf_past_float32():
    # exp(exp(10 x)) passes float32's 3.4e38 inside the view while float64 still holds it, and
    # overflows float64 too further right: clipped to float32's largest, and NaN, never inf.
    s = surfaces.make_custom("exp(exp(10*x)) + y^2")
    with np.errstate(all="raise"):
        Z = surface_grid(s, 40)[2]
    largest = np.finfo(np.float32).max
    assert not np.isinf(Z).any()
    assert np.isnan(Z).any() and np.nanmax(Z) == largest
    finite = np.isfinite(Z)
    assert (Z[finite] > 0).all()


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


def test_log_axes_never_label_minor_ticks_with_bare_digits():
    # over a short span every tick is labelled in full (0.05, not "5"); over a long one only decades
    short = log_axis([np.array([0.03, 0.4]), np.array([0.1])])  # one array per trace
    assert short == {"type": "log", "dtick": "D2", "minorloglabels": "complete", "exponentformat": "e"}
    assert log_axis(np.array([1e-16, 10.0]))["minorloglabels"] == "none"
    assert log_axis([])["minorloglabels"] == "none"
    s, _, trajs = _race("quadratic", DEFAULT_RACE)
    lr_axis = fx.lr_figure(trajs)["layout"]["yaxis"]  # constant α: a span of zero decades
    assert lr_axis["minorloglabels"] == "complete"
    loss_axis = fx.loss_figure(trajs, min_value=s.min_value)["layout"]["yaxis"]  # many decades
    assert loss_axis["type"] == "log" and loss_axis["minorloglabels"] == "none"


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


def test_lr_figure_draws_alpha_only_for_methods_that_have_one():
    _, _, trajs = _race("curve_fit", {"sgd": {"lr": 0.05}, "gauss_newton": {}, "lm": {}}, steps=10)
    fig = fx.lr_figure(trajs)
    assert [t["name"] for t in fig["data"]] == ["SGD: α_k", "Gauss-Newton: step scale α_k"]  # LM has no α
    assert "yaxis2" not in fig["layout"]
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_damping_panel_starts_at_lambda_0_and_marks_rejected_steps():
    s = surfaces.get_surface("himmelblau")
    lm = optimizers.run("lm", s, (0.5, -0.5), 60, damping=1e-3)
    fig = fx.damping_figure({"lm": lm})
    line, accepted, rejected = fig.data
    assert line.x[0] == 0 and line.y[0] == pytest.approx(1e-3) and len(line.x) == lm.n_steps  # λ_0 at step 0
    assert len(rejected.x) == int((lm.records["accepted"] == 0).sum()) >= 3
    assert rejected.marker.symbol == "x" and accepted.marker.symbol == "circle"
    assert len(accepted.x) + len(rejected.x) == lm.n_steps
    assert fig.layout.yaxis.type == "log" and fig.layout.height >= 300
    assert fx.damping_figure({}) is None  # no LM run: no panel


def test_epoch_boundaries_are_marked_when_epochs_differ_from_steps():
    s = surfaces.get_surface("linear_regression")
    mini = optimizers.run("sgd", s, (-0.5, 1.5), 40, lr=0.05, batch_size=5)  # 50 samples: 10 per epoch
    full = optimizers.run("sgd", s, (-0.5, 1.5), 40, lr=0.05)
    for build in (fx.loss_figure, fx.lr_figure):
        kw = {"min_value": s.min_value} if build is fx.loss_figure else {}
        lines = [sh for sh in go.Figure(build({"sgd": mini}, **kw)).layout.shapes if sh.type == "line"]
        assert sorted(sh.x0 for sh in lines) == [10, 20, 30, 40]
        assert not go.Figure(build({"sgd": full}, **kw)).layout.shapes


def test_a_run_that_lands_on_the_minimum_stays_visible_on_the_loss_chart():
    s = surfaces.get_surface("linear_regression")
    newton = optimizers.run("newton", s, (-0.5, 1.5), 30)
    (trace,) = go.Figure(fx.loss_figure({"newton": newton}, min_value=s.min_value)).data
    assert trace.mode == "lines+markers" and len(trace.x) == 2


def test_the_loss_chart_grows_with_its_legend():
    s, _, trajs = _race(
        "quadratic", {o: {} for o in ["sgd", "momentum", "rmsprop", "adam", "newton", "nesterov", "adagrad"]}
    )
    few = fx.loss_figure(dict(list(trajs.items())[:2]), min_value=s.min_value)
    many = fx.loss_figure(trajs, min_value=s.min_value)
    assert (
        many["layout"]["height"] - few["layout"]["height"] >= 50
    )  # the plot keeps its height under the legend


def test_copies_of_an_optimizer_get_shades_of_its_colour():
    from figures import split_run_id

    assert split_run_id("sgd~2") == ("sgd", 2) and split_run_id("adam") == ("adam", 1)
    for bad in ("sgd~1", "sgd~9", "sgd~x", "sgd~"):
        with pytest.raises(ValueError):
            split_run_id(bad)
    shades = {optimizer_color(r) for r in ("sgd", "sgd~2", "sgd~3")}
    assert len(shades) == 3 and optimizer_color("sgd") == OPTIMIZER_COLORS["sgd"]


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_every_optimizers_copies_can_be_told_apart(name):
    """Two LMs side by side (Levenberg's and Marquardt's scaling) were both drawn black: a darker
    shade of black is black. Each pair of copies differs by at least 60 in some channel."""
    rgb = [
        [int(c[i : i + 2], 16) for i in (1, 3, 5)]
        for c in (optimizer_color(r) for r in (name, f"{name}~2", f"{name}~3"))
    ]
    for a in range(3):
        for b in range(a + 1, 3):
            assert max(abs(x - y) for x, y in zip(rgb[a], rgb[b], strict=True)) >= 60, (name, rgb)


@pytest.mark.parametrize(
    ("value", "text"),
    [(3.8654e11, "3.87e11"), (3.583e-6, "3.58e−6"), (0.5, "0.5"), (12.34, "12.3"), (0.0, "0"),
     (None, "—"), (float("nan"), "—"), (-2.5e-5, "−2.5e−5"), (1e-16, "1e−16"), (-0.5, "−0.5")],
)  # fmt: skip
def test_compact_numbers(value, text):
    assert fx.compact_number(value) == text


def test_surface3d_keeps_camera_per_surface():
    s, _, trajs = _race("rosenbrock", {"adam": {"lr": 0.05}}, steps=20)
    fig = fx.surface3d_figure(s, surface_grid(s, 80), trajs, log_levels=True, max_grid=40)
    assert isinstance(fig.data[0], go.Surface) and isinstance(fig.data[1], go.Scatter3d)
    assert len(fig.data[0].x) <= 40
    assert fig.layout.uirevision == "surface3d:rosenbrock"


def test_schedule_figure():
    fig = fx.schedule_figure(np.array([1.0, 0.5, 0.25]))
    assert len(fig.data) == 1 and fig.layout.xaxis.title.text == "epoch"
    # the curve says what it is, horizontally, and the axis too
    assert fig.layout.title.text == "learning-rate factor α / α₀" and fig.layout.yaxis.title.text == "α / α₀"


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


def test_summary_table_speaks_the_lectures_words():
    s = surfaces.get_surface("himmelblau")
    trajs = {
        "newton": optimizers.run("newton", s, (0.0, 0.0), 50),
        "sgd": optimizers.run("sgd", s, (0.0, 0.0), 5, lr=0.01),
        "sgd~2": optimizers.run("sgd", s, (0.0, 0.0), 50, lr=0.2),
    }
    labels = {"newton": "Newton", "sgd": "SGD, α 0.01", "sgd~2": "SGD, α 0.2"}
    table = fx.summary_table(fx.summary_rows(trajs, s, tol=1e-3, labels=labels))
    assert list(table[0]) == ["optimizer", "final loss", "distance to nearest minimum", "steps to tolerance",
                              "steps taken", "stopped at", "why it stopped"]  # fmt: skip
    newton, short, wild = table
    assert newton["stopped at"] == "a maximum" and "maximum" in newton["why it stopped"]
    assert short["stopped at"] == "out of steps" and short["steps to tolerance"] == "not reached"
    assert wild["stopped at"] == "diverged" and "e" in wild["final loss"]
    text = repr(table)
    for engine_word in ("max_steps", "n_steps", "None", "nan", "converged at step"):
        assert engine_word not in text
    assert all(isinstance(v, str) for row in table for v in row.values())


def test_builders_do_not_import_streamlit():
    code = "import sys, figures.explorer; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
