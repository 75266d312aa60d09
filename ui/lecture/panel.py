"""Predict, then reveal: a scene's question and answers, the student's pick, and after the reveal
the right answer (from the scene's live claims), whether the pick was right, the explanation and
the "try this" follow-up, every number filled from the runs (`scenes.lecture.fill`).

The class vote (helper D's `ui/classroom.py`) plugs in at `VOTE_HOOK`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from scenes.lecture import LectureScene, Outcome, fill

# CLASS VOTE HOOK: set to a function (scene, answers as shown, where) -> bool that draws the class's
# vote (ui/lecture/class_vote.py), called "before" the answer buttons (True: the vote drew the
# answers and its own Reveal, so the panel draws neither), "under" them, and when "revealed" (after
# the verdict). None: no vote panel.
VOTE_HOOK: Callable[[LectureScene, list[str], str], bool] | None = None


def pick_key(scene: LectureScene) -> str:
    return f"lecture_pick_{scene.id}"


def reveal_key(scene: LectureScene) -> str:
    return f"lecture_revealed_{scene.id}"


def is_revealed(scene: LectureScene) -> bool:
    return bool(st.session_state.get(reveal_key(scene))) or st.session_state.get(pick_key(scene)) is not None


def _pick(scene: LectureScene, index: int) -> None:
    st.session_state[pick_key(scene)] = index
    st.session_state[reveal_key(scene)] = True


def _reveal(scene: LectureScene) -> None:
    st.session_state[reveal_key(scene)] = True


def _again(scene: LectureScene) -> None:
    st.session_state.pop(pick_key(scene), None)
    st.session_state[reveal_key(scene)] = False


def answers_shown(scene: LectureScene, outcome: Outcome) -> list[str]:
    return [fill(a.text, outcome.numbers) for a in scene.answers]


def draw(scene: LectureScene, outcome: Outcome) -> None:
    """The question, then either the answer buttons and Reveal, or the marked answers and why."""
    numbers: dict[str, Any] = outcome.numbers
    answers = answers_shown(scene, outcome)
    st.markdown(f"### {fill(scene.question, numbers)}")
    if len(outcome.right) != 1:  # a claim stopped holding: say so, never mark a guess
        st.error(
            "The runs no longer single out one answer for this scene "
            f"({len(outcome.right)} answers hold), so none is marked."
        )
    if not is_revealed(scene):
        if VOTE_HOOK is not None and VOTE_HOOK(scene, answers, "before"):
            return
        for i, text in enumerate(answers):
            st.button(
                f"{chr(65 + i)}. {text}", key=f"lecture_answer_{scene.id}_{i}", width="stretch",
                on_click=_pick, args=(scene, i),
            )  # fmt: skip
        if VOTE_HOOK is not None:
            VOTE_HOOK(scene, answers, "under")
        st.button("Reveal", key=f"lecture_reveal_{scene.id}", type="primary", on_click=_reveal, args=(scene,))
        return
    right = outcome.right[0] if len(outcome.right) == 1 else None
    pick = st.session_state.get(pick_key(scene))
    lines = []
    for i, text in enumerate(answers):
        mine = " ← your answer" if i == pick else ""
        line = f"**{chr(65 + i)}.** {text}{mine}"
        lines.append(f":green[✔ {line}]" if i == right else f":gray[✖ {line}]")
    st.container(key="lecture_answers").markdown("  \n".join(lines))
    if pick is not None and right is not None:
        verdict = "right" if pick == right else f"not right: the answer is {chr(65 + right)}"
        st.markdown(f"**Your answer, {chr(65 + pick)}, is {verdict}.**", help="Decided on the runs' numbers.")
    if VOTE_HOOK is not None:
        VOTE_HOOK(scene, answers, "revealed")
    st.container(key="lecture_explanation").markdown(fill(scene.explanation, numbers))
    if outcome.try_holds:  # a follow-up whose claim fails is not shown
        st.markdown(f"**Try this:** {fill(scene.try_this.text, outcome.try_numbers)}")
    if scene.citation:
        st.caption(f"Source: {scene.citation}")
    st.button("Ask again", key=f"lecture_again_{scene.id}", on_click=_again, args=(scene,))
