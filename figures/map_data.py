"""The explorer map's data for its browser component (pure: NumPy and the engine; never streamlit).

The map is drawn in the browser by `ui/components/landscape_map.js`, which owns its Plotly chart:
it draws the contour once per surface and afterwards only moves the paths (`Plotly.react`), and it
plays and scrubs the race itself, without rerunning the script. It gets two payloads:

- `map_base(...)`: what depends on the surface only (the contour, its colour bar, minima, axes and,
  on data surfaces, the data and the least-squares fit). Its JSON is identical on every rerun that
  keeps the surface, so Streamlit's message cache sends it once and afterwards only a reference.
- `map_paths(...)`: what a slider changes (the paths, their losses, the start and, on data
  surfaces, each optimizer's fitted curve at a few steps), and the key of the base it belongs to.

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

__all__ = ["FIT_POINTS", "b64_f32", "contour_key", "decode_f32", "map_base", "map_paths", "payload_bytes"]

FIT_POINTS = 48  # points of each fitted curve in the data panel


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
