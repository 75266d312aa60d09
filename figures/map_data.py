"""The explorer map's data for its browser component (pure: NumPy and the engine; never streamlit).

The map is drawn in the browser by `ui/components/landscape_map.js`, which owns its Plotly chart:
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
    float32, row-major); the numbers of `optimizers.theory.model_axes` (= `local_model`).
    """
    from optimizers import theory

    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    (x0, x1), (y0, y1) = surface.bounds
    length = OVERLAY_LENGTH * min(x1 - x0, y1 - y0)
    with np.errstate(all="ignore"):
        axes = theory.model_axes(surface.hessian(pts), length=length)
    parts = (pts, axes.eigenvalues, axes.condition, axes.codes, axes.semi_axes.reshape(-1, 4))
    table = np.column_stack([*parts, axes.flat_direction])
    return {"columns": list(OVERLAY_COLUMNS), "n": len(pts), "data": b64_f32(table)}


def decode_table(payload: dict) -> dict[str, np.ndarray]:
    """A packed table (`theory_overlay`, `step_inspector`) as {column: (n,) array}, for tests."""
    flat = decode_f32(payload["data"]).reshape(payload["n"], len(payload["columns"]))
    return {name: flat[:, i] for i, name in enumerate(payload["columns"])}


# --------------------------------------------------------------------------- step inspector

LM_CURVE_POINTS = 25  # damping values on each LM step curve delta(lambda)
INSPECTOR_MAX_LM_STEPS = 200  # LM steps with a curve (the payload grows by 800 bytes a step)


def _state_columns(name: str, traj, hyper: Mapping[str, object], k: int) -> dict[str, np.ndarray]:
    """The optimizer's state after iteration k (from `Trajectory.records`), padded to k + 1 rows,
    and the derived quantities the inspector shows (bias-corrected moments, the scaling 1/(sqrt+eps))."""
    pad = np.full(1, np.nan)
    rec = {key: np.concatenate([np.asarray(v, dtype=float)[:k], pad]) for key, v in traj.records.items()}
    out: dict[str, np.ndarray] = {}
    t = np.arange(1, k + 2, dtype=float)  # the update count after iteration k
    if name in ("momentum", "nesterov"):
        out.update(v_x=rec["v_x"], v_y=rec["v_y"])
    elif name in ("rmsprop", "adagrad"):
        eps = float(hyper.get("eps", 1e-8 if name == "rmsprop" else 1e-10))
        out.update(s_x=rec["s_x"], s_y=rec["s_y"])
        out.update(scale_x=1.0 / (np.sqrt(rec["s_x"]) + eps), scale_y=1.0 / (np.sqrt(rec["s_y"]) + eps))
    elif name == "adam":
        b1, b2 = float(hyper.get("beta1", 0.9)), float(hyper.get("beta2", 0.999))
        eps = float(hyper.get("eps", 1e-8))
        out.update(m_x=rec["m_x"], m_y=rec["m_y"], v_x=rec["v_x"], v_y=rec["v_y"])
        for axis in "xy":
            out[f"mhat_{axis}"] = rec[f"m_{axis}"] / (1.0 - b1**t)
            out[f"vhat_{axis}"] = rec[f"v_{axis}"] / (1.0 - b2**t)
            out[f"scale_{axis}"] = 1.0 / (np.sqrt(out[f"vhat_{axis}"]) + eps)
    elif name == "lbfgs":
        out.update({key: rec[key] for key in ("d_x", "d_y", "t0", "t", "loss_evals", "memory_reset")})
    return out


def step_inspector(
    surface, traj, name: str, hyper: Mapping[str, object], *, label: str | None = None
) -> dict:
    """Everything the step inspector shows at each step k of one run, packed for the browser.

    Columns (one row per step k = 0 .. n, float32): ``x, y`` (theta_k), ``L``, ``gx, gy`` (the
    exact gradient at theta_k), ``lr`` (alpha_k after the schedule; NaN on the last row),
    ``dx, dy`` (the step taken, theta_{k+1} - theta_k), the optimizer's state after iteration k
    (``v_x``..., see `_state_columns`) and its arrows' displacements ``<arrow>_x, <arrow>_y``:

        first-order   neg_grad = -alpha_k g (the plain gradient step), step; momentum/nesterov
                      velocity = -alpha_k v_{k+1} (nesterov: its look-ahead part -alpha_k beta v_{k+1});
                      rmsprop/adagrad/adam: before = the step before dividing by sqrt(s) or sqrt(v_hat)
        newton        newton = -H^-1 g, neg_grad = -g scaled to the Newton direction's length
        gauss_newton  gauss_newton = -(J^T J)^-1 J^T r, neg_grad likewise
        lbfgs         direction = t0 d (the first trial), neg_grad likewise; the trials follow
                      from d, t0 and loss_evals (`optimizers.quasi_newton.line_search_trials`)
        lm            ``lam`` (the damping tried at step k), ``accepted``; and ``lm``: per step
                      the curves delta(lambda) for Levenberg and Marquardt (`optimizers.theory`)

    Returns
    -------
    dict: ``name``, ``label``, ``columns``, ``n`` (rows), ``data``, ``arrows`` [[key, label,
    colour]], ``table`` [[label, column(s)]], and for LM ``lm`` {``steps``, ``points``, ``data``:
    (steps, 2 scalings, points, 2) float32}.
    """
    from optimizers import theory

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
    cols.update(_state_columns(name, traj, hyper, k))
    g = grad
    arrows: list[list[str]] = []
    table: list[list[object]] = [["θ_k", ["x", "y"]], ["L(θ_k)", "L"], ["g = ∇L", ["gx", "gy"]]]

    def arrow(key: str, disp: np.ndarray, text: str, color: str) -> None:
        cols[f"{key}_x"], cols[f"{key}_y"] = disp[:, 0], disp[:, 1]
        arrows.append([key, text, color])

    def as_long_as(direction: np.ndarray, ref: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            scale = np.linalg.norm(ref, axis=1) / np.linalg.norm(direction, axis=1)
        return direction * np.where(np.isfinite(scale), scale, 0.0)[:, None]

    first_order = name in ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam")
    if first_order:
        table.append(["α_k (after the schedule)", "lr"])
    if first_order and name not in ("rmsprop", "adagrad"):  # for those it is the 'before' arrow
        arrow("neg_grad", -lr[:, None] * g, "−α_k g (gradient step)", "#2563eb")
    if name in ("momentum", "nesterov"):
        beta = float(hyper.get("momentum", 0.9))
        v = np.column_stack([cols["v_x"], cols["v_y"]])
        factor = beta if name == "nesterov" else 1.0
        text = "−α_k β v_{k+1} (look-ahead)" if name == "nesterov" else "−α_k v_{k+1} (velocity)"
        arrow("velocity", -factor * lr[:, None] * v, text, "#9333ea")
        table.append(["v_{k+1}", ["v_x", "v_y"]])
    elif name in ("rmsprop", "adagrad"):
        table += [["s_{k+1}", ["s_x", "s_y"]], ["1/(√s + ε)", ["scale_x", "scale_y"]]]
        arrow("before", -lr[:, None] * g, "before ÷(√s + ε): −α_k g", "#2563eb")
    elif name == "adam":
        mhat = np.column_stack([cols["mhat_x"], cols["mhat_y"]])
        arrow("before", -lr[:, None] * mhat, "before ÷(√v̂ + ε): −α_k m̂", "#9333ea")
        table += [["m_{k+1}", ["m_x", "m_y"]], ["v_{k+1}", ["v_x", "v_y"]], ["m̂", ["mhat_x", "mhat_y"]],
                  ["v̂", ["vhat_x", "vhat_y"]], ["1/(√v̂ + ε)", ["scale_x", "scale_y"]]]  # fmt: skip
    elif name == "newton":
        with np.errstate(all="ignore"):
            H = surface.hessian(pts)
            a, h, c = H[:, 0, 0], H[:, 0, 1], H[:, 1, 1]
            nx, ny = theory.solve_sym2(a, h, c, -g[:, 0], -g[:, 1])
        newton = np.column_stack([nx, ny])
        arrow("neg_grad", as_long_as(-g, newton), "−g (direction, as long as Newton's)", "#2563eb")
        arrow("newton", newton, "−H⁻¹g (Newton direction)", "#dc2626")
        table.append(["step scale α_k", "lr"])
    elif name == "gauss_newton":
        with np.errstate(all="ignore"):
            a, h, c = surface.gram_xy(pts[:, 0], pts[:, 1])
            nx, ny = theory.solve_sym2(a, h, c, -0.5 * g[:, 0], -0.5 * g[:, 1])
        gn = np.column_stack([nx, ny])
        arrow("neg_grad", as_long_as(-g, gn), "−g (direction, as long as Gauss-Newton's)", "#2563eb")
        arrow("gauss_newton", gn, "−(JᵀJ)⁻¹Jᵀr (Gauss-Newton)", "#dc2626")
        table.append(["step scale α_k", "lr"])
    elif name == "lbfgs":
        first = np.column_stack([cols["d_x"], cols["d_y"]]) * cols["t0"][:, None]
        arrow("neg_grad", as_long_as(-g, first), "−g (direction, as long as the first trial)", "#2563eb")
        arrow("direction", first, "t₀ d (quasi-Newton direction, first trial)", "#dc2626")
        table += [["d_k", ["d_x", "d_y"]], ["t₀ → t accepted", ["t0", "t"]]]
        table.append(["loss evaluations", "loss_evals"])
    elif name == "lm":
        lam0 = float(hyper.get("damping", 1e-3))
        lams = np.asarray(traj.lambdas if traj.lambdas is not None else [], dtype=float)[:k]
        tried = np.concatenate([[lam0], lams])[: k + 1]  # lambda used by iteration k
        cols["lam"] = np.concatenate([tried[:k], [np.nan]])
        moved = np.any(step != 0, axis=1)
        cols["accepted"] = np.where(np.arange(k + 1) < k, moved.astype(float), np.nan)
        table += [["λ tried at step k", "lam"], ["accepted (1) / rejected (0)", "accepted"]]
        if getattr(surface, "has_residuals", False):
            arrow("trial", _lm_trials(surface, pts, cols["lam"], hyper), "δ(λ_k), the trial step", "#dc2626")
    arrow("step", step, "the step taken θ_{k+1} − θ_k", "#111827")
    out = {
        "name": name,
        "label": _label(name, {name: label} if label else None),
        "columns": list(cols),
        "n": int(m),
        "data": b64_f32(np.column_stack(list(cols.values()))),
        "arrows": arrows,
        "table": table,
        "lm": None,
    }
    if name == "lm" and getattr(surface, "has_residuals", False):
        out["lm"] = _lm_curves(surface, pts[: min(k, INSPECTOR_MAX_LM_STEPS)], float(hyper.get("lr", 1.0)))
    return out


def _lm_trials(surface, pts: np.ndarray, lams: np.ndarray, hyper: Mapping[str, object]) -> np.ndarray:
    """(n, 2) LM's trial step alpha delta(lambda_k) at each point (NaN where no lambda was tried)."""
    from optimizers import theory

    scaling, lr = str(hyper.get("scaling", "levenberg")), float(hyper.get("lr", 1.0))
    tried = np.isfinite(lams)
    out = np.full((len(pts), 2), np.nan)
    if tried.any():
        with np.errstate(all="ignore"):
            J, r = surface.jacobian(pts[tried]), surface.residuals(pts[tried])
            steps = theory.lm_step_curves(J, r, scaling=scaling, lambdas=lams[tried][:, None])
        out[tried] = lr * steps[:, 0]
    return out


def _lm_curves(surface, pts: np.ndarray, lr: float) -> dict:
    """delta(lambda) (times the step scale) for Levenberg and Marquardt at each point: the
    LM step curves from Gauss-Newton (lambda -> 0) to short gradient-like steps."""
    from optimizers import theory

    curves = np.full((len(pts), 2, LM_CURVE_POINTS, 2), np.nan)
    if len(pts):
        with np.errstate(all="ignore"):
            J, r = surface.jacobian(pts), surface.residuals(pts)
            for j, scaling in enumerate(("levenberg", "marquardt")):
                curves[:, j] = lr * theory.lm_step_curves(J, r, n=LM_CURVE_POINTS - 1, scaling=scaling)
    return {"steps": len(pts), "points": LM_CURVE_POINTS, "data": b64_f32(curves.ravel())}
