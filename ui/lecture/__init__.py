"""The lecture page (`/lecture`): ../shared/LECTURE.md as an ordered sequence of scenes
(`scenes.lecture.SCENES`), each a question to predict before its runs are revealed.

The scene is in the URL (`?scene=<id>`, so the browser's back button returns to the previous
one); PageDown / PageUp / Home / End move between scenes (`ui.lecture.keys`), space and ← → play
and step the map. `?lock=1` is the lecturer's link for a student exercise: no sidebar controls.
Modules: `keys` (the key listener), `stage` (map or chart), `panel` (question, reveal,
explanation), `links` (the lecture, lecturer and homework URLs), `style` (projector sizing).
"""

from __future__ import annotations

import streamlit as st

from scenes import lecture
from scenes.lecture import SCENES, LectureScene, Outcome
from scenes.settings import shown
from ui import jobs
from ui.lecture import class_vote, keys, links, panel, stage, style

panel.VOTE_HOOK = class_vote.vote_panel  # the class vote (ui/classroom.py)

KEYS_KEY = "lecture_keys"


def decided(scene: LectureScene) -> Outcome | None:
    """The scene decided on the engine's numbers, through the one job runner (`ui.jobs`: cached,
    a long study in the worker pool with a progress bar and Cancel); None when cancelled."""
    return jobs.run_job(
        "lecture_scene",
        (scene.id,),
        {},
        seconds=lecture.estimated_seconds(scene),
        label="Running the scene's studies…",
        key_prefix="lecture_job_",
        unit="studies",
        what="scene's study",
    )


def current() -> tuple[int, str | None]:
    """The scene's index from the URL, and a warning for an unknown id (then the first scene)."""
    sid = st.query_params.get(links.SCENE_KEY)
    if sid is None:
        return 0, None
    ids = [s.id for s in SCENES]
    if sid in ids:
        return ids.index(sid), None
    return 0, f"There is no scene `{shown(sid)}`; showing the first one."


def go_to(index: int) -> None:
    """Open scene `index` (clamped): its id goes into the URL, a new entry of the browser's history."""
    index = max(0, min(len(SCENES) - 1, index))
    st.query_params[links.SCENE_KEY] = SCENES[index].id


def _on_move(move: str) -> None:
    index, _ = current()
    target = {"next": index + 1, "prev": index - 1, "first": 0, "last": len(SCENES) - 1}[move]
    go_to(target)


def _sidebar(scene: LectureScene, index: int) -> None:
    sb = st.sidebar
    sb.header("Lecture")
    sb.selectbox(
        "Scene",
        range(len(SCENES)),
        index=index,
        format_func=lambda i: f"{i + 1}. {SCENES[i].title} ({SCENES[i].slide_label})",
        key=f"lecture_pick_scene_{index}",
        on_change=lambda: go_to(st.session_state[f"lecture_pick_scene_{index}"]),
    )
    sb.markdown(f"[Lecturer link (controls hidden)]({links.lecture_url(scene, lock=True)})")
    homework = links.homework_url(scene)
    if homework:
        sb.markdown(f"[Open this scene in the {scene.page} page, for homework ↗]({homework})")
    sb.caption(
        "PageDown / PageUp: next / previous scene; Home / End: first / last; space, ← →: play and step."
    )


def render() -> None:
    """Draw the lecture page (called by app.py's router for url_path "lecture")."""
    class_vote.follow_room()  # a student of a class vote (?room=) sees the lecturer's scene
    index, warning = current()
    scene = SCENES[index]
    lock = st.query_params.get(links.LOCK_KEY) == "1"
    style.apply(lock)
    keys.listen(KEYS_KEY, _on_move)
    if warning:
        st.warning(warning)
    if not lock:
        _sidebar(scene, index)

    revealed = panel.is_revealed(scene)
    myth = "Myth · " if scene.myth else ""
    st.markdown(
        f"<div class='lecture-head'><span class='lecture-count'>{index + 1} / {len(SCENES)}</span>"
        f"<span class='lecture-slide'>{myth}{scene.slide_label}</span>"
        f"<span class='lecture-title'>{scene.title}</span></div>",
        unsafe_allow_html=True,
    )
    try:
        outcome = decided(scene)
    except (KeyError, ValueError) as exc:  # a method or setting the engine lacks: say so, no traceback
        st.error(f"This scene cannot be run on this version of the engine: {exc!s}.")
        return
    if outcome is None:  # cancelled: run_job said so and offers to run it again
        return
    # a data surface's map has two panels (parameters and data): it gets more of the width
    wide = scene.page == "explorer" and lecture.explorer_surface(scene.settings).data is not None
    left, right = st.columns([2, 1] if wide else [3, 2], gap="medium")
    with left, st.container(key="lecture_stage"):
        if scene.page == "explorer":
            stage.explorer_stage(scene, revealed)
        else:
            stage.chart_stage(scene, outcome.numbers, revealed)
    with right, st.container(key="lecture_panel"):
        panel.draw(scene, outcome)
        if revealed and scene.loss_chart:
            stage.loss_stage(scene)
