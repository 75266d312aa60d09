"""Loss surfaces made from data: fitting a model's two parameters to synthetic samples.

linear_regression  parameters (w, b); model w*x + b; residuals r_i = (w*x_i + b - y_i) / sqrt(n),
                   so f is the mean squared error. x_i ~ U(0, 2): inputs that are not centred give
                   the correlated, elongated valley that feature normalisation would remove.
curve_fit          parameters (a, b); model a*exp(b*t); residuals (a*exp(b*t_i) - y_i) / sqrt(n).
                   Nonlinear least squares, the classic Levenberg-Marquardt case.

Both draw their data from `seed`, so a surface is reproducible. `subset(indices)` gives the same
loss over a minibatch of the samples (n becomes the batch size), which is what SGD sees.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np

from surfaces.base import Bounds, LeastSquares, frozen_array, stack_last

TRUE_LINE = (2.0, -1.0)  # (w, b) the linear data are drawn from
TRUE_CURVE = (2.0, -1.5)  # (a, b) the exponential data are drawn from


class DataSurface(LeastSquares):
    """Shared plumbing for surfaces defined by samples (inputs, targets)."""

    inputs: np.ndarray
    targets: np.ndarray

    @property
    def data(self) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[override]
        return self.inputs, self.targets

    def subset(self, indices: np.ndarray) -> DataSurface:
        """The same model's loss over the samples at `indices` only (a minibatch)."""
        view = copy.copy(self)
        object.__setattr__(view, "inputs", self.inputs[indices])
        object.__setattr__(view, "targets", self.targets[indices])
        return view

    def predict(self, xy: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """Model output at `inputs` for parameters `xy`: shape (..., len(inputs))."""
        raise NotImplementedError

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        scale = 1.0 / math.sqrt(self.inputs.size)
        return (self.predict(xy, self.inputs) - self.targets) * scale

    def _set_data(self, inputs: np.ndarray, targets: np.ndarray) -> None:
        for name, values in (("inputs", inputs), ("targets", targets)):
            values = np.array(values, dtype=float)
            values.flags.writeable = False
            object.__setattr__(self, name, values)

    def _set_minimum(
        self,
        minimizer: np.ndarray | None,
        half_width: tuple[float, float],
        fallback_centre: np.ndarray | None = None,
    ) -> None:
        """Record the minimum (None: there is none) and a view centred on it."""
        if minimizer is None:
            object.__setattr__(self, "minima", frozen_array(np.zeros((0, 2))))
            object.__setattr__(self, "min_value", None)
            centre = fallback_centre
        else:
            object.__setattr__(self, "minima", frozen_array([minimizer]))
            object.__setattr__(self, "min_value", float(self.value(self.minima[0])))
            centre = self.minima[0]
        (cx, cy), (hx, hy) = centre, half_width
        bounds: Bounds = ((float(cx - hx), float(cx + hx)), (float(cy - hy), float(cy + hy)))
        object.__setattr__(self, "bounds", bounds)


@dataclass(frozen=True)
class LinearRegression(DataSurface):
    n_samples: int = 50
    noise: float = 0.5
    seed: int = 0

    name = "linear_regression"
    axis_labels = ("w", "b")

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        x = rng.uniform(0.0, 2.0, self.n_samples)
        w, b = TRUE_LINE
        self._set_data(x, w * x + b + self.noise * rng.standard_normal(self.n_samples))
        design = np.stack([self.inputs, np.ones_like(self.inputs)], axis=1)
        solution = np.linalg.lstsq(design, self.targets, rcond=None)[0]
        self._set_minimum(solution, (3.0, 3.0))

    def predict(self, xy: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        return xy[..., 0, None] * inputs + xy[..., 1, None]

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        row = stack_last(self.inputs, np.ones_like(self.inputs)) / math.sqrt(self.inputs.size)
        return np.broadcast_to(row, (*xy.shape[:-1], *row.shape))

    def value_and_grad_xy(self, x, y):
        inputs, scale = self.inputs, 1.0 / math.sqrt(self.inputs.size)
        r = (x[..., None] * inputs + y[..., None] - self.targets) * scale
        two_r = (2.0 * scale) * r
        return (r * r).sum(-1), (two_r * inputs).sum(-1), two_r.sum(-1)

    def hessian_xy(self, x, y):
        # The residuals are linear in (w, b), so the Hessian is exactly 2 J^T J, the same everywhere.
        inputs, n = self.inputs, self.inputs.size
        return 2.0 / n * (inputs @ inputs), 2.0 / n * inputs.sum(), 2.0


@dataclass(frozen=True)
class CurveFit(DataSurface):
    n_samples: int = 40
    noise: float = 0.05
    seed: int = 0

    name = "curve_fit"
    axis_labels = ("a", "b")

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        t = np.sort(rng.uniform(0.0, 2.0, self.n_samples))
        a, b = TRUE_CURVE
        self._set_data(t, a * np.exp(b * t) + self.noise * rng.standard_normal(self.n_samples))
        self._set_minimum(self._fit(), (2.5, 2.5), fallback_centre=np.array(TRUE_CURVE))

    def predict(self, xy: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        return xy[..., 0, None] * np.exp(xy[..., 1, None] * inputs)

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        a, b = xy[..., 0, None], xy[..., 1, None]
        e = np.exp(b * self.inputs)
        return stack_last(e, a * self.inputs * e) / math.sqrt(self.inputs.size)

    def _model_terms(self, a, b):
        """exp(b t), the model a exp(b t) and the residuals, each (..., n)."""
        e = np.exp(b[..., None] * self.inputs)
        model = a[..., None] * e
        return e, model, (model - self.targets) * (1.0 / math.sqrt(self.inputs.size))

    def value_and_grad_xy(self, x, y):
        # sum(r^2) and 2 J^T r, sharing exp(b t) (the least-squares default would build J).
        e, model, r = self._model_terms(x, y)
        two_r = (2.0 / math.sqrt(self.inputs.size)) * r
        return (r * r).sum(-1), (two_r * e).sum(-1), (two_r * model * self.inputs).sum(-1)

    def hessian_xy(self, x, y):
        # 2 (J^T J + sum_i r_i hess r_i), with J_i = (e_i, a t_i e_i) / sqrt(n) and
        # hess r_i = [[0, t_i e_i], [t_i e_i, a t_i^2 e_i]] / sqrt(n), e_i = exp(b t_i).
        t, scale = self.inputs, 1.0 / math.sqrt(self.inputs.size)
        e, model, r = self._model_terms(x, y)
        ja, jb = e * scale, model * t * scale
        hab = (ja * jb + r * t * ja).sum(-1)
        hbb = (jb * jb + r * t * jb).sum(-1)
        return 2.0 * (ja * ja).sum(-1), 2.0 * hab, 2.0 * hbb

    def _fit(self) -> np.ndarray | None:
        """The least-squares (a, b), or None when the loss has no minimum.

        For a fixed b the best a is linear least squares, a(b) = sum(e y) / sum(e e) with
        e = exp(b t) (variable projection), so a dense scan over b finds the basin of the global
        minimum; Newton's method on (a, b) then polishes it. With few noisy samples the infimum can
        lie at b -> -inf (a spike on the earliest sample), and then there is no minimum to report.
        """
        t, y = self.inputs, self.targets
        steep = np.geomspace(20.0, 2000.0, 2000)
        b_grid = np.concatenate([-steep[::-1], np.linspace(-20.0, 20.0, 8001)[1:-1], steep])
        # The profile ignores the scale of e, so measure t from the end that keeps exp from
        # overflowing or vanishing: the largest entry of every row is then exactly 1.
        anchor = np.where(b_grid < 0, t.min(), t.max())
        profile = np.empty_like(b_grid)
        for rows in np.array_split(np.arange(b_grid.size), max(1, b_grid.size * t.size // 2_000_000)):
            e = np.exp(b_grid[rows, None] * (t - anchor[rows, None]))
            profile[rows] = (y @ y) - (e @ y) ** 2 / np.einsum("ij,ij->i", e, e)
        k = int(np.argmin(profile))
        if k in (0, len(b_grid) - 1):
            return None
        theta = self._profile_minimum(b_grid[k - 1], b_grid[k + 1])
        for _ in range(20):  # Newton polishes what the 1D search left
            H, g = self.hessian(theta), self.grad(theta)
            if np.linalg.det(H) <= 0:
                break
            step = np.linalg.solve(H, -g)
            theta = theta + step
            if np.linalg.norm(step) <= 1e-14 * (1.0 + np.linalg.norm(theta)):
                break
        H = self.hessian(theta)
        stationary = np.linalg.norm(self.grad(theta)) <= 1e-9 * (1.0 + np.abs(H).max())
        return theta if stationary and np.all(np.linalg.eigvalsh(H) > 0) else None

    def _profile_minimum(self, low: float, high: float) -> np.ndarray:
        """Golden-section search of the profile loss over b in [low, high]; returns (a(b), b)."""
        t, y = self.inputs, self.targets

        def best_a(b: float) -> float:
            e = np.exp(b * t)
            return float(e @ y / (e @ e))

        def profile(b: float) -> float:
            return float(self.value(np.array([best_a(b), b])))

        ratio = (math.sqrt(5.0) - 1.0) / 2.0
        for _ in range(100):
            m1, m2 = high - ratio * (high - low), low + ratio * (high - low)
            if profile(m1) < profile(m2):
                high = m2
            else:
                low = m1
        b = 0.5 * (low + high)
        return np.array([best_a(b), b])
