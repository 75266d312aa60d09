"""Adam's bias-correction switch and AMSGrad (issue 20's engine part), each against an independent
torch-style loop written here, and AMSGrad on Reddi, Kale & Kumar's online counterexample
("On the Convergence of Adam and Beyond", ICLR 2018, section 3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from figures import map_data as md
from optimizers import first_order_rule, run
from surfaces import get_surface

HIMMELBLAU = get_surface("himmelblau")
START = (0.0, 0.0)


def torch_adam(grad, p, n, lr, beta1, beta2, eps, amsgrad=False, bias_correction=True):
    """torch.optim.Adam's documented algorithm (no weight decay, not maximize), as a plain loop.

    Returns the points and, per step, v and v_max (the raw second moments)."""
    p = [float(p[0]), float(p[1])]
    m, v, v_max = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    pts, vs, v_maxs = [list(p)], [], []
    for t in range(1, n + 1):
        g = grad(p)
        m = [beta1 * m[i] + (1 - beta1) * g[i] for i in range(2)]
        v = [beta2 * v[i] + (1 - beta2) * g[i] * g[i] for i in range(2)]
        v_max = [max(v_max[i], v[i]) for i in range(2)]
        second = v_max if amsgrad else v
        if bias_correction:
            m_hat = [mi / (1 - beta1**t) for mi in m]
            v_hat = [si / (1 - beta2**t) for si in second]
        else:
            m_hat, v_hat = m, second
        p = [p[i] - lr * m_hat[i] / (math.sqrt(v_hat[i]) + eps) for i in range(2)]
        pts.append(p)
        vs.append(v)
        v_maxs.append(v_max)
    return np.array(pts), np.array(vs), np.array(v_maxs)


def _grad(p):
    return [float(c) for c in HIMMELBLAU.grad(np.array(p))]


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.5, 0.6), (0.0, 0.9)])
def test_amsgrad_equals_torchs_algorithm_and_its_maximum_matters(beta1, beta2):
    n, lr, eps = 60, 0.2, 1e-8
    path = run("amsgrad", HIMMELBLAU, START, n, lr=lr, beta1=beta1, beta2=beta2, eps=eps, tol=0.0)
    pts, vs, v_maxs = torch_adam(_grad, START, n, lr, beta1, beta2, eps, amsgrad=True)
    np.testing.assert_allclose(path.points, pts, rtol=1e-12, atol=1e-12)
    recorded = np.column_stack([path.records["v_max_x"], path.records["v_max_y"]])
    np.testing.assert_allclose(recorded, v_maxs, rtol=1e-12, atol=1e-300)
    # The max was active (some v fell below the largest so far), so this is not plain Adam's path.
    assert (vs < v_maxs).any()
    adam = run("adam", HIMMELBLAU, START, n, lr=lr, beta1=beta1, beta2=beta2, eps=eps, tol=0.0)
    assert np.abs(adam.points - path.points).max() > 1e-6


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.8, 0.9)])
def test_adam_without_bias_correction_equals_the_uncorrected_formula(beta1, beta2):
    n, lr, eps = 60, 0.05, 1e-8
    path = run("adam", HIMMELBLAU, START, n, lr=lr, beta1=beta1, beta2=beta2, bias_correction="off", tol=0.0)
    pts, _, _ = torch_adam(_grad, START, n, lr, beta1, beta2, eps, bias_correction=False)
    np.testing.assert_allclose(path.points, pts, rtol=1e-12, atol=1e-12)
    on = run("adam", HIMMELBLAU, START, n, lr=lr, beta1=beta1, beta2=beta2, tol=0.0)
    np.testing.assert_allclose(on.points, torch_adam(_grad, START, n, lr, beta1, beta2, eps)[0], rtol=1e-12)


@pytest.mark.parametrize("beta1, beta2", [(0.9, 0.999), (0.9, 0.9), (0.5, 0.99)])
def test_the_uncorrected_first_step_is_the_documented_multiple_of_the_corrected_one(beta1, beta2):
    """What the switch's help says: (1 − β₁)/√(1 − β₂) times the corrected step (eps aside)."""
    steps = {
        mode: np.diff(run("adam", HIMMELBLAU, (1.0, 1.0), 1, lr=0.01, beta1=beta1, beta2=beta2,
                          eps=0.0, bias_correction=mode).points, axis=0)[0]
        for mode in ("on", "off")
    }  # fmt: skip
    np.testing.assert_allclose(steps["off"], (1 - beta1) / math.sqrt(1 - beta2) * steps["on"], rtol=1e-12)


def test_the_inspector_shows_the_corrected_moments_each_variant_uses():
    surface = get_surface("quadratic", condition=10.0, angle=20.0)
    hyper = {"lr": 0.1, "beta1": 0.8, "beta2": 0.6}
    ams = run("amsgrad", surface, (-3.5, 1.5), 30, **hyper)
    t = md.decode_table(md.step_inspector(surface, ams, "amsgrad", hyper))
    k = np.arange(1, 31)
    np.testing.assert_allclose(t["vhat_x"][:-1], ams.records["v_max_x"] / (1 - 0.6**k), rtol=1e-5)
    np.testing.assert_allclose(t["step_x"][:-1], (t["before_x"] * t["scale_x"])[:-1], rtol=1e-4)
    off = run("adam", surface, (-3.5, 1.5), 30, bias_correction="off", **hyper)
    t = md.decode_table(md.step_inspector(surface, off, "adam", {**hyper, "bias_correction": "off"}))
    np.testing.assert_allclose(t["mhat_x"][:-1], off.records["m_x"], rtol=1e-6)
    np.testing.assert_allclose(t["step_y"][:-1], (t["before_y"] * t["scale_y"])[:-1], rtol=1e-4)


def _online(name: str, steps: int, C: float = 3.0, **hyper) -> float:
    """Reddi, Kale & Kumar's online problem on the feasible set [-1, 1]: f_t(x) = C x when
    t mod 3 = 1, else -x (the best fixed point is x = -1), with beta1 = 0, beta2 = 1/(1 + C^2) and
    alpha_t = alpha / sqrt(t), through the registry's rule on a single coordinate, projected."""
    rule = first_order_rule(name, beta1=0.0, beta2=1.0 / (1.0 + C * C), eps=1e-8, **hyper)
    x = np.float64(0.0)
    state = rule.init(x)
    for t in range(1, steps + 1):
        g = np.float64(C if t % 3 == 1 else -1.0)
        x, state = rule.step(x, g, state, 0.5 / math.sqrt(t))
        x = np.clip(x, -1.0, 1.0)
    return float(x)


def test_reddi_kale_kumar_counterexample_adam_goes_to_the_worst_point_amsgrad_to_the_best():
    """The paper's Theorem 1 setting (C > 2): Adam drifts to x = +1, the worst point of the
    feasible set, with or without bias correction; AMSGrad approaches the minimiser x = -1. (The
    explorer's 2D surfaces are fixed, not online, so this runs the rule on one coordinate.)"""
    for bias_correction in ("on", "off"):
        assert _online("adam", 30_000, bias_correction=bias_correction) == 1.0
    assert _online("amsgrad", 30_000) < -0.99
