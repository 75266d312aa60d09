"""Seeded toy data sets and the index splits that train, validate and test on them.

    sine, cubic            1D regression: x ~ U(-1, 1), y = target(x) + noise * N(0, 1)
    moons, circles, xor,   2D binary classification as in TensorFlow Playground: inputs roughly in
    spiral                 [-1, 1]^2 plus noise * N(0, I); then a fraction label_noise of the labels
                           (exactly round(p n) of them) is flipped

Flipped labels and overlapping noisy inputs are the irreducible error: no model can do better than
`bayes_error` (estimated by Monte Carlo with the generator's class probabilities) on fresh data,
the "human-level" error of the lecture's bias/variance table.

`split_indices` and `kfold_indices` return sorted index arrays that partition range(n).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from params import Param, validate_params

MAX_SAMPLES = 100_000
MAX_NOISE = 2.0
SPLIT_PRESETS = {"60/20/20": (0.6, 0.2, 0.2), "80/10/10": (0.8, 0.1, 0.1)}

_LABEL_NOISE = Param(
    "label_noise",
    "label noise p",
    0.0,
    0.0,
    0.5,
    minimum=0.0,
    maximum=0.5,
    help="Fraction of labels flipped at random: part of the best reachable error on fresh data.",
)


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    label: str
    task: str  # "regression" (X (n, 1), y floats) or "classification" (X (n, 2), y 0/1)
    description: str
    params: tuple[Param, ...] = ()
    target: Callable[[np.ndarray], np.ndarray] | None = None  # the noise-free regression function

    @property
    def n_inputs(self) -> int:
        return 1 if self.task == "regression" else 2


def _sine(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


def _cubic(x: np.ndarray) -> np.ndarray:
    return 2.0 * x**3 - x + 0.3


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo("sine", "Sine wave", "regression", "y = sin(πx) plus Gaussian noise", target=_sine),
        DatasetInfo("cubic", "Cubic", "regression", "y = 2x³ − x + 0.3 plus Gaussian noise", target=_cubic),
        DatasetInfo("moons", "Two moons", "classification", "two interleaved half circles", (_LABEL_NOISE,)),
        DatasetInfo("circles", "Circles", "classification", "a disc inside a ring", (_LABEL_NOISE,)),
        DatasetInfo(
            "xor", "XOR", "classification", "class 1 where x·y > 0 (the four quadrants)", (_LABEL_NOISE,)
        ),
        DatasetInfo("spiral", "Spiral", "classification", "two interleaved spiral arms", (_LABEL_NOISE,)),
    )
}


def make_dataset(
    name: str, n_samples: int, noise: float, seed: int, **params: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a data set; the same arguments always give the same arrays.

    Parameters
    ----------
    name : a key of DATASETS.
    n_samples : number of samples, 4 .. 100000.
    noise : std of the Gaussian noise on y (regression) or on the inputs (classification), 0 .. 2.
    seed : a whole number >= 0.
    **params : the data set's own parameters (classification: label_noise in [0, 0.5]).

    Returns
    -------
    X : (n, 1) inputs in [-1, 1] for regression, (n, 2) for classification.
    y : (n,) floats for regression, 0.0 / 1.0 for classification.
    """
    info = DATASETS.get(name) if isinstance(name, str) else None
    if info is None:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}")
    n = whole(n_samples, "n_samples", 4, MAX_SAMPLES)
    noise = float(Param("noise", "noise", 0.0, minimum=0.0, maximum=MAX_NOISE).validate(noise))
    seed = whole(seed, "seed", 0, 2**63 - 1)
    params = validate_params(info.params, params, f"data set {name!r}")
    rng = np.random.default_rng(seed)
    if info.task == "regression":
        x = rng.uniform(-1.0, 1.0, n)
        return x[:, None], info.target(x) + noise * rng.standard_normal(n)
    X, y = _CLASSIFICATION[name](n, rng)
    X = X + noise * rng.standard_normal(X.shape)
    flip = rng.choice(n, size=round(params["label_noise"] * n), replace=False)
    y[flip] = 1.0 - y[flip]
    return X, y


def _labels(n: int) -> np.ndarray:
    """n // 2 zeros then the rest ones, so the classes are balanced."""
    return (np.arange(n) >= n // 2).astype(float)


def _moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _labels(n)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower)
    return (X - (0.5, 0.25)) / 1.5, y  # centred, about [-1, 1] x [-0.5, 0.5]


def _circles(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _labels(n)
    t = rng.uniform(0.0, 2.0 * np.pi, n)
    r = np.where(y == 1, rng.uniform(0.0, 0.4, n), rng.uniform(0.65, 0.95, n))  # class 1 inside
    return np.stack([r * np.cos(t), r * np.sin(t)], axis=1), y


def _xor(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1.0, 1.0, (n, 2))
    X = X + np.sign(X) * 0.05  # a small gap along the axes, as TensorFlow Playground's padding
    return X / 1.05, (X[:, 0] * X[:, 1] > 0).astype(float)


def _spiral(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    y = _labels(n)
    u = rng.uniform(0.0, 1.0, n)  # position along the arm, centre to rim
    angle = 1.75 * 2.0 * np.pi * u + np.pi * y  # the second arm is the first turned by 180 degrees
    r = 0.05 + 0.9 * u
    return np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1), y


_CLASSIFICATION = {"moons": _moons, "circles": _circles, "xor": _xor, "spiral": _spiral}


BAYES_SAMPLES = 2_000  # fresh inputs at which the best classifier's error is averaged
BAYES_REFERENCE = 1_500  # clean points per class that stand for its input distribution


@functools.lru_cache(maxsize=64)
def bayes_error(name: str, noise: float, label_noise: float, seed: int = 0) -> tuple[float, float]:
    """The best possible error rate on fresh data of a classification set (the Bayes error), by
    Monte Carlo with the generator's true class probabilities; returns (estimate, standard error).

    An input is a clean point of its class plus noise * N(0, I); its label is then flipped with
    probability p. So p(x | class c) = E[N(x; clean point of c, noise^2 I)], estimated over
    `BAYES_REFERENCE` clean points of each class; with balanced classes the Bayes classifier's
    error at x is min(P, 1 - P) with P = (1 - p) q1(x) + p (1 - q1(x)), q1 = p(x|1) / (p(x|0) +
    p(x|1)); its mean over `BAYES_SAMPLES` fresh inputs is the estimate. Without input noise the
    classes do not overlap and the answer is p exactly (standard error 0).
    """
    info = DATASETS.get(name)
    if info is None or info.task != "classification":
        raise ValueError(f"the Bayes error is defined here for the classification sets; got {name!r}")
    p = float(label_noise)
    if noise <= 0:
        return p, 0.0
    rng = np.random.default_rng(seed)
    clean, labels = _CLASSIFICATION[name](2 * BAYES_REFERENCE, rng)
    inputs, _ = _CLASSIFICATION[name](BAYES_SAMPLES, rng)
    inputs = inputs + noise * rng.standard_normal(inputs.shape)
    log_density = []
    for c in (0.0, 1.0):
        ref = clean[labels == c]
        # |x - r|^2 = |x|^2 - 2 x.r + |r|^2, as one matrix product
        d2 = (inputs**2).sum(1)[:, None] - 2.0 * inputs @ ref.T + (ref**2).sum(1)[None, :]
        d2 = np.maximum(d2, 0.0) / (2.0 * noise**2)
        low = d2.min(axis=1, keepdims=True)  # log-sum-exp: far points do not underflow to 0 / 0
        log_density.append(-low[:, 0] + np.log(np.exp(low - d2).mean(axis=1)))
    q1 = 1.0 / (1.0 + np.exp(np.clip(log_density[0] - log_density[1], -700, 700)))
    P = (1.0 - p) * q1 + p * (1.0 - q1)
    errors = np.minimum(P, 1.0 - P)
    # four decimals: the standard error is about 1e-3, further digits would be noise as text
    return round(float(errors.mean()), 4), round(float(errors.std() / np.sqrt(errors.size)), 4)


def split_indices(n: int, fractions: Sequence[float], seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle range(n) (seeded) and cut it into train, validation and test parts.

    `fractions` (train, val, test) are >= 0 and sum to 1 (e.g. SPLIT_PRESETS); the validation and
    test sizes are round(fraction * n) and training gets the rest, which must leave at least one
    sample in train and in validation. Returns three sorted index arrays that partition range(n).
    """
    n = whole(n, "n", 2, 10 * MAX_SAMPLES)
    try:
        f = np.asarray(fractions, dtype=float)
    except (TypeError, ValueError):
        f = np.empty(0)
    if f.shape != (3,) or not np.all(np.isfinite(f)) or np.any(f < 0) or abs(f.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"fractions must be three numbers >= 0 (train, validation, test) that sum to 1, "
            f"e.g. (0.6, 0.2, 0.2); got {fractions!r}"
        )
    seed = whole(seed, "seed", 0, 2**63 - 1)
    n_val, n_test = round(f[1] * n), round(f[2] * n)
    n_train = n - n_val - n_test
    if n_train < 1 or n_val < 1:
        raise ValueError(
            f"with n = {n} these fractions leave {n_train} training and {n_val} validation samples; "
            "each needs at least one: use more samples or larger fractions"
        )
    order = np.random.default_rng(seed).permutation(n)
    parts = np.split(order, [n_train, n_train + n_val])
    return tuple(np.sort(p) for p in parts)  # type: ignore[return-value]


def kfold_indices(n: int, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k-fold cross-validation: shuffle range(n) (seeded), cut it into k folds of sizes differing by
    at most one, and return for each fold (train = the other folds, val = this fold), sorted."""
    n = whole(n, "n", 2, 10 * MAX_SAMPLES)
    k = whole(k, "k", 2, n)
    seed = whole(seed, "seed", 0, 2**63 - 1)
    folds = np.array_split(np.random.default_rng(seed).permutation(n), k)
    return [
        (np.sort(np.concatenate(folds[:i] + folds[i + 1 :])), np.sort(fold)) for i, fold in enumerate(folds)
    ]


def whole(value: Any, name: str, low: int, high: int) -> int:
    """`value` as an int in [low, high], or ValueError saying what is allowed."""
    ok = isinstance(value, (int, np.integer, float, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not ok or not np.isfinite(value) or value != int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}; got {value!r}")
    return int(value)
