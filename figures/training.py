"""Plotly builders for the training-practice page: pure functions of `training` results.

    data_figure              the data (train / validation / test) with the fitted curve or the
                             decision boundary; browser-side frames scrub through the epochs
    fits_figure              under-, appropriate and overfitting side by side (static panels)
    loss_curves_figure       minibatch loss per iteration (raw and EMA) and train / validation
                             loss (or accuracy) per epoch, the best-validation epoch marked
    learning_curve_figure    train and validation error against the training-set size
    validation_curve_figure  train and validation error against one hyperparameter
    fold_diagram             which samples validate in which split of a k-fold CV
    cv_scores_figure         validation score per fold and per hyperparameter value, mean +- std

They never import streamlit. The scrubbed frames carry only the traces that change, as float32
typed arrays (a decision boundary is a coarse n x n grid), so ~30 frames stay well under 1 MB.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures import TEMPLATE, log_axis
from figures.explorer import ema, frame_steps
from training import History, Model

__all__ = [
    "CLASS_COLORS",
    "SPLIT_COLORS",
    "SPLIT_SYMBOLS",
    "AnimatedFigure",
    "cv_scores_figure",
    "data_figure",
    "decision_grid",
    "fits_figure",
    "fold_diagram",
    "learning_curve_figure",
    "loss_curves_figure",
    "typed_grid",
    "validation_curve_figure",
]

# Okabe-Ito: train blue, validation orange, test reddish purple; classes blue and vermillion.
SPLIT_COLORS = {"train": "#0072B2", "validation": "#E69F00", "test": "#CC79A7"}
SPLIT_SYMBOLS = {"train": "circle", "validation": "diamond", "test": "x"}
CLASS_COLORS = ("#0072B2", "#D55E00")
BOUNDARY_SCALE = [[0.0, "#cfe3f3"], [0.5, "#ffffff"], [1.0, "#f6d5c4"]]  # P(class 1): blue .. vermillion
BEST_COLOR = "#009E73"
FIT_COLOR = "#000000"
MAX_FRAMES = 30
GRID_N = 50  # decision-boundary grid: 50 x 50 float32 per frame
CURVE_POINTS = 200


def typed_array(values) -> dict:
    """A float32 array in Plotly's typed-array JSON form ({"dtype", "bdata"}), ready to send."""
    arr = np.ascontiguousarray(np.asarray(values, dtype="<f4"))
    return {"dtype": "f4", "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}


class AnimatedFigure(go.Figure):
    """A `go.Figure` whose animation frames are plain dicts of typed arrays.

    Plotly validates every frame's traces when frames are assigned (milliseconds per frame); these
    frames are built from checked arrays, so they skip that and are added in `to_dict()`, which is
    what `plotly.io.to_json` (and so `st.plotly_chart`) serialises. Read them with `raw_frames`.
    (The explorer's copy of this class left with its Plotly map; the data figure still scrubs.)
    """

    def __init__(self, *args, raw_frames: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._raw_frames = list(raw_frames or [])

    @property
    def raw_frames(self) -> list[dict]:
        return self._raw_frames

    def to_dict(self) -> dict:
        d = super().to_dict()
        if self._raw_frames:
            d["frames"] = self._raw_frames
        return d


def typed_grid(Z: np.ndarray) -> dict:
    """A 2D float32 array as Plotly's typed-array JSON ({"dtype", "bdata", "shape"})."""
    Z = np.ascontiguousarray(np.asarray(Z, dtype="<f4"))
    return {
        "dtype": "f4",
        "bdata": base64.b64encode(Z.tobytes()).decode("ascii"),
        "shape": f"{Z.shape[0]}, {Z.shape[1]}",
    }


def decision_grid(X: np.ndarray, n: int = GRID_N, pad: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """Axis values xs, ys (n,) covering the inputs X (m, 2) with a margin, float32."""
    lo, hi = X.min(0), X.max(0)
    margin = pad * (hi - lo + 1e-9)
    xs = np.linspace(lo[0] - margin[0], hi[0] + margin[0], n, dtype=np.float32)
    ys = np.linspace(lo[1] - margin[1], hi[1] + margin[1], n, dtype=np.float32)
    return xs, ys


def _points(X: np.ndarray, y: np.ndarray, parts: Mapping[str, np.ndarray], task: str, **panel) -> list:
    """One scatter trace per split; classification colours each point by its class."""
    traces = []
    for split, idx in parts.items():
        idx = np.asarray(idx)
        if idx.size == 0:
            continue
        marker = {
            "symbol": SPLIT_SYMBOLS.get(split, "circle"),
            "size": 7,
            "line": {"width": 0.5, "color": "white"},
        }
        if task == "classification":
            marker["color"] = [CLASS_COLORS[int(c)] for c in y[idx]]
            marker["line"] = {"width": 1, "color": SPLIT_COLORS.get(split, "#555")}
            xy = (X[idx, 0], X[idx, 1])
            hover = "x₁ %{x:.2f}, x₂ %{y:.2f}<extra>" + split + "</extra>"
        else:
            marker["color"] = SPLIT_COLORS.get(split, "#555")
            xy = (X[idx, 0], y[idx])
            hover = "x %{x:.2f}, y %{y:.2f}<extra>" + split + "</extra>"
        traces.append(
            go.Scatter(
                x=xy[0].astype(np.float32),
                y=xy[1].astype(np.float32),
                mode="markers",
                marker=marker,
                name=f"{split} ({idx.size})",
                meta="points:" + split,
                hovertemplate=hover,
                **panel,
            )
        )
    return traces


def data_figure(
    model: Model,
    history: History,
    X: np.ndarray,
    y: np.ndarray,
    parts: Mapping[str, np.ndarray],
    *,
    target: Callable[[np.ndarray], np.ndarray] | None = None,
    max_frames: int = MAX_FRAMES,
    grid_n: int = GRID_N,
    height: int = 480,
) -> AnimatedFigure:
    """The data with the model's fit at each shown epoch, scrubbed in the browser.

    `parts` maps split names ("train", "validation", "test") to index arrays into X, y (leave the
    test part out until the page reveals it). Regression draws the fitted curve f(x) over
    [-1, 1] (and the noise-free `target` if given); classification draws P(class 1) on a
    grid_n x grid_n grid with the decision boundary P = 0.5. Frames (`fig.raw_frames`, named by
    epoch) replace only the fit trace; the last epoch is shown first.
    """
    epochs = frame_steps(history.epochs, max_frames)
    thetas = history.thetas[epochs]
    traces: list = []
    layout: dict = {
        "template": TEMPLATE,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60, "b": 120},
        "uirevision": "data",
    }
    with np.errstate(all="ignore"):
        if model.task == "regression":
            xs = np.linspace(-1.0, 1.0, CURVE_POINTS)
            fits = np.asarray(model.predict(thetas, xs[:, None]), dtype=np.float32)  # (K, points)
            lo, hi = float(np.min(y)), float(np.max(y))
            pad = 0.3 * (hi - lo + 1e-9)
            fits = np.clip(fits, lo - 10 * pad, hi + 10 * pad)  # a wild fit still draws, off the view
            if target is not None:
                traces.append(
                    go.Scatter(
                        x=xs.astype(np.float32),
                        y=np.asarray(target(xs), dtype=np.float32),
                        mode="lines",
                        line={"color": "#888", "dash": "dot", "width": 1.5},
                        name="true function",
                        hoverinfo="skip",
                    )
                )
            traces.extend(_points(X, y, parts, "regression"))
            fit_trace = go.Scatter(
                x=xs.astype(np.float32),
                y=fits[-1],
                mode="lines",
                line={"color": FIT_COLOR, "width": 2.5},
                name="model f(x)",
                meta="fit",
                hoverinfo="skip",
            )
            frame_data = [{"type": "scatter", "y": typed_array(f)} for f in fits]
            layout["xaxis"] = {"title": {"text": "input x"}, "range": [-1.05, 1.05]}
            layout["yaxis"] = {"title": {"text": "target y"}, "range": [lo - pad, hi + pad]}
        else:
            xs, ys = decision_grid(X, grid_n)
            grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(float)
            probs = np.asarray(model.predict(thetas, grid), dtype=np.float32).reshape(
                len(epochs), grid_n, grid_n
            )
            fit_trace = go.Contour(
                x=xs,
                y=ys,
                z=probs[-1],
                zmin=0.0,
                zmax=1.0,
                colorscale=BOUNDARY_SCALE,
                contours={"start": 0.5, "end": 0.5, "size": 0.5, "coloring": "heatmap", "showlabels": False},
                line={"color": FIT_COLOR, "width": 2},
                showscale=False,
                name="P(class 1), boundary at 0.5",
                meta="fit",
                hovertemplate="P(class 1) = %{z:.2f}<extra></extra>",
            )
            frame_data = [{"type": "contour", "z": typed_grid(p)} for p in probs]
            traces.extend(_points(X, y, parts, "classification"))
            layout["xaxis"] = {
                "title": {"text": "x₁"},
                "range": [float(xs[0]), float(xs[-1])],
                "constrain": "domain",
            }
            layout["yaxis"] = {
                "title": {"text": "x₂"},
                "range": [float(ys[0]), float(ys[-1])],
                "scaleanchor": "x",
                "scaleratio": 1,
            }
    fit_index = 0 if model.task == "classification" else len(traces)
    traces.insert(fit_index, fit_trace)
    frames = [
        {"name": str(int(e)), "data": [d], "traces": [fit_index]}
        for e, d in zip(epochs, frame_data, strict=True)
    ]
    if len(frames) > 1:
        redraw = model.task == "classification"  # a contour's z only updates with redraw
        layout["updatemenus"] = [_play(redraw)]
        layout["sliders"] = [_epoch_slider([int(e) for e in epochs], redraw)]
    return AnimatedFigure(data=traces, layout=layout, raw_frames=frames if len(frames) > 1 else None)


def _play(redraw: bool) -> dict:
    """Play / pause buttons under the plot (as the explorer's Plotly map had); `redraw` as the
    frames need it (a contour's z only updates with a redraw)."""
    play = {
        "frame": {"duration": 120, "redraw": redraw},
        "transition": {"duration": 0},
        "fromcurrent": False,
        "mode": "immediate",
    }
    pause = {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate"}
    return {
        "type": "buttons",
        "direction": "left",
        "showactive": False,
        "x": 0.0,
        "xanchor": "left",
        "y": -0.16,
        "yanchor": "top",
        "pad": {"r": 4, "t": 0},
        "buttons": [
            {"label": "▶", "method": "animate", "args": [None, play], "name": "play"},
            {"label": "❚❚", "method": "animate", "args": [[None], pause], "name": "pause"},
        ],
    }


def _epoch_slider(epochs: list[int], redraw: bool) -> dict:
    goto = {"frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}, "mode": "immediate"}
    return {
        "active": len(epochs) - 1,
        "x": 0.0,
        "len": 1.0,
        "y": -0.12,
        "yanchor": "top",
        "pad": {"t": 0, "b": 0, "l": 95},  # in pixels: clear of the play / pause buttons at any width
        "ticklen": 3,
        "font": {"color": "rgba(0,0,0,0)", "size": 8},
        # at the right end: the x axis title sits above the slider's middle
        "currentvalue": {"prefix": "epoch = ", "font": {"size": 14, "color": "#333"}, "xanchor": "right"},
        "steps": [{"label": str(e), "method": "animate", "args": [[str(e)], goto]} for e in epochs],
    }


def fits_figure(
    panels: Sequence[tuple[str, Model, np.ndarray]],
    X: np.ndarray,
    y: np.ndarray,
    parts: Mapping[str, np.ndarray],
    *,
    target: Callable[[np.ndarray], np.ndarray] | None = None,
    grid_n: int = GRID_N,
    height: int = 360,
) -> go.Figure:
    """Panels side by side, one per (title, model, theta): e.g. underfitting, a good fit and
    overfitting, all on the same data. The legend of the points shows once."""
    fig = make_subplots(
        rows=1, cols=len(panels), subplot_titles=[t for t, _, _ in panels], horizontal_spacing=0.04
    )
    lo, hi = float(np.min(y)), float(np.max(y))
    pad = 0.3 * (hi - lo + 1e-9)
    for c, (_, model, theta) in enumerate(panels, start=1):
        cell = {"row": 1, "col": c}
        with np.errstate(all="ignore"):
            if model.task == "regression":
                xs = np.linspace(-1.0, 1.0, CURVE_POINTS)
                if target is not None:
                    fig.add_trace(
                        go.Scatter(
                            x=xs,
                            y=target(xs),
                            mode="lines",
                            line={"color": "#888", "dash": "dot"},
                            name="true function",
                            showlegend=c == 1,
                            hoverinfo="skip",
                        ),
                        **cell,
                    )
                fit = np.clip(model.predict(theta, xs[:, None]), lo - 10 * pad, hi + 10 * pad)
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=fit,
                        mode="lines",
                        line={"color": FIT_COLOR, "width": 2.5},
                        name="model f(x)",
                        showlegend=c == 1,
                        meta="fit",
                        hoverinfo="skip",
                    ),
                    **cell,
                )
                fig.update_yaxes(range=[lo - pad, hi + pad], **cell)
            else:
                xs, ys = decision_grid(X, grid_n)
                grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(float)
                probs = np.asarray(model.predict(theta, grid), dtype=np.float32).reshape(grid_n, grid_n)
                fig.add_trace(
                    go.Contour(
                        x=xs,
                        y=ys,
                        z=probs,
                        zmin=0,
                        zmax=1,
                        colorscale=BOUNDARY_SCALE,
                        showscale=False,
                        contours={"start": 0.5, "end": 0.5, "size": 0.5, "coloring": "heatmap"},
                        line={"color": FIT_COLOR, "width": 2},
                        meta="fit",
                        name="boundary",
                        hoverinfo="skip",
                    ),
                    **cell,
                )
        for trace in _points(X, y, parts, model.task):
            trace.showlegend = c == 1
            trace.legendgroup = trace.meta
            fig.add_trace(trace, **cell)
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 50, "r": 20, "t": 70, "b": 70},
        legend={"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0.0},  # the titles take the top
    )
    return fig


def loss_curves_figure(
    history: History,
    *,
    metric: str = "loss",
    smoothing: float = 0.6,
    log_y: bool = True,
    height: int = 380,
) -> go.Figure:
    """Training curves against epochs, the lecture's picture.

    metric "loss": the minibatch loss of every iteration (faint) and its EMA (smoothing = the EMA
    weight, 0 for none), drawn at x = iteration / iterations per epoch, then the train and
    validation loss per epoch. metric "accuracy" (classification): train and validation accuracy
    per epoch. A dashed line marks the epoch with the lowest validation loss (early stopping).
    """
    if metric not in ("loss", "accuracy"):
        raise ValueError(f"metric must be 'loss' or 'accuracy'; got {metric!r}")
    if metric == "accuracy" and history.train_acc is None:
        raise ValueError("accuracy curves need a classification model")
    epochs = np.arange(history.epochs + 1)
    traces = []
    if metric == "loss":
        k = np.arange(1, history.iter_losses.size + 1) / history.iters_per_epoch
        raw = np.asarray(history.iter_losses, dtype=float)
        traces.append(
            go.Scatter(
                x=k,
                y=raw.astype(np.float32),
                mode="lines",
                line={"color": SPLIT_COLORS["train"], "width": 1},
                opacity=0.25,
                name="minibatch loss (per iteration)",
                meta="iterations",
                hovertemplate="iteration %{customdata}<br>loss %{y:.4g}<extra></extra>",
                customdata=np.arange(raw.size),
            )
        )
        if smoothing > 0:
            traces.append(
                go.Scatter(
                    x=k,
                    y=ema(raw, smoothing).astype(np.float32),
                    mode="lines",
                    line={"color": SPLIT_COLORS["train"], "width": 1.5, "dash": "dot"},
                    name=f"minibatch loss, EMA {smoothing:g}",
                    meta="ema",
                    hoverinfo="skip",
                )
            )
        series = {"train": history.train_loss, "validation": history.val_loss}
        title = "data loss (no L2 term)"
    else:
        series = {"train": history.train_acc, "validation": history.val_acc}
        title = "accuracy"
    for split, values in series.items():
        traces.append(
            go.Scatter(
                x=epochs,
                y=np.asarray(values, dtype=np.float32),
                mode="lines+markers" if len(epochs) <= 60 else "lines",
                line={"color": SPLIT_COLORS[split], "width": 2.5},
                marker={"size": 4},
                name=f"{split} {metric} (per epoch)",
                meta="epoch:" + split,
                hovertemplate="epoch %{x}<br>" + metric + " %{y:.4g}<extra>" + split + "</extra>",
            )
        )
    best = history.best_epoch
    layout = {
        "template": TEMPLATE,
        "height": height,
        "xaxis": {"title": {"text": "epoch"}},
        "yaxis": {"title": {"text": title}, "type": "log" if (log_y and metric == "loss") else "linear"},
        "shapes": [
            {
                "type": "line",
                "x0": best,
                "x1": best,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": BEST_COLOR, "dash": "dash", "width": 2},
            }
        ],
        "annotations": [
            {
                "x": best,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": f"best validation loss: epoch {best}",
                "font": {"color": BEST_COLOR},
            }
        ],
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        # beside the plot's top, the legend would cover the best-epoch label
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0.0},
    }
    layout["margin"]["b"] = 130
    if layout["yaxis"]["type"] == "log":
        layout["yaxis"] |= log_axis(np.concatenate([np.ravel(t.y) for t in traces]))
    return go.Figure(data=traces, layout=layout)


def _band(x, values: np.ndarray, color: str, name: str, meta: str, log_y: bool = False) -> list:
    """Mean line with a +-1 std band over the last axis of values (x.size, runs). On a log axis
    the band's lower edge stops at a tenth of the mean (mean - std may be 0 or negative)."""
    values = np.asarray(values, dtype=float)
    mean, std = np.nanmean(values, axis=-1), np.nanstd(values, axis=-1)
    lower = np.maximum(mean - std, mean / 10) if log_y else mean - std
    x = np.asarray(x, dtype=float)
    return [
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([mean + std, lower[::-1]]),
            fill="toself",
            mode="lines",  # no markers at the band's corners
            fillcolor=color,
            opacity=0.18,
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            meta="band:" + meta,
        ),
        go.Scatter(
            x=x,
            y=mean,
            mode="lines+markers",
            line={"color": color, "width": 2.5},
            name=name,
            meta=meta,
            error_y=None,
            hovertemplate="%{x:.4g}: %{y:.4g}<extra>" + name + "</extra>",
        ),
    ]


def learning_curve_figure(
    sizes: Sequence[int],
    train_error: np.ndarray,
    val_error: np.ndarray,
    *,
    human_error: float | None = None,
    error_label: str = "error",
    log_y: bool = False,
    height: int = 360,
) -> go.Figure:
    """Train and validation error against the training-set size n: mean over runs (seeds) with a
    +-1 std band. Errors have shape (len(sizes), runs). `human_error` draws the best reachable
    error (e.g. the label-noise rate) as a dotted line. `log_y` for errors that span decades."""
    traces = _band(sizes, train_error, SPLIT_COLORS["train"], f"training {error_label}", "train", log_y)
    traces += _band(
        sizes, val_error, SPLIT_COLORS["validation"], f"validation {error_label}", "validation", log_y
    )
    layout = {
        "template": TEMPLATE,
        "height": height,
        "xaxis": {"title": {"text": "training-set size n"}},
        "yaxis": _error_axis(error_label, log_y, train_error, val_error),
    }
    if human_error is not None:
        layout["shapes"] = [_hline(human_error)]
        # an annotation on a log axis is placed in log10 units (a shape in data units)
        at = float(np.log10(human_error)) if log_y and human_error > 0 else human_error
        layout["annotations"] = [_hline_label(at, "human-level (best reachable)")]
    return go.Figure(data=traces, layout=layout)


def validation_curve_figure(
    values: Sequence[float],
    train_error: np.ndarray,
    val_error: np.ndarray,
    *,
    name: str,
    log_x: bool = False,
    error_label: str = "error",
    log_y: bool = False,
    height: int = 360,
) -> go.Figure:
    """Train and validation error against one hyperparameter (degree, L2 strength, width), mean
    and +-1 std over the last axis (folds or seeds); the value with the lowest mean validation
    error is starred. `log_y` for errors that span decades."""
    traces = _band(values, train_error, SPLIT_COLORS["train"], f"training {error_label}", "train", log_y)
    traces += _band(
        values, val_error, SPLIT_COLORS["validation"], f"validation {error_label}", "validation", log_y
    )
    mean_val = np.nanmean(np.asarray(val_error, dtype=float), axis=-1)
    best = int(np.nanargmin(mean_val))
    traces.append(_best_star(values[best], mean_val[best], f"best {name} = {values[best]:g}"))
    layout = {
        "template": TEMPLATE,
        "height": height,
        "xaxis": _value_axis(name, values, log_x),
        "yaxis": _error_axis(error_label, log_y, train_error, val_error),
    }
    return go.Figure(data=traces, layout=layout)


def _error_axis(label: str, log_y: bool, *errors: np.ndarray) -> dict:
    """An error axis; on a log scale with readable ticks for the range of the mean errors."""
    if not log_y:
        return {"title": {"text": label}}
    means = np.concatenate([np.nanmean(np.asarray(e, dtype=float), axis=-1) for e in errors])
    return {"title": {"text": label}} | log_axis(means)


def _value_axis(name: str, values: Sequence[float], log_x: bool) -> dict:
    """A hyperparameter axis; on a log scale, ticks at the values themselves (1e-05, 0.001, ...)
    rather than Plotly's SI labels (10μ) and bare minor digits."""
    axis: dict = {"title": {"text": name}, "type": "log" if log_x else "linear"}
    if log_x:
        axis |= {
            "tickmode": "array",
            "tickvals": list(map(float, values)),
            "ticktext": [f"{v:g}" for v in values],
        }
    return axis


def _hline(y: float) -> dict:
    return {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "y0": y,
        "y1": y,
        "line": {"color": "#555", "dash": "dot", "width": 1.5},
    }


def _hline_label(y: float, text: str) -> dict:
    return {
        "xref": "paper",
        "x": 1.0,
        "xanchor": "right",
        "y": y,
        "yanchor": "bottom",
        "text": text,
        "showarrow": False,
        "font": {"size": 12, "color": "#555"},
    }


def fold_diagram(
    folds: Sequence[tuple[np.ndarray, np.ndarray]], n: int, *, height: int | None = None
) -> go.Figure:
    """Which samples validate in which split: one row per split, one column per sample (ordered by
    the fold it validates in), validation cells orange, training cells blue, samples in neither
    (the held-out test part) grey."""
    k = len(folds)
    order = np.concatenate([np.sort(np.asarray(v)) for _, v in folds])
    rest = np.setdiff1d(np.arange(n), order)
    columns = np.concatenate([order, rest])
    role = np.zeros((k, n), dtype=np.int8)  # 0 neither, 1 train, 2 validation
    for i, (tr, va) in enumerate(folds):
        role[i, np.asarray(tr)] = 1
        role[i, np.asarray(va)] = 2
    z = role[:, columns]
    scale = [
        [0.0, "#e6e6e6"],
        [0.33, "#e6e6e6"],
        [0.34, SPLIT_COLORS["train"]],
        [0.66, SPLIT_COLORS["train"]],
        [0.67, SPLIT_COLORS["validation"]],
        [1.0, SPLIT_COLORS["validation"]],
    ]
    trace = go.Heatmap(
        z=z,
        x=np.arange(n),
        y=[f"split {i + 1}" for i in range(k)],
        zmin=0,
        zmax=2,
        colorscale=scale,
        showscale=False,
        customdata=np.broadcast_to(columns, (k, n)),
        xgap=0,
        ygap=2,
        hovertemplate="%{y}, sample %{customdata}<extra></extra>",
        meta="folds",
    )
    legend = [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "square", "size": 12, "color": c},
            name=label,
        )
        for label, c in (("train", SPLIT_COLORS["train"]), ("validation", SPLIT_COLORS["validation"]))
    ]
    if rest.size:
        legend.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name="test (held out)",
                marker={"symbol": "square", "size": 12, "color": "#e6e6e6"},
            )
        )
    layout = {
        "template": TEMPLATE,
        "height": height or 60 + 34 * k,
        "xaxis": {
            "title": {"text": "samples (ordered by the fold they validate in)"},
            "showgrid": False,
            "showticklabels": False,
        },
        "yaxis": {"autorange": "reversed", "showgrid": False},
        "margin": {"l": 70, "r": 20, "t": 40, "b": 40},
    }
    return go.Figure(data=[trace, *legend], layout=layout)


def cv_scores_figure(
    values: Sequence[float],
    scores: np.ndarray,
    *,
    name: str,
    score_label: str = "validation error",
    single_split: np.ndarray | None = None,
    log_x: bool = False,
    height: int = 360,
) -> go.Figure:
    """k-fold CV: every fold's validation score per hyperparameter value (dots), their mean +- std
    (line and error bars), and optionally a single validation split's score for comparison.
    `scores` has shape (len(values), k)."""
    scores = np.asarray(scores, dtype=float)
    x = np.asarray(values, dtype=float)
    k = scores.shape[1]
    jitter = np.repeat(x[:, None], k, axis=1)
    traces = [
        go.Scatter(
            x=jitter.ravel(),
            y=scores.ravel(),
            mode="markers",
            marker={"size": 6, "color": "#999", "opacity": 0.7},
            name="each fold",
            meta="folds",
            customdata=np.tile(np.arange(1, k + 1), len(x)),
            hovertemplate=name + " %{x:.4g}, fold %{customdata}: %{y:.4g}<extra></extra>",
        ),
        go.Scatter(
            x=x,
            y=scores.mean(1),
            mode="lines+markers",
            name=f"mean of {k} folds ± std",
            meta="mean",
            line={"color": SPLIT_COLORS["validation"], "width": 2.5},
            error_y={"type": "data", "array": scores.std(1), "visible": True, "thickness": 1.5},
        ),
    ]
    if single_split is not None:
        traces.append(
            go.Scatter(
                x=x,
                y=np.asarray(single_split, dtype=float),
                mode="lines+markers",
                meta="single",
                name="one validation split",
                line={"color": "#555", "dash": "dot", "width": 2},
            )
        )
    best = int(np.argmin(scores.mean(1)))
    traces.append(_best_star(x[best], scores.mean(1)[best], f"CV pick: {name} = {x[best]:g}"))
    layout = {
        "template": TEMPLATE,
        "height": height,
        "xaxis": _value_axis(name, values, log_x),
        "yaxis": {"title": {"text": score_label}},
    }
    return go.Figure(data=traces, layout=layout)


def _best_star(x: float, y: float, name: str) -> go.Scatter:
    """The star that marks the chosen value on a validation or CV curve."""
    marker = {"symbol": "star", "size": 16, "color": BEST_COLOR, "line": {"width": 1, "color": "black"}}
    return go.Scatter(x=[x], y=[y], mode="markers", name=name, marker=marker, meta="best")
