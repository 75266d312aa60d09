"""The custom surface (issue 13): a typed formula with exact derivatives, usable by every optimizer.

The reference for every derivative is independent of the engine: each trusted test string below
is read by sympy's own parser (never the engine's), differentiated symbolically and lambdified;
the engine's value, gradient, Hessian, residuals and Jacobian are compared with it at random
points, and separately with central differences of the engine's own value and residuals.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp

import optimizers
from surfaces import EXAMPLES, SURFACES, get_surface, parse_formula, to_latex
from surfaces.classic import Himmelblau, Rosenbrock
from surfaces.custom import CustomLeastSquares

X, Y = sp.symbols("x y", real=True)
# Our names in sympy's spelling, for reading the trusted strings below.
SYMPY_NAMES = {
    "x": X,
    "y": Y,
    "pi": sp.pi,
    "e": sp.E,
    "sin": sp.sin,
    "cos": sp.cos,
    "tan": sp.tan,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "tanh": sp.tanh,
    "sinh": sp.sinh,
    "cosh": sp.cosh,
    "atan": sp.atan,
}

# (formula, box where it is defined and smooth: x range, y range). Trusted strings, written here.
FORMULAS = [
    ("(1 - x)^2 + 100*(y - x^2)^2", (-2, 2), (-1, 3)),
    ("x^2 - y^2", (-2, 2), (-2, 2)),
    ("x^3 - 3*x*y^2", (-2, 2), (-2, 2)),
    ("(x + y)^2 + 20*(x - y)^2", (-3, 3), (-3, 3)),
    ("sin(x)*cos(y) + x*y/10", (-3, 3), (-3, 3)),
    ("exp(-(x^2 + y^2)) * (x - 2*y)", (-2, 2), (-2, 2)),
    ("log(1 + x^2 + y^2)", (-3, 3), (-3, 3)),
    ("log(x) + y^2", (0.2, 3), (-2, 2)),
    ("sqrt(x^2 + y^2 + 1)", (-3, 3), (-3, 3)),
    ("sqrt(x) * y", (0.1, 2), (-2, 2)),
    ("abs(x) + abs(y - 1)^3", (0.1, 2), (-2, 0.5)),
    ("abs(x*y - 1) + x^2", (-2, -0.1), (0.1, 2)),
    ("tan(x/2) + tanh(y)", (-2, 2), (-2, 2)),
    ("sinh(x/2)*cosh(y/3)", (-2, 2), (-2, 2)),
    ("atan(x*y) + atan(x - y)", (-2, 2), (-2, 2)),
    ("x^y", (0.2, 3), (-2, 2)),
    ("2^x + y^x", (-2, 2), (0.2, 3)),
    ("e^(x*y) - pi*x", (-1, 1), (-1, 1)),
    ("x^0.5 + y^(1/3)", (0.1, 2), (0.1, 2)),
    ("x^-2 + y**-1", (0.3, 2), (0.3, 2)),
    ("1/(1 + x^2) - y/(x^2 + 2)", (-3, 3), (-3, 3)),
    ("(x - y)/(x + y + 5)", (-2, 2), (-2, 2)),
    ("-x^2 + -(-y)^3 + +x", (-2, 2), (-2, 2)),
    ("x^4 - 2*x^2*y + y^2 + 1e-3*x", (-2, 2), (-2, 2)),
    ("cos(x^2 + y)^2 * exp(sin(x*y))", (-2, 2), (-2, 2)),
    ("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", (-5, 5), (-5, 5)),
    ("3", (-1, 1), (-1, 1)),
    ("y", (-1, 1), (-1, 1)),
    ("x - x + y*0", (-1, 1), (-1, 1)),
    ("sin(sin(sin(x + y)))^2/(2 + cos(x))", (-3, 3), (-3, 3)),
]
RESIDUALS = [
    ("1 - x; 10*(y - x^2)", (-2, 2), (-1, 3)),
    ("x^2 + y - 11; x + y^2 - 7", (-5, 5), (-5, 5)),
    ("1.5 - x + x*y; 2.25 - x + x*y^2; 2.625 - x + x*y^3", (-4.5, 4.5), (-4.5, 4.5)),
    ("sin(x) - y;", (-3, 3), (-3, 3)),
    ("exp(x) - 2; log(2 + y^2) - x*y; 3", (-1, 1), (-2, 2)),
]


def sympy_of(text: str) -> list[sp.Expr]:
    """The residuals (or the one expression) of a trusted test string, read by sympy's parser."""
    parts = [p for p in text.split(";") if p.strip()]
    return [sp.sympify(p.replace("^", "**"), locals=SYMPY_NAMES) for p in parts]


def reference(text: str):
    """Lambdified f, grad f, hess f (and residuals, Jacobian) from sympy, vectorised over (k, 2)."""
    terms = sympy_of(text)
    f = terms[0] if ";" not in text else sum(r**2 for r in terms)
    grad = [sp.diff(f, s) for s in (X, Y)]
    # d sign(u)/du is a delta at the kink; away from it (where we evaluate) it is 0
    hess = [[sp.diff(g, s).replace(sp.DiracDelta, lambda *a: 0) for s in (X, Y)] for g in grad]

    def vec(expr):
        fn = sp.lambdify((X, Y), expr, "numpy")
        return lambda P: np.broadcast_to(np.asarray(fn(P[..., 0], P[..., 1]), float), P.shape[:-1])

    gs = [vec(g) for g in grad]
    hs = [[vec(h) for h in row] for row in hess]
    out = {
        "value": vec(f),
        "grad": lambda P: np.stack([g(P) for g in gs], -1),
        "hessian": lambda P: np.stack([np.stack([h(P) for h in row], -1) for row in hs], -2),
    }
    if ";" in text:
        rs = [vec(r) for r in terms]
        js = [[vec(sp.diff(r, s)) for s in (X, Y)] for r in terms]
        out["residuals"] = lambda P: np.stack([r(P) for r in rs], -1)
        out["jacobian"] = lambda P: np.stack([np.stack([j(P) for j in row], -1) for row in js], -2)
    return out


def points(x_range, y_range, k=150, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(*x_range, k), rng.uniform(*y_range, k)], axis=-1)


def assert_close(got, expected, rtol, what):
    """|got - expected| <= rtol * (1 + max|expected| at that point), pointwise."""
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    assert got.shape == expected.shape, (what, got.shape, expected.shape)
    lead = expected.reshape(len(expected), -1)
    err = np.abs(got - expected).reshape(len(expected), -1).max(axis=1)
    bad = np.flatnonzero(err > rtol * (1.0 + np.abs(lead).max(axis=1)))
    assert bad.size == 0, (
        f"{what}: {bad.size} points off, e.g. got {got[bad[0]]!r}, want {expected[bad[0]]!r}"
    )


def central_diff(fn, P, h=1e-5):
    out = []
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        f_plus, f_minus = fn(P + e), fn(P - e)
        out.append((f_plus - f_minus) / (2 * h))
    return np.stack(out, axis=-1)


def build(text, x_range, y_range):
    return get_surface("custom", formula=text, x_range=x_range, y_range=y_range)


ALL = FORMULAS + RESIDUALS


# --------------------------------------------------------------------------------------------
# Exact derivatives
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "xr", "yr"), ALL, ids=[t for t, *_ in ALL])
def test_value_grad_hessian_match_sympy(text, xr, yr):
    s, ref = build(text, xr, yr), reference(text)
    P = points(xr, yr)
    assert_close(s.value(P), ref["value"](P), 1e-12, "value")
    assert_close(s.grad(P), ref["grad"](P), 1e-11, "grad")
    assert_close(s.hessian(P), ref["hessian"](P), 1e-11, "hessian")


@pytest.mark.parametrize(("text", "xr", "yr"), RESIDUALS, ids=[t for t, *_ in RESIDUALS])
def test_residuals_and_jacobian_match_sympy(text, xr, yr):
    s, ref = build(text, xr, yr), reference(text)
    assert isinstance(s, CustomLeastSquares) and s.has_residuals
    P = points(xr, yr, seed=1)
    assert_close(s.residuals(P), ref["residuals"](P), 1e-12, "residuals")
    assert_close(s.jacobian(P), ref["jacobian"](P), 1e-12, "jacobian")
    r, J = s.residuals(P), s.jacobian(P)
    assert_close(s.value(P), np.sum(r**2, -1), 1e-13, "value == sum r^2 (no 1/2)")
    assert_close(s.grad(P), 2 * np.einsum("...mi,...m->...i", J, r), 1e-12, "grad == 2 J^T r")
    a, h, c = np.broadcast_arrays(*s.gram_xy(P[:, 0], P[:, 1]), P[:, 0])[:3]
    assert_close(
        np.stack([a, h, c], -1), np.einsum("...mi,...mj->...ij", J, J)[:, [0, 0, 1], [0, 1, 1]], 1e-12, "gram"
    )


@pytest.mark.parametrize(("text", "xr", "yr"), ALL, ids=[t for t, *_ in ALL])
def test_derivatives_match_central_differences(text, xr, yr):
    s = build(text, xr, yr)
    # keep the difference stencil inside the box (log, sqrt and x^y need it)
    P = points((xr[0] + 1e-3, xr[1] - 1e-3), (yr[0] + 1e-3, yr[1] - 1e-3), k=80, seed=2)
    assert_close(s.grad(P), central_diff(s.value, P), 1e-6, "grad vs FD(value)")
    assert_close(s.hessian(P), central_diff(s.grad, P), 1e-6, "hessian vs FD(grad)")
    if s.has_residuals:
        assert_close(s.jacobian(P), central_diff(s.residuals, P), 1e-6, "J vs FD(r)")


def test_abs_has_derivative_sign_and_no_curvature():
    s = build("abs(x) + 2*abs(y)", (-1, 1), (-1, 1))
    P = np.array([[-0.5, 0.25], [0.5, -0.25], [0.0, 0.0]])
    np.testing.assert_array_equal(s.grad(P), [[-1.0, 2.0], [1.0, -2.0], [0.0, 0.0]])
    np.testing.assert_array_equal(s.hessian(P), np.zeros((3, 2, 2)))


@pytest.mark.parametrize(
    ("builtin", "text"),
    [(Rosenbrock(), "1 - x; 10*(y - x^2)"), (Himmelblau(), "x^2 + y - 11; x + y^2 - 7")],
    ids=["rosenbrock", "himmelblau"],
)
def test_residual_formulas_equal_the_builtin_surfaces(builtin, text):
    (xr, yr) = builtin.bounds
    s = build(text, xr, yr)
    P = points(xr, yr, k=500, seed=3)
    for method in ("value", "grad", "hessian", "residuals", "jacobian"):
        assert_close(getattr(s, method)(P), getattr(builtin, method)(P), 1e-13, method)
    for method in ("value_and_grad_xy", "hessian_xy", "gram_xy"):
        got = np.broadcast_arrays(*getattr(s, method)(P[:, 0], P[:, 1]), P[:, 0])[:-1]
        want = np.broadcast_arrays(*getattr(builtin, method)(P[:, 0], P[:, 1]), P[:, 0])[:-1]
        assert_close(np.stack(got, -1), np.stack(want, -1), 1e-13, method)


def test_numeric_faults_are_nan_or_inf_silently():
    s = build("log(x) + 1/y + exp(x*y) + sqrt(x)", (-2, 2), (-2, 2))
    P = np.array([[-1.0, 1.0], [1.0, 0.0], [30.0, 30.0], [2.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NumPy RuntimeWarning would fail here
        v, g, H = s.value(P), s.grad(P), s.hessian(P)
    assert np.isnan(v[0]) and np.isinf(v[1]) and np.isinf(v[2]) and np.isfinite(v[3])
    assert np.all(np.isfinite(g[3])) and np.all(np.isfinite(H[3]))


# --------------------------------------------------------------------------------------------
# The surface: registry, parameters, shapes
# --------------------------------------------------------------------------------------------


def test_get_surface_builds_from_a_formula_and_a_view_box():
    s = get_surface("custom", formula="x^2 + 3*y^2", x_range=(-2, 2), y_range=(-1, 3))
    assert s.name == "custom" and not s.has_residuals
    assert s.bounds == ((-2.0, 2.0), (-1.0, 3.0))
    assert s.params == {"formula": "x^2 + 3*y^2", "x_range": (-2.0, 2.0), "y_range": (-1.0, 3.0)}
    assert s.value(np.array([1.0, 1.0])) == 4.0
    assert s == get_surface("custom", formula="x^2 + 3*y^2", x_range=[-2, 2], y_range=(-1.0, 3))


def test_default_custom_surface_is_the_rosenbrock_example():
    s = get_surface("custom")
    example = EXAMPLES["rosenbrock"]
    assert (s.params["formula"], s.bounds) == (example.formula, (example.x_range, example.y_range))
    assert SURFACES["custom"].default_start == example.start
    assert SURFACES["custom"].text_input and not SURFACES["rosenbrock"].text_input


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"formula": "2x"}, ["write 2*x", "column 1"]),
        ({"formula": "x +* y"}, ["column 4"]),
        ({"formula": "os"}, ["unknown name 'os' at column 1", "allowed: x, y, pi, e, sin"]),
        ({"formula": 3.0}, ["formula must be text"]),
        ({"x_range": (2, -2)}, ["x_range", "low < high"]),
        ({"x_range": (1, 1)}, ["x_range", "low < high"]),
        ({"y_range": (0, float("nan"))}, ["y_range", "finite"]),
        ({"y_range": (0, 1e9)}, ["y_range", "1e+06"]),
        ({"x_range": (0, 1, 2)}, ["x_range", "pair"]),
        ({"x_range": "(0, 1)"}, ["x_range", "pair"]),
        ({"x_range": ("a", 1)}, ["x_range", "number"]),
        ({"formula": "x", "z_range": (0, 1)}, ["z_range", "formula", "x_range", "y_range"]),
    ],
)
def test_bad_parameters_are_explained(params, words):
    with pytest.raises(ValueError) as info:
        get_surface("custom", **params)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("text", ["x^2 + y^2", "1 - x; 10*(y - x^2)", "3", "y"])
def test_shapes_and_numpy_scalars(text):
    s = build(text, (-2, 2), (-2, 2))
    P = points((-2, 2), (-2, 2), k=12).reshape(3, 4, 2)
    assert s.value(P).shape == (3, 4) and s.grad(P).shape == (3, 4, 2)
    assert s.hessian(P).shape == (3, 4, 2, 2)
    assert np.ndim(s.value(P[0, 0])) == 0 and s.grad(P[0, 0]).shape == (2,)
    if s.has_residuals:
        assert s.residuals(P).shape == (3, 4, 2) and s.jacobian(P).shape == (3, 4, 2, 2)
    # a single run carries NumPy scalars: same numbers as the batch, and no 0-d arrays
    x, y = np.float64(P[1, 2, 0]), np.float64(P[1, 2, 1])
    for method in [s.value_and_grad_xy, s.hessian_xy]:
        single = method(x, y)
        assert not any(isinstance(v, np.ndarray) for v in single)
        batch = np.broadcast_arrays(*method(P[..., 0], P[..., 1]), P[..., 0])[:-1]
        np.testing.assert_array_equal(np.array(single, float), [b[1, 2] for b in batch])
    assert not isinstance(s.value_xy(x, y), np.ndarray)


# --------------------------------------------------------------------------------------------
# Minima: estimated by a many-start search in the view box
# --------------------------------------------------------------------------------------------


def _check_minima(s, expected):
    M = s.minima
    assert s.minima_estimated
    assert len(M) == len(expected), M
    for q in expected:
        assert np.min(np.linalg.norm(M - np.asarray(q), axis=1)) < 1e-8, (q, M)
    for m in M:
        H = s.hessian(m)
        assert np.linalg.norm(s.grad(m)) <= 1e-9 * (1 + np.abs(H).max())
        assert np.all(np.linalg.eigvalsh(H) > 0)
        assert s.value(m) == pytest.approx(s.min_value, rel=1e-12, abs=1e-14)


def test_minima_of_rosenbrock_and_the_rotated_valley():
    _check_minima(build("(1 - x)^2 + 100*(y - x^2)^2", (-2, 2), (-1, 3)), [(1.0, 1.0)])
    valley = build(EXAMPLES["rotated_valley"].formula, (-3, 3), (-3, 3))
    _check_minima(valley, [(0.0, 0.0)])
    assert valley.min_value == pytest.approx(0.0, abs=1e-20)
    lifted = build("(x - 0.5)^2 + (y + 0.25)^2 + 1", (-2, 2), (-2, 2))
    _check_minima(lifted, [(0.5, -0.25)])
    assert lifted.min_value == pytest.approx(1.0, rel=1e-14)


def test_minima_of_himmelblau_are_the_builtin_ones():
    for text in ["x^2 + y - 11; x + y^2 - 7", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2"]:
        s = build(text, (-5, 5), (-5, 5))
        _check_minima(s, Himmelblau.minima)
        assert s.min_value == pytest.approx(0.0, abs=1e-20)


def test_only_the_lowest_minima_are_listed():
    # two wells, x = -1 deeper than x = 1 (by the 0.3 x tilt)
    s = build("(x^2 - 1)^2 + 0.3*x + y^2", (-2, 2), (-1, 1))
    assert len(s.minima) == 1 and s.minima[0, 0] < 0
    assert s.min_value < s.value(np.array([1.0, 0.0]))


@pytest.mark.parametrize(
    ("text", "box"),
    [
        ("x^2 - y^2", (-2, 2)),  # saddle: unbounded below
        ("x^3 - 3*x*y^2", (-2, 2)),  # monkey saddle
        ("x + y", (-2, 2)),  # a plane: lowest at the corner
        ("(x - 5)^2 + y^2", (-2, 2)),  # the minimum lies outside the view
        ("log(x^2 + y^2)", (-2, 2)),  # -inf at the origin
    ],
)
def test_no_minimum_in_view_gives_none(text, box):
    s = build(text, box, box)
    assert s.minima.shape == (0, 2) and s.min_value is None and s.minima_estimated


@pytest.mark.parametrize(
    ("text", "lowest"),
    [
        ("(x^2 + y^2 - 1)^2", 0.0),  # the unit circle
        ("x^2", 0.0),  # the y axis
        ("sin(x)", -1.0),  # the line x = -pi/2
        ("(x - 1)^2*(y + 0.5)^2", 0.0),  # two crossing lines
    ],
)
def test_a_curve_of_minima_has_an_l_star_and_no_starred_points(text, lowest):
    # Issue 19, item 14: these said "no minimum ... no L*" while every optimizer reached L*.
    s = build(text, (-2, 2), (-2, 2))
    assert s.minimum_set == "curve" and s.minima.shape == (0, 2)
    assert s.min_value == pytest.approx(lowest, abs=1e-12)
    cx, cy = np.meshgrid(np.linspace(-2, 2, 301), np.linspace(-2, 2, 301))
    assert np.min(s.value(np.stack([cx, cy], -1))) >= s.min_value - 1e-12  # nothing lower in view
    for name in ("sgd", "momentum", "adam"):
        run = optimizers.run(name, s, (-0.5, 0.7), 400, lr=0.05)
        assert run.losses[-1] - s.min_value < 1e-3, name  # the runs reach this L*
    assert "along a curve or line" in s.minimum_words and "no L*" not in s.minimum_words


def test_a_run_stopping_on_a_curve_of_minima_is_at_a_minimum_not_a_saddle():
    # The Hessian's zero eigenvalue along the circle comes out a hair negative where Adam stops;
    # the page said "a saddle point: the curvature is negative in one direction" at L = 1e-14 = L*.
    s = build("(x^2 + y^2 - 1)^2", (-2, 2), (-1, 3))
    run = optimizers.run("adam", s, (-1.5, 2.0), 500, lr=0.05)
    assert run.status == "converged" and run.losses[-1] < 1e-12
    assert np.linalg.eigvalsh(s.hessian(run.points[-1]))[0] < 0  # the signs alone would say saddle
    assert run.ending.point == "minimum" and "(a minimum)" in run.message
    saddle = optimizers.run("newton", build("(x^2 + y^2 - 1)^2", (-2, 2), (-2, 2)), (0.1, 0.05), 50)
    assert saddle.ending.point in ("maximum", "saddle")  # the bump at the origin is no minimum


def test_a_flat_bottomed_but_isolated_minimum_is_starred():
    s = build("x^4 + y^4", (-2, 2), (-2, 2))
    assert s.minimum_set == "points" and s.min_value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(s.minima, [[0.0, 0.0]], atol=1e-2)


def test_the_minimum_words_follow_what_was_found():
    assert "no L*" in build("x^2 - y^2", (-2, 2), (-2, 2)).minimum_words
    assert "stars" in build("x^2 + y^2", (-2, 2), (-2, 2)).minimum_words


def test_builtin_surfaces_say_their_minima_are_exact():
    assert not get_surface("rosenbrock").minima_estimated


# --------------------------------------------------------------------------------------------
# Examples and LaTeX
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_examples_build_with_their_view_and_start(key):
    ex = EXAMPLES[key]
    s = build(ex.formula, ex.x_range, ex.y_range)
    (x0, x1), (y0, y1) = s.bounds
    assert x0 < ex.start[0] < x1 and y0 < ex.start[1] < y1
    assert np.isfinite(s.value(np.array(ex.start)))
    assert s.has_residuals == (";" in ex.formula)
    assert to_latex(parse_formula(ex.formula)) == s.latex()


def test_examples_cover_the_issue():
    assert {"rosenbrock", "himmelblau", "saddle", "monkey_saddle", "rotated_valley"} <= set(EXAMPLES)
    assert build(*[EXAMPLES["saddle"][i] for i in (1, 2, 3)]).min_value is None


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("x^2+1", r"x^{2} + 1"),
        ("-x^2", r"-x^{2}"),
        ("(-x)^2", r"\left(-x\right)^{2}"),
        ("x - (y - 1)", r"x - \left(y - 1\right)"),
        ("x - y - 1", r"x - y - 1"),
        ("x*-y", r"x \cdot \left(-y\right)"),
        ("2*x*y", r"2 x \cdot y"),
        ("(x + 1)*(y - 1)", r"\left(x + 1\right) \cdot \left(y - 1\right)"),
        ("x/(y + 1)^2", r"\frac{x}{\left(y + 1\right)^{2}}"),
        ("x^y^2", r"x^{y^{2}}"),
        ("(x^y)^2", r"\left(x^{y}\right)^{2}"),
        ("sqrt(x) + abs(y) + log(x)", r"\sqrt{x} + \left|y\right| + \log\left(x\right)"),
        ("atan(pi*x) + e^x", r"\arctan\left(\pi x\right) + e^{x}"),
        ("sin(x)^2", r"\sin\left(x\right)^{2}"),
        ("1e-3*x + 2.5", r"1 \times 10^{-3} x + 2.5"),
        ("1 - x; 10*(y - x^2)", r"\left(1 - x\right)^{2} + \left(10 \cdot \left(y - x^{2}\right)\right)^{2}"),
    ],
)
def test_latex_shows_how_the_formula_was_read(text, latex):
    assert to_latex(parse_formula(text)) == latex


def test_power_binds_tighter_than_unary_minus_and_is_right_associative():
    f = parse_formula("-x^2 + x^y^2")  # -(x^2) + x^(y^2)
    assert f.jet(np.float64(2.0), np.float64(3.0), order=0)[0] == -4.0 + 512.0


# --------------------------------------------------------------------------------------------
# Optimizers on the custom surface
# --------------------------------------------------------------------------------------------

LR = {"sgd": 1e-3, "momentum": 1e-3, "nesterov": 5e-4, "rmsprop": 1e-2, "adam": 5e-2, "adagrad": 0.5}
# L-BFGS's line search branches on loss comparisons, so rounding-level differences between the
# formula and the built-in grow after a few dozen steps: compare its first steps, then its ending.
SAME_STEPS = {"lbfgs": 20}


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_every_optimizer_runs_on_a_residual_formula(name):
    s = build("1 - x; 10*(y - x^2)", (-2, 2), (-1, 3))
    builtin = Rosenbrock()
    options = {"lr": LR[name]} if name in LR else {}
    path = optimizers.run(name, s, (-1.5, 2.0), 200, **options)
    same = optimizers.run(name, builtin, (-1.5, 2.0), 200, **options)
    assert path.status in ("converged", "max_steps"), path.message
    assert np.all(np.isfinite(path.points)) and path.losses[-1] < path.losses[0]
    # the same race as on the built-in Rosenbrock, to rounding
    k = SAME_STEPS.get(name, len(same.points))
    np.testing.assert_allclose(path.points[:k], same.points[:k], rtol=1e-9, atol=1e-9)
    if name in ("newton", "gauss_newton", "lm", "lbfgs"):
        assert path.status == "converged" and np.allclose(path.points[-1], (1.0, 1.0), atol=1e-6)


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_every_optimizer_on_a_plain_formula(name):
    s = build("(x - 1)^2 + 3*(y + 0.5)^2 + 0.5*x*y", (-2, 2), (-2, 2))
    info = optimizers.OPTIMIZERS[name]
    options = {"lr": 1.0 if name == "adagrad" else 0.05} if name in LR else {}
    if info.needs == "residuals":
        with pytest.raises(ValueError, match="residuals"):
            optimizers.run(name, s, (-1.5, 1.5), 100, **options)
        return
    path = optimizers.run(name, s, (-1.5, 1.5), 300, **options)
    assert path.status == "converged", path.message
    assert np.linalg.norm(path.points[-1] - s.minima[0]) < 1e-4


@pytest.mark.parametrize("text", ["1/(x - x)", "log(-x^2 - 1)", "exp(exp(1000)) + x"])
def test_a_formula_finite_nowhere_in_view_is_refused_saying_so(text):
    with pytest.raises(ValueError, match="not a finite number anywhere in the view box"):
        build(text, (-2, 2), (-2, 2))


def test_a_start_where_the_loss_is_not_finite_is_refused_with_true_advice():
    s = build("sqrt(-(x^2 + y^2))", (-2, 2), (-2, 2))  # finite at the origin only
    with pytest.raises(ValueError, match=r"not finite at the start point \(1, 1\).*pick a start where"):
        optimizers.run("sgd", s, (1.0, 1.0), 10, lr=0.1)


def test_a_nan_region_ends_a_run_as_diverged_with_a_message():
    # log(x) is NaN for x < 0: a large step from x = 0.5 lands there
    s = build("log(x) + y^2", (0.1, 3), (-2, 2))
    path = optimizers.run("sgd", s, (0.5, 1.0), 50, lr=2.0)
    assert path.status == "diverged"
    assert "inf/NaN" in path.message
    assert np.all(np.isfinite(path.points))


def test_the_minimum_search_does_bounded_work(monkeypatch):
    """Building the largest formula evaluates it a bounded number of times (steps shrink with size)."""
    from surfaces import custom
    from surfaces.formula import Formula

    calls = []
    real = Formula.jet
    monkeypatch.setattr(
        Formula, "jet", lambda self, x, y, order=2: calls.append(np.size(x)) or real(self, x, y, order)
    )
    longest = "+".join(["sin(x)*cos(y)"] * 21)
    s = build(longest, (-3, 3), (-3, 3))
    assert calls == [custom.CHECK_GRID**2]  # building checks the loss is finite somewhere in view
    # 21 sin(x) cos(y) on (-3, 3)^2: its one minimum in view is -21 at (-pi/2, 0)
    np.testing.assert_allclose(s.minima, [[-np.pi / 2, 0.0]], atol=1e-8)
    assert s.min_value == pytest.approx(-21.0, rel=1e-12)
    steps = max(custom.MIN_SEARCH_STEPS, custom.SEARCH_WORK // s.parsed.size)
    assert steps < custom.SEARCH_STEPS
    # the check grid (once), the starts, each step, the polish, the check of the candidates
    assert len(calls) <= 1 + 1 + steps + 1 + custom.POLISH_STEPS + 1
    assert max(calls) == custom.CHECK_GRID**2 and sorted(calls)[-2] == custom.SEARCH_GRID**2


def test_a_custom_surface_pickles_as_its_text():
    import pickle

    s = build("1 - x; 10*(y - x^2)", (-2, 2), (-1, 3))
    t = pickle.loads(pickle.dumps(s))
    assert t == s and type(t) is type(s)
    P = points((-2, 2), (-1, 3), k=5)
    np.testing.assert_array_equal(t.hessian(P), s.hessian(P))
