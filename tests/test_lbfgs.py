"""L-BFGS (optimizers/quasi_newton.py) beyond the shared tables: the loss never increases, it reaches
the minima of the classic surfaces, its first step by hand, and what happens when the search fails.
(First steps against a plain-Python L-BFGS, batch == single runs and bad input are in the shared
tables of test_update_rules.py, test_runner.py and test_bad_input.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import run, run_batch
from surfaces import SURFACES, get_surface


@pytest.mark.parametrize("name", ["rosenbrock", "beale", "himmelblau"])
def test_reaches_the_minimum_from_the_default_start(name):
    surface = get_surface(name)
    path = run("lbfgs", surface, SURFACES[name].default_start, 200, tol=1e-8)
    assert path.status == "converged", path.message
    distance = np.linalg.norm(surface.minima - path.points[-1], axis=1).min()
    assert distance < 1e-6
    assert path.losses[-1] < 1e-12


@pytest.mark.parametrize("name", list(SURFACES))
@pytest.mark.parametrize(
    ("noise", "schedule"), [(0.0, None), (0.5, {"kind": "inverse_time", "decay_rate": 0.1})]
)
def test_loss_never_increases(name, noise, schedule):
    surface = get_surface(name)
    (x0, x1), (y0, y1) = surface.bounds
    starts = np.random.default_rng(3).uniform((x0, y0), (x1, y1), size=(64, 2))
    starts = starts[np.isfinite(surface.value(starts))]
    batch = run_batch("lbfgs", surface, starts, 100, tol=0.0, noise=noise, schedule=schedule, history=5)
    for i in range(len(starts)):
        losses = batch.trajectory(i).losses
        assert np.all(np.diff(losses) <= 0), (name, starts[i])


def test_first_step_by_hand():
    # Rosenbrock at (-1.5, 2): L = 2.5^2 + 100 (2 - 2.25)^2 = 12.5, g = (-155, -50), |g|_1 = 205.
    # The memory is empty: d = -g = (155, 50), t0 = min(1, 1/205) = 1/205. Trials:
    #   t = 1/205  -> (-0.7439, 2.2439), L = 288.8   rejected
    #   t = 1/410  -> (-1.1220, 2.1220), L = 79.0    rejected
    #   t = 1/820  -> (-1.3110, 2.0610), L = 17.06   rejected
    #   t = 1/1640 -> (-1.4055, 2.0305), L = 6.09 <= 12.5 - 1e-4 * 26525 / 1640   accepted
    path = run("lbfgs", get_surface("rosenbrock"), (-1.5, 2.0), 1)
    np.testing.assert_allclose(path.points[1], [-1.5 + 155 / 1640, 2 + 50 / 1640], rtol=1e-15)
    assert path.losses[1] == pytest.approx(6.0899, abs=1e-4)  # 2.40549^2 + 100 * 0.05509^2


def test_lr_scales_the_first_trial():
    # lr = 1/4 starts the search at 1/820: the fourth trial above becomes the second.
    path = run("lbfgs", get_surface("rosenbrock"), (-1.5, 2.0), 1, lr=0.25)
    np.testing.assert_allclose(path.points[1], [-1.5 + 155 / 1640, 2 + 50 / 1640], rtol=1e-15)


def test_one_step_solves_a_quadratic_along_the_gradient_and_then_uses_curvature():
    # The valley with kappa = 1 is the round bowl x^2 + y^2 (Hessian 2 I). The first step goes along
    # -g; then y = 2 s, so gamma = s^T y / y^T y = 1/2 is the exact inverse curvature and the second
    # step (t = 1 passes) lands on the minimum.
    path = run("lbfgs", get_surface("quadratic", condition=1.0), (-3.0, 1.0), 10, tol=1e-12)
    assert path.status == "converged" and path.n_steps == 2
    np.testing.assert_allclose(path.points[-1], [0.0, 0.0], atol=1e-15)
