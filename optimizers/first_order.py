"""First-order update rules, as in the lecture and torch.optim (g is the gradient at theta_k).

    sgd       theta -= lr * g
    momentum  v = momentum * v + g;  theta -= lr * v           (torch SGD, dampening 0)
    rmsprop   s = beta * s + (1 - beta) * g^2
              theta -= lr * g / (sqrt(s) + eps)                  (eps outside the sqrt, as torch)
    adam      m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
              m_hat = m / (1 - beta1^t);  v_hat = v / (1 - beta2^t)   (t = 1 at the first update)
              theta -= lr * m_hat / (sqrt(v_hat) + eps)

All four treat each coordinate on its own (per-parameter rates, in the lecture's words), so each is
written once as a rule for one coordinate and `per_coordinate` applies it to x and y.

Each factory closes over its hyperparameters (floats, or (N,) arrays for N runs at once) and
returns an `Optimizer`: `init(theta) -> state` and `update(theta, loss, g, state, f, lr) ->
(theta_next, state)`, pure functions. A point theta = (x, y) and a gradient g = (g_x, g_y) are
pairs of coordinates, each an (N,) array or, for a single run, a NumPy scalar (see
surfaces.base.Surface). `f` is the surface (or minibatch) the step sees; `lr` is this step's
learning rate. First-order rules use only g.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from surfaces.base import Coordinate

Hyper = float | np.ndarray  # a float, or one value per run with shape (N,)
Pair = tuple[Coordinate, Coordinate]  # a point (x, y) or a gradient (g_x, g_y)


class Optimizer(NamedTuple):
    init: Callable[[Pair], Any]
    update: Callable[..., tuple[Pair, Any]]


class EmptyState(NamedTuple):
    pass


class CoordinateState(NamedTuple):
    count: int  # updates done so far
    moments: tuple[tuple[Coordinate, ...], tuple[Coordinate, ...]]  # per coordinate (x, y)


def zeros_like(x: Coordinate) -> Coordinate:
    """Zeros shaped like x, a scalar for a scalar (np.zeros_like would give a slower 0-d array)."""
    return np.zeros_like(x)[()]


def per_coordinate(
    rule: Callable[..., tuple[Coordinate, tuple]],
    n_moments: int,
    per_step: Callable[[Hyper, int], Any] | None = None,
) -> Optimizer:
    """An optimizer from `rule(x, g, moments, k) -> (x_next, moments)` for one coordinate.

    `moments` are the rule's running averages for that coordinate (zero at the start). `k` is what
    the rule needs of this step, the same for both coordinates: `per_step(lr, t)` with t counting
    updates from 1, or just the learning rate when there is no `per_step`.
    """

    def init(theta: Pair) -> CoordinateState:
        zero = zeros_like(theta[0])
        return CoordinateState(0, ((zero,) * n_moments, (zero,) * n_moments))

    def update(theta, loss, g, state, f, lr):
        t = state.count + 1
        k = lr if per_step is None else per_step(lr, t)
        x, moments_x = rule(theta[0], g[0], state.moments[0], k)
        y, moments_y = rule(theta[1], g[1], state.moments[1], k)
        return (x, y), CoordinateState(t, (moments_x, moments_y))

    return Optimizer(init, update)


def sgd() -> Optimizer:
    def rule(x, g, moments, lr):
        return x - lr * g, moments

    return per_coordinate(rule, 0)


def momentum(momentum: Hyper) -> Optimizer:
    def rule(x, g, moments, lr):
        v = momentum * moments[0] + g
        return x - lr * v, (v,)

    return per_coordinate(rule, 1)


def rmsprop(beta: Hyper, eps: Hyper) -> Optimizer:
    def rule(x, g, moments, lr):
        s = beta * moments[0] + (1.0 - beta) * (g * g)
        return x - lr * g / (np.sqrt(s) + eps), (s,)

    return per_coordinate(rule, 1)


def adam(beta1: Hyper, beta2: Hyper, eps: Hyper) -> Optimizer:
    # The moments are kept divided by (1 - beta), which turns each update into a single
    # multiply-add (m/(1-b1) = b1 * m/(1-b1) + g); the constants come back in `scale` and
    # `eps_scaled`. With c = sqrt(1 - beta2^t) this is exactly torch's
    #   x -= lr / (1 - beta1^t) * m / (sqrt(v) / c + eps).
    root = np.sqrt(1.0 - beta2)

    def per_step(lr, t):
        c = np.sqrt(1.0 - beta2**t)
        scale = lr * c * (1.0 - beta1) / ((1.0 - beta1**t) * root)
        return scale, eps * c / root

    def rule(x, g, moments, k):
        scale, eps_scaled = k
        m = beta1 * moments[0] + g
        v = beta2 * moments[1] + g * g
        return x - scale * m / (np.sqrt(v) + eps_scaled), (m, v)

    return per_coordinate(rule, 2, per_step)
