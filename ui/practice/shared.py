"""What the training-practice page's views share: its data, and its studies through the one job
runner (`ui.jobs`: cached, in the worker process when long, with a progress bar and Cancel), the
error's label, the study button, and number columns for tables."""

from __future__ import annotations

from typing import Any

import streamlit as st

from figures import training as ft
from scenes.practice import KEY
from training import DATASETS
from training import studies as ts
from ui import jobs


def study(name: str, setup: ts.Setup, label: str, what: str, **args: Any) -> Any | None:
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
def data(setup: ts.Setup):
    X, y = setup.data()
    return X, y, setup.parts()


@st.cache_resource(max_entries=16, show_spinner=False)
def data_figure(setup: ts.Setup, show_test: bool, _history):
    """The scrubbed data figure (cache_resource: the figure is shared, never mutated; `_history`
    is the setup's training, so the setup is its key)."""
    X, y, (tr, va, te) = data(setup)
    parts = {"train": tr, "validation": va} | ({"test": te} if show_test else {})
    return ft.data_figure(
        setup.build(), _history, X, y, parts, target=DATASETS[setup.dataset].target, height=500
    )


def panels(setup: ts.Setup):
    return study("capacity", setup, "Training the three models…", "training of the three models")


def panels_too_heavy(setup: ts.Setup) -> bool:
    """Whether the width-64 panel would take too long with the setup's epochs and data."""
    widest = ts.capacity_setups(setup)[-1]
    return setup.model == "mlp" and ts.estimated_seconds("fit", widest) > ts.MAX_FIT_SECONDS


def error_label(setup: ts.Setup) -> str:
    return ts.ERROR_LABELS[setup.task]


def job_button(name: str, key: Any, label: str, seconds: float) -> bool:
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


def remember(key: str, value: Any) -> None:
    st.session_state[key] = value


def number_columns(table: Any) -> dict:
    """A 4-significant-digit column format for every float column of a DataFrame."""
    import pandas as pd

    return {
        c: st.column_config.NumberColumn(format="%.4g")
        for c in table.columns
        if pd.api.types.is_float_dtype(table[c])
    }
