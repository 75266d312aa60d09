"""figures.training: the training page's builders, checked on fig.data / fig.layout and the frames."""

from __future__ import annotations

import base64

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from figures import training as ft
from training import DATASETS, kfold_indices, make_dataset, make_model, split_indices, train


def _decode(arr: dict) -> np.ndarray:
    values = np.frombuffer(base64.b64decode(arr["bdata"]), dtype=arr["dtype"])
    if "shape" in arr:
        values = values.reshape([int(s) for s in arr["shape"].split(",")])
    return values


@pytest.fixture(scope="module")
def regression():
    X, y = make_dataset("sine", 60, 0.2, 0)
    tr, va, te = split_indices(60, (0.6, 0.2, 0.2), 0)
    model = make_model("polynomial", degree=4, l2=1e-3)
    history = train(model, X[tr], y[tr], X[va], y[va], "adam", 80, 12, lr=0.05)
    return model, history, X, y, {"train": tr, "validation": va, "test": te}


@pytest.fixture(scope="module")
def classification():
    X, y = make_dataset("moons", 200, 0.15, 0, label_noise=0.05)
    tr, va, _ = split_indices(200, (0.6, 0.2, 0.2), 0)
    model = make_model("mlp", hidden=(8, 8), task="classification", l2=1e-4)
    history = train(model, X[tr], y[tr], X[va], y[va], "adam", 100, 20, lr=0.02)
    return model, history, X, y, {"train": tr, "validation": va}


def test_regression_data_figure_scrubs_the_fitted_curve(regression):
    model, history, X, y, parts = regression
    fig = ft.data_figure(model, history, X, y, parts, target=DATASETS["sine"].target)
    metas = [t.meta for t in fig.data]
    assert metas[0] is None and "fit" in metas  # the true function, then points and the fit
    assert {"points:train", "points:validation", "points:test"} <= set(metas)
    fit_index = metas.index("fit")
    points = fig.data[metas.index("points:validation")]
    np.testing.assert_allclose(points.x, X[parts["validation"], 0], rtol=1e-6)
    np.testing.assert_allclose(points.y, y[parts["validation"]], rtol=1e-6)
    frames = fig.raw_frames
    assert 2 <= len(frames) <= ft.MAX_FRAMES
    assert frames[0]["name"] == "0" and frames[-1]["name"] == str(history.epochs)
    xs = np.linspace(-1, 1, ft.CURVE_POINTS)
    for frame in (frames[0], frames[len(frames) // 2], frames[-1]):
        assert frame["traces"] == [fit_index]
        epoch = int(frame["name"])
        expected = model.predict(history.thetas[epoch], xs[:, None])
        np.testing.assert_allclose(_decode(frame["data"][0]["y"]), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fig.data[fit_index].y, model.predict(history.theta, xs[:, None]), rtol=1e-5)
    assert fig.layout.sliders[0].steps[-1].label == str(history.epochs)
    assert fig.layout.sliders[0].currentvalue.prefix == "epoch = "


def test_classification_data_figure_sends_a_coarse_float32_boundary_under_1mb(classification):
    model, history, X, y, parts = classification
    fig = ft.data_figure(model, history, X, y, parts)
    contour = fig.data[0]
    assert isinstance(contour, go.Contour) and contour.meta == "fit"
    assert np.asarray(contour.z).shape == (ft.GRID_N, ft.GRID_N) and np.asarray(contour.z).dtype == np.float32
    train_points = next(t for t in fig.data if t.meta == "points:train")
    assert list(train_points.marker.color) == [ft.CLASS_COLORS[int(c)] for c in y[parts["train"]]]
    frames = fig.raw_frames
    assert len(frames) == ft.MAX_FRAMES
    xs, ys = ft.decision_grid(X)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(float)
    frame = frames[7]
    z = _decode(frame["data"][0]["z"])
    assert z.shape == (ft.GRID_N, ft.GRID_N)
    expected = model.predict(history.thetas[int(frame["name"])], grid).reshape(ft.GRID_N, ft.GRID_N)
    np.testing.assert_allclose(z, expected, atol=1e-6)
    # The boundary moves: the first and last frames differ, as training changed the model.
    assert np.abs(_decode(frames[0]["data"][0]["z"]) - _decode(frames[-1]["data"][0]["z"])).max() > 0.1
    assert len(pio.to_json(fig)) < 1_000_000
    assert fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["redraw"] is True  # contours need it


def test_loss_curves_mark_the_best_validation_epoch(classification):
    _, history, *_ = classification
    fig = ft.loss_curves_figure(history, smoothing=0.8)
    by_meta = {t.meta: t for t in fig.data}
    iterations = by_meta["iterations"]
    assert len(iterations.x) == history.iter_losses.size
    assert iterations.x[history.iters_per_epoch - 1] == pytest.approx(1.0)  # iteration k at k / per epoch
    np.testing.assert_allclose(by_meta["ema"].y[-1], ft.ema(history.iter_losses, 0.8)[-1], rtol=1e-5)
    np.testing.assert_allclose(by_meta["epoch:validation"].y, history.val_loss, rtol=1e-6)
    np.testing.assert_allclose(by_meta["epoch:train"].y, history.train_loss, rtol=1e-6)
    assert fig.layout.shapes[0].x0 == history.best_epoch == int(np.argmin(history.val_loss))
    assert str(history.best_epoch) in fig.layout.annotations[0].text
    assert fig.layout.yaxis.type == "log"
    acc = ft.loss_curves_figure(history, metric="accuracy")
    np.testing.assert_allclose(
        {t.meta: t for t in acc.data}["epoch:validation"].y, history.val_acc, rtol=1e-6
    )
    assert "iterations" not in {t.meta for t in acc.data}


def test_loss_curves_reject_accuracy_for_regression(regression):
    with pytest.raises(ValueError, match="classification"):
        ft.loss_curves_figure(regression[1], metric="accuracy")
    with pytest.raises(ValueError, match="'loss' or 'accuracy'"):
        ft.loss_curves_figure(regression[1], metric="f1")


def test_learning_and_validation_curves_show_mean_band_and_best():
    sizes = [10, 20, 40]
    train_err = np.array([[0.0, 0.02], [0.05, 0.07], [0.08, 0.1]])
    val_err = np.array([[0.5, 0.3], [0.25, 0.21], [0.15, 0.13]])
    fig = ft.learning_curve_figure(sizes, train_err, val_err, human_error=0.05)
    by_meta = {t.meta: t for t in fig.data}
    np.testing.assert_allclose(by_meta["validation"].y, [0.4, 0.23, 0.14])
    band = by_meta["band:validation"]
    np.testing.assert_allclose(band.y[:3], [0.5, 0.25, 0.15])  # mean + std, then mean - std reversed
    assert fig.layout.shapes[0].y0 == 0.05
    vc = ft.validation_curve_figure([1, 4, 15], train_err, val_err[[1, 2, 0]], name="degree")
    best = {t.meta: t for t in vc.data}["best"]
    assert list(best.x) == [4] and best.y[0] == pytest.approx(0.14)


def test_fold_diagram_each_sample_validates_once():
    n, k = 50, 5
    folds = kfold_indices(n, k, 0)
    fig = ft.fold_diagram(folds, n)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (k, n)
    assert np.all((z == 2).sum(0) == 1)  # every column (sample) validates in exactly one split
    assert np.all((z == 2).sum(1) == n // k)
    assert np.all((z == 0).sum() == 0)
    # held-out samples (a test part) appear grey in every split
    held = ft.fold_diagram(kfold_indices(40, 4, 1), 50)
    z = np.asarray(held.data[0].z)
    assert np.all(z[:, 40:] == 0) and "test (held out)" in [t.name for t in held.data]


def test_cv_scores_plot_every_fold_and_the_pick():
    scores = np.array([[0.3, 0.35, 0.32], [0.2, 0.25, 0.21], [0.4, 0.2, 0.6]])
    fig = ft.cv_scores_figure(
        [1e-3, 1e-2, 1e-1], scores, name="l2", single_split=np.array([0.31, 0.22, 0.18]), log_x=True
    )
    by_meta = {t.meta: t for t in fig.data}
    assert len(by_meta["folds"].x) == 9
    np.testing.assert_allclose(by_meta["mean"].y, scores.mean(1))
    np.testing.assert_allclose(by_meta["mean"].error_y.array, scores.std(1))
    assert by_meta["best"].x[0] == pytest.approx(1e-2)
    assert fig.layout.xaxis.type == "log"


def test_fits_figure_puts_under_and_overfitting_side_by_side(regression):
    _, _, X, y, parts = regression
    tr = parts["train"]
    panels = []
    for degree in (1, 4, 15):
        model = make_model("polynomial", degree=degree)
        theta = train(model, X[tr], y[tr], X[parts["validation"]], y[parts["validation"]], "newton", 1).theta
        panels.append((f"degree {degree}", model, theta))
    fig = ft.fits_figure(panels, X, y, {"train": tr})
    fits = [t for t in fig.data if t.meta == "fit"]
    assert len(fits) == 3 and [a.text for a in fig.layout.annotations] == [
        "degree 1",
        "degree 4",
        "degree 15",
    ]
    xs = np.linspace(-1, 1, ft.CURVE_POINTS)
    np.testing.assert_allclose(fits[0].y, panels[0][1].predict(panels[0][2], xs[:, None]))
    assert sum(bool(t.showlegend) for t in fig.data if t.meta == "points:train") == 1
