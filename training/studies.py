"""The training-practice page's studies, as plain functions of one `Setup` (no streamlit).

    setup = Setup(dataset="sine", n_samples=60, noise=0.3, degree=15, optimizer="newton", epochs=1)
    history = fit(setup)                                  # one model on the setup's train split
    panels = capacity_panels(setup)                       # under / appropriate / overfitting
    tr, va = learning_curve_point(setup, size=20, seeds=(0, 1, 2))
    folds, single = cv_point(setup, "degree", 4, k=5)     # k-fold CV on train + validation
    result = search(setup, "grid")                        # lr x L2 x epochs on the validation set
    row = diagnose(human_level(setup)[0], train_error, val_error)

Whole studies (`fit_job`, `capacity_panels`, `learning_curve`, `validation_curve`,
`cross_validation`, `search`) are jobs of `sweeps.background`: pure functions of plain values that
take a ``progress(epochs done, epochs total)`` keyword, so the page runs the long ones in the worker
process with a progress bar and a Cancel button. Their cost model is here too: `work` (about the
multiply-adds of one training) and `estimated_seconds` (of a whole study), which decide whether a
study runs in the page, in the worker, or not at all.

Errors are what the lecture's tables compare: the mean squared error for regression, the error rate
(1 - accuracy) for classification. The test part of the split never enters a study; only
`test_error` reads it, when the page is asked to.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from optimizers import OPTIMIZERS
from training.datasets import DATASETS, kfold_indices, make_dataset, split_indices
from training.models import Model, make_model
from training.trainer import BEST_RTOL, FIRST_ORDER, SECOND_ORDER, History, train, train_batch

PAGE_SECOND_ORDER = SECOND_ORDER  # full-batch solvers of polynomial least squares (from the registry)
CAPACITY_DEGREES = (1, 4, 15)
CAPACITY_WIDTHS = (1, 8, 64)
VALIDATION_VALUES: dict[str, tuple[float, ...]] = {
    "degree": tuple(range(1, 16)),
    "l2": (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0),
    "width": (1, 2, 4, 8, 16, 32, 64),
}
# The search space, in the search page's vocabulary (`sweeps.Range`, `grid_points`, `random_points`):
SEARCH_LR_SPAN = (0.1, 2.7)  # x the page's learning rate, log scale: a grid of 0.1, 0.3, 0.9, 2.7
SEARCH_L2_SPAN = (1e-4, 1e-1)  # log scale; our losses are means of O(1) terms: larger λ crushes weights
SEARCH_GRID = (4, 4)  # lr x L2 values of the grid
SEARCH_EPOCH_FRACTIONS = (1 / 3, 2 / 3, 1.0)
SEARCH_SETTINGS = SEARCH_GRID[0] * SEARCH_GRID[1] * len(SEARCH_EPOCH_FRACTIONS)  # 4 x 4 x 3
SEARCH_DEFAULT_EPOCHS = 200  # when the page's optimizer is a one-step solver
ERROR_LABELS = {"regression": "mean squared error", "classification": "error rate (1 − accuracy)"}
# The cost model: about 5e7 multiply-adds of training per second here (3 x 64 units, 600 samples,
# batch 32, 500 epochs is 2.4e9: about 40 s).
WORK_PER_SECOND = 5e7
MAX_FIT_SECONDS = 10.0  # one training on a click: longer ones are refused with a message
MAX_STUDY_SECONDS = 120.0  # a study of many trainings (curves, search, CV): about two minutes

Progress = Callable[[int, int], None] | None  # progress(epochs done, epochs total); may raise to stop


@dataclass(frozen=True)
class Setup:
    """Everything the page chose, as plain hashable values (cache keys)."""

    dataset: str = "sine"
    n_samples: int = 60
    noise: float = 0.3
    label_noise: float = 0.0
    seed: int = 0
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)
    model: str = "polynomial"
    degree: int = 4
    hidden: tuple[int, ...] = (16,)
    activation: str = "relu"
    l2: float = 0.0
    optimizer: str = "newton"
    hyper: tuple[tuple[str, Any], ...] = ()  # sorted (name, value) pairs of the optimizer
    epochs: int = 1
    batch_size: int | None = None  # None: full batch
    schedule: tuple[tuple[str, Any], ...] | None = None  # sorted ("kind", ...) pairs; None: constant
    early_stopping: bool = False  # keep the parameters of the best validation epoch, not the last

    @property
    def task(self) -> str:
        return DATASETS[self.dataset].task

    def replace(self, **changes: Any) -> Setup:
        return dataclasses.replace(self, **changes)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """(X (n, d), y (n,)) of the data set."""
        params = {"label_noise": self.label_noise} if self.task == "classification" else {}
        return make_dataset(self.dataset, self.n_samples, self.noise, self.seed, **params)

    def parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(train, validation, test) index arrays."""
        return split_indices(self.n_samples, self.fractions, self.seed)

    def build(self) -> Model:
        if self.model == "polynomial":
            if self.task != "regression":
                raise ValueError(
                    "the polynomial model fits 1D regression data; pick the MLP for classification"
                )
            return make_model("polynomial", degree=self.degree, l2=self.l2)
        return make_model("mlp", hidden=self.hidden, activation=self.activation, l2=self.l2, task=self.task)


def error(model: Model, theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> Any:
    """The lecture's error of theta (P,) or thetas (B, P) on (X, y): mean squared error for
    regression, 1 - accuracy for classification. A float, or (B,)."""
    with np.errstate(all="ignore"):
        if model.task == "regression":
            return model.data_loss(theta, X, y)
        return _rate(np.mean((model.predict(theta, X) > 0.5) != (y > 0.5), axis=-1))


def epoch_errors(history: Any) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation error per epoch (..., epochs + 1) of a History or BatchHistory. Error
    rates are multiples of 1/n: rounded to 12 decimals, 1 - accuracy loses its round-off (a
    perfect fit reads 0, not 1.11e-15)."""
    if history.task == "regression":
        return np.asarray(history.train_loss), np.asarray(history.val_loss)
    return _rate(1.0 - np.asarray(history.train_acc)), _rate(1.0 - np.asarray(history.val_acc))


def _rate(errors: Any) -> Any:
    return np.round(errors, 12) + 0.0  # + 0.0: no "-0"


def batch_for(setup: Setup, n_train: int) -> int | None:
    """The minibatch size that can be used: full batch when it asks for at least the whole set."""
    if setup.batch_size is None or setup.batch_size >= n_train or setup.optimizer in PAGE_SECOND_ORDER:
        return None
    return int(setup.batch_size)


def _schedule(setup: Setup) -> dict | None:
    return dict(setup.schedule) if setup.schedule else None


def fit(
    setup: Setup,
    train_idx: np.ndarray | None = None,
    val_idx: np.ndarray | None = None,
    seed: int | None = None,
    progress: Progress = None,
) -> History:
    """Train the setup's model on its train split (or `train_idx`), validating on `val_idx`."""
    X, y = setup.data()
    tr, va, _ = setup.parts()
    tr = tr if train_idx is None else train_idx
    va = va if val_idx is None else val_idx
    return train(
        setup.build(),
        X[tr],
        y[tr],
        X[va],
        y[va],
        setup.optimizer,
        setup.epochs,
        batch_for(setup, len(tr)),
        setup.seed if seed is None else seed,
        _schedule(setup),
        progress=progress,
        **dict(setup.hyper),
    )


def fit_job(setup: Setup, progress: Progress = None) -> History:
    """`fit` on the setup's own split: the page's single training, as a job."""
    return fit(setup, progress=progress)


# --------------------------------------------------------------------------- cost model


def work(setup: Setup) -> float:
    """About the multiply-adds of one training: iterations x samples per iteration x parameters."""
    n_train = len(setup.parts()[0])
    batch = batch_for(setup, n_train)
    iterations = setup.epochs * (1 if batch is None else n_train // batch)
    return float(iterations * (batch or n_train) * setup.build().n_params)


def widest(setup: Setup, param: str, values: Any) -> Setup:
    """The setup at the most expensive value of a swept hyperparameter (the widest network)."""
    if param == "width":
        return setup.replace(hidden=(int(max(values)),) * len(setup.hidden))
    if param == "degree":
        return setup.replace(degree=int(max(values)))
    return setup


def estimated_seconds(study: str, setup: Setup, **args: Any) -> float:
    """About how long a study (a job name of `sweeps.background`) takes in one process: "fit",
    "capacity", "learning_curve" (seeds=...), "validation_curve" (param=..., seeds=...),
    "cross_validation" (param=..., k=...) or "training_search"."""
    if study == "fit":
        trainings = work(setup)
    elif study == "capacity":
        trainings = sum(work(s) for s in capacity_setups(setup)) if setup.model == "mlp" else 0.0
    elif study == "learning_curve":
        trainings = len(learning_sizes(setup)) * len(args["seeds"]) * work(setup)
    elif study == "validation_curve":
        values = swept_values(args["param"])
        trainings = len(values) * len(args["seeds"]) * work(widest(setup, args["param"], values))
    elif study == "cross_validation":
        values = swept_values(args["param"])
        trainings = len(values) * (args["k"] + 1) * work(widest(setup, args["param"], values))
    elif study == "training_search":
        optimizer, _, max_epochs = search_optimizer(setup)
        searched = setup.replace(optimizer=optimizer, epochs=max_epochs)
        trainings = SEARCH_GRID[0] * SEARCH_GRID[1] * work(searched)
    else:
        raise ValueError(f"unknown study {study!r}")
    return trainings / WORK_PER_SECOND


class _Tally:
    """Progress over the several trainings of one study, counted in epochs."""

    def __init__(self, progress: Progress, total: int):
        self.progress, self.total, self.done = progress, max(int(total), 1), 0

    def training(self, epochs: int) -> Progress:
        """The progress callback of the next training (of `epochs` epochs)."""
        if self.progress is None:
            return None
        start = self.done
        self.done += epochs
        return lambda e, _n: self.progress(min(start + e, self.total), self.total)


def kept_epoch(setup: Setup, history: History) -> int:
    """The epoch whose parameters the model keeps: the best validation epoch with early stopping
    (`History.best_epoch`), else the last."""
    return history.best_epoch if setup.early_stopping else history.epochs


def test_error(setup: Setup, history: History, epoch: int | None = None) -> float:
    """The error on the test part of the parameters after `epoch` (default: the kept epoch, see
    `kept_epoch`)."""
    X, y = setup.data()
    _, _, te = setup.parts()
    theta = history.thetas[kept_epoch(setup, history) if epoch is None else epoch]
    return float(error(setup.build(), theta, X[te], y[te]))


def human_level(setup: Setup) -> tuple[float, bool]:
    """The best reachable error on fresh data and whether it is only an estimate.

    Regression: the noise variance σ² (exact: the true function is known). Classification: the
    label-noise rate p; an estimate when the inputs are noisy too (noisy inputs of the two classes
    can overlap, which adds error no model can avoid)."""
    if setup.task == "regression":
        return setup.noise**2, False
    return setup.label_noise, setup.noise > 0


class Diagnosis(NamedTuple):
    avoidable_bias: float  # training error - human-level error
    variance: float  # validation error - training error
    verdict: str  # "high bias", "high variance", "both", "good fit"
    remedy: str


def diagnose(human: float, train_error: float, val_error: float, tolerance: float | None = None) -> Diagnosis:
    """The lecture's bias / variance table: a gap larger than `tolerance` (default: a quarter of
    the largest of the three errors, at least 0.005) is named."""
    bias, variance = train_error - human, val_error - train_error
    tol = max(0.005, 0.25 * max(human, train_error, val_error)) if tolerance is None else tolerance
    big_bias, big_var = bias > tol, variance > tol
    if big_bias and big_var:
        return Diagnosis(
            bias, variance, "both", "first reduce the bias (bigger model, train longer), then the variance"
        )
    if big_bias:
        return Diagnosis(
            bias,
            variance,
            "high bias",
            "underfitting: a bigger model, or train longer (or a better optimizer)",
        )
    if big_var:
        return Diagnosis(
            bias, variance, "high variance", "overfitting: more data, or more regularization (L2)"
        )
    return Diagnosis(bias, variance, "good fit", "both gaps are small: nothing to fix")


class Panel(NamedTuple):
    title: str
    model: Model
    theta: np.ndarray
    train_error: float
    val_error: float


def capacity_setups(setup: Setup) -> list[Setup]:
    """The three MLPs of the capacity panels: widths 1 / 8 / 64 with the setup's layers."""
    return [setup.replace(hidden=(w,) * len(setup.hidden)) for w in CAPACITY_WIDTHS]


def capacity_panels(setup: Setup, progress: Progress = None) -> list[Panel]:
    """Under-, appropriate and overfitting on the setup's data and split: polynomial degrees 1 / 4 /
    15 solved by Newton in one step (the ridge solution; first-order methods cannot reach the
    degree-15 fit, whose Hessian has a condition number of about 1e11), or MLPs of widths 1 / 8 / 64
    (the setup's number of layers) trained with the setup's optimizer."""
    X, y = setup.data()
    tr, va, _ = setup.parts()
    panels = []
    if setup.model == "polynomial":
        for degree in CAPACITY_DEGREES:
            model = make_model("polynomial", degree=degree, l2=setup.l2)
            theta = train(model, X[tr], y[tr], X[va], y[va], "newton", 1, lr=1.0).theta
            panels.append(_panel(f"degree {degree}", model, theta, X, y, tr, va))
    else:
        tally = _Tally(progress, len(CAPACITY_WIDTHS) * setup.epochs)
        for width, wide in zip(CAPACITY_WIDTHS, capacity_setups(setup), strict=True):
            history = fit(wide, progress=tally.training(wide.epochs))
            kept = history.thetas[kept_epoch(wide, history)]
            panels.append(_panel(f"width {width}", wide.build(), kept, X, y, tr, va))
    verdicts = capacity_verdicts([p.train_error for p in panels], [p.val_error for p in panels])
    return [p._replace(title=f"{p.title}: {v}") for p, v in zip(panels, verdicts, strict=True)]


CAPACITY_TIE = 0.05  # validation errors within 5 % (relative) of the lowest count as equally good
CAPACITY_RULE = (
    "Titles from the numbers: the lowest validation error is *about right*; another within "
    f"{CAPACITY_TIE:.0%} of it is *about right too*; a smaller model with higher training and "
    "validation errors is *underfitting*; a larger one with a lower training but higher validation "
    "error is *overfitting*."
)


def capacity_verdicts(train_errors: Any, val_errors: Any) -> list[str]:
    """Words for models of growing capacity from their errors, by `CAPACITY_RULE`: "about right",
    "about right too", "underfitting", "overfitting", or "worse on validation" when neither fits."""
    train, val = np.asarray(train_errors, dtype=float), np.asarray(val_errors, dtype=float)
    finite = np.where(np.isfinite(val), val, np.inf)
    best = int(np.argmin(finite))  # the first (smallest model) among equal errors
    words = []
    for i in range(len(val)):
        if i == best:
            words.append("about right")
        elif finite[i] <= finite[best] * (1 + CAPACITY_TIE):
            words.append("about right too")
        elif i < best and train[i] > train[best]:
            words.append("underfitting")
        elif i > best and train[i] < train[best]:
            words.append("overfitting")
        else:
            words.append("worse on validation")
    return words


def hessian_condition(setup: Setup, degree: int = max(CAPACITY_DEGREES)) -> float:
    """The condition number of the polynomial loss's Hessian (degree `degree`, the setup's L2) on
    the setup's training split: why first-order methods never reach the degree-15 overfit."""
    X, y = setup.data()
    tr, _, _ = setup.parts()
    model = make_model("polynomial", degree=degree, l2=setup.l2)
    return float(np.linalg.cond(model.hessian(model.init(0), X[tr], y[tr])))


def _panel(title, model, theta, X, y, tr, va) -> Panel:
    return Panel(
        title,
        model,
        theta,
        float(error(model, theta, X[tr], y[tr])),
        float(error(model, theta, X[va], y[va])),
    )


# --------------------------------------------------------------------------- studies over runs


def _pool(setup: Setup) -> np.ndarray:
    """Train + validation indices: what CV and curves may use (the test part stays out)."""
    tr, va, _ = setup.parts()
    return np.sort(np.concatenate([tr, va]))


def _errors_of_runs(
    setup: Setup,
    splits: list[tuple[np.ndarray, np.ndarray]],
    seeds: list[int],
    progress: Progress = None,
    **changes: Any,
):
    """Train the (changed) setup on each (train, val) pair; the final train and validation errors (B,)."""
    s = setup.replace(**changes) if changes else setup
    X, y = s.data()
    model = s.build()
    if s.optimizer in PAGE_SECOND_ORDER:
        out = [fit(s, tr, va, seed) for (tr, va), seed in zip(splits, seeds, strict=True)]
        errs = np.array([[e[-1] for e in epoch_errors(h)] for h in out])
        if progress is not None:
            progress(s.epochs, s.epochs)
        return errs[:, 0], errs[:, 1]
    size = min(len(tr) for tr, _ in splits)
    splits = [(tr[:size], va) for tr, va in splits]  # equal sets: the same minibatches per epoch
    batch = train_batch(
        model,
        X,
        y,
        splits,
        s.optimizer,
        s.epochs,
        batch_for(s, size),
        seeds,
        _schedule(s),
        keep_thetas=False,
        progress=progress,
        **dict(s.hyper),
    )
    errs = [e[:, -1] for e in epoch_errors(batch)]
    return errs[0], errs[1]


def learning_sizes(setup: Setup, points: int = 6) -> tuple[int, ...]:
    """Training-set sizes from a few samples to the whole train split, roughly log-spaced."""
    n_train = len(setup.parts()[0])
    # at least twice as many samples as a polynomial's coefficients: fewer interpolate (error ~0)
    low = min(n_train, max(4, 2 * (setup.degree + 1) if setup.model == "polynomial" else 8))
    sizes = np.unique(np.round(np.geomspace(low, n_train, points)).astype(int))
    return tuple(int(s) for s in sizes)


def learning_curve_point(
    setup: Setup, size: int, seeds: tuple[int, ...], progress: Progress = None
) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation error (len(seeds),) with `size` training samples drawn (per seed) from
    the train split; validation on the validation split."""
    tr, va, _ = setup.parts()
    splits = [(np.sort(np.random.default_rng(s).choice(tr, size, replace=False)), va) for s in seeds]
    return _errors_of_runs(setup, splits, [setup.seed + s for s in seeds], progress)


class Curve(NamedTuple):
    """A learning or validation curve: train and validation errors (points, seeds) at `x`."""

    x: tuple[float, ...]
    train_error: np.ndarray
    val_error: np.ndarray


def learning_curve(setup: Setup, seeds: tuple[int, ...], progress: Progress = None) -> Curve:
    """`learning_curve_point` at every size of `learning_sizes`."""
    sizes = learning_sizes(setup)
    tally = _Tally(progress, len(sizes) * setup.epochs)
    points = [learning_curve_point(setup, n, seeds, tally.training(setup.epochs)) for n in sizes]
    return Curve(sizes, np.array([p[0] for p in points]), np.array([p[1] for p in points]))


def _changes(setup: Setup, param: str, value: float) -> dict[str, Any]:
    if param == "degree":
        return {"degree": int(value)}
    if param == "width":
        return {"hidden": (int(value),) * len(setup.hidden)}
    if param == "l2":
        return {"l2": float(value)}
    raise ValueError(f"unknown hyperparameter {param!r}; valid: degree, l2, width")


def swept_values(param: str) -> tuple[float, ...]:
    """The values a validation curve or CV tries for `param`; ValueError for an unknown one."""
    if param not in VALIDATION_VALUES:
        raise ValueError(f"unknown hyperparameter {param!r}; valid: {', '.join(VALIDATION_VALUES)}")
    return VALIDATION_VALUES[param]


def curve_params(setup: Setup) -> tuple[str, ...]:
    """The hyperparameters a validation curve or CV can sweep for the setup's model."""
    return ("degree", "l2") if setup.model == "polynomial" else ("width", "l2")


def validation_curve_point(
    setup: Setup, param: str, value: float, seeds: tuple[int, ...], progress: Progress = None
) -> tuple[np.ndarray, np.ndarray]:
    """Train and validation error (len(seeds),) with `param` = value; each seed draws a new
    train / validation split of train + validation in the setup's proportions (test stays out)."""
    pool = _pool(setup)
    share = setup.fractions[0] / (setup.fractions[0] + setup.fractions[1])
    splits = []
    for s in seeds:
        tr, va, _ = split_indices(len(pool), (share, 1.0 - share, 0.0), setup.seed + 1000 + s)
        splits.append((pool[tr], pool[va]))
    return _errors_of_runs(
        setup, splits, [setup.seed + s for s in seeds], progress, **_changes(setup, param, value)
    )


def validation_curve(setup: Setup, param: str, seeds: tuple[int, ...], progress: Progress = None) -> Curve:
    """`validation_curve_point` at every value of `VALIDATION_VALUES[param]`."""
    values = swept_values(param)
    tally = _Tally(progress, len(values) * setup.epochs)
    points = [validation_curve_point(setup, param, v, seeds, tally.training(setup.epochs)) for v in values]
    return Curve(values, np.array([p[0] for p in points]), np.array([p[1] for p in points]))


def cv_folds(setup: Setup, k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """k folds of train + validation, as indices into the whole data set."""
    pool = _pool(setup)
    return [(pool[tr], pool[va]) for tr, va in kfold_indices(len(pool), k, setup.seed)]


def cv_point(
    setup: Setup, param: str, value: float, k: int, progress: Progress = None
) -> tuple[np.ndarray, float]:
    """k-fold CV with `param` = value: the validation error of each fold (k,), and the single
    split's validation error (trained on train, validated on validation) for comparison."""
    folds = cv_folds(setup, k)
    changes = _changes(setup, param, value)
    tally = _Tally(progress, 2 * setup.epochs)
    _, fold_val = _errors_of_runs(setup, folds, [setup.seed] * k, tally.training(setup.epochs), **changes)
    tr, va, _ = setup.parts()
    _, single = _errors_of_runs(setup, [(tr, va)], [setup.seed], tally.training(setup.epochs), **changes)
    return fold_val, float(single[0])


class CrossValidation(NamedTuple):
    """k-fold CV over the values of one hyperparameter."""

    values: tuple[float, ...]
    scores: np.ndarray  # (values, k) validation error of each fold
    single: np.ndarray  # (values,) the single split's validation error


def cross_validation(setup: Setup, param: str, k: int, progress: Progress = None) -> CrossValidation:
    """`cv_point` at every value of `VALIDATION_VALUES[param]`."""
    values = swept_values(param)
    tally = _Tally(progress, len(values) * 2 * setup.epochs)
    points = [cv_point(setup, param, v, k, tally.training(2 * setup.epochs)) for v in values]
    return CrossValidation(values, np.array([p[0] for p in points]), np.array([p[1] for p in points]))


# --------------------------------------------------------------------------- hyperparameter search


class SearchResult(NamedTuple):
    optimizer: str
    lr: np.ndarray  # (S,) one entry per setting tried
    l2: np.ndarray
    epochs: np.ndarray
    train_error: np.ndarray
    val_error: np.ndarray
    best: int  # the setting ranked first (see `order`)
    best_theta: np.ndarray  # (P,) its parameters
    best_l2: float
    val_loss: np.ndarray  # (S,) the data loss on the validation part: breaks ties of the error
    order: np.ndarray  # (S,) settings by validation error, then validation loss (TIE_RULE)
    tied_error: int  # settings that share the lowest validation error (1: no tie)
    tied: int  # ... and the lowest validation loss too, within round-off (1: the best is unique)


def search_optimizer(setup: Setup) -> tuple[str, float, int]:
    """The optimizer, base learning rate and epoch budget a search uses: the setup's own, or Adam
    at its default when the setup's is a one-step solver (its lr is no hyperparameter to tune)."""
    if setup.optimizer in FIRST_ORDER:
        hyper = dict(setup.hyper)
        lr = hyper.get("lr", next(p.default for p in OPTIMIZERS[setup.optimizer].hyper if p.name == "lr"))
        return setup.optimizer, float(lr), max(int(setup.epochs), 3)
    lr = next(p.default for p in OPTIMIZERS["adam"].hyper if p.name == "lr")
    return "adam", float(lr), SEARCH_DEFAULT_EPOCHS


def search_ranges(lr0: float) -> tuple[Any, Any]:
    """The searched ranges (`sweeps.Range`): the learning rate around `lr0` and the L2 strength."""
    from sweeps.hyperparameters import Range  # pandas comes with it: only when a search runs

    lr = Range("lr", lr0 * SEARCH_LR_SPAN[0], lr0 * SEARCH_LR_SPAN[1], log=True)
    return lr, Range("l2", *SEARCH_L2_SPAN, log=True)


def search_grid(lr0: float) -> dict[str, np.ndarray]:
    """The grid's lr and L2 values (`sweeps.grid_points`, lr varies slowest), rounded to 12
    significant digits so that 0.3 reads 0.3, not 0.30000000000000004."""
    from sweeps.hyperparameters import grid_points

    points = grid_points(search_ranges(lr0), SEARCH_GRID)
    return {name: np.array([float(f"{v:.12g}") for v in values]) for name, values in points.items()}


def search_budgets(max_epochs: int) -> np.ndarray:
    """The grid's epoch budgets: fractions of the largest."""
    return np.array(sorted({max(1, round(f * max_epochs)) for f in SEARCH_EPOCH_FRACTIONS}))


def search(setup: Setup, method: str, seed: int = 0, progress: Progress = None) -> SearchResult:
    """Grid (4 lr x 4 L2 x 3 epoch budgets) or random search (as many settings, drawn log-uniform
    in the same ranges, epochs uniform) on the validation split, with the sweeps' `grid_points`
    and `random_points`. Every lr x L2 pair trains once for the largest
    budget; a setting's epoch budget reads that run at its epoch (the same run stopped earlier)."""
    if method not in ("grid", "random"):
        raise ValueError(f"method must be 'grid' or 'random'; got {method!r}")
    optimizer, lr0, max_epochs = search_optimizer(setup)
    if method == "grid":
        points = search_grid(lr0)
        lr_r, l2_r = points["lr"], points["l2"]
        budgets = search_budgets(max_epochs)
        rows = np.repeat(np.arange(lr_r.size), budgets.size)
        epochs = np.tile(budgets, lr_r.size)
    else:
        from sweeps.hyperparameters import Range, random_points

        # integers low..max_epochs drawn uniformly: a uniform draw on [low - 1/2, max + 1/2], rounded
        low = max(1, round(max_epochs / 3))
        span = Range("epochs", low - 0.5, max_epochs + 0.5)
        points = random_points((*search_ranges(lr0), span), SEARCH_SETTINGS, seed)
        lr_r, l2_r = points["lr"], points["l2"]
        rows = np.arange(SEARCH_SETTINGS)
        epochs = np.clip(np.round(points["epochs"]).astype(int), low, max_epochs)
    X, y = setup.data()
    tr, va, _ = setup.parts()
    hyper = {k: v for k, v in setup.hyper if k != "lr"} if optimizer == setup.optimizer else {}
    batch = train_batch(
        setup.build(),
        X,
        y,
        [(tr, va)] * lr_r.size,
        optimizer,
        int(epochs.max()),
        batch_for(setup.replace(optimizer=optimizer), len(tr)),
        setup.seed,
        _schedule(setup),
        progress=progress,
        lr=lr_r,
        l2=l2_r,
        **hyper,
    )
    train_err, val_err = epoch_errors(batch)
    tr_e, va_e = train_err[rows, epochs], val_err[rows, epochs]
    va_loss = batch.val_loss[rows, epochs]
    order, tied_error, tied = rank_settings(va_e, va_loss)
    best = int(order[0])
    return SearchResult(
        optimizer,
        lr_r[rows],
        l2_r[rows],
        epochs,
        tr_e,
        va_e,
        best,
        batch.thetas[rows[best], epochs[best]].astype(float),
        float(l2_r[rows[best]]),
        va_loss,
        order,
        tied_error,
        tied,
    )


TIE_RULE = (
    "ranked by validation error; equal errors by the validation loss (the data loss on the validation part)"
)


def rank_settings(val_error: np.ndarray, val_loss: np.ndarray) -> tuple[np.ndarray, int, int]:
    """The settings' order by validation error, ties broken by validation loss (non-finite last),
    and how many share the best error, and the best error and loss (within BEST_RTOL): a ranking
    that depends on the values only, never on the rows' order, unless the page says they tie."""
    err = np.where(np.isfinite(val_error), val_error, np.inf)
    loss = np.where(np.isfinite(val_loss), val_loss, np.inf)
    order = np.lexsort((loss, err))
    first = order[0]
    same_error = err == err[first]
    with np.errstate(invalid="ignore"):
        same_loss = np.abs(loss - loss[first]) <= BEST_RTOL * np.abs(loss[first])
    return order, int(same_error.sum()), int((same_error & same_loss).sum())


def search_test_error(setup: Setup, result: SearchResult) -> float:
    """The chosen setting's error on the test part (asked for once, at the end)."""
    X, y = setup.data()
    _, _, te = setup.parts()
    return float(error(setup.replace(l2=result.best_l2).build(), result.best_theta, X[te], y[te]))
