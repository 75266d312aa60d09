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


# ---- looks at the test part: one count per data set and session, on every tab, kept in the URL

LOOKS = KEY + "test_looks"  # session_state: data set -> looks at its test part; also the URL key
SHOWN = KEY + "test_shown"  # session_state: what had its test score shown, e.g. ("model", setup)


def _data_set(setup: ts.Setup) -> tuple:
    """What fixes the test part: the data and its split."""
    return (setup.dataset, setup.n_samples, setup.noise, setup.label_noise, setup.seed, setup.fractions)


def looks(setup: ts.Setup) -> int:
    """How many times this session has looked at the setup's test part (any tab, any model)."""
    return st.session_state.get(LOOKS, {}).get(_data_set(setup), 0)


def look(setup: ts.Setup, what: tuple) -> None:
    """A button's callback: show `what`'s test score, one more look at the data set's test part."""
    counts = st.session_state.setdefault(LOOKS, {})
    counts[_data_set(setup)] = counts.get(_data_set(setup), 0) + 1
    st.session_state.setdefault(SHOWN, set()).add(what)


def test_shown(setup: ts.Setup, what: tuple) -> bool:
    return what in st.session_state.get(SHOWN, set())


def keep_looks_in_url(url: Any, setup: ts.Setup) -> None:
    """Read the link's count of looks (a reload keeps it: a new session starts from the URL) and
    write the current data set's count to the URL."""
    raw = url.pending.pop(LOOKS, None)
    if raw is not None and raw.isdigit() and len(raw) < 7:
        counts = st.session_state.setdefault(LOOKS, {})
        counts[_data_set(setup)] = max(counts.get(_data_set(setup), 0), int(raw))
    elif raw is not None:
        url.warnings.append(f"Ignored the link's test_looks={raw[:20]!r}: not a count.")
    n = looks(setup)
    url.track(LOOKS, n, 0, str(n))


def looks_so_far(setup: ts.Setup) -> None:
    """Before a test score is asked for: what asking again would mean."""
    n = looks(setup)
    if n:
        st.caption(
            f"You have looked at this data set's test part {n} time(s) in this session (on any tab): "
            "asking again now is **peeking**."
        )


def peeking_note(setup: ts.Setup) -> None:
    """Under a test score: an unbiased estimate only while it is the data set's only look."""
    n = looks(setup)
    if n > 1:
        st.warning(
            f"**Peeking.** You have looked at this data set's test part {n} times in this session (on "
            "any tab). Each look that leads you to change something makes the test set part of the "
            "development loop: its score is then no longer an unbiased estimate of the error on new data.",
            icon=":material/visibility:",
        )
    else:
        st.caption(
            "Your only look at this data set's test part: an unbiased estimate of the error on new data."
        )


def number_columns(table: Any) -> dict:
    """A 4-significant-digit column format for every float column of a DataFrame."""
    import pandas as pd

    return {
        c: st.column_config.NumberColumn(format="%.4g")
        for c in table.columns
        if pd.api.types.is_float_dtype(table[c])
    }
