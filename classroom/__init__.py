"""Class votes shared by every process of a lecture hall: open a store, then rooms, questions, votes.

    from classroom import open_store
    store = open_store()                                  # SQLite: $PLAYGROUND_CLASSROOM_DB or temp dir
    store = open_store("sqlite:////path/to/class.db")
    store = open_store("postgresql://user:pw@host:5432/db")
    code = store.create_room(lecturer_key)                # a join code such as "K7Q2X"
    store.open_question(code, question_id, choices, lecturer_key)
    store.vote(code, question_id, voter_id, choice)       # a voter's last vote counts
    store.tally(code, question_id)                        # {choice: count}, zeros included
    store.reveal(code, question_id, lecturer_key)         # the round takes no more votes
    store.reset(code, question_id, lecturer_key)          # a new round without votes
    store.close()

NumPy-free and without Streamlit: the pages (`ui/classroom.py`) and the benchmark both use it.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from classroom.backends import PostgresConnection, SQLiteConnection, StoreUnavailableError
from classroom.rules import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ROOM_LIFETIME_S,
    ROOMS_PER_MINUTE,
    QuestionClosedError,
    TooManyRoomsError,
)
from classroom.store import ClassroomStore, Question

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "ROOM_LIFETIME_S",
    "ClassroomStore",
    "Question",
    "QuestionClosedError",
    "StoreUnavailableError",
    "TooManyRoomsError",
    "default_url",
    "open_store",
]

ENV_VAR = "PLAYGROUND_CLASSROOM_DB"


def default_url() -> str:
    """$PLAYGROUND_CLASSROOM_DB (a file path or a URL), else a SQLite file in the temp dir."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if not configured:
        uid = os.getuid() if hasattr(os, "getuid") else "user"
        configured = str(Path(tempfile.gettempdir()) / f"optimizer-playground-classroom-{uid}.db")
    if "://" in configured:
        return configured
    return "sqlite:///" + str(Path(configured).expanduser())


def open_store(
    url: str | None = None,
    *,
    clock: Callable[[], float] = time.time,
    rooms_per_minute: int = ROOMS_PER_MINUTE,
) -> ClassroomStore:
    """A store on `url` ("sqlite:///<path>", "postgresql://..."; default: `default_url()`).

    `sqlite:////abs/path.db` is an absolute path (four slashes), `sqlite:///rel.db` a relative one.
    `clock` gives the time (rooms expire a day after they were created); `rooms_per_minute` bounds
    how many rooms this store creates per minute (the app keeps one store per process).
    """
    if url is None:
        url = default_url()
    if not isinstance(url, str):
        raise ValueError("the store URL must be text such as sqlite:////path/class.db")
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if not path:
            raise ValueError("a SQLite URL names a file: sqlite:////absolute/path.db")
        return ClassroomStore(SQLiteConnection(path), clock=clock, rooms_per_minute=rooms_per_minute)
    if url.startswith(("postgresql://", "postgres://")):
        return ClassroomStore(PostgresConnection(url), clock=clock, rooms_per_minute=rooms_per_minute)
    raise ValueError("the store URL must start with sqlite:/// or postgresql://")
