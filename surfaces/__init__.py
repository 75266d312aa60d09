"""2D loss surfaces with exact gradients, Hessians and (for sums of squares) residuals/Jacobians.

    >>> f = get_surface("rosenbrock", b=100)
    >>> f.value(np.array([1.0, 1.0]))
    0.0

`SURFACES` lists them in display order; `get_surface` is the one constructor the app uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from params import Param, validate_params
from surfaces.base import LeastSquares, Surface
from surfaces.classic import Beale, Himmelblau, Quadratic, Rosenbrock, Saddle
from surfaces.regression import CurveFit, DataSurface, LinearRegression

__all__ = [
    "SURFACES",
    "DataSurface",
    "LeastSquares",
    "Param",
    "Surface",
    "SurfaceInfo",
    "get_surface",
]


@dataclass(frozen=True)
class SurfaceInfo:
    """What the app shows about a surface, and how to build it."""

    name: str
    label: str
    description: str
    factory: type[Surface]
    params: tuple[Param, ...] = ()
    log_levels: bool = False  # contour levels should be log-spaced (a narrow curved valley)
    default_start: tuple[float, float] = (0.0, 0.0)
    # A race that teaches something from default_start: learning rates for the first-order methods
    # (chosen by hand from grid searches: stable, not tuned to the edge) and a step budget.
    suggested_lr: dict[str, float] = field(default_factory=dict)
    suggested_steps: int = 200

    @property
    def least_squares(self) -> bool:
        return issubclass(self.factory, LeastSquares)


def _data_params(n_default: int, noise_default: float, noise_high: float) -> tuple[Param, ...]:
    return (
        Param(
            "n_samples",
            "samples n",
            n_default,
            5,
            500,
            integer=True,
            minimum=2,
            maximum=10_000,
            help="How many (input, target) pairs the loss averages over.",
        ),
        Param(
            "noise",
            "label noise σ",
            noise_default,
            0.0,
            noise_high,
            minimum=0.0,
            maximum=1e3,
            help="Standard deviation of the Gaussian noise added to the targets.",
        ),
        Param(
            "seed",
            "data seed",
            0,
            0,
            99,
            integer=True,
            minimum=0,
            maximum=2**31 - 1,
            help="Draws a different data set.",
        ),
    )


SURFACES: dict[str, SurfaceInfo] = {
    info.name: info
    for info in (
        SurfaceInfo(
            "quadratic",
            "Elongated valley (quadratic)",
            "f = u² + κ·v²: a bowl stretched by the condition number κ, rotated by an angle.",
            Quadratic,
            (
                Param(
                    "condition",
                    "condition number κ",
                    10.0,
                    1.0,
                    100.0,
                    log=True,
                    minimum=0.0,
                    exclusive_min=True,
                    maximum=1e6,
                    help="Ratio of the steep to the flat curvature: large κ means a narrow valley.",
                ),
                Param(
                    "angle",
                    "valley angle (degrees)",
                    0.0,
                    -90.0,
                    90.0,
                    minimum=-360.0,
                    maximum=360.0,
                    help="Direction of the valley floor, measured from the x axis.",
                ),
            ),
            default_start=(-3.5, 1.5),
            suggested_lr={"sgd": 0.09, "momentum": 0.01, "rmsprop": 0.1, "adam": 0.1},
            suggested_steps=60,
        ),
        SurfaceInfo(
            "rosenbrock",
            "Rosenbrock's banana valley",
            "f = (a − x)² + b·(y − x²)²: a curved, flat-bottomed valley with its minimum at (a, a²).",
            Rosenbrock,
            (
                Param(
                    "a", "a", 1.0, -2.0, 2.0, minimum=-1e3, maximum=1e3, help="The minimum sits at (a, a²)."
                ),
                Param(
                    "b",
                    "b",
                    100.0,
                    1.0,
                    1000.0,
                    log=True,
                    minimum=0.0,
                    exclusive_min=True,
                    maximum=1e6,
                    help="Steepness of the valley walls.",
                ),
            ),
            log_levels=True,
            default_start=(-1.5, 2.0),
            suggested_lr={"sgd": 0.002, "momentum": 0.001, "rmsprop": 0.01, "adam": 0.05},
            suggested_steps=500,
        ),
        SurfaceInfo(
            "beale",
            "Beale's function",
            "A sum of three squared residuals with flat plateaus and sharp ridges; minimum at (3, 0.5).",
            Beale,
            log_levels=True,
            default_start=(1.0, 1.0),
            suggested_lr={"sgd": 0.02, "momentum": 0.005, "rmsprop": 0.05, "adam": 0.1},
            suggested_steps=400,
        ),
        SurfaceInfo(
            "himmelblau",
            "Himmelblau's function",
            "Four minima of equal depth: where you start decides where you end.",
            Himmelblau,
            log_levels=True,
            default_start=(0.0, 0.0),
            suggested_lr={"sgd": 0.01, "momentum": 0.005, "rmsprop": 0.05, "adam": 0.1},
            suggested_steps=200,
        ),
        SurfaceInfo(
            "saddle",
            "Saddle point",
            "f = x² − y²: a minimum along x, a maximum along y; unbounded below.",
            Saddle,
            default_start=(-1.5, 0.01),
            suggested_lr={"sgd": 0.05, "momentum": 0.01, "rmsprop": 0.01, "adam": 0.05},
            suggested_steps=100,
        ),
        SurfaceInfo(
            "linear_regression",
            "Linear regression (MSE)",
            "Mean squared error of the line y = w·x + b over a noisy synthetic data set.",
            LinearRegression,
            _data_params(50, 0.5, 3.0),
            default_start=(-0.5, 1.5),
            suggested_lr={"sgd": 0.1, "momentum": 0.05, "rmsprop": 0.01, "adam": 0.1},
            suggested_steps=200,
        ),
        SurfaceInfo(
            "curve_fit",
            "Curve fit y = a·exp(b·t)",
            "Nonlinear least squares: fit a decaying exponential to noisy samples.",
            CurveFit,
            _data_params(40, 0.05, 0.5),
            log_levels=True,
            default_start=(0.5, 0.5),
            suggested_lr={"sgd": 0.3, "momentum": 0.05, "rmsprop": 0.02, "adam": 0.1},
            suggested_steps=200,
        ),
    )
}


def get_surface(name: str, **params: Any) -> Surface:
    """Build the surface `name` with `params` (defaults fill the rest).

    Raises ValueError for an unknown name (listing the valid ones), an unknown parameter or a
    value outside its valid range.
    """
    info = SURFACES.get(name) if isinstance(name, str) else None
    if info is None:
        raise ValueError(f"unknown surface {name!r}; valid: {', '.join(SURFACES)}")
    return info.factory(**validate_params(info.params, params, f"surface {name!r}"))
