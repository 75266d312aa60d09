"""First-order update rules, as in the lecture and torch.optim (g is the gradient at theta_k).

    sgd       theta -= lr * g
    momentum  v = momentum * v + g;  theta -= lr * v           (torch SGD, dampening 0)
    rmsprop   s = beta * s + (1 - beta) * g^2
              theta -= lr * g / (sqrt(s) + eps)                  (eps outside the sqrt, as torch)
    adam      m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
              m_hat = m / (1 - beta1^t);  v_hat = v / (1 - beta2^t)   (t = 1 at the first update)
              theta -= lr * m_hat / (sqrt(v_hat) + eps)

Each factory closes over its hyperparameters (floats, or (N, 1) arrays for N runs at once) and
returns an `Optimizer`: `init(x) -> state` and `update(x, loss, g, state, f, lr) -> (dx, state)`,
pure functions on arrays of shape (N, 2). `f` is the surface (or minibatch) the step sees; `lr`
is this step's learning rate. First-order rules use only g.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

Hyper = float | np.ndarray  # a float, or one value per run with shape (N, 1)


class Optimizer(NamedTuple):
    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]


class EmptyState(NamedTuple):
    pass


class MomentumState(NamedTuple):
    v: np.ndarray  # (N, 2) velocity


class RMSPropState(NamedTuple):
    s: np.ndarray  # (N, 2) running mean of g^2


class AdamState(NamedTuple):
    count: int  # updates done so far
    m: np.ndarray  # (N, 2) first moment, stored as m / (1 - beta1)
    v: np.ndarray  # (N, 2) second moment, stored as v / (1 - beta2)


def sgd() -> Optimizer:
    def update(x, loss, g, state, f, lr):
        return -lr * g, state

    return Optimizer(lambda x: EmptyState(), update)


def momentum(momentum: Hyper) -> Optimizer:
    def init(x):
        return MomentumState(np.zeros_like(x))

    def update(x, loss, g, state, f, lr):
        v = momentum * state.v + g
        return -lr * v, MomentumState(v)

    return Optimizer(init, update)


def rmsprop(beta: Hyper, eps: Hyper) -> Optimizer:
    def init(x):
        return RMSPropState(np.zeros_like(x))

    def update(x, loss, g, state, f, lr):
        s = beta * state.s + (1.0 - beta) * (g * g)
        return -lr * g / (s**0.5 + eps), RMSPropState(s)  # ** 0.5 is np.sqrt, called faster

    return Optimizer(init, update)


def adam(beta1: Hyper, beta2: Hyper, eps: Hyper) -> Optimizer:
    def init(x):
        return AdamState(0, np.zeros_like(x), np.zeros_like(x))

    def update(x, loss, g, state, f, lr):
        # The moments are kept divided by (1 - beta), which turns each update into a single
        # multiply-add (m/(1-b1) = b1 * m/(1-b1) + g); the constants come back in `scale` and
        # `eps_scaled`. With c = sqrt(1 - beta2^t) this is exactly torch's
        #   x -= lr / (1 - beta1^t) * m / (sqrt(v) / c + eps).
        t = state.count + 1
        m = beta1 * state.m + g
        v = beta2 * state.v + g * g
        c = (1.0 - beta2**t) ** 0.5
        root = (1.0 - beta2) ** 0.5
        scale = -lr * c * (1.0 - beta1) / ((1.0 - beta1**t) * root)
        return scale * m / (v**0.5 + eps * c / root), AdamState(t, m, v)

    return Optimizer(init, update)
