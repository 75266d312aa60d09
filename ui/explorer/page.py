"""The explorer page: race optimizers across a 2D loss surface (lays the page out, in order).

Thin by design: the sidebar (`ui.explorer.sidebar`) draws the scene's settings (declared in
`scenes.explorer`) into an `ExplorerChoices`, which feeds cached engine runs
(`ui.explorer.runs`); the map is a browser component (`ui.map_component`) that keeps its chart:
it gets the contour once per surface and new paths on each rerun, and plays and scrubs the race
without rerunning the script. The views under it are `ui.explorer.views`.
"""

from __future__ import annotations

import os
import sys
import time

import streamlit as st

import surfaces
from export.race import headline_words
from figures import explorer as fx
from figures import map_data, pins
from scenes import explorer as scene
from scenes.explorer import ExplorerChoices
from ui import common, map_component
from ui.explorer import runs, sidebar, views
from ui.settings import UrlState, draw, draw_tabs

# Presentation mode's page style, for a projector of 1280x720 and up: the sidebar and Streamlit's
# toolbar are hidden (presentation mode's checkbox, under the map, brings them back), helper
# captions go, text grows to at least 20 px (the map's own fonts and lines grow in
# ui/landscape_map.js). The lesson note stays above the map, at most three lines (it scrolls); the
# other messages go below the map's controls, so that the map, ▶ and the step slider fit the screen.
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"] {
  display: none !important; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] { display: none; }
[data-testid="stMainBlockContainer"] { padding-top: 0.75rem; padding-bottom: 1rem; max-width: 100%; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMain"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMain"] [data-testid="stWidgetLabel"] p,
[data-testid="stMain"] [data-baseweb="select"] div,
[data-testid="stMain"] button p,
[data-testid="stMain"] [data-testid="stTab"] p { font-size: 22px !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 32px !important; }
.st-key-lesson_note [data-testid="stAlertContainer"] { padding: 0.35rem 0.9rem; }
.st-key-lesson_note [data-testid="stMarkdownContainer"] { max-height: 84px; overflow-y: auto; }
.st-key-lesson_note [data-testid="stMarkdownContainer"] p { font-size: 20px !important; line-height: 1.4; }
</style>"""


def render() -> None:
    """Draw the explorer page (with PLAYGROUND_TIMING=1, log the script time to stderr)."""
    t0 = time.perf_counter()
    if os.environ.get("PLAYGROUND_TIMING"):
        print(f"explorer render start {time.time():.3f}", file=sys.stderr)
    _render()
    if os.environ.get("PLAYGROUND_TIMING"):
        print(f"explorer render {1e3 * (time.perf_counter() - t0):.1f} ms", file=sys.stderr)


def _join(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _view_controls(url: UrlState, choices: ExplorerChoices) -> tuple[bool, str, bool]:
    """The overlays toggle, the inspector's optimizer and presentation mode, in a row above the map."""
    left, middle, right = st.columns([1, 2, 1], vertical_alignment="center")
    with left:
        on = draw(scene.THEORY, url)
    with middle:
        inspect = draw(scene.INSPECT, url, options=(scene.NO_INSPECT, *choices.optimizers))
    with right:
        present = draw(scene.PRESENT, url)
    return on, inspect, present


def _messages(
    note_slot, messages, choices: ExplorerChoices, trajs: dict, notes: list[str], full_batch: list[str]
) -> None:
    """The lesson's live note (in `note_slot`), and in `messages` what could not run, the
    full-batch methods and divergences."""
    note = runs.lesson_note(choices, trajs)
    if note is not None:
        title = scene.PRESETS[choices.preset].title
        (note_slot.info if note.holds else note_slot.warning)(f"**Lesson: {title}.** {note.text}")
    if not choices.optimizers:
        messages.info("Choose at least one optimizer in the sidebar to start the race.")
    for text in notes:
        messages.info(text, icon="ℹ️")
    if full_batch:
        messages.caption(
            f"{_join(full_batch)} {'uses' if len(full_batch) == 1 else 'use'} the full batch, "
            "whatever the minibatch size: "
            "second-order methods need the exact gradient and curvature of the whole loss "
            "(the lecture's 'in practice' slide), so only the first-order methods use minibatches."
        )
    labels = choices.labels
    for run, traj in trajs.items():
        if traj.status == "diverged":
            messages.warning(
                f"**{labels[run]} {traj.ending.headline}**: "
                f"{'; '.join([traj.ending.detail, *traj.notes])}. Its path is drawn up to its last "
                f"finite point.{sidebar.beyond_limit_phrase(run, choices)}",
                icon="⚠️",
            )


def _render() -> None:
    url = UrlState(page="explorer", owns=scene.owns)
    header = st.container()  # the title, filled once presentation mode is known
    note_slot = st.container(key="lesson_note")
    top = st.container()  # the messages, above the map (below its controls in presentation mode)

    choices = sidebar.sidebar(url)
    surface = choices.problem.build_surface()
    sinfo = surfaces.SURFACES[choices.surface]
    trajs, notes, full_batch = runs.runs(choices, surface)
    labels = choices.labels

    # The map's area comes first on the page, the row of view controls under it (in presentation
    # mode the map then starts right under the lesson note), but the controls are read first.
    map_area = st.container()
    theory_on, inspect, present = _view_controls(url, choices)
    messages = st.container() if present else top
    _messages(note_slot, messages, choices, trajs, notes, full_batch)
    if present:
        st.html(PRESENT_CSS)
    else:
        header.title("Optimizer Playground")
        header.caption(
            "Pick a loss surface and some optimizers in the sidebar, then watch them race from the "
            "start point θ₀ to the minimum. Press ▶ under the map to see every path advance "
            "together (or drag the step slider); click anywhere on the map to start from there."
        )
    grid_n = map_data.grid_size(sinfo.log_levels)
    base = map_component.map_base(choices.surface, choices.problem.surface_params, sinfo.log_levels, grid_n)
    pinned = runs.pinned_runs(choices)  # drawn with the live runs, dashed and faded
    shown, shown_labels = {**trajs, **pinned}, {**labels, **choices.pin_labels}
    pin_runs = {pid: choices.pinned[pid].run for pid in pinned}
    paths = map_data.map_paths(surface, shown, start=choices.start, base_key=base["key"], labels=shown_labels)
    pins.style_map_paths(paths, pin_runs)
    paths.update(runs.theory_for_map(choices, trajs, theory_on, inspect), present=present)
    ran = [labels[run] for run in trajs]  # the slide PNG's title, as the export's first line
    paths["caption"] = headline_words(choices.surface, ran, choices.start, choices.steps, choices.noise)
    predicted = runs.predicted_gaps(choices, trajs, surface) if theory_on else {}
    # Side by side when the map is one square panel; data surfaces use the full width for the map
    # and its data panel, with the loss below. In presentation mode the map takes the full width.
    if surface.data is None and not present:
        map_col, loss_col = map_area.columns([3, 2], gap="medium")
    else:
        map_col = loss_col = map_area
    with map_col:
        map_component.landscape_map(base, paths, key="landscape", on_start=sidebar.on_map_click)
        views.pins_row(choices)
        if trajs:
            views.download_race(url)
    with loss_col:
        if trajs:
            estimated = getattr(surface, "minima_estimated", False)
            views.loss_view(url, shown, surface.min_value, estimated, shown_labels, predicted, pin_runs)
            if predicted:
                st.caption(
                    "Dashed: the theory's prediction of L − L\\*, step by step: the linear recursion "
                    "of each eigen-direction of the constant Hessian (its rate is the slowest "
                    "direction's ρ). It lies on the run's own curve."
                )
    rotated = runs.rotated_valley_note(choices, surface)
    if rotated:
        st.caption(rotated)

    if trajs:
        st.subheader("Summary")
        views.summary_view(url, trajs, surface, labels, choices.noise)
        st.download_button(
            "Download all trajectories (CSV)",
            data=lambda: views.csv(trajs, labels),  # built on click, not on every rerun
            file_name=f"trajectories_{choices.surface}.csv",
            mime="text/csv",
            key="download_csv",
            on_click="ignore",
        )

    # Heavier views are lazy: only the open tab runs and is sent.
    rules_tab, lr_tab, surf_tab = draw_tabs(scene.VIEW, url)
    if rules_tab.open:
        with rules_tab:
            views.update_rules(choices.optimizers)
    if lr_tab.open:
        with lr_tab:
            if trajs:
                views.rates_view(trajs, labels)
    if surf_tab.open:
        with surf_tab:
            grid = common.surface_grid(choices.surface, choices.problem.surface_params, map_data.GRID_N)
            st.plotly_chart(
                fx.surface3d_figure(surface, grid, trajs, log_levels=sinfo.log_levels, labels=labels),
                key="surface3d",
                width="stretch",
                theme=None,
                config=common.PLOTLY_CONFIG,
            )
            st.caption("Drag to turn the surface; the view is kept while you change settings.")

    url.finish()
    url.show_warnings(messages)
