"""The training-practice page (`/training`): train / validation / test, under- and overfitting,
learning curves, hyperparameter search, k-fold CV and the bias / variance table, on small models
trained by the explorer's optimizers.

Layout: the data, split, model and training settings in the sidebar (a lesson preset on top),
then one tab per view (`draw_tabs`: only the open tab runs). The page's settings are declared once
below (keys, which are also the URL names, start with ``tr_``). All numbers come from `training`
(`training.studies` runs the studies on one `Setup` of plain values, the cache key); all charts
from `figures.training`. Heavy studies (learning and validation curves, search, CV) start on a
button; every study, and a long single training, runs through `ui.jobs` (cached, in the worker
process when long, with a progress bar and Cancel); bad input shows a message, never a traceback.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import optimizers
from figures import training as ft
from optimizers.schedules import SCHEDULES
from training import DATASETS, MODELS, SPLIT_PRESETS
from training import studies as ts
from training.trainer import FIRST_ORDER
from ui import components, jobs
from ui.settings import Setting, SettingsTable, UrlState, draw, draw_tabs, fmt, forget, sync_query_param

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

PRESETS: dict[str, dict[str, Any]] = {
    "overfit15": {
        "title": "Overfitting a degree-15 polynomial",
        "note": "30 noisy samples of sin(πx). Degree 15 (right) passes close to every training point, "
        "its training error is the smallest, but it swings between them: its validation error is "
        "far above degree 4's. Degree 1 (left) is too simple for both. Raise n or L2 and watch the "
        "swings calm down.",
        "settings": {
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
    },
    "early_stopping": {
        "title": "Early stopping",
        "note": "A wide network (2 × 64) on 100 points with 10% flipped labels. The training loss "
        "keeps falling; the validation loss is lowest early (the green line) and then rises: the "
        "network learns the flipped labels. Early stopping keeps the parameters of the green "
        "epoch. Scrub the epoch slider under the data and watch the boundary curl around single "
        "points.",
        "settings": {
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
            "view": VIEWS[0],
        },
    },
    "cv_degree": {
        "title": "5-fold CV picks the degree",
        "note": "Press **Run the cross-validation**. Each degree trains five times, each time validating "
        "on another fifth of train + validation. The mean over folds (orange) picks a low degree "
        "(the star); the single validation split (dotted) is noisier and would pick a higher one. "
        "High degrees vary wildly from fold to fold.",
        "settings": {
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
    },
    "bias_variance": {
        "title": "High bias vs high variance",
        "note": "Degree 1: the training error is far above the best reachable error σ² — high "
        "(avoidable) bias; a bigger model helps. Now set the degree to 15: the training error falls "
        "below σ² and the validation error soars — high variance; more data (n) or L2 helps. The "
        "lower table shows degrees 1, 4 and 15 on the same data.",
        "settings": {
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
    },
}
NO_PRESET = "none"


def _s(key: str, *args: Any, **kwargs: Any) -> Setting:
    return Setting(KEY + key, *args, **kwargs)


PRESET = _s(
    "preset",
    "Lesson preset",
    "choice",
    NO_PRESET,
    options=(NO_PRESET, *PRESETS),
    option_label=lambda k: "— free exploration —" if k == NO_PRESET else PRESETS[k]["title"],
)
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
    help="Fraction of labels flipped: the best reachable error on fresh data.",
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
VC_PARAM = _s(
    "vc_param",
    "hyperparameter",
    "choice",
    "l2",
    options=tuple(ts.VALIDATION_VALUES),
    option_label=PARAM_LABELS.get,
)
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
CV_PARAM = _s(
    "cv_param",
    "hyperparameter",
    "choice",
    "l2",
    options=tuple(ts.VALIDATION_VALUES),
    option_label=PARAM_LABELS.get,
)
TABLE = SettingsTable(
    [
        *(PRESET, DATASET, N, NOISE, LABEL_NOISE, SEED, SPLIT, TRAIN_FRAC, VAL_FRAC),
        *(MODEL, DEGREE, LAYERS, WIDTH, ACTIVATION, L2, OPTIMIZER, EPOCHS, BATCH, SCHEDULE),
        *(VIEW, EMA, METRIC, LC_SEEDS, VC_PARAM, SEARCH_METHOD, CV_K, CV_PARAM),
    ]
)
REGISTRY_PREFIXES = (KEY + "sched_", *(f"{KEY}{o}_" for o in optimizers.OPTIMIZERS))


# --------------------------------------------------------------------------- cached engine calls


def _study(name: str, setup: ts.Setup, label: str, what: str, **args: Any) -> Any | None:
    """A study of `training.studies` through the job runner (cached; in the worker when long, with
    a progress bar and Cancel); None when the user cancelled it."""
    return jobs.run_job(
        name,
        (setup,),
        args,
        seconds=ts.estimated_seconds(name, setup, **args),
        label=label,
        key_prefix=KEY,
        unit="epochs",
        what=what,
    )


@st.cache_data(max_entries=64, show_spinner=False)
def _data(setup: ts.Setup):
    X, y = setup.data()
    return X, y, setup.parts()


@st.cache_resource(max_entries=16, show_spinner=False)
def _data_figure(setup: ts.Setup, show_test: bool, _history):
    """The scrubbed data figure (cache_resource: the figure is shared, never mutated; `_history`
    is the setup's training, so the setup is its key)."""
    X, y, (tr, va, te) = _data(setup)
    parts = {"train": tr, "validation": va} | ({"test": te} if show_test else {})
    return ft.data_figure(
        setup.build(), _history, X, y, parts, target=DATASETS[setup.dataset].target, height=500
    )


def _panels(setup: ts.Setup):
    return _study("capacity", setup, "Training the three models…", "training of the three models")


# --------------------------------------------------------------------------- callbacks


def _apply_preset() -> None:
    """on_change of the preset picker: every setting back to its default, then the preset's."""
    name = st.session_state.get(PRESET.key, NO_PRESET)
    if name == NO_PRESET:
        return
    registry = [k for k in st.session_state if str(k).startswith(REGISTRY_PREFIXES)]
    forget([s.key for s in TABLE if s.key != PRESET.key] + registry)
    for key, value in PRESETS[name]["settings"].items():
        st.session_state[KEY + key] = value


def _remember(key: str, value: Any) -> None:
    st.session_state[key] = value


def _new_data() -> None:
    st.session_state[SEED.key] = int(st.session_state.get(SEED.key, SEED.default)) + 1


# --------------------------------------------------------------------------- sidebar


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
    )


def optimizer_defaults(opt: str) -> dict[str, Any]:
    """The page's hyperparameters of `opt` before anyone moves them: the registry's, with a
    learning rate that suits our losses."""
    return {p.name: p.default for p in optimizers.OPTIMIZERS[opt].hyper} | (
        {"lr": PAGE_LR[opt]} if opt in PAGE_LR else {}
    )


def preset_setup(name: str) -> ts.Setup:
    """The Setup a lesson preset opens with: what its note talks about (tests check its claims)."""
    values = dict(PRESETS[name]["settings"])
    opt = values.get("optimizer", OPTIMIZER.default)
    hyper = optimizer_defaults(opt)
    for key in list(values):
        if key.startswith(opt + "_"):
            hyper[key[len(opt) + 1 :]] = values.pop(key)
    return setup_of(values, hyper)


def _panels_too_heavy(setup: ts.Setup) -> bool:
    """Whether the width-64 panel would take too long with the setup's epochs and data."""
    widest = ts.capacity_setups(setup)[-1]
    return setup.model == "mlp" and ts.estimated_seconds("fit", widest) > ts.MAX_FIT_SECONDS


def _sidebar(url: UrlState) -> tuple[ts.Setup | None, list[str]]:
    """Every setting of the model and its training; returns the Setup (None when it cannot be
    built) and warnings about values that were adjusted."""
    sb = st.sidebar
    warnings: list[str] = []
    values: dict[str, Any] = {}

    def put(setting: Setting, container=sb, **overrides: Any) -> Any:
        values[setting.key[len(KEY) :]] = value = draw(setting, url, container=container, **overrides)
        return value

    draw(PRESET, url, container=sb, on_change=_apply_preset)
    sb.header("Data", divider="gray")
    info = DATASETS[put(DATASET)]
    sb.caption(info.description)
    put(N)
    put(NOISE)
    if info.task == "classification":
        put(LABEL_NOISE)
    cols = sb.columns([3, 2], vertical_alignment="bottom")
    put(SEED, cols[0])
    cols[1].button("New data", on_click=_new_data, key=KEY + "new_data", help="The next seed.")
    if put(SPLIT) == CUSTOM:
        cols = sb.columns(2)
        train_frac, val_frac = put(TRAIN_FRAC, cols[0]), put(VAL_FRAC, cols[1])
        if train_frac + val_frac > 0.95 + 1e-9:
            warnings.append(
                f"Train {fmt(train_frac)} + validation {fmt(val_frac)} leave less than 5% for the test "
                "part; using 60/20/20 until the fractions sum to at most 0.95."
            )
            values["split"] = "60/20/20"
        else:
            sb.caption(f"test fraction: {fmt(round(1.0 - train_frac - val_frac, 10))}")

    sb.header("Model", divider="gray")
    model = put(MODEL, options=tuple(MODELS) if info.task == "regression" else ("mlp",))
    sb.caption(MODELS[model].description)
    if model == "polynomial":
        put(DEGREE)
    else:
        cols = sb.columns(2)
        put(LAYERS, cols[0])
        put(WIDTH, cols[1])
        put(ACTIVATION)
    put(L2)

    sb.header("Training", divider="gray")
    names = (*FIRST_ORDER, *ts.PAGE_SECOND_ORDER) if model == "polynomial" else FIRST_ORDER
    opt = put(OPTIMIZER, options=names)
    sb.caption(optimizers.OPTIMIZERS[opt].description)
    lr = optimizer_defaults(opt).get("lr")
    defaults = {"lr": lr} if opt in PAGE_LR else None
    hyper = components.hyperparameter_inputs(opt, url, prefix=KEY, container=sb, defaults=defaults)
    put(EPOCHS)
    if opt in ts.PAGE_SECOND_ORDER:
        sb.caption("Full batch: second-order methods don't work well with minibatches.")
    else:
        put(BATCH)
    kind = put(SCHEDULE)
    values["sched_params"] = {
        p.name: draw(Setting.from_param(p, f"{KEY}sched_{p.name}"), url, container=sb)
        for p in SCHEDULES[kind].params
    }
    sb.latex(SCHEDULES[kind].formula)

    setup = setup_of(values, hyper)
    try:
        tr, _, _ = setup.parts()
        setup.build()
    except ValueError as exc:
        warnings.append(f"These settings cannot be used: {exc}")
        return None, warnings
    if ts.estimated_seconds("fit", setup) > ts.MAX_FIT_SECONDS:
        warnings.append(
            f"{setup.epochs} epochs of this model on {len(tr)} samples is more than this page trains on a "
            "click (it would take more than about ten seconds): use fewer epochs, fewer samples, a larger "
            "minibatch or a smaller network."
        )
        return None, warnings
    if setup.batch_size is not None and setup.batch_size >= len(tr):
        warnings.append(
            f"The minibatch size {setup.batch_size} is not smaller than the training set ({len(tr)} "
            "samples): training full batch."
        )
    return setup, warnings


# --------------------------------------------------------------------------- the page


def render() -> None:
    """Draws the page (called by app.py's router for url_path "training")."""
    url = UrlState()
    st.title("Training practice")
    st.markdown(INTRO)
    messages = st.container()
    setup, warnings = _sidebar(url)
    for text in warnings:
        messages.warning(text, icon=":material/warning:")
    preset = st.session_state.get(PRESET.key, NO_PRESET)
    if preset != NO_PRESET:
        lesson = PRESETS[preset]
        messages.info(f"**{lesson['title']}.** {lesson['note']}", icon=":material/lightbulb:")
    if setup is not None:
        try:
            history = _study("fit", setup, "Training…", "training")
        except ValueError as exc:
            messages.error(f"Training failed: {exc}")
            setup = None
        else:
            if history is None:  # cancelled: the page says so where the bar was
                setup = None
    if setup is None:
        url.finish()
        url.show_warnings(messages)
        return
    tabs = draw_tabs(VIEW, url)
    views = (_training_view, _capacity_view, _curves_view, _search_view, _cv_view, _diagnosis_view)
    for tab, view in zip(tabs, views, strict=True):
        if tab.open:
            with tab:
                try:
                    view(url, setup, history)
                except ValueError as exc:
                    st.error(f"This view cannot be computed for these settings: {exc}")
    url.finish()
    url.show_warnings(messages)


def _error_label(setup: ts.Setup) -> str:
    return ts.ERROR_LABELS[setup.task]


def _training_view(url: UrlState, setup: ts.Setup, history) -> None:
    opt_label = optimizers.OPTIMIZERS[setup.optimizer].label
    if setup.optimizer in ts.PAGE_SECOND_ORDER:
        st.info(NEWTON_NOTE.format(label=opt_label), icon=":material/target:")
    shown_test = _test_asked(setup)
    left, right = st.columns([1, 1], gap="medium")
    with left:
        st.markdown("**The data and the model's fit** — scrub the epochs under the plot (in the browser)")
        st.plotly_chart(
            _data_figure(setup, shown_test, history), key="tr_data_chart", width="stretch", theme=None
        )
        _, _, (tr, va, te) = _data(setup)
        hidden = "" if shown_test else "; the test part stays hidden until you ask for its score"
        st.caption(
            f"{len(tr)} training, {len(va)} validation and {len(te)} test samples{hidden}. "
            + (
                "Point colours are the classes; the outline tells the split."
                if setup.task == "classification"
                else ""
            )
        )
    with right:
        _curves_fragment(url, setup, history)
    _summary(setup, history)
    _test_score(setup, history)


@st.fragment
def _curves_fragment(url: UrlState, setup: ts.Setup, history) -> None:
    """Loss (or accuracy) curves with the EMA slider; a fragment: smoothing reruns only this."""
    cols = st.columns([3, 2])
    w = draw(EMA, url, container=cols[0])
    sync_query_param(EMA, w)
    metric = "loss"
    if setup.task == "classification":
        metric = draw(METRIC, url, container=cols[1])
        sync_query_param(METRIC, metric)
    fig = ft.loss_curves_figure(history, metric=metric, smoothing=w, height=470)
    st.plotly_chart(fig, key="tr_loss_chart", width="stretch", theme=None)


def _summary(setup: ts.Setup, history) -> None:
    train_err, val_err = ts.epoch_errors(history)
    best = history.best_epoch
    iters = history.iters_per_epoch
    cols = st.columns(4)
    cols[0].metric(f"training {_error_label(setup)}", f"{train_err[-1]:.4g}")
    cols[1].metric(f"validation {_error_label(setup)}", f"{val_err[-1]:.4g}")
    cols[2].metric(
        "best validation epoch",
        f"{best}",
        help=f"Early stopping's pick, the lowest validation loss (error there: {val_err[best]:.4g}).",
    )
    cols[3].metric("iterations", f"{history.iter_losses.size:,}")
    batch = ts.batch_for(setup, len(_data(setup)[2][0]))
    size = "the whole training set" if batch is None else f"minibatches of {batch}"
    st.caption(
        f"As in the lecture: an **iteration** is one update on one minibatch, an **epoch** one pass "
        f"over the training data. Here {size}: {iters} iteration{'s' if iters > 1 else ''} per epoch "
        f"× {history.epochs} epochs = {history.iter_losses.size:,} iterations. The per-epoch curves are "
        "the data loss (no L2 term) on the whole sets; the learning-rate schedule changes α per epoch."
    )
    if history.diverged_epoch is not None:
        st.warning(
            f"The training diverged at epoch {history.diverged_epoch}: the learning rate is too large "
            "for this model; lower it.",
            icon=":material/warning:",
        )


ASKED = KEY + "test_asked"  # session_state: the Setups whose test score was shown, in order


def _test_asked(setup: ts.Setup) -> bool:
    return setup in st.session_state.get(ASKED, [])


def _ask_test(setup: ts.Setup) -> None:
    asked = st.session_state.setdefault(ASKED, [])
    if setup not in asked:
        asked.append(setup)


def _test_score(setup: ts.Setup, history) -> None:
    st.subheader("The test score", divider="gray")
    asked = st.session_state.get(ASKED, [])
    if not _test_asked(setup):
        st.caption(
            "The test part is for the very end: never used to train or to choose settings. Ask for its "
            "score once you have decided."
        )
        if asked:
            st.caption(
                f"You have seen the test score {len(asked)} time(s) before, with other settings: asking "
                "again now is **peeking**."
            )
        st.button("Show the test score", key=KEY + "test_button", on_click=_ask_test, args=(setup,))
        return
    score = ts.test_error(setup, history)
    st.metric(f"test {_error_label(setup)} (final parameters)", f"{score:.4g}")
    look = asked.index(setup) + 1
    if look > 1:
        st.warning(
            f"**Peeking.** This is look number {look} at the test set, after changing the settings. "
            "Each look that leads you to change something makes the test set part of the development "
            "loop: its score is then no longer an unbiased estimate of the error on new data.",
            icon=":material/visibility:",
        )
    else:
        st.caption("Your first look at the test set: an unbiased estimate of the error on new data.")


def _capacity_view(url: UrlState, setup: ts.Setup, history) -> None:
    if setup.model == "polynomial":
        st.markdown(
            "Degrees 1, 4 and 15 fitted to the **current data** (training points), each solved by "
            "Newton in one step: the ridge solution with the current L2 strength."
        )
        kappa = ts.hessian_condition(setup)
        st.info(
            CONDITIONING_NOTE + f" On the current training points it is **{kappa:.1e}**.",
            icon=":material/calculate:",
        )
    else:
        st.markdown(
            f"Hidden widths 1, 8 and 64 ({len(setup.hidden)} layer(s), {setup.activation}) on the current "
            f"data, each trained with {optimizers.OPTIMIZERS[setup.optimizer].label} for {setup.epochs} "
            "epochs as set in the sidebar."
        )
    if _panels_too_heavy(setup):
        st.warning(
            f"Width {max(ts.CAPACITY_WIDTHS)} trained for {setup.epochs} epochs here would take more than "
            "about ten seconds: use fewer epochs or samples, or a larger minibatch, to see the three panels.",
            icon=":material/warning:",
        )
        return
    panels = _panels(setup)
    if panels is None:
        return
    X, y, (tr, va, _) = _data(setup)
    titles = [
        f"{p.title}<br><sub>train {p.train_error:.3g} · validation {p.val_error:.3g}</sub>" for p in panels
    ]
    fig = ft.fits_figure(
        [(t, p.model, p.theta) for t, p in zip(titles, panels, strict=True)],
        X,
        y,
        {"train": tr, "validation": va},
        target=DATASETS[setup.dataset].target,
        height=420,
    )
    st.plotly_chart(fig, key="tr_capacity_chart", width="stretch", theme=None)
    rows = [
        {
            "model": p.title,
            f"training {_error_label(setup)}": p.train_error,
            f"validation {_error_label(setup)}": p.val_error,
        }
        for p in panels
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(
        "Underfitting: both errors high. Overfitting: the training error is the lowest, the validation "
        "error is not. The appropriate fit has the lowest validation error."
    )


def _job_button(name: str, key: Any, label: str, seconds: float) -> bool:
    """A heavy study's button; True while the study's last request matches `key` (the current
    settings), so its (cached) result stays on the page across reruns. A study that would take
    more than `ts.MAX_STUDY_SECONDS` (its own estimate, `seconds`) gets a message instead."""
    state = f"{KEY}{name}_key"
    if seconds > ts.MAX_STUDY_SECONDS:
        st.warning(
            f"This job would take about {seconds / 60:.0f} minutes with these settings: use "
            "fewer epochs, fewer samples, a larger minibatch or a smaller network (or fewer seeds or folds).",
            icon=":material/warning:",
        )
        return False
    if st.button(label, key=f"{KEY}{name}_run", type="primary"):
        st.session_state[state] = key
    done = st.session_state.get(state)
    if done is not None and done != key:
        st.caption("The settings changed since the last run: press the button to run again.")
    return done == key


def _curves_view(url: UrlState, setup: ts.Setup, history) -> None:
    st.subheader("Learning curve: error against the training-set size", divider="gray")
    st.caption(
        "Each point trains on n samples drawn from the training part (per seed) and validates on the "
        "validation part. A gap that closes as n grows is variance (more data helps); two curves that "
        "meet high above the best reachable error are bias (more data does not help)."
    )
    seeds_n = draw(LC_SEEDS, url)
    seeds = tuple(range(int(seeds_n)))
    sizes = ts.learning_sizes(setup)
    human, _ = ts.human_level(setup)
    lc_seconds = ts.estimated_seconds("learning_curve", setup, seeds=seeds)
    if _job_button("lc", (setup, seeds), "Compute the learning curve", lc_seconds) and (
        curve := _study("learning_curve", setup, "Training…", "learning curve", seeds=seeds)
    ):
        fig = ft.learning_curve_figure(
            sizes,
            curve.train_error,
            curve.val_error,
            human_error=human,
            error_label=_error_label(setup),
            log_y=setup.task == "regression",
        )
        st.plotly_chart(fig, key="tr_lc_chart", width="stretch", theme=None)
        st.caption(f"Mean over {len(seeds)} seed(s), band ±1 std; sizes {', '.join(map(str, sizes))}.")

    st.subheader("Validation curve: error against one hyperparameter", divider="gray")
    params = ts.curve_params(setup)
    param = draw(VC_PARAM, url, options=params, default=params[-1])
    values = ts.VALIDATION_VALUES[param]
    st.caption(
        f"{PARAM_LABELS[param]} over {', '.join(fmt(v) for v in values)}; each seed draws a new "
        "train / validation split of train + validation (the test part stays out)."
    )
    vc_seconds = ts.estimated_seconds("validation_curve", setup, param=param, seeds=seeds)
    if _job_button("vc", (setup, param, seeds), "Compute the validation curve", vc_seconds) and (
        curve := _study("validation_curve", setup, "Training…", "validation curve", param=param, seeds=seeds)
    ):
        fig = ft.validation_curve_figure(
            values,
            curve.train_error,
            curve.val_error,
            name=PARAM_LABELS[param],
            log_x=param in ("l2", "width"),
            error_label=_error_label(setup),
            log_y=setup.task == "regression",
        )
        st.plotly_chart(fig, key="tr_vc_chart", width="stretch", theme=None)


def _search_view(url: UrlState, setup: ts.Setup, history) -> None:
    optimizer, lr0, max_epochs = ts.search_optimizer(setup)
    label = optimizers.OPTIMIZERS[optimizer].label
    method = draw(SEARCH_METHOD, url)
    budgets = ts.search_budgets(max_epochs)
    grid = ts.search_grid(lr0)
    lrs, l2s = (", ".join(fmt(v) for v in sorted(set(grid[name]))) for name in ("lr", "l2"))
    st.markdown(
        f"The lecture's grid has the shape learning rate × L2 strength × iterations = 4 × 4 × 3 = "
        f"{ts.SEARCH_SETTINGS} settings; here with {label}: α ∈ {{{lrs}}}, λ ∈ {{{l2s}}}, "
        f"epochs ∈ {{{', '.join(map(str, budgets))}}}. "
        "(The lecture's λ of 10²..10⁵ would crush the weights of our losses, which are means over the "
        "samples.) Random search draws as many settings log-uniformly in the same ranges. Every "
        "setting is scored on the **validation** part; the test part stays out."
    )
    if setup.optimizer not in FIRST_ORDER:
        st.caption(
            f"{optimizers.OPTIMIZERS[setup.optimizer].label} has no learning rate to tune: the search "
            "uses Adam."
        )
    search_seconds = ts.estimated_seconds("training_search", setup)
    if not _job_button("search", (setup, method), "Run the search", search_seconds):
        return
    result = _study(
        "training_search", setup, f"Training {ts.SEARCH_SETTINGS} settings at once…", "search",
        method=method, seed=setup.seed,
    )  # fmt: skip
    if result is None:
        return
    err = _error_label(setup)
    table = pd.DataFrame(
        {
            "lr": result.lr,
            "L2": result.l2,
            "epochs": result.epochs,
            f"training {err}": result.train_error,
            f"validation {err}": result.val_error,
        }
    )
    table = table.sort_values(f"validation {err}", kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    best = table.iloc[0]
    st.success(
        f"Best on validation: α = {fmt(best['lr'])}, λ = {fmt(best['L2'])}, {int(best['epochs'])} epochs "
        f"(validation {err} {best[f'validation {err}']:.4g})."
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=320,
        column_config={
            "lr": st.column_config.NumberColumn(format="%.3g"),
            "L2": st.column_config.NumberColumn(format="%.3g"),
            f"training {err}": st.column_config.NumberColumn(format="%.4g"),
            f"validation {err}": st.column_config.NumberColumn(format="%.4g"),
        },
    )
    st.download_button(
        "Download the table (CSV)",
        table.to_csv(index=False).encode(),
        file_name=f"search_{method}.csv",
        mime="text/csv",
        key=KEY + "search_csv",
    )
    state = KEY + "search_test"
    if st.session_state.get(state) != (setup, method):
        st.button(
            "Evaluate the chosen model on test (once)",
            key=KEY + "search_test_button",
            on_click=_remember,
            args=(state, (setup, method)),
        )
        return
    st.metric(f"test {err} of the chosen model", f"{ts.search_test_error(setup, result):.4g}")
    st.caption("Evaluated once, after the choice: the test score did not take part in choosing.")


def _cv_view(url: UrlState, setup: ts.Setup, history) -> None:
    cols = st.columns(2)
    k = int(draw(CV_K, url, container=cols[0]))
    params = ts.curve_params(setup)
    param = draw(CV_PARAM, url, container=cols[1], options=params, default=params[-1])
    values = ts.VALIDATION_VALUES[param]
    X, _, (tr, va, te) = _data(setup)
    st.markdown(
        f"**{k}-fold cross-validation** on the training and validation parts ({len(tr) + len(va)} "
        f"samples; the {len(te)} test samples stay out): each split trains on {k - 1} folds and "
        f"validates on the remaining one; every {PARAM_LABELS[param]} in "
        f"{{{', '.join(fmt(v) for v in values)}}} is trained {k} times."
    )
    st.plotly_chart(
        ft.fold_diagram(ts.cv_folds(setup, k), len(X)), key="tr_fold_chart", width="stretch", theme=None
    )
    cv_seconds = ts.estimated_seconds("cross_validation", setup, param=param, k=k)
    if not _job_button("cv", (setup, param, k), "Run the cross-validation", cv_seconds):
        return
    cv = _study("cross_validation", setup, "Cross-validating…", "cross-validation", param=param, k=k)
    if cv is None:
        return
    scores, single = cv.scores, cv.single
    err = _error_label(setup)
    fig = ft.cv_scores_figure(
        values,
        scores,
        name=PARAM_LABELS[param],
        score_label=f"validation {err}",
        single_split=single,
        log_x=param in ("l2", "width"),
    )
    if setup.task == "regression":
        fig.update_yaxes(type="log")
    st.plotly_chart(fig, key="tr_cv_chart", width="stretch", theme=None)
    table = pd.DataFrame(
        {
            PARAM_LABELS[param]: [fmt(v) for v in values],
            **{f"fold {i + 1}": scores[:, i] for i in range(k)},
            "CV mean": scores.mean(1),
            "CV std": scores.std(1),
            "single split": single,
        }
    )
    st.dataframe(table, hide_index=True, width="stretch", column_config=_number_columns(table))
    cv_pick, single_pick = int(np.argmin(scores.mean(1))), int(np.nanargmin(single))
    st.markdown(
        f"**CV picks {PARAM_LABELS[param]} = {fmt(values[cv_pick])}** (mean {scores.mean(1)[cv_pick]:.4g} ± "
        f"{scores.std(1)[cv_pick]:.2g}); the single validation split would pick "
        f"{fmt(values[single_pick])} ({single[single_pick]:.4g}). The CV estimate averages {k} "
        "validations, so it depends less on which samples happened to land in the validation part."
    )
    current = {"degree": setup.degree, "l2": setup.l2, "width": setup.hidden[0]}[param]
    if current in values:  # the sidebar's own model: its CV estimate next to its single split's
        i = values.index(current)
        cols = st.columns(3)
        cols[0].metric(
            f"your model ({PARAM_LABELS[param]} = {fmt(current)}): CV estimate", f"{scores[i].mean():.4g}"
        )
        cols[1].metric("± spread over the folds (std)", f"{scores[i].std():.3g}")
        cols[2].metric("single validation split", f"{single[i]:.4g}")


def _number_columns(table: pd.DataFrame) -> dict:
    return {
        c: st.column_config.NumberColumn(format="%.4g")
        for c in table.columns
        if pd.api.types.is_float_dtype(table[c])
    }


def _diagnosis_view(url: UrlState, setup: ts.Setup, history) -> None:
    human, estimate = ts.human_level(setup)
    train_err, val_err = (float(e[-1]) for e in ts.epoch_errors(history))
    err = _error_label(setup)
    st.markdown(
        f"The lecture's table for the current model ({err}). Human-level error stands for the best "
        "reachable error: "
        + (
            "the noise variance σ² (the true function is known)."
            if setup.task == "regression"
            else "the label-noise rate p."
            + (
                " **An estimate:** the inputs are noisy too, so the classes overlap a little and the true "
                "best error is somewhat higher."
                if estimate
                else ""
            )
        )
    )
    st.table(_diagnosis_table(human, train_err, val_err))
    d = ts.diagnose(human, train_err, val_err)
    box = st.success if d.verdict == "good fit" else st.warning
    box(f"**{d.verdict.capitalize()}.** Remedy: {d.remedy}.")
    st.caption(
        "Avoidable bias = training error − human-level error (large: underfitting; a bigger model or "
        "longer training). Variance = validation error − training error (large: overfitting; more data "
        "or regularization)."
    )
    st.subheader("The same table for three capacities", divider="gray")
    if _panels_too_heavy(setup):
        st.caption(
            "Width 64 would take too long to train with these settings (see *Under- and overfitting*)."
        )
        return
    panels = _panels(setup)
    if panels is None:
        return
    rows = []
    for p in panels:
        dp = ts.diagnose(human, p.train_error, p.val_error)
        rows.append(
            {
                "model": p.title,
                "human-level": human,
                "training": p.train_error,
                "validation": p.val_error,
                "avoidable bias": dp.avoidable_bias,
                "variance": dp.variance,
                "diagnosis": dp.verdict,
            }
        )
    table = pd.DataFrame(rows)
    st.dataframe(table, hide_index=True, width="stretch", column_config=_number_columns(table))


def _diagnosis_table(human: float, train_err: float, val_err: float) -> pd.DataFrame:
    d = ts.diagnose(human, train_err, val_err)
    return pd.DataFrame(
        {
            "error": [
                "human-level (best reachable)",
                "training",
                "validation",
                "avoidable bias (training − human)",
                "variance (validation − training)",
            ],
            "value": [f"{v:.4g}" for v in (human, train_err, val_err, d.avoidable_bias, d.variance)],
        }
    )
