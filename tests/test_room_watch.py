"""How a student's page notices the lecturer's move (`ui/room_watch.py`): the room's token, the
watcher that writes it from a real SQLite store, and the element a student's page carries, whose
token is the file's until the lecturer reveals or starts a new round."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import classroom
from classroom import StoreUnavailableError
from ui import room_watch

KEY = "a-long-lecturer-key"
CHOICES = ["Adam", "SGD", "Momentum"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_CLASSROOM_DB", str(tmp_path / "class.db"))
    with classroom.open_store(f"sqlite:///{tmp_path / 'class.db'}") as opened:
        yield opened


def token_file(folder: Path, code: str) -> str:
    return (folder / f"{code}.txt").read_text(encoding="ascii")


def test_the_token_changes_with_question_round_and_state_and_hides_them(store) -> None:
    code = store.create_room(KEY)
    assert room_watch.state_token(store.current_question(code)) == "none"
    store.open_question(code, "q1", CHOICES, KEY)
    tokens = [room_watch.state_token(store.current_question(code))]
    store.reveal(code, "q1", KEY)
    tokens.append(room_watch.state_token(store.current_question(code)))
    store.reset(code, "q1", KEY)
    tokens.append(room_watch.state_token(store.current_question(code)))
    store.open_question(code, "q2", CHOICES, KEY)
    tokens.append(room_watch.state_token(store.current_question(code)))
    assert len(set(tokens)) == 4
    assert all(re.fullmatch(r"[0-9a-f]{16}", token) for token in tokens)  # no question text in it


def test_the_watcher_writes_each_change_of_the_store_to_the_room_file(store, tmp_path) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    folder = tmp_path / "static" / "classroom"
    watcher = room_watch.RoomWatcher(store.current_question, folder)
    drawn = room_watch.state_token(store.current_question(code))
    watcher.watch(code, drawn)
    assert token_file(folder, code) == drawn  # at once, before the thread's first round
    watcher.check_once()
    assert token_file(folder, code) == drawn  # nothing changed
    store.reveal(code, "q1", KEY)
    watcher.check_once()
    revealed = token_file(folder, code)
    assert revealed != drawn and revealed == room_watch.state_token(store.current_question(code))
    store.reset(code, "q1", KEY)
    watcher.check_once()
    assert token_file(folder, code) not in (drawn, revealed)


def test_a_page_that_read_the_store_before_a_change_does_not_set_the_file_back(store, tmp_path) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    before = room_watch.state_token(store.current_question(code))  # a page's read, then a reveal
    store.reveal(code, "q1", KEY)
    watcher = room_watch.RoomWatcher(store.current_question, tmp_path)
    watcher.watch(code, room_watch.state_token(store.current_question(code)))
    watcher.watch(code, before)  # the slow page registers after the reveal
    assert token_file(tmp_path, code) == room_watch.state_token(store.current_question(code))


def test_an_unchanged_token_is_not_written_again(store, tmp_path, monkeypatch) -> None:
    code = store.create_room(KEY)
    folder = tmp_path / "rooms"
    watcher = room_watch.RoomWatcher(store.current_question, folder)
    writes = []
    real = room_watch.write_atomically
    monkeypatch.setattr(
        room_watch, "write_atomically", lambda path, data: (writes.append(data), real(path, data))
    )
    watcher.watch(code, "none")
    for _ in range(3):
        watcher.check_once()
    assert writes == [b"none"]


def test_an_unreachable_store_keeps_the_last_token_and_an_unknown_room_reads_gone(tmp_path) -> None:
    answers: list[object] = [None, StoreUnavailableError("down"), ValueError("no such room")]

    def read(code: str):
        if isinstance(answers[0], Exception):
            raise answers[0]
        return answers[0]

    watcher = room_watch.RoomWatcher(read, tmp_path)
    watcher.watch("K7Q2X", "abc")
    watcher.check_once()
    assert token_file(tmp_path, "K7Q2X") == "none"  # no question yet
    answers.pop(0)
    watcher.check_once()  # the store does not answer: the file keeps what it said
    assert token_file(tmp_path, "K7Q2X") == "none"
    answers.pop(0)
    watcher.check_once()
    assert token_file(tmp_path, "K7Q2X") == "gone"


def test_a_room_not_opened_for_long_is_dropped_with_its_file(store, tmp_path, monkeypatch) -> None:
    code = store.create_room(KEY)
    reads = []
    watcher = room_watch.RoomWatcher(lambda c: reads.append(c) or store.current_question(c), tmp_path)
    watcher.watch(code, "none")
    watcher.check_once()
    assert reads == [code]
    monkeypatch.setattr(room_watch, "FORGET_AFTER_S", -1.0)
    watcher.check_once()
    watcher.check_once()
    assert reads == [code]
    assert not (tmp_path / f"{code}.txt").exists()  # its file goes with it


def student_page() -> None:
    from ui import classroom as class_vote

    question = class_vote.joined_question()
    if question is not None:
        class_vote.student_panel(question)


def watch_element(at: AppTest) -> dict:
    elements = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("room_watch")]
    assert len(elements) == 1
    return json.loads(elements[0].proto.json)


def test_a_students_page_carries_the_token_it_was_drawn_with_until_the_lecturer_moves(store) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    at = AppTest.from_function(student_page, default_timeout=30)
    at.query_params["room"] = code
    at.run()
    assert not at.exception
    data = watch_element(at)
    assert data["url"] == f"app/static/classroom/{code}.txt"
    folder = Path(at._script_path).parent / "static" / "classroom"
    assert token_file(folder, code) == data["seen"]  # the browser sees no change: no rerun
    store.reveal(code, "q1", KEY)
    room_watch.watcher(store.current_question, folder).check_once()
    assert token_file(folder, code) != data["seen"]  # now the browser reruns the page
    at.run()
    assert watch_element(at)["seen"] == token_file(folder, code)
    assert all(b.disabled for b in at.button)  # the rerun shows the reveal: voting closed
