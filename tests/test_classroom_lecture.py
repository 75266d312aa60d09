"""The class vote on the lecture page (`ui/lecture/class_vote.py` at `panel.VOTE_HOOK`) under
AppTest: the lecturer starts a vote on the scene, Reveal reveals the scene too, New round hides it
again; a student with `?room=` sees the lecturer's scene, votes with their own buttons (never the
page's, which would reveal alone), and after the reveal is told whether their vote was right."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import classroom
from scenes.lecture import BY_ID, SCENES, decide
from tests.test_classroom_ui import all_text

KEY = "a-long-lecturer-key"
SCENE = BY_ID["newton-quadratic"]
TIMEOUT = 120


def lecture_page() -> None:
    import ui.lecture

    ui.lecture.render()


def open_page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_function(lecture_page, default_timeout=TIMEOUT)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


@pytest.fixture
def store(monkeypatch, tmp_path):
    path = tmp_path / "class.db"
    monkeypatch.setenv("PLAYGROUND_CLASSROOM_DB", str(path))
    monkeypatch.setenv("PLAYGROUND_LECTURER_KEY", KEY)
    monkeypatch.delenv("PLAYGROUND_PUBLIC_URL", raising=False)
    with classroom.open_store(f"sqlite:///{path}") as opened:
        yield opened


def join_code(at: AppTest) -> str:
    found = re.search(r'data-testid="classroom-code"[^>]*>([A-Z0-9]{5})<', all_text(at))
    assert found, all_text(at)
    return found.group(1)


def lecturer_started(scene_id: str = SCENE.id) -> tuple[AppTest, str]:
    at = open_page({"scene": scene_id, "lecturer": KEY})
    assert "lecturer" not in at.query_params  # the key left the address bar on the first run
    at.button(key="classroom_start").click().run()
    assert not at.exception
    return at, join_code(at)


def test_without_a_vote_the_start_sits_between_the_answers_and_reveal(store) -> None:
    at = open_page({"scene": SCENE.id})
    labels = [b.label for b in at.button]
    assert labels[0].startswith("A. ") and labels[-1] == "Reveal"
    assert labels[-2] == "Start a class vote"
    assert at.text_input(key="classroom_key_input").label == "Lecturer key"


def test_the_lecturer_votes_reveals_and_starts_a_new_round(store) -> None:
    at, code = lecturer_started()
    right = decide(SCENE).right[0]
    # the running vote: the answers as text, no answer buttons of the page, the vote's Reveal
    assert not [b for b in at.button if b.key and b.key.startswith("lecture_answer_")]
    assert at.button(key="classroom_reveal").label == "Reveal"
    assert store.current_question(code).question_id == SCENE.id
    assert store.current_question(code).choices == tuple("ABCD"[: len(SCENE.answers)])
    assert KEY not in all_text(at)
    store.vote(code, SCENE.id, "student-1", "A")
    store.vote(code, SCENE.id, "student-2", "B")
    at.run()
    assert "2 votes in round 1 (open)" in all_text(at)

    at.button(key="classroom_reveal").click().run()
    assert store.question(code, SCENE.id).state == "revealed"
    assert f":green[✔ **{chr(65 + right)}.**" in all_text(at)  # the scene is revealed too
    assert "2 votes in round 1 (revealed, no more votes)" in all_text(at)

    at.button(key="classroom_new_round").click().run()
    assert store.question(code, SCENE.id).round == 2
    assert ":green[✔" not in all_text(at)  # hidden again for the second vote
    assert "0 votes in round 2 (open)" in all_text(at)


def test_a_student_follows_the_lecturers_scene_and_is_judged_after_the_reveal(store) -> None:
    at, code = lecturer_started()
    right = decide(SCENE).right[0]
    wrong = (right + 1) % len(SCENE.answers)
    student = open_page({"room": code})
    assert student.query_params["scene"] == SCENE.id
    k = [s.id for s in SCENES].index(SCENE.id) + 1
    assert f"{k} / {len(SCENES)}" in all_text(student)
    keys = [b.key for b in student.button]
    assert "lecture_reveal_" + SCENE.id not in keys  # the page's own Reveal would reveal alone
    assert not [key for key in keys if key and key.startswith("lecture_answer_")]
    choice = student.button(key=f"classroom_choice_{wrong}")
    assert choice.label.startswith(f"{chr(65 + wrong)}. ")
    choice.click().run()
    assert store.tally(code, SCENE.id)[chr(65 + wrong)] == 1
    assert student.button(key=f"classroom_choice_{wrong}").label.startswith("✓ ")
    assert KEY not in all_text(student) and KEY not in str(dict(student.query_params))

    at.button(key="classroom_reveal").click().run()
    student.run()
    text = all_text(student)
    assert f"Your answer, {chr(65 + wrong)}, is not right: the answer is {chr(65 + right)}" in text
    assert f":green[✔ **{chr(65 + right)}.**" in text


def test_a_student_who_did_not_vote_is_told_so(store) -> None:
    at, code = lecturer_started()
    at.button(key="classroom_reveal").click().run()
    student = open_page({"room": code})
    assert "You did not vote in this round." in all_text(student)


def test_a_student_of_an_unknown_room_gets_a_message_and_no_answer_buttons(store) -> None:
    student = open_page({"room": "ZZZZZ"})
    assert not student.exception
    assert "ZZZZZ" in all_text(student) or "room" in all_text(student).lower()
    assert not [b for b in student.button if b.key and b.key.startswith("lecture_answer_")]
    assert not [b for b in student.button if b.key and b.key.startswith("lecture_reveal_")]
