"""L-BFGS (optimizers/quasi_newton.py) beyond the shared tables: the loss never increases, it reaches
the minima of the classic surfaces, its first step by hand, and what happens when the search fails.
(First steps against a plain-Python L-BFGS, batch == single runs and bad input are in the shared
tables of test_update_rules.py, test_runner.py and test_bad_input.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import run, run_batch
from optimizers.quasi_newton import MAX_HALVINGS, line_search_trials
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
    records = path.records
    assert records["loss_evals"][0] == 4 and records["memory_reset"][0] == 0
    assert records["t0"][0] == 1 / 205 and records["t"][0] == 1 / 1640
    np.testing.assert_array_equal([records["d_x"][0], records["d_y"][0]], [155.0, 50.0])


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


def test_records_replay_the_line_search():
    surface = get_surface("beale")
    path = run("lbfgs", surface, SURFACES["beale"].default_start, 40, tol=1e-10)
    r = path.records
    assert all(len(values) == path.n_steps for values in r.values())
    frame = path.to_frame()
    assert {"d_x", "d_y", "t0", "t", "loss_evals", "memory_reset"} <= set(frame.columns)
    for k in range(path.n_steps):
        assert 1 <= r["loss_evals"][k] <= MAX_HALVINGS + 1
        trials = line_search_trials(
            path.points[k], (r["d_x"][k], r["d_y"][k]), r["t0"][k], r["loss_evals"][k]
        )
        losses = surface.value(trials)
        # Every trial but the last failed Armijo; the last is the next point (none was reset here).
        assert r["memory_reset"][k] == 0
        np.testing.assert_array_equal(trials[-1], path.points[k + 1])
        assert r["t"][k] == r["t0"][k] * 0.5 ** (r["loss_evals"][k] - 1)
        slope = surface.grad(path.points[k]) @ [r["d_x"][k], r["d_y"][k]]
        tried = r["t0"][k] * 0.5 ** np.arange(len(losses))
        assert np.all(losses[:-1] > path.losses[k] + 1e-4 * tried[:-1] * slope)
        assert losses[-1] <= path.losses[k] + 1e-4 * tried[-1] * slope
    assert r["loss_evals"].sum() >= path.n_steps


def test_failed_search_stays_put_clears_the_memory_and_says_so():
    # At Rosenbrock's minimum with gradient noise, the direction -g (the memory is empty) is the
    # noise alone: every trial raises the loss above 0 > L + 1e-4 t g^T d, so all 31 trials fail.
    # Each iteration stays put, clears its memory and records it; the next one starts afresh
    # from t0 = min(1, 1/|g|_1) lr, with d = -g.
    lr = 0.5
    path = run("lbfgs", get_surface("rosenbrock"), (1.0, 1.0), 5, tol=0.0, noise=1.0, lr=lr)
    r = path.records
    np.testing.assert_array_equal(r["memory_reset"], 1)
    np.testing.assert_array_equal(r["t"], 0)
    np.testing.assert_array_equal(r["loss_evals"], MAX_HALVINGS + 1)
    np.testing.assert_array_equal(path.points, [[1.0, 1.0]] * 6)
    np.testing.assert_array_equal(r["t0"], lr * np.minimum(1.0, 1.0 / (np.abs(r["d_x"]) + np.abs(r["d_y"]))))


def test_after_a_failure_the_search_goes_on():
    # Two runs: at the minimum every search fails (as above), far from it the other run's searches
    # pass; sharing a batch, the failures reset only the first run's memory.
    starts = np.array([[1.0, 1.0], [-1.5, 2.0]])
    batch = run_batch("lbfgs", get_surface("rosenbrock"), starts, 60, tol=0.0, noise=1e-3, keep_records=True)
    assert np.all(batch.records["memory_reset"][:, 0] == 1)
    assert np.all(batch.records["memory_reset"][:30, 1] == 0)  # (near the minimum, noise wins too)
    moving = batch.trajectory(1)
    assert moving.losses[-1] < 1e-3 * moving.losses[0]
    assert np.all(np.diff(moving.losses) <= 0)


def test_batch_records_equal_single_runs():
    surface = get_surface("himmelblau")
    starts = np.array([[0.0, 0.0], [-4.0, 4.0], [1.0, -3.0]])
    batch = run_batch("lbfgs", surface, starts, 30, history=np.array([1, 5, 10]), keep_records=True)
    for i, start in enumerate(starts):
        single = run("lbfgs", surface, start, 30, history=[1, 5, 10][i])
        mine = batch.trajectory(i)
        assert mine.records.keys() == single.records.keys()
        for name in single.records:
            np.testing.assert_array_equal(mine.records[name], single.records[name])


def test_lbfgs_refuses_minibatches_and_keeps_no_records_without_paths():
    surface = get_surface("linear_regression", n_samples=20)
    with pytest.raises(ValueError, match="full-batch"):
        run("lbfgs", surface, (0.5, 0.5), 10, batch_size=5)
    batch = run_batch("lbfgs", surface, np.zeros((2, 2)), 10, keep_paths=False)
    assert batch.records == {}


def test_schedule_scales_the_first_trial_of_every_step():
    schedule = {"kind": "exponential", "decay_rate": 0.8}
    path = run("lbfgs", get_surface("rosenbrock"), (-1.5, 2.0), 20, lr=1.5, schedule=schedule)
    lrs = 1.5 * 0.8 ** np.arange(path.n_steps)
    np.testing.assert_allclose(path.lrs, lrs, rtol=1e-14)
    assert path.records["t0"][0] == pytest.approx(lrs[0] / 205, rel=1e-15)  # min(1, 1/|g|_1) lr, first
    assert not path.records["memory_reset"].any()
    np.testing.assert_allclose(path.records["t0"][1:], lrs[1:], rtol=1e-14)
