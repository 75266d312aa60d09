"""The class vote's Streamlit pieces (`ui/classroom.py`) under AppTest, on tiny test pages: the
lecturer's start, join code, QR code, tally, Reveal and New round; the students' buttons with their
own vote marked; hostile `room=` values answered with a message, never a traceback."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

import classroom
from ui import classroom as class_vote

KEY = "a-long-lecturer-key"
CHOICES = ["Adam", "SGD", "Momentum"]


def lecturer_page() -> None:
    import streamlit as st

    from ui import classroom as class_vote

    question = class_vote.lecturer_panel("q1", ["Adam", "SGD", "Momentum"])
    st.text(f"class vote: {'none' if question is None else f'{question.state} {question.round}'}")


def student_page() -> None:
    import streamlit as st

    from ui import classroom as class_vote

    question = class_vote.joined_question()
    if question is not None:
        st.text(f"question: {question.question_id}")
        class_vote.student_panel(question)


@pytest.fixture
def db_url(monkeypatch, tmp_path) -> str:
    path = tmp_path / "class.db"
    monkeypatch.setenv("PLAYGROUND_CLASSROOM_DB", str(path))
    monkeypatch.delenv("PLAYGROUND_LECTURER_KEY", raising=False)
    monkeypatch.delenv("PLAYGROUND_PUBLIC_URL", raising=False)
    return f"sqlite:///{path}"


@pytest.fixture
def store(db_url):
    with classroom.open_store(db_url) as opened:
        yield opened


def all_text(at: AppTest) -> str:
    """Everything the page shows as text (markdown, captions, text, alerts, labels)."""
    parts = [
        e.value for kind in ("markdown", "caption", "text", "error", "warning", "info") for e in at.get(kind)
    ]
    parts += [b.label for b in at.button] + [t.label for t in at.text_input]
    return "\n".join(str(p) for p in parts)


def started(at: AppTest, key: str = KEY) -> str:
    """Type `key`, press Start; return the join code shown."""
    at.text_input(key="classroom_key_input").input(key)
    at.button(key="classroom_start").click().run()
    assert not at.exception
    code = re.search(r'data-testid="classroom-code"[^>]*>([A-Z0-9]{5})<', all_text(at))
    assert code, all_text(at)
    return code.group(1)


def test_a_lecturer_starts_a_vote_and_sees_code_qr_and_tally(db_url, store) -> None:
    at = AppTest.from_function(lecturer_page).run()
    assert not at.exception
    assert at.text_input(key="classroom_key_input").label == "Lecturer key"
    assert at.text[0].value == "class vote: none"
    code = started(at)
    assert at.text[0].value == "class vote: open 1"
    assert "0 votes in round 1 (open)" in all_text(at)
    assert len(at.get("image")) == 1  # the QR code
    assert f"?room={code}" in all_text(at)  # the join link under the code
    assert KEY not in all_text(at)  # never on the projected screen
    assert KEY not in str(dict(at.query_params))
    store.vote(code, "q1", "student-1", "SGD")
    store.vote(code, "q1", "student-2", "SGD")
    at.run()
    assert "2 votes in round 1 (open)" in all_text(at)
    figure = at.get("plotly_chart")[0].proto.spec
    assert '"y":[0,2,0]' in figure.replace(" ", "")


def test_reveal_and_new_round_show_two_rounds_side_by_side(db_url, store) -> None:
    at = AppTest.from_function(lecturer_page).run()
    code = started(at)
    store.vote(code, "q1", "s1", "Adam")
    at.button(key="classroom_reveal").click().run()
    assert at.text[0].value == "class vote: revealed 1"
    assert at.button(key="classroom_reveal").disabled
    with pytest.raises(classroom.QuestionClosedError):
        store.vote(code, "q1", "s2", "Adam")
    at.button(key="classroom_new_round").click().run()
    assert at.text[0].value == "class vote: open 2"
    store.vote(code, "q1", "s1", "Momentum")
    at.run()
    assert "1 vote in round 2 (open)" in all_text(at)
    spec = at.get("plotly_chart")[0].proto.spec.replace(" ", "")
    assert '"name":"Round1"' in spec and '"name":"Round2"' in spec


def test_a_short_key_is_refused_and_a_server_key_must_match(db_url, monkeypatch) -> None:
    at = AppTest.from_function(lecturer_page).run()
    at.text_input(key="classroom_key_input").input("short")
    at.button(key="classroom_start").click().run()
    assert "at least 8 characters" in all_text(at)
    assert at.text[0].value == "class vote: none"
    monkeypatch.setenv("PLAYGROUND_LECTURER_KEY", "the-server-key")
    at = AppTest.from_function(lecturer_page).run()
    at.text_input(key="classroom_key_input").input("a-different-key")
    at.button(key="classroom_start").click().run()
    assert "not this server's lecturer key" in all_text(at)
    started(at, "the-server-key")


def test_the_lecturer_link_key_leaves_the_address_bar(db_url, monkeypatch) -> None:
    monkeypatch.setenv("PLAYGROUND_LECTURER_KEY", "the-server-key")
    at = AppTest.from_function(lecturer_page)
    at.query_params["lecturer"] = "the-server-key"
    at.run()
    assert "lecturer" not in at.query_params
    assert not at.text_input  # the key came with the link: nothing to type
    at.button(key="classroom_start").click().run()
    assert at.text[0].value == "class vote: open 1"
    assert "the-server-key" not in all_text(at)


def test_a_student_votes_sees_their_vote_and_may_change_it_until_the_reveal(db_url, store) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    at = AppTest.from_function(student_page)
    at.query_params["room"] = code.lower()
    at.run()
    assert not at.exception
    assert at.text[0].value == "question: q1"
    assert [b.label for b in at.button] == CHOICES
    at.button(key="classroom_choice_1").click().run()
    assert [b.label for b in at.button] == ["Adam", "✓ SGD", "Momentum"]
    assert store.tally(code, "q1") == {"Adam": 0, "SGD": 1, "Momentum": 0}
    at.button(key="classroom_choice_2").click().run()
    assert store.tally(code, "q1") == {"Adam": 0, "SGD": 0, "Momentum": 1}
    for _ in range(5):  # a flood of clicks counts once
        at.button(key="classroom_choice_0").click().run()
    assert store.tally(code, "q1") == {"Adam": 1, "SGD": 0, "Momentum": 0}
    voter = at.query_params["voter"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", voter)
    assert store.my_vote(code, "q1", voter) == "Adam"
    store.reveal(code, "q1", KEY)
    at.run()
    assert all(b.disabled for b in at.button)
    assert "Voting is closed" in all_text(at)


def test_a_reload_keeps_the_voter_from_the_url(db_url, store) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    at = AppTest.from_function(student_page)
    at.query_params["room"] = code
    at.run()
    at.button(key="classroom_choice_0").click().run()
    voter = at.query_params["voter"]
    reloaded = AppTest.from_function(student_page)  # a new session with the same URL
    reloaded.query_params["room"] = code
    reloaded.query_params["voter"] = voter
    reloaded.run()
    reloaded.button(key="classroom_choice_1").click().run()
    assert store.tally(code, "q1") == {"Adam": 0, "SGD": 1, "Momentum": 0}  # one voter, not two


@pytest.mark.parametrize(
    "room",
    [
        "'; DROP TABLE classroom_votes; --",
        "x" * 100_000,
        "K7Q2\x00",
        "\u202eK7Q2X",
        "K7Q2\u200bX",
        "",
        "ZZZZZ",
    ],
    ids=["sql", "huge", "nul", "rtl", "zero-width", "empty", "unknown"],
)
def test_a_hostile_or_unknown_room_in_the_url_gets_a_message(db_url, room) -> None:
    at = AppTest.from_function(student_page)
    at.query_params["room"] = room
    at.query_params["voter"] = "'; DROP TABLE x; --"
    at.run()
    assert not at.exception
    message = all_text(at)
    assert "room code is 5 characters" in message or "there is no room ZZZZZ" in message
    assert len(message) < 500  # never echoes the value
    assert not at.button


def test_a_room_without_a_question_waits_for_one(db_url, store) -> None:
    code = store.create_room(KEY)
    at = AppTest.from_function(student_page)
    at.query_params["room"] = code
    at.run()
    assert f"You joined room {code}" in all_text(at)
    store.open_question(code, "q1", CHOICES, KEY)
    at.run()
    assert at.text[0].value == "question: q1"


def test_the_join_link_names_the_page_and_the_public_host() -> None:
    assert class_vote.join_link("K7Q2X", "http://localhost:8501/lecture", None) == (
        "http://localhost:8501/lecture?room=K7Q2X"
    )
    assert class_vote.join_link("K7Q2X", "http://localhost:8501/lecture", "http://10.0.0.5:8080/") == (
        "http://10.0.0.5:8080/lecture?room=K7Q2X"
    )
    assert (
        class_vote.join_link("K7Q2X", None, "http://10.0.0.5:8080")
        == "http://10.0.0.5:8080/lecture?room=K7Q2X"
    )
    root = class_vote.join_link("K7Q2X", "http://127.0.0.1:8501", None)
    assert root == "http://127.0.0.1:8501/?room=K7Q2X"


def test_the_qr_code_is_a_large_svg_drawn_locally() -> None:
    svg = class_vote.qr_svg("http://10.0.0.5:8080/lecture?room=K7Q2X")
    assert svg.startswith("<svg")
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    assert 280 <= width <= class_vote.QR_PIXELS  # a sixth of a 1080p projector or more
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no external reference


def test_the_tally_figure_and_summary_say_what_the_counts_are() -> None:
    figure = class_vote.tally_figure(CHOICES, {2: {"SGD": 3}, 1: {"Adam": 1, "SGD": 1}})
    assert [trace.name for trace in figure.data] == ["Round 1", "Round 2"]
    assert list(figure.data[1].y) == [0, 3, 0]
    assert list(figure.data[0].x) == CHOICES
    assert class_vote.vote_summary({"Adam": 1, "SGD": 0}, 1, "open") == "1 vote in round 1 (open)"
    assert class_vote.vote_summary({"Adam": 2, "SGD": 3}, 2, "revealed") == (
        "5 votes in round 2 (revealed, no more votes)"
    )


def test_a_hostile_voter_in_the_url_is_replaced_by_a_random_one(db_url, store) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    at = AppTest.from_function(student_page)
    at.query_params["room"] = code
    at.query_params["voter"] = "'; DROP TABLE classroom_votes; --"
    at.run()
    at.button(key="classroom_choice_0").click().run()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", at.query_params["voter"])
    assert store.tally(code, "q1")["Adam"] == 1


def test_an_unreachable_store_is_a_message_not_a_traceback(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PLAYGROUND_CLASSROOM_DB", str(tmp_path / "no such dir" / "class.db"))
    monkeypatch.delenv("PLAYGROUND_LECTURER_KEY", raising=False)
    at = AppTest.from_function(student_page)
    at.query_params["room"] = "K7Q2X"
    at.run()
    assert not at.exception
    assert "not reachable" in all_text(at)
    at = AppTest.from_function(lecturer_page).run()
    at.text_input(key="classroom_key_input").input(KEY)
    at.button(key="classroom_start").click().run()
    assert not at.exception
    assert "not reachable" in all_text(at)


def test_a_question_that_cannot_be_voted_on_is_a_message(db_url) -> None:
    def one_answer_page() -> None:
        from ui import classroom as class_vote

        class_vote.lecturer_panel("q1", ["only one answer"])

    at = AppTest.from_function(one_answer_page).run()
    at.text_input(key="classroom_key_input").input(KEY)
    at.button(key="classroom_start").click().run()
    assert not at.exception
    assert "cannot be put to a class vote: choices must be a list of 2 to 8" in all_text(at)
