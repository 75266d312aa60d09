"""Small models written as functions of one flat parameter vector theta, with exact gradients.

    polynomial  f(x) = sum_k c_k x^k, k = 0 .. degree;      theta = (c_0, ..., c_degree)
    mlp         hidden layers h = act(h_prev W + b) (ReLU or tanh), then one linear output unit;
                theta = (W_1, b_1, W_2, b_2, ...), each W_l row-major (fan_in, fan_out)

Loss (the mean over the n samples, plus the L2 penalty on the weights; biases and c_0 are free):

    regression      L = mean((f(x_i) - y_i)^2) + l2 * |weights|^2
    classification  L = mean(log(1 + e^z_i) - y_i z_i) + l2 * |weights|^2,   z_i = f(x_i) the logit

`predict` gives f(x) for regression and the probability sigmoid(z) of class 1 for classification.

Every method also takes a stack of models: theta (B, P) with X (n, d) shared or (B, n, d) one
set per model, y (n,) or (B, n); results get the leading B axis. That is what the batched trainer
runs on; any float dtype works (float32 for speed).

The polynomial is linear least squares, and gives what the second-order methods need: with
r = ((V theta - y) / sqrt(n), sqrt(l2) * (c_1, ..., c_degree)), V_ik = x_i^k, the loss is
sum(r^2), the Jacobian is J = [V / sqrt(n); sqrt(l2) [0 | I]] and the Hessian is 2 J^T J.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from params import Param, validate_params
from training.datasets import whole

MAX_DEGREE = 15
MAX_LAYERS, MAX_WIDTH = 3, 64
TASKS = ("regression", "classification")
ACTIVATIONS = ("relu", "tanh")

_L2 = Param(
    "l2",
    "L2 strength λ",
    0.0,
    0.0,
    0.1,
    minimum=0.0,
    maximum=1e6,
    help="Adds λ·|weights|² to the loss: smaller weights, a smoother fit (biases are not penalised).",
)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    label: str
    description: str
    params: tuple[Param, ...]  # numbers and choices; the MLP's `hidden` widths are checked apart


MODELS: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        ModelInfo(
            "polynomial",
            "Polynomial",
            "f(x) = c₀ + c₁x + … + c_d x^d, fitted by least squares with an L2 penalty (ridge)",
            (
                Param("degree", "degree d", 3, 1, MAX_DEGREE, integer=True, minimum=1, maximum=MAX_DEGREE),
                _L2,
            ),
        ),
        ModelInfo(
            "mlp",
            "Multilayer perceptron",
            "1 to 3 hidden layers of 1 to 64 units (ReLU or tanh) and one linear output unit",
            (
                Param("activation", "activation", "relu", choices=ACTIVATIONS),
                _L2,
                Param("task", "task", "classification", choices=TASKS),
                Param(
                    "n_inputs", "inputs", 0, integer=True, minimum=0, maximum=1000, help="0: 1 or 2 by task"
                ),
            ),
        ),
    )
}


def make_model(name: str, **params: Any) -> Model:
    """Build a model from its MODELS name and parameters (defaults filled in).

    polynomial: degree 1 .. 15, l2 >= 0.
    mlp: hidden (a sequence of 1 .. 3 widths, each 1 .. 64; default (16, 16)), activation "relu" or
    "tanh", l2 >= 0, task "regression" or "classification", n_inputs (default 1 for regression,
    2 for classification).
    """
    info = MODELS.get(name) if isinstance(name, str) else None
    if info is None:
        raise ValueError(f"unknown model {name!r}; valid: {', '.join(MODELS)}")
    if name == "polynomial":
        p = validate_params(info.params, params, "model 'polynomial'")
        return Polynomial(degree=int(p["degree"]), l2=float(p["l2"]))
    hidden = _widths(params.pop("hidden", (16, 16)))
    p = validate_params(info.params, params, "model 'mlp'")
    n_inputs = int(p["n_inputs"]) or (1 if p["task"] == "regression" else 2)
    return MLP(
        hidden=hidden, activation=p["activation"], l2=float(p["l2"]), task=p["task"], n_inputs=n_inputs
    )


def _widths(hidden: Any) -> tuple[int, ...]:
    allowed = f"hidden must be 1 to {MAX_LAYERS} layer widths, each a whole number from 1 to {MAX_WIDTH}"
    if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
        hidden = (hidden,)
    if not isinstance(hidden, (tuple, list)) or not 1 <= len(hidden) <= MAX_LAYERS:
        raise ValueError(f"{allowed}; got {hidden!r}")
    try:
        return tuple(whole(h, "a hidden width", 1, MAX_WIDTH) for h in hidden)
    except ValueError:
        raise ValueError(f"{allowed}; got {hidden!r}") from None


class Model:
    """Shared plumbing; subclasses define n_params, penalised, init, features, _output, _backward.

    The hot path works on `features(X)`, computed once per data set: the polynomial's monomials,
    or the MLP's inputs with a column of ones appended (so each layer's bias rides in its matmul).
    """

    name: str
    task: str
    l2: float
    n_inputs: int
    n_params: int
    penalised: np.ndarray  # (P,) bool: True for the entries the L2 term acts on

    def init(self, seed: int) -> np.ndarray:
        """Start parameters theta0, shape (P,), drawn from `seed` (float64)."""
        raise NotImplementedError

    def features(self, X: np.ndarray) -> np.ndarray:
        """What the hot path reads of X (..., n, d): shape (..., n, k), in the dtype of X."""
        raise NotImplementedError

    def predict(self, theta: np.ndarray, X: np.ndarray) -> np.ndarray:
        """f(x) (regression) or P(class 1) (classification) at each row of X: shape (..., n)."""
        theta, X = self._check(theta, X)
        z = self._output(theta, self.features(X), keep=False)[0]
        return z if self.task == "regression" else sigmoid(z)

    def loss_and_grad(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray]:
        """The loss (data loss + L2 penalty), shape (...), and its gradient (..., P)."""
        theta, X = self._check(theta, X)
        y = np.asarray(y, dtype=theta.dtype)
        data, grad = self.data_loss_and_grad(theta, self.features(X), y, self.decay(self.l2, theta.dtype))
        return data + self.penalty(theta, self.l2), grad

    def data_loss(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> Any:
        """The mean data loss (no L2 term), shape (...)."""
        theta, X = self._check(theta, X)
        z = self._output(theta, self.features(X), keep=False)[0]
        return self.sample_losses(z, np.asarray(y, dtype=theta.dtype)).mean(-1)

    def penalty(self, theta: np.ndarray, l2: Any) -> Any:
        """l2 * the sum of squared weights, shape (...); l2 a float or (B, 1)."""
        l2 = np.reshape(l2, np.shape(l2)[:-1]) if np.ndim(l2) else l2
        return l2 * np.where(self.penalised, theta * theta, 0).sum(-1)

    def decay(self, l2: Any, dtype: Any = float) -> np.ndarray:
        """2 l2 on the penalised entries, 0 elsewhere: the L2 term's gradient is decay * theta.
        Shape (P,) for a float l2, (B, P) for l2 (B, 1)."""
        return (2 * np.asarray(l2, dtype=dtype)) * self.penalised.astype(dtype)

    def data_loss_and_grad(
        self,
        theta: np.ndarray,
        F: np.ndarray,
        y: np.ndarray,
        decay: Any,
        weights: Any = None,
        work: Any = None,
    ) -> tuple[Any, np.ndarray]:
        """The mean data loss (...) and the gradient (..., P) of data loss + l2 * |weights|^2.

        The trainer's hot path, on features F = features(X), without checks; `decay` is
        self.decay(l2). `weights` (..., n), each row summing to 1, replace the plain mean (they
        pick each model's own samples out of a shared array). `work`: a dict the MLP keeps its
        buffers in between calls (the trainer's loop passes one).
        """
        z, cache = self._output(theta, F, work=work)
        w = (1.0 / z.shape[-1]) if weights is None else weights
        if self.task == "regression":
            e = z - y
            losses, dz = e * e, (2 * w) * e
        else:
            losses, dz = self.sample_losses(z, y), w * (sigmoid(z) - y)
        grad = self._backward(theta, F, dz, cache, work)
        grad += decay * theta
        if weights is None:
            return np.add.reduce(losses, axis=-1) * w, grad
        return np.add.reduce(w * losses, axis=-1), grad

    def sample_losses(self, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each sample's data loss from the outputs z (..., n): squared error, or the logistic loss
        log(1 + e^z) - y z on the logit."""
        if self.task == "regression":
            return (z - y) ** 2
        return np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0) - y * z  # = log(1 + e^z) - y z, stably

    def _check(self, theta: Any, X: Any) -> tuple[np.ndarray, np.ndarray]:
        theta = np.asarray(theta)
        if not np.issubdtype(theta.dtype, np.floating):
            theta = theta.astype(float)
        if theta.ndim not in (1, 2) or theta.shape[-1] != self.n_params:
            raise ValueError(
                f"theta must have shape ({self.n_params},) or (B, {self.n_params}) for this {self.name}; "
                f"got {theta.shape}"
            )
        X = np.asarray(X, dtype=theta.dtype)
        if X.ndim not in (2, 3) or X.shape[-1] != self.n_inputs:
            raise ValueError(
                f"X must have shape (n, {self.n_inputs}) or (B, n, {self.n_inputs}); got {X.shape}"
            )
        return theta, X

    def _output(self, theta, F, keep=True, work=None):
        """Outputs z (..., n) and (if keep) what _backward needs."""
        raise NotImplementedError

    def _backward(self, theta, F, dz, cache, work=None):
        """The data loss's gradient (..., P) from dz = dL/dz (..., n)."""
        raise NotImplementedError


def _buffer(work: dict | None, key: Any, shape: tuple, dtype: Any) -> np.ndarray:
    """An array of this shape and dtype: a fresh one, or with a `work` dict the one kept under
    `key` (reused while shape and dtype stay the same; its old contents are overwritten)."""
    if work is None:
        return np.empty(shape, dtype=dtype)
    buf = work.get(key)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = work[key] = np.empty(shape, dtype=dtype)
    return buf


def _ones(work: dict | None, n: int, dtype: Any) -> np.ndarray:
    """A (1, n) row of ones, kept in `work` once made."""
    key = ("ones", n, np.dtype(dtype))
    if work is None or key not in work:
        ones = np.ones((1, n), dtype=dtype)
        if work is None:
            return ones
        work[key] = ones
    return work[key]


def sigmoid(z: Any) -> Any:
    """1 / (1 + e^-z) without overflow warnings (tanh saturates where exp would overflow)."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


@dataclass(frozen=True)
class Polynomial(Model):
    degree: int = 3
    l2: float = 0.0
    name = "polynomial"
    task = "regression"
    n_inputs = 1

    @property
    def n_params(self) -> int:
        return self.degree + 1

    @cached_property
    def penalised(self) -> np.ndarray:
        return np.arange(self.n_params) > 0  # c_0, the intercept, is not penalised

    def init(self, seed: int) -> np.ndarray:
        """All zeros: the loss is convex, so the start matters only for the path (seed unused)."""
        whole(seed, "seed", 0, 2**63 - 1)
        return np.zeros(self.n_params)

    def features(self, X: np.ndarray) -> np.ndarray:
        """V_ik = x_i^k, shape (..., n, degree + 1), in the dtype of X."""
        x = X[..., 0]
        return x[..., None] ** np.arange(self.n_params, dtype=x.dtype)

    def _output(self, theta, V, keep=True, work=None):
        return np.matmul(V, theta[..., None])[..., 0], None

    def _backward(self, theta, V, dz, cache, work=None):
        return np.matmul(dz[..., None, :], V)[..., 0, :]

    # ---- least squares (float64, single model): what Newton, Gauss-Newton and LM solve with ----

    def residuals(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """r (n + degree,) with loss = sum(r^2): the scaled errors, then sqrt(l2) * (c_1 .. c_d)."""
        theta, X = self._check(theta, X)
        n = len(X)
        errors = (self.features(X) @ theta - np.asarray(y, dtype=float)) / math.sqrt(n)
        return np.concatenate([errors, math.sqrt(self.l2) * theta[1:]])

    def jacobian(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dr/dtheta (n + degree, degree + 1); constant, as the residuals are linear in theta."""
        theta, X = self._check(theta, X)
        ridge = math.sqrt(self.l2) * np.eye(self.n_params)[1:]
        return np.concatenate([self.features(X) / math.sqrt(len(X)), ridge])

    def hessian(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The exact Hessian 2 V^T V / n + 2 l2 diag(0, 1, ..., 1), shape (degree + 1, degree + 1)."""
        J = self.jacobian(theta, X, y)
        return 2.0 * (J.T @ J)


@dataclass(frozen=True)
class MLP(Model):
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "relu"
    l2: float = 0.0
    task: str = "classification"
    n_inputs: int = 2
    name = "mlp"
    layers: tuple[tuple[int, int, int], ...] = field(init=False, repr=False)  # (start, fan_in, fan_out)

    def __post_init__(self) -> None:
        sizes = (self.n_inputs, *self.hidden, 1)
        layers, start = [], 0
        for fan_in, fan_out in itertools.pairwise(sizes):
            layers.append((start, fan_in, fan_out))
            start += (fan_in + 1) * fan_out
        object.__setattr__(self, "layers", tuple(layers))

    @property
    def n_params(self) -> int:
        start, fan_in, fan_out = self.layers[-1]
        return start + (fan_in + 1) * fan_out

    @cached_property
    def penalised(self) -> np.ndarray:
        mask = np.zeros(self.n_params, dtype=bool)
        for start, fan_in, fan_out in self.layers:
            mask[start : start + fan_in * fan_out] = True
        return mask

    def init(self, seed: int) -> np.ndarray:
        """Weights ~ N(0, gain / fan_in) (He for ReLU: gain 2; LeCun for tanh: gain 1), biases 0."""
        rng = np.random.default_rng(whole(seed, "seed", 0, 2**63 - 1))
        gain = 2.0 if self.activation == "relu" else 1.0
        theta = np.zeros(self.n_params)
        for start, fan_in, fan_out in self.layers:
            theta[start : start + fan_in * fan_out] = rng.normal(
                0.0, math.sqrt(gain / fan_in), fan_in * fan_out
            )
        return theta

    def unpack(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Views (W (..., fan_in, fan_out), b (..., fan_out)) of each layer's part of theta."""
        lead = theta.shape[:-1]
        return [
            (
                theta[..., start : start + fan_in * fan_out].reshape(*lead, fan_in, fan_out),
                theta[..., start + fan_in * fan_out : start + (fan_in + 1) * fan_out],
            )
            for start, fan_in, fan_out in self.layers
        ]

    def features(self, X: np.ndarray) -> np.ndarray:
        """X with a column of ones appended, (..., n, d + 1): then [x, 1] @ [W; b] = x W + b."""
        ones = np.ones((*X.shape[:-1], 1), dtype=X.dtype)
        return np.concatenate([X, ones], axis=-1)

    def _layer_views(self, theta):
        """[W; b] of each layer, a view (..., fan_in + 1, fan_out) of theta (b is its last row)."""
        lead = theta.shape[:-1]
        return [
            theta[..., start : start + (fan_in + 1) * fan_out].reshape(*lead, fan_in + 1, fan_out)
            for start, fan_in, fan_out in self.layers
        ]

    def _output(self, theta, F, keep=True, work=None):
        # The first layer's bias rides in its matmul (F ends with a column of ones); later layers
        # add theirs. Activations are applied in place, and with a `work` dict the layer outputs
        # reuse the same buffers from call to call: fresh multi-megabyte arrays cost more in page
        # faults than the arithmetic (measured: 3.8 ms -> 1.2 ms for 80 models x 500 samples).
        Wb = self._layer_views(theta)
        lead = theta.shape[:-1] or F.shape[:-2]  # models stacked in theta, in F, or in neither
        inputs, h = [], F
        for k, W in enumerate(Wb):
            if keep:
                inputs.append(h)
            last = k == len(Wb) - 1
            shape = (*lead, h.shape[-2], W.shape[-1])
            z = _buffer(work, ("z", k, keep), shape, np.result_type(h, W))
            if k == 0:
                np.matmul(h, W, out=z)
            else:
                np.matmul(h, W[..., :-1, :], out=z)
                z += W[..., -1:, :]
            if last:
                return z[..., 0], (Wb, inputs)
            h = np.maximum(z, 0, out=z) if self.activation == "relu" else np.tanh(z, out=z)
        raise AssertionError("unreachable")

    def _backward(self, theta, F, dz, cache, work=None):
        Wb, inputs = cache
        lead = theta.shape[:-1] or dz.shape[:-1]
        grad = np.empty((*lead, self.n_params), dtype=np.result_type(theta, dz))
        dZ = dz[..., None]
        for k in range(len(Wb) - 1, -1, -1):
            start, fan_in, fan_out = self.layers[k]
            h = inputs[k]
            # dW = h^T dZ and db = sum of dZ over the samples, written straight into grad.
            block = grad[..., start : start + (fan_in + 1) * fan_out].reshape(*lead, fan_in + 1, fan_out)
            if k == 0:  # F ends with ones: one matmul gives [dW; db]
                np.matmul(h.mT, dZ, out=block)
                break
            np.matmul(h.mT, dZ, out=block[..., :-1, :])
            ones = _ones(work, dZ.shape[-2], dZ.dtype)  # a matmul with ones sums over the samples fastest
            np.matmul(ones, dZ, out=block[..., -1:, :])
            W = Wb[k][..., :-1, :]
            dH = _buffer(work, ("dH", k), (*lead, dZ.shape[-2], fan_in), grad.dtype)
            np.matmul(dZ, W.mT, out=dH)
            if self.activation == "relu":
                dH *= h > 0
            else:
                dH *= 1 - h * h
            dZ = dH
        return grad
