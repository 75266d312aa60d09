"""training.datasets and training.models: seeded data, exact index partitions, exact gradients."""

from __future__ import annotations

import numpy as np
import pytest

from training import DATASETS, MODELS, kfold_indices, make_dataset, make_model, split_indices
from training.models import sigmoid

CLASSIFICATION = [n for n, info in DATASETS.items() if info.task == "classification"]
REGRESSION = [n for n, info in DATASETS.items() if info.task == "regression"]


# ---- data ----


@pytest.mark.parametrize("name", list(DATASETS))
def test_datasets_are_seeded_and_shaped(name):
    params = {"label_noise": 0.1} if name in CLASSIFICATION else {}
    X, y = make_dataset(name, 101, 0.1, 7, **params)
    X2, y2 = make_dataset(name, 101, 0.1, 7, **params)
    X3, _ = make_dataset(name, 101, 0.1, 8, **params)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, X3)
    assert X.shape == (101, DATASETS[name].n_inputs) and y.shape == (101,)
    if name in REGRESSION:
        assert X.min() >= -1 and X.max() <= 1
    else:
        assert set(np.unique(y)) == {0.0, 1.0}
        assert abs(y.mean() - 0.5) < 0.1


def test_regression_noise_is_gaussian_around_the_target():
    X, y = make_dataset("sine", 20_000, 0.3, 0)
    residual = y - np.sin(np.pi * X[:, 0])
    assert residual.std() == pytest.approx(0.3, rel=0.03)
    assert abs(residual.mean()) < 0.01
    X0, y0 = make_dataset("sine", 50, 0.0, 0)
    np.testing.assert_allclose(y0, DATASETS["sine"].target(X0[:, 0]))


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_label_noise_flips_exactly_that_fraction(name):
    _, clean = make_dataset(name, 400, 0.0, 3)
    _, noisy = make_dataset(name, 400, 0.0, 3, label_noise=0.15)
    assert np.sum(clean != noisy) == 60


def test_noise_free_classes_are_what_their_name_says():
    X, y = make_dataset("xor", 500, 0.0, 1)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(float))
    X, y = make_dataset("circles", 500, 0.0, 1)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() < r[y == 0].min()  # class 1 is the inner disc


@pytest.mark.parametrize(
    "n, fractions", [(100, (0.6, 0.2, 0.2)), (37, (0.8, 0.1, 0.1)), (10, (0.5, 0.5, 0.0))]
)
def test_split_partitions_exactly_and_is_seeded(n, fractions):
    train, val, test = split_indices(n, fractions, seed=4)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, val, test])), np.arange(n))
    assert len(val) == round(fractions[1] * n) and len(test) == round(fractions[2] * n)
    again = split_indices(n, fractions, seed=4)
    other = split_indices(n, fractions, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip((train, val, test), other, strict=True))


@pytest.mark.parametrize("n, k", [(500, 5), (103, 10), (7, 2), (5, 5)])
def test_folds_partition_and_each_sample_validates_once(n, k):
    folds = kfold_indices(n, k, seed=1)
    assert len(folds) == k
    vals = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(vals), np.arange(n))  # every sample validates exactly once
    for train, val in folds:
        np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))
        assert np.intersect1d(train, val).size == 0
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, kfold_indices(n, k, seed=1), strict=True))
    assert not all(
        np.array_equal(a[1], b[1]) for a, b in zip(folds, kfold_indices(n, k, seed=2), strict=True)
    )


# ---- models ----

MODEL_CASES = [
    ("polynomial", {"degree": 4, "l2": 0.3}, "sine"),
    ("polynomial", {"degree": 1, "l2": 0.0}, "cubic"),
    ("mlp", {"hidden": (6, 5), "activation": "tanh", "l2": 0.05, "task": "classification"}, "moons"),
    ("mlp", {"hidden": (7,), "activation": "relu", "l2": 0.02, "task": "classification"}, "xor"),
    ("mlp", {"hidden": (4, 3, 5), "activation": "tanh", "l2": 0.1, "task": "regression"}, "sine"),
    ("mlp", {"hidden": (5, 4), "activation": "relu", "l2": 0.0, "task": "regression"}, "cubic"),
]


def _fd_grad(f, theta, eps=1e-6):
    return np.array([(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)])


@pytest.mark.parametrize("name, params, data", MODEL_CASES)
def test_gradient_matches_finite_differences_at_random_theta(name, params, data):
    model = make_model(name, **params)
    X, y = make_dataset(data, 40, 0.2, 0)
    rng = np.random.default_rng(1)
    for _ in range(3):
        theta = rng.normal(0.0, 0.7, model.n_params)
        grad = model.loss_and_grad(theta, X, y)[1]
        fd = _fd_grad(lambda t: model.loss_and_grad(t, X, y)[0], theta)
        np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, params, data", MODEL_CASES)
def test_loss_is_mean_data_loss_plus_l2_on_the_weights_only(name, params, data):
    model = make_model(name, **params)
    X, y = make_dataset(data, 30, 0.2, 0)
    theta = np.random.default_rng(2).normal(size=model.n_params)
    out = model.predict(theta, X)
    if model.task == "regression":
        data_loss = np.mean((out - y) ** 2)
    else:  # -mean(y log p + (1 - y) log(1 - p)) with p the predicted probability
        data_loss = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))
    if name == "polynomial":
        weights = theta[1:]
    else:
        weights = np.concatenate([W.ravel() for W, _ in model.unpack(theta)])
    assert model.loss_and_grad(theta, X, y)[0] == pytest.approx(data_loss + params["l2"] * np.sum(weights**2))
    assert model.data_loss(theta, X, y) == pytest.approx(data_loss)


def test_polynomial_predicts_sum_of_monomials_and_mlp_by_hand():
    poly = make_model("polynomial", degree=3)
    x = np.array([[-1.0], [0.5], [2.0]])
    np.testing.assert_allclose(
        poly.predict(np.array([1.0, 2.0, 0.0, -1.0]), x), 1 + 2 * x[:, 0] - x[:, 0] ** 3
    )
    mlp = make_model("mlp", hidden=(3,), activation="relu", task="regression")
    theta = np.random.default_rng(0).normal(size=mlp.n_params)
    (W1, b1), (W2, b2) = mlp.unpack(theta)
    assert W1.shape == (1, 3) and W2.shape == (3, 1) and mlp.n_params == 3 + 3 + 3 + 1
    np.testing.assert_allclose(mlp.predict(theta, x), (np.maximum(x @ W1 + b1, 0) @ W2 + b2)[:, 0])
    clf = make_model("mlp", hidden=(3,), activation="tanh", task="classification")
    theta = np.random.default_rng(1).normal(size=clf.n_params)
    (W1, b1), (W2, b2) = clf.unpack(theta)
    X = np.random.default_rng(2).normal(size=(5, 2))
    np.testing.assert_allclose(clf.predict(theta, X), sigmoid((np.tanh(X @ W1 + b1) @ W2 + b2)[:, 0]))


def test_stacked_models_equal_one_at_a_time():
    model = make_model("mlp", hidden=(5, 3), activation="relu", task="classification", l2=0.01)
    thetas = np.stack([model.init(s) for s in range(4)])
    X, y = make_dataset("spiral", 25, 0.1, 0)
    Xs = np.stack([X[np.random.default_rng(s).permutation(25)] for s in range(4)])
    ys = np.stack([y[np.random.default_rng(s).permutation(25)] for s in range(4)])
    data, grad = model.data_loss_and_grad(thetas, model.features(Xs), ys, model.decay(model.l2))
    shared = model.data_loss_and_grad(thetas, model.features(X), y, model.decay(model.l2))
    for b in range(4):
        loss_b, grad_b = model.loss_and_grad(thetas[b], Xs[b], ys[b])
        assert data[b] + model.penalty(thetas[b], model.l2) == pytest.approx(loss_b)
        np.testing.assert_allclose(grad[b], grad_b, rtol=1e-12)
        np.testing.assert_allclose(shared[1][b], model.loss_and_grad(thetas[b], X, y)[1], rtol=1e-12)
    np.testing.assert_allclose(model.predict(thetas, X)[2], model.predict(thetas[2], X))


def test_init_is_seeded_he_for_relu():
    model = make_model("mlp", hidden=(64, 64), activation="relu", task="classification")
    a, b = model.init(3), model.init(3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, model.init(4))
    W2 = model.unpack(a)[1][0]
    assert W2.std() == pytest.approx(np.sqrt(2 / 64), rel=0.05)
    assert np.all(model.unpack(a)[1][1] == 0)  # biases start at zero


def test_polynomial_least_squares_pieces_agree():
    model = make_model("polynomial", degree=5, l2=0.02)
    X, y = make_dataset("sine", 30, 0.1, 0)
    theta = np.random.default_rng(0).normal(size=6)
    r, J, H = model.residuals(theta, X, y), model.jacobian(theta, X, y), model.hessian(theta, X, y)
    loss, grad = model.loss_and_grad(theta, X, y)
    assert np.sum(r**2) == pytest.approx(loss)
    np.testing.assert_allclose(2 * J.T @ r, grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(H, _fd_jacobian(lambda t: model.loss_and_grad(t, X, y)[1], theta), atol=1e-5)
    np.testing.assert_allclose(J, _fd_jacobian(lambda t: model.residuals(t, X, y), theta), atol=1e-7)


def _fd_jacobian(f, theta, eps=1e-6):
    return np.stack([(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)], -1)


def test_registries_name_their_params():
    assert set(MODELS) == {"polynomial", "mlp"}
    assert {"sine", "moons", "circles", "xor", "spiral"} <= set(DATASETS)


# ---- bad input ----


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: make_dataset("blobs", 100, 0.1, 0), "valid: sine"),
        (lambda: make_dataset("sine", 2, 0.1, 0), "n_samples must be a whole number from 4"),
        (lambda: make_dataset("sine", 100.5, 0.1, 0), "n_samples"),
        (lambda: make_dataset("sine", 100, -1, 0), "noise must be in [0, 2]"),
        (lambda: make_dataset("moons", 100, 0.1, 0, label_noise=0.7), "label_noise must be in [0, 0.5]"),
        (lambda: make_dataset("sine", 100, 0.1, 0, label_noise=0.1), "unknown parameter(s)"),
        (lambda: make_dataset("sine", 100, 0.1, -3), "seed must be a whole number"),
        (lambda: split_indices(100, (0.6, 0.2), 0), "three numbers >= 0"),
        (lambda: split_indices(100, (0.6, 0.3, 0.3), 0), "sum to 1"),
        (lambda: split_indices(100, ("a", 0.3, 0.3), 0), "sum to 1"),
        (lambda: split_indices(3, (0.9, 0.05, 0.05), 0), "each needs at least one"),
        (lambda: kfold_indices(10, 1, 0), "k must be a whole number from 2 to 10"),
        (lambda: kfold_indices(10, 11, 0), "k must be a whole number from 2 to 10"),
        (lambda: make_model("tree"), "valid: polynomial, mlp"),
        (lambda: make_model("polynomial", degree=16), "degree must be in [1, 15]"),
        (lambda: make_model("polynomial", degree=2.5), "degree must be a whole number"),
        (lambda: make_model("polynomial", l2=-1), "l2 must be in [0, 1e+06]"),
        (lambda: make_model("polynomial", hidden=(3,)), "unknown parameter(s)"),
        (lambda: make_model("mlp", hidden=(3, 3, 3, 3)), "1 to 3 layer widths"),
        (lambda: make_model("mlp", hidden=(0,)), "each a whole number from 1 to 64"),
        (lambda: make_model("mlp", hidden="wide"), "1 to 3 layer widths"),
        (lambda: make_model("mlp", activation="sigmoid"), "activation must be one of 'relu', 'tanh'"),
        (lambda: make_model("mlp", task="ranking"), "task must be one of"),
        (
            lambda: make_model("polynomial").loss_and_grad(np.zeros(3), np.zeros((5, 1)), np.zeros(5)),
            "shape (4,)",
        ),
        (
            lambda: make_model("mlp").predict(make_model("mlp").init(0), np.zeros((5, 3))),
            "X must have shape (n, 2)",
        ),
    ],
)
def test_bad_input_says_what_is_allowed(call, words):
    with pytest.raises(ValueError, match=None) as err:
        call()
    assert words in str(err.value)
