"""The training-practice page's sidebar: the lesson preset, the data, split, model and training
settings (declared in `scenes.practice`), turned into the trainer's `Setup` with the warnings
about values that were adjusted."""

from __future__ import annotations

from typing import Any

import streamlit as st

import optimizers
from optimizers.schedules import SCHEDULES
from scenes.practice import (
    ACTIVATION,
    BATCH,
    CUSTOM,
    DATASET,
    DEGREE,
    EARLY_STOP,
    EPOCHS,
    KEY,
    L2,
    LABEL_NOISE,
    LAYERS,
    MODEL,
    NO_PRESET,
    NOISE,
    OPTIMIZER,
    PAGE_LR,
    PRESET,
    PRESETS,
    REGISTRY_PREFIXES,
    SCHEDULE,
    SEED,
    SPLIT,
    TABLE,
    TRAIN_FRAC,
    VAL_FRAC,
    WIDTH,
    N,
    optimizer_defaults,
    setup_of,
)
from training import DATASETS, MODELS
from training import studies as ts
from training.trainer import FIRST_ORDER
from ui import components
from ui.settings import Setting, UrlState, draw, fmt, forget


def _apply_preset() -> None:
    """on_change of the preset picker: every setting back to its default, then the preset's."""
    name = st.session_state.get(PRESET.key, NO_PRESET)
    if name == NO_PRESET:
        return
    registry = [k for k in st.session_state if str(k).startswith(REGISTRY_PREFIXES)]
    forget([s.key for s in TABLE if s.key != PRESET.key] + registry)
    for key, value in PRESETS[name].settings.items():
        st.session_state[KEY + key] = value


def _new_data() -> None:
    st.session_state[SEED.key] = int(st.session_state.get(SEED.key, SEED.default)) + 1


def sidebar(url: UrlState) -> tuple[ts.Setup | None, list[str]]:
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
    put(EARLY_STOP)
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
