"""What the step inspector shows of one run at each step k, declared per optimizer.

Each registry record (`OptimizerInfo.inspector`) holds an `Inspector`: which derived columns, table
rows, arrows, markers and curves to show. They are computed from a `Steps` view of the run: the
path and, at every step k = 0 .. n - 1,

    x, y      theta_k                 L        the loss there       gx, gy   the exact gradient
    lr        alpha_k (NaN last row)  dx, dy   theta_{k+1} - theta_k (NaN on the last row)

plus the `records` the engine kept after iteration k (NaN on the last row) and the run's
hyperparameters with the registry's defaults filled in. Nothing here branches on an optimizer: a
method shows what its record lists, and `figures.map_data.step_inspector` packs it for the browser.
Pure NumPy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizers.second_order import lm_step_curves, solve_sym2

Column = str | tuple[str, ...]  # one column, or the x and y columns of a vector

BLUE, PURPLE, RED, BLACK = "#2563eb", "#9333ea", "#dc2626", "#111827"


@dataclass(frozen=True)
class Steps:
    """One run's numbers at steps k = 0 .. n - 1 (see the module docstring)."""

    surface: Any
    columns: Mapping[str, np.ndarray]  # (n,) each: the base columns, then the derived ones
    records: Mapping[str, np.ndarray]  # (n,) each, NaN on the last row
    hyper: Mapping[str, Any]  # every hyperparameter of the method (defaults filled in)

    @property
    def n(self) -> int:
        return len(self.columns["x"])

    @property
    def points(self) -> np.ndarray:
        return self.pair("x", "y")

    @property
    def grad(self) -> np.ndarray:
        return self.pair("gx", "gy")

    @property
    def lr(self) -> np.ndarray:
        return self.columns["lr"][:, None]

    def pair(self, x: str, y: str) -> np.ndarray:
        """(n, 2): two columns side by side."""
        return np.column_stack([self.columns[x], self.columns[y]])

    def record(self, name: str) -> np.ndarray:
        """Record `name` (n,), NaN where the run kept none."""
        return self.records.get(name, np.full(self.n, np.nan))

    def number(self, name: str, default: float | None = None) -> float:
        """Hyperparameter `name` as a float (`default` for a method without it, e.g. LM's lr)."""
        return float(self.hyper[name] if default is None else self.hyper.get(name, default))


Displacement = Callable[[Steps], np.ndarray]  # (n, 2) offsets from theta_k


@dataclass(frozen=True)
class Arrow:
    """An arrow from theta_k to theta_k + displacement at each step."""

    key: str  # its columns are <key>_x, <key>_y
    label: str
    color: str
    displacement: Displacement


@dataclass(frozen=True)
class Marker:
    """Points near theta_k at each step, drawn as markers (line-search trials, LM's trial)."""

    key: str
    name: str  # the trace's name
    style: Mapping[str, Any]  # Plotly marker: symbol, size, color, line
    hover: str  # hover text; {column} is replaced by that column's value at step k
    # (points (M, 2) offsets from theta_k, steps (M,) the step k of each, ascending)
    offsets: Callable[[Steps], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Curves:
    """Polylines from theta_k at each of the first `max_steps` steps (LM's delta(lambda))."""

    lines: tuple[tuple[str, str, str], ...]  # (name, colour, dash) of each curve at a step
    points: int  # points per curve
    max_steps: int
    offsets: Callable[[Steps, int], np.ndarray]  # (steps, len(lines), points, 2) at the first steps


@dataclass(frozen=True)
class Inspector:
    """What the step inspector shows of a method (see the module docstring)."""

    table: tuple[tuple[str, Column], ...] = ()  # rows after theta_k, L(theta_k) and g
    columns: Callable[[Steps], dict[str, np.ndarray]] | None = None  # derived (n,) columns
    arrows: tuple[Arrow, ...] = ()  # before 'the step taken', which every method shows
    markers: tuple[Marker, ...] = ()
    curves: Curves | None = None
    legend: str = ""  # words after the arrows' keys (what the markers and curves are)
    state: tuple[str, ...] = field(default=())  # records shown as they are (copied to columns)


BASE_TABLE: tuple[tuple[str, Column], ...] = (("θ_k", ("x", "y")), ("L(θ_k)", "L"), ("g = ∇L", ("gx", "gy")))
STEP_ARROW = Arrow("step", "the step taken θ_{k+1} − θ_k", BLACK, lambda s: s.pair("dx", "dy"))


def inspect(inspector: Inspector, steps: Steps) -> dict[str, Any]:
    """The inspector's columns, arrows, table, markers and curves for `steps`.

    Returns {"columns": {name: (n,)}, "arrows": [[key, label, colour]], "table": [[label, column(s)]],
    "markers": [(Marker, (points (M, 2), steps (M,)))], "curves": (Curves, (steps, C, points, 2)) or None}.
    """
    cols = dict(steps.columns)
    cols.update({name: steps.record(name) for name in inspector.state})
    if inspector.columns is not None:
        cols.update(inspector.columns(_with(steps, cols)))
    arrows = []
    for arrow in (*inspector.arrows, STEP_ARROW):
        with np.errstate(all="ignore"):
            disp = np.asarray(arrow.displacement(_with(steps, cols)), dtype=float)
        cols[f"{arrow.key}_x"], cols[f"{arrow.key}_y"] = disp[:, 0], disp[:, 1]
        arrows.append([arrow.key, arrow.label, arrow.color])
    final = _with(steps, cols)
    curves = None
    if inspector.curves is not None:
        with np.errstate(all="ignore"):
            curves = (inspector.curves, inspector.curves.offsets(final, inspector.curves.max_steps))
    return {
        "columns": cols,
        "arrows": arrows,
        "table": [list(row) for row in (*BASE_TABLE, *inspector.table)],
        "markers": [(marker, marker.offsets(final)) for marker in inspector.markers],
        "curves": curves,
    }


def _with(steps: Steps, cols: Mapping[str, np.ndarray]) -> Steps:
    return Steps(steps.surface, cols, steps.records, steps.hyper)


# ---- building blocks the registry's records compose ----


def gradient_step(steps: Steps) -> np.ndarray:
    """-alpha_k g: the plain gradient step."""
    return -steps.lr * steps.grad


def scaled(vector: str, factor: str | None = None) -> Displacement:
    """-alpha_k (factor) <vector>_{x,y}: a step along a state vector (momentum's velocity)."""
    return lambda s: -(s.number(factor) if factor else 1.0) * s.lr * s.pair(f"{vector}_x", f"{vector}_y")


def as_long_as(direction: Displacement, reference: Displacement) -> Displacement:
    """`direction` rescaled to the length of `reference` at each step (the -g arrow next to a
    Newton-type direction, whose length alpha g would not show)."""

    def displacement(s: Steps) -> np.ndarray:
        d, ref = direction(s), reference(s)
        with np.errstate(all="ignore"):
            scale = np.linalg.norm(ref, axis=1) / np.linalg.norm(d, axis=1)
        return d * np.where(np.isfinite(scale), scale, 0.0)[:, None]

    return displacement


def minus_grad(s: Steps) -> np.ndarray:
    return -s.grad


def root_scaling(state: str, eps: str = "eps") -> Callable[[Steps], dict[str, np.ndarray]]:
    """scale_{x,y} = 1 / (sqrt(<state>_{x,y}) + eps): RMSProp's and AdaGrad's per-coordinate factor."""

    def columns(s: Steps) -> dict[str, np.ndarray]:
        return {f"scale_{a}": 1.0 / (np.sqrt(s.columns[f"{state}_{a}"]) + s.number(eps)) for a in "xy"}

    return columns


def newton_direction(s: Steps) -> np.ndarray:
    """-H^-1 g at every theta_k, solved as the engine's Newton step (pseudo-inverse where H is singular)."""
    H = s.surface.hessian(s.points)
    nx, ny = solve_sym2(H[:, 0, 0], H[:, 0, 1], H[:, 1, 1], -s.columns["gx"], -s.columns["gy"])
    return np.column_stack([nx, ny])


def gauss_newton_direction(s: Steps) -> np.ndarray:
    """-(J^T J)^-1 J^T r = -(J^T J)^-1 g / 2 at every theta_k (as the engine's Gauss-Newton step)."""
    x, y = s.columns["x"], s.columns["y"]
    nx, ny = solve_sym2(*s.surface.gram_xy(x, y), -0.5 * s.columns["gx"], -0.5 * s.columns["gy"])
    return np.column_stack([nx, ny])


def line_search_points(s: Steps) -> tuple[np.ndarray, np.ndarray]:
    """L-BFGS's trials at every step, from its records d, t0 and loss_evals: t0 2^-j d for
    j = 0 .. loss_evals - 1 (`quasi_newton.line_search_trials`, for all steps at once)."""
    evals = s.columns["loss_evals"]
    counts = np.where(np.isfinite(evals), evals, 0).astype(int)
    steps = np.repeat(np.arange(s.n), counts)
    j = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    with np.errstate(all="ignore"):
        points = (s.columns["t0"][steps] * 0.5**j)[:, None] * s.pair("d_x", "d_y")[steps]
    return _finite(points, steps)


def trial_where(accepted: float) -> Callable[[Steps], tuple[np.ndarray, np.ndarray]]:
    """LM's trial step at the steps whose verdict (the 'accepted' column) is `accepted`."""

    def offsets(s: Steps) -> tuple[np.ndarray, np.ndarray]:
        steps = np.flatnonzero(s.columns["accepted"] == accepted)
        return _finite(s.pair("trial_x", "trial_y")[steps], steps)

    return offsets


def _finite(points: np.ndarray, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isfinite(points).all(axis=1)
    return points[keep], steps[keep]


def lm_trial(s: Steps) -> np.ndarray:
    """(n, 2) LM's trial step alpha delta(lambda_k) at each theta_k (NaN where no lambda was tried)."""
    lams = s.columns["lam"]
    tried = np.isfinite(lams)
    out = np.full((s.n, 2), np.nan)
    if tried.any():
        pts = s.points[tried]
        J, r = s.surface.jacobian(pts), s.surface.residuals(pts)
        scaling = str(s.hyper["scaling"])
        curves = lm_step_curves(J, r, scaling=scaling, lambdas=lams[tried][:, None])
        out[tried] = s.number("lr", 1.0) * curves[:, 0]
    return out


def lm_curves(points: int) -> Callable[[Steps, int], np.ndarray]:
    """delta(lambda) (times the step scale) for Levenberg and Marquardt at the first steps: the LM
    step curves from Gauss-Newton (lambda -> 0) to short gradient-like steps."""

    def offsets(s: Steps, max_steps: int) -> np.ndarray:
        pts = s.points[: min(s.n - 1, max_steps)]
        curves = np.full((len(pts), 2, points, 2), np.nan)
        if len(pts):
            J, r = s.surface.jacobian(pts), s.surface.residuals(pts)
            for j, scaling in enumerate(("levenberg", "marquardt")):
                curves[:, j] = s.number("lr", 1.0) * lm_step_curves(J, r, n=points - 1, scaling=scaling)
        return curves

    return offsets


def first_trial(s: Steps) -> np.ndarray:
    """t0 d: L-BFGS's first trial step, from its records."""
    return s.pair("d_x", "d_y") * s.columns["t0"][:, None]


def bias_corrected_moments(second: str) -> Callable[[Steps], dict[str, np.ndarray]]:
    """Adam's (or AMSGrad's) bias-corrected moments m̂ and v̂ (from the state's `second` moment:
    v, or AMSGrad's v_max) and the per-coordinate scale 1/(√v̂ + ε) after iteration k (count
    t = k + 1); with bias_correction "off" m̂ = m and v̂ = v."""

    def columns(s: Steps) -> dict[str, np.ndarray]:
        t = np.arange(1, s.n + 1, dtype=float)
        b1, b2, eps = s.number("beta1"), s.number("beta2"), s.number("eps")
        corrected = s.hyper.get("bias_correction", "on") == "on"
        c1, c2 = (1.0 - b1**t, 1.0 - b2**t) if corrected else (1.0, 1.0)
        out: dict[str, np.ndarray] = {}
        for axis in "xy":
            out[f"mhat_{axis}"] = s.columns[f"m_{axis}"] / c1
            out[f"vhat_{axis}"] = s.columns[f"{second}_{axis}"] / c2
            out[f"scale_{axis}"] = 1.0 / (np.sqrt(out[f"vhat_{axis}"]) + eps)
        return out

    return columns


def lm_columns(s: Steps) -> dict[str, np.ndarray]:
    """LM's λ as iteration k used it, and whether its trial was accepted (from the records)."""
    return {"lam": s.record("damping_used"), "accepted": s.record("accepted")}
