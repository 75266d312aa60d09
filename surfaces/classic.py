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
from functools import cached_property

import numpy as np

from surfaces.base import Bounds, LeastSquares, Surface, frozen_array, split_xy, stack_last


def _matrix(rows: list[list[np.ndarray]]) -> np.ndarray:
    """Assemble matrices (..., m, 2) from entries of one shape, in a single call."""
    block = np.array(rows, dtype=float)
    return block.transpose((*range(2, block.ndim), 0, 1))


@dataclass(frozen=True)
class Quadratic(LeastSquares):
    condition: float = 10.0
    angle: float = 0.0

    name = "quadratic"
    min_value = 0.0
    bounds = ((-4.0, 4.0), (-4.0, 4.0))
    minima = frozen_array([[0.0, 0.0]])

    @cached_property
    def _basis(self) -> tuple[float, float]:
        """(cos, sin) of the angle of the flat direction u."""
        theta = math.radians(self.angle)
        return math.cos(theta), math.sin(theta)

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        x, y = split_xy(xy)
        c, s = self._basis
        return stack_last(c * x + s * y, math.sqrt(self.condition) * (c * y - s * x))

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, _ = split_xy(xy)
        c, s = self._basis
        k = math.sqrt(self.condition)
        row = np.ones_like(x)
        return _matrix([[c * row, s * row], [-k * s * row, k * c * row]])

    def value_and_grad_xy(self, x, y):
        c, s = self._basis
        u = c * x + s * y
        v = c * y - s * x
        kv = self.condition * v
        return u * u + kv * v, 2.0 * (c * u - s * kv), 2.0 * (s * u + c * kv)

    def hessian_xy(self, x, y):
        c, s = self._basis
        k = self.condition
        return 2 * (c * c + k * s * s), 2 * (1 - k) * c * s, 2 * (s * s + k * c * c)


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
        x, y = split_xy(xy)
        return stack_last(self.a - x, math.sqrt(self.b) * (y - x * x))

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, _ = split_xy(xy)
        k = math.sqrt(self.b)
        zero = 0.0 * x
        return _matrix([[zero - 1.0, zero], [(-2.0 * k) * x, zero + k]])

    def value_and_grad_xy(self, x, y):
        e = self.a - x
        d = y - x * x
        bd = self.b * d
        gy = bd + bd  # 2 b (y - x^2); then g_x = -2 (a - x) - 4 b x (y - x^2) = -2 (e + x g_y)
        return e * e + bd * d, -2.0 * (e + x * gy), gy

    def hessian_xy(self, x, y):
        b = self.b
        return 2 - 4 * b * y + 12 * b * x * x, -4 * b * x, 2 * b

    def gram_xy(self, x, y):
        bx = self.b * x  # J = [[-1, 0], [-2 sqrt(b) x, sqrt(b)]]
        return 1.0 + 4.0 * bx * x, -2.0 * bx, self.b


_BEALE_C = (1.5, 2.25, 2.625)


@dataclass(frozen=True)
class Beale(LeastSquares):
    """Residuals r_i = c_i - x + x y^i, i = 1, 2, 3."""

    name = "beale"
    min_value = 0.0
    bounds = ((-4.5, 4.5), (-4.5, 4.5))
    minima = frozen_array([[3.0, 0.5]])

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        x, y = split_xy(xy)
        return stack_last(*(c - x + x * y**i for i, c in enumerate(_BEALE_C, start=1)))

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, y = split_xy(xy)
        return _matrix([[y**i - 1, i * x * y ** (i - 1)] for i in (1, 2, 3)])

    def _terms(self, x, y):
        """(r_i, dr_i/dx, dr_i/dy, y^(i-1)) for i = 1, 2, 3."""
        power = 1.0  # y^(i-1)
        for i, c in enumerate(_BEALE_C, start=1):
            dx = power * y - 1.0
            yield c + x * dx, dx, i * x * power, power
            power = power * y

    def value_and_grad_xy(self, x, y):
        value = gx = gy = 0.0
        for r, dx, dy, _ in self._terms(x, y):
            value, gx, gy = value + r * r, gx + r * dx, gy + r * dy
        return value, 2.0 * gx, 2.0 * gy

    def hessian_xy(self, x, y):
        # 2 (J^T J + sum_i r_i hess r_i), hess r_i = [[0, i y^(i-1)], [., i (i-1) x y^(i-2)]].
        (r1, dx1, dy1, _), (r2, dx2, dy2, _), (r3, dx3, dy3, _) = self._terms(x, y)
        hxx = dx1 * dx1 + dx2 * dx2 + dx3 * dx3
        hxy = dx1 * dy1 + dx2 * dy2 + dx3 * dy3 + r1 + 2.0 * r2 * y + 3.0 * r3 * y * y
        hyy = dy1 * dy1 + dy2 * dy2 + dy3 * dy3 + 2.0 * r2 * x + 6.0 * r3 * x * y
        return 2.0 * hxx, 2.0 * hxy, 2.0 * hyy


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
        x, y = split_xy(xy)
        return stack_last(x * x + y - 11, x + y * y - 7)

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        x, y = split_xy(xy)
        one = np.ones_like(x)
        return _matrix([[2 * x, one], [one, 2 * y]])

    def value_and_grad_xy(self, x, y):
        r1, r2 = x * x + y - 11.0, x + y * y - 7.0
        return r1 * r1 + r2 * r2, 4.0 * x * r1 + 2.0 * r2, 2.0 * r1 + 4.0 * y * r2

    def hessian_xy(self, x, y):
        return 12 * x * x + 4 * y - 42, 4 * (x + y), 12 * y * y + 4 * x - 26

    def gram_xy(self, x, y):
        return 4.0 * x * x + 1.0, 2.0 * (x + y), 4.0 * y * y + 1.0


@dataclass(frozen=True)
class Saddle(Surface):
    name = "saddle"
    min_value = None
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    minima = frozen_array(np.zeros((0, 2)))

    def value_and_grad_xy(self, x, y):
        return x * x - y * y, 2.0 * x, -2.0 * y

    def hessian_xy(self, x, y):
        return 2.0, 0.0, -2.0
