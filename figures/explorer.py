"""Figure builders for the explorer page (pure: NumPy, Plotly and the engine; never streamlit).

- `landscape_figure`: contour of the loss, every optimizer's path, start and minima, a transparent
  scatter grid that makes a click on the map report coordinates (contour traces report none), and
  Plotly animation frames that advance the path traces only (the contour stays static; a play
  button and a step slider run in the browser, without rerunning the script). On data surfaces
  (linear regression, curve fit) a second panel shows the data and each optimizer's fitted
  line or curve, animated by the same frames, so parameter space and data space move together.
- `loss_figure`: L(θ_k) - L* against step k on a log axis, with EMA smoothing.
- `lr_figure`: the learning rate α_k each optimizer used (and LM's damping λ_k).
- `surface3d_figure`: the loss surface in 3D with the paths on it (stable `uirevision`).
- `schedule_figure`: a small chart of a learning-rate schedule.
- `summary_rows`: the numbers of the summary table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from figures import (
    TEMPLATE,
    AnimatedFigure,
    apply_levels,
    contour_trace,
    level_transform,
    optimizer_color,
    typed_array,
)
from surfaces.base import LOSS_FLOOR

__all__ = [
    "PATH_TRACE_PREFIX",
    "ema",
    "finite_length",
    "frame_steps",
    "landscape_figure",
    "loss_figure",
    "lr_figure",
    "schedule_figure",
    "summary_rows",
    "surface3d_figure",
]

PATH_TRACE_PREFIX = "path:"
CLICK_GRID_NAME = "click grid"
MARKER_STEPS = 100  # paths up to this many steps get a dot per step


def _label(name: str, labels: Mapping[str, str] | None) -> str:
    if labels and name in labels:
        return labels[name]
    try:
        from optimizers import OPTIMIZERS

        return OPTIMIZERS[name].label
    except (ImportError, KeyError):
        return name


def finite_length(traj) -> int:
    """Number of leading points of a trajectory whose coordinates and loss are all finite."""
    ok = np.isfinite(traj.points).all(axis=1) & np.isfinite(traj.losses)
    bad = np.flatnonzero(~ok)
    return int(bad[0]) if bad.size else len(ok)


def frame_steps(n_steps: int, max_frames: int) -> np.ndarray:
    """Steps shown by the animation frames: at most `max_frames`, evenly spaced, 0 and n_steps
    included."""
    count = max(2, min(n_steps + 1, max_frames))
    return np.unique(np.linspace(0, n_steps, count).round().astype(int))


def _f32(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def _path_hover(label: str, axis_labels: Sequence[str]) -> str:
    a, b = axis_labels
    return (
        f"<b>{label}</b><br>step k = %{{customdata[0]:.0f}}<br>"
        f"{a} = %{{x:.4g}}, {b} = %{{y:.4g}}<br>L = %{{customdata[1]:.4g}}<extra></extra>"
    )


def _click_grid(surface, n: int, axis_labels: Sequence[str]) -> go.Scatter:
    """Invisible markers on an n x n lattice: clicking one reports its (x, y) to on_select.

    `marker.maxdisplayed = 1` draws one marker node instead of n²: Plotly still hovers, clicks and
    selects every point (from the data, not the DOM), and each redraw of the map is much cheaper
    (about 2.6x fewer DOM mutations; measured in headless Chromium)."""
    (x0, x1), (y0, y1) = surface.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        L = np.asarray(surface.value(np.stack([X, Y], axis=-1)), dtype=float)
    a, b = axis_labels
    return go.Scatter(
        x=_f32(X.ravel()),
        y=_f32(Y.ravel()),
        customdata=_f32(L.ravel()),
        mode="markers",
        marker={"size": 9, "color": "rgba(0,0,0,0)", "maxdisplayed": 1},
        selected={"marker": {"opacity": 0}},
        unselected={"marker": {"opacity": 0}},
        hovertemplate=f"{a} = %{{x:.3g}}, {b} = %{{y:.3g}}<br>L = %{{customdata:.4g}}"
        "<br><i>click to start here</i><extra></extra>",
        name=CLICK_GRID_NAME,
        showlegend=False,
    )


def landscape_figure(
    surface,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    trajectories: Mapping[str, object],
    *,
    start: Sequence[float],
    log_levels: bool,
    labels: Mapping[str, str] | None = None,
    max_frames: int = 40,
    click_grid_n: int = 41,
    height: int = 560,
) -> AnimatedFigure:
    """Contour map with the paths, start, minima, click grid and animation frames.

    Parameters
    ----------
    surface : Surface
        Gives bounds, minima, min_value, axis_labels and, on data surfaces, data and predict.
    grid : (xs (n,), ys (n,), Z (n, n))
        From `figures.surface_grid`; cached by the caller.
    trajectories : mapping optimizer name -> Trajectory
        Drawn in this order, one colour per optimizer (`figures.OPTIMIZER_COLORS`).
    start : (x, y)
        The start point θ_0, drawn as a ring.

    Path traces carry `meta="path:<optimizer>"`. The animation frames (`fig.raw_frames`, one per
    shown step, named by the step) update only them and, on data surfaces, the fitted curves; the
    figure opens at the last frame, so all paths are complete.
    """
    xs, ys, Z = grid
    axis_labels = tuple(getattr(surface, "axis_labels", ("x", "y")))
    data = getattr(surface, "data", None)
    has_data = data is not None and hasattr(surface, "predict")
    traces: list = []

    traces.append(
        contour_trace(
            xs,
            ys,
            Z,
            log_levels=log_levels,
            min_value=getattr(surface, "min_value", None),
            showscale=not has_data,
        )
    )
    traces.append(_click_grid(surface, click_grid_n, axis_labels))

    minima = np.asarray(getattr(surface, "minima", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
    if len(minima):
        traces.append(
            go.Scatter(
                x=minima[:, 0],
                y=minima[:, 1],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 15,
                    "color": "white",
                    "line": {"color": "black", "width": 1.5},
                },
                name="minimum θ*",
                hovertemplate="minimum θ*<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
            )
        )
    traces.append(
        go.Scatter(
            x=[float(start[0])],
            y=[float(start[1])],
            mode="markers",
            marker={"symbol": "circle-open", "size": 16, "color": "black", "line": {"width": 3}},
            name="start θ₀",
            hovertemplate="start θ₀<br>(%{x:.4g}, %{y:.4g})<extra></extra>",
        )
    )

    # Path traces (animated).
    animated: list[int] = []
    paths: dict[str, np.ndarray] = {}
    n_max = 0
    for name, traj in trajectories.items():
        m = finite_length(traj)
        pts = np.asarray(traj.points[:m], dtype=float)
        paths[name] = pts
        n_max = max(n_max, m - 1)
        label = _label(name, labels)
        color = optimizer_color(name)
        steps = np.arange(m, dtype=np.float32)
        traces.append(
            go.Scatter(
                x=_f32(pts[:, 0]),
                y=_f32(pts[:, 1]),
                customdata=np.stack([steps, _f32(traj.losses[:m])], axis=1),
                # A dot per step shows the step lengths; beyond MARKER_STEPS the dots merge into a
                # blob and cost a DOM node each, so long paths are lines only.
                mode="lines+markers" if m <= MARKER_STEPS + 1 else "lines",
                line={"color": color, "width": 2.5},
                marker={"color": color, "size": 5},
                name=label,
                legendgroup=name,
                meta=PATH_TRACE_PREFIX + name,
                hovertemplate=_path_hover(label, axis_labels),
            )
        )
        animated.append(len(traces) - 1)

    # Data panel: points, the least-squares fit, and each optimizer's fit (animated).
    xgrid = None
    if has_data:
        inputs, targets = (np.asarray(a, dtype=float) for a in data)
        panel = {"xaxis": "x2", "yaxis": "y2"}
        traces.append(
            go.Scatter(
                x=_f32(inputs),
                y=_f32(targets),
                mode="markers",
                marker={"color": "#555", "size": 7, "opacity": 0.75},
                name="data (x_i, y_i)",
                hovertemplate="x = %{x:.3g}<br>y = %{y:.3g}<extra>data</extra>",
                **panel,
            )
        )
        xgrid = np.linspace(float(inputs.min()), float(inputs.max()), 60)
        if len(minima):
            traces.append(
                go.Scatter(
                    x=_f32(xgrid),
                    y=_f32(np.asarray(surface.predict(minima[0], xgrid), dtype=float)),
                    mode="lines",
                    line={"color": "#555", "dash": "dash", "width": 1.5},
                    name="best fit (at θ*)",
                    hoverinfo="skip",
                    **panel,
                )
            )
        for name, pts in paths.items():
            with np.errstate(all="ignore"):
                yfit = np.asarray(surface.predict(pts[-1], xgrid), dtype=float)
            traces.append(
                go.Scatter(
                    x=_f32(xgrid),
                    y=_f32(yfit),
                    mode="lines",
                    line={"color": optimizer_color(name), "width": 2.5},
                    name=_label(name, labels),
                    legendgroup=name,
                    showlegend=False,
                    meta="fit:" + name,
                    hoverinfo="skip",
                    **panel,
                )
            )
            animated.append(len(traces) - 1)

    # Animation frames: only the path (and fit) traces change; redraw=False keeps the contour.
    ks = frame_steps(n_max, max_frames) if paths else np.array([0])
    fits = {}
    if has_data:
        for name, pts in paths.items():
            idx = np.minimum(ks, len(pts) - 1)
            with np.errstate(all="ignore"):
                fits[name] = np.asarray(surface.predict(pts[idx], xgrid), dtype=float)
    frames = []
    for i, k in enumerate(ks):
        fdata = []
        for pts in paths.values():
            j = min(int(k), len(pts) - 1)
            fdata.append(
                {
                    "type": "scatter",
                    "x": typed_array(pts[: j + 1, 0]),
                    "y": typed_array(pts[: j + 1, 1]),
                }
            )
        for name in fits:
            fdata.append({"type": "scatter", "y": typed_array(fits[name][i])})
        frames.append({"name": str(int(k)), "data": fdata, "traces": animated})

    (x0, x1), (y0, y1) = surface.bounds
    a, b = axis_labels
    layout: dict = {
        "template": TEMPLATE,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 70, "b": 130},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.06, "x": 0.0},
        "uirevision": "landscape",
        "dragmode": "pan",
        "xaxis": {"title": {"text": a}, "range": [x0, x1], "constrain": "domain"},
        "yaxis": {"title": {"text": b}, "range": [y0, y1]},
    }
    if has_data:
        (lo, hi) = float(np.nanmin(targets)), float(np.nanmax(targets))
        pad = 0.25 * (hi - lo + 1e-9)
        layout["xaxis"]["domain"] = [0.0, 0.54]
        layout["xaxis2"] = {"domain": [0.64, 1.0], "anchor": "y2", "title": {"text": "input x"}}
        layout["yaxis2"] = {
            "anchor": "x2",
            "range": [lo - pad, hi + pad],
            "title": {"text": "target y"},
        }
        layout["annotations"] = [
            _panel_title("parameter space: loss L(θ)", 0.27),
            _panel_title("data space: the fit at step k", 0.82),
        ]
    elif axis_labels == ("x", "y"):
        # Equal scale on both axes, so an elongated valley looks elongated.
        layout["yaxis"].update(scaleanchor="x", scaleratio=1, constrain="domain")
    if len(frames) > 1:
        layout["updatemenus"] = [_play_buttons()]
        layout["sliders"] = [_step_slider([int(k) for k in ks])]
    return AnimatedFigure(data=traces, layout=layout, raw_frames=frames if len(frames) > 1 else None)


def _panel_title(text: str, x: float) -> dict:
    return {
        "text": f"<b>{text}</b>",
        "x": x,
        "xref": "paper",
        "xanchor": "center",
        "y": 1.0,
        "yref": "paper",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 13},
    }


def _play_buttons() -> dict:
    play = {
        "frame": {"duration": 80, "redraw": False},
        "transition": {"duration": 0},
        "fromcurrent": False,
        "mode": "immediate",
    }
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
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


def _step_slider(ks: list[int]) -> dict:
    goto = {
        "frame": {"duration": 0, "redraw": False},
        "transition": {"duration": 0},
        "mode": "immediate",
    }
    return {
        "active": len(ks) - 1,
        "x": 0.16,
        "len": 0.84,
        "y": -0.12,
        "yanchor": "top",
        "pad": {"t": 0, "b": 0},
        "ticklen": 3,
        "font": {"color": "rgba(0,0,0,0)", "size": 8},  # no tick labels: currentvalue says k
        "currentvalue": {"prefix": "step k = ", "font": {"size": 14}, "xanchor": "left"},
        "steps": [
            {
                "label": str(k),
                "method": "animate",
                "args": [[str(k)], {**goto, "mode": "immediate"}],
            }
            for k in ks
        ],
    }


# --------------------------------------------------------------------------- curves against step


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased exponential moving average (TensorBoard's smoothing); weight 0 returns values."""
    values = np.asarray(values, dtype=float)
    if weight <= 0 or values.size == 0:
        return values
    out = np.empty_like(values)
    s = 0.0
    for i, v in enumerate(values):
        s = weight * s + (1.0 - weight) * v
        out[i] = s / (1.0 - weight ** (i + 1))
    return out


def _loss_gap(traj, min_value: float | None) -> tuple[np.ndarray, bool]:
    m = finite_length(traj)
    losses = np.asarray(traj.losses[:m], dtype=float)
    if min_value is not None and math.isfinite(min_value):
        return np.maximum(losses - min_value, LOSS_FLOOR), True
    return losses, False


def loss_figure(
    trajectories: Mapping[str, object],
    *,
    min_value: float | None,
    smoothing: float = 0.0,
    labels: Mapping[str, str] | None = None,
    height: int = 360,
) -> go.Figure:
    """Loss against step k: L(θ_k) - L* on a log axis when L* is known, else L(θ_k) linear.

    With `smoothing` > 0 the raw curve is drawn faint and its EMA bold, as for noisy training
    curves. On the log axis the EMA is taken of log10(L - L*), so exponential decay stays straight.
    """
    traces: list = []
    log_axis = min_value is not None and math.isfinite(min_value)
    for name, traj in trajectories.items():
        y, _ = _loss_gap(traj, min_value)
        k = np.arange(len(y))
        label = _label(name, labels)
        color = optimizer_color(name)
        smooth = smoothing > 0 and len(y) > 1
        traces.append(
            go.Scatter(
                x=k,
                y=_f32(y),
                mode="lines",
                line={"color": color, "width": 1 if smooth else 2.5},
                opacity=0.35 if smooth else 1.0,
                name=label if not smooth else f"{label} (raw)",
                legendgroup=name,
                showlegend=not smooth,
                hovertemplate=f"<b>{label}</b><br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
            )
        )
        if smooth:
            ys = 10 ** ema(np.log10(y), smoothing) if log_axis else ema(y, smoothing)
            traces.append(
                go.Scatter(
                    x=k,
                    y=_f32(ys),
                    mode="lines",
                    line={"color": color, "width": 2.5},
                    name=label,
                    legendgroup=name,
                    hovertemplate=f"<b>{label}</b> (EMA)<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
                )
            )
    layout = {
        "template": TEMPLATE,
        "height": height,
        "xaxis": {"title": {"text": "step k"}},
        "yaxis": {
            "title": {"text": "L(θ_k) − L*  (log scale)" if log_axis else "loss L(θ_k)"},
            "type": "log" if log_axis else "linear",
            "exponentformat": "power",
            "automargin": True,  # wide labels such as −3.5×10⁴ (saddle) push the title aside
        },
        "uirevision": "loss",
    }
    return go.Figure(data=traces, layout=layout)


def lr_figure(
    trajectories: Mapping[str, object],
    *,
    labels: Mapping[str, str] | None = None,
    height: int = 320,
) -> go.Figure:
    """Learning rate α_k against step for each optimizer (log axis).

    LM's damping λ_k, when present, is drawn dotted on a second axis on the right."""
    traces: list = []
    has_lambda = False
    for name, traj in trajectories.items():
        label = _label(name, labels)
        color = optimizer_color(name)
        lrs = np.asarray(traj.lrs, dtype=float)
        if lrs.size:
            traces.append(
                go.Scatter(
                    x=np.arange(lrs.size),
                    y=_f32(lrs),
                    mode="lines",
                    line={"color": color, "width": 2.5, "shape": "hv"},
                    name=f"{label}: α_k",
                    legendgroup=name,
                    hovertemplate=f"<b>{label}</b><br>step %{{x}}<br>α = %{{y:.4g}}<extra></extra>",
                )
            )
        lambdas = getattr(traj, "lambdas", None)
        if lambdas is not None and len(lambdas):
            has_lambda = True
            lam = np.asarray(lambdas, dtype=float)
            traces.append(
                go.Scatter(
                    x=np.arange(lam.size),
                    y=_f32(lam),
                    mode="lines",
                    line={"color": color, "width": 2, "dash": "dot", "shape": "hv"},
                    name=f"{label}: damping λ_k",
                    legendgroup=name,
                    yaxis="y2",
                    hovertemplate=f"<b>{label}</b><br>step %{{x}}<br>λ = %{{y:.4g}}<extra></extra>",
                )
            )
    layout: dict = {
        "template": TEMPLATE,
        "height": height,
        "xaxis": {"title": {"text": "step k"}},
        "yaxis": {"title": {"text": "learning rate α_k"}, "type": "log", "exponentformat": "power"},
        "uirevision": "lr",
    }
    if has_lambda:
        layout["yaxis2"] = {
            "title": {"text": "LM damping λ_k"},
            "type": "log",
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "exponentformat": "power",
        }
    return go.Figure(data=traces, layout=layout)


def schedule_figure(values: np.ndarray, *, height: int = 150) -> go.Figure:
    """A small chart of the schedule's factor α / α₀ over epochs, for the sidebar."""
    values = np.asarray(values, dtype=float)
    fig = go.Figure(
        go.Scatter(
            x=np.arange(values.size),
            y=_f32(values),
            mode="lines",
            line={"color": "#333", "width": 2, "shape": "hv"},
            hovertemplate="epoch %{x}<br>α / α₀ = %{y:.4g}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 45, "r": 8, "t": 8, "b": 35},
        xaxis_title="epoch",
        yaxis_title="α / α₀",
        showlegend=False,
        font_size=11,
    )
    return fig


# --------------------------------------------------------------------------- 3D


def surface3d_figure(
    surface,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    trajectories: Mapping[str, object],
    *,
    log_levels: bool,
    labels: Mapping[str, str] | None = None,
    max_grid: int = 60,
    height: int = 600,
) -> go.Figure:
    """The loss surface with the paths lying on it.

    `layout.uirevision` depends only on the surface, so the camera a user chose survives reruns
    that change the paths; a new surface resets it.
    """
    xs, ys, Z = grid
    stride = max(1, math.ceil(len(xs) / max_grid))
    xs, ys, Z = xs[::stride], ys[::stride], Z[::stride, ::stride]
    min_value = getattr(surface, "min_value", None)
    zt, floor, delta = level_transform(Z, log_levels=log_levels, min_value=min_value)
    fig = go.Figure(
        go.Surface(
            x=xs,
            y=ys,
            z=_f32(zt),
            colorscale="Greys",
            reversescale=True,
            opacity=0.85,
            showscale=False,
            name="loss",
            hoverinfo="skip",
            contours={"z": {"show": True, "usecolormap": False, "color": "#666", "width": 1}},
        )
    )
    zmin = float(np.nanmin(zt)) if np.isfinite(zt).any() else 0.0
    zmax = float(np.nanmax(zt)) if np.isfinite(zt).any() else 1.0
    lift = 0.01 * (zmax - zmin)
    (x0, x1), (y0, y1) = surface.bounds
    for name, traj in trajectories.items():
        m = finite_length(traj)
        pts = traj.points[:m]
        inside = (pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)
        z = apply_levels(traj.losses[:m], floor, delta, log_levels=log_levels)
        z = np.where(inside, np.clip(z, zmin, zmax) + lift, np.nan)
        label = _label(name, labels)
        fig.add_trace(
            go.Scatter3d(
                x=_f32(pts[:, 0]),
                y=_f32(pts[:, 1]),
                z=_f32(z),
                mode="lines+markers",
                line={"color": optimizer_color(name), "width": 6},
                marker={"color": optimizer_color(name), "size": 2.5},
                name=label,
                hovertemplate=f"<b>{label}</b><br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
            )
        )
    a, b = getattr(surface, "axis_labels", ("x", "y"))
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 0, "r": 0, "t": 30, "b": 0},
        scene={
            "xaxis": {"title": {"text": a}, "range": [x0, x1]},
            "yaxis": {"title": {"text": b}, "range": [y0, y1]},
            "zaxis": {"title": {"text": "log₁₀ loss" if log_levels else "loss L"}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1.4, "y": 1.4 * (y1 - y0) / (x1 - x0), "z": 0.7},
        },
        uirevision=f"surface3d:{getattr(surface, 'name', '')}",
    )
    return fig


# --------------------------------------------------------------------------- summary table


def summary_rows(
    trajectories: Mapping[str, object],
    surface,
    *,
    tol: float,
    labels: Mapping[str, str] | None = None,
) -> list[dict]:
    """One row per optimizer: final loss, distance to the nearest minimum, steps until
    L(θ_k) - L* <= tol (None if never, or if L* is unknown), status and message."""
    minima = np.asarray(getattr(surface, "minima", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
    min_value = getattr(surface, "min_value", None)
    known_min = min_value is not None and math.isfinite(min_value)
    rows = []
    for name, traj in trajectories.items():
        m = finite_length(traj)
        last = traj.points[m - 1] if m else np.array([np.nan, np.nan])
        final_loss = float(traj.losses[m - 1]) if m else float("nan")
        dist = float(np.min(np.linalg.norm(minima - last, axis=1))) if len(minima) else None
        reached = traj.first_hit(min_value + tol) if known_min and m else None
        rows.append(
            {
                "optimizer": _label(name, labels),
                "final loss": final_loss,
                "distance to nearest minimum": dist,
                "steps to tolerance": reached,
                "steps run": int(traj.n_steps),
                "status": str(traj.status),
                "message": str(traj.message),
            }
        )
    return rows
