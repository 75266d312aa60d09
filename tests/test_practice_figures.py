"""What the practice page added to `figures.training`: frames that travel as typed arrays, the
epoch slider clear of the play buttons, readable log axes, bands that stay positive on them."""

from __future__ import annotations

import base64

import numpy as np
import plotly.io as pio

from figures import training as ft
from training import studies as ts

MOONS = ts.Setup(dataset="moons", n_samples=80, model="mlp", hidden=(4,), optimizer="adam", epochs=12)


def test_data_figure_frames_are_typed_float32_grids_in_the_json():
    setup = MOONS
    X, y = setup.data()
    tr, va, _ = setup.parts()
    h = ts.fit(setup)
    fig = ft.data_figure(setup.build(), h, X, y, {"train": tr, "validation": va}, grid_n=20)
    spec = pio.from_json(pio.to_json(fig, validate=False), skip_invalid=True).to_dict()
    raw = fig.to_dict()["frames"]
    assert [f["name"] for f in raw] == [str(e) for e in range(13)]
    z = raw[5]["data"][0]["z"]
    grid = np.frombuffer(base64.b64decode(z["bdata"]), dtype="<f4").reshape(20, 20)
    probs = setup.build().predict(
        h.thetas[5], np.stack(np.meshgrid(*ft.decision_grid(X, 20)), -1).reshape(-1, 2)
    )
    np.testing.assert_allclose(grid.ravel(), probs, rtol=1e-5, atol=1e-6)
    assert len(spec["frames"]) == 13
    slider = fig.layout.sliders[0]
    assert slider.pad.l >= 90 and slider.x == 0  # starts right of the ▶ ❚❚ buttons at any width
    assert slider.currentvalue.font.color not in (None, "rgba(0,0,0,0)")  # "epoch = k" is visible


def test_loss_axis_ticks_in_full_over_a_short_range_and_decades_over_a_long_one():
    h = ts.fit(MOONS)
    short = ft.loss_curves_figure(h)
    assert short.layout.yaxis.dtick == "D2" and short.layout.yaxis.minorloglabels == "complete"
    assert short.layout.legend.y < 0  # under the plot: the best-epoch label stays readable
    wild = ts.fit(  # SGD with α = 1 on degree-8 monomials diverges: the loss spans many decades
        ts.Setup(dataset="sine", n_samples=200, degree=8, optimizer="sgd", hyper=(("lr", 1.0),), epochs=30)
    )
    assert wild.diverged_epoch is not None
    long = ft.loss_curves_figure(wild)
    assert long.layout.yaxis.minorloglabels == "none" and long.layout.yaxis.dtick is None
    assert long.layout.yaxis.exponentformat == "power"


def test_bands_on_a_log_axis_stay_positive_and_label_the_human_level_in_log_units():
    sizes = [5, 10, 20]
    train = np.array([[1e-20, 0.5, 0.01], [0.05, 0.1, 0.08], [0.08, 0.09, 0.1]])
    val = train + 0.2
    fig = ft.learning_curve_figure(sizes, train, val, human_error=0.09, log_y=True)
    assert fig.layout.yaxis.type == "log"
    band = next(t for t in fig.data if t.meta == "band:train")
    assert np.all(np.asarray(band.y) > 0)
    mean = train.mean(1)
    np.testing.assert_allclose(np.asarray(band.y)[3:], np.maximum(mean - train.std(1), mean / 10)[::-1])
    assert fig.layout.annotations[0].y == np.log10(0.09)
    assert fig.layout.shapes[0].y0 == 0.09
    flat = ft.learning_curve_figure(sizes, train, val, human_error=0.09)
    assert flat.layout.yaxis.type is None and flat.layout.annotations[0].y == 0.09


def test_log_hyperparameter_axis_is_ticked_at_the_values():
    values = ts.VALIDATION_VALUES["l2"]
    errors = np.ones((len(values), 2))
    fig = ft.validation_curve_figure(values, errors, errors + 0.1, name="L2", log_x=True)
    assert list(fig.layout.xaxis.tickvals) == list(values)
    assert list(fig.layout.xaxis.ticktext) == [f"{v:g}" for v in values]
    cv = ft.cv_scores_figure(values, errors, name="L2", log_x=True)
    assert list(cv.layout.xaxis.tickvals) == list(values)


def test_error_bands_and_bars_never_go_below_zero():
    """Issue 19 (rough): a ±1 std band of errors drew below 0."""
    errors = np.array([[0.0, 0.0, 0.3], [0.1, 0.12, 0.11]])  # mean 0.1, std 0.14 at the first point
    fig = ft.learning_curve_figure((10, 20), errors, errors, human_error=0.0, error_label="error rate")
    bands = [t for t in fig.data if str(t.meta).startswith("band:")]
    assert bands and all(min(t.y) >= 0 for t in bands)
    cv = ft.cv_scores_figure((1, 2), errors, name="degree d", score_label="validation error")
    mean = next(t for t in cv.data if t.meta == "mean")
    assert np.all(np.asarray(mean.y) - np.asarray(mean.error_y.arrayminus) >= 0)
