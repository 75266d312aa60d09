"""The lecture's theory as numbers the page can draw: curvature, step-size limits, rates.

Local quadratic model at a point theta (H the Hessian there, lam1 >= lam2 its eigenvalues with
unit eigenvectors e1, e2):

    L(theta + d) ~ L(theta) + g^T d + 1/2 d^T H d,      d^T H d = lam1 a^2 + lam2 b^2,  d = a e1 + b e2

    positive definite (lam2 > 0)   a bowl: level sets are ellipses with semi-axes e_i / sqrt(lam_i)
    indefinite (lam2 < 0 < lam1)   a saddle: level sets are hyperbolas, asymptotes a/b = +-sqrt(-lam2/lam1)
    negative definite (lam1 < 0)   a cap (maximum): ellipses again, in -H
    singular (|lam| ~ 0)           a flat direction along the eigenvector of the zero eigenvalue

    kappa = max |lam| / min |lam|  (inf where singular)

At a stationary point (g = 0) the same four cases are a minimum, a saddle, a maximum, or degenerate.

Step-size limits on a quadratic (Hessian constant, lambda_max its largest eigenvalue; each
eigen-direction is a scalar linear recursion, stable iff its roots lie inside the unit circle):

    gradient descent           lr < 2 / lambda_max
    heavy ball (`momentum`,    lr < 2 (1 + beta) / lambda_max
      torch SGD, dampening 0)
    Nesterov (torch form)      lr < 2 (1 + beta) / ((1 + 2 beta) lambda_max)

Elsewhere the same formulas with lambda_max of the Hessian at the current point are a local guide,
not a guarantee. RMSProp, Adam and AdaGrad rescale the gradient by its own history and have no such
simple limit; Newton-type methods take an lr that scales a curvature-aware step (None for all).

Optimal constant settings on a quadratic with lambda_min > 0, kappa = lambda_max / lambda_min:

    gradient descent  lr* = 2 / (lambda_min + lambda_max),        rho = (kappa - 1) / (kappa + 1)
    heavy ball        lr* = 4 / (sqrt(lambda_max) + sqrt(lambda_min))^2,
                      beta* = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2,   rho = sqrt(beta*)

rho is the factor by which the error theta_k - theta* shrinks per step, so L - L* shrinks like
rho^(2k); where the slowest mode has a double root (the optimal heavy-ball pair) the error behaves
like k rho^k instead.

LM's step as a function of its damping (`lm_step_curve`) is with LM's rule in `second_order`.

Everything is NumPy only; a single 2x2 matrix or many (..., 2, 2) at once where it says so.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from optimizers.registry import OPTIMIZERS
from optimizers.second_order import sym_eig2
from surfaces.base import Surface

SINGULAR_RTOL = 1e-8  # |lam| <= SINGULAR_RTOL * max |lam| counts as zero (and H = 0 is singular)

# Codes of the four cases, and their words for the curvature and for a stationary point.
POSITIVE_DEFINITE, INDEFINITE, NEGATIVE_DEFINITE, SINGULAR = 0, 1, 2, 3
CURVATURE_KINDS = ("positive definite", "indefinite", "negative definite", "singular")
STATIONARY_KINDS = ("minimum", "saddle", "maximum", "degenerate")

# Surfaces whose Hessian is the same everywhere (tests/test_theory.py checks this at random points),
# where the step-size limits are exact rather than local.
CONSTANT_HESSIAN = frozenset({"quadratic", "linear_regression", "saddle"})


def limit_record(optimizer: str) -> Any:
    """The registry's `LrLimit` of `optimizer` (its recursion on a quadratic), or None: the
    methods without a closed-form limit, and unknown names."""
    info = OPTIMIZERS.get(optimizer)
    return None if info is None else info.lr_limit


class Eigen(NamedTuple):
    """Eigen-decomposition of symmetric 2x2 matrices (..., 2, 2)."""

    values: np.ndarray  # (..., 2) lam1 >= lam2
    vectors: (
        np.ndarray
    )  # (..., 2, 2) unit eigenvectors as columns: vectors[..., :, i] belongs to values[..., i]


class LocalModel(NamedTuple):
    """The quadratic model's geometry at one point, for drawing (all offsets are in theta's units)."""

    point: np.ndarray  # (2,) where the model is taken
    eigenvalues: np.ndarray  # (2,) lam1 >= lam2
    eigenvectors: np.ndarray  # (2, 2) unit eigenvectors as columns
    condition: float  # kappa = max |lam| / min |lam|, inf where singular
    kind: str  # one of CURVATURE_KINDS
    arrows: np.ndarray  # (2, 2) row i: point + scale * e_i / sqrt(|lam_i|); NaN row where lam_i ~ 0
    ellipse: np.ndarray | None  # (n, 2) closed level curve d^T |H| d = scale^2 around point, if definite
    asymptotes: np.ndarray | None  # (2, 2, 2) two segments [end, end] through point, if indefinite
    flat_direction: np.ndarray | None  # (2,) unit vector of the zero eigenvalue, if singular (H != 0)


class StepLimit(NamedTuple):
    """The largest stable learning rate of a first-order method on the local quadratic model."""

    lr: float  # stable iff 0 < lr < this; inf where lambda_max <= 0 (no curvature to overshoot)
    lambda_max: float  # the Hessian's largest eigenvalue used
    lambda_min: float  # its smallest: < 0 means no lr converges (the run slides off along it)
    exact: bool  # True where the Hessian is constant (the bound holds everywhere), else local
    formula: str  # how it was computed, e.g. "2/λ_max"


class Rate(NamedTuple):
    """Predicted linear convergence on a quadratic."""

    rho: float  # the error shrinks by rho per step (spectral radius of the iteration); >= 1: no convergence
    double_root: bool  # the slowest mode has a double root: the error goes like k rho^k


# ---- curvature ----


def hessian_eigen(hessian: Any) -> Eigen:
    """Eigenvalues (descending) and unit eigenvectors of symmetric 2x2 matrices.

    Parameters
    ----------
    hessian : (..., 2, 2) symmetric matrices (only the upper triangle is read).

    Returns
    -------
    Eigen(values (..., 2), vectors (..., 2, 2)), vectors as columns.
    """
    H = np.asarray(hessian, dtype=float)
    lam1, lam2, cos, sin = sym_eig2(H[..., 0, 0], H[..., 0, 1], H[..., 1, 1])
    values = np.stack([lam1, lam2], axis=-1)
    vectors = np.stack([np.stack([cos, sin], axis=-1), np.stack([-sin, cos], axis=-1)], axis=-1)
    return Eigen(values, vectors)


def condition_number(eigenvalues: Any) -> np.ndarray | float:
    """kappa = max |lam| / min |lam| of eigenvalues (..., 2); inf where the matrix is singular."""
    a = np.abs(np.asarray(eigenvalues, dtype=float))
    big, small = a.max(-1), a.min(-1)
    singular = small <= SINGULAR_RTOL * big
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(singular, np.inf, big / np.where(singular, 1.0, small))
    return kappa[()]


def curvature_code(eigenvalues: Any) -> np.ndarray:
    """POSITIVE_DEFINITE, INDEFINITE, NEGATIVE_DEFINITE or SINGULAR for eigenvalues (..., 2)."""
    lam = np.asarray(eigenvalues, dtype=float)
    lam1, lam2 = lam[..., 0], lam[..., 1]
    zero = SINGULAR_RTOL * np.maximum(np.abs(lam1), np.abs(lam2))
    singular = (np.abs(lam1) <= zero) | (np.abs(lam2) <= zero)  # also H = 0
    codes = np.where(lam2 > 0, POSITIVE_DEFINITE, np.where(lam1 < 0, NEGATIVE_DEFINITE, INDEFINITE))
    return np.where(singular, SINGULAR, codes)[()]


def curvature_kind(hessian: Any) -> str | np.ndarray:
    """'positive definite', 'indefinite', 'negative definite' or 'singular' for Hessians (..., 2, 2).

    A str for one matrix, an array of str for many.
    """
    return _words(CURVATURE_KINDS, curvature_code(hessian_eigen(hessian).values))


def stationary_point_kind(hessian: Any) -> str | np.ndarray:
    """What a stationary point (g = 0) is, from the Hessian there: 'minimum', 'saddle', 'maximum',
    or 'degenerate' where the Hessian is singular (second derivatives cannot tell).

    Parameters
    ----------
    hessian : (..., 2, 2) Hessians at the points. A str for one matrix, an array of str for many.
    """
    return _words(STATIONARY_KINDS, curvature_code(hessian_eigen(hessian).values))


def _words(table: tuple[str, ...], codes: Any) -> str | np.ndarray:
    words = np.array(table)[codes]
    return str(words) if words.ndim == 0 else words


def local_model(hessian: Any, point: Any, length: float | None = None, n_points: int = 73) -> LocalModel:
    """The local quadratic model's drawing geometry at one point.

    The arrows are the eigen-directions scaled by scale / sqrt(|lam_i|): the semi-axes of the level
    curve d^T H d = +-scale^2, so a long arrow is a flat direction and a short one a steep direction.

    Parameters
    ----------
    hessian : (2, 2) the Hessian at `point`.
    point : (2,) where the model is taken; every curve is centred there.
    length : the longest arrow's length (scale chosen to match); None for scale = 1.
    n_points : points on the ellipse (the first is repeated at the end to close it).

    Returns
    -------
    LocalModel; `ellipse` where H is definite, `asymptotes` (the diagonals of the rectangle spanned
    by the two arrows) where indefinite, `flat_direction` where singular.
    """
    H = np.asarray(hessian, dtype=float)
    point = np.asarray(point, dtype=float)
    if H.shape != (2, 2) or point.shape != (2,):
        raise ValueError(f"hessian must be (2, 2) and point (2,); got {H.shape} and {point.shape}")
    eigen = hessian_eigen(H)
    lam, vectors = eigen.values, eigen.vectors
    code = int(curvature_code(lam))
    zero = SINGULAR_RTOL * np.abs(lam).max()
    finite = np.abs(lam) > zero
    with np.errstate(divide="ignore"):
        reach = np.where(finite, 1.0 / np.sqrt(np.where(finite, np.abs(lam), 1.0)), np.nan)  # (2,)
    if length is not None and finite.any():
        reach = reach * (length / np.nanmax(reach))
    semi_axes = (vectors * reach).T  # (2, 2) row i: e_i * reach_i
    ellipse = asymptotes = flat = None
    if code in (POSITIVE_DEFINITE, NEGATIVE_DEFINITE):
        t = np.linspace(0.0, 2.0 * np.pi, n_points)
        ellipse = point + np.cos(t)[:, None] * semi_axes[0] + np.sin(t)[:, None] * semi_axes[1]
        ellipse[-1] = ellipse[0]
    elif code == INDEFINITE:
        diagonals = np.stack([semi_axes[0] + semi_axes[1], semi_axes[0] - semi_axes[1]])
        asymptotes = np.stack([point - diagonals, point + diagonals], axis=1)
    elif finite.any():  # singular but H != 0: one flat direction
        flat = vectors[:, int(np.argmin(np.abs(lam)))]
    return LocalModel(
        point=point,
        eigenvalues=lam,
        eigenvectors=vectors,
        condition=float(condition_number(lam)),
        kind=CURVATURE_KINDS[code],
        arrows=point + semi_axes,
        ellipse=ellipse,
        asymptotes=asymptotes,
        flat_direction=flat,
    )


class ModelAxes(NamedTuple):
    """`local_model`'s geometry for many points at once (the map's overlay at every step)."""

    eigenvalues: np.ndarray  # (n, 2) lam1 >= lam2
    condition: np.ndarray  # (n,) kappa, inf where singular
    codes: np.ndarray  # (n,) POSITIVE_DEFINITE, INDEFINITE, NEGATIVE_DEFINITE or SINGULAR
    semi_axes: np.ndarray  # (n, 2, 2) row i: e_i * scale / sqrt(|lam_i|) (local_model's arrows - point)
    flat_direction: np.ndarray  # (n, 2) unit vector of the zero eigenvalue where singular (H != 0), else NaN


def model_axes(hessians: Any, length: float | None = None) -> ModelAxes:
    """The local quadratic models of many Hessians (n, 2, 2): the same numbers as `local_model`
    point by point (arrows = point + semi_axes), without its curves, which follow from them:
    ellipse point + cos t s_1 + sin t s_2, asymptotes point +- (s_1 +- s_2)."""
    H = np.asarray(hessians, dtype=float).reshape(-1, 2, 2)
    eigen = hessian_eigen(H)
    lam, vectors = eigen.values, eigen.vectors  # (n, 2), (n, 2, 2)
    codes = np.asarray(curvature_code(lam)).reshape(-1)
    zero = SINGULAR_RTOL * np.abs(lam).max(-1, keepdims=True)
    finite = np.abs(lam) > zero
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(finite, 1.0 / np.sqrt(np.where(finite, np.abs(lam), 1.0)), np.nan)
        if length is not None:
            longest = np.nanmax(np.where(finite, reach, -np.inf), axis=-1, keepdims=True)
            reach = reach * np.where(finite.any(-1, keepdims=True), length / longest, 1.0)
    semi_axes = np.swapaxes(vectors * reach[:, None, :], -1, -2)  # row i: e_i * reach_i
    flat_index = np.argmin(np.abs(lam), axis=-1)
    flat = np.take_along_axis(vectors, flat_index[:, None, None], axis=-1)[..., 0]  # (n, 2)
    has_flat = (codes == SINGULAR) & finite.any(-1)
    flat = np.where(has_flat[:, None], flat, np.nan)
    kappa = np.asarray(condition_number(lam), dtype=float).reshape(-1)
    return ModelAxes(lam, kappa, codes, semi_axes, flat)


# ---- step-size limits ----


def lr_limit(optimizer: str, lambda_max: Any, momentum: Any = 0.0) -> Any:
    """The largest stable learning rate on a quadratic with largest eigenvalue lambda_max.

    Parameters
    ----------
    optimizer : a registry name. The methods whose record has an `lr_limit` (gradient descent,
        heavy ball, Nesterov) have a limit; every other method gives None.
    lambda_max : scalar or array; where lambda_max <= 0 the limit is inf (nothing to overshoot).
    momentum : beta of a method with one (its record's `lr_limit.beta`), scalar or array broadcast
        with lambda_max (the search heatmap's boundary is lr_limit('momentum', lam, betas)).

    Returns
    -------
    float or array: the run is stable iff 0 < lr < limit; or None.
    """
    limit = limit_record(optimizer)
    if limit is None:
        return None
    lam = np.asarray(lambda_max, dtype=float)
    beta = np.asarray(momentum, dtype=float) if limit.beta else np.asarray(0.0)
    factor = 2.0 * (1.0 + beta)
    if limit.look_ahead:
        factor = factor / (1.0 + 2.0 * beta)
    positive = lam > 0
    with np.errstate(divide="ignore"):
        bound = np.where(positive, factor / np.where(positive, lam, 1.0), np.inf)
    return bound[()]


def has_constant_hessian(surface: Surface) -> bool:
    """True where the Hessian is the same at every point, so the limits are exact (not local)."""
    return surface.name in CONSTANT_HESSIAN


def step_limit(optimizer: str, surface: Surface, point: Any, momentum: float = 0.0) -> StepLimit | None:
    """`lr_limit` with lambda_max of the Hessian of `surface` at `point` (2,), and whether it is exact.

    None for the methods without a simple limit (see `lr_limit`).
    """
    record = limit_record(optimizer)
    if record is None:
        return None
    lam_max, lam_min = hessian_eigen(surface.hessian(np.asarray(point, dtype=float))).values.tolist()
    return StepLimit(
        lr=float(lr_limit(optimizer, lam_max, momentum)),
        lambda_max=lam_max,
        lambda_min=lam_min,
        exact=has_constant_hessian(surface),
        formula=record.formula,
    )


# ---- optimal settings and rates on a quadratic ----


def optimal_gd_lr(lambda_min: float, lambda_max: float) -> float:
    """lr* = 2 / (lambda_min + lambda_max): both extreme modes shrink by (kappa - 1) / (kappa + 1)."""
    _check_positive_definite(lambda_min, lambda_max)
    return 2.0 / (lambda_min + lambda_max)


def optimal_heavy_ball(lambda_min: float, lambda_max: float) -> tuple[float, float]:
    """(lr*, beta*) = (4 / (sqrt(l_max) + sqrt(l_min))^2, ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2)."""
    _check_positive_definite(lambda_min, lambda_max)
    root_min, root_max = math.sqrt(lambda_min), math.sqrt(lambda_max)
    return 4.0 / (root_max + root_min) ** 2, ((root_max - root_min) / (root_max + root_min)) ** 2


def _check_positive_definite(lambda_min: float, lambda_max: float) -> None:
    if not 0.0 < lambda_min <= lambda_max:
        raise ValueError(
            f"optimal settings need 0 < lambda_min <= lambda_max (a bowl); got {lambda_min:g}, {lambda_max:g}"
        )


DOUBLE_ROOT_RTOL = 1e-6


def convergence_rate(optimizer: str, eigenvalues: Any, lr: float, momentum: float = 0.0) -> Rate | None:
    """rho, the per-step error factor of a method with an `lr_limit` record on a quadratic.

    Each eigenvalue lam gives, with h = lr * lam and beta = momentum, the characteristic polynomial
    z^2 - T z + D of the iteration on (theta, lr * v):

        heavy ball  T = 1 + beta - h,               D = beta      (gradient descent: beta = 0)
        look-ahead  T = 1 + beta - h (1 + beta),    D = beta (1 - h)   (Nesterov)

    and rho is the largest |z| over all eigenvalues. None for other methods.

    Parameters
    ----------
    eigenvalues : (k,) the Hessian's eigenvalues (the quadratic's curvatures).
    """
    record = limit_record(optimizer)
    if record is None:
        return None
    lam = np.asarray(eigenvalues, dtype=float).ravel()
    beta = float(momentum) if record.beta else 0.0
    h = lr * lam
    if record.look_ahead:
        trace, det = 1.0 + beta - h * (1.0 + beta), beta * (1.0 - h)
    else:
        trace, det = 1.0 + beta - h, beta + 0.0 * h
    disc = trace * trace - 4.0 * det
    root = np.sqrt(np.abs(disc))
    real = disc >= 0
    moduli = np.where(
        real, np.maximum(np.abs(trace + root), np.abs(trace - root)) / 2.0, np.sqrt(np.abs(det))
    )
    slowest = int(np.argmax(moduli))
    double = beta > 0 and abs(disc[slowest]) <= DOUBLE_ROOT_RTOL * (
        trace[slowest] ** 2 + 4.0 * abs(det[slowest])
    )
    return Rate(float(moduli[slowest]), bool(double))


def predicted_loss_gap(gap0: float, rate: Rate, steps: int) -> np.ndarray:
    """The predicted L(theta_k) - L* for k = 0..steps, anchored at gap0 = L(theta_0) - L*.

    Returns (steps + 1,): gap0 rho^(2k), or gap0 ((1 + k) rho^k)^2 where the slowest mode has a
    double root (the error's envelope (a + b k) rho^k, anchored at k = 0). A dashed line to draw
    next to the observed losses; its slope is the prediction, not its offset.
    """
    k = np.arange(steps + 1, dtype=float)
    with np.errstate(under="ignore"):
        envelope = rate.rho**k * ((1.0 + k) if rate.double_root else 1.0)
        return gap0 * envelope * envelope


def predicted_loss_path(
    optimizer: str, hessian: Any, offset: Any, lr: float, momentum: float = 0.0, steps: int = 0
) -> np.ndarray | None:
    """The exact L(theta_k) - L* for k = 0..steps of 'sgd', 'momentum' or 'nesterov' on a quadratic
    with constant Hessian H, from theta_0 = theta* + offset, exact gradients and a constant lr
    (None for other methods).

    In each eigen-direction (eigenvalue lam, error e_k, h = lr * lam) the iteration is the scalar
    recursion of `convergence_rate`: e_(k+1) = T e_k - D e_(k-1) for k >= 1, with the first step
    e_1 = (1 - h) e_0 (gradient descent and heavy ball: v_1 = g_0) or (1 - h (1 + beta)) e_0
    (Nesterov, torch form: the step is g_0 + beta v_1); then L - L* = 1/2 sum lam e_k^2. Unlike
    `predicted_loss_gap` (the slowest mode's rate), this is the whole curve: the engine's losses up
    to rounding.
    """
    record = limit_record(optimizer)
    if record is None:
        return None
    eig = hessian_eigen(hessian)
    lam = np.asarray(eig.values, dtype=float)
    e0 = np.asarray(eig.vectors, dtype=float).T @ np.asarray(offset, dtype=float)
    beta = float(momentum) if record.beta else 0.0
    h = lr * lam
    if record.look_ahead:
        trace, det, first = (1.0 + beta) * (1.0 - h), beta * (1.0 - h), 1.0 - h * (1.0 + beta)
    else:
        trace, det, first = 1.0 + beta - h, beta + 0.0 * h, 1.0 - h
    errors = np.empty((steps + 1, lam.size))
    errors[0] = e0
    if steps >= 1:
        errors[1] = first * e0
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps):
            errors[k + 1] = trace * errors[k] - det * errors[k - 1]
        return 0.5 * (errors**2) @ lam
