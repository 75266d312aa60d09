"""The training-practice page's scene, as data (no streamlit): its settings table (keys, which are
also the URL names, start with ``tr_``), the turning of the settings' values into the trainer's
`Setup` (`setup_of`), and the lesson presets as typed `Preset`s whose notes are made of `Claim`s
that `check` evaluates on the trainer's numbers (tests check every claim of every preset).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import optimizers
from optimizers.schedules import SCHEDULES
from scenes.claims import Verdict
from scenes.settings import NO_PRESET as NO_PRESET  # the page reads it from here
from scenes.settings import Setting, SettingsTable, fmt, preset_setting
from training import DATASETS, MODELS, SPLIT_PRESETS
from training import studies as ts
from training.trainer import FIRST_ORDER

KEY = "tr_"
CUSTOM = "custom"
FULL = "full"
BATCHES = (FULL, "1", "4", "8", "16", "32", "64", "128")
L2_STOPS = ("0", "1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1", "1")
# First-order rates that suit our losses (means of O(1) terms) better than the explorer's surfaces'.
PAGE_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.01, "adam": 0.01, "adagrad": 0.1}
VIEWS = (
    "Training",
    "Under- and overfitting",
    "Learning and validation curves",
    "Hyperparameter search",
    "Cross-validation",
    "Bias / variance",
)
PARAM_LABELS = {"degree": "degree d", "l2": "L2 strength λ", "width": "hidden width"}

INTRO = (
    "Fitting the training data is not yet learning: **learning means doing well on unseen data.** "
    "Train a small model with the explorer's optimizers on the **training** part, watch the "
    "**validation** part to choose settings and to stop early, and look at the **test** part only "
    "once, at the very end."
)
NEWTON_NOTE = (
    "**{label} on polynomial least squares, full batch.** The loss is quadratic in θ, so "
    "Newton's second-order model of it is exact: with α = 1 it lands on the ridge solution in one "
    "step (epoch 1), the lecture's question answered live. Gauss-Newton is the same step here "
    "(the residuals are linear in θ); LM blends it with gradient descent through its damping."
)
CONDITIONING_NOTE = (
    "**Why Newton, not the chosen optimizer?** The monomials 1, x, …, x¹⁵ on [−1, 1] are almost "
    "linearly dependent: the Hessian of the degree-15 least-squares loss has a condition number "
    "of about 10¹¹ (more with few points; L2 lowers it). A first-order method moves along the "
    "steep directions only; along the flat ones it would need ~10¹¹ iterations, so it never "
    "reaches the overfit. Newton divides by the curvature and lands on the ridge solution in one "
    "step, a lesson on conditioning in itself."
)


@dataclass(frozen=True)
class Claim:
    """One thing a preset's note says, checkable on the trainer's numbers: `fact` `relation`
    (`than` x `factor`, or `value`), on the preset's scene with `change` applied (a `than` that
    starts with ``base:`` is read on the scene without the change).

    Facts (see `facts`): ``fit.train`` / ``fit.val`` (final errors), ``fit.train_loss_best``,
    ``fit.train_loss_last``, ``fit.val_loss_best``, ``fit.val_loss_last``, ``fit.best_epoch``,
    ``fit.epochs``; ``human`` (the best reachable error) and ``verdict`` (the bias / variance
    diagnosis of the final errors); ``degree4.train``, ``width64.val``, ... (the capacity panels);
    ``cv.pick`` / ``cv.single_pick`` (the value each picks), ``cv.std_pick`` and ``cv.std_top``
    (the folds' spread at the pick and at the largest value).
    """

    text: str
    fact: str
    relation: str  # "<", ">" or "=="
    than: str | None = None
    factor: float = 1.0
    value: Any = None
    change: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Preset:
    title: str
    note: str
    settings: Mapping[str, Any]
    claims: tuple[Claim, ...] = field(default=())


MORE, SOME_L2, DEGREE_15 = (("n", 300),), (("l2", "0.001"),), (("degree", 15),)  # the notes' "try"
RELATIONS = {"<": operator.lt, ">": operator.gt, "==": operator.eq}

PRESETS: dict[str, Preset] = {
    "overfit15": Preset(
        "Overfitting a degree-15 polynomial",
        "30 noisy samples of sin(πx). Degree 15 (right) passes close to every training point, "
        "its training error is the smallest, but it swings between them: its validation error is "
        "far above degree 4's. Degree 1 (left) is too simple for both. Raise n or L2 and watch the "
        "swings calm down.",
        {
            "dataset": "sine",
            "n": 30,
            "noise": 0.3,
            "model": "polynomial",
            "degree": 15,
            "l2": "0",
            "optimizer": "newton",
            "epochs": 1,
            "view": VIEWS[1],
        },
        (
            Claim("degree 15's training error is the smallest", "degree15.train", "<", "degree4.train"),
            Claim("its validation error is far above degree 4's", "degree15.val", ">", "degree4.val", 2.0),
            Claim("degree 1 is too simple: training error", "degree1.train", ">", "degree4.train"),
            Claim("degree 1 is too simple: validation error", "degree1.val", ">", "degree4.val"),
            Claim(
                "raise n: the swings calm down", "degree15.val", "<", "base:degree15.val", 0.5, change=MORE
            ),
            Claim(
                "raise L2: the swings calm down",
                "degree15.val",
                "<",
                "base:degree15.val",
                0.5,
                change=SOME_L2,
            ),
        ),
    ),
    "early_stopping": Preset(
        "Early stopping",
        "A wide network (2 × 64) on 100 points with 10% flipped labels. The training loss "
        "keeps falling; the validation loss is lowest early (the green line) and then rises: the "
        "network learns the flipped labels. Early stopping keeps the parameters of the green "
        "epoch. Scrub the epoch slider under the data and watch the boundary curl around single "
        "points.",
        {
            "dataset": "moons",
            "n": 100,
            "noise": 0.2,
            "label_noise": 0.1,
            "model": "mlp",
            "layers": 2,
            "width": 64,
            "l2": "0",
            "optimizer": "adam",
            "adam_lr": 0.01,
            "epochs": 200,
            "batch": "16",
            "early_stop": True,
            "view": VIEWS[0],
        },
        (
            Claim("the training loss keeps falling", "fit.train_loss_last", "<", "fit.train_loss_best"),
            Claim("the validation loss is lowest early", "fit.best_epoch", "<", "fit.epochs", 0.5),
            Claim("and then rises", "fit.val_loss_last", ">", "fit.val_loss_best", 1.2),
            Claim(
                "early stopping keeps the green epoch's parameters", "fit.kept_epoch", "==", "fit.best_epoch"
            ),
        ),
    ),
    "cv_degree": Preset(
        "5-fold CV picks the degree",
        "Press **Run the cross-validation**. Each degree trains five times, each time validating "
        "on another fifth of train + validation. The mean over folds (orange) picks a low degree "
        "(the star); the single validation split (dotted) is noisier and would pick a higher one. "
        "High degrees vary wildly from fold to fold.",
        {
            "dataset": "sine",
            "n": 60,
            "noise": 0.3,
            "model": "polynomial",
            "l2": "0",
            "optimizer": "newton",
            "epochs": 1,
            "cv_k": 5,
            "cv_param": "degree",
            "view": VIEWS[4],
        },
        (
            Claim("the mean over folds picks a low degree", "cv.pick", "<", value=6),
            Claim("the single split would pick a higher one", "cv.single_pick", ">", "cv.pick"),
            Claim("high degrees vary wildly from fold to fold", "cv.std_top", ">", "cv.std_pick", 10.0),
        ),
    ),
    "bias_variance": Preset(
        "High bias vs high variance",
        "Degree 1: the training error is far above the best reachable error σ² — high "
        "(avoidable) bias; a bigger model helps. Now set the degree to 15: the training error falls "
        "below σ² and the validation error soars — high variance; more data (n) or L2 helps. The "
        "lower table shows degrees 1, 4 and 15 on the same data.",
        {
            "dataset": "sine",
            "n": 30,
            "noise": 0.3,
            "model": "polynomial",
            "degree": 1,
            "l2": "0",
            "optimizer": "newton",
            "epochs": 1,
            "view": VIEWS[5],
        },
        (
            Claim("degree 1: the training error is far above σ²", "fit.train", ">", "human", 2.0),
            Claim("high (avoidable) bias", "verdict", "==", value="high bias"),
            Claim(
                "degree 15: the training error falls below σ²",
                "fit.train",
                "<",
                "human",
                change=DEGREE_15,
            ),
            Claim("degree 15: high variance", "verdict", "==", value="high variance", change=DEGREE_15),
        ),
    ),
}


def _s(key: str, *args: Any, **kwargs: Any) -> Setting:
    return Setting(KEY + key, *args, **kwargs)


def _hyperparameter(key: str) -> Setting:
    """The hyperparameter a study varies (validation curve, cross-validation): L2 by default."""
    return _s(
        key,
        "hyperparameter",
        "choice",
        "l2",
        options=tuple(ts.VALIDATION_VALUES),
        option_label=PARAM_LABELS.get,
    )


PRESET = preset_setting(KEY + "preset", PRESETS)
DATASET = _s(
    "dataset",
    "Data set",
    "choice",
    "moons",
    options=tuple(DATASETS),
    option_label=lambda k: f"{DATASETS[k].label} ({DATASETS[k].task})",
)
N = _s("n", "samples n", "int", 200, low=20, high=1000, help="Train + validation + test.")
NOISE = _s(
    "noise",
    "noise",
    "float",
    0.2,
    low=0.0,
    high=1.0,
    step=0.05,
    help="Std of the Gaussian noise on y (regression) or on the inputs (classification).",
)
LABEL_NOISE = _s(
    "label_noise",
    "label noise p",
    "float",
    0.05,
    low=0.0,
    high=0.5,
    step=0.01,
    help="Fraction of labels flipped: part of the best reachable error on fresh data (the rest is "
    "the overlap of the classes' noisy inputs).",
)
SEED = _s("seed", "seed", "int", 0, low=0, high=2**31 - 1, style="number", help="Data, split and init.")
SPLIT = _s(
    "split",
    "Split train / validation / test",
    "choice",
    "60/20/20",
    options=(*SPLIT_PRESETS, CUSTOM),
    style="radio",
)
TRAIN_FRAC = _s("train_frac", "train fraction", "float", 0.6, low=0.05, high=0.95, step=0.05)
VAL_FRAC = _s("val_frac", "validation fraction", "float", 0.2, low=0.05, high=0.95, step=0.05)
MODEL = _s("model", "Model", "choice", "mlp", options=tuple(MODELS), option_label=lambda k: MODELS[k].label)
DEGREE = _s("degree", "degree d", "int", 4, low=1, high=15)
LAYERS = _s("layers", "hidden layers", "int", 2, low=1, high=3)
WIDTH = _s("width", "width (units per layer)", "int", 16, low=1, high=64)
ACTIVATION = _s("activation", "activation", "choice", "relu", options=("relu", "tanh"), style="radio")
L2 = _s(
    "l2",
    "L2 strength λ",
    "choice",
    "0",
    options=L2_STOPS,
    help="Adds λ·|weights|² to the loss (biases and c₀ are not penalised).",
)
OPTIMIZER = _s(
    "optimizer",
    "Optimizer",
    "choice",
    "adam",
    options=(*FIRST_ORDER, *ts.PAGE_SECOND_ORDER),
    option_label=lambda n: optimizers.OPTIMIZERS[n].label,
)
EPOCHS = _s("epochs", "epochs", "int", 100, low=1, high=500, maximum=100_000)
BATCH = _s(
    "batch",
    "minibatch size",
    "choice",
    "32",
    options=BATCHES,
    option_label=lambda b: "full batch" if b == FULL else b,
    help="Samples per iteration; each epoch reshuffles the training set and cuts it into "
    "n_train // size minibatches.",
)
SCHEDULE = _s(
    "sched",
    "Learning-rate schedule (per epoch)",
    "choice",
    "constant",
    options=tuple(SCHEDULES),
    option_label=lambda k: SCHEDULES[k].label,
)
EARLY_STOP = _s(
    "early_stop",
    "early stopping: keep the best validation epoch",
    "bool",
    False,
    help="The model keeps the parameters of the epoch with the lowest validation loss (the green "
    "line); its errors and test score are that epoch's.",
)
VIEW = _s("view", "view", "choice", VIEWS[0], options=VIEWS)
EMA = _s(
    "ema",
    "EMA smoothing of the minibatch loss",
    "float",
    0.6,
    low=0.0,
    high=0.99,
    step=0.01,
    help="Exponential moving average of the noisy per-iteration loss (0 = raw).",
)
METRIC = _s("metric", "curves of", "choice", "loss", options=("loss", "accuracy"), style="radio")
LC_SEEDS = _s("lc_seeds", "seeds per point", "int", 3, low=1, high=10)
VC_PARAM = _hyperparameter("vc_param")
SEARCH_METHOD = _s(
    "search",
    "method",
    "choice",
    "grid",
    options=("grid", "random"),
    option_label={"grid": "grid search", "random": "random search"}.get,
    style="radio",
)
CV_K = _s("cv_k", "folds k", "int", 5, low=2, high=10)
CV_PARAM = _hyperparameter("cv_param")
TABLE = SettingsTable(
    [
        *(PRESET, DATASET, N, NOISE, LABEL_NOISE, SEED, SPLIT, TRAIN_FRAC, VAL_FRAC),
        *(MODEL, DEGREE, LAYERS, WIDTH, ACTIVATION, L2, OPTIMIZER, EPOCHS, BATCH, SCHEDULE, EARLY_STOP),
        *(VIEW, EMA, METRIC, LC_SEEDS, VC_PARAM, SEARCH_METHOD, CV_K, CV_PARAM),
    ]
)
REGISTRY_PREFIXES = (KEY + "sched_", *(f"{KEY}{o}_" for o in optimizers.OPTIMIZERS))


def setup_of(values: dict[str, Any], hyper: dict[str, Any]) -> ts.Setup:
    """The Setup of the settings' values (keys without the ``tr_`` prefix; hidden ones at their
    defaults) and the optimizer's hyperparameters: one mapping for the sidebar and the presets."""
    v = {s.key[len(KEY) :]: s.default for s in TABLE} | values
    fractions = SPLIT_PRESETS.get(v["split"])
    if fractions is None:  # custom: the sidebar has checked that the test part is left over
        fractions = (v["train_frac"], v["val_frac"], round(1.0 - v["train_frac"] - v["val_frac"], 10))
    classification = DATASETS[v["dataset"]].task == "classification"
    second_order = v["optimizer"] in ts.PAGE_SECOND_ORDER
    kind = v.get("sched", "constant")
    schedule = None
    if kind != "constant":
        schedule = tuple(sorted({"kind": kind, **v.get("sched_params", {})}.items()))
    return ts.Setup(
        dataset=v["dataset"],
        n_samples=int(v["n"]),
        noise=float(v["noise"]),
        label_noise=float(v["label_noise"]) if classification else 0.0,
        seed=int(v["seed"]),
        fractions=tuple(float(f) for f in fractions),
        model=v["model"],
        degree=int(v["degree"]),
        hidden=(int(v["width"]),) * int(v["layers"]),
        activation=v["activation"],
        l2=float(v["l2"]),
        optimizer=v["optimizer"],
        hyper=tuple(sorted(hyper.items())),
        epochs=int(v["epochs"]),
        batch_size=None if second_order or v["batch"] == FULL else int(v["batch"]),
        schedule=schedule,
        early_stopping=bool(v["early_stop"]),
    )


def optimizer_defaults(opt: str) -> dict[str, Any]:
    """The page's hyperparameters of `opt` before anyone moves them: the registry's, with a
    learning rate that suits our losses."""
    return {p.name: p.default for p in optimizers.OPTIMIZERS[opt].hyper} | (
        {"lr": PAGE_LR[opt]} if opt in PAGE_LR else {}
    )


def preset_setup(name: str, change: tuple[tuple[str, Any], ...] = ()) -> ts.Setup:
    """The Setup a lesson preset opens with: what its note talks about (tests check its claims)."""
    values = dict(PRESETS[name].settings) | dict(change)
    opt = values.get("optimizer", OPTIMIZER.default)
    hyper = optimizer_defaults(opt)
    for key in list(values):
        if key.startswith(opt + "_"):
            hyper[key[len(opt) + 1 :]] = values.pop(key)
    return setup_of(values, hyper)


# --------------------------------------------------------------------------- claims


# The Setup fields each preset setting decides (the rest of a Setup is the page's, not the preset's).
OWNED_FIELDS = {
    "dataset": ("dataset",),
    "n": ("n_samples",),
    "noise": ("noise",),
    "label_noise": ("label_noise",),
    "model": ("model",),
    "degree": ("degree",),
    "layers": ("hidden",),
    "width": ("hidden",),
    "l2": ("l2",),
    "optimizer": ("optimizer", "hyper"),
    "epochs": ("epochs",),
    "batch": ("batch_size",),
    "early_stop": ("early_stopping",),
}


def preset_scene(name: str, setup: ts.Setup) -> ts.Setup:
    """The scene a preset's note talks about on the page now: the settings the preset owns at its
    values, every other one (seed, split, activation, schedule, ...) as `setup` has it."""
    own = preset_setup(name)
    fields = {f for key in PRESETS[name].settings for f in OWNED_FIELDS.get(key, ())}
    scene = setup.replace(**{f: getattr(own, f) for f in fields})
    if "hyper" in fields and setup.optimizer == own.optimizer:  # the page's hyperparameters stay
        owned = {
            k[len(own.optimizer) + 1 :] for k in PRESETS[name].settings if k.startswith(own.optimizer + "_")
        }
        hyper = dict(setup.hyper) | {k: v for k, v in own.hyper if k in owned}
        scene = scene.replace(hyper=tuple(sorted(hyper.items())))
    return scene


def _changed(setup: ts.Setup, change: tuple[tuple[str, Any], ...]) -> ts.Setup:
    """`setup` with a claim's change (the notes' "try": n, l2 or degree) applied."""
    fields = {"n": ("n_samples", int), "l2": ("l2", float), "degree": ("degree", int)}
    return setup.replace(**{fields[k][0]: fields[k][1](v) for k, v in change})


def facts_on(setup: ts.Setup, cv: tuple[str, int] | None = None, capacity: bool = True) -> dict[str, Any]:
    """The numbers a claim may name (see `Claim`) on `setup`; the capacity panels' only with
    `capacity`, the cross-validation's only with `cv` = (parameter, folds)."""
    history = ts.fit(setup)
    kept = ts.kept_epoch(setup, history)
    train_err, val_err = (float(e[kept]) for e in ts.epoch_errors(history))
    best = history.best_epoch
    human, _ = ts.human_level(setup)
    out: dict[str, Any] = {
        "fit.train": train_err,
        "fit.val": val_err,
        "fit.best_epoch": best,
        "fit.kept_epoch": kept,
        "fit.epochs": history.epochs,
        "fit.train_loss_best": float(history.train_loss[best]),
        "fit.train_loss_last": float(history.train_loss[-1]),
        "fit.val_loss_best": float(history.val_loss[best]),
        "fit.val_loss_last": float(history.val_loss[-1]),
        "human": human,
        "verdict": ts.diagnose(human, train_err, val_err).verdict,
    }
    if capacity:
        sizes = ts.CAPACITY_DEGREES if setup.model == "polynomial" else ts.CAPACITY_WIDTHS
        unit = "degree" if setup.model == "polynomial" else "width"
        for size, panel in zip(sizes, ts.capacity_panels(setup), strict=True):
            out[f"{unit}{size}.train"], out[f"{unit}{size}.val"] = panel.train_error, panel.val_error
    if cv is not None:
        result = ts.cross_validation(setup, cv[0], int(cv[1]))
        mean, std = result.scores.mean(1), result.scores.std(1)
        pick = int(np.argmin(mean))
        out["cv.pick"] = result.values[pick]
        out["cv.single_pick"] = result.values[int(np.nanargmin(result.single))]
        out["cv.std_pick"], out["cv.std_top"] = float(std[pick]), float(std[-1])
        out["cv.param"] = cv[0]
    return out


def facts(name: str, change: tuple[tuple[str, Any], ...] = ()) -> dict[str, Any]:
    """The numbers a preset's claims may name (see `Claim`), on its scene with `change` applied."""
    values = {s.key[len(KEY) :]: s.default for s in TABLE} | dict(PRESETS[name].settings) | dict(change)
    cv = (values["cv_param"], int(values["cv_k"])) if values["view"] == VIEWS[4] else None
    return facts_on(preset_setup(name, change), cv)


def _verdict(claim: Claim, known: dict[tuple, dict[str, Any]], facts_at) -> Verdict:
    for change in (claim.change, ()):
        if change not in known:
            known[change] = facts_at(change)
    facts_now = known[claim.change]
    left = facts_now.get(claim.fact)
    right = claim.value
    other = None if claim.than is None else claim.than.removeprefix("base:")
    base = claim.than is not None and claim.than.startswith("base:")
    if other is not None:
        right = known[() if base else claim.change].get(other)
    if left is None or (other is not None and right is None):
        return Verdict(
            False, f"{claim.fact} or {claim.than} is not a number of this scene", "this view cannot check it"
        )
    holds = bool(RELATIONS[claim.relation](left, right * claim.factor if other is not None else right))
    a, b = (f"{x:.3g}" if isinstance(x, float) else repr(x) for x in (left, right))
    why = f"{claim.fact} = {a}, {'' if holds else 'not '}{claim.relation} {claim.factor:g} × {b}"
    return Verdict(holds, why, _observed(claim, left, right, base, facts_now.get("cv.param")))


# --------------------------------------------------------------------------- claims in words

FACT_WORDS = {
    "fit.train": "the training error",
    "fit.val": "the validation error",
    "fit.train_loss_best": "the training loss at the best validation epoch",
    "fit.train_loss_last": "the training loss at the last epoch",
    "fit.val_loss_best": "the validation loss at the best validation epoch",
    "fit.val_loss_last": "the validation loss at the last epoch",
    "fit.best_epoch": "the best validation epoch",
    "fit.kept_epoch": "the epoch whose parameters are kept",
    "fit.epochs": "the number of epochs",
    "human": "the best reachable error",
    "verdict": "the diagnosis",
    "cv.pick": "the mean over folds' pick of {param}",
    "cv.single_pick": "the single validation split's pick of {param}",
    "cv.std_pick": "the folds' spread (std) at the picked {param}",
    "cv.std_top": "the folds' spread (std) at the largest {param}",
}
CHANGE_WORDS = {"n": "n", "l2": "L2 strength λ", "degree": "degree d"}  # the notes' "try"
SPLIT_WORDS = {"train": "training", "val": "validation"}


def fact_words(name: str, param: str | None = None) -> str:
    """A fact of `facts_on` in a student's words: "degree 15's validation error"."""
    unit, _, rest = name.partition(".")
    for kind in ("degree", "width"):
        if unit.startswith(kind) and unit[len(kind) :].isdigit():
            return f"{kind} {unit[len(kind) :]}'s {SPLIT_WORDS[rest]} error"
    return FACT_WORDS[name].format(param=PARAM_LABELS.get(param or "", "value"))


def shown_value(name: str, value: Any) -> str:
    """A fact's value as the page shows it: the capacity panels' titles to 3 significant digits,
    the metrics and tables to 4, epochs and picked values as they are, a verdict in quotes."""
    if isinstance(value, str):
        return f"“{value}”"
    if isinstance(value, int | np.integer) or name in ("cv.pick", "cv.single_pick"):
        return fmt(value)
    if name.startswith(("degree", "width")):
        return f"{value:.3g}"
    return f"{value:.4g}"


def _observed(claim: Claim, left: Any, right: Any, base: bool, param: str | None) -> str:
    """What the numbers show when `claim` fails, in words: each number named, as the page shows it."""
    lhs = f"{fact_words(claim.fact, param)} is {shown_value(claim.fact, left)}"
    if claim.change:
        lhs = ", ".join(f"with {CHANGE_WORDS[k]} = {fmt(v)}" for k, v in claim.change) + f", {lhs}"
    if claim.than is None:
        return lhs
    other = claim.than.removeprefix("base:")
    value = shown_value(other, right)
    if base:
        return f"{lhs}, against {value} here"
    rhs = f"{fact_words(other, param)} is {value}"
    if claim.factor == 1 and claim.relation != "==":
        word = {"<": "below", ">": "above"}[claim.relation]
        return f"{lhs}, not {word} {fact_words(other, param)} ({value})"
    return f"{lhs} and {rhs}"


def check(claim: Claim, name: str, known: dict[tuple, dict[str, Any]] | None = None) -> Verdict:
    """Whether `claim` of preset `name` holds on the trainer's numbers (`known`: facts already
    computed, by change)."""
    return _verdict(claim, {} if known is None else known, lambda change: facts(name, change))


def _names(claim: Claim) -> tuple[str, ...]:
    return (claim.fact,) + (() if claim.than is None else (claim.than.removeprefix("base:"),))


def live_note(name: str, setup: ts.Setup, cv: tuple[str, int] | None = None) -> tuple[bool, str]:
    """The preset's note if every claim holds on the page's scene now (`preset_scene` of `setup`;
    `cv` = the page's CV parameter and folds); otherwise, instead of the note, what the numbers
    show. Returns (whether the note is shown, the text)."""
    preset = PRESETS[name]
    names = {n for c in preset.claims for n in _names(c)}
    capacity = any(n.startswith(("degree", "width")) for n in names)
    cv = cv if any(n.startswith("cv.") for n in names) else None
    scene = preset_scene(name, setup)
    known: dict[tuple, dict[str, Any]] = {}
    failed = []
    own = _own_settings_off_page(name, setup, scene)
    here = "there" if own else "here"  # the numbers are the lesson's own scene's, not the page's
    for claim in preset.claims:
        try:
            verdict = _verdict(claim, known, lambda ch: facts_on(_changed(scene, ch), cv, capacity))
        except ValueError as exc:
            return (
                False,
                f"The lesson's note cannot be checked with these settings ({exc}), so it is not shown.",
            )
        if not verdict.holds:
            failed.append(f"it says “{claim.text}”, but {here} {verdict.observed}")
    if not failed:
        return True, preset.note
    said = "; ".join(failed)
    said = (
        f"On the lesson's own {own} (the scene its note speaks of), {said}"
        if own
        else said[0].upper() + said[1:]
    )
    return False, f"With these settings the lesson's note does not hold, so it is not shown. {said}."


def _own_settings_off_page(name: str, setup: ts.Setup, scene: ts.Setup) -> str:
    """The preset's settings that the page has changed, with the preset's values, in words
    ("samples n = 30 and degree d = 1"); "" when the page has them all as the preset does."""
    parts = []
    for key, value in PRESETS[name].settings.items():
        fields = OWNED_FIELDS.get(key, ())
        if any(getattr(setup, f) != getattr(scene, f) for f in fields):
            setting = TABLE[KEY + key]
            parts.append(f"{setting.label} = {setting.option_label(value)}")
    return " and ".join(dict.fromkeys(parts))
