"""The trainer: fits a model with the optimizers of `optimizers/`, many models at once if asked.

First-order methods (sgd, momentum, rmsprop, adam) use the registry's `Rule`
(`optimizers.first_order_rule`), the very functions the explorer steps with, on the flat
parameters: theta (B, P) for a stack of B models. Per iteration k of epoch e:

    loss_k, g_k = data loss and gradient of (data loss + l2 |weights|^2) on minibatch k
    theta_{k+1}, state = rule.step(theta_k, g_k, state, lr * schedule(e))

Minibatches as in the explorer: each epoch shuffles the training samples (seeded) and cuts them
into n // batch_size batches (a last, smaller batch is dropped); batch_size None is full batch (one
iteration per epoch). The shuffles come from the same seed stream as `optimizers.run`'s, so a model
with two parameters retraces the explorer's path step for step.

Second-order methods (newton, gauss_newton, lm) need the polynomial model (its Hessian or its
residuals and Jacobian) and full batches: one iteration per epoch. Newton and Gauss-Newton solve
their system on the design matrix (`least_squares_step`: SVD of J, not an inverse of J^T J, whose
condition number is squared), LM through the n-dimensional form of optimizers/second_order.py.
Newton with lr = 1 lands on the ridge solution in one step (least squares when l2 = 0).

Recorded per epoch (epoch 0 is theta0): the data loss (no L2 term) on the whole training and
validation sets, the accuracy for classification, and the parameters. A run that diverges keeps
going with inf/NaN (nothing branches on it); `History.diverged_epoch` says where it started.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from optimizers import OPTIMIZERS, first_order_rule, registry
from optimizers.registry import DenseProblem
from optimizers.runner import EXPLODE_FACTOR
from optimizers.schedules import Schedule, make_schedule
from training.datasets import whole
from training.models import Model, Polynomial

MAX_EPOCHS = 100_000
MAX_ITERATIONS = 10_000_000  # epochs x iterations per epoch, to keep a request bounded
MAX_KEPT_VALUES = 50_000_000  # rows x epochs x parameters kept with keep_thetas (~0.4 GB in float64)
# What the trainer takes, from the records' kinds: first-order rules (any model, batched) and
# second-order solvers (the polynomial, through their `dense_step`). Line searches (L-BFGS) it does not.
FIRST_ORDER = registry.names_of(registry.FIRST_ORDER)
SECOND_ORDER = registry.names_of(registry.SECOND_ORDER)
TRAINABLE = tuple(name for name in OPTIMIZERS if name in FIRST_ORDER or name in SECOND_ORDER)


BEST_RTOL = 1e-9  # losses this close (relative) to the lowest count as equal: round-off, not learning


def first_lowest(losses: np.ndarray) -> Any:
    """The first index along the last axis whose value is within BEST_RTOL of the lowest finite
    one (0 where none is finite): (...,) ints."""
    finite = np.where(np.isfinite(losses), losses, np.inf)
    low = finite.min(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore"):
        near = finite <= low + BEST_RTOL * np.abs(low)
    return np.argmax(near, axis=-1)


@dataclass(frozen=True, eq=False)
class History:
    """One training run. Epoch arrays have epochs + 1 entries: entry 0 is theta0."""

    optimizer: str
    task: str
    iter_losses: np.ndarray  # (epochs * iters_per_epoch,) minibatch data loss before each step
    train_loss: np.ndarray  # (epochs + 1,) data loss on the whole training set
    val_loss: np.ndarray  # (epochs + 1,)
    train_acc: np.ndarray | None  # (epochs + 1,) accuracy, classification only
    val_acc: np.ndarray | None
    thetas: np.ndarray  # (epochs + 1, P) parameters after each epoch
    lrs: np.ndarray  # (epochs,) learning rate used during each epoch
    iters_per_epoch: int
    lambdas: np.ndarray | None = None  # (epochs,) LM's damping after each iteration

    @property
    def theta(self) -> np.ndarray:
        """The final parameters (P,)."""
        return self.thetas[-1]

    @property
    def epochs(self) -> int:
        return len(self.thetas) - 1

    @property
    def best_epoch(self) -> int:
        """The epoch with the lowest validation loss (early stopping's pick): the first epoch within
        round-off (`BEST_RTOL`) of the lowest, so equal losses never pick a later epoch by a last
        digit; 0 if none is finite."""
        return int(first_lowest(self.val_loss))

    @property
    def diverged_epoch(self) -> int | None:
        """The first epoch whose training loss passed 1e10 * max(1, its start) or whose parameters
        or loss are not finite (the explorer's rule), or None."""
        limit = EXPLODE_FACTOR * max(1.0, abs(float(self.train_loss[0])))
        with np.errstate(invalid="ignore"):
            bad = ~(np.abs(self.train_loss) <= limit) | ~np.isfinite(self.thetas).all(-1)
        return int(np.argmax(bad)) if bad.any() else None


@dataclass(frozen=True, eq=False)
class BatchHistory:
    """B training runs of one architecture: the History fields with a leading B axis."""

    optimizer: str
    task: str
    iter_losses: np.ndarray  # (B, iterations)
    train_loss: np.ndarray  # (B, epochs + 1)
    val_loss: np.ndarray  # (B, epochs + 1)
    train_acc: np.ndarray | None  # (B, epochs + 1)
    val_acc: np.ndarray | None
    thetas: np.ndarray | None  # (B, epochs + 1, P); None with keep_thetas=False
    theta: np.ndarray  # (B, P) final parameters
    lrs: np.ndarray  # (B, epochs)
    iters_per_epoch: int

    def __len__(self) -> int:
        return len(self.theta)

    @property
    def best_epoch(self) -> np.ndarray:
        """(B,) the epoch with the lowest validation loss of each run (see `History.best_epoch`)."""
        return first_lowest(self.val_loss)

    def row(self, b: int) -> History:
        """Run b as a History (needs keep_thetas=True)."""
        if self.thetas is None:
            raise ValueError("row() needs the parameters of every epoch: train with keep_thetas=True")

        def pick(a):
            return None if a is None else a[b].copy()

        return History(
            optimizer=self.optimizer,
            task=self.task,
            iter_losses=pick(self.iter_losses),
            train_loss=pick(self.train_loss),
            val_loss=pick(self.val_loss),
            train_acc=pick(self.train_acc),
            val_acc=pick(self.val_acc),
            thetas=pick(self.thetas),
            lrs=pick(self.lrs),
            iters_per_epoch=self.iters_per_epoch,
        )


def train(
    model: Model,
    X_train: Any,
    y_train: Any,
    X_val: Any,
    y_val: Any,
    optimizer: str,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    schedule: Schedule = None,
    theta0: Any = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    **hyper: Any,
) -> History:
    """Train one model; float64 throughout.

    Parameters
    ----------
    model : from training.make_model.
    X_train, y_train : (n, d) inputs and (n,) targets (0/1 for classification) to fit.
    X_val, y_val : (m, d), (m,) held-out data, only evaluated (m >= 1).
    optimizer : a key of optimizers.OPTIMIZERS.
    epochs : passes over the training data, 1 .. 100000.
    batch_size : samples per minibatch, 1 .. n (None: full batch). First-order methods only.
    seed : draws theta0 (when not given) and the minibatch shuffles.
    schedule : None or {"kind": ..., **params}, see optimizers.schedules; counted in epochs from 0.
    theta0 : (P,) start parameters; None means model.init(seed).
    progress : called as progress(epochs done, epochs) after each epoch (a job's progress bar; it
        may raise to stop the training).
    **hyper : the optimizer's hyperparameters by their registry names (lr, momentum, beta, beta1,
        beta2, eps, damping, scaling); missing ones take the registry's defaults.

    Returns a History; bad input raises ValueError saying what is allowed.
    """
    _check_model(model)
    _check_trainable(optimizer)
    X_train, y_train = _data(model, X_train, y_train, "X_train", "y_train")
    X_val, y_val = _data(model, X_val, y_val, "X_val", "y_val")
    n = len(X_train)
    X = np.concatenate([X_train, X_val])
    y = np.concatenate([y_train, y_val])
    split = [(np.arange(n), np.arange(n, len(X)))]
    if optimizer in SECOND_ORDER:
        return _train_second_order(
            model,
            X_train,
            y_train,
            X_val,
            y_val,
            optimizer,
            epochs,
            batch_size,
            seed,
            schedule,
            theta0,
            hyper,
            progress,
        )
    theta0 = None if theta0 is None else np.asarray(_theta0(model, theta0, 1, [seed]))
    batch = train_batch(
        model, X, y, split, optimizer, epochs, batch_size, seed, schedule, theta0, progress=progress, **hyper
    )
    return batch.row(0)


def train_batch(
    model: Model,
    X: Any,
    y: Any,
    splits: Sequence[tuple[Any, Any]],
    optimizer: str,
    epochs: int,
    batch_size: int | None = None,
    seeds: Any = 0,
    schedule: Schedule = None,
    theta0: Any = None,
    *,
    dtype: Any = np.float64,
    keep_thetas: bool = True,
    progress: Callable[[int, int], None] | None = None,
    **hyper: Any,
) -> BatchHistory:
    """Train B models of one architecture at once (settings x folds x seeds on one leading axis).

    Row b equals train(model with l2 = l2[b], X[train_b], y[train_b], X[val_b], y[val_b], optimizer,
    epochs, batch_size, seeds[b], schedule, theta0[b], **(hyper of row b)).

    Parameters
    ----------
    X, y : the whole data set, (n, d) and (n,).
    splits : B pairs (train indices, validation indices) into X, e.g. kfold_indices(...) for a
        cross-validation, or [(train, val)] * B for a search on one split.
    seeds : one int for all rows, or B ints (init and shuffles of each row).
    theta0 : None (model.init(seeds[b]) per row), (P,) for all rows, or (B, P).
    dtype : np.float64 (exact) or np.float32 (about twice as fast; what a page needs).
    keep_thetas : False keeps only the final parameters (a search needs no more).
    progress : called as progress(epochs done, epochs) after each epoch (see `train`).
    **hyper : the optimizer's hyperparameters, each a float or B values; also `l2` (B values
        override model.l2 row by row).

    Only first-order methods (second-order ones train one polynomial at a time: use `train`).
    """
    _check_model(model)
    X, y = _data(model, X, y, "X", "y")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    if optimizer in SECOND_ORDER:
        raise ValueError(
            f"{OPTIMIZERS[optimizer].label} trains one polynomial at a time, full batch: use train(); "
            f"the batched trainer takes {', '.join(FIRST_ORDER)}"
        )
    _check_trainable(optimizer)
    train_sets, val_sets = _splits(splits, len(X))
    B = len(train_sets)
    epochs = whole(epochs, "epochs", 1, MAX_EPOCHS)
    seeds = _seeds(seeds, B)
    sizes = np.array([len(t) for t in train_sets])
    if batch_size is None:
        per_epoch, size = 1, None
    else:
        size = whole(batch_size, "batch_size", 1, int(sizes.min()))
        counts = set((sizes // size).tolist())
        if len(counts) > 1:
            raise ValueError(
                f"with batch_size {size} the training sets (sizes {sizes.min()} .. {sizes.max()}) give "
                f"different numbers of minibatches per epoch ({sorted(counts)}); pick a batch size that "
                "divides them alike, or full batch"
            )
        per_epoch = counts.pop()
    if epochs * per_epoch > MAX_ITERATIONS:
        raise ValueError(f"{epochs} epochs x {per_epoch} iterations is too many (at most {MAX_ITERATIONS:,})")
    if keep_thetas and B * (epochs + 1) * model.n_params > MAX_KEPT_VALUES:
        raise ValueError(
            f"{B} runs x {epochs + 1} epochs x {model.n_params} parameters is too much to keep (at most "
            f"{MAX_KEPT_VALUES:,} values); use keep_thetas=False or fewer runs or epochs"
        )
    if B * epochs * per_epoch > MAX_KEPT_VALUES:
        raise ValueError(
            f"{B} runs x {epochs * per_epoch} iterations is too many minibatch losses to record (at most "
            f"{MAX_KEPT_VALUES:,}); use fewer runs, epochs or a larger batch size"
        )
    l2 = _per_row(hyper.pop("l2", model.l2), "l2", B, minimum=0.0)
    lr = _per_row(hyper.pop("lr", _lr_spec(optimizer).default), "lr", B, minimum=0.0, exclusive=True)
    rule = first_order_rule(optimizer, **{k: _column(v, B, dtype) for k, v in hyper.items()})
    factors = make_schedule(schedule)(np.arange(epochs))
    lrs = np.broadcast_to(factors[None, :] * np.reshape(lr, (-1, 1)), (B, epochs)).copy()
    theta = _theta0(model, theta0, B, seeds).astype(dtype)

    F, yd = model.features(X.astype(dtype)), y.astype(dtype)
    same_train = all(np.array_equal(t, train_sets[0]) for t in train_sets[1:])
    shared = same_train and len(set(seeds)) == 1  # every row sees the same minibatches
    evaluate = _Evaluator(model, F, yd, train_sets, val_sets)
    decay, lr_col = model.decay(_column(l2, B, dtype), dtype), _column(lr, B, dtype)
    if size is None:  # full batch: the union of the training sets, each row weighting its own
        union = np.unique(np.concatenate(train_sets))
        full = (F[union], yd[union], _weights(train_sets, union, dtype))
    shuffles = _Shuffles(train_sets, seeds) if size is not None else None

    train_loss = np.empty((B, epochs + 1))
    val_loss = np.empty((B, epochs + 1))
    acc = np.empty((2, B, epochs + 1)) if model.task == "classification" else None
    thetas = np.empty((B, epochs + 1, model.n_params), dtype=dtype) if keep_thetas else None
    iter_losses = np.empty((B, epochs * per_epoch))
    state = rule.init(theta)
    work: dict = {}  # the model's reusable buffers
    with np.errstate(all="ignore"):
        for e in range(epochs + 1):
            train_loss[:, e], val_loss[:, e], accuracy = evaluate(theta)
            if acc is not None:
                acc[:, :, e] = accuracy
            if thetas is not None:
                thetas[:, e] = theta
            if e == epochs:
                break
            step_lr = lr_col * float(factors[e])  # a Python float keeps float32 float32
            if size is not None:
                orders = shuffles.epoch(per_epoch * size)
                if shared:  # one set of batches for every row: (n, k), not (B, n, k)
                    orders = orders[0]
                F_epoch, y_epoch = F[orders], yd[orders]  # one gather per epoch; batches are views
            for j in range(per_epoch):
                if size is None:
                    Fb, yb, w = full
                else:
                    cut = (..., slice(j * size, (j + 1) * size), slice(None))
                    Fb, yb, w = F_epoch[cut], y_epoch[cut[:-1]], None
                loss, g = model.data_loss_and_grad(theta, Fb, yb, decay, w, work)
                iter_losses[:, e * per_epoch + j] = loss
                theta, state = rule.step(theta, g, state, step_lr)
                theta = theta.astype(dtype, copy=False)  # float64 hyperparameters would widen it
            if progress is not None:
                progress(e + 1, epochs)
    return BatchHistory(
        optimizer=optimizer,
        task=model.task,
        iter_losses=iter_losses,
        train_loss=train_loss,
        val_loss=val_loss,
        train_acc=None if acc is None else acc[0],
        val_acc=None if acc is None else acc[1],
        thetas=thetas,
        theta=theta,
        lrs=lrs,
        iters_per_epoch=per_epoch,
    )


class GridRows(NamedTuple):
    """The rows of a batched run over a grid of settings x splits x seeds (see grid_rows)."""

    splits: list[tuple[np.ndarray, np.ndarray]]  # (B,) pairs (train, validation)
    seeds: np.ndarray  # (B,)
    hyper: dict[str, np.ndarray]  # name -> (B,) value of each row
    shape: tuple[int, ...]  # (len(values) per setting name ..., len(splits), len(seeds))


def grid_rows(
    grid: Mapping[str, Sequence[float]],
    splits: Sequence[tuple[Any, Any]],
    seeds: Sequence[int] = (0,),
) -> GridRows:
    """Every combination of the grid's values x splits x seeds, one row each, in C order.

    >>> rows = grid_rows({"lr": [1e-3, 1e-2], "l2": [0.0, 1e-3]}, kfold_indices(n, 5, 0))
    >>> batch = train_batch(model, X, y, rows.splits, "adam", 100, 32, seeds=rows.seeds, **rows.hyper)
    >>> batch.val_loss[:, -1].reshape(rows.shape)   # (2, 2, 5, 1): lr x l2 x fold x seed
    """
    names = list(grid)
    values = [np.asarray(grid[name], dtype=float).ravel() for name in names]
    splits, seeds = list(splits), [int(s) for s in seeds]
    if not splits or not seeds or any(v.size == 0 for v in values):
        raise ValueError("grid_rows needs at least one value per setting, one split and one seed")
    shape = (*(v.size for v in values), len(splits), len(seeds))
    index = np.indices(shape).reshape(len(shape), -1)
    return GridRows(
        splits=[splits[i] for i in index[-2]],
        seeds=np.asarray(seeds)[index[-1]],
        hyper={name: v[index[i]] for i, (name, v) in enumerate(zip(names, values, strict=True))},
        shape=shape,
    )


class _Shuffles:
    """Each row's seeded shuffles of its training set, drawn from the stream optimizers.run uses.

    Rows with the same seed and training-set size draw the same permutations, so each such group
    draws once per epoch (a 4 x 4 grid over 5 folds with one seed draws once, not 80 times).
    """

    def __init__(self, train_sets: list[np.ndarray], seeds: list[int]):
        keys = [(seed, len(t)) for t, seed in zip(train_sets, seeds, strict=True)]
        self.keys = list(dict.fromkeys(keys))
        self.group = np.array([self.keys.index(k) for k in keys])
        self.rngs = [np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1]) for seed, _ in self.keys]
        self.train_sets = train_sets
        same_size = len({len(t) for t in train_sets}) == 1
        self.stacked = np.stack(train_sets) if same_size else None

    def epoch(self, count: int) -> np.ndarray:
        """(B, count) sample indices: the first `count` of each row's fresh shuffle."""
        perms = [rng.permutation(n)[:count] for rng, (_, n) in zip(self.rngs, self.keys, strict=True)]
        if self.stacked is not None:
            return np.take_along_axis(self.stacked, np.stack(perms)[self.group], axis=1)
        return np.stack([t[perms[g]] for t, g in zip(self.train_sets, self.group, strict=True)])


class _Evaluator:
    """Data loss (and accuracy) of every row on its whole training and validation sets: one forward
    pass of all rows over the union of the sets, each row weighting its own samples."""

    def __init__(self, model: Model, F, y, train_sets, val_sets):
        union = np.unique(np.concatenate(train_sets + val_sets))
        self.model, self.F, self.y = model, F[union], y[union]
        self.weights = [_weights(sets, union, F.dtype) for sets in (train_sets, val_sets)]
        self.positive = self.y > 0.5
        self.work: dict = {}

    def __call__(self, theta):
        z = self.model._output(theta, self.F, keep=False, work=self.work)[0]
        losses = self.model.sample_losses(z, self.y)
        train, val = (np.einsum("bn,bn->b", w, losses) for w in self.weights)
        accuracy = None
        if self.model.task == "classification":
            correct = ((z > 0) == self.positive).astype(z.dtype)
            accuracy = [np.einsum("bn,bn->b", w, correct) for w in self.weights]
        return train, val, accuracy


def _weights(sets, union, dtype) -> np.ndarray:
    """(B, len(union)): 1 / len(set b) on the samples of set b, 0 elsewhere (union sorted)."""
    w = np.zeros((len(sets), len(union)), dtype=dtype)
    for b, s in enumerate(sets):
        w[b, np.searchsorted(union, s)] = 1.0 / len(s)
    return w


def _train_second_order(
    model, X, y, X_val, y_val, optimizer, epochs, batch_size, seed, schedule, theta0, hyper, progress
):
    info = OPTIMIZERS[optimizer]
    if not isinstance(model, Polynomial):
        raise ValueError(
            f"{info.label} needs the Hessian or the residuals' Jacobian, which only the polynomial model "
            f"gives; train the MLP with {', '.join(FIRST_ORDER)}"
        )
    if batch_size is not None:
        raise ValueError(
            f"{info.label} is a full-batch method (the lecture: second-order methods don't work well "
            "with minibatches); leave batch_size unset"
        )
    epochs = whole(epochs, "epochs", 1, MAX_EPOCHS)
    seed = whole(seed, "seed", 0, 2**63 - 1)
    known = {p.name: p for p in info.hyper}
    unknown = sorted(set(hyper) - set(known))
    if unknown:
        raise ValueError(
            f"unknown hyperparameter(s) for {info.label}: {', '.join(unknown)}; valid: {', '.join(known)}"
        )
    p = {name: spec.validate(hyper.get(name, spec.default)) for name, spec in known.items()}
    lrs = p.get("lr", 1.0) * make_schedule(schedule)(np.arange(epochs))
    theta = _theta0(model, theta0, 1, [seed])[0]
    J = model.jacobian(theta, X, y)  # constant: the residuals are linear in theta
    H = 2.0 * (J.T @ J)
    value = lambda t: model.loss_and_grad(t, X, y)[0]  # noqa: E731
    state, states = None, []
    thetas = [theta]
    with np.errstate(all="ignore"):
        for e in range(epochs):
            loss, g = model.loss_and_grad(theta, X, y)
            problem = DenseProblem(loss, g, J, H, value, model.residuals(theta, X, y))
            theta, state = info.dense_step(theta, state, problem, lrs[e], p)
            states.append(state)
            thetas.append(theta)
            if progress is not None:
                progress(e + 1, epochs)
        thetas = np.array(thetas)
        iter_losses = np.array([model.data_loss(t, X, y) for t in thetas[:-1]])
        return History(
            optimizer=optimizer,
            task=model.task,
            iter_losses=iter_losses,
            train_loss=np.array([model.data_loss(t, X, y) for t in thetas]),
            val_loss=np.array([model.data_loss(t, X_val, y_val) for t in thetas]),
            train_acc=None,
            val_acc=None,
            thetas=thetas,
            lrs=lrs,
            iters_per_epoch=1,
            lambdas=np.array(states, dtype=float) if "lambda" in info.record_names else None,
        )


# ---- validation: each helper returns the cleaned value or raises ValueError saying why ----


def _check_trainable(optimizer: Any) -> None:
    if optimizer in TRAINABLE:
        return
    info = OPTIMIZERS.get(optimizer) if isinstance(optimizer, str) else None
    kind = info.kind.replace("_", " ") if info else ""
    what = (
        f"{info.label} ({kind}) is not one the trainer runs" if info else f"unknown optimizer {optimizer!r}"
    )
    raise ValueError(f"{what}; valid: {', '.join(TRAINABLE)} (the optimizers the trainer takes)")


def _check_model(model: Any) -> None:
    if not isinstance(model, Model):
        raise ValueError(f"model must be built by training.make_model; got {type(model).__name__}")


def _data(model: Model, X: Any, y: Any, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{x_name} and {y_name} must be arrays of numbers") from None
    d = model.n_inputs
    if X.ndim != 2 or X.shape[1] != d or len(X) == 0:
        raise ValueError(
            f"{x_name} must have shape (n, {d}) with n >= 1 for this {model.name}; got {X.shape}"
        )
    if y.shape != (len(X),):
        raise ValueError(
            f"{y_name} must have shape ({len(X)},), one target per row of {x_name}; got {y.shape}"
        )
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError(f"{x_name} and {y_name} must be finite numbers (no NaN or inf)")
    if model.task == "classification" and not np.all((y == 0) | (y == 1)):
        raise ValueError(f"{y_name} must hold class labels 0 and 1 for classification")
    return X, y


def _splits(splits: Any, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    allowed = f"splits must be a non-empty list of (train, validation) index arrays into range({n})"
    try:
        pairs = list(splits)
        train_sets = [np.asarray(t) for t, _ in pairs]
        val_sets = [np.asarray(v) for _, v in pairs]
    except (TypeError, ValueError):
        raise ValueError(allowed) from None
    if not pairs:
        raise ValueError(allowed)
    for s in train_sets + val_sets:
        ok = s.ndim == 1 and len(s) > 0 and np.issubdtype(s.dtype, np.integer)
        if not ok or s.min() < 0 or s.max() >= n or len(np.unique(s)) != len(s):
            raise ValueError(f"{allowed}, each with at least one index and none twice")
    return train_sets, val_sets


def _seeds(seeds: Any, B: int) -> list[int]:
    if np.ndim(seeds) == 0:
        return [whole(seeds, "seed", 0, 2**63 - 1)] * B
    seeds = list(np.asarray(seeds).tolist())
    if len(seeds) != B:
        raise ValueError(f"seeds must be one whole number or {B} of them (one per split); got {len(seeds)}")
    return [whole(s, "seed", 0, 2**63 - 1) for s in seeds]


def _theta0(model: Model, theta0: Any, B: int, seeds: list[int]) -> np.ndarray:
    if theta0 is None:
        return np.stack([model.init(s) for s in seeds])
    try:
        theta0 = np.asarray(theta0, dtype=float)
    except (TypeError, ValueError):
        theta0 = np.empty(0)
    P = model.n_params
    if theta0.shape == (P,):
        theta0 = np.broadcast_to(theta0, (B, P))
    if theta0.shape != (B, P) or not np.all(np.isfinite(theta0)):
        raise ValueError(
            f"theta0 must be finite numbers of shape ({P},) or ({B}, {P}); got shape {theta0.shape}"
        )
    return np.array(theta0)


def _lr_spec(optimizer: str):
    return next(p for p in OPTIMIZERS[optimizer].hyper if p.name == "lr")


def _per_row(value: Any, name: str, B: int, minimum: float, exclusive: bool = False) -> Any:
    """A validated float, or B floats as an array (B,)."""
    spec = _lr_spec("sgd") if name == "lr" else None
    if np.ndim(value) == 0:
        number = value.item() if isinstance(value, np.ndarray) else value
        if spec is not None:
            return float(spec.validate(number))
        ok = isinstance(number, (int, float, np.number)) and not isinstance(number, (bool, np.bool_))
        if not ok or not np.isfinite(number) or number < minimum:
            raise ValueError(f"{name} must be a finite number >= {minimum:g}; got {value!r}")
        return float(number)
    try:
        values = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or {B} numbers") from None
    if values.shape != (B,):
        raise ValueError(f"{name} must be a number or {B} numbers (one per split); got shape {values.shape}")
    if not np.all(np.isfinite(values)) or values.min() < minimum or (exclusive and values.min() <= minimum):
        raise ValueError(f"{name} must hold finite numbers {'>' if exclusive else '>='} {minimum:g}")
    return values


def _column(value: Any, B: int, dtype: Any) -> Any:
    """A float stays a float; B values become a (B, 1) column that broadcasts against theta (B, P)."""
    if np.ndim(value) == 0:
        return value
    values = np.asarray(value)
    if values.shape not in ((B,), (B, 1)):
        raise ValueError(
            f"a hyperparameter must be a number or {B} numbers (one per split); got shape {values.shape}"
        )
    if not np.issubdtype(values.dtype, np.number) or values.dtype == bool:
        raise ValueError("hyperparameters must be numbers")
    return values.reshape(B, 1).astype(dtype)
