"""Textbook test functions.

quadratic   f = u^2 + condition * v^2, (u, v) = (x, y) rotated so u points at `angle` degrees;
            residuals (u, sqrt(condition) v). The lecture's elongated valley.
rosenbrock  f = (a - x)^2 + b (y - x^2)^2; residuals (a - x, sqrt(b) (y - x^2)).
beale       f = sum_i (c_i - x + x y^i)^2, c = (1.5, 2.25, 2.625); minimum (3, 0.5).
himmelblau  f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2; four minima, all with f = 0.
saddle      f = x^2 - y^2; no minimum (unbounded below), a saddle point at the origin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from surfaces.base import Bounds, LeastSquares, Surface, frozen_array, stack_last


def _xy(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xy = np.asarray(xy, dtype=float)
    return xy[..., 0], xy[..., 1]


def _matrix(rows: list[list[np.ndarray]]) -> np.ndarray:
    """Assemble matrices (..., m, 2) from entries of one shape, in a single call (the hot path)."""
    block = np.array(rows, dtype=float)
    return block.transpose((*range(2, block.ndim), 0, 1))


def _sym2(hxx: np.ndarray, hxy: np.ndarray, hyy: np.ndarray) -> np.ndarray:
    """Assemble symmetric 2x2 matrices (..., 2, 2) from their three entries (of one shape)."""
    return _matrix([[hxx, hxy], [hxy, hyy]])


@dataclass(frozen=True)
class Quadratic(LeastSquares):
    condition: float = 10.0
    angle: float = 0.0

    name = "quadratic"
    min_value = 0.0
    bounds = ((-4.0, 4.0), (-4.0, 4.0))
    minima = frozen_array([[0.0, 0.0]])

    def _basis(self) -> tuple[float, float]:
        theta = math.radians(self.angle)
        return math.cos(theta), math.sin(theta)

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        c, s = self._basis()
        return stack_last(c * x + s * y, math.sqrt(self.condition) * (c * y - s * x))

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, _ = _xy(xy)
        c, s = self._basis()
        k = math.sqrt(self.condition)
        row = np.ones_like(x)
        return _matrix([[c * row, s * row], [-k * s * row, k * c * row]])

    def value_and_grad(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = _xy(xy)
        c, s = self._basis()
        u = c * x + s * y
        kv = self.condition * (c * y - s * x)  # condition * v
        value = u * u + kv * (c * y - s * x)
        return value, stack_last(2.0 * (c * u - s * kv), 2.0 * (s * u + c * kv))

    def value(self, xy: np.ndarray) -> np.ndarray:
        return self.value_and_grad(xy)[0]

    def grad(self, xy: np.ndarray) -> np.ndarray:
        return self.value_and_grad(xy)[1]

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        x, _ = _xy(xy)
        c, s = self._basis()
        k = self.condition
        ones = np.ones_like(x)
        return _sym2(
            2 * (c * c + k * s * s) * ones,
            2 * (1 - k) * c * s * ones,
            2 * (s * s + k * c * c) * ones,
        )


@dataclass(frozen=True)
class Rosenbrock(LeastSquares):
    a: float = 1.0
    b: float = 100.0

    name = "rosenbrock"
    min_value = 0.0

    @property
    def bounds(self) -> Bounds:  # type: ignore[override]
        m = max(1.0, abs(self.a))  # the classic view, widened until it holds the minimum (a, a^2)
        return ((-2.0 * m, 2.0 * m), (-1.0 * m * m, 3.0 * m * m))

    @property
    def minima(self) -> np.ndarray:  # type: ignore[override]
        return frozen_array([[self.a, self.a**2]])

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        return stack_last(self.a - x, math.sqrt(self.b) * (y - x * x))

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, _ = _xy(xy)
        k = math.sqrt(self.b)
        zero = 0.0 * x
        return _matrix([[zero - 1.0, zero], [(-2.0 * k) * x, zero + k]])

    def value_and_grad(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = _xy(xy)
        e = self.a - x
        d = y - x * x
        bd = self.b * d
        gy = bd + bd  # 2 b (y - x^2); then g_x = -2 (a - x) - 4 b x (y - x^2) = -2 (e + x g_y)
        return e * e + bd * d, stack_last(-2.0 * (e + x * gy), gy)

    def value(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        d = y - x * x
        return (self.a - x) ** 2 + self.b * d * d

    def grad(self, xy: np.ndarray) -> np.ndarray:
        return self.value_and_grad(xy)[1]

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        b = self.b
        return _sym2(2 - 4 * b * y + 12 * b * x * x, -4 * b * x, 2 * b + 0 * x)


_BEALE_C = (1.5, 2.25, 2.625)


@dataclass(frozen=True)
class Beale(LeastSquares):
    name = "beale"
    min_value = 0.0
    bounds = ((-4.5, 4.5), (-4.5, 4.5))
    minima = frozen_array([[3.0, 0.5]])

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        return stack_last(*(c - x + x * y**i for i, c in enumerate(_BEALE_C, start=1)))

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        return _matrix([[y**i - 1, i * x * y ** (i - 1)] for i in (1, 2, 3)])

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        r = self.residuals(xy)
        J = self.jacobian(xy)
        gauss_newton = np.einsum("...mi,...mj->...ij", J, J)
        # Second-order part: sum_i r_i * hess(r_i), hess(r_i) = [[0, i y^(i-1)], [., i(i-1) x y^(i-2)]].
        hxy = sum(r[..., i - 1] * i * y ** (i - 1) for i in (1, 2, 3))
        hyy = r[..., 1] * 2 * x + r[..., 2] * 6 * x * y
        return 2 * (gauss_newton + _sym2(0 * x, hxy, hyy))


_HIMMELBLAU_MINIMA = frozen_array(
    [
        [3.0, 2.0],
        [-2.805118086952745, 3.131312518250573],
        [-3.779310253377747, -3.283185991286170],
        [3.584428340330492, -1.848126526964404],
    ]
)


@dataclass(frozen=True)
class Himmelblau(LeastSquares):
    name = "himmelblau"
    min_value = 0.0
    bounds = ((-5.0, 5.0), (-5.0, 5.0))
    minima = _HIMMELBLAU_MINIMA

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        return stack_last(x * x + y - 11, x + y * y - 7)

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        one = np.ones_like(x)
        return _matrix([[2 * x, one], [one, 2 * y]])

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        return _sym2(12 * x * x + 4 * y - 42, 4 * (x + y), 12 * y * y + 4 * x - 26)


@dataclass(frozen=True)
class Saddle(Surface):
    name = "saddle"
    min_value = None
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = frozen_array(np.zeros((0, 2)))

    def value(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        return x * x - y * y

    def grad(self, xy: np.ndarray) -> np.ndarray:
        x, y = _xy(xy)
        return stack_last(2 * x, -2 * y)

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        x, _ = _xy(xy)
        ones = np.ones_like(x)
        return _sym2(2 * ones, 0 * ones, -2 * ones)
