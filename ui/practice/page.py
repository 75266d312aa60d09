"""The training-practice page (`/training`): the title, the lesson note, the sidebar's `Setup`,
its training (through the job runner), then one tab per view (`draw_tabs`: only the open tab
runs)."""

from __future__ import annotations

import streamlit as st

from scenes.practice import CV_K, CV_PARAM, INTRO, NO_PRESET, PRESET, PRESETS, VIEW, live_note
from training import studies as ts
from ui.practice import shared
from ui.practice.sidebar import sidebar
from ui.practice.study_views import curves_view, cv_view, diagnosis_view, search_view
from ui.practice.training_views import capacity_view, training_view
from ui.settings import UrlState, draw_tabs
from ui.timing import timed


@st.cache_data(max_entries=32, show_spinner=False)
def _note(preset: str, setup: ts.Setup, cv: tuple[str, int]) -> tuple[bool, str]:
    """The lesson's note decided on the numbers of these settings (`live_note`), once per scene."""
    return live_note(preset, setup, cv)


@timed("training")
def render() -> None:
    """Draws the page (called by app.py's router for url_path "training")."""
    url = UrlState()
    st.title("Training practice")
    st.markdown(INTRO)
    messages = st.container()
    setup, warnings = sidebar(url)
    for text in warnings:
        messages.warning(text, icon=":material/warning:")
    note_box, noted = messages.container(), (setup, _note_cv())  # checked last (see _lesson_note)
    if setup is not None:
        try:
            history = shared.study("fit", setup, "Training…", "training")
        except ValueError as exc:
            messages.error(f"Training failed: {exc}")
            setup = None
        else:
            if history is None:  # cancelled: the page says so where the bar was
                setup = None
    if setup is None:
        _lesson_note(note_box, *noted)
        url.finish()
        url.show_warnings(messages)
        return
    shared.keep_looks_in_url(url, setup)
    tabs = draw_tabs(VIEW, url)
    views = (training_view, capacity_view, curves_view, search_view, cv_view, diagnosis_view)
    for tab, view in zip(tabs, views, strict=True):
        if tab.open:
            with tab:
                try:
                    view(url, setup, history)
                except ValueError as exc:
                    st.error(f"This view cannot be computed for these settings: {exc}")
    _lesson_note(note_box, *noted)
    url.finish()
    url.show_warnings(messages)


def _note_cv() -> tuple[str, int]:
    """The CV parameter and folds the lesson's note is checked with (the page's, else the lesson's)."""
    owned = PRESETS[st.session_state[PRESET.key]].settings if _preset() != NO_PRESET else {}
    return (
        st.session_state.get(CV_PARAM.key, owned.get("cv_param", CV_PARAM.default)),
        int(st.session_state.get(CV_K.key, owned.get("cv_k", CV_K.default))),
    )


def _preset() -> str:
    return st.session_state.get(PRESET.key, NO_PRESET)


def _lesson_note(box, setup: ts.Setup | None, cv: tuple[str, int]) -> None:
    """The open lesson's note, in `box` at the top of the page, decided on the numbers of these
    settings (as the sidebar gave them at the start of the run). It runs after the views: checking
    its claims trains the scene again (up to a few seconds the first time), and the page's charts
    need not wait for it."""
    preset = _preset()
    if preset == NO_PRESET or setup is None:
        return
    lesson = PRESETS[preset]
    with box, st.spinner("Checking the lesson's note on these settings…"):
        shown, text = _note(preset, setup, cv)
    if shown:
        box.info(f"**{lesson.title}.** {text}", icon=":material/lightbulb:")
    else:
        box.warning(f"**{lesson.title}.** {text}", icon=":material/rule:")
