"""Update rules computed by hand, in plain Python floats, from the formulas (issue 2, torch.optim).

    sgd        x -= lr g
    momentum   v = mu v + g;  x -= lr v                             (torch SGD, dampening 0)
    rmsprop    s = beta s + (1 - beta) g^2;  x -= lr g / (sqrt(s) + eps)      (eps outside sqrt)
    adam       m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  t = 1, 2, ...
               x -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
    newton     x -= lr H^-1 g
    gauss_newton  x -= lr (J^T J)^-1 J^T r
    lm         (J^T J + lam D) d = -J^T r, D = I (levenberg) or diag(J^T J) (marquardt);
               accept only if the loss falls; lam shrinks on accept, grows on reject.

The surfaces' formulas are re-typed here by hand (no engine derivative is used for the expected
values); the engine's `optimizers.run(...)` must reproduce the first steps to ~1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import optimizers
from optimizers import OPTIMIZERS, run
from optimizers.schedules import schedule_values
from surfaces import get_surface

# --------------------------------------------------------------------------------------------
# Hand-typed surfaces: value, grad, Hessian, residuals, Jacobian as Python floats / lists
# --------------------------------------------------------------------------------------------


class HandRosenbrock:
    """f = (a - x)^2 + b (y - x^2)^2, r = (a - x, sqrt(b)(y - x^2))."""

    name, params = "rosenbrock", {}

    def __init__(self, a=1.0, b=100.0):
        self.a, self.b = a, b

    def f(self, p):
        x, y = p
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def g(self, p):
        x, y = p
        return [-2 * (self.a - x) - 4 * self.b * x * (y - x * x), 2 * self.b * (y - x * x)]

    def hess(self, p):
        x, y = p
        return [
            [2 - 4 * self.b * y + 12 * self.b * x * x, -4 * self.b * x],
            [-4 * self.b * x, 2 * self.b],
        ]

    def r(self, p):
        x, y = p
        return [self.a - x, math.sqrt(self.b) * (y - x * x)]

    def jac(self, p):
        x, _ = p
        k = math.sqrt(self.b)
        return [[-1.0, 0.0], [-2 * k * x, k]]


class HandHimmelblau:
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2."""

    name, params = "himmelblau", {}

    def f(self, p):
        return sum(ri * ri for ri in self.r(p))

    def g(self, p):
        x, y = p
        r1, r2 = self.r(p)
        return [4 * x * r1 + 2 * r2, 2 * r1 + 4 * y * r2]

    def hess(self, p):
        x, y = p
        return [[12 * x * x + 4 * y - 42, 4 * (x + y)], [4 * (x + y), 12 * y * y + 4 * x - 26]]

    def r(self, p):
        x, y = p
        return [x * x + y - 11, x + y * y - 7]

    def jac(self, p):
        x, y = p
        return [[2 * x, 1.0], [1.0, 2 * y]]


class HandQuadratic:
    """f = u^2 + k v^2, u = c x + s y, v = -s x + c y, (c, s) = (cos, sin)(angle)."""

    name = "quadratic"

    def __init__(self, condition=10.0, angle=30.0):
        self.params = {"condition": condition, "angle": angle}
        self.k = condition
        self.c, self.s = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def _uv(self, p):
        x, y = p
        return self.c * x + self.s * y, -self.s * x + self.c * y

    def f(self, p):
        u, v = self._uv(p)
        return u * u + self.k * v * v

    def g(self, p):
        u, v = self._uv(p)
        c, s, k = self.c, self.s, self.k
        return [2 * (c * u - s * k * v), 2 * (s * u + c * k * v)]

    def hess(self, p):
        c, s, k = self.c, self.s, self.k
        return [
            [2 * (c * c + k * s * s), 2 * (1 - k) * c * s],
            [2 * (1 - k) * c * s, 2 * (s * s + k * c * c)],
        ]

    def r(self, p):
        u, v = self._uv(p)
        return [u, math.sqrt(self.k) * v]

    def jac(self, p):
        q = math.sqrt(self.k)
        return [[self.c, self.s], [-q * self.s, q * self.c]]


def solve2(A, b):
    """Solve a 2x2 system by Cramer's rule."""
    (a11, a12), (a21, a22) = A
    det = a11 * a22 - a12 * a21
    return [(b[0] * a22 - a12 * b[1]) / det, (a11 * b[1] - a21 * b[0]) / det]


def jtj(J):
    return [[sum(row[i] * row[j] for row in J) for j in range(2)] for i in range(2)]


def jtr(J, r):
    return [sum(row[i] * ri for row, ri in zip(J, r, strict=True)) for i in range(2)]


# --------------------------------------------------------------------------------------------
# Hand-written optimizers: lists of points
# --------------------------------------------------------------------------------------------


def hand_sgd(S, p, n, lr):
    pts = [list(p)]
    for _ in range(n):
        g = S.g(p)
        p = [p[i] - lr * g[i] for i in range(2)]
        pts.append(p)
    return pts


def hand_momentum(S, p, n, lr, momentum=0.9):
    pts, v = [list(p)], [0.0, 0.0]
    for _ in range(n):
        g = S.g(p)
        v = [momentum * v[i] + g[i] for i in range(2)]
        p = [p[i] - lr * v[i] for i in range(2)]
        pts.append(p)
    return pts


def hand_rmsprop(S, p, n, lr, beta=0.9, eps=1e-8):
    pts, s = [list(p)], [0.0, 0.0]
    for _ in range(n):
        g = S.g(p)
        s = [beta * s[i] + (1 - beta) * g[i] ** 2 for i in range(2)]
        p = [p[i] - lr * g[i] / (math.sqrt(s[i]) + eps) for i in range(2)]
        pts.append(p)
    return pts


def hand_adam(S, p, n, lr, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction="on"):
    pts, m, v = [list(p)], [0.0, 0.0], [0.0, 0.0]
    for t in range(1, n + 1):
        g = S.g(p)
        m = [beta1 * m[i] + (1 - beta1) * g[i] for i in range(2)]
        v = [beta2 * v[i] + (1 - beta2) * g[i] ** 2 for i in range(2)]
        c1, c2 = (1 - beta1**t, 1 - beta2**t) if bias_correction == "on" else (1.0, 1.0)
        mhat = [mi / c1 for mi in m]
        vhat = [vi / c2 for vi in v]
        p = [p[i] - lr * mhat[i] / (math.sqrt(vhat[i]) + eps) for i in range(2)]
        pts.append(p)
    return pts


def hand_amsgrad(S, p, n, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """torch.optim.Adam(amsgrad=True) as torch documents it: v_max = max(v_max, v) on the raw second
    moment, then v_hat = v_max / (1 - beta2^t)."""
    pts, m, v, v_max = [list(p)], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    for t in range(1, n + 1):
        g = S.g(p)
        m = [beta1 * m[i] + (1 - beta1) * g[i] for i in range(2)]
        v = [beta2 * v[i] + (1 - beta2) * g[i] ** 2 for i in range(2)]
        v_max = [max(v_max[i], v[i]) for i in range(2)]
        mhat = [mi / (1 - beta1**t) for mi in m]
        vhat = [vi / (1 - beta2**t) for vi in v_max]
        p = [p[i] - lr * mhat[i] / (math.sqrt(vhat[i]) + eps) for i in range(2)]
        pts.append(p)
    return pts


def hand_nesterov(S, p, n, lr, momentum=0.9):
    pts, v = [list(p)], [0.0, 0.0]
    for _ in range(n):
        g = S.g(p)
        v = [momentum * v[i] + g[i] for i in range(2)]
        p = [p[i] - lr * (g[i] + momentum * v[i]) for i in range(2)]
        pts.append(p)
    return pts


def hand_adagrad(S, p, n, lr, eps=1e-10):
    pts, s = [list(p)], [0.0, 0.0]
    for _ in range(n):
        g = S.g(p)
        s = [s[i] + g[i] ** 2 for i in range(2)]
        p = [p[i] - lr * g[i] / (math.sqrt(s[i]) + eps) for i in range(2)]
        pts.append(p)
    return pts


def hand_lbfgs(S, p, n, lr=1.0, history=10):
    """The issue's L-BFGS, written from its text: a list of (s, y) pairs, two-loop recursion, and a
    halving Armijo search from lr (min(1, 1/|g|_1) lr while the memory is empty)."""
    pts, memory, last = [list(p)], [], None
    for _ in range(n):
        g, f = S.g(p), S.f(p)
        if last is not None:
            s, g_prev = last
            y = [g[0] - g_prev[0], g[1] - g_prev[1]]
            if s[0] * y[0] + s[1] * y[1] > 1e-10:
                memory = [*memory, (s, y)][-history:]
        q, alphas = list(g), []
        for s, y in reversed(memory):
            a = (s[0] * q[0] + s[1] * q[1]) / (s[0] * y[0] + s[1] * y[1])
            q = [q[0] - a * y[0], q[1] - a * y[1]]
            alphas.append(a)
        if memory:
            s, y = memory[-1]
            gamma = (s[0] * y[0] + s[1] * y[1]) / (y[0] * y[0] + y[1] * y[1])
        else:
            gamma = 1.0
        r = [gamma * q[0], gamma * q[1]]
        for (s, y), a in zip(memory, reversed(alphas), strict=True):
            b = (y[0] * r[0] + y[1] * r[1]) / (s[0] * y[0] + s[1] * y[1])
            r = [r[0] + s[0] * (a - b), r[1] + s[1] * (a - b)]
        d = [-r[0], -r[1]]
        slope = g[0] * d[0] + g[1] * d[1]
        if slope >= 0:
            d, slope = [-g[0], -g[1]], -(g[0] ** 2 + g[1] ** 2)
        t = lr * (min(1.0, 1.0 / (abs(g[0]) + abs(g[1]))) if not memory else 1.0)
        for _ in range(31):
            if S.f([p[0] + t * d[0], p[1] + t * d[1]]) <= f + 1e-4 * t * slope:
                break
            t /= 2
        else:
            t, memory = 0.0, []
        s = [t * d[0], t * d[1]]
        p = [p[0] + s[0], p[1] + s[1]]
        last = (s, g)
        pts.append(p)
    return pts


def hand_newton(S, p, n, lr=1.0):
    pts = [list(p)]
    for _ in range(n):
        d = solve2(S.hess(p), S.g(p))
        p = [p[i] - lr * d[i] for i in range(2)]
        pts.append(p)
    return pts


def hand_gauss_newton(S, p, n, lr=1.0):
    pts = [list(p)]
    for _ in range(n):
        J, r = S.jac(p), S.r(p)
        d = solve2(jtj(J), jtr(J, r))
        p = [p[i] - lr * d[i] for i in range(2)]
        pts.append(p)
    return pts


HAND = {
    "sgd": hand_sgd,
    "momentum": hand_momentum,
    "rmsprop": hand_rmsprop,
    "adam": hand_adam,
    "amsgrad": hand_amsgrad,
    "nesterov": hand_nesterov,
    "adagrad": hand_adagrad,
    "lbfgs": hand_lbfgs,
    "newton": hand_newton,
    "gauss_newton": hand_gauss_newton,
}

# (optimizer, hand surface, start, hyperparameters): starts far from any stationary point, so
# no run converges within the compared steps.
CASES = [
    ("sgd", HandRosenbrock(), (-1.5, 2.0), {"lr": 1e-3}),
    ("sgd", HandHimmelblau(), (0.0, 0.0), {"lr": 0.01}),
    ("sgd", HandQuadratic(), (-3.5, 1.5), {"lr": 0.02}),
    ("momentum", HandRosenbrock(), (-1.5, 2.0), {"lr": 1e-3}),
    ("momentum", HandRosenbrock(), (-1.5, 2.0), {"lr": 5e-4, "momentum": 0.5}),
    ("momentum", HandHimmelblau(), (0.0, 0.0), {"lr": 0.005, "momentum": 0.8}),
    ("momentum", HandQuadratic(), (-3.5, 1.5), {"lr": 0.02, "momentum": 0.9}),
    ("rmsprop", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.01}),
    ("rmsprop", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.05, "beta": 0.5, "eps": 0.1}),
    ("rmsprop", HandQuadratic(), (-3.5, 1.5), {"lr": 0.1, "beta": 0.99}),
    ("adam", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.05}),
    ("adam", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1.0}),
    ("adam", HandHimmelblau(), (0.0, 0.0), {"lr": 0.3, "beta1": 0.8}),
    ("adam", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.05, "bias_correction": "off"}),
    ("adam", HandHimmelblau(), (0.0, 0.0), {"lr": 0.3, "beta1": 0.8, "beta2": 0.9, "bias_correction": "off"}),
    ("amsgrad", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.05}),
    ("amsgrad", HandHimmelblau(), (0.0, 0.0), {"lr": 0.3, "beta1": 0.8, "beta2": 0.5}),
    ("amsgrad", HandQuadratic(), (-3.5, 1.5), {"lr": 0.1, "beta2": 0.6, "eps": 1e-3}),
    ("nesterov", HandRosenbrock(), (-1.5, 2.0), {"lr": 1e-3}),
    ("nesterov", HandHimmelblau(), (0.0, 0.0), {"lr": 0.005, "momentum": 0.5}),
    ("nesterov", HandQuadratic(), (-3.5, 1.5), {"lr": 0.02, "momentum": 0.99}),
    ("adagrad", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.1}),
    ("adagrad", HandHimmelblau(), (0.0, 0.0), {"lr": 0.5, "eps": 0.1}),
    ("adagrad", HandQuadratic(), (-3.5, 1.5), {"lr": 0.3}),
    ("lbfgs", HandRosenbrock(), (-1.5, 2.0), {}),
    ("lbfgs", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.5, "history": 1}),
    ("lbfgs", HandHimmelblau(), (0.0, 0.0), {"history": 2}),
    ("lbfgs", HandQuadratic(), (-3.5, 1.5), {"lr": 2.0}),
    ("newton", HandRosenbrock(), (-1.5, 2.0), {}),
    ("newton", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.5}),
    ("newton", HandRosenbrock(a=2.0, b=10.0), (-1.5, 2.0), {"lr": 0.7}),
    ("gauss_newton", HandRosenbrock(), (-1.5, 2.0), {"lr": 0.5}),
    ("gauss_newton", HandHimmelblau(), (1.0, -0.5), {"lr": 0.3}),
    ("gauss_newton", HandQuadratic(3.0, 117.0), (-3.5, 1.5), {"lr": 0.25}),
]


def engine_surface(S):
    params = dict(S.params)
    if isinstance(S, HandRosenbrock):
        params = {"a": S.a, "b": S.b}
    return get_surface(S.name, **params)


def case_id(case):
    name, S, start, hyper = case
    return f"{name}-{S.name}-{start}-" + "-".join(f"{k}={v}" for k, v in hyper.items())


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_first_steps_match_hand_computation(case):
    name, S, start, hyper = case
    n = 3
    expected = HAND[name](S, start, n, **hyper)
    traj = run(name, engine_surface(S), start, 20, **hyper)
    assert traj.n_steps >= n, traj.message
    # second-order steps solve 2x2 systems with condition up to ~1e3: allow cond * eps on them
    atol = 1e-12 if name in ("newton", "gauss_newton") else 1e-13
    np.testing.assert_allclose(traj.points[: n + 1], expected, rtol=1e-12, atol=atol)
    np.testing.assert_allclose(traj.losses[: n + 1], [S.f(p) for p in expected], rtol=1e-12)
    grad_norms = [math.hypot(*S.g(p)) for p in expected]
    np.testing.assert_allclose(traj.grad_norms[: n + 1], grad_norms, rtol=1e-12)
    lr = hyper.get("lr", 1.0)
    np.testing.assert_allclose(traj.lrs[:n], [lr] * n, rtol=1e-15)


def test_every_registered_optimizer_has_a_hand_case():
    covered = {c[0] for c in CASES} | {"lm"}  # lm: test_lm_first_steps_match_hand_computation
    assert set(OPTIMIZERS) == covered


def test_nesterov_and_adagrad_first_steps_by_hand():
    # Rosenbrock at (-1.5, 2): g = (-2 (1 + 1.5) - 400 (-1.5)(2 - 2.25), 200 (2 - 2.25)) = (-155, -50).
    # Nesterov, v_0 = 0: v_1 = g, step = lr (g + 0.9 g) = 1.9e-3 g -> (-1.5 + 0.2945, 2 + 0.095).
    # AdaGrad: s_1 = g^2, step = lr g / (|g| + eps) = 0.1 sign(g) (eps = 1e-10) -> (-1.4, 2.1).
    rosen = get_surface("rosenbrock")
    nesterov = run("nesterov", rosen, (-1.5, 2.0), 1, lr=1e-3)
    np.testing.assert_allclose(nesterov.points[1], [-1.2055, 2.095], rtol=1e-14)
    adagrad = run("adagrad", rosen, (-1.5, 2.0), 1, lr=0.1)
    np.testing.assert_allclose(adagrad.points[1], [-1.4, 2.1], rtol=1e-12)


def test_gauss_newton_on_rosenbrock_by_hand():
    # r = (1 - x, 10 (y - x^2)) is square with J = [[-1, 0], [-20 x, 10]] invertible, so a full
    # GN step solves J d = -r. From (-1.5, 2): d_x = 1 - x = 2.5 -> x = 1;
    # 30*2.5 + 10 d_y = -10*(-0.25) -> d_y = -7.25 -> y = -5.25.
    # From (1, -5.25): d_x = 0, 10 d_y = 62.5 -> (1, 1), the minimum.
    traj = run("gauss_newton", get_surface("rosenbrock"), (-1.5, 2.0), 50)
    np.testing.assert_allclose(traj.points, [[-1.5, 2.0], [1.0, -5.25], [1.0, 1.0]], atol=1e-12)
    assert traj.status == "converged"
    assert traj.n_steps == 2
    assert traj.losses[-1] == pytest.approx(0.0, abs=1e-24)


# --------------------------------------------------------------------------------------------
# Schedules drive the learning rate of every step
# --------------------------------------------------------------------------------------------

SCHEDULE_SPECS = [
    {"kind": "inverse_time", "decay_rate": 1.0},
    {"kind": "step", "step_size": 2, "decay_rate": 0.5},
    {"kind": "exponential", "decay_rate": 0.8},
]


@pytest.mark.parametrize("schedule", SCHEDULE_SPECS, ids=lambda s: s["kind"])
def test_schedule_sets_the_lr_of_each_step(schedule):
    S = HandQuadratic()
    lr0, n = 0.04, 6
    lrs = [
        {
            "inverse_time": lr0 / (1 + k),
            "step": lr0 * 0.5 ** (k // 2),
            "exponential": lr0 * 0.8**k,
        }[schedule["kind"]]
        for k in range(n)
    ]
    p, expected = [-3.5, 1.5], [[-3.5, 1.5]]
    for lr in lrs:  # sgd with the k-th rate at step k (the first step uses lr0)
        g = S.g(p)
        p = [p[i] - lr * g[i] for i in range(2)]
        expected.append(p)
    traj = run("sgd", engine_surface(S), (-3.5, 1.5), n, lr=lr0, schedule=schedule)
    np.testing.assert_allclose(traj.lrs, lrs, rtol=1e-14)
    np.testing.assert_allclose(traj.lrs, schedule_values(schedule, lr0, n), rtol=1e-14)
    np.testing.assert_allclose(traj.points, expected, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["momentum", "adam", "newton", "gauss_newton"])
def test_schedule_applies_to_other_methods(name):
    schedule = {"kind": "exponential", "decay_rate": 0.5}
    lr0 = 0.01 if name in ("momentum", "adam") else 0.5
    S = HandRosenbrock()
    traj = run(name, engine_surface(S), (-1.5, 2.0), 4, lr=lr0, schedule=schedule)
    np.testing.assert_allclose(traj.lrs, [lr0 * 0.5**k for k in range(traj.n_steps)], rtol=1e-14)
    if name in ("newton", "gauss_newton"):
        # x_{k+1} = x_k - lr_k * direction(x_k): check the first two steps by hand
        p, expected = [-1.5, 2.0], [[-1.5, 2.0]]
        for k in range(2):
            if name == "newton":
                d = solve2(S.hess(p), S.g(p))
            else:
                d = solve2(jtj(S.jac(p)), jtr(S.jac(p), S.r(p)))
            p = [p[i] - lr0 * 0.5**k * d[i] for i in range(2)]
            expected.append(p)
        # 2x2 solves with condition ~1e2: allow cond * eps on the step
        np.testing.assert_allclose(traj.points[:3], expected, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Second-order methods: exact one-step solutions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("condition", [1.0, 10.0, 100.0, 1e4])
@pytest.mark.parametrize("angle", [-90.0, -37.0, 0.0, 45.0, 90.0])
def test_newton_solves_any_quadratic_in_one_step(condition, angle):
    s = get_surface("quadratic", condition=condition, angle=angle)
    rng = np.random.default_rng(int(condition) + int(angle) + 100)
    for start in rng.uniform(-4, 4, size=(3, 2)):
        traj = run("newton", s, start, 50, lr=1.0)
        np.testing.assert_allclose(traj.points[1], [0.0, 0.0], atol=1e-12 * condition)
        assert traj.status == "converged", traj.message
        assert traj.n_steps == 1


def test_newton_with_lr_takes_that_fraction_of_the_way():
    # On a quadratic the Newton step is exactly x* - x, so lr = 0.25 moves a quarter of the way.
    s = get_surface("quadratic", condition=30.0, angle=20.0)
    traj = run("newton", s, (2.0, -1.0), 3, lr=0.25)
    expected = [[2.0 * 0.75**k, -1.0 * 0.75**k] for k in range(4)]
    np.testing.assert_allclose(traj.points, expected, rtol=1e-12)


def _normal_equations(surface):
    t, target = (np.asarray(a, float) for a in surface.data)
    A = np.stack([t, np.ones_like(t)], axis=1)
    return np.linalg.lstsq(A, target, rcond=None)[0]


@pytest.mark.parametrize("name", ["gauss_newton", "newton", "lm"])
@pytest.mark.parametrize("params", [{}, {"n_samples": 7, "noise": 2.0, "seed": 3}])
def test_linear_regression_in_one_step(name, params):
    # The MSE is quadratic in (w, b): one full GN or Newton step lands on the least-squares line
    # (the lecture's question). LM with a tiny damping is within O(damping) of it.
    s = get_surface("linear_regression", **params)
    solution = _normal_equations(s)
    hyper = {"damping": 1e-12} if name == "lm" else {"lr": 1.0}
    for start in [(-0.5, 1.5), (5.0, -5.0), (0.0, 0.0)]:
        traj = run(name, s, start, 100, **hyper)
        np.testing.assert_allclose(traj.points[1], solution, rtol=1e-9, atol=1e-9)
        assert traj.status == "converged", traj.message
        assert traj.n_steps <= 2


@pytest.mark.parametrize("start", [(-1.5, 0.01), (1.0, 1.0), (0.3, -1.7)])
def test_newton_on_the_saddle_goes_to_the_saddle_point(start):
    # H = diag(2, -2) is indefinite but invertible; -H^-1 g = -(x, y): Newton seeks the
    # stationary point, which here is the saddle, not a minimum.
    traj = run("newton", get_surface("saddle"), start, 10)
    np.testing.assert_allclose(traj.points[1], [0.0, 0.0], atol=1e-15)
    assert traj.status == "converged"
    msg = traj.message.lower()
    assert "saddle" in msg or "indefinite" in msg or "not a minimum" in msg, traj.message


# --------------------------------------------------------------------------------------------
# Levenberg-Marquardt
# --------------------------------------------------------------------------------------------

LM_STARTS = {
    "rosenbrock": [(-1.5, 2.0), (-1.2, 1.0), (2.0, -1.0), (0.0, 3.0)],
    # (Beale's default view start (-1, 1.5) is not here: from there the loss keeps falling along
    # the asymptotic valley y -> 1, x -> -inf, and LM rightly follows it.)
    "beale": [(1.0, 1.0), (2.0, 0.0), (4.0, 1.0), (0.0, 0.0), (-2.0, -2.0)],
    "himmelblau": [(0.0, 0.0), (-4.0, 4.0), (-4.0, -4.0), (4.0, -4.0), (1.0, 1.0)],
    # a = 0 makes J^T J singular (and Marquardt's D = diag(J^T J) too): LM must get past it
    "curve_fit": [(0.0, 0.5), (0.5, 0.5), (5.0, -5.0), (-1.0, 1.0)],
    "linear_regression": [(-0.5, 1.5), (5.0, -5.0)],
}


@pytest.mark.parametrize("scaling", ["levenberg", "marquardt"])
@pytest.mark.parametrize("name", list(LM_STARTS))
def test_lm_reaches_a_minimum(name, scaling):
    s = get_surface(name)
    for start in LM_STARTS[name]:
        traj = run("lm", s, start, 300, scaling=scaling)
        assert traj.status == "converged", (start, traj.message)
        dist = np.min(np.linalg.norm(np.asarray(s.minima) - traj.points[-1], axis=1))
        assert dist < 1e-5, (start, traj.points[-1])
        assert np.all(np.diff(traj.losses) <= 0), "LM never increases the loss"
        assert traj.lambdas is not None and traj.lambdas.shape == (traj.n_steps,)
        assert np.all(traj.lambdas > 0)


LM_DECREASE, LM_INCREASE = 0.1, 10.0  # the factors the LM registry entry documents


def hand_lm(S, p, n, damping=1e-3, scaling="levenberg"):
    """One trial per iteration (the engine's documented form, second_order.py): solve
    (J^T J + lam D) d = -J^T r; keep p + d only if f falls, then lam /= 10, else stay, lam *= 10.
    Returns the points (n+1) and the damping after each iteration (n)."""
    pts, lams, lam = [list(p)], [], damping
    for _ in range(n):
        J, r = S.jac(p), S.r(p)
        A = jtj(J)
        D = [[A[0][0], 0.0], [0.0, A[1][1]]] if scaling == "marquardt" else [[1.0, 0.0], [0.0, 1.0]]
        M = [[A[i][j] + lam * D[i][j] for j in range(2)] for i in range(2)]
        d = solve2(M, [-v for v in jtr(J, r)])
        trial = [p[0] + d[0], p[1] + d[1]]
        if S.f(trial) < S.f(p):
            p, lam = trial, lam * LM_DECREASE
        else:
            lam = lam * LM_INCREASE
        pts.append(list(p))
        lams.append(lam)
    return pts, lams


def distinct(points):
    """The points with consecutive repeats (rejected LM trials) removed."""
    out = [list(points[0])]
    for q in points[1:]:
        if list(q) != out[-1]:
            out.append(list(q))
    return np.array(out)


LM_CASES = [
    (HandRosenbrock(), (-1.5, 2.0), 1e-3, "levenberg"),  # the first trials overshoot: rejections
    (HandRosenbrock(), (-1.5, 2.0), 1e-3, "marquardt"),
    (HandRosenbrock(), (-1.2, 1.0), 10.0, "levenberg"),
    (HandHimmelblau(), (0.0, 0.0), 1e-3, "levenberg"),
    (HandHimmelblau(), (-4.0, 4.0), 1.0, "marquardt"),
    (HandQuadratic(3.0, 117.0), (-3.5, 1.5), 0.5, "marquardt"),
]

# Every optimizer's hand-computed reference, compared with the engine above (CASES through HAND,
# LM through hand_lm and LM_CASES); tests/test_registry.py checks that a new optimizer has one.
REFERENCES = {**{name: HAND[name] for name, *_ in CASES}, "lm": hand_lm}


@pytest.mark.parametrize("case", LM_CASES, ids=lambda c: f"{c[0].name}-{c[1]}-{c[2]}-{c[3]}")
def test_lm_first_steps_match_hand_computation(case):
    S, start, damping, scaling = case
    n = 8
    pts, lams = hand_lm(S, start, n, damping, scaling)
    traj = run("lm", engine_surface(S), start, n, damping=damping, scaling=scaling)
    k = traj.n_steps
    # The accepted points, in order, do not depend on how rejected trials are counted.
    want = distinct(pts)
    got = distinct(traj.points.tolist())
    m = min(len(want), len(got))
    assert m >= 3 or traj.status == "converged"
    np.testing.assert_allclose(got[:m], want[:m], rtol=1e-10, atol=1e-12)
    # One trial per iteration, lambda recorded after each (as documented in second_order.py).
    np.testing.assert_allclose(traj.points, pts[: k + 1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(traj.lambdas, lams[:k], rtol=1e-12)
    assert np.all(np.diff(traj.losses) <= 0)


def test_lm_rejects_overshooting_steps_on_rosenbrock():
    # From (-1.5, 2) with lam = 1e-3 the step is nearly Gauss-Newton's, which lands at (1, -5.25)
    # where f = 100 * 6.25^2 = 3906 > f(start) = 12.5: LM must reject it and raise lambda.
    S = HandRosenbrock()
    assert S.f([1.0, -5.25]) > S.f([-1.5, 2.0])
    traj = run("lm", get_surface("rosenbrock"), (-1.5, 2.0), 5)
    assert traj.losses[1] <= traj.losses[0]
    assert traj.lambdas[0] > 1e-3


@pytest.mark.parametrize("damping", [1e3, 1e6])
def test_lm_with_large_damping_is_gradient_descent(damping):
    # (J^T J + lam I) d = -J^T r  ->  d ~ -J^T r / lam = -g / (2 lam) for lam >> |J^T J|.
    S = HandHimmelblau()
    p = [0.5, 0.5]
    g = S.g(p)
    traj = run("lm", get_surface("himmelblau"), p, 1, damping=damping)
    step = traj.points[1] - np.array(p)
    np.testing.assert_allclose(step, [-gi / (2 * damping) for gi in g], rtol=50 / damping)


# --------------------------------------------------------------------------------------------
# Noise: reproducible by seed
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_noise_is_reproducible_by_seed(name):
    s = get_surface("rosenbrock")
    hyper = {"lr": 1e-3} if name in ("sgd", "momentum", "rmsprop", "adam") else {}
    a = run(name, s, (-1.5, 2.0), 10, noise=1.0, seed=7, **hyper)
    b = run(name, s, (-1.5, 2.0), 10, noise=1.0, seed=7, **hyper)
    c = run(name, s, (-1.5, 2.0), 10, noise=1.0, seed=8, **hyper)
    clean = run(name, s, (-1.5, 2.0), 10, noise=0.0, seed=7, **hyper)
    clean2 = run(name, s, (-1.5, 2.0), 10, noise=0.0, seed=8, **hyper)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)
    assert not np.array_equal(a.points, clean.points)
    np.testing.assert_array_equal(clean.points, clean2.points)  # no noise: the seed is irrelevant


def test_sgd_noise_is_gaussian_with_the_given_std():
    # One sgd step with noise sigma: x1 = x0 - lr (g + sigma z),
    # so z = (x0 - x1)/(lr sigma) - g/sigma.
    # Across seeds z should look standard normal, per component.
    S, s = HandQuadratic(), get_surface("quadratic", condition=10.0, angle=30.0)
    start, lr, sigma = (1.0, -2.0), 0.01, 3.0
    g = np.array(S.g(start))
    z = np.array(
        [
            (np.array(start) - run("sgd", s, start, 1, lr=lr, noise=sigma, seed=k).points[1]) / (lr * sigma)
            - g / sigma
            for k in range(400)
        ]
    )
    assert np.all(np.abs(z.mean(axis=0)) < 0.25)  # 5 standard errors
    assert np.all(np.abs(z.std(axis=0) - 1.0) < 0.15)
    assert abs(np.corrcoef(z.T)[0, 1]) < 0.25


def test_optimizers_module_exports():
    assert callable(optimizers.run) and callable(optimizers.run_batch)


@pytest.mark.parametrize("name", ["newton", "gauss_newton", "lm"])
def test_noise_perturbs_only_the_gradient_of_second_order_methods(name):
    # Documented (runner.py): noise is added to g only; Newton keeps the exact H, GN and LM the
    # exact J^T J and use J^T r = g / 2. The draw of step 0 depends only on the seed, so one noisy
    # sgd step reveals it: x1 = x0 - lr (g + sigma z)  =>  z = ((x0 - x1) / lr - g) / sigma.
    S, s = HandRosenbrock(), get_surface("rosenbrock")
    x0, sigma, seed = [-1.5, 2.0], 5.0, 11
    g = S.g(x0)
    x1 = run("sgd", s, x0, 1, lr=1e-3, noise=sigma, seed=seed).points[1]
    z = [((x0[i] - x1[i]) / 1e-3 - g[i]) / sigma for i in range(2)]
    gn = [g[i] + sigma * z[i] for i in range(2)]
    if name == "newton":
        d = solve2(S.hess(x0), gn)
        expected = [x0[i] - 0.5 * d[i] for i in range(2)]
        traj = run(name, s, x0, 1, lr=0.5, noise=sigma, seed=seed)
    elif name == "gauss_newton":
        d = solve2(jtj(S.jac(x0)), [v / 2 for v in gn])
        expected = [x0[i] - 0.5 * d[i] for i in range(2)]
        traj = run(name, s, x0, 1, lr=0.5, noise=sigma, seed=seed)
    else:
        lam = 100.0
        A = jtj(S.jac(x0))
        d = solve2([[A[0][0] + lam, A[0][1]], [A[1][0], A[1][1] + lam]], [-v / 2 for v in gn])
        trial = [x0[i] + d[i] for i in range(2)]
        expected = trial if S.f(trial) < S.f(x0) else x0  # judged by the exact loss
        traj = run(name, s, x0, 1, damping=lam, noise=sigma, seed=seed)
    # z was recovered through a subtraction: allow for its rounding
    np.testing.assert_allclose(traj.points[1], expected, rtol=1e-9, atol=1e-10)


# --------------------------------------------------------------------------------------------
# Minibatch SGD on linear regression
# --------------------------------------------------------------------------------------------


def _batch_grads(s, p, size):
    """All minibatch gradients at p: {indices: (2/|B|) sum_B (w x_i + b - y_i) (x_i, 1)}."""
    from itertools import combinations

    t, target = (np.asarray(a, float) for a in s.data)
    w, b = p
    res = w * t + b - target
    per = np.stack([res * t, res], axis=1)  # (n, 2): (r_i x_i, r_i)
    return {B: 2.0 / size * per[list(B)].sum(axis=0) for B in combinations(range(len(t)), size)}


def _identify_batches(s, traj, size):
    """Which samples each iteration used, recovered from its step (sgd, no noise)."""
    used = []
    for k in range(traj.n_steps):
        g = (traj.points[k] - traj.points[k + 1]) / traj.lrs[k]
        cands = _batch_grads(s, traj.points[k], size)
        errs = {B: np.max(np.abs(gB - g)) for B, gB in cands.items()}
        best = min(errs, key=errs.get)
        assert errs[best] <= 1e-10 * (1 + np.abs(g).max()), f"step {k} matches no minibatch"
        assert sorted(errs.values())[1] > 1e-6, "ambiguous data: pick another seed"
        used.append(set(best))
    return used


def test_minibatch_of_one_visits_every_sample_once_per_epoch():
    s = get_surface("linear_regression", n_samples=8, noise=0.5, seed=1)
    n, epochs = 8, 3
    traj = run("sgd", s, (-0.5, 1.5), n * epochs, lr=0.05, batch_size=1, seed=5)
    assert traj.n_steps == n * epochs  # steps count iterations
    used = _identify_batches(s, traj, 1)
    orders = []
    for e in range(epochs):
        epoch = used[e * n : (e + 1) * n]
        assert set().union(*epoch) == set(range(n)), f"epoch {e} is not one pass over the data"
        orders.append([next(iter(B)) for B in epoch])
    assert len({tuple(o) for o in orders}) > 1, "each epoch should reshuffle"
    frame = traj.to_frame()
    np.testing.assert_array_equal(frame["epoch"].to_numpy(), np.arange(n * epochs + 1) // n)


def test_minibatch_drops_the_incomplete_batch():
    # Documented (runner.py): n // batch_size batches of exactly batch_size per epoch, so with
    # n = 8 and batch_size = 3 an epoch is 2 iterations over 6 distinct samples.
    s = get_surface("linear_regression", n_samples=8, noise=0.5, seed=2)
    traj = run("sgd", s, (-0.5, 1.5), 8, lr=0.05, batch_size=3, seed=0)
    used = _identify_batches(s, traj, 3)
    for e in range(4):
        a, b = used[2 * e], used[2 * e + 1]
        assert len(a) == len(b) == 3 and not a & b, f"epoch {e}: batches overlap"
    np.testing.assert_array_equal(traj.to_frame()["epoch"].to_numpy(), np.arange(9) // 2)


def test_minibatch_schedule_is_per_epoch():
    s = get_surface("linear_regression", n_samples=8)
    schedule = {"kind": "exponential", "decay_rate": 0.5}
    traj = run("sgd", s, (0.0, 0.0), 9, lr=0.1, batch_size=3, schedule=schedule)
    np.testing.assert_allclose(traj.lrs, [0.1 * 0.5 ** (k // 2) for k in range(9)], rtol=1e-14)


def test_minibatch_losses_and_grad_norms_are_full_data():
    s = get_surface("linear_regression", n_samples=20)
    traj = run("sgd", s, (0.0, 0.0), 12, lr=0.05, batch_size=4, seed=3)
    np.testing.assert_allclose(traj.losses, s.value(traj.points), rtol=1e-13)
    np.testing.assert_allclose(traj.grad_norms, np.linalg.norm(s.grad(traj.points), axis=-1), rtol=1e-12)


def test_full_batch_size_equals_full_batch():
    s = get_surface("linear_regression", n_samples=10)
    full = run("sgd", s, (0.0, 0.0), 15, lr=0.1)
    batched = run("sgd", s, (0.0, 0.0), 15, lr=0.1, batch_size=10, seed=4)
    np.testing.assert_allclose(batched.points, full.points, rtol=1e-12, atol=1e-14)


def test_minibatch_is_reproducible_by_seed():
    s = get_surface("linear_regression", n_samples=30)
    a = run("adam", s, (0.0, 0.0), 20, lr=0.05, batch_size=5, seed=1)
    b = run("adam", s, (0.0, 0.0), 20, lr=0.05, batch_size=5, seed=1)
    c = run("adam", s, (0.0, 0.0), 20, lr=0.05, batch_size=5, seed=2)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)


# --------------------------------------------------------------------------------------------
# Per-run hyperparameters in run_batch follow the same hand-computed rules
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_batch_with_per_run_hyperparameters_matches_hand(case):
    name, S, start, hyper = case
    hyper = {"lr": 1.0, **hyper} if name in ("newton", "gauss_newton", "lbfgs") else hyper
    scales = np.array([0.5, 1.0, 0.8])  # a different value of every hyperparameter per run
    whole = {p.name for p in OPTIMIZERS[name].hyper if p.integer}  # (L-BFGS's memory) shifted instead
    choice = {k for k, v in hyper.items() if isinstance(v, str)}  # (Adam's bias_correction) held for all
    per_run = {
        k: v if k in choice else v + np.array([0, 1, max(-1, 1 - v)]) if k in whole else v * scales
        for k, v in hyper.items()
    }
    starts = np.array([start, start, [start[0] + 0.1, start[1] - 0.1]])
    n = 3
    batch = optimizers.run_batch(name, engine_surface(S), starts, n, **per_run)
    for i in range(3):
        own = {k: v if k in choice else int(v[i]) if k in whole else float(v[i]) for k, v in per_run.items()}
        expected = HAND[name](S, list(starts[i]), n, **own)
        np.testing.assert_allclose(batch.points[:, i], expected, rtol=1e-12, atol=1e-12)


def test_lm_batch_with_per_run_damping_matches_hand():
    S = HandRosenbrock()
    damping = np.array([1e-3, 1.0, 100.0])
    starts = np.array([[-1.5, 2.0]] * 3)
    n = 6
    batch = optimizers.run_batch("lm", engine_surface(S), starts, n, damping=damping)
    for i in range(3):
        pts, lams = hand_lm(S, [-1.5, 2.0], n, float(damping[i]))
        np.testing.assert_allclose(batch.points[:, i], pts, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(batch.lambdas[:, i], lams, rtol=1e-12)


def test_lm_loss_never_increases_even_with_noise():
    # The accept test uses the exact loss, so noisy gradients only make LM reject more often.
    traj = run("lm", get_surface("rosenbrock"), (-1.5, 2.0), 200, noise=50.0, seed=3)
    assert np.all(np.diff(traj.losses) <= 0)


@pytest.mark.parametrize("surface", ["linear_regression", "curve_fit"])
def test_lm_loss_never_increases_with_minibatches(surface):
    # Issue 2: LM's "loss never increases". With batch_size, either the engine refuses
    # minibatches for LM (the lecture: second-order methods are full-batch methods), or the
    # full-data loss it records must still never rise.
    s = get_surface(surface, n_samples=20)
    try:
        traj = run("lm", s, (0.5, 0.5), 30, batch_size=5, seed=1)
    except ValueError as exc:
        assert "batch" in str(exc).lower()
        return
    rise = np.diff(traj.losses)
    assert np.all(rise <= 0), f"full-data loss rose by up to {rise.max():.3g} at step {rise.argmax()}"


# --------------------------------------------------------------------------------------------
# Stopping rules, derived by hand on f = x^2 + y^2 (quadratic with condition 1)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x0", "expected_stop"),
    [
        # sgd with lr = 1.5: x_{k+1} = x_k - 1.5 * 2 x_k = -2 x_k, so loss_k = x0^2 4^k.
        # diverged at the first k with loss_k > 1e10 * max(1, x0^2):
        (1.0, 17),  # 4^k > 1e10            -> k = 17 (4^16 = 4.3e9, 4^17 = 1.7e10)
        (3.0, 17),  # 9 * 4^k > 9e10        -> k = 17 (the limit scales with the start loss)
        (0.1, 20),  # 0.01 * 4^k > 1e10     -> 4^k > 1e12 -> k = 20 (max(1, .) floors the limit)
    ],
)
def test_divergence_step_by_hand(x0, expected_stop):
    s = get_surface("quadratic", condition=1.0, angle=0.0)
    traj = run("sgd", s, (x0, 0.0), 200, lr=1.5)
    assert traj.status == "diverged"
    assert traj.n_steps == expected_stop
    np.testing.assert_allclose(traj.points[:, 0], x0 * (-2.0) ** np.arange(expected_stop + 1), rtol=1e-15)
    assert np.all(np.isfinite(traj.points))
    assert "diverged" in traj.message and str(expected_stop) in traj.message, traj.message


@pytest.mark.parametrize(
    ("tol", "expected_stop"),
    [
        # sgd with lr = 0.25: x_{k+1} = x_k / 2 from (1, 0), so |g_k| = 2 |x_k| = 2^(1 - k).
        (1e-6, 21),  # 2^(1-k) < 1e-6 -> k > 20.93
        (1e-3, 11),  # 2^(1-k) < 1e-3 -> k > 10.97
        (0.3, 3),  # 2^(1-k) < 0.3  -> k > 2.74
    ],
)
def test_convergence_step_by_hand(tol, expected_stop):
    s = get_surface("quadratic", condition=1.0, angle=0.0)
    traj = run("sgd", s, (1.0, 0.0), 200, lr=0.25, tol=tol)
    assert traj.status == "converged"
    assert traj.n_steps == expected_stop
    np.testing.assert_allclose(traj.grad_norms, 2.0 ** (1 - np.arange(expected_stop + 1)), rtol=1e-15)
    assert str(expected_stop) in traj.message, traj.message


def test_max_steps_and_full_batch_epochs():
    s = get_surface("quadratic", condition=1.0, angle=0.0)
    traj = run("sgd", s, (1.0, 0.0), 5, lr=0.25)
    assert traj.status == "max_steps"
    assert traj.n_steps == 5 and traj.points.shape == (6, 2) and traj.lrs.shape == (5,)
    frame = traj.to_frame()
    np.testing.assert_array_equal(frame["step"].to_numpy(), np.arange(6))
    np.testing.assert_array_equal(frame["epoch"].to_numpy(), np.arange(6))  # full batch: 1 step/epoch
    np.testing.assert_allclose(frame["x"].to_numpy(), 0.5 ** np.arange(6), rtol=1e-15)


# --------------------------------------------------------------------------------------------
# Property-based: one and two steps from random points with random hyperparameters
# --------------------------------------------------------------------------------------------

HYPER_STRATEGIES = {
    "sgd": {"lr": st.floats(1e-5, 1e-3)},
    "momentum": {"lr": st.floats(1e-5, 1e-3), "momentum": st.floats(0.0, 0.99)},
    "rmsprop": {"lr": st.floats(1e-4, 0.1), "beta": st.floats(0.0, 0.999), "eps": st.floats(1e-10, 1.0)},
    "adam": {
        "lr": st.floats(1e-4, 0.1),
        "beta1": st.floats(0.0, 0.999),
        "beta2": st.floats(0.0, 0.9999),
        "eps": st.floats(1e-10, 1.0),
    },
    "nesterov": {"lr": st.floats(1e-5, 1e-3), "momentum": st.floats(0.01, 0.99)},
    "adagrad": {"lr": st.floats(1e-4, 0.5), "eps": st.floats(1e-10, 1.0)},
    "amsgrad": {
        "lr": st.floats(1e-4, 0.1),
        "beta1": st.floats(0.0, 0.999),
        "beta2": st.floats(0.0, 0.9999),
        "eps": st.floats(1e-10, 1.0),
    },
    "lbfgs": {"lr": st.floats(0.05, 2.0), "history": st.integers(1, 50)},
    "newton": {"lr": st.floats(0.05, 1.0)},
}


@pytest.mark.parametrize("name", list(HYPER_STRATEGIES))
def test_property_two_steps_on_rosenbrock(name):
    S, s = HandRosenbrock(), get_surface("rosenbrock")

    @settings(max_examples=30, deadline=None)
    @given(st.floats(-2.0, 2.0), st.floats(-1.0, 3.0), st.fixed_dictionaries(HYPER_STRATEGIES[name]))
    def check(x, y, hyper):
        g = S.g([x, y])
        assume(math.hypot(*g) > 1e-3)  # not converged at the start
        if name == "newton":
            H = S.hess([x, y])
            det = H[0][0] * H[1][1] - H[0][1] ** 2
            assume(abs(det) > 1e-3 * (H[0][0] ** 2 + H[1][1] ** 2 + 2 * H[0][1] ** 2))
        expected = HAND[name](S, [x, y], 2, **hyper)
        traj = run(name, s, (x, y), 2, tol=0.0, **hyper)
        assert traj.n_steps == 2 or traj.status == "diverged", traj.message
        scale = 1.0 + max(abs(v) for p in expected for v in p)
        k = traj.n_steps + 1
        np.testing.assert_allclose(traj.points, expected[:k], rtol=1e-11, atol=1e-11 * scale)

    check()


def _sgd_on_circle_stop(lr, tol, x0=1.0):
    """Plain-float sgd on f = x^2 + y^2 from (x0, 0): the step at which 2|x_k| < tol."""
    x, k = x0, 0
    while not 2 * abs(x) < tol:
        x, k = x - lr * (2 * x), k + 1
    return k


@pytest.mark.parametrize("target", [255, 256, 257, 300, 513])
def test_convergence_across_chunk_boundaries(target):
    # lr chosen so that |g_k| = 2 (1 - 2 lr)^k crosses tol half-way between steps target-1 and target.
    tol = 1e-6
    lr = (1 - math.exp(math.log(tol / 2) / (target - 0.5))) / 2
    assert _sgd_on_circle_stop(lr, tol) == target
    s = get_surface("quadratic", condition=1.0, angle=0.0)
    traj = run("sgd", s, (1.0, 0.0), 1000, lr=lr, tol=tol)
    assert traj.status == "converged" and traj.n_steps == target


def test_batch_rows_end_at_their_own_steps_and_hold_their_last_point():
    tol, targets = 1e-6, [100, 256, 257, 400]
    lrs = np.array([(1 - math.exp(math.log(tol / 2) / (t - 0.5))) / 2 for t in targets] + [1e-4])
    s = get_surface("quadratic", condition=1.0, angle=0.0)
    batch = optimizers.run_batch("sgd", s, np.tile([1.0, 0.0], (5, 1)), 600, lr=lrs, tol=tol)
    np.testing.assert_array_equal(batch.n_steps, [*targets, 600])
    assert list(batch.status) == ["converged"] * 4 + ["max_steps"]
    assert batch.points.shape == (601, 5, 2)
    for i, k in enumerate(targets):
        assert np.all(batch.points[k:, i] == batch.points[k, i])  # holds its last point
        x = 1.0
        for _ in range(k):
            x = x - lrs[i] * (2 * x)
        assert batch.points[k, i, 0] == pytest.approx(x, rel=1e-12)


@pytest.mark.parametrize("target", [236, 294])
def test_divergence_across_chunk_boundaries(target):
    # x_{k+1} = (1 - 2 lr) x_k with 1 - 2 lr = -q: loss_k = q^(2k) passes 1e10 between steps
    # target-1 and target when q^2 = 1e10 ** (1 / (target - 0.5)).
    q = 1e10 ** (1 / (2 * (target - 0.5)))
    lr = (1 + q) / 2
    s = get_surface("quadratic", condition=1.0, angle=0.0)
    traj = run("sgd", s, (1.0, 0.0), 1000, lr=lr)
    assert traj.status == "diverged" and traj.n_steps == target
    assert np.all(np.isfinite(traj.points))
