"""Building blocks shared by every surface.

A surface is a loss f(x, y) over a 2D parameter space. Every method is vectorised over leading
axes: a point array has shape (..., 2) with the coordinate last, values come back as (...),
gradients as (..., 2) and Hessians as (..., 2, 2).

Least-squares surfaces write the loss as a plain sum of squared residuals,

    f = sum_i r_i(x, y)^2          (no 1/2 factor)
    grad f = 2 J^T r               J_ij = d r_i / d theta_j
    hess f = 2 (J^T J + sum_i r_i hess r_i)

so Gauss-Newton's 2 J^T J is the Hessian without its second term. `LeastSquares` derives value and
gradient from residuals and Jacobian, so the three cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from params import Param, validate_params  # noqa: F401 (also importable from here, as before)

Bounds = tuple[tuple[float, float], tuple[float, float]]
LOSS_FLOOR = 1e-16  # the smallest gap L - L* on a log scale: below it a run counts as at the minimum


def stack_last(*components: np.ndarray | float) -> np.ndarray:
    """Stack arrays on a new last axis, keeping each component contiguous in memory.

    The result is a (..., k) view of a (k, ...) block, so later element-wise maths on it runs over
    contiguous memory (this is the engine's hot path; np.stack(axis=-1) interleaves instead).
    """
    shapes = [getattr(c, "shape", None) for c in components]
    if shapes.count(shapes[0]) == len(shapes) and shapes[0] is not None:
        block = np.array(components, dtype=float)  # the fast path: one call builds the block
    else:
        shape = np.broadcast_shapes(*(np.shape(c) for c in components))
        block = np.empty((len(components), *shape))
        for i, c in enumerate(components):
            block[i] = c
    return block.transpose(_LAST_AXIS_FIRST[block.ndim - 1])


_LAST_AXIS_FIRST = [(*range(1, n + 1), 0) for n in range(33)]


def frozen_array(values: object) -> np.ndarray:
    """A read-only float array, for constants shared by every instance (minima)."""
    array = np.array(values, dtype=float)
    array.flags.writeable = False
    return array


Coordinate = Any  # one coordinate of many points (an array), or of one point (a NumPy scalar)


def split_xy(xy: Any) -> tuple[np.ndarray, np.ndarray]:
    """The coordinates of points (..., 2) as two arrays (...)."""
    xy = np.asarray(xy, dtype=float)
    return xy[..., 0], xy[..., 1]


class Surface:
    """A 2D loss with exact derivatives. Subclasses set the class attributes below.

    Subclasses write their formulas once, on coordinates: `value_and_grad_xy(x, y)` and
    `hessian_xy(x, y)` take x and y as arrays of one shape, or as NumPy scalars. The engine calls
    these on its hot path (a single run carries NumPy scalars, whose arithmetic costs a fraction
    of a call on a length-1 array); the (..., 2) methods below are built from them.
    """

    name: str = ""
    minima: np.ndarray = frozen_array(np.zeros((0, 2)))
    min_value: float | None = None
    bounds: Bounds = ((-2.0, 2.0), (-2.0, 2.0))
    axis_labels: tuple[str, str] = ("x", "y")
    has_residuals: bool = False
    data: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def params(self) -> dict[str, Any]:
        """The parameters this surface was built with."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}  # type: ignore[attr-defined]

    def value_and_grad_xy(self, x: Coordinate, y: Coordinate) -> tuple[Coordinate, Coordinate, Coordinate]:
        """(f, df/dx, df/dy) at the points (x, y)."""
        raise NotImplementedError

    def hessian_xy(self, x: Coordinate, y: Coordinate) -> tuple[Coordinate, Coordinate, Coordinate]:
        """(f_xx, f_xy, f_yy) at the points (x, y); a constant entry may be a plain float."""
        raise NotImplementedError

    def value_xy(self, x: Coordinate, y: Coordinate) -> Coordinate:
        """f alone at the points (x, y): the same numbers as value_and_grad_xy (LM's trial steps)."""
        return self.value_and_grad_xy(x, y)[0]

    def value(self, xy: np.ndarray) -> np.ndarray:
        """f at points (..., 2), shape (...)."""
        return self.value_xy(*split_xy(xy))

    def grad(self, xy: np.ndarray) -> np.ndarray:
        """Gradient at points (..., 2), shape (..., 2)."""
        return self.value_and_grad(xy)[1]

    def value_and_grad(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Loss (...) and gradient (..., 2) together."""
        value, gx, gy = self.value_and_grad_xy(*split_xy(xy))
        return value, stack_last(gx, gy)

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        """The true Hessian at points (..., 2), shape (..., 2, 2)."""
        x, y = split_xy(xy)
        return sym2(*self.hessian_xy(x, y), like=x)


def sym2(a: Any, h: Any, c: Any, like: np.ndarray) -> np.ndarray:
    """Symmetric matrices [[a, h], [h, c]] (..., 2, 2), entries broadcast to the shape of `like`."""
    a, h, c = (np.broadcast_to(entry, like.shape) for entry in (a, h, c))
    return stack_last(stack_last(a, h), stack_last(h, c))


class LeastSquares(Surface):
    """A surface whose loss is sum(residuals**2); subclasses define residuals and jacobian.

    Subclasses also write value and gradient directly on coordinates (sharing work, where the
    residuals would be built whole); the tests hold them to sum(r^2) and 2 J^T r. `gram_xy` gives
    the entries of J^T J, which Gauss-Newton and LM solve with.
    """

    has_residuals = True

    def residuals(self, xy: np.ndarray) -> np.ndarray:
        """Residuals r(xy), shape (..., m)."""
        raise NotImplementedError

    def jacobian(self, xy: np.ndarray) -> np.ndarray:
        """dr_i/dtheta_j, shape (..., m, 2)."""
        raise NotImplementedError

    def gram_xy(self, x: Coordinate, y: Coordinate) -> tuple[Coordinate, Coordinate, Coordinate]:
        """Entries (a, h, c) of J^T J = [[a, h], [h, c]] at the points (x, y)."""
        J = self.jacobian(stack_last(x, y))
        jx, jy = J[..., 0], J[..., 1]
        return (jx * jx).sum(-1), (jx * jy).sum(-1), (jy * jy).sum(-1)
