"""The class-vote store on both databases: the interface, every refusal, hostile text, several
processes voting at once, a process killed while voting, expiry and the room-creation limit.

PostgreSQL is a real server from Debian's packages, started here on loopback in a temp dir (as the
`postgres` user when the tests run as root), one schema per test; its tests are skipped with the
reason when it cannot start.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from classroom import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ROOM_LIFETIME_S,
    QuestionClosedError,
    StoreUnavailableError,
    TooManyRoomsError,
    open_store,
)
from classroom.rules import MAX_TEXT

ROOT = Path(__file__).resolve().parents[1]
KEY = "lecturer-key-for-tests"
CHOICES = ["Adam", "SGD", "Momentum"]

# ---------------------------------------------------------------------------------------------
# A PostgreSQL server for the session


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL URL (without database options) of a server this session starts and stops."""
    initdbs = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdbs:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does)")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -r requirements.txt)")
    bindir = initdbs[-1].parent
    run_as: list[str] = []
    owner = None
    if os.geteuid() == 0:  # postgres refuses to run as root: run it as the `postgres` user
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        if not shutil.which("runuser"):
            pytest.skip("running as root without `runuser` to start PostgreSQL as `postgres`")
        run_as = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="classroom-pg-"))
    password = uuid.uuid4().hex
    (base / "pw").write_text(password)
    if owner is not None:
        for path in (base, base / "pw"):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    data = base / "data"
    try:
        subprocess.run(
            [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "classroom", "-E", "UTF8",
             "--auth=scram-sha-256", f"--pwfile={base / 'pw'}", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
             "-o", options, "start"],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        log = (base / "log").read_text(errors="replace")[-2000:] if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        detail = getattr(error, "stderr", b"") or b""
        pytest.skip(f"PostgreSQL could not start: {error}; {detail.decode(errors='replace')[-500:]} {log}")
    try:
        yield f"postgresql://classroom:{password}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


def _postgres_schema_url(server: str) -> str:
    """A URL whose tables go into a fresh schema (so each test starts with an empty store)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'class.db'}"
    return _postgres_schema_url(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(store_url: str) -> Iterator:
    with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def room(store) -> str:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    return code


def raw_rows(url: str) -> list[tuple]:
    """Every row of the store's tables, read past the store (to see what is really stored)."""
    query = "SELECT * FROM classroom_{}"
    tables = ("rooms", "questions", "votes")
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url[len("sqlite:///") :]) as conn:
            return [row for t in tables for row in conn.execute(query.format(t)).fetchall()]
    import psycopg

    with psycopg.connect(url) as conn:
        return [row for t in tables for row in conn.execute(query.format(t)).fetchall()]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------------------------------------
# The interface


def test_a_room_code_is_short_and_unambiguous(store) -> None:
    codes = {store.create_room(KEY) for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1I")


def test_tally_counts_each_voters_last_vote_with_zeros(store, room) -> None:
    assert store.tally(room, "q1") == {"Adam": 0, "SGD": 0, "Momentum": 0}
    store.vote(room, "q1", "v1", "Adam")
    store.vote(room, "q1", "v2", "Adam")
    store.vote(room, "q1", "v1", "SGD")  # v1 changes their mind
    assert store.tally(room, "q1") == {"Adam": 1, "SGD": 1, "Momentum": 0}
    assert list(store.tally(room, "q1")) == CHOICES  # in the lecturer's order
    assert store.my_vote(room, "q1", "v1") == "SGD"
    assert store.my_vote(room, "q1", "nobody") is None


def test_a_code_typed_in_lower_case_or_with_spaces_finds_the_room(store, room) -> None:
    store.vote(f"  {room.lower()} ", "q1", "v1", "SGD")
    assert store.tally(room, "q1")["SGD"] == 1


def test_reveal_closes_the_round_and_reset_opens_a_new_one(store, room) -> None:
    store.vote(room, "q1", "v1", "Adam")
    revealed = store.reveal(room, "q1", KEY)
    assert (revealed.round, revealed.state) == (1, "revealed")
    with pytest.raises(QuestionClosedError, match="closed"):
        store.vote(room, "q1", "v2", "SGD")
    with pytest.raises(ValueError, match="closed"):  # QuestionClosedError is a ValueError
        store.vote(room, "q1", "v1", "SGD")
    assert store.tally(room, "q1") == {"Adam": 1, "SGD": 0, "Momentum": 0}
    second = store.reset(room, "q1", KEY)
    assert (second.round, second.state) == (2, "open")
    assert store.tally(room, "q1") == {"Adam": 0, "SGD": 0, "Momentum": 0}
    assert store.my_vote(room, "q1", "v1") is None
    store.vote(room, "q1", "v1", "SGD")
    assert store.tally(room, "q1") == {"Adam": 0, "SGD": 1, "Momentum": 0}
    assert store.tally(room, "q1", round=1) == {"Adam": 1, "SGD": 0, "Momentum": 0}  # side by side
    for bad_round in (0, 3, -1, 1.0, "1", True):
        with pytest.raises(ValueError, match="round must be a whole number from 1 to 2"):
            store.tally(room, "q1", round=bad_round)


def test_the_current_question_follows_the_lecturer(store) -> None:
    code = store.create_room(KEY)
    assert store.current_question(code) is None
    store.open_question(code, "q1", CHOICES, KEY)
    store.open_question(code, "q2", ["yes", "no"], KEY)
    current = store.current_question(code)
    assert (current.question_id, current.choices, current.round, current.state) == (
        "q2",
        ("yes", "no"),
        1,
        "open",
    )
    store.vote(code, "q1", "v1", "Adam")  # an earlier question stays open until revealed
    assert store.tally(code, "q1")["Adam"] == 1


def test_opening_a_question_again_keeps_or_replaces_its_votes(store, room) -> None:
    store.vote(room, "q1", "v1", "Adam")
    store.open_question(room, "q1", CHOICES, KEY)  # a rerun of the lecturer's page
    assert store.tally(room, "q1")["Adam"] == 1
    store.open_question(room, "q1", ["Adam", "Newton"], KEY)  # other choices: a new question
    assert store.tally(room, "q1") == {"Adam": 0, "Newton": 0}
    assert store.question(room, "q1").round == 1


def test_rooms_do_not_share_votes(store) -> None:
    first, second = store.create_room(KEY), store.create_room("another key")
    for code, key in ((first, KEY), (second, "another key")):
        store.open_question(code, "q1", CHOICES, key)
    store.vote(first, "q1", "v1", "Adam")
    assert store.tally(second, "q1") == {"Adam": 0, "SGD": 0, "Momentum": 0}
    with pytest.raises(PermissionError):
        store.reveal(second, "q1", KEY)  # a key opens only its own room


def test_the_data_outlives_the_store_object(store_url) -> None:
    with open_store(store_url) as first:
        code = first.create_room(KEY)
        first.open_question(code, "q1", CHOICES, KEY)
        first.vote(code, "q1", "v1", "SGD")
    with open_store(store_url) as second:
        assert second.tally(code, "q1")["SGD"] == 1


# ---------------------------------------------------------------------------------------------
# Refusals


def test_a_wrong_lecturer_key_is_refused(store, room) -> None:
    for wrong in ("wrong", KEY + " ", KEY.upper(), "", "x" * 1_000_000, "a\x00b"):
        for action in (store.reveal, store.reset):
            with pytest.raises(PermissionError, match="wrong lecturer key"):
                action(room, "q1", wrong)
        with pytest.raises(PermissionError):
            store.open_question(room, "q2", CHOICES, wrong)
    assert store.question(room, "q1").state == "open"  # nothing happened
    assert store.current_question(room).question_id == "q1"


def test_a_lecturer_key_of_the_wrong_type_is_a_value_error(store, room) -> None:
    for wrong in (None, 42, b"bytes", [KEY]):
        with pytest.raises(ValueError, match="lecturer key must be printable text"):
            store.reveal(room, "q1", wrong)
        with pytest.raises(ValueError, match="lecturer key must be printable text"):
            store.create_room(wrong)


def test_the_lecturer_key_is_stored_only_hashed(store_url, store) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    stored = " ".join(str(value) for row in raw_rows(store_url) for value in row)
    assert code in stored  # the reading works
    assert KEY not in stored
    assert KEY.encode().hex() not in stored


def test_an_unknown_room_or_question_or_choice_is_refused(store, room) -> None:
    missing = next(c for c in ("AAAAA", "BBBBB") if c != room)
    with pytest.raises(ValueError, match=f"no room {missing}"):
        store.vote(missing, "q1", "v1", "Adam")
    with pytest.raises(ValueError, match=f"no room {missing}"):
        store.tally(missing, "q1")
    with pytest.raises(ValueError, match=f"no room {missing}"):
        store.open_question(missing, "q1", CHOICES, KEY)
    with pytest.raises(ValueError, match="no such question"):
        store.vote(room, "q9", "v1", "Adam")
    with pytest.raises(ValueError, match="no such question"):
        store.reveal(room, "q9", KEY)
    with pytest.raises(ValueError, match="must be one of"):
        store.vote(room, "q1", "v1", "adam")
    assert store.tally(room, "q1") == {"Adam": 0, "SGD": 0, "Momentum": 0}


@pytest.mark.parametrize(
    "code", ["", "K7Q2", "K7Q2XX", "K7Q0X", "KOQ2X", "K1Q2X", "KIQ2X", "K7Q-X", "'; --", "x" * 1_000_000,
             "K7Q2\x00", 12345, None, b"K7Q2X"],
)  # fmt: skip
def test_a_malformed_room_code_says_what_a_code_is(store, code) -> None:
    with pytest.raises(ValueError, match="a room code is 5 characters") as refused:
        store.vote(code, "q1", "v1", "Adam")
    assert len(str(refused.value)) < 300  # the message never echoes the hostile value


HOSTILE_BUT_PRINTABLE = [
    "'); DROP TABLE classroom_votes; --",
    "Robert'); DELETE FROM classroom_rooms WHERE ('1'='1",
    "1 OR 1=1",
    "%s %(x)s ? :name $1",
    '"quoted" \\ backslash',
    "α ≤ 0.011 · 日本語 · 🙂",
    "x" * MAX_TEXT,
]
NOT_TEXT_OF_1_TO_200 = [
    "",
    "   ",
    "x" * (MAX_TEXT + 1),
    "x" * 1_000_000,
    "a\x00b",
    "line\nbreak",
    "\x1b[31mred",
    "\u202eevil",  # right-to-left override
    "a\u200bb",  # zero-width space
    "\ufeffbom",
    "\ud800",  # a lone surrogate
    42,
    None,
    b"bytes",
    ["Adam"],
    True,
]


@pytest.mark.parametrize("text", HOSTILE_BUT_PRINTABLE)
def test_sql_looking_text_is_stored_and_counted_literally(store_url, store, text) -> None:
    code = store.create_room(KEY)
    store.open_question(code, text, [text, "other"], KEY)
    store.vote(code, text, text, text)
    store.vote(code, text, "second voter", text)
    assert store.tally(code, text) == {text: 2, "other": 0}
    assert store.my_vote(code, text, text) == text
    assert len(raw_rows(store_url)) == 1 + 1 + 2  # every table still there, nothing else written


@pytest.mark.parametrize("bad", NOT_TEXT_OF_1_TO_200, ids=range(len(NOT_TEXT_OF_1_TO_200)))
def test_ids_and_choices_that_are_not_printable_text_are_refused(store, room, bad) -> None:
    allowed = "must be printable text of 1 to 200 characters"
    calls = [
        lambda: store.vote(room, "q1", bad, "Adam"),
        lambda: store.vote(room, "q1", "v1", bad),
        lambda: store.vote(room, bad, "v1", "Adam"),
        lambda: store.tally(room, bad),
        lambda: store.open_question(room, bad, CHOICES, KEY),
        lambda: store.open_question(room, "q2", ["Adam", bad], KEY),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=allowed) as refused:
            call()
        assert len(str(refused.value)) < 300
    assert store.tally(room, "q1") == {"Adam": 0, "SGD": 0, "Momentum": 0}


@pytest.mark.parametrize(
    "choices", [["only one"], [f"c{i}" for i in range(9)], ["same", "same"], "AB", None, 3, {"a": 1}]
)
def test_choices_must_be_two_to_eight_different_texts(store, room, choices) -> None:
    with pytest.raises(ValueError, match="choices must be a list of 2 to 8 different texts"):
        store.open_question(room, "q2", choices, KEY)


def test_eight_choices_and_a_tuple_are_accepted(store, room) -> None:
    question = store.open_question(room, "q2", tuple(f"c{i}" for i in range(8)), KEY)
    assert len(question.choices) == 8


def test_a_flood_of_votes_from_one_voter_counts_once(store, room) -> None:
    for i in range(300):
        store.vote(room, "q1", "eager voter", CHOICES[i % 3])
    assert store.tally(room, "q1") == {"Adam": 0, "SGD": 0, "Momentum": 1}  # the last: i = 299


def test_a_round_takes_a_bounded_number_of_voters(store, room, monkeypatch) -> None:
    monkeypatch.setattr("classroom.rules.MAX_VOTERS", 3)
    for voter in ("v1", "v2", "v3"):
        store.vote(room, "q1", voter, "Adam")
    with pytest.raises(ValueError, match="maximum of 3 voters"):
        store.vote(room, "q1", "v4", "Adam")
    store.vote(room, "q1", "v1", "SGD")  # a voter already counted may still change their vote
    assert store.tally(room, "q1") == {"Adam": 2, "SGD": 1, "Momentum": 0}


def test_rooms_expire_after_a_day(store_url) -> None:
    clock = FakeClock()
    with open_store(store_url, clock=clock) as store:
        code = store.create_room(KEY)
        store.open_question(code, "q1", CHOICES, KEY)
        store.vote(code, "q1", "v1", "Adam")
        clock.now += ROOM_LIFETIME_S - 1
        assert store.tally(code, "q1")["Adam"] == 1
        clock.now += 2
        with pytest.raises(ValueError, match=f"no room {code}"):
            store.vote(code, "q1", "v2", "Adam")
        with pytest.raises(ValueError, match=f"no room {code}"):
            store.reveal(code, "q1", KEY)
        fresh = store.create_room(KEY)  # creating a room forgets the expired ones
    rows = raw_rows(store_url)
    assert len(rows) == 1 and rows[0][0] == fresh


def test_a_store_creates_a_bounded_number_of_rooms_per_minute(store_url) -> None:
    clock = FakeClock()
    with open_store(store_url, clock=clock, rooms_per_minute=3) as store:
        for _ in range(3):
            store.create_room(KEY)
        with pytest.raises(TooManyRoomsError, match="3 rooms in the last minute"):
            store.create_room(KEY)
        clock.now += 61
        store.create_room(KEY)


def test_store_urls_are_checked() -> None:
    for url in ("mysql://x", "sqlite://relative", "sqlite:///", "", 5):
        with pytest.raises(ValueError, match="URL"):
            open_store(url)


def test_a_database_that_cannot_be_reached_is_store_unavailable(tmp_path) -> None:
    with pytest.raises(StoreUnavailableError, match="cannot open"):
        open_store(f"sqlite:///{tmp_path / 'no such dir' / 'class.db'}")
    pytest.importorskip("psycopg")
    with pytest.raises(StoreUnavailableError, match="does not answer"):
        open_store(f"postgresql://nobody:pw@127.0.0.1:{_free_port()}/nothing")


def test_the_default_store_is_the_sqlite_file_in_the_environment(monkeypatch, tmp_path) -> None:
    path = tmp_path / "hall.db"
    monkeypatch.setenv("PLAYGROUND_CLASSROOM_DB", str(path))
    with open_store() as store:
        code = store.create_room(KEY)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT code FROM classroom_rooms").fetchall() == [(code,)]
    assert path.stat().st_mode & 0o077 == 0  # private to its user


# ---------------------------------------------------------------------------------------------
# Several processes

WORKER = r"""
import json, sys
sys.path.insert(0, ".")
from classroom import QuestionClosedError, open_store
url, code, plan_file = sys.argv[1:4]
plan = json.load(open(plan_file))
store = open_store(url)
print(json.dumps(["ready"]), flush=True)
sys.stdin.readline()  # all workers start together
for voter, choice in plan:
    try:
        store.vote(code, "q1", voter, choice)
        print(json.dumps(["ok", voter, choice]), flush=True)
    except QuestionClosedError:
        print(json.dumps(["closed", voter, choice]), flush=True)
        break  # the lecturer revealed: this student stops voting
store.close()
"""


def start_workers(url: str, code: str, plans: list[list[tuple[str, str]]], tmp: Path) -> list:
    """Voting processes, one per plan, each waiting for a line on stdin to start."""
    workers = []
    for i, plan in enumerate(plans):
        plan_file = tmp / f"plan-{i}.json"
        plan_file.write_text(json.dumps(plan))
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, url, code, str(plan_file)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert json.loads(worker.stdout.readline()) == ["ready"]
        workers.append(worker)
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    return workers


def test_several_processes_voting_at_once_count_every_voters_last_vote(store_url, store, tmp_path) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    plans = []
    for p in range(4):  # 4 processes, 25 voters each, 3 votes per voter, interleaved
        plans.append([(f"p{p}-v{v}", CHOICES[(p + v + r) % 3]) for r in range(3) for v in range(25)])
    # ... and one voter who votes from every process: counted once
    for p, plan in enumerate(plans):
        plan.append(("everywhere", CHOICES[p % 3]))
    workers = start_workers(store_url, code, plans, tmp_path)
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    lines = [json.loads(line) for out in outputs for line in out.splitlines()]
    assert len(lines) == sum(len(plan) for plan in plans) and all(line[0] == "ok" for line in lines)
    expected = Counter(dict(plan[:-1])[f"p{p}-v{v}"] for p, plan in enumerate(plans) for v in range(25))
    expected[store.my_vote(code, "q1", "everywhere")] += 1
    assert store.tally(code, "q1") == {choice: expected[choice] for choice in CHOICES}
    assert sum(store.tally(code, "q1").values()) == 101


OPENER = r"""
import sys, time
sys.path.insert(0, ".")
from classroom import open_store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # every process opens at the same moment
with open_store(sys.argv[1]) as store:
    print(store.create_room("key-" + sys.argv[3]))
"""


def test_processes_opening_a_new_store_at_once_share_one_schema(store_url) -> None:
    start = f"{time.time() + 2.0}"  # after every interpreter has started
    openers = [
        subprocess.Popen([sys.executable, "-c", OPENER, store_url, start, str(i)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(6)
    ]  # fmt: skip
    results = [opener.communicate(timeout=120) for opener in openers]
    assert [opener.returncode for opener in openers] == [0] * 6, [err for _, err in results]
    codes = [out.strip() for out, _ in results]
    with open_store(store_url) as store:
        for i, code in enumerate(codes):
            store.open_question(code, "q1", CHOICES, f"key-{i}")  # each room has its own key


def test_a_reveal_during_voting_keeps_every_vote_that_returned_and_no_later_one(
    store_url, store, tmp_path
) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    plans = [[(f"p{p}-v{v}", CHOICES[v % 3]) for v in range(20_000)] for p in range(3)]
    workers = start_workers(store_url, code, plans, tmp_path)
    first = workers[0].stdout.readline()  # voting has begun
    store.reveal(code, "q1", KEY)
    outputs = [first + workers[0].stdout.read()]  # the same buffered reader as `first`
    outputs += [worker.stdout.read() for worker in workers[1:]]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0, 0]
    results = [json.loads(line) for out in outputs for line in out.splitlines()]
    accepted = Counter(choice for status, _, choice in results if status == "ok")
    assert store.tally(code, "q1") == {choice: accepted[choice] for choice in CHOICES}
    # Every worker voted until its first refusal: the reveal is final for every process.
    for out in outputs:
        statuses = [json.loads(line)[0] for line in out.splitlines()]
        assert statuses[-1] == "closed" and statuses.count("closed") == 1


def test_a_process_killed_while_voting_loses_no_vote_that_returned(store_url, store, tmp_path) -> None:
    code = store.create_room(KEY)
    store.open_question(code, "q1", CHOICES, KEY)
    plan = [(f"v{i}", CHOICES[i % 3]) for i in range(20_000)]
    (worker,) = start_workers(store_url, code, [plan], tmp_path)
    returned = []
    for line in worker.stdout:
        returned.append(json.loads(line))
        if len(returned) == 200:
            break
    worker.send_signal(signal.SIGKILL)
    returned += [json.loads(line) for line in worker.stdout.read().splitlines()]
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert len(returned) < len(plan)  # it was killed mid-way
    for _, voter, choice in returned:
        assert store.my_vote(code, "q1", voter) == choice
    tally = store.tally(code, "q1")
    # Every returned vote is there; at most the one in flight when it died is there too.
    assert len(returned) <= sum(tally.values()) <= len(returned) + 1
    # The store still takes votes after the killed process held it.
    store.vote(code, "q1", "after the kill", "Adam")
