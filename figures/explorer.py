"""Figure builders for the explorer page (pure: NumPy, Plotly and the engine; never streamlit).

- The map itself is drawn in the browser by a component (`figures.map_data` builds its data).
- `loss_figure`: L(θ_k) - L* against step k on a log axis, with EMA smoothing.
- `lr_figure`: the learning rate α_k each optimizer used (and LM's damping λ_k).
  Both return plain figure dicts (drawn on every rerun; no go.Figure validation on that path).
- `surface3d_figure`: the loss surface in 3D with the paths on it (stable `uirevision`).
- `schedule_figure`: a small chart of a learning-rate schedule.
- `summary_rows`: the numbers of the summary table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from figures import TEMPLATE, apply_levels, level_transform, optimizer_color
from surfaces.base import LOSS_FLOOR

__all__ = [
    "ema",
    "finite_length",
    "frame_steps",
    "loss_figure",
    "lr_figure",
    "schedule_figure",
    "summary_rows",
    "surface3d_figure",
]

MARKER_STEPS = 100  # paths up to this many steps get a dot per step
_TEMPLATE = TEMPLATE.to_plotly_json()  # the template as a plain dict, for the dict figures


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
    predicted: Mapping[str, np.ndarray] | None = None,
) -> dict:
    """Loss against step k: L(θ_k) - L* on a log axis when L* is known, else L(θ_k) linear.

    With `smoothing` > 0 the raw curve is drawn faint and its EMA bold, as for noisy training
    curves. On the log axis the EMA is taken of log10(L - L*), so exponential decay stays straight.
    `predicted` (optimizer -> (k+1,) predicted L - L*, `optimizers.theory.predicted_loss_gap`) adds
    a dashed line next to that optimizer's curve (on the log axis only).

    Returns a Plotly figure as a plain dict ({"data": [trace dicts], "layout": dict}, arrays as
    float32/int NumPy arrays): built on every rerun, it skips go.Figure's validation (about 10 ms);
    `go.Figure(fig)` checks it (the tests do).
    """
    traces: list[dict] = []
    log_axis = min_value is not None and math.isfinite(min_value)
    for name, traj in trajectories.items():
        y, _ = _loss_gap(traj, min_value)
        k = np.arange(len(y), dtype=np.int32)
        label = _label(name, labels)
        color = optimizer_color(name)
        smooth = smoothing > 0 and len(y) > 1
        traces.append(
            {
                "type": "scatter",
                "x": k,
                "y": _f32(y),
                "mode": "lines",
                "line": {"color": color, "width": 1 if smooth else 2.5},
                "opacity": 0.35 if smooth else 1.0,
                "name": label if not smooth else f"{label} (raw)",
                "legendgroup": name,
                "showlegend": not smooth,
                "hovertemplate": f"<b>{label}</b><br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
            }
        )
        if smooth:
            ys = 10 ** ema(np.log10(y), smoothing) if log_axis else ema(y, smoothing)
            traces.append(
                {
                    "type": "scatter",
                    "x": k,
                    "y": _f32(ys),
                    "mode": "lines",
                    "line": {"color": color, "width": 2.5},
                    "name": label,
                    "legendgroup": name,
                    "hovertemplate": f"<b>{label}</b> (EMA)<br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
                }
            )
    for name, gap in (predicted or {}).items() if log_axis else ():
        label = f"{_label(name, labels)}, predicted"
        tiny = np.asarray(gap, dtype=float) < 1e-300  # the log axis cannot draw 0
        traces.append(
            {
                "type": "scatter",
                "x": np.arange(len(gap), dtype=np.int32),
                "y": _f32(np.where(tiny, np.nan, gap)),
                "mode": "lines",
                "line": {"color": optimizer_color(name), "width": 1.8, "dash": "dash"},
                "name": label,
                "legendgroup": name,
                "meta": f"predicted:{name}",
                "hovertemplate": f"<b>{label}</b><br>step %{{x}}<br>%{{y:.4g}}<extra></extra>",
            }
        )
    layout = {
        "template": _TEMPLATE,
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
    return {"data": traces, "layout": layout}


def lr_figure(
    trajectories: Mapping[str, object],
    *,
    labels: Mapping[str, str] | None = None,
    height: int = 320,
) -> dict:
    """Learning rate α_k against step for each optimizer (log axis).

    LM's damping λ_k, when present, is drawn dotted on a second axis on the right. A plain
    figure dict, like `loss_figure`."""
    traces: list[dict] = []
    has_lambda = False
    for name, traj in trajectories.items():
        label = _label(name, labels)
        color = optimizer_color(name)
        lrs = np.asarray(traj.lrs, dtype=float)
        if lrs.size:
            traces.append(
                {
                    "type": "scatter",
                    "x": np.arange(lrs.size, dtype=np.int32),
                    "y": _f32(lrs),
                    "mode": "lines",
                    "line": {"color": color, "width": 2.5, "shape": "hv"},
                    "name": f"{label}: α_k",
                    "legendgroup": name,
                    "hovertemplate": f"<b>{label}</b><br>step %{{x}}<br>α = %{{y:.4g}}<extra></extra>",
                }
            )
        lambdas = getattr(traj, "lambdas", None)
        if lambdas is not None and len(lambdas):
            has_lambda = True
            lam = np.asarray(lambdas, dtype=float)
            traces.append(
                {
                    "type": "scatter",
                    "x": np.arange(lam.size, dtype=np.int32),
                    "y": _f32(lam),
                    "mode": "lines",
                    "line": {"color": color, "width": 2, "dash": "dot", "shape": "hv"},
                    "name": f"{label}: damping λ_k",
                    "legendgroup": name,
                    "yaxis": "y2",
                    "hovertemplate": f"<b>{label}</b><br>step %{{x}}<br>λ = %{{y:.4g}}<extra></extra>",
                }
            )
    layout: dict = {
        "template": _TEMPLATE,
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
    return {"data": traces, "layout": layout}


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
