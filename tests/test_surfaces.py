"""Surfaces against an independent derivation (issue 2).

Every surface's formula is written again here in sympy, straight from the issue text, and
differentiated symbolically; the engine's value, grad, hessian, residuals and jacobian are compared
with the lambdified result at many random points of `surface.bounds`, and separately with central
finite differences of the engine's own value and residuals. Nothing here copies a number from the
engine: data surfaces are evaluated on the engine's `data`, which is an input, not an output.

Formulas (issue 2):
    quadratic          u^2 + condition*v^2, (u, v) = (x, y) rotated so that u points at `angle` deg
    rosenbrock         (a - x)^2 + b (y - x^2)^2
    beale              (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2
    himmelblau         (x^2 + y - 11)^2 + (x + y^2 - 7)^2
    saddle             x^2 - y^2
    linear_regression  sum_i r_i^2, r_i = (w x_i + b - y_i) / sqrt(n)
    curve_fit          sum_i r_i^2, r_i = (a exp(b t_i) - y_i) / sqrt(n)
    custom             its default formula, Rosenbrock typed as text: (1 - x)^2 + 100 (y - x^2)^2
                       (tests/test_custom_surface.py checks many other formulas)
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import surfaces
from surfaces import SURFACES, get_surface

ROOT = Path(__file__).resolve().parents[1]
LEAST_SQUARES = {
    "quadratic",
    "rosenbrock",
    "beale",
    "himmelblau",
    "linear_regression",
    "curve_fit",
}
DATA_SURFACES = {"linear_regression", "curve_fit"}

X, Y = sp.symbols("x y", real=True)
XI, YI = sp.symbols("x_i y_i", real=True)  # one data sample (input, target)


# --------------------------------------------------------------------------------------------
# Independent reference: sympy formulas from the issue text
# --------------------------------------------------------------------------------------------


def _residual_exprs(name: str, p: dict) -> list[sp.Expr] | None:
    """Residuals of one surface (per sample for data surfaces), or None if it has none."""
    if name == "quadratic":
        th = sp.pi * sp.nsimplify(p["angle"]) / 180
        u = X * sp.cos(th) + Y * sp.sin(th)
        v = -X * sp.sin(th) + Y * sp.cos(th)
        return [u, sp.sqrt(sp.nsimplify(p["condition"])) * v]
    if name == "rosenbrock":
        a, b = sp.nsimplify(p["a"]), sp.nsimplify(p["b"])
        return [a - X, sp.sqrt(b) * (Y - X**2)]
    if name == "beale":
        return [
            sp.Rational(3, 2) - X + X * Y,
            sp.Rational(9, 4) - X + X * Y**2,
            sp.Rational(21, 8) - X + X * Y**3,
        ]
    if name == "himmelblau":
        return [X**2 + Y - 11, X + Y**2 - 7]
    if name in ("saddle", "custom"):
        return None
    if name == "linear_regression":
        return [X * XI + Y - YI]  # divided by sqrt(n) at evaluation
    if name == "curve_fit":
        return [X * sp.exp(Y * XI) - YI]  # divided by sqrt(n) at evaluation
    raise KeyError(f"no reference derivation for surface {name!r}: add its formula to _residual_exprs")


def _value_expr(name: str, p: dict) -> sp.Expr:
    if name == "saddle":
        return X**2 - Y**2
    if name == "custom":
        assert p["formula"] == "(1 - x)^2 + 100*(y - x^2)^2", "write the reference for this formula"
        return (1 - X) ** 2 + 100 * (Y - X**2) ** 2
    return sum(r**2 for r in _residual_exprs(name, p))


class Reference:
    """Lambdified value/grad/hessian/residuals/jacobian of one surface, vectorized over (k, 2)."""

    def __init__(self, surface):
        name, p = surface.name, dict(surface.params)
        self.data = surface.data if name in DATA_SURFACES else None
        args = (X, Y, XI, YI)
        f = _value_expr(name, p)
        grad = [sp.diff(f, s) for s in (X, Y)]
        hess = [[sp.diff(g, s) for s in (X, Y)] for g in grad]
        self._f = sp.lambdify(args, f, "numpy")
        self._g = [sp.lambdify(args, e, "numpy") for e in grad]
        self._h = [[sp.lambdify(args, e, "numpy") for e in row] for row in hess]
        res = _residual_exprs(name, p)
        if res is None:
            self._r = self._J = None
        else:
            self._r = [sp.lambdify(args, e, "numpy") for e in res]
            self._J = [[sp.lambdify(args, sp.diff(e, s), "numpy") for s in (X, Y)] for e in res]

    def _eval(self, fn, P):
        """fn summed over data samples (data surfaces: 1/n from the sqrt(n) normalisation)."""
        x, y = P[..., 0], P[..., 1]
        if self.data is None:
            return np.broadcast_to(np.asarray(fn(x, y, 0.0, 0.0), float), x.shape)
        t, target = (np.asarray(a, float) for a in self.data)
        vals = fn(x[..., None], y[..., None], t, target)
        return np.broadcast_to(vals, (*x.shape, t.size)).sum(axis=-1) / t.size

    def value(self, P):
        return self._eval(self._f, P)

    def grad(self, P):
        return np.stack([self._eval(g, P) for g in self._g], axis=-1)

    def hessian(self, P):
        return np.stack([np.stack([self._eval(h, P) for h in row], axis=-1) for row in self._h], axis=-2)

    def residuals(self, P):
        """(k, m); for data surfaces r_i = model residual / sqrt(n)."""
        x, y = P[..., 0], P[..., 1]
        if self.data is None:
            return np.stack(
                [np.broadcast_to(np.asarray(r(x, y, 0, 0), float), x.shape) for r in self._r],
                axis=-1,
            )
        t, target = (np.asarray(a, float) for a in self.data)
        (r,) = self._r
        return r(x[..., None], y[..., None], t, target) / np.sqrt(t.size)

    def jacobian(self, P):
        x, y = P[..., 0], P[..., 1]
        if self.data is None:
            rows = [
                np.stack(
                    [np.broadcast_to(np.asarray(d(x, y, 0, 0), float), x.shape) for d in row],
                    axis=-1,
                )
                for row in self._J
            ]
            return np.stack(rows, axis=-2)
        t, target = (np.asarray(a, float) for a in self.data)
        shape = (*x.shape, t.size)
        cols = [np.broadcast_to(d(x[..., None], y[..., None], t, target), shape) for d in self._J[0]]
        return np.stack(cols, axis=-1) / np.sqrt(t.size)


# --------------------------------------------------------------------------------------------
# Cases: every registered surface at its defaults, plus non-default parameters
# --------------------------------------------------------------------------------------------

EXTRA_PARAMS = {
    "quadratic": [{"condition": 50.0, "angle": 30.0}, {"condition": 3.0, "angle": 117.0}],
    "rosenbrock": [{"a": 2.0, "b": 10.0}, {"a": -0.5, "b": 1.0}],
    "linear_regression": [{"n_samples": 13, "noise": 0.3, "seed": 4}],
    "curve_fit": [{"n_samples": 11, "noise": 0.05, "seed": 9}],
}
CASES = [(name, {}) for name in SURFACES] + [
    (name, p) for name, ps in EXTRA_PARAMS.items() if name in SURFACES for p in ps
]
CASE_IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'default'}" for n, p in CASES]


@functools.cache
def _cached(name: str, items: tuple):
    s = get_surface(name, **dict(items))
    return s, Reference(s)


def make(name, params):
    return _cached(name, tuple(sorted(params.items())))


def random_points(surface, k=200, seed=0):
    (x0, x1), (y0, y1) = surface.bounds
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(x0, x1, k), rng.uniform(y0, y1, k)], axis=-1)


def assert_close(got, expected, rtol, what):
    """|got - expected| <= rtol * (1 + max|expected| at that point), pointwise."""
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    assert got.shape == expected.shape, (what, got.shape, expected.shape)
    lead = expected.reshape(expected.shape[0], -1) if expected.ndim > 1 else expected[:, None]
    scale = 1.0 + np.abs(lead).max(axis=1)
    err = np.abs(got - expected).reshape(lead.shape).max(axis=1)
    bad = np.flatnonzero(err > rtol * scale)
    assert bad.size == 0, (
        f"{what}: {bad.size} points off, first at index {bad[0]}: "
        f"got {got[bad[0]]!r}, expected {expected[bad[0]]!r}"
    )


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


def test_registry_names_in_display_order():
    assert list(SURFACES) == [
        "quadratic",
        "rosenbrock",
        "beale",
        "himmelblau",
        "saddle",
        "linear_regression",
        "curve_fit",
        "custom",
    ]


@pytest.mark.parametrize("name", list(SURFACES))
def test_registry_entry(name):
    info = SURFACES[name]
    assert info.label and isinstance(info.label, str)
    assert info.description and "\n" not in info.description.strip()
    assert info.least_squares == (name in LEAST_SQUARES)
    s = get_surface(name)
    assert s.name == name
    assert s.has_residuals == (name in LEAST_SQUARES)
    for param in info.params:
        assert s.params[param.name] == param.default
    (x0, x1), (y0, y1) = s.bounds
    assert x0 < x1 and y0 < y1
    sx, sy = info.default_start
    assert x0 <= sx <= x1 and y0 <= sy <= y1
    if name in DATA_SURFACES:
        t, target = s.data
        assert np.shape(t) == np.shape(target) == (s.params["n_samples"],)
    else:
        assert s.data is None


# --------------------------------------------------------------------------------------------
# Exact derivatives against sympy
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_value_grad_hessian_match_sympy(name, params):
    s, ref = make(name, params)
    P = random_points(s)
    assert_close(s.value(P), ref.value(P), 1e-12, "value")
    assert_close(s.grad(P), ref.grad(P), 1e-11, "grad")
    assert_close(s.hessian(P), ref.hessian(P), 1e-11, "hessian")


@pytest.mark.parametrize(("name", "params"), [c for c in CASES if c[0] in LEAST_SQUARES])
def test_residuals_and_jacobian_match_sympy(name, params):
    """Residual sign and order are conventions, so compare what the methods use: sum r^2, J^T J
    and J^T r are invariant under them. Data surfaces are compared entry by entry (the issue fixes
    their residuals as (model - target) / sqrt(n), in data order)."""
    s, ref = make(name, params)
    P = random_points(s, seed=1)
    r, J = s.residuals(P), s.jacobian(P)
    r_ref, J_ref = ref.residuals(P), ref.jacobian(P)
    assert r.shape == r_ref.shape and J.shape == J_ref.shape
    assert_close(np.sum(r**2, axis=-1), np.sum(r_ref**2, axis=-1), 1e-12, "sum r^2")
    JTJ = np.einsum("...mi,...mj->...ij", J, J)
    JTJ_ref = np.einsum("...mi,...mj->...ij", J_ref, J_ref)
    assert_close(JTJ, JTJ_ref, 1e-11, "J^T J")
    JTr = np.einsum("...mi,...m->...i", J, r)
    JTr_ref = np.einsum("...mi,...m->...i", J_ref, r_ref)
    assert_close(JTr, JTr_ref, 1e-11, "J^T r")
    if name in DATA_SURFACES:
        assert_close(r, r_ref, 1e-12, "residuals")
        assert_close(J, J_ref, 1e-12, "jacobian")


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_hypothesis_points(name, params):
    s, ref = make(name, params)
    (x0, x1), (y0, y1) = s.bounds

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.floats(x0, x1), st.floats(y0, y1))
    def check(x, y):
        P = np.array([[x, y]])
        assert_close(s.value(P), ref.value(P), 1e-12, "value")
        assert_close(s.grad(P), ref.grad(P), 1e-11, "grad")
        assert_close(s.hessian(P), ref.hessian(P), 1e-11, "hessian")

    check()


# --------------------------------------------------------------------------------------------
# Central finite differences of the engine's own value / grad / residuals (self-consistency)
# --------------------------------------------------------------------------------------------


def central_diff(fn, P, h):
    """d fn / d(x, y) by central differences with per-point step h; returns (..., *out, 2)."""
    out = []
    for i in range(2):
        e = np.zeros(2)
        e[i] = 1.0
        f_plus, f_minus = fn(P + h[..., None] * e), fn(P - h[..., None] * e)
        hh = h.reshape(h.shape + (1,) * (f_plus.ndim - h.ndim))
        out.append((f_plus - f_minus) / (2 * hh))
    return np.stack(out, axis=-1)


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_derivatives_match_central_differences(name, params):
    s, _ = make(name, params)
    P = random_points(s, k=100, seed=2)
    h = 1e-5 * np.maximum(1.0, np.abs(P).max(axis=-1))
    assert_close(s.grad(P), central_diff(s.value, P, h), 1e-6, "grad vs FD(value)")
    assert_close(s.hessian(P), central_diff(s.grad, P, h), 1e-6, "hessian vs FD(grad)")
    if s.has_residuals:
        assert_close(s.jacobian(P), central_diff(s.residuals, P, h), 1e-6, "J vs FD(r)")


# --------------------------------------------------------------------------------------------
# Least-squares identities
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "params"), [c for c in CASES if c[0] in LEAST_SQUARES])
def test_least_squares_identities(name, params):
    s, _ = make(name, params)
    P = random_points(s, seed=3)
    r, J = s.residuals(P), s.jacobian(P)
    assert_close(s.value(P), np.sum(r**2, axis=-1), 1e-13, "value == sum r^2 (no 1/2)")
    assert_close(s.grad(P), 2 * np.einsum("...mi,...m->...i", J, r), 1e-12, "grad == 2 J^T r")


@pytest.mark.parametrize(("name", "params"), [c for c in CASES if c[0] in LEAST_SQUARES])
def test_gram_matches_sympy_jacobian(name, params):
    """Gauss-Newton and LM solve with gram_xy; J^T J does not depend on residual sign or order."""
    s, ref = make(name, params)
    P = random_points(s, seed=7)
    J_ref = ref.jacobian(P)
    a, h, c = np.broadcast_arrays(*s.gram_xy(P[:, 0], P[:, 1]), P[:, 0])[:3]
    assert_close(
        np.stack([a, h, c], -1),
        np.einsum("...mi,...mj->...ij", J_ref, J_ref)[:, [0, 0, 1], [0, 1, 1]],
        1e-11,
        "gram",
    )


@pytest.mark.parametrize("name", list(SURFACES))
def test_coordinate_methods_on_numpy_scalars(name):
    """A single run carries NumPy scalars: they must give the same numbers as arrays, as scalars."""
    s = get_surface(name)
    P = random_points(s, k=5, seed=8)
    methods = [s.value_and_grad_xy, s.hessian_xy] + ([s.gram_xy] if s.has_residuals else [])
    for method in methods:
        batch = np.broadcast_arrays(*method(P[:, 0], P[:, 1]), P[:, 0])[:3]
        for i, (x, y) in enumerate(P):
            single = method(np.float64(x), np.float64(y))
            assert not any(isinstance(v, np.ndarray) for v in single), "0-d arrays slow the engine"
            np.testing.assert_array_equal(np.array(single, dtype=float), [v[i] for v in batch])


def test_hessian_is_true_hessian_not_gauss_newton():
    # Rosenbrock (a=1, b=100) at (0, 1): r = (1 - x, 10 (y - x^2)).
    # True H = [[2 - 400 (y - x^2) + 1200 x^2 - ... ]]: by hand, f_xx = 2 - 400 y + 1200 x^2 = -398,
    # f_xy = -400 x = 0, f_yy = 200. Gauss-Newton 2 J^T J with J = [[-1, 0], [-20 x, 10]]
    # = [[2, 0], [0, 200]]: they differ by 400 in the xx entry (the nonlinear residual's curvature).
    s = get_surface("rosenbrock")
    P = np.array([0.0, 1.0])
    np.testing.assert_allclose(s.hessian(P), [[-398.0, 0.0], [0.0, 200.0]], rtol=1e-14)
    J = s.jacobian(P)
    np.testing.assert_allclose(2 * J.T @ J, [[2.0, 0.0], [0.0, 200.0]], rtol=1e-14)


@pytest.mark.parametrize("name", ["quadratic", "linear_regression"])
def test_hessian_equals_gauss_newton_for_linear_residuals(name):
    s = get_surface(name)
    P = random_points(s, k=20, seed=4)
    J = s.jacobian(P)
    assert_close(s.hessian(P), 2 * np.einsum("...mi,...mj->...ij", J, J), 1e-12, "H == 2 J^T J")


# --------------------------------------------------------------------------------------------
# Minima
# --------------------------------------------------------------------------------------------


def _newton_polish(ref, p, iters=50):
    p = np.array(p, float)
    for _ in range(iters):
        p = p - np.linalg.solve(ref.hessian(p[None])[0], ref.grad(p[None])[0])
    return p


EXPECTED_MINIMA = {
    # From the formulas: quadratic -> origin; rosenbrock -> (a, a^2); beale -> (3, 1/2);
    # himmelblau -> (3, 2) plus three irrational minima (polished below with Newton on sympy).
    "quadratic": lambda p: [(0.0, 0.0)],
    "rosenbrock": lambda p: [(p["a"], p["a"] ** 2)],
    "beale": lambda p: [(3.0, 0.5)],
    "himmelblau": lambda p: [(3.0, 2.0), (-2.8051, 3.1313), (-3.7793, -3.2832), (3.5844, -1.8481)],
}


@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_minima(name, params):
    s, ref = make(name, params)
    M = np.asarray(s.minima, float)
    if name == "saddle":
        assert M.reshape(-1, 2).shape[0] == 0, "x^2 - y^2 has no minimum"
        return
    assert M.ndim == 2 and M.shape[1] == 2 and len(M) >= 1
    # stationary, at the stated minimum value, and a strict local minimum
    for m in M:
        g = s.grad(m)
        assert np.linalg.norm(g) <= 1e-9 * (1 + np.abs(s.hessian(m)).max()), (m, g)
        assert s.value(m) == pytest.approx(s.min_value, rel=1e-12, abs=1e-14)
        assert np.all(np.linalg.eigvalsh(ref.hessian(m[None])[0]) > 0), m
    # agrees with the known minimizers of the formula
    if name in EXPECTED_MINIMA:
        expected = np.array([_newton_polish(ref, q) for q in EXPECTED_MINIMA[name](s.params)])
        assert len(M) == len(expected)
        for q in expected:
            assert np.min(np.linalg.norm(M - q, axis=1)) < 1e-9, (q, M)
        assert s.min_value == pytest.approx(0.0, abs=1e-20)
    # the default view shows the minima
    (x0, x1), (y0, y1) = s.bounds
    assert np.all((M[:, 0] > x0) & (M[:, 0] < x1) & (M[:, 1] > y0) & (M[:, 1] < y1)), (M, s.bounds)
    # min_value is the global minimum over the default view
    g1 = np.linspace(*s.bounds[0], 121)
    g2 = np.linspace(*s.bounds[1], 121)
    grid = np.stack(np.meshgrid(g1, g2), axis=-1)
    assert np.min(s.value(grid)) >= s.min_value - 1e-12 * (1 + abs(s.min_value))


def test_linear_regression_minimum_is_least_squares_solution():
    for params in [{}, *EXTRA_PARAMS["linear_regression"]]:
        s = get_surface("linear_regression", **params)
        t, target = (np.asarray(a, float) for a in s.data)
        A = np.stack([t, np.ones_like(t)], axis=1)
        sol = np.linalg.lstsq(A, target, rcond=None)[0]
        np.testing.assert_allclose(np.asarray(s.minima).reshape(-1, 2)[0], sol, atol=1e-10)
        mse = np.mean((A @ sol - target) ** 2)
        assert s.min_value == pytest.approx(mse, rel=1e-10)
        assert s.value(sol) == pytest.approx(mse, rel=1e-12)


def test_rosenbrock_minimum_value_is_zero():
    s = get_surface("rosenbrock", a=2.0, b=10.0)
    assert s.value(np.array([2.0, 4.0])) == 0.0


# --------------------------------------------------------------------------------------------
# Vectorization
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(SURFACES))
def test_shapes(name):
    s = get_surface(name)
    P = random_points(s, k=12, seed=5).reshape(3, 4, 2)
    assert s.value(P).shape == (3, 4)
    assert s.grad(P).shape == (3, 4, 2)
    assert s.hessian(P).shape == (3, 4, 2, 2)
    p = P[1, 2]
    assert np.ndim(s.value(p)) == 0
    assert s.grad(p).shape == (2,)
    assert s.hessian(p).shape == (2, 2)
    # batched == pointwise
    assert float(s.value(p)) == pytest.approx(float(s.value(P)[1, 2]), rel=1e-15)
    np.testing.assert_allclose(s.grad(p), s.grad(P)[1, 2], rtol=1e-15)
    np.testing.assert_allclose(s.hessian(p), s.hessian(P)[1, 2], rtol=1e-15)
    # lists and ints are accepted as points
    assert float(s.value([1, 1])) == pytest.approx(float(s.value(np.array([1.0, 1.0]))))
    if s.has_residuals:
        m = s.residuals(p).shape[-1]
        assert m >= 2
        assert s.residuals(P).shape == (3, 4, m)
        assert s.jacobian(P).shape == (3, 4, m, 2)
        assert s.residuals(p).shape == (m,)
        assert s.jacobian(p).shape == (m, 2)
        np.testing.assert_allclose(s.jacobian(p), s.jacobian(P)[1, 2], rtol=1e-15)


@pytest.mark.parametrize("name", list(SURFACES))
def test_does_not_mutate_input(name):
    s = get_surface(name)
    P = random_points(s, k=6, seed=6)
    before = P.copy()
    s.value(P), s.grad(P), s.hessian(P)
    if s.has_residuals:
        s.residuals(P), s.jacobian(P)
    np.testing.assert_array_equal(P, before)


# --------------------------------------------------------------------------------------------
# Data surfaces
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(DATA_SURFACES))
def test_data_reproducible_by_seed(name):
    a = get_surface(name, seed=3)
    b = get_surface(name, seed=3)
    c = get_surface(name, seed=4)
    for u, v in zip(a.data, b.data, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.data[1], c.data[1]), "a different seed must give different data"
    n = get_surface(name, n_samples=17).data
    assert len(n[0]) == 17 and len(n[1]) == 17
    quiet = get_surface(name, noise=0.0)
    loud = get_surface(name, noise=0.5)
    assert not np.array_equal(quiet.data[1], loud.data[1])


@pytest.mark.parametrize("name", sorted(DATA_SURFACES))
def test_noise_free_data_fit_exactly(name):
    # With noise 0 the targets lie on the model, so the minimum of the MSE is exactly 0.
    s = get_surface(name, noise=0.0)
    assert s.min_value == pytest.approx(0.0, abs=1e-16)
    m = np.asarray(s.minima).reshape(-1, 2)[0]
    np.testing.assert_allclose(s.residuals(m), 0.0, atol=1e-9)


@pytest.mark.parametrize("name", sorted(DATA_SURFACES))
def test_predict(name):
    s = get_surface(name)
    t = np.linspace(-1.0, 2.0, 5)
    P = np.array([[0.5, -0.25], [2.0, 0.3]])
    expected = P[:, :1] * t + P[:, 1:] if name == "linear_regression" else P[:, :1] * np.exp(P[:, 1:] * t)
    np.testing.assert_allclose(s.predict(P, t), expected, rtol=1e-14)
    # residuals are (model - target) / sqrt(n) on the surface's own data
    inputs, targets = s.data
    np.testing.assert_allclose(
        s.residuals(P), (s.predict(P, inputs) - targets) / np.sqrt(len(inputs)), rtol=1e-12
    )


# --------------------------------------------------------------------------------------------
# Bad parameters
# --------------------------------------------------------------------------------------------


def _raises_with(call, *words):
    with pytest.raises(ValueError) as info:
        call()
    msg = str(info.value).lower()
    for w in words:
        pattern = rf"(?<![a-z0-9_]){re.escape(str(w).lower())}(?![a-z0-9_])"
        assert re.search(pattern, msg), f"message {msg!r} should mention {w!r}"
    return msg


def test_unknown_surface_lists_valid_names():
    _raises_with(lambda: get_surface("rosenbrok"), "rosenbrok", *SURFACES)


def test_unknown_parameter_lists_valid_ones():
    _raises_with(lambda: get_surface("rosenbrock", c=3.0), "c", "a", "b")
    _raises_with(lambda: get_surface("quadratic", angel=3.0), "angel", "condition", "angle")
    _raises_with(lambda: get_surface("saddle", a=1.0), "a")


BAD_VALUES = [
    ("quadratic", "condition", 0.0),
    ("quadratic", "condition", -5.0),
    ("quadratic", "condition", float("nan")),
    ("quadratic", "angle", float("inf")),
    ("rosenbrock", "b", float("nan")),
    ("rosenbrock", "a", float("-inf")),
    ("rosenbrock", "b", -1.0),
    ("rosenbrock", "a", "one"),
    ("linear_regression", "n_samples", 0),
    ("linear_regression", "n_samples", -4),
    ("linear_regression", "noise", -0.1),
    ("linear_regression", "noise", float("nan")),
    ("curve_fit", "n_samples", 0),
    ("curve_fit", "noise", float("inf")),
    ("curve_fit", "seed", -1),
    ("curve_fit", "seed", 1.5),
    ("linear_regression", "n_samples", 2.5),
    ("linear_regression", "n_samples", "ten"),
]


# An "allowed" phrase: a comparison, an interval or a word for one.
ALLOWED = re.compile(r"(>|<|≥|≤|\bin [\[(]|between|at least|at most|positive|non-negative|whole)")


@pytest.mark.parametrize(("name", "param", "value"), BAD_VALUES)
def test_bad_parameter_values(name, param, value):
    msg = _raises_with(lambda: get_surface(name, **{param: value}), param)
    # the message states what is allowed, not only that something is wrong
    if isinstance(value, str) or not np.isfinite(value):
        assert "finite" in msg or "number" in msg, msg
    else:
        assert ALLOWED.search(msg), msg


def test_surface_param_specs_validate():
    for name, info in SURFACES.items():
        for param in info.params:
            assert param.validate(param.default) == param.default, (name, param.name)


# --------------------------------------------------------------------------------------------
# The backend stays UI-free
# --------------------------------------------------------------------------------------------


def test_engine_imports_without_streamlit_or_plotly():
    code = (
        "import sys, surfaces, optimizers\n"
        "from optimizers import schedules\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly', 'sympy'))\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_public_names():
    assert callable(surfaces.get_surface)


# Data sets (within the sliders' ranges: n 5..500, noise 0..0.5, seed 0..99) whose exponential
# fit is ill-posed: the loss keeps falling toward a -> inf, b -> -inf (a spike on the first
# sample), so no minimizer exists; plus ordinary ones.
CURVE_FIT_DATA = [
    {"n_samples": 5, "noise": 0.5, "seed": 21},
    {"n_samples": 5, "noise": 0.5, "seed": 41},
    {"n_samples": 5, "noise": 0.5, "seed": 62},
    {"n_samples": 5, "noise": 0.5, "seed": 99},
    {"n_samples": 6, "noise": 0.2, "seed": 62},
    # a genuine local minimum near (4951, -8.9), but the global one lies near b = -69.7
    {"n_samples": 5, "noise": 0.2, "seed": 99},
    {"n_samples": 5, "noise": 0.2, "seed": 18},
    {"n_samples": 40, "noise": 0.05, "seed": 0},
    {"n_samples": 200, "noise": 0.5, "seed": 7},
]


@pytest.mark.parametrize("params", CURVE_FIT_DATA, ids=lambda p: "-".join(map(str, p.values())))
def profile_infimum(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """inf over (a, b) of mean((a exp(b t) - y)^2), by variable projection.

    For fixed b the best a is linear least squares, so the loss minimised over a is
    P(b) = (y.y - (e.y)^2 / (e.e)) / n with e = exp(b t); (e.y)^2/(e.e) does not change when e is
    scaled, so e = exp(b (t - t_ref)) never overflows. P is scanned over b in +-[1e-3, 1e4] and 0,
    plus its limits b -> -inf / +inf (fitting only the earliest / latest sample).
    Returns (infimum, the b where it was found; +-inf for a limit)."""
    n = t.size
    b = np.concatenate([-np.logspace(-3, 4, 4000)[::-1], [0.0], np.logspace(-3, 4, 4000)])
    ref = np.where(b < 0, t.min(), t.max())
    e = np.exp(b[:, None] * (t - ref[:, None]))
    P = (y @ y - (e @ y) ** 2 / np.einsum("ij,ij->i", e, e)) / n
    k = int(np.argmin(P))
    candidates = [
        (float(P[k]), float(b[k])),
        ((y @ y - y[np.argmin(t)] ** 2) / n, -np.inf),
        ((y @ y - y[np.argmax(t)] ** 2) / n, np.inf),
    ]
    return min(candidates)


def test_profile_infimum_reference():
    # noise-free data on y = 2 exp(-1.5 t): the infimum is 0, at b = -1.5 (to the scan's spacing)
    t = np.linspace(0.1, 2.0, 9)
    low, b = profile_infimum(t, 2.0 * np.exp(-1.5 * t))
    assert low == pytest.approx(0.0, abs=1e-6) and b == pytest.approx(-1.5, rel=1e-2)


@pytest.mark.parametrize("params", CURVE_FIT_DATA, ids=lambda p: "-".join(map(str, p.values())))
def test_curve_fit_minimum_is_real(params):
    """Every listed minimum is a stationary point with a positive definite Hessian, and min_value
    is the global minimum: no lower than the infimum of the loss (found independently by variable
    projection over b far beyond the view, where a exp(b t) can fit a spike on one sample)."""
    s = get_surface("curve_fit", **params)
    M = np.asarray(s.minima, float).reshape(-1, 2)
    for m in M:
        H = s.hessian(m)
        assert np.linalg.norm(s.grad(m)) <= 1e-8 * (1 + np.abs(H).max()), (m, s.grad(m))
        assert np.all(np.linalg.eigvalsh(H) > 0), (m, H)
    if s.min_value is None:
        assert len(M) == 0
        return
    t, y = (np.asarray(v, float) for v in s.data)
    low, b = profile_infimum(t, y)
    assert s.min_value <= low + 1e-9 * (1 + abs(low)), (
        f"min_value {s.min_value} is not the minimum: the loss reaches {low} near b = {b}"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"n_samples": 5, "noise": 100.0, "seed": 3},
        {"n_samples": 3, "noise": 1000.0, "seed": 3},
        {"n_samples": 10, "noise": 1000.0, "seed": 0},
        {"n_samples": 2, "noise": 3.0, "seed": 2},
    ],
    ids=lambda p: "-".join(map(str, p.values())),
)
def test_curve_fit_valid_extreme_parameters_build(params):
    # Valid parameters (inside the allowed ranges, outside the sliders) must build a surface,
    # not crash while fitting its reference minimum.
    s = get_surface("curve_fit", **params)
    assert np.isfinite(s.value(np.array(SURFACES["curve_fit"].default_start)))
    for m in np.asarray(s.minima, float).reshape(-1, 2):
        assert np.all(np.isfinite(m))
