"""The class vote on the lecture page: `ui.classroom`'s pieces plugged into the page's
`panel.VOTE_HOOK`, and the students' page following the lecturer's scene.

The question of a scene is its id; its choices are the answers' letters (A, B, ...), short enough
for the histogram's axis, with the answers' text on the students' buttons. Lecturer: "Start a
class vote" under the answers; once it runs, the answers as text, the join code, QR code, live
histogram, Reveal (which also reveals the scene) and New round (which hides it again). Student
(`?room=CODE`): the scene the lecturer has open, their answer buttons instead of the page's, and
after the lecturer's Reveal the page's verdict on their own vote.
"""

from __future__ import annotations

import streamlit as st

from scenes.lecture import BY_ID, LectureScene
from ui import classroom
from ui.lecture import links, panel

LETTERS = "ABCDEFGH"  # a question has at most 8 choices
_JOINED = "classroom_joined_question"  # the room's question this run (a student's page)
# A student's page: no "Ask again" (the lecturer asks again); on a phone, where the columns stack,
# the question and answer buttons come before the stage, and the panel grows with the page.
STUDENT_CSS = """<style>
[class*="st-key-lecture_again_"] { display: none; }
@media (max-width: 640px) {
  [data-testid="stColumn"]:has(.st-key-lecture_panel) { order: -1; }
  .st-key-lecture_panel { max-height: none !important; overflow-y: visible !important; }
}
</style>"""


def choices(scene: LectureScene) -> list[str]:
    """The vote's choices for a scene: its answers' letters."""
    return list(LETTERS[: len(scene.answers)])


def is_student() -> bool:
    return classroom.ROOM_PARAM in st.query_params


def follow_room() -> None:
    """First thing in a lecture page's run. Takes a lecturer key off the address bar. On a
    student's page (`?room=`): the lecturer's scene goes into the URL (controls hidden), revealed
    when the lecturer revealed it, with the student's vote as their answer."""
    classroom.take_key_from_url()
    st.session_state.pop(_JOINED, None)
    if not is_student():
        return
    st.html(STUDENT_CSS)
    if st.query_params.get(links.LOCK_KEY) != "1":
        st.query_params[links.LOCK_KEY] = "1"
    question = classroom.joined_question()
    if question is None:
        return
    scene = BY_ID.get(question.question_id)
    if scene is None:
        st.warning("The lecturer's question is not a scene of this lecture.")
        return
    if st.query_params.get(links.SCENE_KEY) != scene.id:
        st.query_params[links.SCENE_KEY] = scene.id
    revealed = question.state == "revealed"
    st.session_state[panel.reveal_key(scene)] = revealed
    mine = classroom.my_vote(question) if revealed else None
    if mine in question.choices:
        st.session_state[panel.pick_key(scene)] = question.choices.index(mine)
    else:
        st.session_state.pop(panel.pick_key(scene), None)
    st.session_state[_JOINED] = question


def _on_action(scene: LectureScene, action: str) -> None:
    """The lecturer's Reveal reveals the scene on their screen too; a New round hides it again."""
    if action == "reveal":
        st.session_state[panel.reveal_key(scene)] = True
    else:
        st.session_state.pop(panel.pick_key(scene), None)
        st.session_state[panel.reveal_key(scene)] = False


def vote_panel(scene: LectureScene, answers: list[str], where: str) -> bool:
    """`panel.VOTE_HOOK`: True when the vote drew the answers and the reveal ("before")."""
    lettered = list(zip(LETTERS, answers, strict=False))
    labels = [f"{letter}. {text}" for letter, text in lettered]
    if is_student():
        question = st.session_state.get(_JOINED)
        if question is None or question.question_id != scene.id:
            return True  # joined_question said why; the page's own buttons would reveal alone
        if where == "before":
            classroom.student_panel(question, labels)
        elif where == "revealed":
            if st.session_state.get(panel.pick_key(scene)) is None:
                st.markdown("**You did not vote in this round.**")
            classroom.follow(question)
        return True
    running = classroom.running_room() is not None
    if where == "before" and running:
        st.markdown("  \n".join(f"**{letter}.** {text}" for letter, text in lettered))
        classroom.lecturer_panel(scene.id, choices(scene), lambda action: _on_action(scene, action))
        return True
    if where == "under" and not running:
        classroom.start_control(scene.id, choices(scene))
    if where == "revealed" and running:
        classroom.lecturer_panel(scene.id, choices(scene), lambda action: _on_action(scene, action))
    return False
