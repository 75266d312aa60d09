"""The runner: batching, endings, paths held after an end, noise, minibatches, memory-light mode."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers import OPTIMIZERS, run, run_batch
from optimizers import truncate as optimizers_truncate
from surfaces import get_surface

# One table drives the generic tests (optax's _OPTIMIZERS_UNDER_TEST): per optimizer and target,
# settings and a step budget, and whether the run must converge (gradient norm < tol) or only come
# within `near` of the minimum (RMSProp's normalised steps keep it hovering at a distance ~ lr).
CONVERGENCE = {
    "sgd": {"quadratic": ({"lr": 0.04}, 2000), "rosenbrock": ({"lr": 0.002}, 20_000)},
    "momentum": {"quadratic": ({"lr": 0.004}, 3000), "rosenbrock": ({"lr": 0.001}, 5000)},
    "rmsprop": {"quadratic": ({"lr": 0.002}, 5000, 0.01), "rosenbrock": ({"lr": 0.002}, 5000, 0.05)},
    "adam": {"quadratic": ({"lr": 0.02}, 2000), "rosenbrock": ({"lr": 0.02}, 5000)},
    "newton": {"quadratic": ({}, 5), "rosenbrock": ({}, 50)},
    "gauss_newton": {"quadratic": ({}, 5), "rosenbrock": ({}, 50)},
    "lm": {"quadratic": ({}, 50), "rosenbrock": ({}, 200)},
    "nesterov": {"quadratic": ({"lr": 0.01}, 3000), "rosenbrock": ({"lr": 0.001}, 5000)},
    # AdaGrad's steps shrink like 1/sqrt(k): the curved valley takes long, and ends close, not converged.
    "adagrad": {"quadratic": ({"lr": 0.5}, 2000), "rosenbrock": ({"lr": 0.5}, 20_000, 0.01)},
    "lbfgs": {"quadratic": ({}, 30), "rosenbrock": ({}, 100)},
    "amsgrad": {"quadratic": ({"lr": 0.02}, 2000), "rosenbrock": ({"lr": 0.05}, 5000)},
}
STARTS = np.array([[-1.5, 2.0], [0.5, -0.5], [1.8, 2.5], [-0.3, 0.2]])


def test_table_covers_every_optimizer():
    assert set(CONVERGENCE) == set(OPTIMIZERS)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("surface_name", ["quadratic", "rosenbrock"])
def test_reaches_the_minimum(name, surface_name):
    hyper, steps, *near = CONVERGENCE[name][surface_name]
    surface = get_surface(surface_name)
    path = run(name, surface, (-1.5, 2.0), steps, tol=1e-5, **hyper)
    distance = np.linalg.norm(path.points[-1] - surface.minima[0])
    if near:
        assert path.status != "diverged" and distance < near[0], path.message
    else:
        assert path.status == "converged", path.message
        assert distance < 1e-3


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_batch_rows_equal_single_runs(name):
    surface = get_surface("rosenbrock")
    hyper = CONVERGENCE[name]["rosenbrock"][0]
    batch = run_batch(name, surface, STARTS, 150, **hyper)
    assert batch.points.shape == (151, len(STARTS), 2)
    assert batch.losses.shape == (151, len(STARTS))
    for i, start in enumerate(STARTS):
        single = run(name, surface, start, 150, **hyper)
        mine = batch.trajectory(i)
        np.testing.assert_array_equal(mine.points, single.points)
        np.testing.assert_array_equal(mine.losses, single.losses)
        assert mine.status == single.status and mine.message == single.message


def test_per_run_hyperparameters_match_scalar_runs():
    surface = get_surface("quadratic", condition=20)
    lrs = np.array([0.001, 0.01, 0.04, 0.2])
    betas = np.array([0.0, 0.5, 0.9, 0.99])
    batch = run_batch("momentum", surface, np.tile([[-3.0, 2.0]], (4, 1)), 100, lr=lrs, momentum=betas)
    for i in range(4):
        single = run("momentum", surface, (-3.0, 2.0), 100, lr=lrs[i], momentum=betas[i])
        np.testing.assert_array_equal(batch.trajectory(i).points, single.points)
        np.testing.assert_array_equal(batch.lrs[:, i][: single.n_steps], single.lrs)


@settings(max_examples=25, deadline=None)
@given(
    starts=st.lists(st.tuples(st.floats(-2, 2), st.floats(-1, 3)), min_size=1, max_size=6).map(np.array),
    lr=st.floats(1e-4, 0.5),
)
def test_batch_equals_single_runs_property(starts, lr):
    surface = get_surface("rosenbrock")
    batch = run_batch("adam", surface, starts, 40, lr=lr)
    for i, start in enumerate(starts):
        np.testing.assert_array_equal(
            batch.trajectory(i).points, run("adam", surface, start, 40, lr=lr).points
        )


def test_too_large_learning_rate_diverges_with_finite_points():
    path = run("sgd", get_surface("quadratic"), (-3.5, 1.5), 500, lr=0.5)
    assert path.status == "diverged"
    assert "diverged at step" in path.message
    assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.losses))
    assert path.n_steps < 500
    assert abs(path.losses[-1]) > 1e10 * path.losses[0]  # ended at the first loss past the limit
    assert abs(path.losses[-2]) <= 1e10 * path.losses[0]


def test_overflow_stops_at_the_last_finite_point():
    # A huge rate overflows to inf within a few steps: the path ends before the overflow.
    path = run("sgd", get_surface("rosenbrock"), (-1.5, 2.0), 200, lr=1e3)
    assert path.status == "diverged"
    assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.losses))
    assert np.all(np.isfinite(path.grad_norms))


def test_unbounded_surface_is_reported_as_such():
    path = run("sgd", get_surface("saddle"), (-1.5, 0.01), 5000, lr=0.1)
    assert path.status == "diverged"
    assert "unbounded below" in path.message


def test_ended_runs_hold_their_last_point():
    surface = get_surface("quadratic")
    starts = np.array([[-3.5, 1.5], [-3.5, 1.5]])
    batch = run_batch("sgd", surface, starts, 300, lr=np.array([0.5, 0.01]))
    stop = int(batch.n_steps[0])
    assert batch.status[0] == "diverged" and stop < 300
    assert np.all(batch.points[stop:, 0] == batch.points[stop, 0])
    assert np.all(batch.losses[stop:, 0] == batch.losses[stop, 0])
    assert batch.status[1] == "max_steps" and batch.n_steps[1] == 300


def test_converged_run_stops_where_the_gradient_is_small():
    path = run("newton", get_surface("quadratic", condition=50, angle=30), (2.0, -1.0), 10)
    assert path.status == "converged" and path.n_steps == 1
    assert path.grad_norms[-1] < 1e-6 <= path.grad_norms[0]


def test_start_at_the_minimum_converges_at_step_zero():
    path = run("adam", get_surface("rosenbrock"), (1.0, 1.0), 10)
    assert path.status == "converged" and path.n_steps == 0 and len(path.lrs) == 0


@pytest.mark.parametrize("surface_name", ["rosenbrock", "beale", "himmelblau", "curve_fit"])
@pytest.mark.parametrize("scaling", ["levenberg", "marquardt"])
@pytest.mark.parametrize("damping", [1e-3, 1.0])
def test_lm_loss_never_increases_and_lambda_follows_acceptance(surface_name, scaling, damping):
    surface = get_surface(surface_name)
    (x0, x1), (y0, y1) = surface.bounds
    starts = np.random.default_rng(5).uniform((x0, y0), (x1, y1), size=(20, 2))
    batch = run_batch("lm", surface, starts, 150, scaling=scaling, damping=damping)
    for i in range(len(starts)):
        path = batch.trajectory(i)
        assert np.all(np.diff(path.losses) <= 0)
        moved = np.any(np.diff(path.points, axis=0) != 0, axis=1)
        previous = np.concatenate([[damping], path.lambdas[:-1]])
        np.testing.assert_allclose(path.lambdas[moved], np.maximum(previous[moved] * 0.1, 1e-15))
        np.testing.assert_allclose(path.lambdas[~moved], np.minimum(previous[~moved] * 10, 1e15))


def test_lm_takes_the_beale_trap_and_the_good_start():
    # From (1, 1.5) Beale's loss falls forever along its flat valley y -> 1, x -> -inf: LM follows it.
    beale = get_surface("beale")
    trapped = run("lm", beale, (1.0, 1.5), 300)
    assert trapped.status == "max_steps" and trapped.points[-1, 0] < -100
    assert abs(trapped.points[-1, 1] - 1.0) < 0.01
    found = run("lm", beale, (1.0, 1.0), 300)
    assert found.status == "converged" and np.allclose(found.points[-1], [3.0, 0.5], atol=1e-6)


def test_keep_paths_false_gives_the_same_endings():
    surface = get_surface("rosenbrock")
    rng = np.random.default_rng(1)
    starts = rng.uniform((-2, -1), (2, 3), size=(300, 2))
    lrs = np.geomspace(1e-4, 2.0, 300)
    # 700 steps span several buffers of the memory-light mode, including a partial last one.
    full = run_batch("sgd", surface, starts, 700, lr=lrs, target_loss=0.05)
    light = run_batch("sgd", surface, starts, 700, lr=lrs, target_loss=0.05, keep_paths=False)
    assert light.points.shape == (1, 300, 2)
    np.testing.assert_array_equal(light.final_points, full.final_points)
    np.testing.assert_array_equal(light.final_losses, full.final_losses)
    np.testing.assert_array_equal(light.n_steps, full.n_steps)
    np.testing.assert_array_equal(light.status, full.status)
    np.testing.assert_array_equal(light.first_hit, full.first_hit)
    assert {"diverged", "max_steps"} <= set(full.status)
    # first_hit is the first step at or below the target, before the run ended.
    for i in range(300):
        losses = full.losses[: full.n_steps[i] + 1, i]
        below = np.nonzero(losses <= 0.05)[0]
        assert full.first_hit[i] == (below[0] if below.size else -1)


def test_endings_in_later_windows_match_single_runs():
    """With 2,000 runs the ending scan looks at windows of ~32 rows. Runs that diverged, converged
    or reached the target in early windows keep computing, and must not hide (or fake) an ending
    or a hit in a later window: every run ends and hits where it does alone."""
    surface = get_surface("rosenbrock")
    starts = np.random.default_rng(5).uniform((-2, -1), (2, 3), size=(2000, 2))
    lrs = np.geomspace(1e-4, 3e-3, 2000)
    options = {"tol": 0.05, "target_loss": 0.5}
    for keep in (True, False):
        batch = run_batch("sgd", surface, starts, 300, lr=lrs, keep_paths=keep, **options)
        assert {"converged", "diverged", "max_steps"} <= set(batch.status)
        late = batch.n_steps[batch.status == "converged"]
        assert late.min() < 32 < 256 < late.max()  # endings spread over many windows
        for i in [*np.nonzero(batch.status != "max_steps")[0], *range(0, 2000, 25)]:
            alone = run_batch("sgd", surface, starts[i : i + 1], 300, lr=lrs[i], **options)
            assert (batch.n_steps[i], batch.status[i]) == (alone.n_steps[0], alone.status[0]), i
            assert batch.first_hit[i] == alone.first_hit[0], i
            np.testing.assert_array_equal(batch.final_points[i], alone.final_points[0])


def test_noise_is_seeded_and_shared_by_every_run():
    surface = get_surface("quadratic")
    a = run("sgd", surface, (-3.0, 1.0), 50, lr=0.01, noise=2.0, seed=3)
    b = run("sgd", surface, (-3.0, 1.0), 50, lr=0.01, noise=2.0, seed=3)
    c = run("sgd", surface, (-3.0, 1.0), 50, lr=0.01, noise=2.0, seed=4)
    clean = run("sgd", surface, (-3.0, 1.0), 50, lr=0.01)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.allclose(a.points, c.points)
    assert not np.allclose(a.points, clean.points)
    batch = run_batch("sgd", surface, np.array([[-3.0, 1.0], [1.0, 1.0]]), 50, lr=0.01, noise=2.0, seed=3)
    np.testing.assert_array_equal(batch.trajectory(0).points, a.points)


def test_noise_moves_sgd_by_the_drawn_vector():
    # With noise, a step is x - lr * (g + noise * xi): recover xi from two runs with different noise.
    surface = get_surface("quadratic")
    a = run("sgd", surface, (-3.0, 1.0), 1, lr=0.1, noise=1.0, seed=7)
    b = run("sgd", surface, (-3.0, 1.0), 1, lr=0.1, noise=3.0, seed=7)
    g = surface.grad(np.array([-3.0, 1.0]))
    xi = (a.points[1] - (np.array([-3.0, 1.0]) - 0.1 * g)) / -0.1
    np.testing.assert_allclose(b.points[1], np.array([-3.0, 1.0]) - 0.1 * (g + 3.0 * xi))
    # Losses and gradient norms are recorded noise-free.
    np.testing.assert_allclose(a.grad_norms[0], np.linalg.norm(g))


def test_minibatch_sgd_uses_batches_and_counts_epochs():
    surface = get_surface("linear_regression", n_samples=40, noise=0.5)
    full = run("sgd", surface, (0.0, 0.0), 30, lr=0.1)
    mini = run("sgd", surface, (0.0, 0.0), 30, lr=0.1, batch_size=10, seed=1)
    again = run("sgd", surface, (0.0, 0.0), 30, lr=0.1, batch_size=10, seed=1)
    np.testing.assert_array_equal(mini.points, again.points)
    assert not np.allclose(mini.points, full.points)
    assert list(mini.to_frame()["epoch"][:9]) == [0, 0, 0, 0, 1, 1, 1, 1, 2]  # 40 // 10 per epoch


def test_batch_size_one_visits_every_sample_once_per_epoch():
    surface = get_surface("linear_regression", n_samples=12, noise=0.5)
    lr = 0.01
    path = run("sgd", surface, (0.0, 0.0), 24, lr=lr, batch_size=1, seed=2)
    inputs, targets = surface.data
    used = []
    for k in range(24):
        w, b = path.points[k]
        # One sample's loss is (w x_i + b - y_i)^2: its gradient is 2 r_i (x_i, 1).
        r = w * inputs + b - targets
        candidates = 2 * r[:, None] * np.stack([inputs, np.ones_like(inputs)], axis=1)
        step = (path.points[k] - path.points[k + 1]) / lr
        matches = np.nonzero(np.all(np.isclose(candidates, step, rtol=1e-9, atol=1e-12), axis=1))[0]
        assert len(matches) == 1
        used.append(int(matches[0]))
    assert sorted(used[:12]) == list(range(12)) and sorted(used[12:]) == list(range(12))
    assert used[:12] != used[12:]  # each epoch reshuffles


def test_full_size_batches_give_the_full_gradient():
    surface = get_surface("linear_regression", n_samples=30)
    full = run("sgd", surface, (0.0, 0.0), 20, lr=0.1)
    whole = run("sgd", surface, (0.0, 0.0), 20, lr=0.1, batch_size=30)
    np.testing.assert_allclose(whole.points, full.points, rtol=1e-12, atol=1e-12)


def test_schedule_scales_the_rate_per_epoch():
    path = run("sgd", get_surface("quadratic"), (-3.0, 1.0), 6, lr=0.1,
               schedule={"kind": "step", "step_size": 2, "decay_rate": 0.5})  # fmt: skip
    np.testing.assert_allclose(path.lrs, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def test_to_frame_has_one_row_per_point():
    path = run("lm", get_surface("curve_fit"), (0.5, 0.5), 20)
    frame = path.to_frame()
    assert list(frame.columns) == [
        "step",
        "epoch",
        "x",
        "y",
        "loss",
        "grad_norm",
        "lr",
        "lambda",
        "damping_used",
        "accepted",
    ]
    assert len(frame) == path.n_steps + 1
    np.testing.assert_array_equal(frame[["x", "y"]].to_numpy(), path.points)
    assert np.isnan(frame["lr"].iloc[-1])


# ---- the ending and notes as data; what fits where, decided by the registry ----


def test_endings_are_data_and_the_message_words_them():
    quad = get_surface("quadratic")
    converged = run("newton", quad, (1.0, 1.0), 10)
    assert converged.ending.reason == "converged" and converged.ending.step == converged.n_steps
    assert converged.ending.value < converged.ending.limit == 1e-6
    assert converged.message.startswith(f"converged at step {converged.n_steps} (a minimum): gradient norm")
    exploded = run("sgd", quad, (1.0, 1.0), 200, lr=0.5)
    assert exploded.status == "diverged" and exploded.ending.reason == "loss_exploded"
    assert exploded.ending.value > exploded.ending.limit
    assert exploded.message == f"diverged at step {exploded.n_steps}: {exploded.ending.detail}"
    ran_out = run("sgd", quad, (1.0, 1.0), 3, lr=1e-3)
    assert ran_out.ending.reason == "max_steps" and ran_out.ending.step == 3
    assert ran_out.message.startswith("ran all 3 steps; gradient norm is still")
    below = run("sgd", get_surface("saddle"), (0.1, 0.1), 500, lr=0.5)
    assert below.ending.reason == "unbounded_below" and below.ending.value < -below.ending.limit


def test_notes_are_data_and_follow_the_registrys_curvature():
    saddle = get_surface("saddle")
    traj = run("newton", saddle, (0.5, 0.5), 5)
    assert traj.notes and all(note in traj.message for note in traj.notes)
    assert OPTIMIZERS["newton"].curvature == "hessian" and OPTIMIZERS["gauss_newton"].curvature == "gram"
    assert OPTIMIZERS["lm"].curvature is None and OPTIMIZERS["sgd"].curvature is None


def test_supports_decides_residuals_full_batch_and_the_saddle_note():
    saddle, curve = get_surface("saddle"), get_surface("curve_fit")
    for name, info in OPTIMIZERS.items():
        on_saddle, on_curve = info.supports(saddle), info.supports(curve)
        assert on_saddle.runs == (info.needs != "residuals") and on_curve.runs
        assert on_curve.full_batch == (info.needs != "grad") and not on_curve.notes
        if not on_saddle.runs:
            with pytest.raises(ValueError) as err:
                run(name, saddle, (0.5, 0.5), 5)
            assert str(err.value) == on_saddle.reason and "sum of squared residuals" in on_saddle.reason
    (note,) = OPTIMIZERS["newton"].supports(saddle).notes
    assert "saddle" in note


def test_lm_records_its_damping_through_the_registry():
    assert [n for n, info in OPTIMIZERS.items() if "lambda" in info.record_names] == ["lm"]
    traj = run("lm", get_surface("curve_fit"), (0.5, 0.5), 5)
    assert traj.lambdas is not None and len(traj.lambdas) == traj.n_steps
    assert run("newton", get_surface("curve_fit"), (0.5, 0.5), 5).lambdas is None


def test_lm_records_the_damping_it_used_and_whether_each_trial_was_accepted():
    """λ_k starts at λ_0 (the damping the first iteration used); rejections keep θ and raise λ x 10."""
    surface = get_surface("himmelblau")
    traj = run("lm", surface, (0.5, -0.5), 60, damping=1e-3, scaling="levenberg")
    used, accepted = traj.records["damping_used"], traj.records["accepted"]
    assert used[0] == pytest.approx(1e-3) and len(used) == len(accepted) == traj.n_steps
    moved = np.any(traj.points[1:] != traj.points[:-1], axis=1)
    np.testing.assert_array_equal(accepted.astype(bool), moved)
    assert (accepted == 0).sum() >= 3
    np.testing.assert_allclose(used[1:], np.where(accepted[:-1] == 1, 0.1, 10.0) * used[:-1], rtol=1e-12)
    np.testing.assert_allclose(traj.lambdas, used * np.where(accepted == 1, 0.1, 10.0), rtol=1e-12)


@pytest.mark.parametrize(
    ("surface", "start", "kind"),
    [
        ("himmelblau", (0.0, 0.0), "maximum"),
        ("himmelblau", (3.5, 1.5), "minimum"),
        ("saddle", (-1.5, 0.01), "saddle"),
    ],
)
def test_a_converged_run_says_what_kind_of_stationary_point_it_stopped_at(surface, start, kind):
    traj = run("newton", get_surface(surface), start, 50)
    assert traj.status == "converged"
    assert traj.ending.point == kind
    assert kind in traj.ending.headline


def test_a_run_that_did_not_converge_names_no_stationary_point():
    traj = run("sgd", get_surface("quadratic"), (-3.5, 1.5), 3, lr=0.01)
    assert traj.status == "max_steps" and traj.ending.point is None


# ---- truncate: a shorter run read off a longer one ----

TRUNCATE_CASES = [
    # (optimizer, surface, hyper, extra run options): endings of every kind among them
    ("sgd", "quadratic", {"lr": 0.05}, {}),
    ("sgd", "quadratic", {"lr": 1.2}, {}),  # beyond the stability limit: the loss explodes
    ("sgd", "rosenbrock", {"lr": 0.05}, {}),
    ("momentum", "rosenbrock", {"lr": 0.001}, {"noise": 0.5, "seed": 3}),
    ("rmsprop", "quadratic", {"lr": 0.05}, {"schedule": {"kind": "step", "step_size": 2, "decay_rate": 0.5}}),
    ("adam", "beale", {"lr": 0.05}, {"schedule": {"kind": "inverse_time", "decay_rate": 1.0}}),
    ("sgd", "saddle", {"lr": 0.5}, {}),  # unbounded below
    ("newton", "saddle", {}, {}),  # converges onto the saddle point, with a note on the way
    ("newton", "himmelblau", {}, {}),
    ("gauss_newton", "rosenbrock", {}, {}),
    ("lm", "curve_fit", {}, {}),  # its damping and records
    ("sgd", "linear_regression", {"lr": 0.05}, {"batch_size": 10, "seed": 7, "noise": 0.1}),
    ("nesterov", "quadratic", {"lr": 0.01}, {"schedule": {"kind": "exponential", "decay_rate": 0.9}}),
    ("adagrad", "rosenbrock", {"lr": 0.5}, {}),
    ("lbfgs", "rosenbrock", {}, {}),
    ("sgd", "rosenbrock", {"lr": 0.01}, {"start": (1e30, 1.0)}),  # the first step overflows
    ("sgd", "rosenbrock", {"lr": 0.01}, {"start": (1e70, 0.0)}),  # |g| at the start squares to inf
]


def _assert_same_run(got, expected):
    for name in ("points", "losses", "lrs", "grad_norms"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)
    if expected.lambdas is None:
        assert got.lambdas is None
    else:
        np.testing.assert_array_equal(got.lambdas, expected.lambdas)
    assert got.records.keys() == expected.records.keys()
    for name in expected.records:
        np.testing.assert_array_equal(got.records[name], expected.records[name], err_msg=name)
    # An overflow's value is NaN, which == would call different
    assert dataclasses.replace(got.ending, value=0.0) == dataclasses.replace(expected.ending, value=0.0)
    np.testing.assert_equal(got.ending.value, expected.ending.value)
    assert got.notes == expected.notes
    assert got.iters_per_epoch == expected.iters_per_epoch


@pytest.mark.parametrize("name, surface_name, hyper, options", TRUNCATE_CASES)
def test_truncate_equals_the_shorter_run(name, surface_name, hyper, options):
    surface = get_surface(surface_name)
    options = dict(options)
    start = options.pop("start", (-1.2, 1.5) if surface.data is None else (0.0, 0.0))
    longest = 120
    long = run(name, surface, start, longest, **hyper, **options)
    ends = {long.n_steps - 1, long.n_steps, long.n_steps + 1, long.ending.step}
    for steps in sorted({1, 2, 3, 7, 40, longest - 1, longest, longest + 30} | {k for k in ends if k >= 1}):
        got = optimizers_truncate(long, steps, surface)
        if got is None:  # only a run that used all its steps cannot say what comes after them
            assert long.status == "max_steps" and steps > long.n_steps
            continue
        _assert_same_run(got, run(name, surface, start, steps, **hyper, **options))


def test_truncate_covers_every_kind_of_ending():
    reasons = set()
    for name, surface_name, hyper, options in TRUNCATE_CASES:
        surface = get_surface(surface_name)
        options = dict(options)
        start = options.pop("start", (-1.2, 1.5) if surface.data is None else (0.0, 0.0))
        reasons.add(run(name, surface, start, 120, **hyper, **options).ending.reason)
    assert reasons == {"converged", "loss_exploded", "unbounded_below", "overflow", "max_steps"}


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["sgd", "momentum", "rmsprop", "adam", "nesterov", "adagrad"]),
    lr=st.floats(1e-3, 2.0),
    noise=st.sampled_from([0.0, 0.3]),
    seed=st.integers(0, 50),
    longest=st.integers(2, 80),
    data=st.data(),
)
def test_truncate_property(name, lr, noise, seed, longest, data):
    surface = get_surface("rosenbrock")
    long = run(name, surface, (-1.0, 1.0), longest, lr=lr, noise=noise, seed=seed)
    steps = data.draw(st.integers(1, longest + 20))
    got = optimizers_truncate(long, steps, surface)
    if got is None:
        assert long.status == "max_steps" and steps > long.n_steps
    else:
        _assert_same_run(got, run(name, surface, (-1.0, 1.0), steps, lr=lr, noise=noise, seed=seed))


def test_truncate_rejects_bad_steps():
    surface = get_surface("quadratic")
    long = run("sgd", surface, (1.0, 1.0), 10, lr=0.1)
    for bad in (0, -3, 2.5, "7", None, float("nan")):
        with pytest.raises(ValueError, match="steps must be a whole number"):
            optimizers_truncate(long, bad, surface)


def test_a_gradient_whose_square_overflows_is_still_finite():
    # At x = 1e70 the gradient (~4e212) is finite but its squared norm is not: the start is a
    # finite point, and the run ends when the first step overflows (before: the start counted as
    # the bad row, the run went on past infinite points and "overflowed" at its last step).
    surface = get_surface("rosenbrock")
    path = run("sgd", surface, (1e70, 0.0), 20, lr=0.01)
    assert path.ending.reason == "overflow" and path.ending.step == 0
    assert np.isfinite(path.points).all() and path.n_steps == 0
    batch = run_batch("sgd", surface, np.array([[1e70, 0.0], [-1.0, 1.0]]), 20, lr=0.001)
    assert list(batch.status) == ["diverged", "max_steps"] and list(batch.n_steps) == [0, 20]
