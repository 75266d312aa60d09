"""Figure builders for the explorer page (pure: NumPy, Plotly and the engine; never streamlit).

- The map itself is drawn in the browser by a component (`figures.map_data` builds its data).
- `loss_figure`: L(θ_k) - L* against step k on a log axis, with EMA smoothing.
- `lr_figure`: the learning rate α_k each optimizer used (methods that have one).
- `damping_figure`: LM's damping λ_k from λ_0 on, accepted and rejected trials marked.
  `loss_figure` and `lr_figure` return plain figure dicts (drawn on every rerun; no go.Figure
  validation on that path); `damping_figure` a go.Figure (a lazy tab).
- `surface3d_figure`: the loss surface in 3D with the paths on it (stable `uirevision`).
- `schedule_figure`: a small chart of a learning-rate schedule.
- `summary_rows`: the numbers of the summary table; `summary_table` words and formats them
  (`compact_number`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from figures import TEMPLATE, apply_levels, level_transform, optimizer_color, split_run_id
from figures import log_axis as _log_settings  # loss_figure has a local `log_axis`
from surfaces.base import LOSS_FLOOR

__all__ = [
    "compact_number",
    "damping_figure",
    "ema",
    "finite_length",
    "frame_steps",
    "loss_figure",
    "lr_figure",
    "schedule_figure",
    "summary_rows",
    "summary_table",
    "surface3d_figure",
]

MARKER_STEPS = 100  # paths up to this many steps get a dot per step
_TEMPLATE = TEMPLATE.to_plotly_json()  # the template as a plain dict, for the dict figures
SHORT_CURVE = 10  # loss curves of at most this many points get a dot per point (a one-step Newton)
LEGEND_PER_ROW = 3  # legend entries that fit one row above a chart in the page's narrow column
LEGEND_ROW_PX = 30
MAX_EPOCH_LINES = 60  # more epoch boundaries than this would hide the curves: none are drawn


def compact_number(value) -> str:
    """A number for a table cell: 3 significant digits, scientific notation outside [1e-3, 1e4)
    without '+' or leading zeros in the exponent (3.87e11, 3.58e−6); '—' for None or NaN. Minus
    signs are the typographic '−' (U+2212), which a table cell does not break after as it does
    after '-' (6.36e- | 24)."""
    if value is None or not math.isfinite(float(value)):
        return "—"
    v = float(value)
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e4:
        return f"{v:.3g}".replace("-", "−")
    mantissa, exponent = f"{v:.2e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}".replace("-", "−")


def _epoch_lines(trajectories: Mapping[str, object]) -> list[dict]:
    """Dotted vertical lines at the epoch boundaries k = e · (iterations per epoch), when a run
    uses minibatches (an epoch is then several steps); none when every run is full batch."""
    per_epoch = max((int(getattr(t, "iters_per_epoch", 1)) for t in trajectories.values()), default=1)
    n = max((int(t.n_steps) for t in trajectories.values()), default=0)
    if per_epoch <= 1 or n // per_epoch > MAX_EPOCH_LINES:
        return []
    line = {
        "type": "line",
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": "#aab", "width": 1, "dash": "dot"},
    }
    return [{**line, "x0": k, "x1": k} for k in range(per_epoch, n + 1, per_epoch)]


def _is_second_order(traj) -> bool:
    """Whether the run's method is a second-order solver (its α scales a curvature-aware step)."""
    from optimizers.registry import OPTIMIZERS, SECOND_ORDER

    info = OPTIMIZERS.get(traj.optimizer)
    return info is not None and info.kind == SECOND_ORDER


def _has_alpha(traj) -> bool:
    """Whether the run's method has a learning rate or step scale α (LM has none: λ instead)."""
    try:
        from optimizers import OPTIMIZERS

        return any(p.name == "lr" for p in OPTIMIZERS[traj.optimizer].hyper)
    except (ImportError, KeyError, AttributeError):
        return True


def _label(name: str, labels: Mapping[str, str] | None) -> str:
    """The legend label of run `name`: the page's (which tells copies apart), else the optimizer's."""
    if labels and name in labels:
        return labels[name]
    try:
        from optimizers import OPTIMIZERS

        base, copy = split_run_id(name)
        return OPTIMIZERS[base].label + ("" if copy == 1 else f" #{copy}")
    except (ImportError, KeyError, ValueError):
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
                "mode": "lines+markers" if len(y) <= SHORT_CURVE else "lines",  # a 1-step drop stays visible
                "marker": {"size": 7},
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
    # The legend sits above the plot, inside `height`: each further row of it adds its own height,
    # so that with 7 optimizers the plot itself keeps its size.
    legend_rows = max(1, math.ceil(len(trajectories) / LEGEND_PER_ROW))
    layout = {
        "template": _TEMPLATE,
        "height": height + LEGEND_ROW_PX * (legend_rows - 1),
        "shapes": _epoch_lines(trajectories),
        "xaxis": {"title": {"text": "step k"}},
        "yaxis": {
            "title": {"text": "L(θ_k) − L*  (log scale)" if log_axis else "loss L(θ_k)"},
            "automargin": True,  # wide labels such as −3.5×10⁴ (saddle) push the title aside
            # a log axis labels every tick with its value (no bare minor digits: figures.log_axis)
            **(
                _log_settings([t["y"] for t in traces])
                if log_axis
                else {"type": "linear", "exponentformat": "power"}
            ),
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
    """Learning rate α_k against step for each run whose method has one (log axis); LM has no α
    (its damping λ_k has its own panel, `damping_figure`). Epoch boundaries are marked when a run
    uses minibatches. A plain figure dict, like `loss_figure`."""
    traces: list[dict] = []
    for name, traj in trajectories.items():
        lrs = np.asarray(traj.lrs, dtype=float)
        if not lrs.size or not _has_alpha(traj):
            continue
        label = _label(name, labels)
        what = "step scale α_k" if _is_second_order(traj) else "α_k"
        traces.append(
            {
                "type": "scatter",
                "x": np.arange(lrs.size, dtype=np.int32),
                "y": _f32(lrs),
                "mode": "lines",
                "line": {"color": optimizer_color(name), "width": 2.5, "shape": "hv"},
                "name": f"{label}: {what}",
                "legendgroup": name,
                "hovertemplate": f"<b>{label}</b><br>step %{{x}}<br>α = %{{y:.4g}}<extra></extra>",
            }
        )
    layout: dict = {
        "template": _TEMPLATE,
        "height": height,
        "shapes": _epoch_lines(trajectories),
        "xaxis": {"title": {"text": "step k"}},
        "yaxis": {"title": {"text": "learning rate α_k"}, **_log_settings([t["y"] for t in traces])},
        "uirevision": "lr",
    }
    return {"data": traces, "layout": layout}


def damping_figure(
    trajectories: Mapping[str, object],
    *,
    labels: Mapping[str, str] | None = None,
    height: int = 360,
) -> go.Figure | None:
    """LM's damping λ_k against step k on a log axis, from λ_0 (the damping iteration 0 used), with
    each trial marked: a dot where it was accepted (θ moved, λ ÷ 10), a cross where it was
    rejected (θ stayed, λ × 10). None when no run records its damping (no LM run).

    Per LM run three traces: the λ_k line, the accepted and the rejected trials.
    """
    traces: list = []
    for name, traj in trajectories.items():
        records = getattr(traj, "records", {})
        if "damping_used" not in records or not len(records["damping_used"]):
            continue
        lam = np.asarray(records["damping_used"], dtype=float)
        ok = np.asarray(records["accepted"]) == 1
        k = np.arange(lam.size)
        label = _label(name, labels)
        color = optimizer_color(name)
        hover = f"<b>{label}</b><br>step %{{x}}<br>λ = %{{y:.3g}}"
        traces.append(
            go.Scatter(x=k, y=lam, mode="lines", line={"color": color, "width": 2, "shape": "hv"},
                       name=f"{label}: damping λ<sub>k</sub>", legendgroup=name, hoverinfo="skip")
        )  # fmt: skip
        for mask, symbol, what in ((ok, "circle", "accepted"), (~ok, "x", "rejected")):
            traces.append(
                go.Scatter(
                    x=k[mask],
                    y=lam[mask],
                    mode="markers",
                    marker={"symbol": symbol, "size": 9 if symbol == "circle" else 11, "color": color,
                            "line": {"width": 1, "color": "white" if symbol == "circle" else color}},
                    name=f"{what} step" + ("" if symbol == "circle" else " (θ stays, λ × 10)"),
                    legendgroup=name,
                    hovertemplate=f"{hover}<br>{what}<extra></extra>",
                )
            )  # fmt: skip
    if not traces:
        return None
    n = max(len(t.x) for t in traces)
    layout = {
        "template": TEMPLATE,
        "height": height,
        "xaxis": {"title": {"text": "step k"}, "range": [-0.5, n - 0.5]},  # step 0's marker whole
        "yaxis": {"title": {"text": "damping λ<sub>k</sub> (log scale)"}, "type": "log",
                  "exponentformat": "power", "dtick": 1, "automargin": True},
        "uirevision": "damping",
    }  # fmt: skip
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
        # a horizontal title says what the curve is: a rotated 11 px "α / α₀" went unread
        title={"text": "learning-rate factor α / α₀", "font": {"size": 13}, "x": 0.02, "y": 0.97},
        margin={"l": 45, "r": 8, "t": 30, "b": 35},
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
                "ending": traj.ending,
                "notes": tuple(traj.notes),
            }
        )
    return rows


def _why(ending) -> str:
    """Why a run stopped, in the lecture's words (`optimizers.results.ENDINGS`), compact numbers."""
    return ending.why(compact_number)


def summary_table(rows: list[dict], *, never: str = "not reached") -> list[dict[str, str]]:
    """`summary_rows` as the page shows them: every cell a short string (compact numbers, '—'
    where a value does not exist, `never` where the tolerance was not reached), and instead of
    the engine's status a column saying where the run stopped and one saying why."""
    out = []
    for row in rows:
        ending = row["ending"]
        k = row["steps to tolerance"]
        out.append(
            {
                "optimizer": row["optimizer"],
                "final loss": compact_number(row["final loss"]),
                "distance to nearest minimum": compact_number(row["distance to nearest minimum"]),
                "steps to tolerance": never if k is None else str(k),
                "steps taken": str(row["steps run"]),
                "stopped at": ending.stopped_at(),
                "why it stopped": _why(ending),
            }
        )
    return out
