"""The theory overlays' maths (optimizers/theory.py), each checked against an independent derivation:
np.linalg for eigen-decompositions and solves, iteration matrices built by applying the update rule
to basis vectors, and the engine itself (optimizers.run) for the step-size limits and rates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers import OPTIMIZERS, run, second_order, theory
from optimizers.registry import LIMIT_FORMULAS
from surfaces import SURFACES, get_surface

# Valleys f = u^2 + kappa v^2: Hessian eigenvalues 2 and 2 kappa (kappa < 1 swaps which is larger).
VALLEYS = [(kappa, angle) for kappa in (0.5, 3.0, 10.0, 100.0) for angle in (0.0, 30.0, -60.0, 80.0)]
VALLEY_START = (-3.5, 1.5)  # the default start; not on an eigen-axis for these angles
LIMITED = ("sgd", "momentum", "nesterov")  # the methods with a closed-form limit


def valley(kappa: float, angle: float):
    return get_surface("quadratic", condition=kappa, angle=angle)


# ---- curvature ----


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3))
def test_eigen_matches_numpy(entries):
    a, h, c = entries
    H = np.array([[a, h], [h, c]])
    eigen = theory.hessian_eigen(H)
    np.testing.assert_allclose(eigen.values, np.linalg.eigvalsh(H)[::-1], atol=1e-9 * (1 + abs(H).max()))
    assert eigen.values[0] >= eigen.values[1]
    np.testing.assert_allclose(eigen.vectors.T @ eigen.vectors, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(
        H @ eigen.vectors, eigen.vectors * eigen.values, atol=1e-9 * (1 + abs(H).max())
    )


def test_eigen_is_vectorised_over_leading_axes():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 4, 2, 2))
    H = A + np.swapaxes(A, -1, -2)
    eigen = theory.hessian_eigen(H)
    assert eigen.values.shape == (3, 4, 2) and eigen.vectors.shape == (3, 4, 2, 2)
    np.testing.assert_allclose(eigen.values, np.linalg.eigvalsh(H)[..., ::-1], atol=1e-12)


@pytest.mark.parametrize(("kappa", "angle"), VALLEYS)
def test_valley_eigenvalues_and_condition(kappa, angle):
    point = np.array([0.7, -1.3])
    values = theory.hessian_eigen(valley(kappa, angle).hessian(point)).values
    np.testing.assert_allclose(values, sorted([2.0, 2.0 * kappa], reverse=True), rtol=1e-12)
    assert theory.condition_number(values) == pytest.approx(max(kappa, 1 / kappa), rel=1e-12)


def test_condition_number_of_singular_and_indefinite():
    assert theory.condition_number([2.0, 0.0]) == math.inf
    assert theory.condition_number([0.0, 0.0]) == math.inf
    assert theory.condition_number([3.0, -1.5]) == pytest.approx(2.0)  # ratio of |lambda|


@pytest.mark.parametrize(
    ("diagonal", "curvature", "stationary"),
    [
        ((1.0, 3.0), "positive definite", "minimum"),
        ((-1.0, 3.0), "indefinite", "saddle"),
        ((-1.0, -3.0), "negative definite", "maximum"),
        ((0.0, 3.0), "singular", "degenerate"),
        ((0.0, -3.0), "singular", "degenerate"),
        ((0.0, 0.0), "singular", "degenerate"),
        ((1e-12, 3.0), "singular", "degenerate"),
    ],
)
def test_four_kinds_on_rotated_diagonal_matrices(diagonal, curvature, stationary):
    c, s = math.cos(0.4), math.sin(0.4)
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag(diagonal) @ R.T
    assert theory.curvature_kind(H) == curvature
    assert theory.stationary_point_kind(H) == stationary


def newton_stationary_point(surface_name: str, start) -> np.ndarray:
    """Newton converges to the stationary point nearest its start, whatever its kind."""
    surface = get_surface(surface_name)
    path = run("newton", surface, start, 100, tol=1e-10)
    assert path.status == "converged", path.message
    return path.points[-1]


@pytest.mark.parametrize(
    ("surface_name", "start", "near", "kind"),
    [
        ("himmelblau", (0.0, 0.0), (-0.270845, -0.923039), "maximum"),  # issue 10 defect 4
        ("himmelblau", (0.1, 2.8), (0.086678, 2.884255), "saddle"),
        ("himmelblau", (3.3, 0.1), (3.385154, 0.073852), "saddle"),
        ("rosenbrock", (1.1, 1.2), (1.0, 1.0), "minimum"),
        ("himmelblau", (2.9, 2.1), (3.0, 2.0), "minimum"),
    ],
)
def test_stationary_points_of_the_surfaces(surface_name, start, near, kind):
    surface = get_surface(surface_name)
    point = newton_stationary_point(surface_name, start)
    np.testing.assert_allclose(point, near, atol=1e-5)
    assert np.linalg.norm(surface.grad(point)) < 1e-8
    assert theory.stationary_point_kind(surface.hessian(point)) == kind


def test_saddle_surface_origin_is_a_saddle():
    surface = get_surface("saddle")
    assert theory.stationary_point_kind(surface.hessian(np.zeros(2))) == "saddle"


def test_stationary_kinds_are_vectorised():
    H = np.stack([np.diag([1.0, 2.0]), np.diag([-1.0, 2.0]), np.diag([-1.0, -2.0]), np.zeros((2, 2))])
    kinds = theory.stationary_point_kind(H)
    assert list(kinds) == ["minimum", "saddle", "maximum", "degenerate"]


# ---- drawing geometry ----


def _quadratic_form(H, offsets):
    return np.einsum("...i,ij,...j->...", offsets, H, offsets)


@pytest.mark.parametrize("diagonal", [(4.0, 1.0), (-4.0, -1.0)])
def test_definite_model_draws_the_unit_level_ellipse(diagonal):
    c, s = math.cos(1.1), math.sin(1.1)
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag(diagonal) @ R.T
    point = np.array([0.5, -2.0])
    model = theory.local_model(H, point)
    d = model.ellipse - point
    np.testing.assert_allclose(np.abs(_quadratic_form(H, d)), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.ellipse[0], model.ellipse[-1])
    arrows = model.arrows - point
    # Each arrow is an eigenvector of H of length 1/sqrt(|lambda|): the ellipse's semi-axes.
    for arrow, lam in zip(arrows, model.eigenvalues, strict=True):
        np.testing.assert_allclose(H @ arrow, lam * arrow, atol=1e-12)
        assert np.linalg.norm(arrow) == pytest.approx(1 / math.sqrt(abs(lam)))
    assert model.asymptotes is None and model.flat_direction is None
    assert model.condition == pytest.approx(4.0)


def test_indefinite_model_draws_asymptotes_where_the_form_vanishes():
    H = np.array([[1.0, 2.0], [2.0, -3.0]])
    point = np.array([1.0, 1.0])
    model = theory.local_model(H, point, length=0.5)
    assert model.kind == "indefinite" and model.ellipse is None
    assert model.asymptotes.shape == (2, 2, 2)
    for start, end in model.asymptotes:
        np.testing.assert_allclose((start + end) / 2, point, atol=1e-12)  # through the point
        assert _quadratic_form(H, end - point) == pytest.approx(0.0, abs=1e-12)
    assert max(np.linalg.norm(model.arrows - point, axis=1)) == pytest.approx(0.5)


def test_singular_model_gives_the_flat_direction():
    H = np.array([[1.0, 2.0], [2.0, 4.0]])  # rank one
    model = theory.local_model(H, np.zeros(2))
    assert model.kind == "singular" and model.condition == math.inf
    np.testing.assert_allclose(H @ model.flat_direction, 0.0, atol=1e-12)
    assert np.linalg.norm(model.flat_direction) == pytest.approx(1.0)
    assert np.isnan(model.arrows[1]).all() and np.isfinite(model.arrows[0]).all()
    assert model.ellipse is None and model.asymptotes is None


def test_zero_hessian_draws_nothing():
    model = theory.local_model(np.zeros((2, 2)), np.zeros(2))
    assert model.kind == "singular"
    assert model.ellipse is None and model.asymptotes is None and model.flat_direction is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3), st.floats(0.01, 5.0))
def test_model_axes_equal_local_model_point_by_point(entries, length):
    a, h, c = entries
    H = np.array([[a, h], [h, c]])
    point = np.array([0.3, -1.2])
    one = theory.local_model(H, point, length=length)
    many = theory.model_axes(np.stack([H, np.eye(2)]), length=length)
    np.testing.assert_allclose(many.semi_axes[0], one.arrows - point, rtol=1e-9, atol=1e-12)
    assert theory.CURVATURE_KINDS[many.codes[0]] == one.kind
    assert many.condition[0] == pytest.approx(one.condition)
    if one.flat_direction is None:
        assert np.isnan(many.flat_direction[0]).all()
    else:
        np.testing.assert_allclose(many.flat_direction[0], one.flat_direction)


def test_model_axes_of_a_singular_and_a_zero_hessian():
    axes = theory.model_axes([[[1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]], length=1.0)
    assert list(axes.codes) == [theory.SINGULAR, theory.SINGULAR]
    flat = axes.flat_direction[0]
    np.testing.assert_allclose(np.abs(flat), [math.sqrt(0.5)] * 2)
    assert flat[0] * flat[1] < 0  # (1, -1): the direction the form [[1, 1], [1, 1]] does not see
    assert np.isnan(axes.flat_direction[1]).all() and np.isnan(axes.semi_axes[1]).all()


def test_local_model_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"hessian must be \(2, 2\)"):
        theory.local_model(np.eye(3), np.zeros(2))
    with pytest.raises(ValueError, match="point"):
        theory.local_model(np.eye(2), np.zeros(3))


# ---- step-size limits ----


def test_constant_hessian_set_is_true_to_the_surfaces():
    rng = np.random.default_rng(1)
    for name, info in SURFACES.items():
        surface = get_surface(name)
        (x0, x1), (y0, y1) = surface.bounds
        points = rng.uniform((x0, y0), (x1, y1), size=(20, 2))
        H = surface.hessian(points)
        constant = np.allclose(H, H[0], rtol=1e-12, atol=1e-12)
        assert constant == (name in theory.CONSTANT_HESSIAN), info.label
        assert theory.has_constant_hessian(surface) == constant


@pytest.mark.parametrize(("kappa", "angle"), VALLEYS)
@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_limits_on_the_valley_match_the_closed_forms(kappa, angle, beta):
    lam_max = 2.0 * max(1.0, kappa)
    surface = valley(kappa, angle)
    point = (0.3, -2.0)
    gd = theory.step_limit("sgd", surface, point)
    assert gd.lr == pytest.approx(2.0 / lam_max, rel=1e-12) and gd.exact and gd.formula == "2/λ_max"
    hb = theory.step_limit("momentum", surface, point, momentum=beta)
    assert hb.lr == pytest.approx(2.0 * (1 + beta) / lam_max, rel=1e-12)
    nag = theory.step_limit("nesterov", surface, point, momentum=beta)
    assert nag.lr == pytest.approx(2.0 * (1 + beta) / ((1 + 2 * beta) * lam_max), rel=1e-12)
    assert hb.lambda_max == pytest.approx(lam_max) and hb.lambda_min == pytest.approx(2.0 * min(1.0, kappa))


def test_limits_elsewhere_are_local():
    surface = get_surface("rosenbrock")
    limit = theory.step_limit("sgd", surface, (-1.5, 2.0))
    assert not limit.exact
    assert limit.lambda_max == pytest.approx(max(np.linalg.eigvalsh(surface.hessian(np.array([-1.5, 2.0])))))


@pytest.mark.parametrize("name", sorted((set(OPTIMIZERS) | {"adagrad", "lbfgs"}) - set(LIMIT_FORMULAS)))
def test_no_simple_limit_for_adaptive_and_second_order_methods(name):
    assert theory.lr_limit(name, 10.0, 0.9) is None
    assert theory.step_limit(name, valley(10.0, 0.0), (1.0, 1.0)) is None
    assert theory.convergence_rate(name, [2.0, 20.0], 0.01) is None


def test_limit_is_infinite_without_positive_curvature():
    assert theory.lr_limit("sgd", -2.0) == math.inf
    saddle = theory.step_limit("momentum", get_surface("saddle"), (0.0, 0.0), 0.9)
    assert saddle.lr == pytest.approx(1.9)  # along x; along y (lambda_min = -2) no lr converges
    assert saddle.lambda_min == pytest.approx(-2.0)


def test_lr_limit_broadcasts_over_momentum():
    betas = np.linspace(0.0, 0.99, 5)
    np.testing.assert_allclose(theory.lr_limit("momentum", 4.0, betas), (1 + betas) / 2)


def _engine_hyper(name: str, limit: float, beta: float) -> dict:
    return {"lr": limit} if name == "sgd" else {"lr": limit, "momentum": beta}


@pytest.mark.parametrize(("kappa", "angle"), VALLEYS)
@pytest.mark.parametrize("name", LIMITED)
def test_engine_is_stable_just_below_the_limit_and_diverges_just_above(name, kappa, angle):
    beta = 0.9
    surface = valley(kappa, angle)
    limit = theory.step_limit(name, surface, VALLEY_START, momentum=beta).lr
    below = run(name, surface, VALLEY_START, 4000, **_engine_hyper(name, 0.99 * limit, beta))
    above = run(name, surface, VALLEY_START, 4000, **_engine_hyper(name, 1.01 * limit, beta))
    assert below.status == "converged", below.message
    assert above.status == "diverged", above.message


def iteration_matrix(name: str, lam: float, lr: float, beta: float) -> np.ndarray:
    """The linear map (theta, v) -> (theta', v') of one update on f = lam/2 theta^2, built by
    applying the rule (torch.optim's form) to the basis vectors."""

    def step(theta, v):
        g = lam * theta
        if name == "sgd":
            return theta - lr * g, 0.0
        v = beta * v + g
        direction = g + beta * v if name == "nesterov" else v
        return theta - lr * direction, v

    return np.array([step(1.0, 0.0), step(0.0, 1.0)]).T


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
@pytest.mark.parametrize("lr", [0.01, 0.05, 0.09, 0.2])
@pytest.mark.parametrize("beta", [0.3, 0.9])
def test_rate_is_the_spectral_radius_of_the_iteration(name, lr, beta):
    eigenvalues = [2.0, 20.0]
    expected = max(max(abs(np.linalg.eigvals(iteration_matrix(name, lam, lr, beta)))) for lam in eigenvalues)
    assert theory.convergence_rate(name, eigenvalues, lr, beta).rho == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov"])
@pytest.mark.parametrize("beta", [0.2, 0.6, 0.95])
def test_rate_crosses_one_at_the_limit(name, beta):
    eigenvalues = [0.5, 8.0]
    limit = theory.lr_limit(name, 8.0, beta)
    assert theory.convergence_rate(name, eigenvalues, 0.999 * limit, beta).rho < 1.0
    assert theory.convergence_rate(name, eigenvalues, 1.001 * limit, beta).rho > 1.0


def test_optimal_settings_closed_forms():
    assert theory.optimal_gd_lr(2.0, 20.0) == pytest.approx(2 / 22)
    lr, beta = theory.optimal_heavy_ball(2.0, 18.0)
    assert lr == pytest.approx(4 / (math.sqrt(18) + math.sqrt(2)) ** 2)
    assert beta == pytest.approx(((3 - 1) / (3 + 1)) ** 2)  # sqrt(kappa) = 3
    with pytest.raises(ValueError, match="lambda_min"):
        theory.optimal_heavy_ball(-1.0, 2.0)


@pytest.mark.parametrize("kappa", [4.0, 25.0, 100.0])
def test_optimal_settings_minimise_the_rate(kappa):
    eigenvalues = [2.0, 2.0 * kappa]
    lr = theory.optimal_gd_lr(*eigenvalues)
    best = theory.convergence_rate("sgd", eigenvalues, lr).rho
    assert best == pytest.approx((kappa - 1) / (kappa + 1))
    for other in (0.9 * lr, 1.1 * lr):
        assert theory.convergence_rate("sgd", eigenvalues, other).rho > best
    hb_lr, hb_beta = theory.optimal_heavy_ball(*eigenvalues)
    rate = theory.convergence_rate("momentum", eigenvalues, hb_lr, hb_beta)
    assert rate.double_root
    assert rate.rho == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), rel=1e-6)
    for dlr, dbeta in ((0.95, 1.0), (1.05, 1.0), (1.0, 0.95), (1.0, 1.02)):
        assert (
            theory.convergence_rate("momentum", eigenvalues, dlr * hb_lr, dbeta * hb_beta).rho
            > rate.rho - 1e-9
        )


def _observed_rho(losses: np.ndarray, k1: int, k2: int) -> float:
    return (losses[k2] / losses[k1]) ** (1.0 / (2 * (k2 - k1)))


@pytest.mark.parametrize(
    ("name", "lr_factor", "beta"), [("sgd", 1.0, 0.0), ("sgd", 0.5, 0.0), ("momentum", 0.3, 0.3)]
)
@pytest.mark.parametrize("angle", [0.0, 35.0])
def test_predicted_rate_matches_the_engine(name, lr_factor, beta, angle):
    kappa = 20.0
    surface = valley(kappa, angle)
    eigenvalues = [2.0, 2.0 * kappa]
    lr = lr_factor * theory.optimal_gd_lr(*eigenvalues)
    path = run(name, surface, VALLEY_START, 300, tol=0.0, **_engine_hyper(name, lr, beta))
    rate = theory.convergence_rate(name, eigenvalues, lr, beta)
    assert not rate.double_root
    assert _observed_rho(path.losses, 100, 250) == pytest.approx(rate.rho, rel=2e-3)
    predicted = theory.predicted_loss_gap(path.losses[0], rate, 300)
    assert predicted.shape == (301,) and predicted[0] == path.losses[0]
    # Same slope: the ratio of observed to predicted levels off.
    ratio = path.losses[100:251] / predicted[100:251]
    assert ratio.max() / ratio.min() < 1.05


def test_optimal_heavy_ball_converges_like_k_rho_to_the_k():
    kappa = 50.0
    eigenvalues = [2.0, 2.0 * kappa]
    lr, beta = theory.optimal_heavy_ball(*eigenvalues)
    path = run("momentum", valley(kappa, 20.0), VALLEY_START, 400, tol=0.0, lr=lr, momentum=beta)
    rate = theory.convergence_rate("momentum", eigenvalues, lr, beta)
    predicted = theory.predicted_loss_gap(path.losses[0], rate, 400)
    ks = slice(20, 301)
    # The k^2 factor keeps the ratio within a constant band; without it the ratio would grow ~k^2.
    ratio = path.losses[ks] / predicted[ks]
    plain = path.losses[ks] / (path.losses[0] * rate.rho ** (2 * np.arange(400 + 1)[ks]))
    assert ratio.max() / ratio.min() < 5.0
    assert plain.max() / plain.min() > 50.0


# ---- Levenberg-Marquardt ----

LM_POINTS = [
    ("rosenbrock", (-1.5, 2.0)),
    ("beale", (2.0, 0.2)),
    ("curve_fit", (0.5, -0.5)),
    ("himmelblau", (0.0, 0.0)),
]


def _jr(surface_name: str, point):
    surface = get_surface(surface_name)
    p = np.asarray(point, dtype=float)
    return surface.jacobian(p), surface.residuals(p)


@pytest.mark.parametrize(("surface_name", "point"), LM_POINTS)
@pytest.mark.parametrize("scaling", ["levenberg", "marquardt"])
def test_lm_curve_runs_from_gauss_newton_to_the_scaled_gradient(surface_name, point, scaling):
    J, r = _jr(surface_name, point)
    gauss_newton = np.linalg.solve(J.T @ J, -J.T @ r)
    D = np.diag(np.diag(J.T @ J)) if scaling == "marquardt" else np.eye(2)
    lambdas = second_order.lm_lambda_grid(J, scaling, n=41, decades=8)
    curve = second_order.lm_step_curve(J, r, np.concatenate([[0.0], lambdas]), scaling)
    assert curve.shape == (42, 2)
    np.testing.assert_allclose(curve[0], gauss_newton, rtol=1e-9)
    # Near lambda = 0, in the D norm: |delta(lambda) - delta(0)| <= lambda / mu_min |delta(0)|, with
    # mu_min the smallest eigenvalue of D^-1/2 J^T J D^-1/2 (from (A + lambda I) z = -b, z = D^1/2 delta).
    root = np.diag(1 / np.sqrt(np.diag(D)))
    mu_min = np.linalg.eigvalsh(root @ J.T @ J @ root)[0]
    d_norm = np.sqrt(np.diag(D))
    assert np.linalg.norm(d_norm * (curve[1] - gauss_newton)) <= 1.01 * lambdas[0] / mu_min * np.linalg.norm(
        d_norm * gauss_newton
    )
    limit = -np.linalg.solve(D, J.T @ r)
    np.testing.assert_allclose(second_order.lm_gradient_limit(J, r, scaling), limit, rtol=1e-12)
    np.testing.assert_allclose(lambdas[-1] * curve[-1], limit, rtol=1e-6)
    # Each point solves its own system; the steps shrink as lambda grows (in the D norm).
    for lam, delta in zip(lambdas, curve[1:], strict=True):
        np.testing.assert_allclose(
            (J.T @ J + lam * D) @ delta, -J.T @ r, rtol=1e-9, atol=1e-9 * abs(J.T @ r).max()
        )
    norms = np.sqrt(np.einsum("ki,ij,kj->k", curve, D, curve))
    assert np.all(np.diff(norms) <= 1e-12 * norms[0])


def test_lm_curve_contains_the_engines_first_step():
    surface = get_surface("rosenbrock")
    start = (-1.5, 2.0)
    for scaling in ("levenberg", "marquardt"):
        path = run("lm", surface, start, 1, damping=0.5, scaling=scaling)
        step = path.points[1] - path.points[0]
        assert np.linalg.norm(step) > 0  # accepted
        J, r = _jr("rosenbrock", start)
        np.testing.assert_allclose(second_order.lm_step_curve(J, r, [0.5], scaling)[0], step, rtol=1e-10)


def test_lm_curve_on_a_singular_gauss_newton_system_does_not_raise():
    J = np.array([[1.0, 2.0], [2.0, 4.0]])  # rank one
    r = np.array([1.0, -1.0])
    curve = second_order.lm_step_curve(J, r, [0.0, 1.0, 1e6])
    assert np.isfinite(curve).all()


@pytest.mark.parametrize("scaling", ["levenberg", "marquardt"])
def test_lm_step_curves_at_many_points_equal_the_single_point_curve(scaling):
    surface = get_surface("curve_fit")
    points = np.random.default_rng(3).uniform(-1.0, 1.0, (6, 2))
    J, r = surface.jacobian(points), surface.residuals(points)
    many = second_order.lm_step_curves(J, r, n=20, scaling=scaling)
    given = second_order.lm_step_curves(J, r, scaling=scaling, lambdas=np.full((6, 2), [0.0, 3.0]))
    for i in range(6):
        grid = np.concatenate([[0.0], second_order.lm_lambda_grid(J[i], scaling, n=20)])
        np.testing.assert_allclose(many[i], second_order.lm_step_curve(J[i], r[i], grid, scaling), rtol=1e-10)
        np.testing.assert_allclose(
            given[i], second_order.lm_step_curve(J[i], r[i], [0.0, 3.0], scaling), rtol=1e-10
        )
    with pytest.raises(ValueError, match="lambdas must be"):
        second_order.lm_step_curves(J, r, lambdas=-np.ones((6, 1)))
    with pytest.raises(ValueError, match="jacobians must be"):
        second_order.lm_step_curves(J[0], r[0])


def test_lm_curve_rejects_bad_input():
    J, r = _jr("rosenbrock", (0.0, 0.0))
    with pytest.raises(ValueError, match="scaling"):
        second_order.lm_step_curve(J, r, [1.0], "marq")
    with pytest.raises(ValueError, match="lambdas"):
        second_order.lm_step_curve(J, r, [-1.0])
    with pytest.raises(ValueError, match="jacobian"):
        second_order.lm_step_curve(J[:, :1], r, [1.0])


def test_theory_imports_numpy_only():
    import subprocess
    import sys

    code = "import sys, optimizers.theory; print(any(m in sys.modules for m in ('streamlit', 'plotly')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
