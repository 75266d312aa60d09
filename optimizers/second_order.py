"""Second-order update rules: curvature from the exact surface, gradient g from the runner.

    newton        H d = -g                         theta += lr * d
    gauss_newton  (J^T J) d = -J^T r               theta += lr * d
    lm            (J^T J + lam * D) d = -J^T r,    D = I (Levenberg) or diag(J^T J) (Marquardt)
                  accept theta += lr * d only if the loss falls; then lam /= 10, else lam *= 10

With the loss written as sum(r^2), g = 2 J^T r, so J^T r is taken as g / 2: gradient noise reaches
Gauss-Newton and LM the same way it reaches every other method, while H and J^T J stay exact.

The 2x2 systems are solved in closed form through the eigen-decomposition of the symmetric matrix
with a pseudo-inverse: directions whose eigenvalue is (relatively) zero get no step, so a singular
H or J^T J never raises, and an indefinite H is used as it is (Newton then heads for the nearest
stationary point, be it a saddle or a maximum: that is the method, and the lecture's point).
LM tries one step per iteration (scipy's retry loop, one trial per step so it vectorises): a
rejected step leaves theta in place and counts as an iteration.

The n-dimensional forms (`newton_nd`, `gauss_newton_nd`, `lm_nd`) train the polynomial model;
`newton_dense`, `gauss_newton_dense` and `lm_dense` give them the one signature the trainer calls
(a registry record's `dense_step`).

Levenberg-Marquardt (loss = sum r^2, as every surface here): for damping lambda >= 0

    (J^T J + lambda D) delta(lambda) = -J^T r,    D = I (Levenberg) or diag(J^T J) (Marquardt)

delta(0) is the Gauss-Newton step; as lambda -> inf, lambda delta(lambda) -> -D^-1 J^T r: ever
shorter steps along the (for Marquardt: diagonally scaled) negative gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from optimizers.first_order import Coordinate, EmptyState, Hyper, Optimizer, Pair, StepInput, zeros_like

RCOND = 1e-12  # eigenvalues below RCOND * the largest |eigenvalue| count as zero
LM_DECREASE, LM_INCREASE = 0.1, 10.0
LM_LAMBDA_RANGE = (1e-15, 1e15)


class LMState(NamedTuple):
    lam: Coordinate  # damping lambda of each run, for the next iteration
    used: Coordinate = 0.0  # the damping the last iteration's trial used
    accepted: Coordinate = 1.0  # 1.0 if the last iteration's trial lowered the loss (theta moved), else 0.0


def sym_eig2(a: Coordinate, h: Coordinate, c: Coordinate) -> tuple[Coordinate, ...]:
    """Eigen-decomposition of symmetric 2x2 matrices [[a, h], [h, c]] in closed form, entry by entry.

    Returns (lam1, lam2, cos, sin): eigenvalues lam1 >= lam2, with eigenvectors (cos, sin) and
    (-sin, cos).
    """
    mean, half_diff = 0.5 * (a + c), 0.5 * (a - c)
    radius = np.hypot(half_diff, h)
    theta = 0.5 * np.arctan2(h, half_diff)
    return mean + radius, mean - radius, np.cos(theta), np.sin(theta)


def zero_cutoff(lam1: Coordinate, lam2: Coordinate) -> Coordinate:
    """An eigenvalue with |lam| <= this counts as zero: RCOND times the larger |eigenvalue|."""
    return RCOND * np.maximum(np.abs(lam1), np.abs(lam2))


def solve_sym2(a: Coordinate, h: Coordinate, c: Coordinate, b0: Coordinate, b1: Coordinate) -> Pair:
    """pinv([[a, h], [h, c]]) @ (b0, b1), entry by entry (arrays of one shape, or scalars).

    Well-conditioned matrices (the usual case) take the explicit inverse adj(A) b / det(A).
    Only when some matrix may be numerically singular (|l1 l2| <= RCOND l_max^2) is the
    eigen-decomposition computed, and those entries use the pseudo-inverse. Same answer, a third
    of the work on the hot path.
    """
    hh = h * h
    det = a * c - hh
    singular = abs(det) <= RCOND * (a * a + c * c + (hh + hh))  # l_max^2 <= a^2 + c^2 + 2h^2
    inverse = ((c * b0 - h * b1) / det, (a * b1 - h * b0) / det)
    if not np.count_nonzero(singular):  # (np.any costs several times more on a scalar)
        return inverse
    lam1, lam2, cos, sin = sym_eig2(a, h, c)
    cutoff = zero_cutoff(lam1, lam2)
    keep1, keep2 = np.abs(lam1) > cutoff, np.abs(lam2) > cutoff
    k1 = np.where(keep1, (cos * b0 + sin * b1) / np.where(keep1, lam1, 1.0), 0.0)
    k2 = np.where(keep2, (cos * b1 - sin * b0) / np.where(keep2, lam2, 1.0), 0.0)
    return (
        select(singular, cos * k1 - sin * k2, inverse[0]),
        select(singular, sin * k1 + cos * k2, inverse[1]),
    )


def select(condition: Any, a: Coordinate, b: Coordinate) -> Coordinate:
    """np.where(condition, a, b); for a single run's scalar condition a plain choice, which costs a
    thirtieth of np.where and keeps scalars scalars (np.where would hand back a 0-d array)."""
    if isinstance(condition, np.ndarray):
        return np.where(condition, a, b)
    return a if condition else b


def _moved(theta: Pair, lr: Hyper, d: Pair) -> Pair:
    return theta[0] - lr * d[0], theta[1] - lr * d[1]


def newton() -> Optimizer:
    def update(step: StepInput, state: EmptyState) -> tuple[Pair, EmptyState]:
        theta = step.theta
        return _moved(theta, step.lr, solve_sym2(*step.f.hessian_xy(*theta), *step.g)), state

    return Optimizer(lambda theta: EmptyState(), update)


def gauss_newton() -> Optimizer:
    def update(step: StepInput, state: EmptyState) -> tuple[Pair, EmptyState]:
        theta, g = step.theta, step.g
        return _moved(theta, step.lr, solve_sym2(*step.f.gram_xy(*theta), 0.5 * g[0], 0.5 * g[1])), state

    return Optimizer(lambda theta: EmptyState(), update)


def lm(damping: Hyper, scaling: str) -> Optimizer:
    marquardt = scaling == "marquardt"

    def init(theta):
        return LMState(zeros_like(theta[0]) + damping)

    def update(step: StepInput, state: LMState) -> tuple[Pair, LMState]:
        theta, g, f = step.theta, step.g, step.f
        a, h, c = f.gram_xy(*theta)
        lam = used = state.lam
        # J^T J + lam D only changes the diagonal: D = I (Levenberg) or diag(J^T J) (Marquardt).
        a, c = (a * (1.0 + lam), c * (1.0 + lam)) if marquardt else (a + lam, c + lam)
        trial = _moved(theta, step.lr, solve_sym2(a, h, c, 0.5 * g[0], 0.5 * g[1]))
        accept = f.value_xy(*trial) < step.loss  # NaN compares False: a non-finite trial is rejected
        lam = lam * select(accept, LM_DECREASE, LM_INCREASE)
        lam = np.minimum(np.maximum(lam, LM_LAMBDA_RANGE[0]), LM_LAMBDA_RANGE[1])
        theta = (select(accept, trial[0], theta[0]), select(accept, trial[1], theta[1]))
        return theta, LMState(lam, used, select(accept, 1.0, 0.0))

    return Optimizer(init, update)


# ---- n-dimensional forms: a model's flat parameters theta (P,), for training/ ----
# The explorer keeps the 2x2 closed forms above (its fast path). A model with P parameters solves
# its P x P system the same way, through the pseudo-inverse of the symmetric matrix (eigenvalues at
# or below RCOND times the largest |eigenvalue| count as zero), so a singular H or J^T J never
# raises. Conventions as above: loss = sum(r^2), g = 2 J^T r, so J^T r is taken as g / 2.


def solve_sym(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """pinv(A) @ b for a symmetric A (P, P) and b (P,), through A's eigen-decomposition."""
    lam, Q = np.linalg.eigh(A)
    cutoff = RCOND * np.abs(lam).max(initial=0.0)
    keep = np.abs(lam) > cutoff
    return Q @ np.where(keep, (Q.T @ b) / np.where(keep, lam, 1.0), 0.0)


def newton_nd(theta: np.ndarray, g: np.ndarray, hessian: np.ndarray, lr: float = 1.0) -> np.ndarray:
    """theta - lr * H^-1 g: on a quadratic loss (ridge regression) one step with lr = 1 lands on
    the minimum."""
    return theta - lr * solve_sym(hessian, g)


def gauss_newton_nd(theta: np.ndarray, g: np.ndarray, jacobian: np.ndarray, lr: float = 1.0) -> np.ndarray:
    """theta - lr * (J^T J)^-1 J^T r, with J^T r = g / 2."""
    return theta - lr * solve_sym(jacobian.T @ jacobian, 0.5 * g)


def lm_nd(
    theta: np.ndarray,
    loss: float,
    g: np.ndarray,
    jacobian: np.ndarray,
    value: Any,
    lam: float,
    scaling: str,
    lr: float = 1.0,
) -> tuple[np.ndarray, float, bool]:
    """One Levenberg-Marquardt iteration: (J^T J + lam D) d = -J^T r, D = I or diag(J^T J).

    `value(theta)` is the loss. The trial theta + lr * d is accepted only if the loss falls (then
    lam /= 10), else theta stays and lam *= 10, as the 2D `lm` above. Returns (theta, lam, accepted).
    """
    gram = jacobian.T @ jacobian
    damping = np.diag(gram) if scaling == "marquardt" else np.ones(len(theta))
    trial = theta - lr * solve_sym(gram + lam * np.diag(damping), 0.5 * g)
    with np.errstate(all="ignore"):
        accepted = bool(value(trial) < loss)  # NaN compares False: a non-finite trial is rejected
    lam = lam * (LM_DECREASE if accepted else LM_INCREASE)
    lam = min(max(lam, LM_LAMBDA_RANGE[0]), LM_LAMBDA_RANGE[1])
    return (trial if accepted else theta), lam, accepted


# ---- the trainer's uniform form of the n-dimensional steps (a record's `dense_step`) ----


class DenseProblem(NamedTuple):
    """What a full-batch step for the trainer's polynomial least squares may use (n parameters)."""

    loss: float
    g: np.ndarray  # (n,) gradient
    J: np.ndarray  # (m, n) residuals' Jacobian (constant: the residuals are linear in theta)
    H: np.ndarray  # (n, n) Hessian 2 JᵀJ
    value: Callable[[np.ndarray], float]  # the loss at another theta (LM judges its trial)
    r: np.ndarray  # (m,) residuals at theta


# (theta, state, problem, lr, hyper) -> (theta, state); state starts as None.
DenseStep = Callable[[np.ndarray, Any, DenseProblem, float, dict[str, Any]], tuple[np.ndarray, Any]]


def least_squares_step(J: np.ndarray, r: np.ndarray) -> np.ndarray:
    """d minimizing |J d - r|^2, by SVD on J with NumPy's default cutoff (machine precision x the
    larger side). For loss = sum(r^2) with linear residuals, H = 2 JᵀJ and g = 2 Jᵀr, so H⁻¹g = d:
    solved on J itself, whose condition number is the square root of H's (about 1e5.5 for a
    degree-15 polynomial, not 1e11), so no direction is dropped as a pseudo-inverse of H would."""
    return np.linalg.lstsq(J, r, rcond=None)[0]


def newton_dense(theta, state, problem: DenseProblem, lr, hyper):
    """Newton on the trainer's linear least squares: H⁻¹g is the least-squares step on J."""
    return theta - lr * least_squares_step(problem.J, problem.r), state


def gauss_newton_dense(theta, state, problem: DenseProblem, lr, hyper):
    """Gauss-Newton: (JᵀJ)⁻¹Jᵀr, the same least-squares step (exact for linear residuals)."""
    return theta - lr * least_squares_step(problem.J, problem.r), state


def lm_dense(theta, lam, problem: DenseProblem, lr, hyper):
    """LM's step; its state is λ (the damping after the step), starting at the `damping` given."""
    lam = hyper["damping"] if lam is None else lam
    theta, lam, _ = lm_nd(theta, problem.loss, problem.g, problem.J, problem.value, lam, hyper["scaling"], lr)
    return theta, lam


# ---- Levenberg-Marquardt ----


def lm_step_curve(jacobian: Any, residuals: Any, lambdas: Any, scaling: str = "levenberg") -> np.ndarray:
    """LM's steps delta(lambda) solving (J^T J + lambda D) delta = -J^T r, one per lambda.

    Parameters
    ----------
    jacobian : (m, 2) J at the point.  residuals : (m,) r at the point.
    lambdas : (K,) damping values >= 0; lambda = 0 gives the Gauss-Newton step.
    scaling : 'levenberg' (D = I) or 'marquardt' (D = diag(J^T J)).

    Returns
    -------
    (K, 2) the steps, in theta's units (add the point to draw them). A singular system takes the
    pseudo-inverse, as the engine does.
    """
    if scaling not in ("levenberg", "marquardt"):
        raise ValueError(f"scaling must be 'levenberg' or 'marquardt'; got {scaling!r}")
    lam = np.asarray(lambdas, dtype=float)
    if lam.ndim != 1 or not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("lambdas must be a 1-D array of finite numbers >= 0")
    (a, h, c), (b0, b1) = _normal_equations(jacobian, residuals)
    d0, d1 = (a, c) if scaling == "marquardt" else (1.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # singular entries take the pseudo-inverse
        x, y = solve_sym2(a + lam * d0, h + 0.0 * lam, c + lam * d1, -b0 + 0.0 * lam, -b1 + 0.0 * lam)
    return np.stack([x, y], axis=-1)


def lm_step_curves(
    jacobians: Any,
    residuals: Any,
    n: int = 24,
    decades: float = 6.0,
    scaling: str = "levenberg",
    lambdas: Any = None,
) -> np.ndarray:
    """`lm_step_curve` at many points at once, each over lambda = 0 and its own `lm_lambda_grid`
    (or over the given `lambdas`).

    Parameters
    ----------
    jacobians : (p, m, 2) J at p points.  residuals : (p, m) r there.
    n : damping values of each grid (after lambda = 0, the Gauss-Newton step).
    lambdas : (p, K) damping values >= 0 per point instead of the grids, or None.

    Returns
    -------
    (p, n + 1, 2) steps delta(lambda), row 0 the Gauss-Newton step, as `lm_step_curve` gives them;
    (p, K, 2) with `lambdas`.
    """
    if scaling not in ("levenberg", "marquardt"):
        raise ValueError(f"scaling must be 'levenberg' or 'marquardt'; got {scaling!r}")
    J = np.asarray(jacobians, dtype=float)
    r = np.asarray(residuals, dtype=float)
    if J.ndim != 3 or J.shape[2] != 2 or r.shape != J.shape[:2]:
        raise ValueError(f"jacobians must be (p, m, 2) and residuals (p, m); got {J.shape} and {r.shape}")
    jx, jy = J[..., 0], J[..., 1]
    a, h, c = (jx * jx).sum(-1), (jx * jy).sum(-1), (jy * jy).sum(-1)  # (p,)
    b0, b1 = (jx * r).sum(-1), (jy * r).sum(-1)
    if scaling == "marquardt":
        centre, d0, d1 = np.ones_like(a), a, c
    else:
        centre, d0, d1 = np.maximum(sym_eig2(a, h, c)[0], 1e-12), np.ones_like(a), np.ones_like(c)
    if lambdas is None:
        grid = centre[:, None] * np.logspace(-decades, decades, n)[None, :]
        lam = np.concatenate([np.zeros((len(a), 1)), grid], axis=1)  # (p, n + 1)
    else:
        lam = np.asarray(lambdas, dtype=float)
        if lam.shape[:1] != a.shape or lam.ndim != 2 or np.any(lam < 0):
            raise ValueError(f"lambdas must be (p, K) numbers >= 0 with p = {len(a)}; got {lam.shape}")
    col = lambda v: v[:, None] + 0.0 * lam  # noqa: E731 - broadcast a (p,) entry over the grid
    with np.errstate(divide="ignore", invalid="ignore"):
        x, y = solve_sym2(col(a) + lam * d0[:, None], col(h), col(c) + lam * d1[:, None], -col(b0), -col(b1))
    return np.stack([x, y], axis=-1)


def lm_gradient_limit(jacobian: Any, residuals: Any, scaling: str = "levenberg") -> np.ndarray:
    """-D^-1 J^T r, (2,): the limit of lambda * delta(lambda) as lambda -> inf (zero where D_ii = 0)."""
    (a, _, c), (b0, b1) = _normal_equations(jacobian, residuals)
    d = np.array([a, c]) if scaling == "marquardt" else np.ones(2)
    jtr = np.array([b0, b1])
    safe = d > 0
    return np.where(safe, -jtr / np.where(safe, d, 1.0), 0.0)


def lm_lambda_grid(
    jacobian: Any, scaling: str = "levenberg", n: int = 61, decades: float = 6.0
) -> np.ndarray:
    """(n,) damping values spanning +-decades around where LM turns from Gauss-Newton to gradient
    steps: lambda ~ the largest eigenvalue of J^T J for Levenberg, ~ 1 for Marquardt."""
    (a, h, c), _ = _normal_equations(jacobian, np.zeros(np.shape(jacobian)[0]))
    centre = 1.0 if scaling == "marquardt" else max(float(sym_eig2(a, h, c)[0]), 1e-12)
    return centre * np.logspace(-decades, decades, n)


def _normal_equations(
    jacobian: Any, residuals: Any
) -> tuple[tuple[float, float, float], tuple[float, float]]:
    """((a, h, c) of J^T J, J^T r) for J (m, 2), r (m,)."""
    J = np.asarray(jacobian, dtype=float)
    r = np.asarray(residuals, dtype=float)
    if J.ndim != 2 or J.shape[1] != 2 or r.shape != (J.shape[0],):
        raise ValueError(f"jacobian must be (m, 2) and residuals (m,); got {J.shape} and {r.shape}")
    jx, jy = J[:, 0], J[:, 1]
    return (float(jx @ jx), float(jx @ jy), float(jy @ jy)), (float(jx @ r), float(jy @ r))
