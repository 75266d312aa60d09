"""The first-order `Rule` contract: one rule for a parameter of any shape (optimizers/first_order.py).

A trainer's stack of B models (B, P) must equal B single (P,) runs, and the explorer's engine must
call the very same rule (through `per_coordinate`) as a plain-array loop does.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import optimizers
from optimizers import OPTIMIZERS, Rule, first_order_rule, run
from surfaces import get_surface

FIRST_ORDER = [name for name, info in OPTIMIZERS.items() if info.needs == "grad"]
# Hyperparameters other than the defaults, one value per model of a stack of three.
STACK_HYPER = {
    "sgd": {},
    "momentum": {"momentum": [0.5, 0.9, 0.0]},
    "rmsprop": {"beta": [0.9, 0.5, 0.99], "eps": [1e-8, 1e-3, 1e-6]},
    "adam": {"beta1": [0.9, 0.5, 0.0], "beta2": [0.999, 0.9, 0.99], "eps": [1e-8, 1e-4, 1e-6]},
    "nesterov": {"momentum": [0.5, 0.9, 0.1]},
    "adagrad": {"eps": [1e-10, 1e-3, 1e-6]},
    "amsgrad": {"beta1": [0.9, 0.5, 0.0], "beta2": [0.999, 0.5, 0.99], "eps": [1e-8, 1e-4, 1e-6]},
}


def _quadratic_grad(theta: np.ndarray) -> np.ndarray:
    """Gradient of sum_i c_i theta_i^2 with c = 1, 2, 3, ... along the last axis."""
    c = np.arange(1, theta.shape[-1] + 1, dtype=float)
    return 2.0 * c * theta


def _loop(rule: Rule, theta: np.ndarray, lrs: np.ndarray) -> tuple[np.ndarray, object]:
    state = rule.init(theta)
    for lr in lrs:
        theta, state = rule.step(theta, _quadratic_grad(theta), state, lr)
    return theta, state


@pytest.mark.parametrize("per_model_hyper", [False, True])
@pytest.mark.parametrize("name", FIRST_ORDER)
def test_a_stack_of_models_equals_single_runs(name, per_model_hyper):
    """Exactly, with shared hyperparameters and lr (B, 1); with hyperparameters (B, 1) too, to the
    last bit or two (NumPy's array power and Python's float power may round beta^t differently)."""
    rng = np.random.default_rng(1)
    thetas = rng.normal(size=(3, 5))  # B = 3 models of P = 5 parameters
    lr = np.array([[0.01], [0.05], [0.002]])  # (B, 1)
    lrs = np.linspace(1.0, 0.5, 20)  # a schedule's factors, one per step
    hyper = STACK_HYPER[name] if per_model_hyper else {k: [v[1]] * 3 for k, v in STACK_HYPER[name].items()}
    stacked_hyper = {k: np.reshape(v, (3, 1)) if per_model_hyper else v[0] for k, v in hyper.items()}
    together, state = _loop(first_order_rule(name, **stacked_hyper), thetas, lrs[:, None, None] * lr[None])
    assert together.shape == (3, 5) and state.count == 20
    for b in range(3):
        alone = first_order_rule(name, **{k: v[b] for k, v in hyper.items()})
        single, _ = _loop(alone, thetas[b], lrs * lr[b, 0])
        if per_model_hyper:
            np.testing.assert_allclose(together[b], single, rtol=1e-14, atol=1e-300)
        else:
            np.testing.assert_array_equal(together[b], single)


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_init_gives_zero_moments_shaped_like_theta_and_count_zero(name):
    theta = np.ones((4, 3))
    state = first_order_rule(name).init(theta)
    assert state.count == 0
    for moment in state[1:]:
        assert np.shape(moment) == theta.shape and not np.any(moment)
    _, state = first_order_rule(name).step(theta, theta, state, 0.1)
    assert state.count == 1


def test_adam_first_steps_match_the_textbook_formula():
    b1, b2, eps, lr = 0.8, 0.95, 1e-3, 0.1
    rule = first_order_rule("adam", beta1=b1, beta2=b2, eps=eps)
    theta, state = np.array([1.0, -2.0]), None
    state = rule.init(theta)
    m = v = [0.0, 0.0]
    expected = [1.0, -2.0]
    for t in (1, 2, 3):
        g = [2.0 * expected[0], 4.0 * expected[1]]
        m = [b1 * m[i] + (1 - b1) * g[i] for i in range(2)]
        v = [b2 * v[i] + (1 - b2) * g[i] ** 2 for i in range(2)]
        expected = [
            expected[i] - lr * (m[i] / (1 - b1**t)) / ((v[i] / (1 - b2**t)) ** 0.5 + eps) for i in range(2)
        ]
        theta, state = rule.step(theta, _quadratic_grad(theta), state, lr)
        np.testing.assert_allclose(theta, expected, rtol=1e-14)


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_the_explorer_and_a_plain_array_loop_call_the_same_rule(name, monkeypatch):
    """run() on rosenbrock equals a plain loop of the registry's rule over a (2,) array, and the
    engine's steps go through that rule's `step` (two calls, x and y, per iteration)."""
    surface = get_surface("rosenbrock")
    info = OPTIMIZERS[name]
    calls = []

    def spy_factory(**hyper):
        rule = info.factory(**hyper)

        def step(theta, g, state, lr):
            calls.append(np.shape(theta))
            return rule.step(theta, g, state, lr)

        return Rule(rule.init, step)

    monkeypatch.setitem(OPTIMIZERS, name, dataclasses.replace(info, factory=spy_factory))
    lr, steps = 1e-3, 30
    path = run(name, surface, (-1.5, 2.0), steps, lr=lr, tol=0.0)
    assert len(calls) == 2 * steps and set(calls) == {()}

    monkeypatch.setitem(OPTIMIZERS, name, info)
    rule = first_order_rule(name)
    theta = np.array([-1.5, 2.0])
    state = rule.init(theta)
    for _ in range(steps):
        theta, state = rule.step(theta, surface.grad(theta), state, lr)
    np.testing.assert_array_equal(path.points[-1], theta)


def test_first_order_rule_is_exported_and_rejects_bad_input():
    assert optimizers.first_order_rule is first_order_rule
    with pytest.raises(ValueError, match="unknown first-order optimizer 'newton'; valid: sgd"):
        first_order_rule("newton")
    with pytest.raises(ValueError, match="lr is not a hyperparameter"):
        first_order_rule("sgd", lr=0.1)
    with pytest.raises(ValueError, match=r"unknown hyperparameter.*beta3.*valid: beta1, beta2, eps"):
        first_order_rule("adam", beta3=0.5)
    with pytest.raises(ValueError, match=r"beta1 must be in \[0, 1\)"):
        first_order_rule("adam", beta1=1.0)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        first_order_rule("momentum", momentum=np.array([[0.5], [1.5]]))
