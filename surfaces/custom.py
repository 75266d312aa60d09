"""A surface whose loss is a formula the user types (see `surfaces.formula` for the language).

    >>> f = make_custom("(1 - x)^2 + 100*(y - x^2)^2", x_range=(-2, 2), y_range=(-1, 3))
    >>> f.value(np.array([1.0, 1.0])), f.minima_estimated
    (np.float64(0.0), True)

`make_custom` parses the text (a ValueError points at any problem) and returns a `Custom`, or a
`CustomLeastSquares` when the text is residuals separated by `;`: that one also gives residuals
and their Jacobian, so Gauss-Newton and Levenberg-Marquardt run on it.

Minima and L* are not known in advance. `estimate_minima` looks for them with a many-start search
inside the view box: a grid of starts, each refined by damped Newton steps (H + mu I) d = -g with
mu adapted per start (a step is kept only if the loss falls), then polished by plain Newton steps.
The candidates are the stationary points with a positive semi-definite Hessian; the lowest value
among them is L*. Where several distinct candidates at L* have a singular Hessian, the minimum is
not isolated: the loss takes its lowest value along a curve or a line, like (x^2 + y^2 - 1)^2 on
the unit circle or x^2 on the y axis. Then L* is known but there is no finite list of minima
(`minima` holds only the isolated ones, `minimum_set` says "curve"). If the loss goes lower
anywhere on a fine grid of the box (a minimum on the edge, or none: the saddle), there is no
minimum in view: `minima` is empty and `min_value` None. `minima_estimated` says they are found
numerically, so the page can say so; `minimum_words` says all this in a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from surfaces.base import Bounds, LeastSquares, Surface, frozen_array, split_xy, stack_last
from surfaces.formula import EXAMPLES, Formula, parse_formula

DEFAULT = EXAMPLES["rosenbrock"]

# The many-start search: its cost is about `steps` evaluations of the formula's Hessian at
# SEARCH_GRID^2 points, plus the check on a CHECK_GRID^2 grid (values only). A long formula gets
# fewer steps (SEARCH_WORK node-steps, at least MIN_SEARCH_STEPS), which keeps the build of the
# largest formula allowed well under 0.5 s; damped Newton from a start 1/15 of the box away
# from a minimum typically needs 5 to 15 steps.
SEARCH_GRID = 15
SEARCH_STEPS = 60
MIN_SEARCH_STEPS = 20
SEARCH_WORK = 4000
POLISH_STEPS = 6
CHECK_GRID = 101
# A Hessian eigenvalue this small relative to the Hessian's largest entry counts as zero: the
# stationary point is flat in one direction (a curve of minima, or a quartic bottom).
SINGULAR = 1e-6


@dataclass(frozen=True)
class Custom(Surface):
    """f(x, y) given as text; build it with `make_custom` (or `get_surface("custom", ...)`)."""

    formula: str = DEFAULT.formula
    x_range: tuple[float, float] = DEFAULT.x_range
    y_range: tuple[float, float] = DEFAULT.y_range
    parsed: Formula | None = field(default=None, compare=False, repr=False)

    name = "custom"
    minima_estimated = True

    def __post_init__(self) -> None:
        if self.parsed is None:
            object.__setattr__(self, "parsed", parse_formula(self.formula))

    @property
    def params(self) -> dict[str, Any]:
        return {"formula": self.formula, "x_range": self.x_range, "y_range": self.y_range}

    @property
    def bounds(self) -> Bounds:  # type: ignore[override]
        return (tuple(self.x_range), tuple(self.y_range))

    @cached_property
    def check_grid(self) -> np.ndarray:
        """The loss on a CHECK_GRID x CHECK_GRID grid over the view box, ends included (n, n):
        `make_custom` checks it is finite somewhere, the minimum search that nothing is lower."""
        return _check_grid_values(self.parsed, self.bounds)

    @cached_property
    def _minimum(self) -> MinimumEstimate:
        return estimate_minima(self.parsed, self.bounds, self.check_grid)

    @property
    def minima(self) -> np.ndarray:  # type: ignore[override]
        return self._minimum.minima

    @property
    def min_value(self) -> float | None:  # type: ignore[override]
        return self._minimum.value

    @property
    def minimum_set(self) -> str:
        """ "points" (isolated minima), "curve" (L* along a curve or line) or "none" (no L*)."""
        return self._minimum.kind

    @property
    def minimum_words(self) -> str:
        """What the many-start search found, in a sentence for the page."""
        found = self._minimum
        if found.kind == "none":
            return (
                "No minimum was found inside the view box by a many-start search (the loss falls "
                "toward the box's edge, or has no lowest point in it), so there is no L*: the loss is "
                "drawn as is."
            )
        if found.kind == "curve":
            also = f" (and {len(found.minima)} isolated ones, starred)" if len(found.minima) else ""
            return (
                f"The lowest value L* = {found.value:.4g} is taken along a curve or line of points, not "
                f"at isolated minima{also}: a many-start search inside the view box ended at "
                f"{found.curve_points} different points with that value, where the Hessian is "
                "singular (flat along the curve). L* is an estimate."
            )
        return (
            f"The minima (stars) and L* = {found.value:.4g} are estimates, found by a many-start "
            "search inside the view box."
        )

    def latex(self) -> str:
        """The loss as LaTeX, as the formula was read."""
        return self.parsed.latex()

    def value_and_grad_xy(self, x, y):
        return _shaped(self.parsed.jet(x, y, order=1), x, y)

    def hessian_xy(self, x, y):
        return self.parsed.jet(x, y, order=2)[3:]

    def value_xy(self, x, y):
        return _shaped(self.parsed.jet(x, y, order=0), x, y)[0]


@dataclass(frozen=True)
class CustomLeastSquares(Custom, LeastSquares):
    """A custom sum of squares: loss = sum(r_i^2) over residuals separated by `;`."""

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        x, y = split_xy(xy)
        return stack_last(*_shaped([r for (r,) in self.parsed.residual_jets(x, y, order=0)], x, y))

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, y = split_xy(xy)
        rows = [stack_last(*_shaped(jet[1:], x, y)) for jet in self.parsed.residual_jets(x, y, order=1)]
        block = np.array(rows, dtype=float)  # (m, ..., 2)
        return np.moveaxis(block, 0, -2)

    def gram_xy(self, x, y):
        a = h = c = 0.0
        for _, rx, ry in self.parsed.residual_jets(x, y, order=1):
            a, h, c = a + rx * rx, h + rx * ry, c + ry * ry
        return a, h, c


def make_custom(
    formula: str = DEFAULT.formula,
    x_range: tuple[float, float] = DEFAULT.x_range,
    y_range: tuple[float, float] = DEFAULT.y_range,
) -> Custom:
    """The surface for `formula` over the view box x_range x y_range.

    Raises ValueError (with the column of the problem) when the formula cannot be read, and when
    its loss is finite nowhere in the view box (`1/(x - x)`): no start could be picked.
    """
    parsed = parse_formula(formula)
    kind = CustomLeastSquares if parsed.residual else Custom
    surface = kind(formula, tuple(map(float, x_range)), tuple(map(float, y_range)), parsed)
    if not np.isfinite(surface.check_grid).any():
        raise ValueError(
            f"the loss is not a finite number anywhere in the view box (checked at {CHECK_GRID} × "
            f"{CHECK_GRID} points): everywhere there it divides by zero, overflows, or takes the log "
            "or the root of a negative number"
        )
    return surface


def _check_grid_values(formula: Formula, bounds: Bounds) -> np.ndarray:
    """The loss on a CHECK_GRID x CHECK_GRID grid over the box, ends included; (n, n)."""
    (x0, x1), (y0, y1) = bounds
    cx, cy = np.meshgrid(np.linspace(x0, x1, CHECK_GRID), np.linspace(y0, y1, CHECK_GRID))
    with np.errstate(all="ignore"):
        return np.broadcast_to(formula.jet(cx, cy, order=0)[0], cx.shape)


def _shaped(components, x, y) -> list:
    """Components with the points' shape: a jet's constant parts are plain floats, made full here
    (np.float64 is a float subclass, hence the exact type test)."""
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    return [c if type(c) is not float and np.shape(c) == shape else np.full(shape, c)[()] for c in components]


# ---------------------------------------------------------------------------------------------
# Many-start search for the minima inside the view box
# ---------------------------------------------------------------------------------------------


class MinimumEstimate(NamedTuple):
    """What the many-start search found: the isolated minima (k, 2), L* (None: no minimum in
    view), and how many distinct points at L* had a singular Hessian (2 or more: a curve)."""

    minima: np.ndarray
    value: float | None
    curve_points: int = 0

    @property
    def kind(self) -> str:
        if self.value is None:
            return "none"
        return "curve" if self.curve_points >= 2 else "points"


NO_MINIMUM = MinimumEstimate(frozen_array(np.zeros((0, 2))), None)


def estimate_minima(formula: Formula, bounds: Bounds, grid: np.ndarray | None = None) -> MinimumEstimate:
    """The minima of `formula`'s loss inside `bounds` and L*, found numerically; `NO_MINIMUM` when
    the loss has no interior stationary point there whose value is also its lowest on the box.
    `grid`: the loss on the check grid (`_check_grid_values`), if already computed."""
    (x0, x1), (y0, y1) = bounds
    scale = np.array([x1 - x0, y1 - y0])
    with np.errstate(all="ignore"):
        cells = (np.arange(SEARCH_GRID) + 0.5) / SEARCH_GRID
        gx, gy = np.meshgrid(x0 + cells * scale[0], y0 + cells * scale[1])
        points = _damped_newton(formula, np.stack([gx.ravel(), gy.ravel()], axis=-1), scale)
        points = _polish(formula, points)
        found, values, singular = _minima_among(formula, points, bounds, scale)
        if len(found) == 0:
            return NO_MINIMUM
        best = float(values.min())
        tol = 1e-9 * (1.0 + abs(best))
        # The lowest value on a fine grid of the box: if it is below every minimum found, the loss
        # falls toward the edge (or has a minimum the search missed): L* is not known.
        if grid is None:
            grid = _check_grid_values(formula, bounds)
        if np.nanmin(grid, initial=np.inf) < best - tol or np.isneginf(grid).any():
            return NO_MINIMUM
        lowest = values <= best + tol
        flat = int(np.sum(lowest & singular))
        # One singular point (x^4 + y^4 at 0) is an isolated minimum; several make a curve or line.
        isolated = lowest & ~singular if flat >= 2 else lowest
        return MinimumEstimate(frozen_array(found[isolated]), best, flat if flat >= 2 else 0)


def _derivatives(formula: Formula, P: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss (N,), gradient (N, 2) and Hessian (N, 2, 2) at points (N, 2), from one jet."""
    f, fx, fy, fxx, fxy, fyy = np.broadcast_arrays(*formula.jet(P[:, 0], P[:, 1], order=2), P[:, 0])[:6]
    return f, np.stack([fx, fy], -1), np.stack([np.stack([fxx, fxy], -1), np.stack([fxy, fyy], -1)], -2)


def _damped_newton(formula: Formula, x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Damped Newton steps from every start at once (at most SEARCH_STEPS, fewer for a long
    formula); a step is kept where f falls."""
    f, g, H = _derivatives(formula, x)
    mu = 1e-3 * (1.0 + np.abs(H).max(axis=(-2, -1)))
    max_step = 0.25 * np.linalg.norm(scale)
    for _ in range(max(MIN_SEARCH_STEPS, min(SEARCH_STEPS, SEARCH_WORK // formula.size))):
        d = _solve_2x2(H + mu[:, None, None] * np.eye(2), -g)
        length = np.linalg.norm(d, axis=-1)
        trial = x + d * np.minimum(1.0, max_step / np.maximum(length, 1e-300))[:, None]
        f_new, g_new, H_new = _derivatives(formula, trial)
        keep = np.isfinite(f_new) & (f_new < f) & np.all(np.isfinite(g_new), axis=-1)
        x = np.where(keep[:, None], trial, x)
        f = np.where(keep, f_new, f)
        g = np.where(keep[:, None], g_new, g)
        H = np.where(keep[:, None, None], H_new, H)
        mu = np.where(keep, mu / 3.0, mu * 4.0)
        # every start has stopped moving: at a stationary point, or its steps keep failing
        if np.all((length <= 1e-12 * (1.0 + np.abs(x).max(axis=-1))) | (mu > 1e12)):
            break
    return x


def _polish(formula: Formula, x: np.ndarray) -> np.ndarray:
    """A few plain Newton steps, each kept only where it lowers the gradient (quadratic endgame)."""
    _, g, H = _derivatives(formula, x)
    for _ in range(POLISH_STEPS):
        trial = x + _solve_2x2(H, -g)
        _, g_new, H_new = _derivatives(formula, trial)
        better = np.linalg.norm(g_new, axis=-1) < np.linalg.norm(g, axis=-1)
        x = np.where(better[:, None], trial, x)
        g = np.where(better[:, None], g_new, g)
        H = np.where(better[:, None, None], H_new, H)
    return x


def _minima_among(
    formula: Formula, x: np.ndarray, bounds: Bounds, scale: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct points of x inside the box, stationary with a positive semi-definite Hessian, by
    value: (points (k, 2), values (k,), singular (k,): the Hessian's smaller eigenvalue is zero
    to round-off, as along a valley floor that is flat in one direction)."""
    (x0, x1), (y0, y1) = bounds
    inside = (x[:, 0] > x0) & (x[:, 0] < x1) & (x[:, 1] > y0) & (x[:, 1] < y1)
    f, g, H = _derivatives(formula, x)
    finite = np.isfinite(f) & np.all(np.isfinite(g), -1) & np.all(np.isfinite(H), (-2, -1))
    H = np.where(finite[:, None, None], H, 0.0)
    size = 1.0 + np.abs(H).max(axis=(-2, -1))
    stationary = np.linalg.norm(np.where(finite[:, None], g, np.inf), axis=-1) <= 1e-7 * size
    lowest_curvature = np.linalg.eigvalsh(H)[:, 0]
    singular = np.abs(lowest_curvature) <= SINGULAR * size
    keep = inside & finite & stationary & ((lowest_curvature > 0) | singular)
    order = np.argsort(f[keep], kind="stable")
    candidates, values, flat = x[keep][order], f[keep][order], singular[keep][order]
    distinct: list[int] = []
    for i, p in enumerate(candidates):
        if all(np.any(np.abs(p - candidates[j]) > 1e-6 * scale) for j in distinct):
            distinct.append(i)
    return candidates[distinct].reshape(-1, 2), values[distinct], flat[distinct]


def _solve_2x2(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve A d = b for stacks of 2x2 systems by Cramer's rule (NaN where A is singular)."""
    a, h1, h2, c = A[..., 0, 0], A[..., 0, 1], A[..., 1, 0], A[..., 1, 1]
    det = a * c - h1 * h2
    return np.stack([(c * b[..., 0] - h1 * b[..., 1]) / det, (a * b[..., 1] - h2 * b[..., 0]) / det], axis=-1)
