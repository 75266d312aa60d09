"""The class-vote store: rooms, questions with rounds, and each voter's last vote, in SQL.

One class holds the logic; the two databases differ only in how they connect, their placeholder and
how a transaction takes its write lock (see `classroom.backends`). Every value from a browser is
checked by `classroom.rules` first and reaches the database only as a query parameter.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from classroom import rules
from classroom.rules import QuestionClosedError

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS classroom_rooms (
        code TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL,
        current_question TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS classroom_questions (
        room TEXT NOT NULL,
        question_id TEXT NOT NULL,
        choices TEXT NOT NULL,
        state TEXT NOT NULL,
        round INTEGER NOT NULL,
        PRIMARY KEY (room, question_id)
    )""",
    """CREATE TABLE IF NOT EXISTS classroom_votes (
        room TEXT NOT NULL,
        question_id TEXT NOT NULL,
        round INTEGER NOT NULL,
        voter_id TEXT NOT NULL,
        choice TEXT NOT NULL,
        voted_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (room, question_id, round, voter_id)
    )""",
    "CREATE INDEX IF NOT EXISTS classroom_rooms_created ON classroom_rooms (created_at)",
)


@dataclass(frozen=True)
class Question:
    """A question of a room as the pages show it: its choices, the current round and its state."""

    room: str
    question_id: str
    choices: tuple[str, ...]
    round: int  # 1 for the first vote, 2 after one "New round", ...
    state: Literal["open", "revealed"]  # "revealed": the current round takes no more votes


class Connection:
    """What a database gives the store (implemented in `classroom.backends`)."""

    def transaction(self, write: bool) -> AbstractContextManager[Cursor]:
        """A transaction, committed when the block ends; `write` ones take the write lock first."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class Cursor:
    """Runs queries inside one transaction (placeholders are written `?`)."""

    share_lock: str = ""  # appended to a SELECT whose row must not change until commit
    update_lock: str = ""  # appended to a SELECT whose row this transaction will change

    def run(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError


class ClassroomStore:
    """Rooms, questions and votes of a lecture hall, shared by every process that opens the same URL.

    A vote returns once its transaction has committed. Methods are safe to call from several threads.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        clock: Callable[[], float],
        rooms_per_minute: int = rules.ROOMS_PER_MINUTE,
    ) -> None:
        self._db = connection
        self._clock = clock
        self._room_limit = rules.RoomRateLimit(rooms_per_minute, clock)

    # -- the lecturer -------------------------------------------------------------------------

    def create_room(self, lecturer_key: str) -> str:
        """A new room whose lecturer actions need `lecturer_key`; returns its join code."""
        rules.check_text(lecturer_key, "the lecturer key")
        self._room_limit.take()
        key_hash = rules.hash_key(lecturer_key)
        now = self._clock()
        with self._db.transaction(write=True) as cur:
            self._forget_expired(cur, now)
            for _ in range(20):  # a taken code is rare (33 million codes): draw again
                code = rules.new_code()
                if not cur.run("SELECT 1 FROM classroom_rooms WHERE code = ?", (code,)):
                    cur.run(
                        "INSERT INTO classroom_rooms (code, key_hash, created_at) VALUES (?, ?, ?)",
                        (code, key_hash, now),
                    )
                    return code
        raise RuntimeError("no free room code found; try again")

    def open_question(
        self, code: str, question_id: str, choices: Sequence[str], lecturer_key: str
    ) -> Question:
        """Make `question_id` the room's current question, open for votes.

        Opening it again with the same choices changes nothing (a page may call this on every
        rerun); with other choices it starts over at round 1 without votes.
        """
        code = rules.check_code(code)
        question_id = rules.check_text(question_id, "a question id")
        choices = rules.check_choices(choices)
        with self._db.transaction(write=True) as cur:
            self._authorise(cur, code, lecturer_key)
            found = cur.run(
                "SELECT choices FROM classroom_questions WHERE room = ? AND question_id = ?",
                (code, question_id),
            )
            if not found or tuple(json.loads(found[0][0])) != choices:
                self._delete_question(cur, code, question_id)
                cur.run(
                    "INSERT INTO classroom_questions (room, question_id, choices, state, round) "
                    "VALUES (?, ?, ?, 'open', 1)",
                    (code, question_id, json.dumps(choices)),
                )
            cur.run("UPDATE classroom_rooms SET current_question = ? WHERE code = ?", (question_id, code))
            return self._question(cur, code, question_id)

    def reveal(self, code: str, question_id: str, lecturer_key: str) -> Question:
        """Close the current round of a question: no more votes until `reset`."""
        return self._set_round(code, question_id, lecturer_key, next_round=False)

    def reset(self, code: str, question_id: str, lecturer_key: str) -> Question:
        """A new round (vote, discuss, vote again): open, no votes; earlier rounds stay readable."""
        return self._set_round(code, question_id, lecturer_key, next_round=True)

    # -- everyone ------------------------------------------------------------------------------

    def vote(self, code: str, question_id: str, voter_id: str, choice: str) -> None:
        """Record `voter_id`'s choice for the question's current round (a later vote replaces it).

        Raises QuestionClosedError (a ValueError) once the lecturer has revealed the round.
        """
        code = rules.check_code(code)
        question_id = rules.check_text(question_id, "a question id")
        voter_id = rules.check_text(voter_id, "a voter id")
        choice = rules.check_text(choice, "a choice")
        with self._db.transaction(write=True) as cur:
            question = self._question(cur, code, question_id, lock=cur.share_lock)
            if question.state != "open":
                raise QuestionClosedError(
                    f"round {question.round} of this question is closed: the lecturer has revealed it"
                )
            if choice not in question.choices:
                raise ValueError(f"the choice must be one of {list(question.choices)}")
            key = (code, question_id, question.round, voter_id)
            known = cur.run(
                "SELECT 1 FROM classroom_votes "
                "WHERE room = ? AND question_id = ? AND round = ? AND voter_id = ?",
                key,
            )
            if not known:
                (voters,) = cur.run(
                    "SELECT COUNT(*) FROM classroom_votes WHERE room = ? AND question_id = ? AND round = ?",
                    key[:3],
                )[0]
                if voters >= rules.MAX_VOTERS:
                    raise ValueError(f"this round already has its maximum of {rules.MAX_VOTERS} voters")
            # An upsert: two votes of one voter racing in from two processes leave one row.
            cur.run(
                "INSERT INTO classroom_votes (room, question_id, round, voter_id, choice, voted_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room, question_id, round, voter_id) "
                "DO UPDATE SET choice = excluded.choice, voted_at = excluded.voted_at",
                (*key, choice, self._clock()),
            )

    def tally(self, code: str, question_id: str, round: int | None = None) -> dict[str, int]:
        """{choice: number of voters} of a round (default: the current one), every choice included."""
        code = rules.check_code(code)
        question_id = rules.check_text(question_id, "a question id")
        with self._db.transaction(write=False) as cur:
            question = self._question(cur, code, question_id)
            if round is None:
                round = question.round
            elif isinstance(round, bool) or not isinstance(round, int) or not 1 <= round <= question.round:
                raise ValueError(f"the round must be a whole number from 1 to {question.round}")
            counts = dict(
                cur.run(
                    "SELECT choice, COUNT(*) FROM classroom_votes "
                    "WHERE room = ? AND question_id = ? AND round = ? GROUP BY choice",
                    (code, question_id, round),
                )
            )
        return {choice: int(counts.get(choice, 0)) for choice in question.choices}

    def question(self, code: str, question_id: str) -> Question:
        """A question of a room, with its current round and state."""
        code = rules.check_code(code)
        question_id = rules.check_text(question_id, "a question id")
        with self._db.transaction(write=False) as cur:
            return self._question(cur, code, question_id)

    def current_question(self, code: str) -> Question | None:
        """The question the lecturer opened last in this room (None before the first one)."""
        code = rules.check_code(code)
        with self._db.transaction(write=False) as cur:
            current = self._room(cur, code)[1]
            return None if current is None else self._question(cur, code, current)

    def my_vote(self, code: str, question_id: str, voter_id: str) -> str | None:
        """`voter_id`'s choice in the question's current round, or None."""
        code = rules.check_code(code)
        question_id = rules.check_text(question_id, "a question id")
        voter_id = rules.check_text(voter_id, "a voter id")
        with self._db.transaction(write=False) as cur:
            question = self._question(cur, code, question_id)
            found = cur.run(
                "SELECT choice FROM classroom_votes "
                "WHERE room = ? AND question_id = ? AND round = ? AND voter_id = ?",
                (code, question_id, question.round, voter_id),
            )
        return found[0][0] if found else None

    def close(self) -> None:
        """Close the connection (the data stays in the database)."""
        self._db.close()

    def __enter__(self) -> ClassroomStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inside a transaction ------------------------------------------------------------------

    def _set_round(self, code: str, question_id: str, lecturer_key: str, *, next_round: bool) -> Question:
        code = rules.check_code(code)
        question_id = rules.check_text(question_id, "a question id")
        with self._db.transaction(write=True) as cur:
            self._authorise(cur, code, lecturer_key)
            self._question(cur, code, question_id, lock=cur.update_lock)  # unknown question: ValueError
            change = "state = 'open', round = round + 1" if next_round else "state = 'revealed'"
            cur.run(
                f"UPDATE classroom_questions SET {change} WHERE room = ? AND question_id = ?",
                (code, question_id),
            )
            return self._question(cur, code, question_id)

    def _room(self, cur: Cursor, code: str, lock: str = "") -> tuple[str, str | None]:
        """(key hash, current question) of a room that has not expired, else ValueError."""
        found = cur.run(
            "SELECT key_hash, current_question FROM classroom_rooms WHERE code = ? AND created_at > ?" + lock,
            (code, self._clock() - rules.ROOM_LIFETIME_S),
        )
        if not found:
            raise ValueError(f"there is no room {code} (a room lasts a day); check the code")
        return found[0]

    def _authorise(self, cur: Cursor, code: str, lecturer_key: object) -> None:
        key_hash = self._room(cur, code, lock=cur.update_lock)[0]  # lecturer actions take turns
        if not isinstance(lecturer_key, str):
            rules.check_text(lecturer_key, "the lecturer key")  # a wrong type: ValueError
        if not rules.key_matches(lecturer_key, key_hash):
            raise PermissionError(f"wrong lecturer key for room {code}")

    def _question(self, cur: Cursor, code: str, question_id: str, lock: str = "") -> Question:
        self._room(cur, code)
        found = cur.run(
            "SELECT choices, round, state FROM classroom_questions WHERE room = ? AND question_id = ?" + lock,
            (code, question_id),
        )
        if not found:
            raise ValueError(f"room {code} has no such question; the lecturer opens questions")
        choices, round_, state = found[0]
        return Question(code, question_id, tuple(json.loads(choices)), int(round_), state)

    def _delete_question(self, cur: Cursor, code: str, question_id: str) -> None:
        for table in ("classroom_votes", "classroom_questions"):
            cur.run(f"DELETE FROM {table} WHERE room = ? AND question_id = ?", (code, question_id))

    def _forget_expired(self, cur: Cursor, now: float) -> None:
        expired = "SELECT code FROM classroom_rooms WHERE created_at <= ?"
        cutoff = (now - rules.ROOM_LIFETIME_S,)
        for table in ("classroom_votes", "classroom_questions"):
            cur.run(f"DELETE FROM {table} WHERE room IN ({expired})", cutoff)
        cur.run("DELETE FROM classroom_rooms WHERE created_at <= ?", cutoff)
