"""training.train and training.train_batch: the explorer's rules on models, exact solutions, stacks.

The trainer must step with the registry's own rules (one source of truth): a two-parameter model
(a degree-1 polynomial on the linear_regression surface's data) retraces optimizers.run's path step
for step, and a spy on the registry's factory sees both engines call it.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from optimizers import OPTIMIZERS, Rule, run
from surfaces.regression import LinearRegression
from training import kfold_indices, make_dataset, make_model, split_indices, train, train_batch

FIRST_ORDER = ["sgd", "momentum", "rmsprop", "adam"]
EXPLORER_HYPER = {
    "sgd": {"lr": 0.05},
    "momentum": {"lr": 0.02, "momentum": 0.8},
    "rmsprop": {"lr": 0.02, "beta": 0.8, "eps": 1e-6},
    "adam": {"lr": 0.1, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6},
}


def _ridge_solution(model, X, y):
    """Closed form: least squares on the augmented system [V / sqrt(n); sqrt(l2) [0 | I]]."""
    n, d = len(X), model.degree
    V = X[:, 0, None] ** np.arange(d + 1)
    A = np.concatenate([V / np.sqrt(n), np.sqrt(model.l2) * np.eye(d + 1)[1:]])
    b = np.concatenate([y / np.sqrt(n), np.zeros(d)])
    return np.linalg.lstsq(A, b, rcond=None)[0]


@pytest.fixture(scope="module")
def sine():
    X, y = make_dataset("sine", 80, 0.2, 0)
    train_idx, val_idx, _ = split_indices(80, (0.6, 0.2, 0.2), 0)
    return X[train_idx], y[train_idx], X[val_idx], y[val_idx]


# ---- exact solutions ----


@pytest.mark.parametrize(
    "optimizer, hyper", [("momentum", {"lr": 0.3, "momentum": 0.9}), ("adam", {"lr": 0.02})]
)
@pytest.mark.parametrize("degree, l2", [(3, 0.01), (6, 0.001)])
def test_polynomial_ridge_trained_to_convergence_is_the_closed_form(sine, optimizer, hyper, degree, l2):
    X, y, Xv, yv = sine
    model = make_model("polynomial", degree=degree, l2=l2)
    epochs = 6000 if optimizer == "momentum" else 20000
    history = train(model, X, y, Xv, yv, optimizer, epochs, **hyper)
    np.testing.assert_allclose(history.theta, _ridge_solution(model, X, y), atol=1e-6)


@pytest.mark.parametrize("degree, l2", [(1, 0.0), (4, 0.01), (9, 1e-4), (15, 1e-3)])
def test_newton_and_gauss_newton_land_on_the_ridge_solution_in_one_step(sine, degree, l2):
    X, y, Xv, yv = sine
    model = make_model("polynomial", degree=degree, l2=l2)
    solution = _ridge_solution(model, X, y)
    for optimizer in ("newton", "gauss_newton"):
        history = train(model, X, y, Xv, yv, optimizer, 1)
        np.testing.assert_allclose(history.theta, solution, rtol=1e-8, atol=1e-9)
        assert history.epochs == 1 and history.iters_per_epoch == 1
    lm = train(model, X, y, Xv, yv, "lm", 40, damping=1.0)
    np.testing.assert_allclose(lm.theta, solution, rtol=1e-6, atol=1e-7)
    assert np.all(np.diff(lm.train_loss + 0 * lm.val_loss) <= 1e-12)  # LM only accepts descents


def test_newton_on_the_ill_conditioned_degree_15_reaches_the_least_squares_loss(sine):
    """Without ridge, monomials to x^15 give a Hessian with condition number ~1e11; Newton's one
    step still reaches the least-squares loss (the coefficients themselves are ill-determined)."""
    X, y, Xv, yv = sine
    model = make_model("polynomial", degree=15, l2=0.0)
    assert np.linalg.cond(model.hessian(np.zeros(16), X, y)) > 1e9
    best = np.mean((model.features(X) @ _ridge_solution(model, X, y) - y) ** 2)
    history = train(model, X, y, Xv, yv, "newton", 1)
    assert history.train_loss[1] == pytest.approx(best, rel=1e-8)
    adam = train(model, X, y, Xv, yv, "adam", 300, lr=0.05)
    assert adam.train_loss[-1] > 1.05 * best  # first-order methods crawl on it


# ---- the explorer's rules ----


@pytest.mark.parametrize("batch_size", [None, 7])
@pytest.mark.parametrize("name", FIRST_ORDER)
def test_trainer_retraces_the_explorer_step_for_step(name, batch_size):
    surface = LinearRegression(n_samples=40, noise=0.5, seed=3)
    X, y = surface.inputs[:, None], surface.targets
    start = (0.5, 1.5)  # (w, b); the polynomial's theta is (c_0, c_1) = (b, w)
    schedule = {"kind": "inverse_time", "decay_rate": 0.3}
    epochs = 12
    per_epoch = 1 if batch_size is None else len(X) // batch_size
    path = run(
        name,
        surface,
        start,
        epochs * per_epoch,
        schedule=schedule,
        batch_size=batch_size,
        seed=5,
        tol=0.0,
        **EXPLORER_HYPER[name],
    )
    model = make_model("polynomial", degree=1, l2=0.0)
    history = train(
        model,
        X,
        y,
        X,
        y,
        name,
        epochs,
        batch_size,
        seed=5,
        schedule=schedule,
        theta0=start[::-1],
        **EXPLORER_HYPER[name],
    )
    assert history.iters_per_epoch == per_epoch
    np.testing.assert_allclose(history.thetas[:, ::-1], path.points[::per_epoch], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history.train_loss, path.losses[::per_epoch], rtol=1e-12)
    np.testing.assert_allclose(history.lrs, path.lrs[::per_epoch], rtol=1e-15)
    if batch_size is None:  # the minibatch is the whole set: the iteration losses are the path's
        np.testing.assert_allclose(history.iter_losses, path.losses[:-1], rtol=1e-12)


def test_newton_on_the_trainer_matches_the_explorer():
    surface = LinearRegression(n_samples=30, seed=1)
    X, y = surface.inputs[:, None], surface.targets
    path = run("newton", surface, (0.0, 0.0), 1, tol=0.0)
    history = train(make_model("polynomial", degree=1), X, y, X, y, "newton", 1, theta0=(0.0, 0.0))
    np.testing.assert_allclose(history.theta[::-1], path.points[-1], rtol=1e-10)
    np.testing.assert_allclose(history.theta[::-1], surface.minima[0], rtol=1e-10)


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_trainer_and_explorer_call_the_same_rule_function(name, monkeypatch):
    """A spy in place of the registry's factory sees the explorer step on NumPy scalars and the
    trainer on its (1, P) parameter stack, through the same `step`."""
    info = OPTIMIZERS[name]
    calls = []

    def spy_factory(**hyper):
        rule = info.factory(**hyper)

        def step(theta, g, state, lr):
            calls.append(np.shape(theta))
            return rule.step(theta, g, state, lr)

        return Rule(rule.init, step)

    monkeypatch.setitem(OPTIMIZERS, name, dataclasses.replace(info, factory=spy_factory))
    surface = LinearRegression(n_samples=20, seed=0)
    X, y = surface.inputs[:, None], surface.targets
    run(name, surface, (0.0, 0.0), 5, tol=0.0, **EXPLORER_HYPER[name])
    assert calls == [()] * 10  # x and y of each of 5 steps
    calls.clear()
    train(make_model("polynomial", degree=3), X, y, X, y, name, 4, batch_size=5, **EXPLORER_HYPER[name])
    assert calls == [(1, 4)] * (4 * 4)


# ---- the batched trainer ----


def _row_settings(B, rng):
    return {
        "lr": rng.uniform(0.005, 0.05, B),
        "l2": rng.uniform(0.0, 0.01, B),
        "beta1": rng.uniform(0.5, 0.95, B),
    }


@pytest.mark.parametrize(
    "model_params, data, n, k, batch_size",
    [
        ({"hidden": (6, 5), "activation": "relu", "task": "classification"}, "moons", 120, 4, 16),
        ({"hidden": (5,), "activation": "tanh", "task": "regression"}, "sine", 103, 5, None),  # folds 82/83
        ({"hidden": (4, 4, 3), "activation": "tanh", "task": "classification"}, "xor", 90, 3, 10),
    ],
)
def test_batched_row_equals_the_single_trainer(model_params, data, n, k, batch_size):
    model = make_model("mlp", l2=0.0, **model_params)
    X, y = make_dataset(data, n, 0.1, 2)
    folds = kfold_indices(n, k, seed=0)
    splits = folds * 2  # two settings x k folds
    B = len(splits)
    rng = np.random.default_rng(0)
    settings = _row_settings(B, rng)
    seeds = np.repeat([3, 4], k)
    batch = train_batch(model, X, y, splits, "adam", 6, batch_size, seeds=seeds, eps=1e-7, **settings)
    assert batch.theta.shape == (B, model.n_params) and batch.train_loss.shape == (B, 7)
    for b in range(B):
        row_model = dataclasses.replace(model, l2=float(settings["l2"][b]))
        tr, va = splits[b]
        single = train(
            row_model,
            X[tr],
            y[tr],
            X[va],
            y[va],
            "adam",
            6,
            batch_size,
            seed=int(seeds[b]),
            lr=float(settings["lr"][b]),
            beta1=float(settings["beta1"][b]),
            eps=1e-7,
        )
        row = batch.row(b)
        for field in ("iter_losses", "train_loss", "val_loss", "train_acc", "val_acc", "thetas", "lrs"):
            a, s = getattr(row, field), getattr(single, field)
            if s is None:
                assert a is None
            else:
                np.testing.assert_allclose(a, s, rtol=1e-9, atol=1e-12, err_msg=field)


def test_float32_batch_follows_float64():
    model = make_model("mlp", hidden=(16, 16), task="classification", l2=1e-4)
    X, y = make_dataset("moons", 200, 0.2, 0)
    splits = kfold_indices(200, 5, 0)
    kw = {"lr": np.array([0.01, 0.02, 0.01, 0.02, 0.01])}
    f64 = train_batch(model, X, y, splits, "adam", 20, 20, **kw)
    f32 = train_batch(model, X, y, splits, "adam", 20, 20, dtype=np.float32, keep_thetas=False, **kw)
    assert f32.theta.dtype == np.float32 and f32.thetas is None
    np.testing.assert_allclose(f32.val_loss, f64.val_loss, rtol=2e-3, atol=1e-4)
    with pytest.raises(ValueError, match="keep_thetas=True"):
        f32.row(0)


# ---- what a History holds ----


def test_history_records_epochs_as_the_lecture_counts_them():
    model = make_model("mlp", hidden=(8,), task="classification", l2=1e-3)
    X, y = make_dataset("circles", 150, 0.05, 1, label_noise=0.1)
    tr, va, _ = split_indices(150, (0.6, 0.2, 0.2), 1)
    schedule = {"kind": "step", "step_size": 3, "decay_rate": 0.5}
    h = train(
        model, X[tr], y[tr], X[va], y[va], "momentum", 8, batch_size=16, seed=2, schedule=schedule, lr=0.1
    )
    assert h.iters_per_epoch == 90 // 16 and h.iter_losses.shape == (8 * 5,)
    np.testing.assert_array_equal(h.thetas[0], model.init(2))  # epoch 0 is theta0 = init(seed)
    np.testing.assert_allclose(h.lrs, 0.1 * 0.5 ** (np.arange(8) // 3))
    for e in (0, 4, 8):
        assert h.train_loss[e] == pytest.approx(model.data_loss(h.thetas[e], X[tr], y[tr]), rel=1e-12)
        assert h.val_loss[e] == pytest.approx(model.data_loss(h.thetas[e], X[va], y[va]), rel=1e-12)
        p = model.predict(h.thetas[e], X[va])
        assert h.val_acc[e] == pytest.approx(np.mean((p > 0.5) == (y[va] == 1)))
    assert h.best_epoch == int(np.argmin(h.val_loss))
    assert h.train_loss[-1] < h.train_loss[0] and h.diverged_epoch is None
    np.testing.assert_array_equal(h.theta, h.thetas[-1])


def test_each_epoch_reshuffles():
    """Full-batch SGD and one-batch-per-epoch SGD (batch_size = n) see the same data; batch_size
    n - 1 drops one sample per epoch, a different one each epoch, so the runs part."""
    model = make_model("polynomial", degree=2)
    X, y = make_dataset("cubic", 20, 0.3, 0)
    full = train(model, X, y, X, y, "sgd", 5, None, lr=0.1)
    whole = train(model, X, y, X, y, "sgd", 5, 20, lr=0.1)
    np.testing.assert_allclose(whole.thetas, full.thetas, rtol=1e-12)
    a = train(model, X, y, X, y, "sgd", 5, 19, seed=0, lr=0.1)
    b = train(model, X, y, X, y, "sgd", 5, 19, seed=1, lr=0.1)
    assert not np.allclose(a.thetas[1:], b.thetas[1:])
    np.testing.assert_array_equal(a.thetas, train(model, X, y, X, y, "sgd", 5, 19, seed=0, lr=0.1).thetas)


def test_a_diverging_run_is_recorded_not_raised():
    model = make_model("polynomial", degree=8)
    X, y = make_dataset("sine", 40, 0.1, 0)
    h = train(model, X, y, X, y, "sgd", 60, lr=50.0)
    assert h.diverged_epoch is not None and h.diverged_epoch > 0
    assert np.isfinite(h.train_loss[: h.diverged_epoch]).all()


def test_training_imports_neither_streamlit_nor_plotly():
    code = "import sys, training; print('streamlit' in sys.modules or 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- bad input ----

_MLP = make_model("mlp", hidden=(4,), task="classification")
_POLY = make_model("polynomial", degree=3)
_XC, _YC = make_dataset("moons", 40, 0.1, 0)
_XR, _YR = make_dataset("sine", 40, 0.1, 0)


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: train("mlp", _XC, _YC, _XC, _YC, "adam", 5), "model must be built by training.make_model"),
        (lambda: train(_MLP, _XR, _YR, _XR, _YR, "adam", 5), "X_train must have shape (n, 2)"),
        (lambda: train(_MLP, _XC, _YC[:-1], _XC, _YC, "adam", 5), "y_train must have shape (40,)"),
        (lambda: train(_MLP, _XC, _YC + 0.5, _XC, _YC, "adam", 5), "class labels 0 and 1"),
        (lambda: train(_POLY, _XR * np.nan, _YR, _XR, _YR, "adam", 5), "finite numbers"),
        (
            lambda: train(_POLY, _XR, _YR, _XR[:0], _YR[:0], "adam", 5),
            "X_val must have shape (n, 1) with n >= 1",
        ),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "adamw", 5), "valid: sgd, momentum"),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 0), "epochs must be a whole number from 1"),
        (
            lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 5, batch_size=41),
            "batch_size must be a whole number",
        ),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 5, lr=-1), "lr must be > 0"),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 5, beta1=1.0), "beta1 must be in [0, 1)"),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 5, momentum=0.9), "unknown hyperparameter"),
        (
            lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 5, schedule={"kind": "cosine"}),
            "unknown schedule",
        ),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 5, theta0=np.zeros(3)), "theta0 must be finite"),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "adam", 5, seed=-1), "seed must be a whole number"),
        (lambda: train(_MLP, _XC, _YC, _XC, _YC, "newton", 1), "only the polynomial model"),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "lm", 3, batch_size=8), "full-batch method"),
        (lambda: train(_POLY, _XR, _YR, _XR, _YR, "newton", 3, beta1=0.9), "unknown hyperparameter"),
        (lambda: train_batch(_POLY, _XR, _YR, [], "adam", 3), "non-empty list"),
        (lambda: train_batch(_POLY, _XR, _YR, [([0, 1], [50])], "adam", 3), "index arrays into range(40)"),
        (lambda: train_batch(_POLY, _XR, _YR, [([0, 0, 1], [5])], "adam", 3), "none twice"),
        (lambda: train_batch(_POLY, _XR, _YR, [([0.5], [1])], "adam", 3), "index arrays"),
        (
            lambda: train_batch(_POLY, _XR, _YR, kfold_indices(40, 4, 0), "adam", 3, lr=[0.1, 0.2]),
            "4 numbers",
        ),
        (
            lambda: train_batch(_POLY, _XR, _YR, kfold_indices(40, 4, 0), "adam", 3, seeds=[1, 2]),
            "seeds must be",
        ),
        (lambda: train_batch(_POLY, _XR, _YR, kfold_indices(40, 4, 0), "newton", 3), "use train()"),
        (
            lambda: train_batch(_POLY, _XR, _YR, kfold_indices(40, 4, 0), "adam", 3, dtype=np.int32),
            "dtype must be",
        ),
        (
            lambda: train_batch(_POLY, _XR, _YR, kfold_indices(40, 4, 0), "adam", 3, l2=[0.1, -1, 0, 0]),
            "l2 must",
        ),
        (
            lambda: train_batch(_MLP, _XC, _YC, [(np.arange(30), [35])] * 2000, "adam", 10_000),
            "too much to keep",
        ),
        (
            lambda: train_batch(
                _POLY, _XR, _YR, [(np.arange(10), [30]), (np.arange(20), [31])], "adam", 3, 6
            ),
            "different numbers of minibatches",
        ),
    ],
)
def test_bad_input_says_what_is_allowed(call, words):
    with pytest.raises(ValueError) as err:
        call()
    assert words in str(err.value)


# ---- the n-dimensional second-order forms (optimizers/second_order.py) ----


def test_solve_sym_is_the_pseudo_inverse_and_never_raises_on_a_singular_matrix():
    from optimizers.second_order import solve_sym

    rng = np.random.default_rng(0)
    A = rng.normal(size=(5, 5))
    A = A @ A.T
    b = rng.normal(size=5)
    np.testing.assert_allclose(solve_sym(A, b), np.linalg.solve(A, b), rtol=1e-10)
    singular = np.diag([2.0, 1.0, 0.0])  # no step along the flat direction
    np.testing.assert_allclose(solve_sym(singular, np.array([2.0, 3.0, 5.0])), [1.0, 3.0, 0.0])
    np.testing.assert_allclose(solve_sym(np.zeros((3, 3)), np.ones(3)), np.zeros(3))


def test_lm_nd_rejects_a_step_that_does_not_lower_the_loss():
    from optimizers.second_order import lm_nd

    theta, J = np.array([1.0, -1.0]), np.eye(2)
    g = 2 * J.T @ theta  # loss sum(theta^2) with residuals r = theta
    same, lam, accepted = lm_nd(theta, 2.0, g, J, lambda t: np.inf, 1e-3, "levenberg")
    assert not accepted and lam == pytest.approx(1e-2)
    np.testing.assert_array_equal(same, theta)
    moved, lam, accepted = lm_nd(theta, 2.0, g, J, lambda t: float(t @ t), 1.0, "marquardt")
    assert accepted and lam == pytest.approx(0.1)
    np.testing.assert_allclose(moved, theta / 2)  # (1 + lam) d = -theta with lam = 1


def test_grid_rows_cross_settings_splits_and_seeds_in_c_order():
    from training import grid_rows

    folds = kfold_indices(30, 3, 0)
    rows = grid_rows({"lr": [0.1, 0.2], "l2": [0.0, 1e-3, 1e-2]}, folds, seeds=(4, 5))
    assert rows.shape == (2, 3, 3, 2) and len(rows.splits) == 36
    lr = rows.hyper["lr"].reshape(rows.shape)
    l2 = rows.hyper["l2"].reshape(rows.shape)
    seeds = rows.seeds.reshape(rows.shape)
    assert np.all(lr[1] == 0.2) and np.all(l2[:, 2] == 1e-2) and np.all(seeds[..., 1] == 5)
    fold_of_row = np.array([next(i for i, f in enumerate(folds) if f is s) for s in rows.splits]).reshape(
        rows.shape
    )
    assert np.all(fold_of_row[:, :, 2] == 2)
    model = make_model("polynomial", degree=2)
    X, y = make_dataset("sine", 30, 0.1, 0)
    batch = train_batch(model, X, y, rows.splits, "sgd", 3, seeds=rows.seeds, **rows.hyper)
    b = int(np.ravel_multi_index((1, 1, 2, 1), rows.shape))  # lr 0.2, l2 1e-3, fold 2, seed 5
    assert (lr.ravel()[b], l2.ravel()[b], fold_of_row.ravel()[b], seeds.ravel()[b]) == (0.2, 1e-3, 2, 5)
    tr, va = folds[2]
    single = train(dataclasses.replace(model, l2=1e-3), X[tr], y[tr], X[va], y[va], "sgd", 3, seed=5, lr=0.2)
    np.testing.assert_allclose(batch.val_loss[b], single.val_loss, rtol=1e-10)
    with pytest.raises(ValueError, match="at least one value"):
        grid_rows({"lr": []}, folds)


def test_float32_rows_step_in_float32_through_the_rule(monkeypatch):
    """lr and l2 per row and a schedule must not widen the rule's arithmetic to float64."""
    info = OPTIMIZERS["adam"]
    dtypes = set()

    def spy_factory(**hyper):
        rule = info.factory(**hyper)

        def step(theta, g, state, lr):
            theta, state = rule.step(theta, g, state, lr)
            dtypes.update({theta.dtype, state.m.dtype, state.v.dtype})
            return theta, state

        return Rule(rule.init, step)

    monkeypatch.setitem(OPTIMIZERS, "adam", dataclasses.replace(info, factory=spy_factory))
    X, y = make_dataset("moons", 100, 0.2, 0)
    model = make_model("mlp", hidden=(4,), task="classification")
    schedule = {"kind": "exponential", "decay_rate": 0.9}
    kw = {"lr": np.full(5, 0.01), "l2": np.full(5, 1e-3)}
    train_batch(
        model, X, y, kfold_indices(100, 5, 0), "adam", 3, 10, dtype=np.float32, schedule=schedule, **kw
    )
    assert dtypes == {np.dtype(np.float32)}


def test_lbfgs_is_refused_with_the_optimizers_the_trainer_takes():
    """Once a KeyError ('scaling'): the trainer's second-order set was "needs != grad", which took in
    the line search. The trainer takes the first-order rules and the second-order solvers."""
    X, y = make_dataset("sine", 40, 0.1, 0)
    poly = make_model("polynomial", degree=3)
    for call in (
        lambda: train(poly, X, y, X, y, "lbfgs", 5),
        lambda: train_batch(poly, X, y, [(np.arange(20), np.arange(20, 40))], "lbfgs", 5),
    ):
        with pytest.raises(ValueError) as err:
            call()
        message = str(err.value)
        assert "L-BFGS" in message and "trainer" in message
        listed = message.split("valid: ")[1].split(" (")[0].split(", ")
        assert listed == [n for n, i in OPTIMIZERS.items() if i.kind in ("first_order", "second_order")]
        assert "lbfgs" not in listed and {"sgd", "adam", "newton", "lm"} <= set(listed)
