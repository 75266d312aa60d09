"""First-order update rules, as in the lecture and torch.optim (g is the gradient at theta_k).

    sgd       theta -= lr * g
    momentum  v = momentum * v + g;  theta -= lr * v           (torch SGD, dampening 0)
    rmsprop   s = beta * s + (1 - beta) * g^2
              theta -= lr * g / (sqrt(s) + eps)                  (eps outside the sqrt, as torch)
    adam      m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
              m_hat = m / (1 - beta1^t);  v_hat = v / (1 - beta2^t)   (t = 1 at the first update)
              theta -= lr * m_hat / (sqrt(v_hat) + eps)
              bias_correction "off": m_hat = m, v_hat = v (Adam without the lecture's correction;
              m and v start at 0, and the first step is (1 - beta1) / sqrt(1 - beta2) times the
              corrected one: larger at the defaults, smaller only if beta2 < 1 - (1 - beta1)^2)
    amsgrad   Adam whose denominator never shrinks (torch Adam, amsgrad=True):
              v_max = max(v_max, v)  (the raw second moment);  v_hat = v_max / (1 - beta2^t)
              theta -= lr * m_hat / (sqrt(v_hat) + eps)
    nesterov  v = momentum * v + g;  theta -= lr * (g + momentum * v)   (torch SGD, nesterov=True,
                                                                         dampening 0)
    adagrad   s = s + g^2;  theta -= lr * g / (sqrt(s) + eps)   (torch Adagrad, lr_decay 0, s_0 = 0)

Each factory closes over its hyperparameters and returns a `Rule`, two pure functions:

    init(theta) -> state                      zero moments shaped like theta, count 0
    step(theta, g, state, lr) -> (theta_next, state_next)

theta and g are arrays of one shape, any shape: a single coordinate (a NumPy scalar), N runs'
coordinates (N,), a model's flat parameters (P,) or a stack of models (B, P). The arithmetic is
element-wise only (per-parameter rates, in the lecture's words), so hyperparameters and lr may be
floats or arrays that broadcast against theta (theta (B, P), lr (B, 1)). lr is an argument of
`step`, not of the factory, so a schedule can change it at every step.

The explorer's engine moves a point (x, y) whose coordinates it carries apart; `per_coordinate`
applies the very same rule to each coordinate and gives the engine's `Optimizer` interface.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from surfaces.base import Coordinate

Hyper = float | np.ndarray  # a float, or one value per run with shape (N,)
Pair = tuple[Coordinate, Coordinate]  # a point (x, y) or a gradient (g_x, g_y)


class Rule(NamedTuple):
    """A first-order update rule for a parameter of any shape (see the module docstring)."""

    init: Callable[[np.ndarray], Any]
    step: Callable[[np.ndarray, np.ndarray, Any, Any], tuple[np.ndarray, Any]]


class StepInput(NamedTuple):
    """What the explorer's engine hands an update at iteration k (see optimizers.runner)."""

    theta: Pair  # the point theta_k = (x, y)
    g: Pair  # the gradient there (g_x, g_y), gradient noise included
    loss: Coordinate  # the exact loss at theta_k (LM judges its trial step against it)
    f: Any  # the surface, or this iteration's minibatch: curvature for second-order methods
    lr: Hyper  # this iteration's learning rate (or step scale)


class Optimizer(NamedTuple):
    """The explorer engine's update rule on a point theta = (x, y), two pure functions:
    `init(theta) -> state` and `update(step: StepInput, state) -> (theta_next, state_next)`."""

    init: Callable[[Pair], Any]
    update: Callable[[StepInput, Any], tuple[Pair, Any]]


class EmptyState(NamedTuple):
    pass


class SGDState(NamedTuple):
    count: int  # updates done so far


class MomentumState(NamedTuple):
    count: int
    v: np.ndarray  # velocity, shaped like theta


class RMSPropState(NamedTuple):
    count: int
    s: np.ndarray  # running mean of g^2, shaped like theta


class AdamState(NamedTuple):
    count: int
    m: np.ndarray  # running mean of g (not bias-corrected), shaped like theta
    v: np.ndarray  # running mean of g^2 (not bias-corrected), shaped like theta


class AMSGradState(NamedTuple):
    count: int
    m: np.ndarray  # running mean of g (not bias-corrected), shaped like theta
    v: np.ndarray  # running mean of g^2 (not bias-corrected), shaped like theta
    v_max: np.ndarray  # the largest v so far, element-wise, shaped like theta


class AdagradState(NamedTuple):
    count: int
    s: np.ndarray  # sum of g^2 over all steps so far, shaped like theta


def zeros_like(x: Coordinate) -> Coordinate:
    """Zeros shaped like x, a scalar for a scalar (np.zeros_like would give a slower 0-d array)."""
    return np.zeros_like(x)[()]


def sgd() -> Rule:
    def init(theta):
        return SGDState(0)

    def step(theta, g, state, lr):
        return theta - lr * g, SGDState(state.count + 1)

    return Rule(init, step)


def momentum(momentum: Hyper) -> Rule:
    def init(theta):
        return MomentumState(0, zeros_like(theta))

    def step(theta, g, state, lr):
        v = momentum * state.v + g
        return theta - lr * v, MomentumState(state.count + 1, v)

    return Rule(init, step)


def rmsprop(beta: Hyper, eps: Hyper) -> Rule:
    def init(theta):
        return RMSPropState(0, zeros_like(theta))

    def step(theta, g, state, lr):
        s = beta * state.s + (1.0 - beta) * (g * g)
        return theta - lr * g / (np.sqrt(s) + eps), RMSPropState(state.count + 1, s)

    return Rule(init, step)


def adam(beta1: Hyper, beta2: Hyper, eps: Hyper, bias_correction: str = "on") -> Rule:
    corrected = bias_correction == "on"

    def init(theta):
        zero = zeros_like(theta)
        return AdamState(0, zero, zero)

    def step(theta, g, state, lr):
        t = state.count + 1
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        if corrected:
            m_hat = m / (1.0 - beta1**t)
            v_hat = v / (1.0 - beta2**t)
        else:
            m_hat, v_hat = m, v
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), AdamState(t, m, v)

    return Rule(init, step)


def amsgrad(beta1: Hyper, beta2: Hyper, eps: Hyper) -> Rule:
    # torch's documented form: the maximum of the raw second moments, then bias-corrected.
    def init(theta):
        zero = zeros_like(theta)
        return AMSGradState(0, zero, zero, zero)

    def step(theta, g, state, lr):
        t = state.count + 1
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        v_max = np.maximum(state.v_max, v)
        m_hat = m / (1.0 - beta1**t)
        v_hat = v_max / (1.0 - beta2**t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), AMSGradState(t, m, v, v_max)

    return Rule(init, step)


def nesterov(momentum: Hyper) -> Rule:
    # torch's form: the step looks ahead along the new velocity, g + momentum * v_next.
    def init(theta):
        return MomentumState(0, zeros_like(theta))

    def step(theta, g, state, lr):
        v = momentum * state.v + g
        return theta - lr * (g + momentum * v), MomentumState(state.count + 1, v)

    return Rule(init, step)


def adagrad(eps: Hyper) -> Rule:
    def init(theta):
        return AdagradState(0, zeros_like(theta))

    def step(theta, g, state, lr):
        s = state.s + g * g
        return theta - lr * g / (np.sqrt(s) + eps), AdagradState(state.count + 1, s)

    return Rule(init, step)


def per_coordinate(rule: Rule) -> Optimizer:
    """The explorer engine's `Optimizer` from a `Rule`: the rule applied to x and to y.

    The engine carries a point as a pair theta = (x, y) of coordinates (each an (N,) array, or a
    NumPy scalar for a single run) and the gradient as (g_x, g_y); the state is one rule state per
    coordinate. First-order rules need nothing else of the step (loss, surface).
    """

    def init(theta: Pair) -> tuple[Any, Any]:
        return rule.init(theta[0]), rule.init(theta[1])

    def update(step: StepInput, state: tuple[Any, Any]) -> tuple[Pair, tuple[Any, Any]]:
        x, state_x = rule.step(step.theta[0], step.g[0], state[0], step.lr)
        y, state_y = rule.step(step.theta[1], step.g[1], state[1], step.lr)
        return (x, y), (state_x, state_y)

    return Optimizer(init, update)
