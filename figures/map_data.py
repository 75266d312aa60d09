"""The explorer map's data for its browser component (pure: NumPy and the engine; never streamlit).

The map is drawn in the browser by `ui/landscape_map.js`, which owns its Plotly chart:
it draws the contour once per surface and afterwards only moves the paths (`Plotly.react`), and it
plays and scrubs the race itself, without rerunning the script. It gets two payloads:

- `map_base(...)`: what depends on the surface only (the contour, its colour bar, minima, axes and,
  on data surfaces, the data and the least-squares fit). Its JSON is identical on every rerun that
  keeps the surface, so Streamlit's message cache sends it once and afterwards only a reference.
- `map_paths(...)`: what a slider changes (the paths, their losses, the start and, on data
  surfaces, each optimizer's fitted curve at a few steps), and the key of the base it belongs to.

With the theory overlays or the step inspector on, `map_paths`' payload also carries
`theory_overlay(...)` (the local quadratic model at every step of one run) and `step_inspector(...)`
(that run's numbers and arrows at every step), so the browser follows the scrubber without a rerun.

Arrays travel as little-endian float32 in base64 (`b64_f32`): 4 bytes per number before base64
instead of about 18 characters of JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence

import numpy as np

from figures import CONTOUR_COLORSCALE, _log_colorbar, level_transform, optimizer_color
from figures.explorer import MARKER_STEPS, _label, finite_length, frame_steps
from optimizers import OPTIMIZERS, inspection
from optimizers.results import curvature_words

__all__ = ["FIT_POINTS", "b64_f32", "contour_key", "decode_f32", "map_base", "map_paths", "payload_bytes"]

FIT_POINTS = 48  # points of each fitted curve in the data panel
GRID_N = 80  # contour grid points per axis (80 x 80 float32 is about 34 KB on the wire)
# Log-level surfaces (narrow curved valleys) get a finer contour grid: at 80 the valley floor of
# Rosenbrock is narrower than a cell, and its colour falls on a node or between nodes by chance,
# which drew a white dashed line along the floor that looked like a path.
GRID_N_LOG = 200


def grid_size(log_levels: bool) -> int:
    """Contour grid points per axis of the map (the page and the offline export draw the same)."""
    return GRID_N_LOG if log_levels else GRID_N


def b64_f32(values) -> str:
    """Base64 of `values` as little-endian float32 (NaN stays NaN), the component's array form."""
    arr = np.ascontiguousarray(np.asarray(values, dtype="<f4"))
    return base64.b64encode(arr.tobytes()).decode("ascii")


def decode_f32(text: str) -> np.ndarray:
    """Inverse of `b64_f32` (for tests and tools)."""
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


def contour_key(surface_name: str, grid: tuple[np.ndarray, np.ndarray, np.ndarray], log_levels: bool) -> str:
    """A short key that changes whenever the drawn contour would (surface, grid values, scale)."""
    h = hashlib.blake2b(digest_size=8)
    h.update(f"{surface_name}|{log_levels}|".encode())
    for a in grid:
        h.update(np.ascontiguousarray(a, dtype="<f4").tobytes())
    return h.hexdigest()


def _is_data_surface(surface) -> bool:
    return getattr(surface, "data", None) is not None and hasattr(surface, "predict")


def _fit_xgrid(surface) -> np.ndarray:
    inputs = np.asarray(surface.data[0], dtype=float)
    return np.linspace(float(inputs.min()), float(inputs.max()), FIT_POINTS)


def map_base(
    surface,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    log_levels: bool,
    key: str,
    height: int = 560,
) -> dict:
    """The surface's part of the map: contour, axes, minima and the data panel.

    Parameters
    ----------
    surface : Surface
        Gives bounds, minima, min_value, axis_labels and, on data surfaces, data and predict.
    grid : (xs (n,), ys (n,), Z (n, n))
        From `figures.surface_grid`, with Z[i, j] = L(xs[j], ys[i]).
    log_levels : bool
        Colour log10(L - floor + delta) instead of L (`figures.level_transform`).
    key : str
        `contour_key(...)` of this contour; `map_paths` names it so the browser pairs them.

    Returns
    -------
    dict (JSON-ready)
        ``z`` is the colour value (n*n float32, row-major); the browser recovers the loss for the
        hover as ``floor + 10**z - delta`` when ``log`` is true, else ``z``.
    """
    xs, ys, Z = grid
    min_value = getattr(surface, "min_value", None)
    zt, floor, delta = level_transform(Z, log_levels=log_levels, min_value=min_value)
    finite = bool(np.isfinite(zt).any())
    colorbar = _log_colorbar(floor, delta, zt) if log_levels and finite else {"title": {"text": "loss L"}}
    colorbar.update(thickness=10, len=0.75)
    (x0, x1), (y0, y1) = surface.bounds
    a, b = tuple(getattr(surface, "axis_labels", ("x", "y")))
    minima = np.asarray(getattr(surface, "minima", np.zeros((0, 2))), dtype=float).reshape(-1, 2)
    out: dict = {
        "key": key,
        "height": int(height),
        "nx": len(xs),
        "ny": len(ys),
        "x": b64_f32(xs),
        "y": b64_f32(ys),
        "z": b64_f32(np.asarray(zt).ravel()),
        "log": bool(log_levels),
        "floor": float(floor),
        "delta": float(delta),
        "colorscale": CONTOUR_COLORSCALE,
        "colorbar": colorbar,
        "xrange": [float(x0), float(x1)],
        "yrange": [float(y0), float(y1)],
        "axis_labels": [a, b],
        # Equal scale on both axes, so an elongated valley looks elongated (not for (w, b) etc.).
        "equal_aspect": (a, b) == ("x", "y") and not _is_data_surface(surface),
        "minima": minima.tolist(),
        "data_panel": None,
    }
    if _is_data_surface(surface):
        inputs, targets = (np.asarray(v, dtype=float) for v in surface.data)
        lo, hi = float(np.nanmin(targets)), float(np.nanmax(targets))
        pad = 0.25 * (hi - lo + 1e-9)
        panel: dict = {
            "x": b64_f32(inputs),
            "y": b64_f32(targets),
            "yrange": [lo - pad, hi + pad],
            "fit_x": b64_f32(_fit_xgrid(surface)),
            "best_fit": None,
        }
        if len(minima):
            panel["best_fit"] = b64_f32(surface.predict(minima[0], _fit_xgrid(surface)))
        out["data_panel"] = panel
    return out


def map_paths(
    surface,
    trajectories: Mapping[str, object],
    *,
    start: Sequence[float],
    base_key: str,
    labels: Mapping[str, str] | None = None,
    max_fit_frames: int = 30,
) -> dict:
    """What a rerun changes: each optimizer's path, the start and the fitted curves.

    Parameters
    ----------
    trajectories : mapping optimizer name -> Trajectory
        Drawn in this order, in the optimizer's colour (`figures.optimizer_color`); a path stops
        at its last finite point (`finite_length`).
    start : (x, y)
        θ_0, drawn as a ring.
    base_key : str
        The `map_base` key these paths are drawn on.

    Returns
    -------
    dict (JSON-ready)
        ``paths``: one entry per optimizer with ``x``, ``y`` and ``loss`` (m float32 each, step k
        at index k), ``label``, ``color`` and ``markers`` (a dot per step for short paths);
        ``n_steps``: the longest path's last step. On data surfaces ``fit_steps`` (f,) and per
        path ``fit`` (f * FIT_POINTS float32): the fitted curve at each of those steps, so the
        browser shows the fit at step k without asking Python.
    """
    has_data = _is_data_surface(surface)
    ks = None
    paths = []
    n_max = 0
    pts_by_name = {}
    for name, traj in trajectories.items():
        m = finite_length(traj)
        pts = np.asarray(traj.points[:m], dtype=float)
        pts_by_name[name] = pts
        n_max = max(n_max, m - 1)
        paths.append(
            {
                "name": name,
                "label": _label(name, labels),
                "color": optimizer_color(name),
                "n": int(m),
                "markers": bool(m <= MARKER_STEPS + 1),
                "x": b64_f32(pts[:, 0]),
                "y": b64_f32(pts[:, 1]),
                "loss": b64_f32(np.asarray(traj.losses[:m], dtype=float)),
            }
        )
    out: dict = {
        "base": base_key,
        "start": [float(start[0]), float(start[1])],
        "n_steps": int(n_max),
        "paths": paths,
        "fit_steps": None,
    }
    if has_data and paths:
        ks = frame_steps(n_max, max_fit_frames)
        xgrid = _fit_xgrid(surface)
        for entry in paths:
            pts = pts_by_name[entry["name"]]
            if len(pts) == 0:
                entry["fit"] = None
                continue
            idx = np.minimum(ks, len(pts) - 1)
            with np.errstate(all="ignore"):
                fits = np.asarray(surface.predict(pts[idx], xgrid), dtype=float).reshape(len(ks), -1)
            entry["fit"] = b64_f32(np.where(np.isfinite(fits), fits, np.nan))
        out["fit_steps"] = [int(k) for k in ks]
    return out


def payload_bytes(payload: dict) -> int:
    """Bytes of a payload as Streamlit sends it (`json.dumps`), for tests and benchmarks."""
    return len(json.dumps(payload).encode())


# --------------------------------------------------------------------------- theory overlays

# One row per step of the overlay (`theory_overlay`), float32, in this order.
OVERLAY_COLUMNS = (
    "x", "y", "lam1", "lam2", "kappa", "kind",  # kind: optimizers.theory's curvature code
    "s1x", "s1y", "s2x", "s2y",  # semi-axes e_i * scale / sqrt(|lam_i|) (NaN where lam_i ~ 0)
    "fx", "fy",  # the flat direction where singular, else NaN
)  # fmt: skip
OVERLAY_LENGTH = 0.12  # the longest eigen-arrow, as a fraction of the view box's smaller side


def theory_overlay(surface, points: np.ndarray) -> dict:
    """The local quadratic model at each point of a path, for the map to draw at the scrubbed step.

    Parameters
    ----------
    points : (n, 2) theta_0 .. theta_{n-1} (finite).

    Returns
    -------
    dict (JSON-ready): ``columns`` (OVERLAY_COLUMNS), ``n`` and ``data`` (n * len(columns)
    float32, row-major); the numbers of `optimizers.theory.model_axes` (= `local_model`); and
    ``kind_words``: how each curvature code is said (`optimizers.results.curvature_words`).
    """
    from optimizers import theory

    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    (x0, x1), (y0, y1) = surface.bounds
    length = OVERLAY_LENGTH * min(x1 - x0, y1 - y0)
    with np.errstate(all="ignore"):
        axes = theory.model_axes(surface.hessian(pts), length=length)
    parts = (pts, axes.eigenvalues, axes.condition, axes.codes, axes.semi_axes.reshape(-1, 4))
    table = np.column_stack([*parts, axes.flat_direction])
    words = curvature_words()  # the curvature's words by code, from the engine's one word table
    return {"columns": list(OVERLAY_COLUMNS), "n": len(pts), "data": b64_f32(table), "kind_words": words}


def decode_table(payload: dict) -> dict[str, np.ndarray]:
    """A packed table (`theory_overlay`, `step_inspector`) as {column: (n,) array}, for tests."""
    flat = decode_f32(payload["data"]).reshape(payload["n"], len(payload["columns"]))
    return {name: flat[:, i] for i, name in enumerate(payload["columns"])}


# --------------------------------------------------------------------------- step inspector


def step_inspector(
    surface, traj, name: str, hyper: Mapping[str, object], *, label: str | None = None
) -> dict:
    """Everything the step inspector shows at each step k of one run, packed for the browser.

    Columns (one row per step k = 0 .. n, float32): ``x, y`` (theta_k), ``L``, ``gx, gy`` (the
    exact gradient at theta_k), ``lr`` (alpha_k after the schedule; NaN on the last row),
    ``dx, dy`` (the step taken, theta_{k+1} - theta_k), then what the optimizer's record lists
    (`OptimizerInfo.inspector`, optimizers/inspection.py): its state after iteration k from
    `Trajectory.records`, derived quantities (Adam's m̂, v̂, ...) and each arrow's displacement
    ``<arrow>_x, <arrow>_y`` (the last arrow is the step taken).

    Returns
    -------
    dict: ``name``, ``label``, ``columns``, ``n`` (rows), ``data``, ``arrows`` [[key, label,
    colour]], ``table`` [[label, column(s)]], ``legend`` (words after the arrows' keys),
    ``markers`` [{``key``, ``name``, ``marker`` (Plotly style), ``hover`` ({column} filled in at
    step k), ``start`` (n + 1 offsets into the points), ``data`` (offsets from theta_k, 2 float32
    a point)}], and ``curves``: None or {``steps``, ``points``, ``lines`` [[name, colour, dash]],
    ``data``: (steps, lines, points, 2) float32 offsets from theta_k}.
    """
    info = OPTIMIZERS[name]
    m = finite_length(traj)
    pts = np.asarray(traj.points[:m], dtype=float)
    k = m - 1  # iterations with a finite end point
    with np.errstate(all="ignore"):
        loss, grad = surface.value_and_grad(pts)
    lr = np.concatenate([np.asarray(traj.lrs[:k], dtype=float), np.full(1, np.nan)])
    step = np.vstack([np.diff(pts, axis=0), np.full((1, 2), np.nan)])
    cols: dict[str, np.ndarray] = {
        "x": pts[:, 0], "y": pts[:, 1], "L": np.asarray(loss, dtype=float),
        "gx": grad[:, 0], "gy": grad[:, 1], "lr": lr, "dx": step[:, 0], "dy": step[:, 1],
    }  # fmt: skip
    pad = np.full(1, np.nan)
    records = {key: np.concatenate([np.asarray(v, dtype=float)[:k], pad]) for key, v in traj.records.items()}
    steps = inspection.Steps(surface, cols, records, info.defaults() | dict(hyper))
    shown = inspection.inspect(info.inspector, steps)
    out = {
        "name": name,
        "label": _label(name, {name: label} if label else None),
        "columns": list(shown["columns"]),
        "n": int(m),
        "data": b64_f32(np.column_stack(list(shown["columns"].values()))),
        "arrows": shown["arrows"],
        "table": shown["table"],
        "legend": info.inspector.legend,
        "markers": [_pack_markers(marker, offsets, m) for marker, offsets in shown["markers"]],
        "curves": None,
    }
    if shown["curves"] is not None:
        spec, curves = shown["curves"]
        out["curves"] = {
            "steps": len(curves),
            "points": spec.points,
            "lines": [list(line) for line in spec.lines],
            "data": b64_f32(curves.ravel()),
        }
    return out


def _pack_markers(marker, offsets: tuple[np.ndarray, np.ndarray], n: int) -> dict:
    """One marker set: its style and its points' offsets, those of step k (of n) in rows
    start[k]..start[k+1]."""
    points, steps = offsets
    start = np.searchsorted(steps, np.arange(n + 1))
    return {
        "key": marker.key,
        "name": marker.name,
        "marker": dict(marker.style),
        "hover": marker.hover,
        "start": [int(i) for i in start],
        "data": b64_f32(np.asarray(points, dtype=float).reshape(-1, 2).ravel()),
    }
